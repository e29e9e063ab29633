/*
 * cmd_consent.c — onward dissemination: consent ask, list, grant, refuse.
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

static int consent_ask(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"to", required_argument, NULL, O_TO},
		{"purpose", required_argument, NULL, O_PURPOSE},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL, *to = NULL, *purpose = NULL;
	int as_json = 0, c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_TO: to = optarg; break;
		case O_PURPOSE: purpose = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_HELP:
			puts("usage: " PROG " consent ask ID --to PRINCIPAL|AGENCY --purpose TEXT --profile NAME [--json]\n"
			     "\n"
			     "Asks the originator of a message delivered to you for consent to pass it on\n"
			     "(onward dissemination, e.g. under handling code H2 or outside its audience).\n"
			     "The originator sees your purpose and grants or refuses; if it grants, the\n"
			     "broker discloses the message to the grantee as far as the exchange policy\n"
			     "allows. Every step is in the ledger. Asking again returns the same request.\n"
			     "\n"
			     "example:\n"
			     "  " PROG " consent ask 5f0c...e1 --to HR-MUP/zagreb --purpose \"joint operation\" \\\n"
			     "      --profile roma");
			return LIA_EXIT_OK;
		default: return lia_usage_error("consent ask", "invalid option");
		}
	}
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_CONSENT_ASK, 0);
	if (optind + 1 != argc || lia_id_parse(req.u.consent_ask.message_id, argv[optind]) != 0)
		return lia_usage_error("consent ask", "give one message id (32 hex digits)");
	if (to == NULL || strlen(to) >= LIA_NAME_MAX || !(lia_name_is_subject(to) || lia_name_is_agency(to)))
		return lia_usage_error("consent ask", "--to: a principal (AGENCY/name) or an agency");
	if (purpose == NULL || !lia_purpose_valid(purpose))
		return lia_usage_error("consent ask", "--purpose: 1 to 255 printable bytes");
	memcpy(req.u.consent_ask.grantee, to, strlen(to) + 1);
	memcpy(req.u.consent_ask.purpose, purpose, strlen(purpose) + 1);
	struct lia_client cl;
	int rc = lia_cmd_call("consent ask", profile, 0, &cl, &req, &rep, LIA_FRAME_CONSENT_LIST);
	if (rc == LIA_EXIT_OK && rep.u.consent_list.n == 1)
		print_consent(&rep.u.consent_list.v[0], cl.id.cert.subject, "", as_json);
	else if (rc == LIA_EXIT_OK)
		rc = lia_cmd_fail("consent ask", LIA_EXIT_FAIL, "unexpected answer from the broker");
	lia_agent_done(&cl, &rep);
	return rc;
}

static int consent_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"before", required_argument, NULL, O_AFTER},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	int as_json = 0, opt;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_CONSENT_QUERY, 0);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case O_PROFILE: profile = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_AFTER:
			if (lia_parse_u64(optarg, &req.u.consent_query.before) != 0 ||
			    req.u.consent_query.before == 0)
				return lia_usage_error("consent list", "--before: a request number");
			break;
		case O_HELP:
			puts("usage: " PROG " consent list [REQUEST] [--before N] --profile NAME [--json]\n"
			     "\n"
			     "Consent requests you made, and those about your messages that you must\n"
			     "answer (an auditor: all), newest first, 200 at most; --before N shows the\n"
			     "ones numbered below N (the next page). REQUEST shows only that one. A\n"
			     "granted request shows the SHA-256 of the originator's signed consent (as\n"
			     "in the ledger) and whether its signature verifies.");
			return LIA_EXIT_OK;
		default: return lia_usage_error("consent list", "invalid option");
		}
	}
	if (optind + 1 == argc) {
		if (lia_parse_u64(argv[optind], &req.u.consent_query.request) != 0 ||
		    req.u.consent_query.request == 0)
			return lia_usage_error("consent list", "REQUEST: a request number");
	} else if (optind != argc) {
		return lia_usage_error("consent list", "unexpected argument");
	}
	struct lia_client cl;
	int rc = lia_cmd_call("consent list", profile, 0, &cl, &req, &rep, LIA_FRAME_CONSENT_LIST);
	if (rc == LIA_EXIT_OK) {
		char err[LIA_ERR_MAX];
		bool have_dir = lia_client_directory(&cl, err) == 0;
		for (size_t i = 0; i < rep.u.consent_list.n; i++) {
			const struct lia_consent_request *c = &rep.u.consent_list.v[i];
			/* Check the originator's signature ourselves, against the
			 * certificate in the verified directory. */
			char check[LIA_ERR_MAX + 32] = "";
			if (c->consent_len > 0) {
				const struct lia_directory_entry *o =
					have_dir ? lia_directory_find(&cl.dir, c->originator) : NULL;
				struct lia_consent_grant g;
				if (o == NULL)
					snprintf(check, sizeof check, "not checked: %s is not in the directory",
						 c->originator);
				else if (lia_consent_verify(c->consent, c->consent_len, &o->cert, &g, err) != 0)
					snprintf(check, sizeof check, "INVALID: %s", err);
				else if (g.request != c->request || strcmp(g.grantee, c->grantee) != 0 ||
					 strcmp(g.requested_by, c->requested_by) != 0 ||
					 memcmp(g.message_id, c->message_id, LIA_ID_BYTES) != 0)
					snprintf(check, sizeof check, "INVALID: it consents to something else");
				else
					snprintf(check, sizeof check, "verified");
			}
			print_consent(c, cl.id.cert.subject, check, as_json);
		}
		if (!as_json && rep.u.consent_list.n == 0)
			puts("no consent requests");
	}
	lia_agent_done(&cl, &rep);
	return rc;
}

