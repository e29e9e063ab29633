/*
 * cmd_publish.c — `liaison publish`, `send`, `reply`, `forward`, `erase`
 * and `recall`: options and printing; the work is publish.h's, quote.h's
 * and recall.h's.
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_int.h"
#include "compose.h"
#include "body.h"
#include "publish.h"
#include "quote.h"
#include "recall.h"
#include "receive.h"

/* What the options of publish and send ask for. */
struct publish_args {
	const char *cmd;
	const char *direct_to; /* send: the one recipient; NULL for publish */
	struct lia_compose comp;
	struct lia_names to;
	const char *profile, *envelope_file;
	int as_json, timeout_ms;
};

static const struct lia_opt publish_opts[] = {
	LIA_OPT_PROFILE,
	{"to", "PRINCIPAL", "address a principal directly (repeatable)", O_TO, 0},
	{"envelope", "FILE", "publish an envelope sealed earlier ('liaison seal') instead\n"
			     "of composing one; it must be yours", O_ENVELOPE, 0},
	LIA_OPT_JSON("print the acknowledgement as JSON"),
	{"timeout-ms", "N", "how long to wait for the broker (default 10000)", O_TIMEOUT, 0},
	LIA_OPT_END,
};

#define PUBLISH_EXAMPLES                                                                     \
	PROG " publish --profile ventimiglia --kind route --tlp AMBER --handling H2 \\\n"   \
	     "    --region MED-CENTRAL --title \"Night departures from Zuwara\" --set mode=sea\n" \
	PROG " send MT-AFM/valletta --profile ventimiglia --text \"call me on the secure line\""

static const struct lia_cmd_spec publish_spec = {
	PROG, "publish", NULL,
	"Seals a message and publishes it through the broker (--kind and --tlp are\n"
	"required unless --envelope is given). The data key is wrapped for every\n"
	"principal in the broker's directory whom the restrictions admit (and for\n"
	"yourself); the broker then decides, for every addressed principal and every\n"
	"matching feed subscriber, whether it may receive it, records each decision in\n"
	"the ledger, and acknowledges once all is durable.",
	PUBLISH_EXAMPLES, publish_opts, lia_compose_groups, 0, NULL,
};

static const struct lia_cmd_spec send_spec = {
	PROG, "send", "PRINCIPAL",
	"A direct message to one principal: by default a note (--text), TLP RED and\n"
	"releasable to that principal only. PRINCIPAL comes first.",
	PUBLISH_EXAMPLES, publish_opts, lia_compose_groups, 0, NULL,
};

/* publish's and send's own options; the message options go to compose. */
static int publish_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct publish_args *a = ctx;
	uint64_t u;
	switch (id) {
	case O_ENVELOPE: a->envelope_file = arg; return 0;
	case O_TIMEOUT:
		if (lia_parse_u64(arg, &u) != 0 || u < 100 || u > 600000)
			return lia_errf(err, "--timeout-ms: 100 to 600000");
		a->timeout_ms = (int)u;
		return 0;
	case O_TO:
		if (!lia_name_is_subject(arg) || lia_names_has(&a->to, arg) ||
		    lia_names_add(&a->to, arg) != 0)
			return lia_errf(err, "--to: a principal like MT-AFM/valletta, each once");
		return 0;
	default:
		return lia_compose_option(&a->comp, id, arg, err) == 1 ? 0 : -1;
	}
}

/* The option loop. Returns -1 to go on, or the exit status to return at
 * once (help printed, or a usage error). */
static int publish_options(struct publish_args *a, int argc, char **argv)
{
	const struct lia_cmd_spec *spec = a->direct_to != NULL ? &send_spec : &publish_spec;
	struct lia_cli_common common;
	int first;
	int rc = lia_cli_parse(spec, argc, argv, &common, publish_option, a, &first);
	if (rc >= 0)
		return rc;
	a->profile = common.profile;
	a->as_json = common.json;
	if (first != argc)
		return lia_cli_usage_error(spec, "unexpected argument");
	return -1;
}

