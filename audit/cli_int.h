/*
 * cli_int.h — what the liaison-audit subcommands share (internal):
 * opening a ledger file or an export, getting the broker's key, progress
 * on a terminal, and the option loop with the options they all take.
 *
 * Every function that can fail prints one diagnostic line to stderr,
 * "liaison-audit: <what failed>: <why>", and returns an exit code
 * (LIA_EXIT_*), so a subcommand returns it unchanged.
 */
#ifndef LIA_AUDIT_CLI_INT_H
#define LIA_AUDIT_CLI_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "ledger.h"
#include "note.h"

#define CLI_PROG "liaison-audit"

/* Options every subcommand reads the same way. */
struct cli_common {
	const char *ledger;     /* --ledger FILE */
	const char *export;     /* --export FILE */
	const char *vkey;       /* --key NAME+ID+KEY */
	const char *vkey_file;  /* --key-file FILE */
	const char *cert;       /* --cert FILE (broker certificate) */
	const char *authority;  /* --authority FILE (authority public key) */
	bool json;              /* --json */
	bool quiet;             /* --quiet: no progress */
};

/* Ids of the common options (cli_common_opts), below the commands' own. */
enum {
	OPT_LEDGER = 1000,
	OPT_EXPORT,
	OPT_KEY,
	OPT_KEY_FILE,
	OPT_CERT,
	OPT_AUTHORITY,
	OPT_QUIET,
	OPT_FIRST_FREE,
};

/* The options every subcommand takes, listed under their own heading in
 * every command's --help: put cli_common_groups in the spec's groups. */
extern const struct lia_opt_group cli_common_groups[];

/* The option loop of every subcommand (lia_cli_parse): the common
 * options go to *cm, the command's own to own(ctx, ...) (NULL when it has
 * none). Returns -1 to go on with *first the first argument, else the
 * exit status to return at once. */
int cli_parse(const struct lia_cmd_spec *spec, int argc, char **argv, struct cli_common *cm,
	      lia_cli_opt_fn own, void *ctx, int *first) __attribute__((warn_unused_result));

/* Print "liaison-audit: " and the message to stderr; return code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Open --ledger (read-only) or load --export into memory. */
int cli_open(const struct cli_common *cm, struct lia_ledger **out);

/* The broker's key from --key, --key-file or --cert with --authority.
 * origin names the log when the key source does not (a certificate). */
int cli_verifier(const struct cli_common *cm, const char *origin, struct lia_note_verifier *v);
bool cli_has_key(const struct cli_common *cm);

/* A message id: 32 hex digits. */
int cli_parse_id(const char *s, uint8_t id[static LIA_ID_BYTES]);

/* Read a whole text file (bounded) into a NUL-terminated buffer. */
int cli_read_text(const char *path, size_t max, char **out, size_t *len);

/* Write data to path (new or replaced, mode 0644) or stdout for NULL/"-". */
int cli_write_out(const char *path, const char *data, size_t len);

/* Progress on stderr when it is a terminal; silent otherwise. */
struct cli_progress {
	const char *what;
	bool on;
	bool shown;
	uint64_t last_ns;
};
void cli_progress_init(struct cli_progress *p, const char *what, bool quiet);
void cli_progress_cb(void *ctx, uint64_t done, uint64_t total);
void cli_progress_end(struct cli_progress *p);

/* The subcommands. */
int cmd_query(int argc, char **argv);
int cmd_disclosures(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_verify_proof(int argc, char **argv);
int cmd_consistency(int argc, char **argv);

#endif