/* Fetch our own message back, recover its data key and wrap it for every
 * principal of the grantee that has no wrap yet. *out malloc'd. */
static int wrap_for_grantee(struct lia_client *cl, const struct lia_consent_request *c, uint8_t **out,
			    size_t *out_len, char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_FETCH, 0);
	memcpy(req.u.fetch.message_id, c->message_id, LIA_ID_BYTES);
	int rc = lia_client_call(cl, &req, &rep, err);
	if (rc != LIA_EXIT_OK)
		return -1;
	struct lia_opener *op = lia_opener_new(&cl->id.cert, cl->id.box);
	struct lia_sealer *sealer = lia_sealer_new(&cl->id.cert, cl->id.sign, cl->id.box);
	struct lia_opened o;
	memset(&o, 0, sizeof o);
	uint8_t *env = NULL;
	size_t env_len = 0;
	rc = -1;
	if (rep.type == LIA_FRAME_ERROR) {
		lia_errf(err, "the broker answered: %s: %.200s", lia_error_code_str(rep.u.error.code),
			 rep.u.error.detail);
		goto out;
	}
	if (rep.type != LIA_FRAME_DELIVER || op == NULL || sealer == NULL) {
		lia_errf(err, "unexpected answer from the broker");
		goto out;
	}
	enum lia_env_status st = lia_agent_open_delivered(cl, op, rep.u.deliver.envelope.p, rep.u.deliver.envelope.len,
						 cl->id.cert.subject, &o);
	if (st != LIA_ENV_OK) {
		lia_errf(err, "your own message failed verification: %s", lia_env_status_str(st));
		goto out;
	}
	env = malloc(rep.u.deliver.envelope.len);
	if (env == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	memcpy(env, rep.u.deliver.envelope.p, rep.u.deliver.envelope.len);
	env_len = rep.u.deliver.envelope.len;
	size_t wrapped = 0;
	for (size_t i = 0; i < cl->dir.n; i++) {
		const struct lia_cert *rc2 = &cl->dir.v[i].cert;
		if (rc2->kind != LIA_CERT_PRINCIPAL ||
		    (strcmp(rc2->subject, c->grantee) != 0 && strcmp(rc2->agency, c->grantee) != 0) ||
		    lia_cert_check(rc2, &cl->dir.crl, lia_now()) != LIA_CERT_OK)
			continue;
		/* The fetched copy carries only our own wrap, and the grantee is
		 * never our agency: every grantee principal gets one here. The
		 * broker keeps only the wraps of principals it lets through,
		 * never one a first-hand recipient already has. */
		wrapped++;
		uint8_t *next = NULL;
		size_t next_len = 0;
		if (lia_envelope_add_wrap(sealer, env, env_len, o.data_key, rc2, &next, &next_len, err) != 0)
			goto out;
		free(env);
		env = next;
		env_len = next_len;
	}
	if (wrapped == 0) {
		lia_errf(err, "the directory has no valid certificate of %s to wrap the message for", c->grantee);
		goto out;
	}
	*out = env;
	*out_len = env_len;
	env = NULL;
	rc = 0;
out:
	free(env);
	lia_opened_clear(&o);
	lia_sealer_destroy(&sealer);
	lia_opener_destroy(&op);
	lia_frame_clear(&rep);
	return rc;
}