static void print_result(const struct publish_args *a, const struct lia_publish_result *r)
{
	if (a->as_json)
		lia_json_print(json_pack("{s:s, s:b, s:b, s:I, s:i, s:i, s:s, s:s, s:s}", "id", r->id_hex,
				     "accepted", r->accepted, "duplicate", r->duplicate, "sequence",
				     (json_int_t)r->sequence, "disclosed", (int)r->disclosed,
				     "withheld", (int)r->withheld, "refusal",
				     r->accepted ? "" : lia_refusal_str(r->refusal), "rule", r->rule,
				     "reason", r->reason));
	else if (r->accepted)
		printf("published %s (sequence %" PRIu64 "): disclosed to %u, withheld from %u%s\n",
		       r->id_hex, r->sequence, r->disclosed, r->withheld,
		       r->duplicate ? " (already published)" : "");
}

/* An envelope sealed earlier (--envelope): its bytes and its id. */
static int read_envelope(struct publish_args *a, uint8_t **env, size_t *env_len)
{
	char err[LIA_ERR_MAX];
	struct lia_envelope *pre = NULL;
	if (lia_file_read(a->envelope_file, LIA_ENVELOPE_MAX, env, env_len, err) != 0)
		return lia_cmd_fail(a->cmd, LIA_EXIT_FAIL, err);
	if (lia_envelope_decode(&pre, *env, *env_len) != LIA_ENV_OK)
		return lia_cmd_fail(a->cmd, LIA_EXIT_FAIL, "the envelope file does not decode");
	memcpy(a->comp.hdr.id, lia_envelope_header(pre)->id, LIA_ID_BYTES);
	lia_envelope_destroy(&pre);
	return LIA_EXIT_OK;
}

/* Compose (or read) the message, connect, publish, print. */
static int publish_run(struct publish_args *a)
{
	char err[LIA_ERR_MAX];
	uint8_t *body = NULL, *env = NULL;
	size_t body_len = 0, env_len = 0;
	struct lia_client cl;
	memset(&cl, 0, sizeof cl);
	int rc;
	if (a->envelope_file != NULL)
		rc = read_envelope(a, &env, &env_len);
	else if (lia_compose_finish(&a->comp, &body, &body_len, err) != 0)
		rc = lia_usage_error(a->cmd, err);
	else
		rc = LIA_EXIT_OK;
	if (rc == LIA_EXIT_OK)
		rc = lia_cmd_connect(&cl, a->cmd, a->profile, LIA_ID_SIGN | LIA_ID_BOX, false, 0,
				     a->timeout_ms);
	if (rc == LIA_EXIT_OK) {
		struct lia_publish_result res;
		rc = lia_publish(&cl, &a->comp.hdr, body, body_len, env, env_len, &a->to, &res, err);
		if (res.answered)
			print_result(a, &res);
		if (rc != LIA_EXIT_OK && !(res.answered && a->as_json))
			lia_cmd_fail(a->cmd, rc, err);
	}
	free(env);
	free(body);
	lia_agent_done(&cl, NULL);
	return rc;
}

static int publish_common(const char *cmd, int argc, char **argv, const char *direct_to)
{
	struct publish_args a = {.cmd = cmd, .direct_to = direct_to,
				 .timeout_ms = DEFAULT_TIMEOUT_MS};
	lia_compose_init(&a.comp);
	int rc = -1;
	if (direct_to != NULL) {
		if (!lia_name_is_subject(direct_to) || lia_names_add(&a.to, direct_to) != 0)
			rc = lia_usage_error(cmd, "the recipient must be a principal like MT-AFM/valletta");
		a.comp.hdr.kind = LIA_KIND_NOTE;
		a.comp.hdr.restrictions.tlp = LIA_TLP_RED;
	}
	if (rc < 0)
		rc = publish_options(&a, argc, argv);
	struct lia_restrictions *r = &a.comp.hdr.restrictions;
	if (rc < 0 && direct_to != NULL && r->release_principals.n == 0 && r->tlp == LIA_TLP_RED &&
	    lia_names_add(&r->release_principals, direct_to) != 0)
		rc = LIA_EXIT_FAIL;
	if (rc < 0)
		rc = publish_run(&a);
	lia_compose_clear(&a.comp);
	return rc;
}

int lia_cmd_publish(int argc, char **argv)
{
	return publish_common("publish", argc, argv, NULL);
}

int lia_cmd_send(int argc, char **argv)
{
	if (argc >= 2 && argv[1][0] != '-') {
		const char *to = argv[1];
		argv[1] = argv[0];
		return publish_common("send", argc - 1, argv + 1, to);
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			lia_cli_usage(&send_spec, stdout);
			return LIA_EXIT_OK;
		}
	return lia_usage_error("send", "name the recipient first: send PRINCIPAL --profile NAME ...");
}

