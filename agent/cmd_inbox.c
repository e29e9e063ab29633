/*
 * cmd_inbox.c — receiving: listen (deliveries as they come), inbox (what
 * is waiting), read (one message) and thread (a message with its replies
 * and forwards).
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
#include "receive.h"
#include "recall.h"

/* --- receiving: listen, inbox, read --- */

static void print_delivery(const struct lia_opened *o, uint64_t seq, const char *via, bool repeat,
			   int as_json)
{
	json_t *body = lia_body_to_json(o->body, o->body_len);
	char revoked[32] = "";
	if (o->originator_revoked_at != 0)
		lia_time_format(o->originator_revoked_at, revoked);
	if (as_json) {
		json_t *h = lia_header_to_json(&o->header);
		if (revoked[0])
			json_object_set_new(h, "originator_revoked_at", json_string(revoked));
		json_t *j = json_pack("{s:s, s:I, s:s, s:o, s:o}", "event", "message", "sequence",
				      (json_int_t)seq, "via", via, "header", h, "body", body ? body : json_null());
		if (repeat)
			json_object_set_new(j, "repeat", json_true());
		lia_json_print(j);
		return;
	}
	char idh[2 * LIA_ID_BYTES + 1], title[LIA_RECALL_REASON_MAX + 64];
	lia_id_hex(idh, o->header.id);
	lia_body_title(o->body, o->body_len, title, sizeof title);
	/* A recall says what it recalls and why; a correction what it corrects. */
	if (o->header.has_supersedes && o->header.kind != LIA_KIND_VERIFICATION_ANSWER) {
		char sh[2 * LIA_ID_BYTES + 1], was[128];
		lia_id_hex(sh, o->header.supersedes);
		json_t *r = json_object_get(json_object_get(body, "recall"), "reason");
		size_t wn = strnlen(title, sizeof was - 1);
		memcpy(was, title, wn);
		was[wn] = '\0';
		if (o->header.kind == LIA_KIND_RECALL)
			snprintf(title, sizeof title, "RECALLS %s: %s", sh, r ? json_string_value(r) : "");
		else
			snprintf(title, sizeof title, "%s  [corrects %s]", was[0] ? was : "(no title)", sh);
	}
	/* The title is the originator's text: no terminal control codes. */
	for (char *t = title; *t != '\0'; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			*t = '?';
	printf("%s  TLP:%-12s %-12s from %-24s via %-12s %s%s%s%s%s\n", idh,
	       lia_tlp_str(o->header.restrictions.tlp), lia_kind_str(o->header.kind), o->header.originator,
	       via, title[0] ? title : "(no title)", revoked[0] ? "  [signed by a key revoked at " : "",
	       revoked, revoked[0] ? "]" : "", repeat ? "  [repeat: may have been shown before]" : "");
	json_decref(body);
}

static void print_refused(const struct lia_event *ev, int as_json)
{
	if (as_json)
		lia_json_print(json_pack("{s:s, s:I, s:s, s:s}", "event", "refused", "sequence",
				     (json_int_t)ev->sequence, "from", ev->originator, "reason",
				     lia_env_status_str(ev->status)));
	else
		fprintf(stderr, "delivery %" PRIu64 " from %s failed verification: %s\n", ev->sequence,
			ev->originator, lia_env_status_str(ev->status));
}

static void print_erase(const struct lia_event *ev, int as_json)
{
	char idh[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idh, ev->message_id);
	if (as_json) {
		lia_json_print(json_pack("{s:s, s:s, s:I, s:I, s:b, s:o}", "event", "erase", "id", idh,
					 "expired_at", (json_int_t)ev->expired_at, "sequence",
					 (json_int_t)ev->sequence, "on_demand", ev->on_demand, "erased_at",
					 lia_json_time_opt(ev->erased_at)));
	} else if (ev->on_demand) {
		char at[32];
		lia_time_format(ev->erased_at, at);
		printf("%s  ERASE: its originator erased the message at %s; purge every copy of it\n",
		       idh, at);
	} else {
		printf("%s  ERASE: the message expired; purge every copy of it\n", idh);
	}
}

/* A request about our message, or the answer to ours. */
static void print_consent_event(const struct lia_consent_request *cr, int as_json)
{
	char idh[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idh, cr->message_id);
	if (as_json)
		lia_json_print(json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "event", "consent",
					 "request", (json_int_t)cr->request, "state",
					 lia_consent_state_str(cr->state), "id", idh, "requested_by",
					 cr->requested_by, "grantee", cr->grantee, "purpose", cr->purpose,
					 "reason", cr->reason));
	else if (cr->state == LIA_CONSENT_PENDING)
		printf("%s  CONSENT REQUEST %" PRIu64 ": %s asks to pass it to %s: \"%s\"\n"
		       "    answer: " PROG " consent grant %" PRIu64 "  or  " PROG
		       " consent refuse %" PRIu64 " --reason TEXT\n",
		       idh, cr->request, cr->requested_by, cr->grantee, cr->purpose, cr->request,
		       cr->request);
	else
		printf("%s  CONSENT %s for %s (request %" PRIu64 ")%s%s%s\n", idh,
		       cr->state == LIA_CONSENT_GRANTED ? "GRANTED" : "REFUSED", cr->grantee,
		       cr->request, cr->reason[0] ? ": \"" : "", cr->reason, cr->reason[0] ? "\"" : "");
}

