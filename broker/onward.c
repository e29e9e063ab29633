/* onward.c — see onward.h. */
#include "onward.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "candidates.h"
#include "quote.h"
#include "record.h"
#include "turn.h"
#include "decide.h"
#include "util.h"

#define CONSENT_LIST_MAX 200     /* requests in one ConsentList */
#define CONSENTS_WAITING_MAX 32  /* unanswered requests per requester */

/* What a request shows to this viewer: how many received the message
 * through it only to the originator (recipients do not learn who else
 * holds a message, DESIGN §3). */
static void consent_for_viewer(struct lia_consent_request *c, const struct lia_cert *viewer)
{
	if (strcmp(c->originator, viewer->subject) != 0 && !lia_cert_has_role(viewer, LIA_ROLE_AUDITOR))
		c->disclosed = c->withheld = 0;
}

/* Queue ConsentList{c} for session s, as s may see it, to be sent after
 * the commit (fallback instead if the commit fails). 0 or -1. */
static int push_consent(struct lia_broker *b, const struct lia_session *s, uint64_t req,
			const struct lia_consent_request *c, const struct lia_frame *fallback)
{
	struct lia_consent_request *shown = malloc(sizeof *shown);
	if (shown == NULL)
		return -1;
	*shown = *c;
	consent_for_viewer(shown, &s->cert);
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_CONSENT_LIST, req);
	f.u.consent_list.v = shown; /* built by hand: freed here, not by clear */
	f.u.consent_list.n = 1;
	int rc = lia_turn_queue(b, s->rid, s->rid_len, &f, fallback);
	free(shown);
	return rc;
}

/* Tell subject's receiving sessions about the request, once this turn's
 * transaction is durable: the originator when a request arrives, the
 * requester when it is answered. Best effort: the state is in the store
 * and `consent list` shows it. */
static void notify_consent(struct lia_broker *b, const char *subject,
			   const struct lia_consent_request *c)
{
	for (uint32_t i = 0; i < b->n_sessions; i++) {
		struct lia_session *s = &b->sessions[i];
		if (s->used && s->receive && strcmp(s->cert.subject, subject) == 0)
			(void)push_consent(b, s, 0, c, NULL);
	}
}

/* Answer with the one request, once this turn's transaction is durable. */
static void reply_consent(struct lia_broker *b, struct lia_session *s, uint64_t req,
			  const struct lia_consent_request *c)
{
	struct lia_frame fb;
	lia_frame_init(&fb, LIA_FRAME_ERROR, req);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	lia_rec_text(fb.u.error.detail, sizeof fb.u.error.detail,
		     "the broker could not make this durable; send it again");
	if (push_consent(b, s, req, c, &fb) != 0) {
		lia_turn_abort(b, "a reply could not be queued");
		lia_reply_now(b, s->rid, s->rid_len, &fb);
	}
}

/* A message erased before its originator answered: its waiting
 * requests can never be granted. Close them as refused, recorded, and
 * tell the requesters, so that none waits (or counts) forever. Inside
 * the turn's transaction; -1 aborted it. */
int lia_onward_close(struct lia_broker *b, const struct lia_store_message *m, int64_t now)
{
	struct lia_consent_request *v = calloc(64, sizeof *v);
	if (v == NULL) {
		lia_turn_abort(b, "out of memory");
		return -1;
	}
	char err[LIA_ERR_MAX];
	size_t n = 0;
	int rc = 0;
	do {
		if (lia_store_consents_pending_of(b->store, m->seq, v, 64, &n) != 0) {
			lia_turn_abort(b, "cannot read the consent requests of an erased message");
			rc = -1;
			break;
		}
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct lia_consent_request *c = &v[i];
			c->state = LIA_CONSENT_REFUSED;
			c->answered_at = now;
			lia_rec_text(c->reason, sizeof c->reason, "the message expired before an answer");
			if (lia_store_consent_answer(b->store, c, NULL, 0, 0, 0, err) != 0) {
				lia_turn_abort(b, err);
				rc = -1;
				break;
			}
			struct lia_record r;
			lia_rec_init(b, &r, LIA_OP_CONSENT_REFUSED);
			lia_rec_stored(&r, m->id, m->originator, m->kind);
			lia_rec_grantee(b, &r.recipient, c->grantee);
			snprintf(r.justification, sizeof r.justification, "request %" PRIu64 " by %s: %s",
				 c->request, c->requested_by, c->reason);
			if (lia_rec_append(b, &r) != 0) {
				rc = -1;
				break;
			}
			notify_consent(b, c->requested_by, c);
		}
	} while (rc == 0 && n == 64);
	free(v);
	return rc;
}

