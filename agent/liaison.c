/*
 * liaison — the agent program of liaison offices, analysts and auditors.
 *
 * This file holds only the command table, from which dispatch and the
 * top-level help are both made (core/cli.h); each group of commands
 * lives in its own file (offline.c: seal, open and verify).
 */
#include <sodium.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "keyfile.h"
#include "util.h"
#include "version.h"

int lia_usage_error(const char *cmd, const char *msg)
{
	return lia_cli_usage_error_cmd(PROG, cmd, "%s", msg);
}

static const struct lia_cmd cmds[] = {
	LIA_CMD_GROUP("with a broker (each takes --profile NAME, or LIAISON_PROFILE):"),
	{"profile", lia_cmd_profile, "create or show a connection profile"},
	{"publish", lia_cmd_publish, "seal and publish a message to addressees and feeds"},
	{"send", lia_cmd_send, "a direct message to one principal"},
	{"reply", lia_cmd_reply, "reply to a message; the reply carries its marking (reply ID)"},
	{"forward", lia_cmd_forward, "forward a message as it is, within its onward rules"},
	{"subscribe", lia_cmd_subscribe, "create a feed (filters: kind, region, agency, evaluation)"},
	{"unsubscribe", lia_cmd_unsubscribe, "remove a feed"},
	{"feeds", lia_cmd_feeds, "list your feeds"},
	{"listen", lia_cmd_listen, "receive deliveries as they come, catching up first"},
	{"inbox", lia_cmd_inbox, "list deliveries"},
	{"read", lia_cmd_read, "verify, decrypt and show one delivered message (read ID)"},
	{"thread", lia_cmd_thread, "a message with its replies and forwards, those you may see"},
	{"erase", lia_cmd_erase, "erase your message now, before its expiry; holders purge their copies"},
	{"recall", lia_cmd_recall, "recall your message: every holder is told why (--erase: and purges)"},
	{"disclosures", lia_cmd_disclosures, "who received your message, who was refused and why"},
	{"consent", lia_cmd_consent, "ask the originator to pass a message on; grant or refuse"},
	{"verification", lia_cmd_verification, "ask a state whether a document is genuine; answer (Art. 13)"},
	{"directory", lia_cmd_directory, "the principals of the exchange"},
	{"checkpoint", lia_cmd_checkpoint, "the ledger's latest signed checkpoint; --verify: it only grew"},
	LIA_CMD_GROUP("offline envelopes (no broker needed):"),
	{"seal", lia_cmd_seal, "write a signed, encrypted envelope file for named recipients"},
	{"open", lia_cmd_open, "verify and decrypt an envelope file; shows its restrictions first"},
	{"verify", lia_cmd_verify, "check an envelope file's origin and integrity without decrypting"},
	LIA_CMD_END,
};

static const struct lia_prog prog = {
	.name = PROG,
	.about = "The Liaison agent: signed, end-to-end encrypted intelligence exchange under the\n"
		 "originator's use restrictions (UN Smuggling of Migrants Protocol, Art. 10).",
	.cmds = cmds,
	.examples =
		PROG " profile create valletta --broker tcp://127.0.0.1:7400 \\\n"
		"    --broker-cert /x/broker.crt --keys /x/valletta --authority-key /x/authority.pub\n"
		PROG " subscribe med-routes --profile valletta --kind route --region MED-CENTRAL\n"
		PROG " listen --profile valletta --count 5 --timeout 60\n"
		PROG " seal --keys keys/ventimiglia --authority-key authority.pub \\\n"
		"    --to keys/valletta/cert.crt --kind route --tlp AMBER --handling H2 \\\n"
		"    --title \"Zuwara departures\" --set mode=sea --set capacity=80 \\\n"
		"    --out alert.env\n"
		PROG " open --keys keys/valletta --authority-key authority.pub \\\n"
		"    --from keys/ventimiglia/cert.crt alert.env",
	.footer = "exit status: 0 ok, 1 failure, 2 usage error, 3 verification failed,\n"
		  "4 refused by broker or policy, 5 broker unreachable.",
	.version = lia_version_print,
};

int main(int argc, char **argv)
{
	char err[LIA_ERR_MAX];
	/* Before any key is loaded: libzmq keeps a copy of the transport
	 * secret in ordinary heap, and a crash must not write it to a core
	 * file (docs/security.md, item 8). */
	if (lia_process_no_core(err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return LIA_EXIT_FAIL;
	}
	if (sodium_init() < 0) {
		fputs(PROG ": libsodium failed to initialise\n", stderr);
		return LIA_EXIT_FAIL;
	}
	return lia_cli_dispatch(&prog, argc, argv);
}