/* Verification requests due soon or overdue (to the office), or an
 * answer that arrived (to the requester). */
static void print_verification_event(const struct lia_event *ev, int as_json)
{
	static const char *const label[] = {
		[LIA_VERIF_NOTICE_DUE_SOON] = "VERIFICATION DUE SOON",
		[LIA_VERIF_NOTICE_OVERDUE] = "VERIFICATION OVERDUE",
		[LIA_VERIF_NOTICE_ANSWERED] = "VERIFICATION ANSWERED",
	};
	for (size_t i = 0; i < ev->n_verif; i++) {
		const struct lia_verification *v = &ev->verif[i];
		if (as_json) {
			json_t *j = lia_verif_json(v);
			if (j != NULL) {
				json_object_set_new(j, "event", json_string("verification"));
				json_object_set_new(j, "notice", json_string(lia_verif_notice_str(ev->notice)));
			}
			lia_json_print(j);
			continue;
		}
		char lead[64];
		snprintf(lead, sizeof lead, "%s: ", label[ev->notice]);
		lia_verif_print(v, lead);
		if (ev->notice != LIA_VERIF_NOTICE_ANSWERED) {
			char idh[2 * LIA_ID_BYTES + 1];
			lia_id_hex(idh, v->request_id);
			printf("    answer: " PROG " verification answer %s --verdict V\n", idh);
		} else if (v->has_answer) {
			char ah[2 * LIA_ID_BYTES + 1];
			lia_id_hex(ah, v->answer_id);
			printf("    read it: " PROG " read %s\n", ah);
		}
	}
}