/* Whether s may ask for this consent now: a recipient of the message
 * (*d its delivery), a grantee the exchange knows and not the
 * originator's own agency, within the limits on waiting and daily
 * requests. 0; 1 when it asked before (*c is that request, answered
 * as it stands); -1 refused and replied. */
static int ask_allowed(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f, int64_t now,
		       struct lia_store_delivery *d, struct lia_consent_request *c)
{
	const char *me = s->cert.subject, *grantee = f->u.consent_ask.grantee;
	/* Only a recipient may ask, and for anyone else the message does not
	 * exist: the same answer as Fetch gives. */
	if (lia_store_delivery_of(b->store, me, f->u.consent_ask.message_id, now, d) != 1 || d->erased) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
				"no message with that id was delivered to you (or it expired)");
		return -1;
	}
	bool principal = lia_name_is_subject(grantee);
	if (principal ? lia_directory_find(&b->dir, grantee) == NULL
		      : lia_policy_agency(b->policy, grantee) == NULL) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID,
				"grantee: no principal in the directory and no agency of the exchange has that name");
		return -1;
	}
	char grantee_agency[LIA_NAME_MAX], orig_agency[LIA_NAME_MAX];
	if (principal)
		lia_subject_agency(grantee, grantee_agency);
	else
		lia_rec_text(grantee_agency, sizeof grantee_agency, grantee);
	lia_subject_agency(d->originator, orig_agency);
	if (strcmp(grantee, me) == 0 || strcmp(grantee_agency, orig_agency) == 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID,
				"grantee: not yourself, and not the originator's own agency (ask the originator directly)");
		return -1;
	}
	int same = lia_store_consent_same(b->store, d->message_seq, me, grantee, c);
	if (same == 1) /* asked before: the same request, in its state */
		return 1;
	uint64_t asked = 0;
	if (same < 0 || lia_store_consents_since(b->store, me, now - 86400, &asked) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return -1;
	}
	uint64_t waiting = 0;
	if (lia_store_consents_waiting(b->store, me, &waiting) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return -1;
	}
	if (waiting >= CONSENTS_WAITING_MAX) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
				"32 of your consent requests wait for an answer already");
		return -1;
	}
	/* The budget (budget.h) and, as it restarts with the broker, the
	 * store's count of the last 24 hours. */
	uint32_t limit = b->policy->onward_requests_per_day;
	if (!lia_limit_check(b, s, f, LIA_LIMIT_CONSENT_REQUEST, now, limit > 0 && asked >= limit))
		return -1;
	return 0;
}

