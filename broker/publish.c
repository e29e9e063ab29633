/* publish.c — see publish.h. */
#include "publish.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "blog.h"
#include "candidates.h"
#include "quote.h"
#include "recall.h"
#include "record.h"
#include "turn.h"
#include "util.h"
#include "verify.h"

static void ack_refusal(struct lia_frame *f, uint64_t req, const uint8_t *id, enum lia_refusal code,
			const char *rule, const char *reason)
{
	lia_frame_init(f, LIA_FRAME_PUBLISH_ACK, req);
	f->u.publish_ack.accepted = false;
	if (id != NULL)
		memcpy(f->u.publish_ack.message_id, id, LIA_ID_BYTES);
	f->u.publish_ack.refusal = code;
	snprintf(f->u.publish_ack.rule, sizeof f->u.publish_ack.rule, "%s", rule ? rule : "");
	snprintf(f->u.publish_ack.reason, sizeof f->u.publish_ack.reason, "%s", reason);
}

static void refuse_publish(struct lia_broker *b, struct lia_session *s, uint64_t req, const uint8_t *id,
			   enum lia_refusal code, const char *rule, const char *reason)
{
	struct lia_frame f;
	ack_refusal(&f, req, id, code, rule, reason);
	char idh[2 * LIA_ID_BYTES + 1] = "-";
	if (id != NULL)
		lia_id_hex(idh, id);
	lia_blog("publish-refused", "from=%s id=%s refusal=\"%s\" rule=%s reason=\"%s\"", s->cert.subject,
		 idh, lia_refusal_str(code), rule ? rule : "-", reason);
	lia_reply_now(b, s->rid, s->rid_len, &f);
}

/* The sender's publish budget, or NULL when the policy sets none. */
static struct lia_rate *rate_of(struct lia_broker *b, const char *subject)
{
	struct lia_budget *g = b->policy->publish_per_hour != 0 ? lia_budget_of(b, subject) : NULL;
	return g != NULL ? &g->rate[LIA_LIMIT_PUBLISH] : NULL;
}

/* A repeated id of the sender's own: the original's acknowledgement,
 * queued behind this turn's commit since the original may still be in
 * it. (Another originator's id was refused by admission.) */
static void ack_duplicate(struct lia_broker *b, struct lia_session *s, uint64_t req,
			  const struct lia_admission *a)
{
	struct lia_frame ack, fb;
	lia_frame_init(&ack, LIA_FRAME_PUBLISH_ACK, req);
	ack.u.publish_ack.accepted = true;
	memcpy(ack.u.publish_ack.message_id, a->h->id, LIA_ID_BYTES);
	ack.u.publish_ack.duplicate = true;
	ack.u.publish_ack.sequence = a->original.number;
	ack.u.publish_ack.recipients = a->original.recipients;
	ack.u.publish_ack.withheld = a->original.withheld;
	ack_refusal(&fb, req, a->h->id, LIA_REFUSAL_UNAVAILABLE, NULL,
		    "the broker could not confirm the original; publish it again");
	(void)lia_turn_queue(b, s->rid, s->rid_len, &ack, &fb);
}

/* The envelope as stored: only the originator's own wrap (it reads its
 * message back to answer consent requests) and those of the permitted
 * candidates. The broker keeps no wrap for a principal it withheld the
 * message from or never considered, so a copy taken from the store opens
 * for nobody else (issue 10, item 2); onward dissemination adds wraps
 * later from the originator's own copy (onward.c). *kept is the decoded
 * result, for the envelope cache. 0, or -1 with err. */
static int kept_wraps(const struct lia_broker *b, const struct lia_session *s,
		      const struct lia_admission *a, size_t nc, const bool *permit, uint8_t **out,
		      size_t *out_len, struct lia_envelope **kept, char err[static LIA_ERR_MAX])
{
	uint8_t(*kids)[LIA_KEYID_BYTES] = calloc(nc + 1, sizeof *kids);
	if (kids == NULL)
		return lia_errf(err, "out of memory keeping the wraps");
	size_t n = 0, got = 0;
	memcpy(kids[n++], s->cert.box_kid, LIA_KEYID_BYTES);
	for (size_t i = 0; i < nc; i++)
		if (permit[i])
			memcpy(kids[n++], b->cand[i].who->cert.box_kid, LIA_KEYID_BYTES);
	enum lia_env_status st = lia_envelope_encode_keeping(a->env, (const uint8_t(*)[LIA_KEYID_BYTES])kids,
							     n, out, out_len, &got);
	free(kids);
	if (st == LIA_ENV_OK)
		st = lia_envelope_decode(kept, *out, *out_len);
	if (st != LIA_ENV_OK) {
		free(*out);
		*out = NULL;
		return lia_errf(err, "cannot re-encode the envelope: %s", lia_env_status_str(st));
	}
	return 0;
}

