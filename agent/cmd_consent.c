/*
 * cmd_consent.c — onward dissemination: consent ask, list, grant, refuse.
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "body.h"
#include "client.h"
#include "commands.h"
#include "compose.h"
#include "envelope.h"
#include "util.h"
#include "cmd_int.h"
#include "onward.h"

/* --- onward dissemination: consent requests --- */

/* One request as its viewer may see it: how many received the message
 * through it only for the originator (the broker shows nobody else);
 * check says whether the signed consent verified ("" when not checked). */
static void print_consent(const struct lia_consent_request *c, const char *viewer, const char *check,
			  int as_json)
{
	char idh[2 * LIA_ID_BYTES + 1], asked[32], answered[32] = "", digest_hex[LIA_CONSENT_DIGEST_HEX] = "";
	lia_id_hex(idh, c->message_id);
	lia_time_format(c->requested_at, asked);
	if (c->answered_at != 0)
		lia_time_format(c->answered_at, answered);
	if (c->consent_len > 0)
		lia_consent_digest_hex(c->consent, c->consent_len, digest_hex);
	bool mine = strcmp(c->originator, viewer) == 0;
	if (as_json) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "request",
				      (json_int_t)c->request, "id", idh, "originator", c->originator,
				      "requested_by", c->requested_by, "grantee", c->grantee, "purpose",
				      c->purpose, "state", lia_consent_state_str(c->state), "requested_at", asked,
				      "answered_at", answered, "reason", c->reason);
		if (j != NULL && mine && c->state == LIA_CONSENT_GRANTED) {
			json_object_set_new(j, "disclosed", json_integer(c->disclosed));
			json_object_set_new(j, "withheld", json_integer(c->withheld));
		}
		if (j != NULL && digest_hex[0] != '\0')
			json_object_set_new(j, "consent_sha256", json_string(digest_hex));
		if (j != NULL && check[0] != '\0')
			json_object_set_new(j, "consent_signature", json_string(check));
		lia_json_print(j);
		return;
	}
	printf("request %" PRIu64 "  %-8s  message %s from %s\n", c->request,
	       lia_consent_state_str(c->state), idh, c->originator);
	printf("    %s asks to pass it to %s, %s: \"%s\"\n", c->requested_by, c->grantee, asked, c->purpose);
	if (c->state == LIA_CONSENT_GRANTED && mine)
		printf("    granted %s: disclosed to %u, withheld from %u by the policy\n", answered,
		       c->disclosed, c->withheld);
	else if (c->state == LIA_CONSENT_GRANTED)
		printf("    granted %s\n", answered);
	else if (c->state == LIA_CONSENT_REFUSED)
		printf("    refused %s: \"%s\"\n", answered, c->reason);
	if (digest_hex[0] != '\0')
		printf("    signed consent sha256:%s%s%s\n", digest_hex, check[0] ? ", signature " : "", check);
}

