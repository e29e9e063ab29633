/*
 * cmd_int.h — what the command files of `liaison` (agent/cmd_*.c) share:
 * the option ids, printing a failure (or a library status), and the
 * option loop of the simplest commands (core/cli.h does the loop). Internal to the program.
 *
 * The library does the work and never prints; these helpers are the one
 * place a library status becomes a line on stderr: "liaison CMD: what
 * failed", or the usage error of commands.h for LIA_EXIT_USAGE.
 */
#ifndef LIA_CMD_INT_H
#define LIA_CMD_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "agent.h"
#include "cli.h"
#include "commands.h"

#define DEFAULT_TIMEOUT_MS LIA_AGENT_TIMEOUT_MS

/* The ids of the commands' own options (core/cli.h: > 0, below
 * LIA_OPT_ID_COMMON, never 'h'); the message options' start at
 * LIA_COMPOSE_OPT_BASE. */
enum {
	O_TIMEOUT = 1, O_TO, O_COUNT, O_WAIT, O_AFTER, O_LIMIT, O_KIND, O_REGION, O_AGENCY,
	O_MINEVAL, O_BROKER, O_BROKER_CERT, O_ENVELOPE, O_PURPOSE, O_ERASE,
};

/* A verification request as JSON, and as lines (lead before the first),
 * for `verification list` and `listen` (cmd_verif.c). */
struct lia_verification;
json_t *lia_verif_json(const struct lia_verification *v);
void lia_verif_print(const struct lia_verification *v, const char *lead);

/* A command of subcommands (consent, verification): argv[1] picks one
 * of subs (ended by a NULL name), which runs with argv[1..]; none, or
 * --help, prints usage; an unknown one is a usage error listing them. */
struct lia_subcmd {
	const char *name;
	int (*run)(int argc, char **argv);
};
int lia_cmd_subcommands(const char *cmd, const char *usage, const struct lia_subcmd *subs, int argc,
			char **argv);

/* Print "liaison CMD: msg" and return code. */
int lia_cmd_fail(const char *cmd, int code, const char *msg);

/* Print a library status with its message: a usage error (exit 2, with
 * the pointer to --help) for LIA_EXIT_USAGE, else as lia_cmd_fail. */
int lia_cmd_report(const char *cmd, int status, const char *msg);

/* lia_agent_connect, its failure printed. */
int lia_cmd_connect(struct lia_client *c, const char *cmd, const char *profile, unsigned which,
		    bool receive, uint32_t window, int timeout_ms);

/* The option loop of the commands whose options are all common ones
 * (--profile, --json): lia_cli_parse with those stored in *profile and
 * *as_json. Returns -1 to go on, with *first the first positional
 * argument, or the exit status to return at once. */
int lia_cmd_parse(const struct lia_cmd_spec *spec, int argc, char **argv, const char **profile,
		  int *as_json, int *first) __attribute__((warn_unused_result));

#endif
