/* verify.c — see verify.h. */
#include "verify.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "candidates.h"
#include "record.h"
#include "session.h"
#include "turn.h"
#include "util.h"

#define VERIF_VIA "verification" /* the deliveries' via: how the inbox shows them */
#define VERIF_TICK_MAX 64        /* requests reminded or made overdue per second */

static bool liaison_of(const struct lia_cert *c)
{
	return lia_cert_has_role(c, LIA_ROLE_LIAISON);
}

/* Is c the office of v, or one of the officers who may answer for it? */
static bool office_of(const struct lia_broker *b, const struct lia_verification *v,
		      const struct lia_cert *c)
{
	return lia_verif_is_office(v, c->subject, liaison_of(c), b->policy->verif_liaison_answer);
}

/* Every addressee named must be one of the candidates: a request or an
 * answer goes where the broker sends it, nowhere else. */
static int to_within(const struct lia_broker *b, size_t nc, const struct lia_names *to,
		     const char *where, char rule[static LIA_RULE_ID_MAX], char why[static LIA_DETAIL_MAX])
{
	for (size_t i = 0; i < to->n; i++) {
		size_t j = 0;
		while (j < nc && strcmp(b->cand[j].who->cert.subject, to->v[i]) != 0)
			j++;
		if (j == nc)
			return lia_cand_refuse(rule, "verification.to", why,
				      "\"%s\" is not %s: leave out other addressees", to->v[i], where);
	}
	return 0;
}

static void add_cand(struct lia_broker *b, size_t *nc, const struct lia_directory_entry *e)
{
	if (*nc >= CANDIDATES_MAX)
		return;
	b->cand[*nc].who = e;
	snprintf(b->cand[*nc].via, sizeof b->cand[*nc].via, "%s", VERIF_VIA);
	(*nc)++;
}

int lia_verif_no_office(const struct lia_policy *p, const struct lia_header *h,
			char rule[static LIA_RULE_ID_MAX], char why[static LIA_DETAIL_MAX])
{
	if (h->kind != LIA_KIND_VERIFICATION_REQUEST || !h->has_verification ||
	    lia_policy_office(p, h->verification.issuing_state) != NULL)
		return 0;
	return lia_cand_refuse(rule, "verification.no-office", why,
		      "no office answers verification requests for documents issued by %s: the "
		      "exchange policy names none (verification.offices)",
		      h->verification.issuing_state);
}

/* The request's office, kept in *req for the commit: the one lookup
 * of the policy for this publish after admission. */
static int gather_request(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
			  const struct lia_names *to, size_t *nc, struct lia_verification *req,
			  char rule[static LIA_RULE_ID_MAX], char why[static LIA_DETAIL_MAX])
{
	const char *cc = h->verification.issuing_state;
	const struct lia_policy_office *o = lia_policy_office(b->policy, cc);
	if (o == NULL) /* admission refused it already: the same answer */
		return lia_verif_no_office(b->policy, h, rule, why);
	snprintf(req->office, sizeof req->office, "%s", o->name);
	for (size_t i = 0; i < b->dir.n; i++) {
		const struct lia_cert *c = &b->dir.v[i].cert;
		bool member = o->is_agency ? lia_subject_in_agency(c->subject, o->name)
					   : strcmp(c->subject, o->name) == 0;
		if (member && liaison_of(c) && strcmp(c->subject, sender->subject) != 0)
			add_cand(b, nc, &b->dir.v[i]);
	}
	if (*nc == 0)
		return lia_cand_refuse(rule, "verification.office-unreachable", why,
			      o->is_agency ? "the office for %s, %s, has no other principal holding the role "
					     "liaison in the directory"
					   : "the office for %s, %s, is not in the directory with the role liaison",
			      cc, o->name);
	char where[LIA_DETAIL_MAX];
	snprintf(where, sizeof where, "of the office for %s (%s)", cc, o->name);
	return to_within(b, *nc, to, where, rule, why);
}