/* Show events until count messages, timeout_s of silence, or an error. */
static int listen_loop(struct lia_listener *l, const struct lia_client *cl, uint64_t count,
		       uint64_t timeout_s, int as_json)
{
	char err[LIA_ERR_MAX];
	uint64_t got = 0;
	time_t last = time(NULL);
	while (count == 0 || got < count) {
		struct lia_event ev;
		int rc = lia_listener_next(l, &ev, 1000, err);
		if (rc != LIA_EXIT_OK)
			return lia_cmd_fail("listen", rc, err);
		time_t now = time(NULL);
		if (ev.kind == LIA_EVENT_NONE || ev.kind == LIA_EVENT_OTHER ||
		    ev.kind == LIA_EVENT_RECONNECTED) {
			/* Only what is shown ends the silence: the pongs of the
			 * keep-alive ping every 10 s, a redelivery of what was
			 * shown, a renewed session do not (issue 12, item 2). */
			if (ev.kind == LIA_EVENT_RECONNECTED)
				fprintf(stderr, PROG " listen: broker restarted or connection lost; "
						"reconnected (session %u)\n", ev.session);
			if (ev.kind != LIA_EVENT_NONE)
				lia_listener_done(l, &ev);
			/* Silence while the broker is away is not the broker's
			 * silence: messages may be waiting there (issue 12). */
			if (timeout_s != 0 && (uint64_t)(now - last) >= timeout_s && lia_client_away(cl, err))
				return lia_cmd_fail("listen", LIA_EXIT_UNREACHABLE, err);
			if (timeout_s != 0 && (uint64_t)(now - last) >= timeout_s)
				break;
			continue;
		}
		last = now;
		switch (ev.kind) {
		case LIA_EVENT_MESSAGE:
			print_delivery(&ev.opened, ev.sequence, ev.via, ev.repeat, as_json);
			got++;
			break;
		case LIA_EVENT_REFUSED: print_refused(&ev, as_json); break;
		case LIA_EVENT_ERASE: print_erase(&ev, as_json); break;
		case LIA_EVENT_CONSENT: print_consent_event(ev.consent, as_json); break;
		case LIA_EVENT_VERIFICATION: print_verification_event(&ev, as_json); break;
		default: break;
		}
		/* Shown means written out: only then is it recorded as shown and
		 * acknowledged. An output that fails ends listen unacknowledged,
		 * so the broker delivers it again. */
		if (fflush(stdout) != 0 || ferror(stdout)) {
			lia_errf(err, "cannot write to the standard output (%s): the event is not "
				      "acknowledged and will be delivered again", strerror(errno));
			lia_opened_clear(&ev.opened);
			lia_frame_clear(&ev.frame);
			return lia_cmd_fail("listen", LIA_EXIT_FAIL, err);
		}
		if (ev.kind == LIA_EVENT_MESSAGE && lia_receive_hook != NULL)
			lia_receive_hook("output");
		lia_listener_done(l, &ev);
	}
	return LIA_EXIT_OK;
}

