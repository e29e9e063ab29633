/*
 * cmd_common.c — a library status as a printed failure, and the option
 * loop of the simplest commands (cmd_int.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"

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

int lia_cmd_simple_options(const char *cmd, int argc, char **argv, const char *help, bool json_ok,
			   const char **profile, int *as_json)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	int c;
	*profile = NULL;
	*as_json = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == O_PROFILE)
			*profile = optarg;
		else if (c == O_JSON && json_ok)
			*as_json = 1;
		else if (c == O_HELP) {
			puts(help);
			return LIA_EXIT_OK;
		} else
			return lia_usage_error(cmd, "invalid option");
	}
	return -1;
}