static int gather_answer(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
			 const struct lia_names *to, size_t *nc, struct lia_verification *req,
			 char rule[static LIA_RULE_ID_MAX], char why[static LIA_DETAIL_MAX])
{
	char idh[2 * LIA_ID_BYTES + 1], ts[32];
	lia_id_hex(idh, h->in_reply_to);
	int found = lia_store_verif_get(b->store, h->in_reply_to, req);
	if (found < 0)
		return lia_cand_refuse(rule, "", why, "the broker cannot read the request now; publish again");
	/* The same words whether the request does not exist or is someone
	 * else's to answer: a stranger learns nothing of it. */
	if (found == 0 || !office_of(b, req, sender))
		return lia_cand_refuse(rule, "verification.not-office", why,
			      "no verification request %s was sent to you or to your office", idh);
	if (req->state == LIA_VERIF_WITHDRAWN)
		return lia_cand_refuse(rule, "verification.withdrawn", why,
			      "request %s was withdrawn by its requester", idh);
	if (req->answers > 0 &&
	    (!h->has_supersedes || !req->has_answer || memcmp(h->supersedes, req->answer_id, LIA_ID_BYTES) != 0)) {
		char ah[2 * LIA_ID_BYTES + 1];
		lia_id_hex(ah, req->answer_id);
		lia_time_format(req->answered_at, ts);
		return lia_cand_refuse(rule, "verification.answered", why,
			      "request %s was answered at %s by %s; a correction names that answer "
			      "(supersedes %s)",
			      idh, ts, req->answered_by, ah);
	}
	if (req->answers == 0 && h->has_supersedes)
		return lia_cand_refuse(rule, "verification.supersedes", why,
			      "request %s has no answer yet to correct", idh);
	const struct lia_directory_entry *who = lia_directory_find(&b->dir, req->requester);
	if (who == NULL)
		return lia_cand_refuse(rule, "verification.requester-gone", why,
			      "the requester %s is no longer in the directory", req->requester);
	add_cand(b, nc, who);
	return to_within(b, *nc, to, "the requester", rule, why);
}

int lia_verif_gather(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		     const struct lia_names *to, size_t *nc, struct lia_verification *req,
		     char rule[static LIA_RULE_ID_MAX], char why[static LIA_DETAIL_MAX])
{
	*nc = 0;
	memset(req, 0, sizeof *req);
	rule[0] = '\0';
	int rc = h->kind == LIA_KIND_VERIFICATION_REQUEST
			 ? gather_request(b, sender, h, to, nc, req, rule, why)
			 : gather_answer(b, sender, h, to, nc, req, rule, why);
	if (rc != 0)
		*nc = 0;
	return rc;
}

/* Queue (after the commit) or send now the requests v[0..n) to s. */
static void push(struct lia_broker *b, const struct lia_session *s, struct lia_verification *v, size_t n,
		 enum lia_verif_notice notice, bool now)
{
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_VERIFICATION_LIST, 0);
	f.u.verification_list.v = v; /* built by hand: not freed by clear */
	f.u.verification_list.n = n;
	f.u.verification_list.notice = notice;
	if (now)
		lia_reply_now(b, s->rid, s->rid_len, &f);
	else
		(void)lia_turn_queue(b, s->rid, s->rid_len, &f, NULL);
}

/* Tell the receiving sessions of one side, or both, once the turn is
 * durable. Best effort: the state is in the store, and `verification
 * list` shows it. */
static void notify(struct lia_broker *b, struct lia_verification *v, enum lia_verif_notice notice,
		   bool office, bool requester)
{
	for (uint32_t i = 0; i < b->n_sessions; i++) {
		const struct lia_session *s = &b->sessions[i];
		if (!s->used || !s->receive)
			continue;
		if ((requester && strcmp(s->cert.subject, v->requester) == 0) ||
		    (office && office_of(b, v, &s->cert)))
			push(b, s, v, 1, notice, false);
	}
}

