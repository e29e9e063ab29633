/*
 * cmd_common.c — a library status as a printed failure, and the option
 * loop of the simplest commands (cmd_int.h).
 */
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"

int lia_cmd_subcommands(const char *cmd, const char *usage, const struct lia_subcmd *subs, int argc,
			char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "%s\n", usage);
		return LIA_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		puts(usage);
		return LIA_EXIT_OK;
	}
	char names[LIA_ERR_MAX] = "";
	size_t used = 0;
	for (const struct lia_subcmd *s = subs; s->name != NULL; s++) {
		if (strcmp(s->name, sub) == 0)
			return s->run(argc - 1, argv + 1);
		int w = snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", s->name);
		if (w > 0 && (size_t)w < sizeof names - used)
			used += (size_t)w;
	}
	char msg[LIA_ERR_MAX + 32];
	snprintf(msg, sizeof msg, "unknown subcommand (%s)", names);
	return lia_usage_error(cmd, msg);
}

int lia_cmd_fail(const char *cmd, int code, const char *msg)
{
	fprintf(stderr, PROG " %s: %s\n", cmd, msg);
	return code;
}

int lia_cmd_report(const char *cmd, int status, const char *msg)
{
	if (status == LIA_EXIT_USAGE)
		return lia_usage_error(cmd, msg);
	return lia_cmd_fail(cmd, status, msg);
}

int lia_cmd_connect(struct lia_client *c, const char *cmd, const char *profile, unsigned which,
		    bool receive, uint32_t window, int timeout_ms)
{
	char err[LIA_ERR_MAX];
	int rc = lia_agent_connect(c, profile, which, receive, window, timeout_ms, err);
	return rc == LIA_EXIT_OK ? rc : lia_cmd_report(cmd, rc, err);
}

int lia_cmd_parse(const struct lia_cmd_spec *spec, int argc, char **argv, const char **profile,
		  int *as_json, int *first)
{
	struct lia_cli_common common;
	int rc = lia_cli_parse(spec, argc, argv, &common, NULL, NULL, first);
	*profile = common.profile;
	*as_json = common.json;
	return rc;
}