/* The message row of an admitted envelope, received now. */
static void message_row(struct lia_store_message *m, const struct lia_policy *p,
			const struct lia_header *h, int64_t now)
{
	memset(m, 0, sizeof *m);
	memcpy(m->id, h->id, LIA_ID_BYTES);
	memcpy(m->originator, h->originator, LIA_NAME_MAX);
	m->kind = h->kind;
	m->created_at = h->created_at;
	m->received_at = now;
	m->expires_at = lia_policy_expiry(p, h);
	/* An embargoed message is decided as of its release: the delivery
	 * rows wait in the store until then (lia_store_pending), so nothing
	 * is disclosed early and nothing is withheld for being early. */
	m->embargo_until = h->restrictions.embargo_until > now ? h->restrictions.embargo_until : 0;
}

/* The commit stage: the message row, its publish record, one disclose
 * or withhold record and delivery per candidate b->cand[0..nc), all in
 * the turn's transaction, and the acknowledgement queued behind the
 * commit. 0, or -1 when the turn had to be aborted (err says why). */
/* permit[] and decs[] are the caller's decisions for the nc candidates,
 * permitted of them PERMIT (taken before the turn holds any of this
 * publish's writes, so that running out of memory or a refusal costs
 * this publish alone). */
static int publish_commit(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			  const struct lia_admission *a, size_t nc, int64_t now, const bool *permit,
			  const struct lia_decision *decs, size_t permitted, struct lia_store_message *m,
			  const struct lia_verification *req, const struct lia_store_message *orig,
			  int64_t expires_cap, struct lia_envelope **kept, char err[static LIA_ERR_MAX])
{
	const struct lia_header *h = a->h;
	int rc = -1;
	uint8_t *env = NULL;
	size_t env_len = 0;
	message_row(m, b->policy, h, now);
	/* A reply or forward expires no later than what it quotes (quote.h). */
	if (expires_cap != 0 && (m->expires_at == 0 || m->expires_at > expires_cap))
		m->expires_at = expires_cap;
	m->recipients = (uint32_t)permitted;
	m->withheld = (uint32_t)(nc - permitted);
	/* Its publish, disclose and withhold records follow one another
	 * from the ledger's next position: where "who received it" will be
	 * read later, without scanning the ledger. */
	m->ledger_from = lia_ledger_next_seq(b->ledger);
	m->ledger_to = m->ledger_from + 1 + nc;
	size_t hlen;
	const uint8_t *hb = lia_envelope_header_bytes(a->env, &hlen);
	if (kept_wraps(b, s, a, nc, permit, &env, &env_len, kept, err) != 0 ||
	    lia_store_message_add(b->store, m, hb, hlen, env, env_len, err) != 0)
		goto out;
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_PUBLISH);
	lia_rec_message(&r, h);
	lia_rec_party(&r.actor, &s->cert);
	snprintf(r.justification, sizeof r.justification, "%u disclosed, %u withheld", m->recipients,
		 m->withheld);
	uint64_t ledger_to = 0;
	if (lia_rec_append(b, &r) != 0)
		goto out;
	ledger_to = r.seq + 1;
	if (lia_cand_record(b, h, &s->cert, m->seq, m->embargo_until, NULL, nc, permit, decs, &ledger_to) != 0)
		goto out;
	assert(r.seq == m->ledger_from && ledger_to == m->ledger_to);
	/* A verification request's or answer's own record follows its
	 * publication's (verify.h). */
	if (lia_verif_commit(b, &s->cert, h, m, req, now) != 0)
		goto out;
	/* What it replies to or forwards, for its thread (quote.h). */
	if (h->has_in_reply_to && lia_store_reply_add(b->store, m->seq, h->in_reply_to, err) != 0)
		goto out;
	/* So is a recall's or a correction's (recall.h). */
	if (orig != NULL && lia_recall_commit(b, &s->cert, h, m, orig, now) != 0)
		goto out;
	struct lia_frame ack, fb;
	lia_frame_init(&ack, LIA_FRAME_PUBLISH_ACK, f->request_id);
	ack.u.publish_ack.accepted = true;
	memcpy(ack.u.publish_ack.message_id, h->id, LIA_ID_BYTES);
	/* The originator's own count, not the exchange's (issue 10, item 6). */
	ack.u.publish_ack.sequence = m->number;
	ack.u.publish_ack.recipients = m->recipients;
	ack.u.publish_ack.withheld = m->withheld;
	ack_refusal(&fb, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL,
		    "the broker could not make the message durable; publish it again");
	rc = lia_turn_queue(b, s->rid, s->rid_len, &ack, &fb);