static int commit_request(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
			  const struct lia_store_message *m, const struct lia_verification *req, int64_t now)
{
	char err[LIA_ERR_MAX], ts[32], idh[2 * LIA_ID_BYTES + 1];
	struct lia_verification v;
	memset(&v, 0, sizeof v);
	memcpy(v.request_id, h->id, LIA_ID_BYTES);
	memcpy(v.requester, sender->subject, LIA_NAME_MAX);
	memcpy(v.office, req->office, LIA_NAME_MAX); /* gather_request's */
	memcpy(v.issuing_state, h->verification.issuing_state, 3);
	v.urgency = h->verification.urgency;
	v.requested_at = now;
	/* The office can read it only once its embargo ends: the deadline
	 * runs from then. */
	v.deadline = (m->embargo_until > now ? m->embargo_until : now) + b->policy->verif_deadline[v.urgency];
	char agency[LIA_NAME_MAX];
	if (lia_name_is_subject(v.office))
		lia_subject_agency(v.office, agency);
	else
		memcpy(agency, v.office, LIA_NAME_MAX);
	if (lia_store_verif_add(b->store, m->seq, &v, agency, err) != 0) {
		lia_blog("store-error", "%s", err);
		lia_turn_abort(b, "a verification request could not be stored");
		return -1;
	}
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_VERIFICATION_REQUESTED);
	lia_rec_message(&r, h);
	lia_rec_party(&r.actor, sender);
	lia_rec_grantee(b, &r.recipient, v.office);
	lia_time_format(v.deadline, ts);
	snprintf(r.justification, sizeof r.justification,
		 "document issued by %s, to the office %s, %s: answer due by %s", v.issuing_state, v.office,
		 lia_urgency_str(v.urgency), ts);
	if (lia_rec_append(b, &r) != 0)
		return -1;
	lia_id_hex(idh, h->id);
	lia_blog("verification-requested", "id=%s from=%s office=%s issuing_state=%s urgency=%s deadline=%" PRId64,
		 idh, sender->subject, v.office, v.issuing_state, lia_urgency_str(v.urgency), v.deadline);
	return 0;
}

static int commit_answer(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
			 const struct lia_verification *req, int64_t now)
{
	char err[LIA_ERR_MAX], ts[32], idh[2 * LIA_ID_BYTES + 1], ah[2 * LIA_ID_BYTES + 1];
	struct lia_verification v;
	if (lia_store_verif_answered(b->store, req->request_id, sender->subject, h->id, now, err) != 0 ||
	    lia_store_verif_get(b->store, req->request_id, &v) != 1) {
		lia_blog("store-error", "%s", err);
		lia_turn_abort(b, "a verification answer could not be stored");
		return -1;
	}
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_VERIFICATION_ANSWERED);
	/* The record is the request's: its id, requester and kind. */
	lia_rec_stored(&r, req->request_id, req->requester, LIA_KIND_VERIFICATION_REQUEST);
	lia_rec_party(&r.actor, sender);
	lia_rec_grantee(b, &r.recipient, req->requester);
	lia_id_hex(ah, h->id);
	lia_time_format(v.deadline, ts);
	char what[32] = "answer";
	if (v.answers > 1)
		snprintf(what, sizeof what, "correction %" PRIu32 ": answer", v.answers - 1);
	snprintf(r.justification, sizeof r.justification, "%s %s; deadline %s, %s", what, ah, ts,
		 v.late ? "answered late" : "answered in time");
	if (lia_rec_append(b, &r) != 0)
		return -1;
	lia_id_hex(idh, req->request_id);
	lia_blog("verification-answered", "id=%s answer=%s by=%s answers=%" PRIu32 " late=%d", idh, ah,
		 sender->subject, v.answers, v.late);
	notify(b, &v, LIA_VERIF_NOTICE_ANSWERED, false, true);
	return 0;
}

int lia_verif_commit(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		     const struct lia_store_message *m, const struct lia_verification *req, int64_t now)
{
	if (h->kind == LIA_KIND_VERIFICATION_REQUEST)
		return commit_request(b, sender, h, m, req, now);
	if (h->kind == LIA_KIND_VERIFICATION_ANSWER)
		return commit_answer(b, sender, h, req, now);
	return 0;
}

/* The requests c made or must answer in state (0: any), requested
 * before `before` (0: any); auditors: every request. */
static int seen_by(struct lia_broker *b, const struct lia_cert *c, enum lia_verif_state state,
		   int64_t before, struct lia_verification *v, size_t *n)
{
	bool auditor = lia_cert_has_role(c, LIA_ROLE_AUDITOR);
	return lia_store_verifs_of(b->store, auditor ? NULL : c->subject, c->agency, liaison_of(c),
				   b->policy->verif_liaison_answer, state, before, v, LIA_VERIF_LIST_MAX, n);
}