static const struct lia_opt listen_opts[] = {
	LIA_OPT_PROFILE,
	{"count", "N", "stop after N messages", O_COUNT, 0},
	{"timeout", "SECONDS", "stop after SECONDS of silence", O_WAIT, 0},
	LIA_OPT_JSON("one JSON object per event"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec listen_spec = {
	PROG, "listen", NULL,
	"Receives your deliveries (addressed messages and feed matches) as they come,\n"
	"first everything waiting for you, in the order the broker committed it. Each\n"
	"is verified and decrypted, printed one line each (--json: one object each),\n"
	"then acknowledged: only once its line is written out. A message delivered again\n"
	"(after a reconnect) is not shown again; one that listen was stopped in the\n"
	"middle of showing (killed, or blocked on its output) is shown again, marked as\n"
	"a repeat (--json: \"repeat\": true). KEYS/shown records what was shown.\n"
	"Also shown: erase notices (a message expired: purge it; confirmed to the\n"
	"broker), consent requests about your messages, and answers to yours.\n"
	"Stops after N messages or SECONDS without anything shown (exit 0), or Ctrl-C.\n"
	"When the broker restarts, listen opens a new session, says so on stderr and goes\n"
	"on; one away longer than SECONDS (default 300) ends it with exit 5.",
	PROG " listen --profile analysis --count 10 --timeout 30",
	listen_opts, NULL, 0, NULL,
};

struct listen_args {
	uint64_t count, timeout_s;
};

static int listen_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct listen_args *a = ctx;
	if (id == O_COUNT) {
		if (lia_parse_u64(arg, &a->count) != 0 || a->count == 0)
			return lia_errf(err, "--count: a positive number");
		return 0;
	}
	if (lia_parse_u64(arg, &a->timeout_s) != 0 || a->timeout_s == 0 ||
	    a->timeout_s > 86400 * 365)
		return lia_errf(err, "--timeout: seconds, positive");
	return 0;
}

int lia_cmd_listen(int argc, char **argv)
{
	struct listen_args la = {0};
	struct lia_cli_common cm;
	int first;
	int done = lia_cli_parse(&listen_spec, argc, argv, &cm, listen_option, &la, &first);
	if (done >= 0)
		return done;
	if (first != argc)
		return lia_usage_error("listen", "unexpected argument");
	const char *profile = cm.profile;
	int as_json = cm.json;
	uint64_t count = la.count, timeout_s = la.timeout_s;
	struct lia_client cl;
	int rc = lia_cmd_connect(&cl, "listen", profile, LIA_ID_BOX, true, 64, DEFAULT_TIMEOUT_MS);
	if (rc != LIA_EXIT_OK)
		return rc;
	char err[LIA_ERR_MAX];
	struct lia_listener *l = lia_listener_new(&cl, err);
	if (l == NULL) {
		lia_client_close(&cl);
		return lia_cmd_fail("listen", LIA_EXIT_FAIL, err);
	}
	if (lia_listener_warning(l)[0] != '\0')
		fprintf(stderr, PROG " listen: %s\n", lia_listener_warning(l));
	if (!as_json)
		fprintf(stderr, "listening as %s (%" PRIu64 " waiting)\n", cl.id.cert.subject,
			cl.welcome.u.welcome.pending);
	/* A broker away for longer than the silence asked for is reported
	 * as away, not as silence (lia_client_keep). */
	cl.away_max_ms = timeout_s == 0 ? 0 : timeout_s >= INT_MAX / 1000 ? INT_MAX : (int)timeout_s * 1000;
	rc = listen_loop(l, &cl, count, timeout_s, as_json);
	lia_listener_destroy(&l);
	lia_client_close(&cl);
	return rc;
}

/* What the broker says superseded a message: the text ("recalled at T
 * by X: reason", "superseded by ID ...") and its JSON, the recall's
 * reason read from the recall itself on cl. */
static json_t *superseded_show(struct lia_client *cl, const struct lia_supersession *sp, char *text,
			       size_t cap)
{
	text[0] = '\0';
	if (!sp->present)
		return NULL;
	char reason[LIA_RECALL_REASON_MAX], err[LIA_ERR_MAX], by[2 * LIA_ID_BYTES + 1], at[32];
	bool have = sp->recall && lia_recall_reason(cl, sp->by, reason, sizeof reason, err) == LIA_EXIT_OK;
	lia_supersession_text(sp, have ? reason : NULL, text, cap);
	lia_id_hex(by, sp->by);
	lia_time_format(sp->at, at);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "how", sp->recall ? "recalled" : "corrected", "by", by,
			      "at", at, "actor", sp->actor);
	if (j != NULL && have)
		json_object_set_new(j, "reason", json_string(reason));
	return j;
}

