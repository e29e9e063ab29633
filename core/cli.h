/*
 * cli.h — the command-line skeleton of every Liaison program: one option
 * table per command, from which both the getopt_long loop and the
 * --help text are made, and one command table per program, from which
 * both dispatch and the program's usage are made. No usage text is
 * written twice; a command's help cannot forget an option it accepts.
 *
 * Owns: building the getopt_long array (a fixed cap, no allocation),
 * the option loop, the common options (--profile, --json, --keys,
 * --authority-key, --passphrase-file, --crl, --help), usage printing,
 * the one form of a usage error, and subcommand dispatch.
 *
 * Trusts: the tables (our own code; a malformed table asserts). argv is
 * the user's and is never trusted: every unknown option, missing value
 * or refused value is a usage error.
 *
 * May call: getopt_long and stdio only. It knows nothing of key files,
 * profiles or libraries: a command reads its common values itself, and
 * a program passes the function that prints its --version.
 *
 * Errors: functions return an exit status (LIA_EXIT_*), or -1 to mean
 * "go on". A usage error is printed to stderr as
 *   PROG CMD: what was wrong; see PROG CMD --help
 * and returns LIA_EXIT_USAGE; help goes to stdout and returns
 * LIA_EXIT_OK. Only main() exits.
 *
 * Not thread safe: getopt_long keeps global state (optind, optarg).
 */
#ifndef LIA_CLI_H
#define LIA_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"

/* --- one command's options --- */

/* One option. A table ends with an entry whose name is NULL.
 * id is what on_opt receives; it must be > 0 and unique in the command.
 * With LIA_OPT_SHORT the id is also the short option: an entry
 * {"output", "FILE", ..., 'o', LIA_OPT_SHORT} accepts -o FILE and
 * --output FILE. (A flag, not a rule on ids, so that the enumerator after
 * 'o' in a command's enum does not become -p by accident.) -h is --help.
 * help may hold '\n': its further lines are indented under the first. */
struct lia_opt {
	const char *name; /* long name, without "--" */
	const char *arg;  /* metavar of its value ("FILE"); NULL for a flag */
	const char *help;
	int id;
	unsigned flags; /* LIA_OPT_* */
};

enum {
	/* The command cannot go on without it: named in the synopsis, and its
	 * absence is a usage error ("--tlp LEVEL is required"). */
	LIA_OPT_REQUIRED = 1u << 0,
	/* Accepted but not listed (old spellings kept for scripts). */
	LIA_OPT_HIDDEN = 1u << 1,
	/* id is an ASCII letter or digit, also accepted as -id. */
	LIA_OPT_SHORT = 1u << 2,
};

/* Ids of the common options; command ids stay below LIA_OPT_ID_COMMON. */
enum {
	LIA_OPT_ID_COMMON = 0x10000,
	LIA_OPT_ID_PROFILE = LIA_OPT_ID_COMMON,
	LIA_OPT_ID_JSON,
	LIA_OPT_ID_KEYS,
	LIA_OPT_ID_AUTHORITY_KEY,
	LIA_OPT_ID_PASSPHRASE_FILE,
	LIA_OPT_ID_CRL,
	LIA_OPT_ID_HELP,
};

/* The common options, as table entries. The loop stores them in struct
 * lia_cli_common and never calls on_opt for them. Where commands word
 * the help differently, the macro takes it. --help needs no entry:
 * every command accepts --help and -h and lists --help last. */
#define LIA_OPT_PROFILE \
	{"profile", "NAME", "connection profile (or LIAISON_PROFILE)", LIA_OPT_ID_PROFILE, 0}
#define LIA_OPT_JSON(help) {"json", NULL, help, LIA_OPT_ID_JSON, 0}
#define LIA_OPT_KEYS(help) {"keys", "DIR", help, LIA_OPT_ID_KEYS, 0}
#define LIA_OPT_AUTHORITY_KEY \
	{"authority-key", "FILE", "the exchange authority's public key", LIA_OPT_ID_AUTHORITY_KEY, 0}
#define LIA_OPT_PASSPHRASE_FILE                                                         \
	{"passphrase-file", "FILE", "passphrase for protected key files (else asked)", \
	 LIA_OPT_ID_PASSPHRASE_FILE, 0}
#define LIA_OPT_CRL {"crl", "FILE", "the authority's revocation list", LIA_OPT_ID_CRL, 0}
#define LIA_OPT_END {NULL, NULL, NULL, 0, 0}