void lia_onward_ask(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	const char *me = s->cert.subject, *grantee = f->u.consent_ask.grantee;
	int64_t now = lia_now();
	struct lia_store_delivery d;
	struct lia_consent_request c;
	int allowed = ask_allowed(b, s, f, now, &d, &c);
	if (allowed == 1)
		reply_consent(b, s, f->request_id, &c);
	if (allowed != 0)
		return;
	const struct lia_envelope *e = lia_envcache_get(b, d.message_seq);
	if (e == NULL || lia_turn_need(b) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store unavailable");
		return;
	}
	memset(&c, 0, sizeof c);
	memcpy(c.message_id, d.message_id, LIA_ID_BYTES);
	memcpy(c.originator, d.originator, LIA_NAME_MAX);
	memcpy(c.requested_by, me, LIA_NAME_MAX);
	lia_rec_text(c.grantee, sizeof c.grantee, grantee);
	lia_rec_text(c.purpose, sizeof c.purpose, f->u.consent_ask.purpose);
	c.requested_at = now;
	char err[LIA_ERR_MAX];
	if (lia_store_consent_add(b->store, d.message_seq, &c, err) != 0) {
		lia_turn_abort(b, err);
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_CONSENT_REQUESTED);
	lia_rec_message(&r, lia_envelope_header(e));
	lia_rec_party(&r.actor, &s->cert);
	lia_rec_grantee(b, &r.recipient, grantee);
	snprintf(r.justification, sizeof r.justification, "request %" PRIu64 ": %s", c.request, c.purpose);
	if (lia_rec_append(b, &r) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger unavailable");
		return;
	}
	char idh[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idh, c.message_id);
	lia_limit_spend(b, s, LIA_LIMIT_CONSENT_REQUEST, now);
	lia_blog("consent-requested", "request=%" PRIu64 " id=%s by=%s grantee=%s originator=%s", c.request,
		 idh, me, grantee, c.originator);
	reply_consent(b, s, f->request_id, &c);
	notify_consent(b, c.originator, &c);
}

void lia_onward_query(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	struct lia_consent_request *v = calloc(CONSENT_LIST_MAX, sizeof *v);
	size_t n = 0;
	/* Auditors see every request; others theirs and their messages'. */
	const char *who = lia_cert_has_role(&s->cert, LIA_ROLE_AUDITOR) ? NULL : s->cert.subject;
	if (v == NULL || lia_store_consents_of(b->store, who, f->u.consent_query.request,
					       f->u.consent_query.before, v, CONSENT_LIST_MAX, &n) != 0) {
		free(v);
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	if (f->u.consent_query.request != 0 && n == 0) {
		free(v);
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
				"no consent request with that number concerns you");
		return;
	}
	for (size_t i = 0; i < n; i++)
		consent_for_viewer(&v[i], &s->cert);
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_CONSENT_LIST, f->request_id);
	r.u.consent_list.v = v;
	r.u.consent_list.n = n;
	lia_reply_now(b, s->rid, s->rid_len, &r);
	free(v);
}

/* The refusal: recorded, and the requester sees it in its list. */
static void consent_refuse(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			   struct lia_consent_request *c, const struct lia_header *h)
{
	char err[LIA_ERR_MAX];
	c->state = LIA_CONSENT_REFUSED;
	c->answered_at = lia_now();
	lia_rec_text(c->reason, sizeof c->reason, f->u.consent_answer.reason);
	if (lia_turn_need(b) != 0 || lia_store_consent_answer(b->store, c, NULL, 0, 0, 0, err) != 0) {
		lia_turn_abort(b, "a consent refusal could not be stored");
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_CONSENT_REFUSED);
	lia_rec_message(&r, h);
	lia_rec_party(&r.actor, &s->cert);
	lia_rec_grantee(b, &r.recipient, c->grantee);
	snprintf(r.justification, sizeof r.justification, "request %" PRIu64 " by %s: %s", c->request,
		 c->requested_by, c->reason);
	if (lia_rec_append(b, &r) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger unavailable");
		return;
	}
	lia_blog("consent-refused", "request=%" PRIu64 " by=%s", c->request, s->cert.subject);
	reply_consent(b, s, f->request_id, c);
	notify_consent(b, c->requested_by, c);
}