static const struct lia_opt inbox_opts[] = {
	LIA_OPT_PROFILE,
	{"after", "N", "only deliveries numbered above N", O_AFTER, 0},
	{"limit", "N", "at most N entries (1 to 1000, default 100)", O_LIMIT, 0},
	LIA_OPT_JSON("one JSON object per delivery"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec inbox_spec = {
	PROG, "inbox", NULL,
	"Lists what was delivered to you: delivery number, message id, originator, kind,\n"
	"and whether you acknowledged it. Read one with '" PROG " read ID'.",
	NULL, inbox_opts, NULL, 0, NULL,
};

struct inbox_args {
	uint64_t after, limit;
};

static int inbox_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct inbox_args *a = ctx;
	if (id == O_AFTER) {
		if (lia_parse_u64(arg, &a->after) != 0)
			return lia_errf(err, "--after: a delivery number");
		return 0;
	}
	if (lia_parse_u64(arg, &a->limit) != 0 || a->limit == 0 || a->limit > LIA_LIST_REPLY_MAX)
		return lia_errf(err, "--limit: 1 to 1000");
	return 0;
}

int lia_cmd_inbox(int argc, char **argv)
{
	struct inbox_args ia = {.after = 0, .limit = 100};
	struct lia_cli_common cm;
	int first;
	int done = lia_cli_parse(&inbox_spec, argc, argv, &cm, inbox_option, &ia, &first);
	if (done >= 0)
		return done;
	const char *profile = cm.profile;
	int as_json = cm.json;
	uint64_t after = ia.after, limit = ia.limit;
	struct lia_client cl;
	struct lia_frame rep;
	char err[LIA_ERR_MAX];
	int rc = lia_receive_inbox(&cl, profile, after, (uint32_t)limit, &rep, err);
	if (rc != LIA_EXIT_OK)
		lia_cmd_report("inbox", rc, err);
	else
		for (size_t i = 0; i < rep.u.inbox_list.n; i++) {
			const struct lia_inbox_entry *e = &rep.u.inbox_list.v[i];
			char idh[2 * LIA_ID_BYTES + 1], ts[32], sup[LIA_RECALL_REASON_MAX + 160];
			lia_id_hex(idh, e->message_id);
			lia_time_format(e->created_at, ts);
			json_t *sj = superseded_show(&cl, &e->superseded, sup, sizeof sup);
			if (as_json) {
				json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:b, s:s}", "sequence",
						      (json_int_t)e->sequence, "id", idh, "originator", e->originator,
						      "kind", lia_kind_str(e->kind), "created_at", ts, "acknowledged",
						      e->acknowledged, "erased", e->erased, "via", e->via);
				if (j != NULL && sj != NULL)
					json_object_set(j, "superseded", sj);
				lia_json_print(j);
			} else {
				printf("%6" PRIu64 "  %s  %-12s from %-24s %s  via %s%s%s%s%s\n", e->sequence, idh,
				       lia_kind_str(e->kind), e->originator, ts, e->via,
				       e->erased ? "  [erased]" : e->acknowledged ? "" : "  [new]",
				       sup[0] ? "  [" : "", sup, sup[0] ? "]" : "");
			}
			json_decref(sj);
		}
	lia_agent_done(&cl, &rep);
	return rc;
}