out:
	free(env);
	return rc;
}

/* The pipeline: admission (admit.h), candidates (candidates.h), the
 * commit; the budget is spent only for a message that got this far. */
void lia_publish_handle(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	int64_t now = lia_now();
	struct lia_rate *rate = rate_of(b, s->cert.subject);
	struct lia_admit_input in = {
		.policy = b->policy, .crl = &b->dir.crl, .store = b->store,
		.sender = &s->cert, .dir = &b->dir, .rate = rate, .now = now,
	};
	struct lia_admission a;
	bool *permit = NULL;
	struct lia_decision *decs = NULL;
	/* What it quotes, and what the message a correction replaces
	 * quotes (quote.h). */
	struct lia_quote_chain q = {0};
	switch (lia_admit(&a, &in, f->u.publish.envelope.p, f->u.publish.envelope.len)) {
	case LIA_ADMIT_REFUSE:
		refuse_publish(b, s, f->request_id, a.h != NULL ? a.h->id : NULL, a.refusal,
			       a.rule[0] ? a.rule : NULL, a.reason);
		goto out;
	case LIA_ADMIT_DUPLICATE:
		ack_duplicate(b, s, f->request_id, &a);
		goto out;
	case LIA_ADMIT_ACCEPT:
		break;
	}
	const struct lia_header *h = a.h;
	char why[LIA_DETAIL_MAX];
	size_t nc = 0;
	/* A verification request goes to its office, an answer to its
	 * requester, nowhere else (verify.h). */
	bool verif = h->kind == LIA_KIND_VERIFICATION_REQUEST || h->kind == LIA_KIND_VERIFICATION_ANSWER;
	struct lia_verification req;
	char rule[LIA_RULE_ID_MAX];
	/* A recall or correction goes to the holders of the original
	 * (recall.h). */
	bool sup = lia_recall_applies(h);
	struct lia_store_message orig;
	enum lia_refusal code;
	if (h->kind == LIA_KIND_RECALL && !h->has_supersedes) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_POLICY, "recall.missing",
			       "a recall names the message it recalls (supersedes): use 'liaison recall ID'");
		goto out;
	}
	if (sup) {
		if (lia_recall_gather(b, &s->cert, h, &f->u.publish.to, now, &nc, &orig, &code, rule, why) != 0) {
			refuse_publish(b, s, f->request_id, h->id, code, rule[0] ? rule : NULL, why);
			goto out;
		}
	} else if (verif) {
		if (lia_verif_gather(b, &s->cert, h, &f->u.publish.to, &nc, &req, rule, why) != 0) {
			refuse_publish(b, s, f->request_id, h->id,
				       rule[0] ? LIA_REFUSAL_POLICY : LIA_REFUSAL_UNAVAILABLE,
				       rule[0] ? rule : NULL, why);
			goto out;
		}
	} else if (lia_cand_gather(b->cand, CANDIDATES_MAX, &nc, &b->dir, b->feeds, b->n_feeds, &s->cert, h,
				   &f->u.publish.to, why) != 0) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNKNOWN_RECIPIENT, NULL, why);
		goto out;
	}
	/* A reply or a forward: what it quotes must be the sender's to
	 * quote, and its marking at least as strict; a correction carries
	 * what the original quoted as much as the original did. Either way
	 * the rules of everything it names bind it (quote.h). */
	bool quotes = lia_quote_applies(h);
	int deep = 0;
	if (quotes && lia_quote_check(b, &s->cert, h, now, &q, &code, rule, why) != 0) {
		refuse_publish(b, s, f->request_id, h->id, code, rule[0] ? rule : NULL, why);
		goto out;
	}
	if (!quotes && sup && h->kind != LIA_KIND_RECALL &&
	    (deep = lia_quote_chain_of(b, h, s->cert.subject, now, &q)) != 0) {
		if (deep < 0)
			refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL,
				       "the broker cannot read what the original quotes now; publish again");
		else
			refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_POLICY, "quote.depth",
				       "the message it corrects quotes or corrects too many messages in turn: "
				       "start a new message instead");
		goto out;
	}
	/* It expires no later than what it quotes. */
	int64_t expires_cap = lia_quote_expiry(&q);
	if (expires_cap != 0 && h->restrictions.embargo_until >= expires_cap) {
		char ts[32];
		lia_time_format(expires_cap, ts);
		snprintf(why, sizeof why, "its embargo would end after what it quotes expires (%s): nobody "
			 "could receive it; set an earlier embargo",
			 ts);
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_POLICY, "quote.expiry", why);
		goto out;
	}
	permit = calloc(nc ? nc : 1, sizeof *permit);
	decs = calloc(nc ? nc : 1, sizeof *decs);
	if (permit == NULL || decs == NULL) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "out of memory");
		goto out;
	}
	/* decide() for every candidate, once: pure. An embargoed message is
	 * decided as of its release (message_row). */
	int64_t decide_at = h->restrictions.embargo_until > now ? h->restrictions.embargo_until : now;
	size_t permitted = lia_cand_decide(b->policy, &b->dir.crl, b->cand, nc, h, &s->cert, a.env,
					   LIA_PATH_DIRECT, NULL, 0, decide_at, permit, decs);
	/* Nobody the quoted messages' own rules refuse (quote.h). */
	size_t first = nc;
	if (q.n > 0 && lia_quote_decide(b, &q, nc, permit, decs, decide_at, now, &permitted, &first) != 0) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL,
			       "the broker could not tell who holds what it quotes; publish again");
		goto out;
	}
	/* A verification request or answer, a reply or a forward that
	 * nobody may receive is refused whole, with the rule that refused
	 * its first candidate (the first the quoted message's rules
	 * refused, if any): a request no office can read would only run out
	 * its deadline, a forward to no one is a refused forward. */
	if ((verif || quotes) && permitted == 0 && nc > 0) {
		size_t i = first < nc ? first : 0;
		char msg[LIA_NAME_MAX + LIA_DECISION_REASON_MAX + 32];
		snprintf(msg, sizeof msg, "%s may not receive it: %s", b->cand[i].who->cert.subject,
			 decs[i].reason);
		lia_rec_text(why, sizeof why, msg);
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_POLICY,
			       decs[i].rule == LIA_RULE_NONE ? (first < nc ? "quote.onward" : "envelope.no-wrap")
							    : lia_rule_id(decs[i].rule),
			       why);
		goto out;
	}
	if (lia_turn_need(b) != 0) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "store unavailable");
		goto out;
	}
	char err[LIA_ERR_MAX] = "ledger append failed (see above)";
	struct lia_store_message m;
	struct lia_envelope *kept = NULL;
	if (publish_commit(b, s, f, &a, nc, now, permit, decs, permitted, &m, verif ? &req : NULL,
			   sup ? &orig : NULL, expires_cap, &kept, err) != 0) {
		lia_envelope_destroy(&kept);
		/* The transaction is now suspect: abort the whole turn. */
		lia_blog("store-error", "%s", err);
		lia_turn_abort(b, "a publish could not be stored");
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "store error");
		goto out;
	}
	lia_rate_spend(rate, LIA_LIMIT_PUBLISH, now);
	char idh[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idh, h->id);
	lia_blog("publish", "id=%s from=%s kind=%s tlp=%s seq=%" PRIu64 " disclosed=%u withheld=%u", idh,
		 s->cert.subject, lia_kind_str(h->kind), lia_tlp_str(h->restrictions.tlp), m.seq,
		 m.recipients, m.withheld);
	lia_envcache_put(b, m.seq, &kept);
out:
	lia_quote_chain_free(&q);
	free(permit);
	free(decs);
	lia_admission_clear(&a);
}