/* The signed consent must say exactly what was asked. */
static const char *consent_mismatch(const struct lia_consent_grant *g,
				    const struct lia_consent_request *c, int64_t now, int64_t skew)
{
	if (g->request != c->request)
		return "request number";
	if (memcmp(g->message_id, c->message_id, LIA_ID_BYTES) != 0)
		return "message id";
	if (strcmp(g->grantee, c->grantee) != 0)
		return "grantee";
	if (strcmp(g->requested_by, c->requested_by) != 0)
		return "requester";
	if (strcmp(g->purpose, c->purpose) != 0)
		return "purpose";
	if (g->granted_at < now - skew || g->granted_at > now + skew)
		return "time (outside the skew window)";
	return NULL;
}

/* The working set of one grant: the consents decide() weighs, the
 * decisions per candidate, the permitted box key ids and the envelope
 * with their wraps merged in. */
struct grant_work {
	struct lia_consent_request *prior; /* granted before, CONSENTS_PER_MESSAGE */
	size_t n_prior;
	struct lia_consent *cons;          /* prior and this one */
	size_t cap, nc;                    /* candidates in b->cand */
	struct lia_decision *decs;
	bool *permit;
	uint8_t (*kids)[LIA_KEYID_BYTES];
	size_t nk;
	uint8_t *merged;
	size_t merged_len, added;
};

static int grant_work_alloc(struct grant_work *w, size_t n_dir)
{
	memset(w, 0, sizeof *w);
	w->cap = n_dir < CANDIDATES_MAX ? n_dir : CANDIDATES_MAX;
	size_t n = w->cap ? w->cap : 1;
	w->prior = calloc(CONSENTS_PER_MESSAGE, sizeof *w->prior);
	w->cons = calloc(CONSENTS_PER_MESSAGE + 1, sizeof *w->cons);
	w->decs = calloc(n, sizeof *w->decs);
	w->kids = calloc(n, LIA_KEYID_BYTES);
	w->permit = calloc(n, sizeof *w->permit);
	return w->prior && w->cons && w->decs && w->kids && w->permit ? 0 : -1;
}

static void grant_work_free(struct grant_work *w)
{
	free(w->merged);
	free(w->permit);
	free(w->kids);
	free(w->decs);
	free(w->cons);
	free(w->prior);
}

/* The signed consent and the originator's copy of the envelope, checked
 * against request c: the copy (owned by the caller), or NULL replied. */
static struct lia_envelope *grant_check(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
					const struct lia_consent_request *c, int64_t now)
{
	char err[LIA_ERR_MAX];
	struct lia_consent_grant g;
	if (lia_consent_verify(f->u.consent_answer.consent.p, f->u.consent_answer.consent.len, &s->cert,
			       &g, err) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
		return NULL;
	}
	const char *bad = consent_mismatch(&g, c, now, b->policy->skew_seconds);
	if (bad != NULL) {
		snprintf(err, sizeof err, "the signed consent does not match request %" PRIu64 ": %s",
			 c->request, bad);
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
		return NULL;
	}
	struct lia_envelope *extra = NULL;
	enum lia_env_status st = lia_envelope_decode(&extra, f->u.consent_answer.envelope.p,
						     f->u.consent_answer.envelope.len);
	if (st != LIA_ENV_OK) {
		snprintf(err, sizeof err, "envelope: %s", lia_env_status_str(st));
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
		lia_envelope_destroy(&extra);
		return NULL;
	}
	return extra;
}

/* The consents decide() weighs: those granted before, and c, now. */
static void grant_consents(struct grant_work *w, const struct lia_consent_request *c, int64_t now)
{
	for (size_t i = 0; i < w->n_prior; i++)
		lia_cand_consent(&w->cons[i], &w->prior[i], w->prior[i].answered_at);
	/* Broker time: a signer's clock a little ahead must not make its
	 * consent look granted in the future. */
	lia_cand_consent(&w->cons[w->n_prior], c, now);
}

