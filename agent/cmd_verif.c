/*
 * cmd_verif.c — document verification (Protocol Art. 13): verification
 * request, answer, list; and how a request is shown (list, listen).
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "cmd_int.h"
#include "commands.h"
#include "compose.h"
#include "json.h"
#include "publish.h"
#include "verif.h"

enum {
	O_COUNTRY = 70, O_DOCTYPE, O_NUMBER, O_HOLDER, O_BIRTH, O_URGENCY, O_REASON,
	O_VERDICT, O_DETAILS, O_OPEN, O_OVERDUE, O_ANSWERED, O_BEFORE, O_ID,
};

json_t *lia_verif_json(const struct lia_verification *v)
{
	char idh[2 * LIA_ID_BYTES + 1], ah[2 * LIA_ID_BYTES + 1] = "";
	lia_id_hex(idh, v->request_id);
	if (v->has_answer)
		lia_id_hex(ah, v->answer_id);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:i, s:b}", "id", idh,
			 "state", lia_verif_state_str(v->state), "requester", v->requester, "office",
			 v->office, "issuing_state", v->issuing_state, "urgency",
			 lia_urgency_str(v->urgency), "requested_at", lia_json_time(v->requested_at),
			 "deadline", lia_json_time(v->deadline), "answered_at",
			 lia_json_time_opt(v->answered_at), "answered_by", v->answered_by, "answer_id",
			 ah, "answers", (int)v->answers, "late", v->late);
}

void lia_verif_print(const struct lia_verification *v, const char *lead)
{
	char idh[2 * LIA_ID_BYTES + 1], asked[32], due[32], at[32];
	lia_id_hex(idh, v->request_id);
	lia_time_format(v->requested_at, asked);
	lia_time_format(v->deadline, due);
	printf("%s%s  %-9s %-7s due %s  %s -> %s (document of %s, asked %s)\n", lead, idh,
	       lia_verif_state_str(v->state), lia_urgency_str(v->urgency), due, v->requester, v->office,
	       v->issuing_state, asked);
	if (v->answers > 0) {
		char ah[2 * LIA_ID_BYTES + 1];
		lia_id_hex(ah, v->answer_id);
		lia_time_format(v->answered_at, at);
		printf("    answered %s by %s%s (answer %s", at, v->answered_by, v->late ? ", late" : "", ah);
		if (v->answers > 1)
			printf(", a correction: %" PRIu32 " answers", v->answers);
		printf(")\n");
	} else if (v->state == LIA_VERIF_OVERDUE) {
		printf("    OVERDUE: no answer by %s\n", due);
	}
}

/* --- request --- */

struct request_args {
	struct lia_compose comp;
	const char *profile;
	int as_json;
	char country[3];
	const char *doctype;
};