/* --- erasure on demand --- */

static const struct lia_opt erase_opts[] = {
	LIA_OPT_PROFILE,
	{"reason", "TEXT", "why (1 to 255 bytes; goes into the ledger)", O_PURPOSE, LIA_OPT_REQUIRED},
	LIA_OPT_END,
};

static const struct lia_cmd_spec erase_spec = {
	PROG, "erase", "ID",
	"Erases a message you published, now, before its expiry (rectification and\n"
	"erasure of personal data, Directive 2016/680 Art. 16). The broker deletes its\n"
	"ciphertext and records the erasure with your reason; every principal that\n"
	"received it is sent an erase notice until its agent confirms the purge\n"
	"('listen' shows it), and each confirmation is recorded. A verification\n"
	"request erased so is withdrawn. Erasing again is harmless.",
	PROG " erase 5f0c...e1 --reason \"wrong person identified\" --profile ventimiglia",
	erase_opts, NULL, 0, NULL,
};

static int erase_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	(void)id;
	if (!lia_purpose_valid(arg))
		return lia_errf(err, "--reason: 1 to %d printable bytes", LIA_PURPOSE_MAX - 1);
	*(const char **)ctx = arg;
	return 0;
}

int lia_cmd_erase(int argc, char **argv)
{
	const char *reason = NULL;
	struct lia_cli_common cm;
	int first;
	int rc = lia_cli_parse(&erase_spec, argc, argv, &cm, erase_option, &reason, &first);
	if (rc >= 0)
		return rc;
	uint8_t id[LIA_ID_BYTES];
	if (first + 1 != argc || lia_id_parse(id, argv[first]) != 0)
		return lia_usage_error("erase", "give the message's id (32 hex digits)");
	struct lia_client cl;
	char err[LIA_ERR_MAX];
	rc = lia_publish_erase(&cl, cm.profile, id, reason, err);
	if (rc == LIA_EXIT_OK)
		printf("erased %s: its recipients are told to purge their copies\n", argv[first]);
	else
		lia_cmd_report("erase", rc, err);
	lia_agent_done(&cl, NULL);
	return rc;
}

/* --- recall --- */