/* Where the loop puts the common options (NULL / false when absent). */
struct lia_cli_common {
	const char *profile;
	const char *keys;
	const char *authority_key;
	const char *passphrase_file;
	const char *crl;
	bool json;
};

/* A further titled table of options, e.g. the message options that
 * publish, send and seal share. A list of groups ends with opts NULL. */
struct lia_opt_group {
	const char *heading; /* printed as a line of its own, e.g. "message options:" */
	const struct lia_opt *opts;
};

/* One command. prog and name make "PROG NAME" in every message; name
 * NULL for a program without subcommands (liaison-broker). */
struct lia_cmd_spec {
	const char *prog;
	const char *name;
	const char *args;     /* positional synopsis after the options, "FILE..."; may be NULL */
	const char *about;    /* paragraph(s) after the synopsis; may be NULL */
	const char *examples; /* one example per line, without indent; may be NULL */
	const struct lia_opt *opts;
	const struct lia_opt_group *groups; /* may be NULL */
	unsigned flags;                     /* LIA_CLI_* */
	const char *footer;                 /* last paragraph(s), after the examples; may be NULL */
};

enum {
	/* Headings as "Usage:" and "Examples:" (liaison-audit's style, which
	 * docs/ledger.md shows) rather than "usage:" and "examples:". */
	LIA_CLI_CAPITALISED = 1u << 0,
};

/* A command's own option: 0 when taken; -1 for a usage error described
 * in err (empty err: "invalid value for --NAME"); any other value is an
 * exit status returned as is (the callback printed its diagnostic);
 * LIA_CLI_DONE stops the loop with LIA_EXIT_OK. */
/* What on_opt returns when the option did all there was to do (the
 * broker's --version): lia_cli_parse returns LIA_EXIT_OK at once. */
#define LIA_CLI_DONE 0x100

typedef int (*lia_cli_opt_fn)(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX]);

/* Run the option loop of spec over argv (argv[0] is the command's name).
 * Common options go to *common (which may be NULL when the table has
 * none), the command's own to on_opt(ctx, ...) (NULL when it has none).
 * Returns -1 to go on, with *first the index of the first positional
 * argument; or an exit status to return at once: LIA_EXIT_OK after
 * printing the usage for --help, LIA_EXIT_USAGE after a usage error, or
 * what on_opt returned. Options and arguments may be mixed. */
int lia_cli_parse(const struct lia_cmd_spec *spec, int argc, char **argv,
		  struct lia_cli_common *common, lia_cli_opt_fn on_opt, void *ctx, int *first)
	__attribute__((warn_unused_result));

/* Print the usage of spec: synopsis, about, options, examples, footer. */
void lia_cli_usage(const struct lia_cmd_spec *spec, FILE *f);

/* Print "PROG CMD: <message>; see PROG CMD --help" to stderr and return
 * LIA_EXIT_USAGE, for what the command finds wrong after the loop. */
int lia_cli_usage_error(const struct lia_cmd_spec *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like lia_cli_usage_error for a program and command known by name
 * (cmd NULL: a program without subcommands). */
int lia_cli_usage_error_cmd(const char *prog, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Look the option up by id in spec's tables (for messages); NULL if none. */
const struct lia_opt *lia_cli_opt_find(const struct lia_cmd_spec *spec, int id);

/* --- one program's commands --- */

/* A subcommand: the {name, handler, summary} table of every program; the
 * summary is the line of the program's usage. An entry with run NULL is
 * a group heading (LIA_CMD_GROUP); the table ends with name NULL. */
struct lia_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

#define LIA_CMD_GROUP(heading) {"", NULL, heading}
#define LIA_CMD_END {NULL, NULL, NULL}

/* A program with subcommands. */
struct lia_prog {
	const char *name;
	const char *about;    /* paragraph(s) after the synopsis; may be NULL */
	const struct lia_cmd *cmds;
	const char *examples; /* one example per line, without indent; may be NULL */
	const char *footer;   /* last paragraph(s): exit codes, where to read on */
	void (*version)(FILE *f, const char *prog); /* prints --version */
	unsigned flags;                             /* LIA_CLI_* */
};

/* Print the program's usage: synopsis, about, the commands with their
 * summaries under their group headings, examples, footer. */
void lia_cli_prog_usage(const struct lia_prog *p, FILE *f);

/* Find argv[1] in p->cmds and run it with argv shifted by one. Handles
 * --help, -h and help (usage on stdout), --version and version, no
 * command (usage on stderr, exit 2) and unknown commands (exit 2). */
int lia_cli_dispatch(const struct lia_prog *p, int argc, char **argv);

#endif