static const struct lia_opt read_opts[] = {
	LIA_OPT_PROFILE,
	LIA_OPT_JSON("one JSON object: {\"header\":..., \"body\":...}"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec read_spec = {
	PROG, "read", "ID",
	"Fetches a message delivered to you, verifies and decrypts it, and prints its\n"
	"restrictions and evaluation first, then the body. Exit 3 if it fails\n"
	"verification (nothing of it is shown).",
	NULL, read_opts, NULL, 0, NULL,
};

int lia_cmd_read(int argc, char **argv)
{
	const char *profile;
	int as_json, first;
	int done = lia_cmd_parse(&read_spec, argc, argv, &profile, &as_json, &first);
	if (done >= 0)
		return done;
	uint8_t id[LIA_ID_BYTES];
	if (first + 1 != argc || lia_id_parse(id, argv[first]) != 0)
		return lia_usage_error("read", "give one message id (32 hex digits)");
	struct lia_client cl;
	struct lia_opened o;
	struct lia_fetched meta;
	char err[LIA_ERR_MAX], sup[LIA_RECALL_REASON_MAX + 160];
	int rc = lia_receive_read(&cl, profile, id, &o, &meta, err);
	json_t *sj = superseded_show(&cl, &meta.superseded, sup, sizeof sup);
	if (rc != LIA_EXIT_OK) {
		lia_cmd_report("read", rc, err);
		if (sup[0])
			fprintf(stderr, PROG " read: it was %s\n", sup);
	} else if (as_json) {
		json_t *body = lia_body_to_json(o.body, o.body_len);
		json_t *j = json_pack("{s:o, s:o}", "header", lia_header_to_json(&o.header), "body",
				      body ? body : json_null());
		if (j != NULL && sj != NULL)
			json_object_set(j, "superseded", sj);
		lia_json_print(j);
	} else {
		json_t *body = lia_body_to_json(o.body, o.body_len);
		if (sup[0]) /* before anything else: the reader must not act on it */
			printf("%s: %s\n", meta.superseded.recall ? "RECALLED" : "SUPERSEDED", sup);
		lia_header_print_banner(stdout, &o.header, lia_color(stdout));
		if (o.originator_revoked_at != 0) {
			char ts[32];
			lia_time_format(o.originator_revoked_at, ts);
			printf("  NOTE: signed by a key revoked at %s (after the message was created)\n", ts);
		}
		char *text = body ? json_dumps(body, JSON_INDENT(2)) : NULL;
		printf("%s\n", text ? text : "{}");
		free(text);
		json_decref(body);
	}
	json_decref(sj);
	lia_opened_clear(&o);
	lia_agent_done(&cl, NULL);
	return rc;
}

static const struct lia_opt thread_opts[] = {
	LIA_OPT_PROFILE,
	LIA_OPT_JSON("one JSON object per message"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec thread_spec = {
	PROG, "thread", "ID",
	"Lists the thread of a message you hold: its first message (following what each\n"
	"replies to or forwards) and every reply and forward below it, those you may see\n"
	"(yours, or delivered to you), in the order the broker committed them, indented\n"
	"by depth; at most 200. Read one with '" PROG " read ID'.",
	PROG " thread 5f0c...e1 --profile roma",
	thread_opts, NULL, 0, NULL,
};

int lia_cmd_thread(int argc, char **argv)
{
	const char *profile;
	int as_json, first;
	int done = lia_cmd_parse(&thread_spec, argc, argv, &profile, &as_json, &first);
	if (done >= 0)
		return done;
	uint8_t id[LIA_ID_BYTES];
	if (first + 1 != argc || lia_id_parse(id, argv[first]) != 0)
		return lia_usage_error("thread", "give one message id (32 hex digits)");
	struct lia_client cl;
	struct lia_frame rep;
	char err[LIA_ERR_MAX];
	int rc = lia_receive_thread(&cl, profile, id, &rep, err);
	if (rc != LIA_EXIT_OK)
		lia_cmd_report("thread", rc, err);
	else
		for (size_t i = 0; i < rep.u.thread_list.n; i++) {
			const struct lia_thread_entry *e = &rep.u.thread_list.v[i];
			char idh[2 * LIA_ID_BYTES + 1], up[2 * LIA_ID_BYTES + 1] = "", ts[32];
			lia_id_hex(idh, e->message_id);
			if (e->has_in_reply_to)
				lia_id_hex(up, e->in_reply_to);
			lia_time_format(e->created_at, ts);
			if (as_json)
				lia_json_print(json_pack("{s:s, s:o, s:s, s:s, s:s, s:i, s:I, s:b}", "id", idh,
							 "in_reply_to", up[0] ? json_string(up) : json_null(),
							 "originator", e->originator, "kind", lia_kind_str(e->kind),
							 "created_at", ts, "depth", (int)e->depth, "sequence",
							 (json_int_t)e->sequence, "erased", e->erased));
			else
				printf("%*s%s  %-12s from %-24s %s%s%s\n", (int)(2 * e->depth), "", idh,
				       lia_kind_str(e->kind), e->originator, ts, e->sequence == 0 ? "  (yours)" : "",
				       e->erased ? "  [erased]" : "");
		}
	lia_agent_done(&cl, &rep);
	return rc;
}