static const struct lia_opt ask_opts[] = {
	LIA_OPT_PROFILE,
	{"to", "PRINCIPAL|AGENCY", "whom to pass the message to", O_TO, LIA_OPT_REQUIRED},
	{"purpose", "TEXT", "why (the originator sees it; 1 to 255 bytes)", O_PURPOSE,
	 LIA_OPT_REQUIRED},
	LIA_OPT_JSON("print the request as JSON"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec ask_spec = {
	PROG, "consent ask", "ID",
	"Asks the originator of a message delivered to you for consent to pass it on\n"
	"(onward dissemination, e.g. under handling code H2 or outside its audience).\n"
	"The originator sees your purpose and grants or refuses; if it grants, the\n"
	"broker discloses the message to the grantee as far as the exchange policy\n"
	"allows. Every step is in the ledger. Asking again returns the same request.",
	PROG " consent ask 5f0c...e1 --to HR-MUP/zagreb --purpose \"joint operation\" \\\n"
	"    --profile roma",
	ask_opts, NULL, 0, NULL,
};

/* --to and --purpose (ask), --reason (grant, refuse): vals[0], vals[1]. */
static int text_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	const char **vals = ctx;
	(void)err;
	vals[id == O_TO ? 0 : 1] = arg;
	return 0;
}

static int consent_ask(int argc, char **argv)
{
	const char *vals[2] = {NULL, NULL};
	struct lia_cli_common cm;
	int first;
	int done = lia_cli_parse(&ask_spec, argc, argv, &cm, text_option, vals, &first);
	if (done >= 0)
		return done;
	const char *profile = cm.profile, *to = vals[0], *purpose = vals[1];
	int as_json = cm.json;
	uint8_t id[LIA_ID_BYTES];
	if (first + 1 != argc || lia_id_parse(id, argv[first]) != 0)
		return lia_usage_error("consent ask", "give one message id (32 hex digits)");
	if (to == NULL || strlen(to) >= LIA_NAME_MAX || !(lia_name_is_subject(to) || lia_name_is_agency(to)))
		return lia_usage_error("consent ask", "--to: a principal (AGENCY/name) or an agency");
	if (purpose == NULL || !lia_purpose_valid(purpose))
		return lia_usage_error("consent ask", "--purpose: 1 to 255 printable bytes");
	struct lia_client cl;
	struct lia_consent_request asked;
	char err[LIA_ERR_MAX];
	int rc = lia_onward_ask(&cl, profile, id, to, purpose, &asked, err);
	if (rc == LIA_EXIT_OK)
		print_consent(&asked, cl.id.cert.subject, "", as_json);
	else
		lia_cmd_report("consent ask", rc, err);
	lia_agent_done(&cl, NULL);
	return rc;
}

#define CONSENT_PAGE 200 /* requests in one of the broker's answers (broker/onward.c) */

static const struct lia_opt list_opts[] = {
	LIA_OPT_PROFILE,
	{"before", "N", "only the requests older than request N (the next page)", O_AFTER, 0},
	LIA_OPT_JSON("one JSON object per request"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec list_spec = {
	PROG, "consent list", "[REQUEST]",
	"Consent requests you made, and those about your messages that you must\n"
	"answer (an auditor: all), newest first, 200 at most; --before N shows the\n"
	"ones older than request N (the next page). REQUEST shows only that one. A\n"
	"granted request shows the SHA-256 of the originator's signed consent (as\n"
	"in the ledger) and whether its signature verifies.",
	NULL, list_opts, NULL, 0, NULL,
};

static int before_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	uint64_t *before = ctx;
	(void)id;
	if (lia_parse_u64(arg, before) != 0 || *before == 0)
		return lia_errf(err, "--before: a request number");
	return 0;
}

static int consent_list(int argc, char **argv)
{
	uint64_t request = 0, before = 0;
	struct lia_cli_common cm;
	int first;
	int done = lia_cli_parse(&list_spec, argc, argv, &cm, before_option, &before, &first);
	if (done >= 0)
		return done;
	const char *profile = cm.profile;
	int as_json = cm.json;
	if (first + 1 == argc) {
		if (lia_parse_u64(argv[first], &request) != 0 || request == 0)
			return lia_usage_error("consent list", "REQUEST: a request number");
	} else if (first != argc) {
		return lia_usage_error("consent list", "unexpected argument");
	}
	struct lia_client cl;
	struct lia_frame rep;
	char err[LIA_ERR_MAX];
	int rc = lia_onward_list(&cl, profile, request, before, &rep, err);
	if (rc != LIA_EXIT_OK) {
		lia_cmd_report("consent list", rc, err);
	} else {
		/* Check the originator's signature ourselves, against the
		 * certificate in the verified directory. */
		bool have_dir = lia_client_directory(&cl, err) == 0;
		for (size_t i = 0; i < rep.u.consent_list.n; i++) {
			const struct lia_consent_request *c = &rep.u.consent_list.v[i];
			char check[LIA_ONWARD_CHECK_MAX];
			lia_onward_check(c, have_dir ? &cl.dir : NULL, check);
			print_consent(c, cl.id.cert.subject, check, as_json);
		}
		if (!as_json && rep.u.consent_list.n == 0)
			puts("no consent requests");
		/* A full page: say how to read the next (the broker pages its
		 * answers, issue 11, item 5). */
		size_t n = rep.u.consent_list.n;
		if (request == 0 && n >= CONSENT_PAGE)
			fprintf(stderr, PROG " consent list: more may follow: --before %" PRIu64 "\n",
				rep.u.consent_list.v[n - 1].request);
	}
	lia_agent_done(&cl, &rep);
	return rc;
}

static const struct lia_opt grant_opts[] = {
	LIA_OPT_PROFILE,
	{"reason", "TEXT", "a word for the requester (at most 255 bytes)", O_PURPOSE, 0},
	LIA_OPT_JSON("print the answered request as JSON"),
	LIA_OPT_END,
};

static const struct lia_opt refuse_opts[] = {
	LIA_OPT_PROFILE,
	{"reason", "TEXT", "why (the requester sees it; 1 to 255 bytes)", O_PURPOSE,
	 LIA_OPT_REQUIRED},
	LIA_OPT_JSON("print the answered request as JSON"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec grant_spec = {
	PROG, "consent grant", "REQUEST",
	"Grants a consent request about a message you originated: wraps the\n"
	"message's key for each principal of the grantee, signs the consent, and the\n"
	"broker discloses the message to them as far as the exchange policy allows\n"
	"(prints how many received it and how many the policy still refused).",
	PROG " consent list --profile ventimiglia\n" PROG " consent grant 3 --profile ventimiglia",
	grant_opts, NULL, 0, NULL,
};

static const struct lia_cmd_spec refuse_spec = {
	PROG, "consent refuse", "REQUEST",
	"Refuses a consent request about a message you originated; the requester\n"
	"sees your reason. A refused request stays refused.",
	PROG " consent refuse 4 --reason \"source protection\" --profile ventimiglia",
	refuse_opts, NULL, 0, NULL,
};

static int consent_answer(int argc, char **argv, bool grant)
{
	const char *cmd = grant ? "consent grant" : "consent refuse";
	const char *vals[2] = {NULL, NULL};
	struct lia_cli_common cm;
	int first;
	int done = lia_cli_parse(grant ? &grant_spec : &refuse_spec, argc, argv, &cm, text_option,
				 vals, &first);
	if (done >= 0)
		return done;
	const char *profile = cm.profile, *reason = vals[1];
	int as_json = cm.json;
	uint64_t number = 0;
	if (first + 1 != argc || lia_parse_u64(argv[first], &number) != 0 || number == 0)
		return lia_usage_error(cmd, "give one request number");
	if (!grant && (reason == NULL || !lia_purpose_valid(reason)))
		return lia_usage_error(cmd, "--reason: 1 to 255 printable bytes");
	if (reason != NULL && strlen(reason) >= LIA_PURPOSE_MAX)
		return lia_usage_error(cmd, "--reason: at most 255 bytes");
	struct lia_client cl;
	struct lia_consent_request answered;
	char err[LIA_ERR_MAX];
	int rc = lia_onward_answer(&cl, profile, number, grant, reason, &answered, err);
	if (rc == LIA_EXIT_OK)
		print_consent(&answered, cl.id.cert.subject, "", as_json);
	else
		lia_cmd_report(cmd, rc, err);
	lia_agent_done(&cl, NULL);
	return rc;
}

static int consent_grant(int argc, char **argv)
{
	return consent_answer(argc, argv, true);
}

static int consent_refuse(int argc, char **argv)
{
	return consent_answer(argc, argv, false);
}

int lia_cmd_consent(int argc, char **argv)
{
	static const char usage[] =
		"usage: " PROG " consent ask|list|grant|refuse ... --profile NAME\n"
		"\n"
		"Onward dissemination: a recipient asks the originator to let a message go to a\n"
		"third principal or agency; the originator, a liaison officer, grants (signing\n"
		"the consent) or refuses. Nobody approves their own request; every step is in\n"
		"the ledger. 'listen' shows requests and answers as they come.\n"
		"\n"
		"  ask ID --to WHO --purpose TEXT   ask the originator of a message you received\n"
		"  list [REQUEST] [--before N]      your requests, and those you must answer\n"
		"  grant REQUEST                    originator: consent; the broker discloses\n"
		"  refuse REQUEST --reason TEXT     originator: refuse\n"
		"\n"
		"examples:\n"
		"  " PROG " consent ask 5f0c...e1 --to HR-MUP --purpose \"joint investigation\" --profile roma\n"
		"  " PROG " consent list --profile ventimiglia\n"
		"  " PROG " consent grant 1 --profile ventimiglia\n"
		"Run '" PROG " consent ask --help' (and so on) for each.";
	static const struct lia_subcmd subs[] = {
		{"ask", consent_ask},
		{"list", consent_list},
		{"grant", consent_grant},
		{"refuse", consent_refuse},
		{NULL, NULL},
	};
	return lia_cmd_subcommands("consent", usage, subs, argc, argv);
}