static const struct lia_opt request_opts[] = {
	LIA_OPT_PROFILE,
	{"country", "CC", "the state that issued the document (ISO alpha-2): the\n"
			  "broker sends the request to its office", O_COUNTRY, LIA_OPT_REQUIRED},
	{"type", "TYPE", "passport, id-card, visa, residence-permit, travel-document,\n"
			 "other", O_DOCTYPE, 0},
	{"number", "NUMBER", "the document's number", O_NUMBER, 0},
	{"holder-name", "NAME", "the holder as the document names them (personal data:\n"
				"give --data-subject too)", O_HOLDER, 0},
	{"birth-date", "DATE", "the holder's date of birth (2001-04-30)", O_BIRTH, 0},
	{"urgency", "U", "urgent, normal (default) or routine: the policy's deadline", O_URGENCY, 0},
	{"reason", "TEXT", "why you ask (what you found at the check)", O_REASON, 0},
	LIA_OPT_JSON("print the request as JSON"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec request_spec = {
	PROG, "verification request", NULL,
	"Asks the state that issued a travel or identity document whether it is\n"
	"genuine (Protocol Art. 13). The broker sends the request to the office the\n"
	"exchange policy names for that state (refused at once if it names none),\n"
	"and keeps its deadline by its own clock: urgent, normal and routine have\n"
	"the policy's deadlines (by default 8 hours, 3 days, 7 days). The office is\n"
	"reminded as the deadline approaches and when it has passed; you are told\n"
	"when the answer arrives. The message options below apply (default --tlp\n"
	"AMBER); a holder's name or birth date is personal data, declared with\n"
	"--data-subject.",
	PROG " verification request --profile ventimiglia --country HR --type passport \\\n"
	"    --number 012345678 --holder-name \"Ivan Example\" --data-subject suspect \\\n"
	"    --urgency urgent --reason \"laminate lifts at the data page\"",
	request_opts, lia_compose_groups, 0, NULL,
};

static int request_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct request_args *a = ctx;
	enum lia_urgency u;
	const char *path = NULL;
	switch (id) {
	case O_COUNTRY:
		if (!lia_name_is_country(arg))
			return lia_errf(err, "--country \"%s\": an ISO alpha-2 code such as HR", arg);
		memcpy(a->country, arg, 3);
		path = "verification_request.issuing_state";
		break;
	case O_DOCTYPE: a->doctype = arg; path = "verification_request.type"; break;
	case O_NUMBER: path = "verification_request.number"; break;
	case O_HOLDER: path = "verification_request.holder_name"; break;
	case O_BIRTH: path = "verification_request.holder_birth_date"; break;
	case O_REASON: path = "verification_request.reason"; break;
	case O_URGENCY:
		if (lia_urgency_parse(arg, &u) != 0)
			return lia_errf(err, "--urgency \"%s\": urgent, normal or routine", arg);
		path = "verification_request.urgency";
		break;
	default:
		return lia_compose_option(&a->comp, id, arg, err) == 1 ? 0 : -1;
	}
	char e2[LIA_ERR_MAX];
	if (lia_compose_field(&a->comp, path, arg, e2) != 0)
		return lia_errf(err, "--%s: %s", id == O_BIRTH ? "birth-date" : "value", e2);
	return 0;
}

/* An AMBER request names its audience; left out, it is the agencies of
 * the issuing state in the directory, where its office normally is (the
 * broker refuses the request, naming the rule, if the office is not
 * among them: give --release-agency then). */
static int default_audience(struct lia_client *cl, struct lia_header *h, const char *country,
			    char err[static LIA_ERR_MAX])
{
	struct lia_restrictions *r = &h->restrictions;
	if ((r->tlp != LIA_TLP_AMBER && r->tlp != LIA_TLP_AMBER_STRICT) || r->release_agencies.n != 0 ||
	    r->release_principals.n != 0 || r->release_regions.n != 0)
		return LIA_EXIT_OK;
	if (lia_client_directory(cl, err) != 0)
		return LIA_EXIT_FAIL;
	for (size_t i = 0; i < cl->dir.n; i++) {
		const struct lia_cert *c = &cl->dir.v[i].cert;
		if (strcmp(c->country, country) == 0 && !lia_names_has(&r->release_agencies, c->agency) &&
		    lia_names_add(&r->release_agencies, c->agency) != 0)
			return lia_errf(err, "too many agencies of %s: give --release-agency", country),
			       LIA_EXIT_USAGE;
	}
	/* None: the broker says why (no office for that state, or the
	 * marking's missing audience). */
	return LIA_EXIT_OK;
}

static int verif_request(int argc, char **argv)
{
	const char *cmd = "verification request";
	struct request_args a;
	memset(&a, 0, sizeof a);
	lia_compose_init(&a.comp);
	a.comp.hdr.kind = LIA_KIND_VERIFICATION_REQUEST;
	struct lia_cli_common cm;
	int first;
	int rc = lia_cli_parse(&request_spec, argc, argv, &cm, request_option, &a, &first);
	char err[LIA_ERR_MAX];
	if (rc >= 0)
		goto out;
	if (first != argc) {
		rc = lia_cli_usage_error(&request_spec, "unexpected argument");
		goto out;
	}
	if (a.comp.hdr.kind != LIA_KIND_VERIFICATION_REQUEST) {
		rc = lia_usage_error(cmd, "--kind: a verification request is always of kind verification-request");
		goto out;
	}
	if (a.comp.hdr.restrictions.tlp == 0)
		a.comp.hdr.restrictions.tlp = LIA_TLP_AMBER;
	if (json_object_get(a.comp.body, "title") == NULL) { /* no --title: one is made */
		char title[96];
		snprintf(title, sizeof title, "Is this %s issued by %s genuine?",
			 a.doctype != NULL ? a.doctype : "document", a.country);
		for (char *p = title; *p != '\0'; p++)
			if (*p == '-')
				*p = ' '; /* residence-permit: residence permit */
		if (lia_compose_field(&a.comp, "title", title, err) != 0) {
			rc = lia_cmd_fail(cmd, LIA_EXIT_FAIL, err);
			goto out;
		}
	}
	uint8_t *body = NULL;
	size_t body_len = 0;
	if (lia_compose_finish(&a.comp, &body, &body_len, err) != 0) {
		rc = lia_usage_error(cmd, err);
		goto out;
	}
	struct lia_client cl;
	memset(&cl, 0, sizeof cl);
	rc = lia_cmd_connect(&cl, cmd, cm.profile, LIA_ID_SIGN | LIA_ID_BOX, false, 0, DEFAULT_TIMEOUT_MS);
	bool connected = rc == LIA_EXIT_OK; /* else lia_cmd_connect said why */
	struct lia_publish_result res;
	memset(&res, 0, sizeof res);
	struct lia_names to = {0};
	if (rc == LIA_EXIT_OK)
		rc = default_audience(&cl, &a.comp.hdr, a.country, err);
	if (rc == LIA_EXIT_OK)
		rc = lia_publish(&cl, &a.comp.hdr, body, body_len, NULL, 0, &to, &res, err);
	struct lia_verification v;
	if (rc == LIA_EXIT_OK && res.accepted &&
	    (rc = lia_verification_get(&cl, a.comp.hdr.id, &v, err)) == LIA_EXIT_OK) {
		if (cm.json) {
			lia_json_print(lia_verif_json(&v));
		} else {
			char due[32];
			lia_time_format(v.deadline, due);
			printf("requested %s: sent to %s, the office for documents of %s; answer due by %s "
			       "(%s)\n",
			       res.id_hex, v.office, v.issuing_state, due, lia_urgency_str(v.urgency));
		}
	} else if (rc != LIA_EXIT_OK && connected) {
		lia_cmd_fail(cmd, rc, err);
	}
	free(body);
	lia_agent_done(&cl, NULL);
out:
	lia_compose_clear(&a.comp);
	return rc;
}

/* --- answer --- */

static const struct lia_opt answer_opts[] = {
	LIA_OPT_PROFILE,
	{"verdict", "V", "genuine, false, altered, stolen-blank or unknown", O_VERDICT,
	 LIA_OPT_REQUIRED},
	{"details", "TEXT", "what the check found (shown to the requester)", O_DETAILS, 0},
	LIA_OPT_JSON("print the request, as answered, as JSON"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec answer_spec = {
	PROG, "verification answer", "ID",
	"Answers a verification request sent to you or your office. Only the office\n"
	"may answer (and, if the policy says so, its agency's liaison officers); the\n"
	"answer goes to the requester alone, with the request's TLP, handling codes\n"
	"and personal-data categories. Answering again corrects your earlier answer:\n"
	"the requester sees it as a correction.",
	PROG " verification answer 5f0c...e1 --verdict altered \\\n"
	"    --details \"photo substituted; the laminate is not ours\" --profile zagreb",
	answer_opts, NULL, 0, NULL,
};

static int answer_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	const char **vals = ctx;
	static const char *const verdicts[] = {"genuine", "false", "altered", "stolen-blank", "unknown", NULL};
	if (id == O_VERDICT) {
		size_t i = 0;
		while (verdicts[i] != NULL && strcmp(verdicts[i], arg) != 0)
			i++;
		if (verdicts[i] == NULL)
			return lia_errf(err, "--verdict \"%s\": genuine, false, altered, stolen-blank or unknown", arg);
		vals[0] = arg;
	} else {
		if (strlen(arg) > 4000)
			return lia_errf(err, "--details: at most 4000 bytes");
		vals[1] = arg;
	}
	return 0;
}

static int verif_answer(int argc, char **argv)
{
	const char *cmd = "verification answer";
	const char *vals[2] = {NULL, NULL};
	struct lia_cli_common cm;
	int first;
	int rc = lia_cli_parse(&answer_spec, argc, argv, &cm, answer_option, vals, &first);
	if (rc >= 0)
		return rc;
	uint8_t id[LIA_ID_BYTES];
	if (first + 1 != argc || lia_id_parse(id, argv[first]) != 0)
		return lia_usage_error(cmd, "give the request's id (32 hex digits)");
	char err[LIA_ERR_MAX];
	struct lia_client cl;
	memset(&cl, 0, sizeof cl);
	rc = lia_cmd_connect(&cl, cmd, cm.profile, LIA_ID_SIGN | LIA_ID_BOX, false, 0, DEFAULT_TIMEOUT_MS);
	bool connected = rc == LIA_EXIT_OK; /* else lia_cmd_connect said why */
	struct lia_verification was, now;
	memset(&was, 0, sizeof was);
	struct lia_publish_result res;
	memset(&res, 0, sizeof res);
	if (rc == LIA_EXIT_OK)
		rc = lia_verification_answer(&cl, id, vals[0], vals[1], &was, &res, err);
	if (rc == LIA_EXIT_OK && (rc = lia_verification_get(&cl, id, &now, err)) == LIA_EXIT_OK) {
		if (cm.json)
			lia_json_print(lia_verif_json(&now));
		else
			printf("%s %s with %s (%s), sent to %s%s\n",
			       was.answers > 0 ? "corrected the answer to" : "answered", argv[first],
			       res.id_hex, vals[0], now.requester, now.late ? "; after the deadline" : "");
	} else if (rc != LIA_EXIT_OK && connected) {
		lia_cmd_fail(cmd, rc, err);
	}
	lia_agent_done(&cl, NULL);
	return rc;
}

/* --- list --- */

struct list_args {
	enum lia_verif_state state;
	int64_t before;
	bool has_id;
	uint8_t id[LIA_ID_BYTES];
};

static const struct lia_opt list_opts[] = {
	LIA_OPT_PROFILE,
	{"open", NULL, "only requests waiting, deadline not passed", O_OPEN, 0},
	{"overdue", NULL, "only requests waiting past their deadline", O_OVERDUE, 0},
	{"answered", NULL, "only answered requests", O_ANSWERED, 0},
	{"id", "ID", "only that request", O_ID, 0},
	{"before", "TIME", "only requests made before TIME (paging)", O_BEFORE, 0},
	LIA_OPT_JSON("one JSON object per request"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec list_spec = {
	PROG, "verification list", NULL,
	"The verification requests you made and those you must answer (an auditor:\n"
	"all of them), newest first, 200 at most: state, urgency, deadline, who asked\n"
	"and which office must answer, and the answer when there is one. Both sides\n"
	"see an overdue request as overdue.",
	PROG " verification list --overdue --profile zagreb",
	list_opts, NULL, 0, NULL,
};

static int list_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct list_args *a = ctx;
	enum lia_verif_state s = id == O_OPEN ? LIA_VERIF_OPEN : id == O_OVERDUE ? LIA_VERIF_OVERDUE
								    : LIA_VERIF_ANSWERED;
	switch (id) {
	case O_OPEN:
	case O_OVERDUE:
	case O_ANSWERED:
		if (a->state != 0 && a->state != s)
			return lia_errf(err, "give one of --open, --overdue, --answered");
		a->state = s;
		return 0;
	case O_ID:
		if (lia_id_parse(a->id, arg) != 0)
			return lia_errf(err, "--id: a request id (32 hex digits)");
		a->has_id = true;
		return 0;
	case O_BEFORE:
		if (lia_time_parse(arg, &a->before) != 0)
			return lia_errf(err, "--before \"%s\": expected 2026-11-28T10:00:00Z", arg);
		return 0;
	default: return -1;
	}
}

static int verif_list(int argc, char **argv)
{
	const char *cmd = "verification list";
	struct list_args a;
	memset(&a, 0, sizeof a);
	struct lia_cli_common cm;
	int first;
	int rc = lia_cli_parse(&list_spec, argc, argv, &cm, list_option, &a, &first);
	if (rc >= 0)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&list_spec, "unexpected argument");
	struct lia_client cl;
	struct lia_frame rep;
	char err[LIA_ERR_MAX];
	rc = lia_verification_list(&cl, cm.profile, a.has_id ? a.id : NULL, a.state, a.before, &rep, err);
	if (rc != LIA_EXIT_OK) {
		lia_cmd_report(cmd, rc, err);
	} else {
		for (size_t i = 0; i < rep.u.verification_list.n; i++)
			if (cm.json)
				lia_json_print(lia_verif_json(&rep.u.verification_list.v[i]));
			else
				lia_verif_print(&rep.u.verification_list.v[i], "");
		if (!cm.json && rep.u.verification_list.n == 0)
			printf("no verification requests%s\n", a.state ? " in that state" : "");
	}
	lia_agent_done(&cl, &rep);
	return rc;
}

int lia_cmd_verification(int argc, char **argv)
{
	static const char usage[] =
		"usage: " PROG " verification request|answer|list ... --profile NAME\n"
		"\n"
		"Document verification (Smuggling of Migrants Protocol, Art. 13): ask the state\n"
		"that issued a travel or identity document whether it is genuine; its office\n"
		"answers by the policy's deadline. The broker keeps each request's state and\n"
		"deadline, reminds the office, and records request, answer and overdue in the\n"
		"ledger (never the document). 'listen' shows reminders and answers as they come.\n"
		"\n"
		"  request --country CC ...          ask; the broker sends it to CC's office\n"
		"  answer ID --verdict V             the office answers (again: a correction)\n"
		"  list [--open|--overdue|--answered]  your requests and those you must answer\n"
		"\n"
		"examples:\n"
		"  " PROG " verification request --country HR --type passport --number 012345678 \\\n"
		"      --urgency urgent --profile ventimiglia\n"
		"  " PROG " verification answer 5f0c...e1 --verdict genuine --profile zagreb\n"
		"  " PROG " verification list --overdue --profile zagreb\n"
		"Run '" PROG " verification request --help' (and so on) for each.";
	static const struct lia_subcmd subs[] = {
		{"request", verif_request},
		{"answer", verif_answer},
		{"list", verif_list},
		{NULL, NULL},
	};
	return lia_cmd_subcommands("verification", usage, subs, argc, argv);
}
