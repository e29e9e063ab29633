/*
 * liaison — the agent program of liaison offices, analysts and auditors.
 *
 * This file holds only the command table and the top-level help; each
 * group of commands lives in its own file (offline.c: seal and open).
 */
#include <sodium.h>
#include <stdio.h>

#include "commands.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("usage: " PROG " COMMAND [OPTIONS]\n"
	      "\n"
	      "The Liaison agent: signed, end-to-end encrypted intelligence exchange under the\n"
	      "originator's use restrictions (UN Smuggling of Migrants Protocol, Art. 10).\n"
	      "\n"
	      "offline envelopes (no broker needed):\n"
	      "  seal     write a signed, encrypted envelope file for named recipients\n"
	      "  open     verify and decrypt an envelope file; shows its restrictions first\n"
	      "\n"
	      "examples:\n"
	      "  " PROG " seal --keys keys/ventimiglia --authority-key authority.pub \\\n"
	      "      --to keys/valletta/cert.crt --kind route --tlp AMBER --handling H2 \\\n"
	      "      --title \"Zuwara departures\" --set mode=sea --set capacity=80 \\\n"
	      "      --out alert.env\n"
	      "  " PROG " open --keys keys/valletta --authority-key authority.pub \\\n"
	      "      --from keys/ventimiglia/cert.crt alert.env\n"
	      "\n"
	      "exit status: 0 ok, 1 failure, 2 usage error, 3 verification failed,\n"
	      "4 refused by broker or policy, 5 broker unreachable.\n"
	      "Run '" PROG " COMMAND --help' for the options of a command.\n",
	      f);
}

int lia_usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, PROG " %s: %s; see " PROG " %s --help\n", cmd, msg, cmd);
	return LIA_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static const struct lia_cmd cmds[] = {
		{"seal", lia_cmd_seal, "write an envelope file"},
		{"open", lia_cmd_open, "verify and decrypt an envelope file"},
		{NULL, NULL, NULL},
	};
	if (sodium_init() < 0) {
		fputs(PROG ": libsodium failed to initialise\n", stderr);
		return LIA_EXIT_FAIL;
	}
	return lia_cmd_dispatch(PROG, cmds, argc, argv, usage);
}