static int consent_answer(int argc, char **argv, bool grant)
{
	const char *cmd = grant ? "consent grant" : "consent refuse";
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"reason", required_argument, NULL, O_PURPOSE},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL, *reason = NULL;
	int as_json = 0, c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_PURPOSE: reason = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_HELP:
			if (grant)
				puts("usage: " PROG " consent grant REQUEST --profile NAME [--reason TEXT] [--json]\n"
				     "\n"
				     "Grants a consent request about a message you originated: wraps the\n"
				     "message's key for each principal of the grantee, signs the consent, and the\n"
				     "broker discloses the message to them as far as the exchange policy allows\n"
				     "(prints how many received it and how many the policy still refused).\n"
				     "\n"
				     "example:\n"
				     "  " PROG " consent list --profile ventimiglia\n"
				     "  " PROG " consent grant 3 --profile ventimiglia");
			else
				puts("usage: " PROG " consent refuse REQUEST --reason TEXT --profile NAME [--json]\n"
				     "\n"
				     "Refuses a consent request about a message you originated; the requester\n"
				     "sees your reason. A refused request stays refused.\n"
				     "\n"
				     "example:\n"
				     "  " PROG " consent refuse 4 --reason \"source protection\" --profile ventimiglia");
			return LIA_EXIT_OK;
		default: return lia_usage_error(cmd, "invalid option");
		}
	}
	uint64_t number = 0;
	if (optind + 1 != argc || lia_parse_u64(argv[optind], &number) != 0 || number == 0)
		return lia_usage_error(cmd, "give one request number");
	if (!grant && (reason == NULL || !lia_purpose_valid(reason)))
		return lia_usage_error(cmd, "--reason: 1 to 255 printable bytes");
	if (reason != NULL && strlen(reason) >= LIA_PURPOSE_MAX)
		return lia_usage_error(cmd, "--reason: at most 255 bytes");
	struct lia_client cl;
	struct lia_frame req, rep;
	char err[LIA_ERR_MAX];
	uint8_t *consent = NULL, *env = NULL;
	size_t consent_len = 0, env_len = 0;
	memset(&rep, 0, sizeof rep);
	memset(&cl, 0, sizeof cl);
	int rc = lia_cmd_connect(&cl, cmd, profile, grant ? LIA_ID_SIGN | LIA_ID_BOX : 0, false, 0,
				 DEFAULT_TIMEOUT_MS);
	if (rc != LIA_EXIT_OK)
		return rc;
	/* The request as the broker holds it: that is what we sign. */
	lia_frame_init(&req, LIA_FRAME_CONSENT_QUERY, 0);
	req.u.consent_query.request = number;
	rc = lia_client_call(&cl, &req, &rep, err);
	if (rc != LIA_EXIT_OK) {
		rc = lia_cmd_fail(cmd, rc, err);
		goto out;
	}
	if (rep.type == LIA_FRAME_ERROR) {
		rc = lia_cmd_error_reply(cmd, &rep);
		goto out;
	}
	if (rep.type != LIA_FRAME_CONSENT_LIST || rep.u.consent_list.n != 1) {
		rc = lia_cmd_fail(cmd, LIA_EXIT_FAIL, "unexpected answer from the broker");
		goto out;
	}
	struct lia_consent_request asked = rep.u.consent_list.v[0];
	lia_frame_clear(&rep);
	if (strcmp(asked.originator, cl.id.cert.subject) != 0) {
		rc = lia_cmd_fail(cmd, LIA_EXIT_REFUSED, "only the message's originator answers a consent request");
		goto out;
	}
	lia_frame_init(&req, LIA_FRAME_CONSENT_ANSWER, 0);
	req.u.consent_answer.request = number;
	req.u.consent_answer.grant = grant;
	if (reason != NULL)
		memcpy(req.u.consent_answer.reason, reason, strlen(reason) + 1);
	if (grant) {
		struct lia_consent_grant g;
		memset(&g, 0, sizeof g);
		memcpy(g.message_id, asked.message_id, LIA_ID_BYTES);
		g.request = asked.request;
		memcpy(g.grantee, asked.grantee, LIA_NAME_MAX);
		memcpy(g.requested_by, asked.requested_by, LIA_NAME_MAX);
		memcpy(g.granted_by, cl.id.cert.subject, LIA_NAME_MAX);
		g.granted_at = lia_now();
		memcpy(g.purpose, asked.purpose, LIA_PURPOSE_MAX);
		if (lia_client_directory(&cl, err) != 0 || wrap_for_grantee(&cl, &asked, &env, &env_len, err) != 0 ||
		    lia_consent_sign(&g, cl.id.sign, &consent, &consent_len, err) != 0) {
			rc = lia_cmd_fail(cmd, LIA_EXIT_FAIL, err);
			goto out;
		}
		req.u.consent_answer.consent = (struct lia_bytes){consent, consent_len};
		req.u.consent_answer.envelope = (struct lia_bytes){env, env_len};
	}
	rc = lia_client_call(&cl, &req, &rep, err);
	if (rc != LIA_EXIT_OK)
		rc = lia_cmd_fail(cmd, rc, err);
	else if (rep.type == LIA_FRAME_ERROR)
		rc = lia_cmd_error_reply(cmd, &rep);
	else if (rep.type != LIA_FRAME_CONSENT_LIST || rep.u.consent_list.n != 1)
		rc = lia_cmd_fail(cmd, LIA_EXIT_FAIL, "unexpected answer from the broker");
	else
		print_consent(&rep.u.consent_list.v[0], cl.id.cert.subject, "", as_json);
out:
	free(consent);
	free(env);
	lia_agent_done(&cl, &rep);
	return rc;
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
	if (argc < 2) {
		fprintf(stderr, "%s\n", usage);
		return LIA_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		puts(usage);
		return LIA_EXIT_OK;
	}
	argc--, argv++;
	if (strcmp(sub, "ask") == 0)
		return consent_ask(argc, argv);
	if (strcmp(sub, "list") == 0)
		return consent_list(argc, argv);
	if (strcmp(sub, "grant") == 0)
		return consent_answer(argc, argv, true);
	if (strcmp(sub, "refuse") == 0)
		return consent_answer(argc, argv, false);
	return lia_usage_error("consent", "unknown subcommand (ask, list, grant, refuse)");
}