static const struct lia_opt recall_opts[] = {
	LIA_OPT_PROFILE,
	{"reason", "TEXT", "why (1 to 255 bytes; every holder is shown it)", O_PURPOSE, LIA_OPT_REQUIRED},
	{"erase", NULL, "also erase it now: holders purge their copies ('erase')", O_ERASE, 0},
	LIA_OPT_JSON("print the result as JSON"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec recall_spec = {
	PROG, "recall", "ID",
	"Recalls a message you published (or, if the policy says so, one of your\n"
	"agency's, as its liaison officer): a signed recall with your reason goes to\n"
	"every principal that received it, until each agent confirms it (recorded in\n"
	"the ledger). Their 'read' and 'inbox' then show it as recalled. With --erase\n"
	"the message is also erased, as 'erase' does (your own messages only). To\n"
	"correct a message instead, publish the corrected one with --supersedes ID: it\n"
	"goes to the same holders, who see the original as superseded. A message is\n"
	"recalled or corrected once; correct the correction, not the original.",
	PROG " recall 5f0c...e1 --reason \"wrong vessel named\" --erase --profile ventimiglia",
	recall_opts, NULL, 0, NULL,
};

struct recall_args {
	const char *reason;
	bool erase;
};

static int recall_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct recall_args *a = ctx;
	if (id == O_ERASE) {
		a->erase = true;
		return 0;
	}
	return erase_option(&a->reason, id, arg, err);
}

int lia_cmd_recall(int argc, char **argv)
{
	struct recall_args ra = {0};
	struct lia_cli_common cm;
	int first;
	int rc = lia_cli_parse(&recall_spec, argc, argv, &cm, recall_option, &ra, &first);
	if (rc >= 0)
		return rc;
	uint8_t id[LIA_ID_BYTES];
	if (first + 1 != argc || lia_id_parse(id, argv[first]) != 0)
		return lia_usage_error("recall", "give the message's id (32 hex digits)");
	struct lia_client cl;
	memset(&cl, 0, sizeof cl);
	char err[LIA_ERR_MAX];
	rc = lia_cmd_connect(&cl, "recall", cm.profile, LIA_ID_SIGN | LIA_ID_BOX, false, 0, DEFAULT_TIMEOUT_MS);
	if (rc != LIA_EXIT_OK)
		return rc;
	struct lia_publish_result res;
	rc = lia_recall_send(&cl, id, ra.reason, &res, err);
	bool erased = false;
	if (rc == LIA_EXIT_OK && ra.erase) {
		/* On the same connection: the erase names the message the
		 * recall just superseded. */
		struct lia_frame req, rep;
		lia_frame_init(&req, LIA_FRAME_ERASE_REQUEST, 0);
		memcpy(req.u.erase_request.message_id, id, LIA_ID_BYTES);
		snprintf(req.u.erase_request.reason, sizeof req.u.erase_request.reason, "%s", ra.reason);
		rc = lia_agent_ask(&cl, &req, &rep, LIA_FRAME_OK, err);
		lia_frame_clear(&rep);
		erased = rc == LIA_EXIT_OK;
	}
	if (res.accepted && cm.json)
		lia_json_print(json_pack("{s:s, s:s, s:i, s:i, s:b}", "id", argv[first], "recall", res.id_hex,
					 "notified", (int)res.disclosed, "withheld", (int)res.withheld, "erased",
					 erased));
	else if (res.accepted)
		printf("recalled %s with %s: notified %u holder%s, withheld from %u%s\n", argv[first],
		       res.id_hex, res.disclosed, res.disclosed == 1 ? "" : "s", res.withheld,
		       erased ? "; erased: holders are told to purge their copies" : "");
	if (rc != LIA_EXIT_OK)
		lia_cmd_fail("recall", rc, err);
	lia_agent_done(&cl, NULL);
	return rc;
}

/* --- reply and forward --- */

static const struct lia_cmd_spec reply_spec = {
	PROG, "reply", "ID",
	"Replies to a message delivered to you (or one of yours): by default a note\n"
	"(--text) to its originator (and to --to), titled \"Re: ...\". The reply carries\n"
	"the combined marking of what it answers: the most restrictive TLP, every\n"
	"handling code, the narrowest audience (the originator always in it), the\n"
	"earliest expiry, and the personal-data categories of both. Marking options\n"
	"given here can only narrow it. The broker refuses a reply that is less\n"
	"restricted than the message it names (rule quote.marking), and withholds it\n"
	"from anyone the quoted message's own rules refuse.",
	PROG " reply 5f0c...e1 --text \"confirmed: the boat left at 02:10\" --profile roma",
	publish_opts, lia_compose_groups, 0, NULL,
};

/* Connect, and fetch and verify the message quoted. */
static int quote_open(struct publish_args *a, struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
		      struct lia_opened *x)
{
	char err[LIA_ERR_MAX];
	memset(x, 0, sizeof *x);
	int rc = lia_cmd_connect(cl, a->cmd, a->profile, LIA_ID_SIGN | LIA_ID_BOX, false, 0, a->timeout_ms);
	if (rc == LIA_EXIT_OK && (rc = lia_receive_fetch(cl, id, x, err)) != LIA_EXIT_OK)
		lia_cmd_fail(a->cmd, rc, err);
	return rc;
}

static int reply_run(struct publish_args *a, const uint8_t id[static LIA_ID_BYTES])
{
	char err[LIA_ERR_MAX];
	struct lia_client cl;
	memset(&cl, 0, sizeof cl);
	struct lia_opened x;
	uint8_t *body = NULL;
	size_t body_len = 0;
	int rc = quote_open(a, &cl, id, &x);
	if (rc != LIA_EXIT_OK)
		goto out;
	struct lia_compose *c = &a->comp;
	if (c->hdr.kind == 0)
		c->hdr.kind = LIA_KIND_NOTE;
	if (c->body_file == NULL && json_object_get(c->body, "title") == NULL) {
		char title[120], re[sizeof title + 4];
		lia_body_title(x.body, x.body_len, title, sizeof title);
		snprintf(re, sizeof re, "Re: %s", title[0] ? title : lia_kind_str(x.header.kind));
		if (lia_compose_field(c, "title", re, err) != 0) {
			rc = lia_cmd_fail(a->cmd, LIA_EXIT_USAGE, err);
			goto out;
		}
	}
	/* Back to its originator, unless that is us. */
	if (strcmp(x.header.originator, cl.id.cert.subject) != 0 && !lia_names_has(&a->to, x.header.originator) &&
	    lia_names_add(&a->to, x.header.originator) != 0) {
		rc = lia_cmd_fail(a->cmd, LIA_EXIT_USAGE, "too many --to");
		goto out;
	}
	if ((rc = lia_quote_header(&c->hdr, &x.header, err)) != LIA_EXIT_OK ||
	    (lia_compose_finish(c, &body, &body_len, err) != 0 && (rc = LIA_EXIT_USAGE) != 0)) {
		lia_usage_error(a->cmd, err);
		goto out;
	}
	struct lia_publish_result res;
	rc = lia_publish(&cl, &c->hdr, body, body_len, NULL, 0, &a->to, &res, err);
	if (res.answered)
		print_result(a, &res);
	if (rc != LIA_EXIT_OK && !(res.answered && a->as_json))
		lia_cmd_fail(a->cmd, rc, err);
out:
	free(body);
	lia_opened_clear(&x);
	lia_agent_done(&cl, NULL);
	return rc;
}

int lia_cmd_reply(int argc, char **argv)
{
	struct publish_args a = {.cmd = "reply", .timeout_ms = DEFAULT_TIMEOUT_MS};
	lia_compose_init(&a.comp);
	struct lia_cli_common cm;
	int first;
	uint8_t id[LIA_ID_BYTES];
	int rc = lia_cli_parse(&reply_spec, argc, argv, &cm, publish_option, &a, &first);
	if (rc < 0 && (first + 1 != argc || lia_id_parse(id, argv[first]) != 0))
		rc = lia_usage_error("reply", "give the id of the message you reply to (32 hex digits)");
	if (rc < 0 && a.envelope_file != NULL)
		rc = lia_usage_error("reply", "--envelope: a reply is composed here");
	if (rc < 0) {
		a.profile = cm.profile;
		a.as_json = cm.json;
		rc = reply_run(&a, id);
	}
	lia_compose_clear(&a.comp);
	return rc;
}

static const struct lia_opt forward_opts[] = {
	LIA_OPT_PROFILE,
	{"to", "PRINCIPAL", "the principal to forward it to (repeatable; at least one)", O_TO,
	 LIA_OPT_REQUIRED},
	LIA_OPT_JSON("print the acknowledgement as JSON"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec forward_spec = {
	PROG, "forward", "ID",
	"Forwards a message delivered to you, as it is and under its own marking, to\n"
	"the principals named with --to; you sign the forward, which names the original.\n"
	"The broker applies the original's onward rules: a forward of an H2 or TLP:RED\n"
	"message to someone its originator has not consented to, or outside its\n"
	"audience, is refused with the rule that refuses it (ask with 'consent ask').",
	PROG " forward 5f0c...e1 --to MT-AFM/valletta --profile roma",
	forward_opts, NULL, 0, NULL,
};

int lia_cmd_forward(int argc, char **argv)
{
	struct publish_args a = {.cmd = "forward", .timeout_ms = DEFAULT_TIMEOUT_MS};
	struct lia_cli_common cm;
	int first;
	uint8_t id[LIA_ID_BYTES];
	int rc = lia_cli_parse(&forward_spec, argc, argv, &cm, publish_option, &a, &first);
	if (rc >= 0)
		return rc;
	if (first + 1 != argc || lia_id_parse(id, argv[first]) != 0)
		return lia_usage_error("forward", "give the id of the message to forward (32 hex digits)");
	a.profile = cm.profile;
	a.as_json = cm.json;
	char err[LIA_ERR_MAX];
	struct lia_client cl;
	memset(&cl, 0, sizeof cl);
	rc = lia_cmd_connect(&cl, a.cmd, a.profile, LIA_ID_SIGN | LIA_ID_BOX, false, 0, a.timeout_ms);
	if (rc == LIA_EXIT_OK) {
		struct lia_publish_result res;
		rc = lia_forward(&cl, id, &a.to, &res, err);
		if (res.answered)
			print_result(&a, &res);
		if (rc != LIA_EXIT_OK && !(res.answered && a.as_json))
			lia_cmd_fail(a.cmd, rc, err);
	}
	lia_agent_done(&cl, NULL);
	return rc;
}