/* Candidates: the grantee's principals that do not hold the message. */
static void grant_candidates(struct lia_broker *b, const struct lia_session *s, struct grant_work *w,
			     const struct lia_consent_request *c, const struct lia_header *h)
{
	w->nc = 0;
	for (size_t i = 0; i < b->dir.n && w->nc < w->cap; i++) {
		const struct lia_cert *rc = &b->dir.v[i].cert;
		struct lia_store_delivery had;
		if (rc->kind != LIA_CERT_PRINCIPAL || strcmp(rc->subject, s->cert.subject) == 0 ||
		    (strcmp(rc->subject, c->grantee) != 0 && strcmp(rc->agency, c->grantee) != 0) ||
		    lia_store_delivery_of(b->store, rc->subject, h->id, INT64_MAX, &had) != 0)
			continue;
		b->cand[w->nc].who = &b->dir.v[i];
		memcpy(b->cand[w->nc].via, "consent", 8);
		w->nc++;
	}
}

/* The grant's writes, in the turn's transaction: the merged envelope,
 * the consent-granted record, a disclose or withhold record and delivery
 * per candidate, the answered request. Replies either way. */
static void grant_commit(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			 struct lia_consent_request *c, uint64_t mseq, const struct lia_header *h,
			 const struct grant_work *w, int64_t now)
{
	char err[LIA_ERR_MAX];
	if (lia_turn_need(b) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store unavailable");
		return;
	}
	c->state = LIA_CONSENT_GRANTED;
	c->answered_at = now;
	memcpy(c->consent, f->u.consent_answer.consent.p, f->u.consent_answer.consent.len);
	c->consent_len = f->u.consent_answer.consent.len; /* <= LIA_CONSENT_MAX_BYTES (wire) */
	lia_rec_text(c->reason, sizeof c->reason, f->u.consent_answer.reason);
	if (w->added > 0 && lia_store_message_envelope_set(b->store, mseq, w->merged, w->merged_len, err) != 0)
		goto fail;
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_CONSENT_GRANTED);
	lia_rec_message(&r, h);
	lia_rec_party(&r.actor, &s->cert);
	lia_rec_grantee(b, &r.recipient, c->grantee);
	/* The signed consent, kept in the store, is bound to the ledger by
	 * its hash: an auditor checks the bytes the broker shows it. */
	char digest_hex[LIA_CONSENT_DIGEST_HEX];
	lia_consent_digest_hex(f->u.consent_answer.consent.p, f->u.consent_answer.consent.len, digest_hex);
	snprintf(r.justification, sizeof r.justification,
		 "request %" PRIu64 " by %s: %s; %u disclosed, %u withheld; consent sha256:%s", c->request,
		 c->requested_by, c->purpose, c->disclosed, c->withheld, digest_hex);
	if (lia_rec_append(b, &r) != 0)
		goto fail_replied;
	uint64_t ledger_from = r.seq, ledger_to = r.seq + 1;
	char label[32];
	snprintf(label, sizeof label, "consent %" PRIu64, c->request);
	if (lia_cand_record(b, h, &s->cert, mseq, 0, label, w->nc, w->permit, w->decs, &ledger_to) != 0)
		goto fail_replied;
	if (lia_store_consent_answer(b->store, c, f->u.consent_answer.consent.p,
				     f->u.consent_answer.consent.len, ledger_from, ledger_to, err) != 0)
		goto fail;
	char idh[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idh, c->message_id);
	lia_blog("consent-granted", "request=%" PRIu64 " id=%s by=%s grantee=%s disclosed=%u withheld=%u",
		 c->request, idh, s->cert.subject, c->grantee, c->disclosed, c->withheld);
	reply_consent(b, s, f->request_id, c);
	notify_consent(b, c->requested_by, c);
	return;
fail:
	lia_turn_abort(b, err);
fail_replied:
	lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE,
			"the broker could not store the consent; send it again");
}

/* A grant: decided like a publish, on the onward path, with every
 * consent granted for the message so far; the wraps for the permitted
 * come from the originator's copy (extra). */
