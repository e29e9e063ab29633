/*
 * commands.h — the subcommands of `liaison`, one handler each, and the
 * helpers they share. Internal to the program.
 */
#ifndef LIA_COMMANDS_H
#define LIA_COMMANDS_H

#include <stdio.h>

#define PROG "liaison"

int lia_cmd_seal(int argc, char **argv);
int lia_cmd_open(int argc, char **argv);

/* Print "liaison CMD: msg; see liaison CMD --help" and return exit 2. */
int lia_usage_error(const char *cmd, const char *msg);

#endif