void lia_verif_query(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	const struct lia_cert *c = &s->cert;
	bool auditor = lia_cert_has_role(c, LIA_ROLE_AUDITOR);
	struct lia_verification *v = calloc(LIA_VERIF_LIST_MAX, sizeof *v);
	size_t n = 0;
	int rc = -1;
	if (v != NULL && f->u.verification_query.has_request_id) {
		rc = lia_store_verif_get(b->store, f->u.verification_query.request_id, v);
		n = rc == 1 && (auditor || strcmp(v->requester, c->subject) == 0 || office_of(b, v, c)) ? 1 : 0;
		if (rc == 1 && n == 0)
			rc = 0;
	} else if (v != NULL) {
		rc = seen_by(b, c, f->u.verification_query.state, f->u.verification_query.before, v, &n);
	}
	if (rc < 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
	} else if (f->u.verification_query.has_request_id && n == 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
				"no verification request with that id concerns you");
	} else {
		struct lia_frame r;
		lia_frame_init(&r, LIA_FRAME_VERIFICATION_LIST, f->request_id);
		r.u.verification_list.v = v;
		r.u.verification_list.n = n;
		lia_reply_now(b, s->rid, s->rid_len, &r);
	}
	free(v);
}

void lia_verif_tick(struct lia_broker *b, int64_t now)
{
	struct lia_verification v[VERIF_TICK_MAX];
	size_t n = 0;
	char err[LIA_ERR_MAX], idh[2 * LIA_ID_BYTES + 1];
	bool wrote = false;
	int64_t remind = b->policy->verif_remind_before;
	if (remind > 0 && lia_store_verifs_due(b->store, now + remind, true, v, VERIF_TICK_MAX, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (lia_turn_need(b) != 0)
				return;
			if (lia_store_verif_reminded(b->store, v[i].request_id, err) != 0) {
				lia_turn_abort(b, err);
				return;
			}
			wrote = true;
			if (v[i].deadline > now) /* else the overdue notice below says it */
				notify(b, &v[i], LIA_VERIF_NOTICE_DUE_SOON, true, false);
		}
	}
	if (lia_store_verifs_due(b->store, now, false, v, VERIF_TICK_MAX, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (lia_turn_need(b) != 0)
				return;
			int rc = lia_store_verif_overdue(b->store, v[i].request_id, err);
			if (rc < 0) {
				lia_turn_abort(b, err);
				return;
			}
			if (rc == 0)
				continue;
			wrote = true;
			struct lia_record r;
			lia_rec_init(b, &r, LIA_OP_VERIFICATION_OVERDUE);
			lia_rec_stored(&r, v[i].request_id, v[i].requester, LIA_KIND_VERIFICATION_REQUEST);
			lia_rec_grantee(b, &r.recipient, v[i].office);
			char ts[32];
			lia_time_format(v[i].deadline, ts);
			snprintf(r.justification, sizeof r.justification,
				 "the deadline %s (%s) passed without an answer from %s to %s", ts,
				 lia_urgency_str(v[i].urgency), v[i].office, v[i].requester);
			if (lia_rec_append(b, &r) != 0)
				return;
			v[i].state = LIA_VERIF_OVERDUE;
			v[i].late = true;
			lia_id_hex(idh, v[i].request_id);
			lia_blog("verification-overdue", "id=%s office=%s requester=%s deadline=%" PRId64, idh,
				 v[i].office, v[i].requester, v[i].deadline);
			notify(b, &v[i], LIA_VERIF_NOTICE_OVERDUE, true, true);
		}
	}
	if (wrote)
		lia_turn_commit(b);
}

void lia_verif_hello(struct lia_broker *b, struct lia_session *s, int64_t now)
{
	if (!s->receive)
		return;
	const struct lia_cert *c = &s->cert;
	struct lia_verification *v = calloc(LIA_VERIF_LIST_MAX, sizeof *v);
	if (v == NULL)
		return;
	static const enum lia_verif_state states[] = {LIA_VERIF_OPEN, LIA_VERIF_OVERDUE};
	for (size_t k = 0; k < 2; k++) {
		size_t n = 0, kept = 0;
		if (seen_by(b, c, states[k], 0, v, &n) != 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (office_of(b, &v[i], c) &&
			    (states[k] == LIA_VERIF_OVERDUE || v[i].deadline <= now + b->policy->verif_remind_before)) {
				if (kept != i) /* never a copy onto itself (memcpy) */
					v[kept] = v[i];
				kept++;
			}
		if (kept > 0)
			push(b, s, v, kept,
			     states[k] == LIA_VERIF_OPEN ? LIA_VERIF_NOTICE_DUE_SOON : LIA_VERIF_NOTICE_OVERDUE, true);
	}
	free(v);
}
