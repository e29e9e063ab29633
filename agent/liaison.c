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
	      "with a broker (each takes --profile NAME, or LIAISON_PROFILE):\n"
	      "  profile      create or show a connection profile\n"
	      "  publish      seal and publish a message to addressees and feeds\n"
	      "  send         a direct message to one principal\n"
	      "  subscribe    create a feed (filters: kind, region, agency, evaluation)\n"
	      "  unsubscribe  remove a feed;  feeds  list them\n"
	      "  listen       receive deliveries as they come, catching up first\n"
	      "  inbox        list deliveries;  read ID  verify, decrypt and show one\n"
	      "  disclosures  who received your message, who was refused and why\n"
	      "  consent      ask the originator to pass a message on; grant or refuse\n"
	      "  directory    the principals of the exchange\n"
	      "  checkpoint   auditors: the ledger's latest signed checkpoint\n"
	      "\n"
	      "offline envelopes (no broker needed):\n"
	      "  seal     write a signed, encrypted envelope file for named recipients\n"
	      "  open     verify and decrypt an envelope file; shows its restrictions first\n"
	      "  verify   check an envelope file's origin and integrity without decrypting\n"
	      "\n"
	      "examples:\n"
	      "  " PROG " profile create valletta --broker tcp://127.0.0.1:7400 \\\n"
	      "      --broker-cert /x/broker.crt --keys /x/valletta --authority-key /x/authority.pub\n"
	      "  " PROG " subscribe med-routes --profile valletta --kind route --region MED-CENTRAL\n"
	      "  " PROG " listen --profile valletta --count 5 --timeout 60\n"
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
		{"profile", lia_cmd_profile, "create or show a connection profile"},
		{"publish", lia_cmd_publish, "publish a message"},
		{"send", lia_cmd_send, "send a direct message"},
		{"subscribe", lia_cmd_subscribe, "create a feed"},
		{"unsubscribe", lia_cmd_unsubscribe, "remove a feed"},
		{"feeds", lia_cmd_feeds, "list your feeds"},
		{"listen", lia_cmd_listen, "receive deliveries"},
		{"inbox", lia_cmd_inbox, "list deliveries"},
		{"read", lia_cmd_read, "read one delivered message"},
		{"disclosures", lia_cmd_disclosures, "who received your message"},
		{"directory", lia_cmd_directory, "list the exchange's principals"},
		{"checkpoint", lia_cmd_checkpoint, "the ledger's latest signed checkpoint"},
		{"consent", lia_cmd_consent, "ask, grant or refuse onward dissemination"},
		{"seal", lia_cmd_seal, "write an envelope file"},
		{"open", lia_cmd_open, "verify and decrypt an envelope file"},
		{"verify", lia_cmd_verify, "verify an envelope file's signature"},
		{NULL, NULL, NULL},
	};
	if (sodium_init() < 0) {
		fputs(PROG ": libsodium failed to initialise\n", stderr);
		return LIA_EXIT_FAIL;
	}
	return lia_cmd_dispatch(PROG, cmds, argc, argv, usage);
}