static void consent_grant(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			  struct lia_consent_request *c, uint64_t mseq, const struct lia_envelope *e)
{
	const struct lia_header *h = lia_envelope_header(e);
	int64_t now = lia_now();
	char err[LIA_ERR_MAX];
	struct lia_envelope *extra = grant_check(b, s, f, c, now);
	if (extra == NULL)
		return;
	struct grant_work w;
	if (grant_work_alloc(&w, b->dir.n) != 0 ||
	    lia_store_consents_granted(b->store, mseq, w.prior, CONSENTS_PER_MESSAGE, &w.n_prior) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "out of memory");
		goto out;
	}
	if (w.n_prior >= CONSENTS_PER_MESSAGE) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID,
				"this message has 64 granted consents already; publish it anew");
		goto out;
	}
	grant_consents(&w, c, now);
	grant_candidates(b, s, &w, c, h);
	int64_t decide_at = h->restrictions.embargo_until > now ? h->restrictions.embargo_until : now;
	size_t permitted = lia_cand_decide(b->policy, &b->dir.crl, b->cand, w.nc, h, &s->cert, extra,
					   LIA_PATH_ONWARD, w.cons, w.n_prior + 1, decide_at, w.permit, w.decs);
	/* A consent to a reply, forward or correction is its originator's,
	 * not that of the messages it names: their rules still bind
	 * (quote.h). */
	struct lia_quote_chain chain = {0};
	size_t first;
	if (lia_quote_chain_of(b, h, s->cert.subject, now, &chain) != 0 ||
	    (chain.n > 0 &&
	     lia_quote_decide(b, &chain, w.nc, w.permit, w.decs, decide_at, now, &permitted, &first) != 0)) {
		lia_quote_chain_free(&chain);
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE,
				"the broker could not read what the message quotes; send the consent again");
		goto out;
	}
	lia_quote_chain_free(&chain);
	c->disclosed = (uint32_t)permitted;
	c->withheld = (uint32_t)(w.nc - c->disclosed);
	for (size_t i = 0; i < w.nc; i++)
		if (w.permit[i])
			memcpy(w.kids[w.nk++], b->cand[i].who->cert.box_kid, LIA_KEYID_BYTES);
	if (lia_envelope_take_wraps(e, extra, (const uint8_t(*)[LIA_KEYID_BYTES])w.kids, w.nk, &w.merged,
				    &w.merged_len, &w.added, err) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
		goto out;
	}
	grant_commit(b, s, f, c, mseq, h, &w, now);
out:
	/* The stored envelope may have changed: read it afresh. Note that
	 * e (borrowed from the cache) dies here too. */
	lia_envcache_clear(b);
	grant_work_free(&w);
	lia_envelope_destroy(&extra);
}

void lia_onward_answer(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	const char *me = s->cert.subject;
	struct lia_consent_request c;
	uint64_t mseq = 0;
	if (lia_store_consent_get(b->store, f->u.consent_answer.request, &c, &mseq) != 1 ||
	    (strcmp(c.originator, me) != 0 && strcmp(c.requested_by, me) != 0)) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
				"no consent request with that number concerns you");
		return;
	}
	if (strcmp(c.originator, me) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
				"only the message's originator answers a consent request, never the requester");
		return;
	}
	/* DESIGN §1: consent is a liaison officer's act. */
	if (!lia_cert_has_role(&s->cert, LIA_ROLE_LIAISON)) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
				"only a liaison officer answers consent requests; ask your agency's liaison office");
		return;
	}
	if (c.state != LIA_CONSENT_PENDING) {
		char why[LIA_DETAIL_MAX];
		snprintf(why, sizeof why, "request %" PRIu64 " was %s already", c.request,
			 lia_consent_state_str(c.state));
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, why);
		return;
	}
	const struct lia_envelope *e = lia_envcache_get(b, mseq);
	if (e == NULL) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
				"the message expired and was erased");
		return;
	}
	if (f->u.consent_answer.grant)
		consent_grant(b, s, f, &c, mseq, e);
	else
		consent_refuse(b, s, f, &c, lia_envelope_header(e));
}
