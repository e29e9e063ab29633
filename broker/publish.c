/* publish.c — see publish.h. */
#include "publish.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "candidates.h"
#include "record.h"
#include "turn.h"
#include "decide.h"
#include "util.h"

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

static void refuse_publish(struct lia_broker *b, struct session *s, uint64_t req, const uint8_t *id,
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

static bool feed_seen(const struct candidate *c, size_t n, const char *subject)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].who->cert.subject, subject) == 0)
			return true;
	return false;
}

void lia_publish_handle(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	int64_t now = lia_now();
	struct lia_envelope *e = NULL;
	enum lia_env_status st = lia_envelope_decode(&e, f->u.publish.envelope.p, f->u.publish.envelope.len);
	if (st != LIA_ENV_OK) {
		refuse_publish(b, s, f->request_id, NULL,
			       st == LIA_ENV_TOO_LARGE ? LIA_REFUSAL_TOO_LARGE : LIA_REFUSAL_MALFORMED,
			       NULL, lia_env_status_str(st));
		return;
	}
	const struct lia_header *h = lia_envelope_header(e);
	/* The originator is who the ZAP handler authenticated, not a field. */
	if (strcmp(h->originator, s->cert.subject) != 0 ||
	    memcmp(h->originator_sign_kid, s->cert.sign_kid, LIA_KEYID_BYTES) != 0) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_NOT_ORIGINATOR, NULL,
			       "the envelope is signed by another principal than this connection's");
		goto out;
	}
	/* A repeated id returns the original acknowledgement. */
	struct lia_store_message m;
	int found = lia_store_message_find(b->store, h->id, &m);
	if (found < 0) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "store error");
		goto out;
	}
	if (found == 1) {
		struct lia_frame a;
		lia_frame_init(&a, LIA_FRAME_PUBLISH_ACK, f->request_id);
		bool same = strcmp(m.originator, s->cert.subject) == 0;
		a.u.publish_ack.accepted = same;
		memcpy(a.u.publish_ack.message_id, h->id, LIA_ID_BYTES);
		a.u.publish_ack.duplicate = true;
		if (same) {
			a.u.publish_ack.sequence = m.seq;
			a.u.publish_ack.recipients = m.recipients;
			a.u.publish_ack.withheld = m.withheld;
		} else {
			a.u.publish_ack.refusal = LIA_REFUSAL_MALFORMED;
			snprintf(a.u.publish_ack.reason, sizeof a.u.publish_ack.reason, "message id already used");
		}
		/* The original may still be in this turn's transaction. */
		struct lia_frame fb;
		ack_refusal(&fb, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL,
			    "the broker could not confirm the original; publish it again");
		lia_turn_queue(b, s->rid, s->rid_len, &a, &fb);
		goto out;
	}
	st = lia_envelope_verify(e, &s->cert, &b->dir.crl);
	if (st != LIA_ENV_OK) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_VERIFICATION, NULL, lia_env_status_str(st));
		goto out;
	}
	if (b->policy->publish_per_hour > 0 && b->rates != NULL) {
		const struct lia_directory_entry *me = lia_directory_find(&b->dir, s->cert.subject);
		struct rate *r = me ? &b->rates[me - b->dir.v] : NULL;
		if (r != NULL && now - r->window_start >= 3600) {
			r->window_start = now;
			r->count = 0;
		}
		if (r != NULL && r->count >= b->policy->publish_per_hour) {
			char why[LIA_DETAIL_MAX];
			snprintf(why, sizeof why, "at most %u publications per hour for each principal",
				 b->policy->publish_per_hour);
			refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_RATE, NULL, why);
			goto out;
		}
		if (r != NULL)
			r->count++;
	}
	int64_t skew = b->policy->skew_seconds;
	if (h->created_at < now - skew || h->created_at > now + skew) {
		char why[LIA_DETAIL_MAX];
		snprintf(why, sizeof why, "created_at is %" PRId64 " s from the broker clock; at most %" PRId64,
			 h->created_at - now, skew);
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_SKEW, NULL, why);
		goto out;
	}
	struct lia_decision dec;
	if (lia_admissible(&dec, b->policy, h, &s->cert, &b->dir.crl, now) != LIA_PERMIT) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_POLICY, lia_rule_id(dec.rule), dec.reason);
		goto out;
	}
	/* Candidates: principals addressed directly, then feed subscribers. */
	size_t nc = 0;
	for (size_t i = 0; i < f->u.publish.to.n; i++) {
		const struct lia_directory_entry *who = lia_directory_find(&b->dir, f->u.publish.to.v[i]);
		if (who == NULL) {
			char why[LIA_DETAIL_MAX];
			snprintf(why, sizeof why, "\"%s\" is not in the directory", f->u.publish.to.v[i]);
			refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNKNOWN_RECIPIENT, NULL, why);
			goto out;
		}
		if (strcmp(who->cert.subject, s->cert.subject) == 0 || feed_seen(b->cand, nc, who->cert.subject))
			continue;
		b->cand[nc].who = who;
		memcpy(b->cand[nc].via, "direct", 7);
		nc++;
	}
	for (size_t i = 0; i < b->n_feeds && nc < CANDIDATES_MAX; i++) {
		const struct lia_store_feed *fd = &b->feeds[i];
		if (strcmp(fd->subscriber, s->cert.subject) == 0 || feed_seen(b->cand, nc, fd->subscriber) ||
		    !lia_feed_filter_match(&fd->filter, h))
			continue;
		const struct lia_directory_entry *who = lia_directory_find(&b->dir, fd->subscriber);
		if (who == NULL)
			continue;
		b->cand[nc].who = who;
		memcpy(b->cand[nc].via, fd->name, LIA_FEED_NAME_MAX);
		nc++;
	}
	if (lia_turn_need(b) != 0) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "store unavailable");
		goto out;
	}
	/* Decide for every candidate; the records and deliveries go into
	 * this turn's transaction, and nothing is sent before its commit. */
	char err[LIA_ERR_MAX] = "ledger append failed (see above)";
	struct lia_record r;
	memset(&m, 0, sizeof m);
	memcpy(m.id, h->id, LIA_ID_BYTES);
	memcpy(m.originator, h->originator, LIA_NAME_MAX);
	m.kind = h->kind;
	m.created_at = h->created_at;
	m.received_at = now;
	m.expires_at = lia_policy_expiry(b->policy, h);
	/* An embargoed message is decided as of its release: the delivery
	 * rows wait in the store until then (lia_store_pending), so nothing
	 * is disclosed early and nothing is withheld for being early. */
	m.embargo_until = h->restrictions.embargo_until > now ? h->restrictions.embargo_until : 0;
	int64_t decide_at = m.embargo_until ? m.embargo_until : now;
	bool *permit = calloc(nc ? nc : 1, sizeof *permit);
	struct lia_decision *decs = calloc(nc ? nc : 1, sizeof *decs);
	if (permit == NULL || decs == NULL) {
		free(permit);
		free(decs);
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "out of memory");
		goto out;
	}
	m.recipients = (uint32_t)lia_cand_decide(b, h, &s->cert, e, LIA_PATH_DIRECT, NULL, 0, decide_at, nc,
						    permit, decs);
	m.withheld = (uint32_t)(nc - m.recipients);
	/* Its publish, disclose and withhold records follow one another
	 * from the ledger's next position: where "who received it" will be
	 * read later, without scanning the ledger. */
	m.ledger_from = lia_ledger_next_seq(b->ledger);
	m.ledger_to = m.ledger_from + 1 + nc;
	size_t hlen;
	const uint8_t *hb = lia_envelope_header_bytes(e, &hlen);
	if (lia_store_message_add(b->store, &m, hb, hlen, f->u.publish.envelope.p,
				  f->u.publish.envelope.len, err) != 0)
		goto fail;
	lia_rec_init(b, &r, LIA_OP_PUBLISH);
	lia_rec_message(&r, h);
	lia_rec_party(&r.actor, &s->cert);
	snprintf(r.justification, sizeof r.justification, "%u disclosed, %u withheld", m.recipients, m.withheld);
	if (lia_rec_append(b, &r) != 0)
		goto fail;
	uint64_t ledger_to = r.seq + 1;
	if (lia_cand_record(b, h, &s->cert, m.seq, m.embargo_until, NULL, nc, permit, decs, &ledger_to) != 0)
		goto fail;
	assert(r.seq == m.ledger_from && ledger_to == m.ledger_to);
	free(permit);
	free(decs);
	struct lia_frame a, fb;
	lia_frame_init(&a, LIA_FRAME_PUBLISH_ACK, f->request_id);
	a.u.publish_ack.accepted = true;
	memcpy(a.u.publish_ack.message_id, h->id, LIA_ID_BYTES);
	a.u.publish_ack.sequence = m.seq;
	a.u.publish_ack.recipients = m.recipients;
	a.u.publish_ack.withheld = m.withheld;
	ack_refusal(&fb, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL,
		    "the broker could not make the message durable; publish it again");
	if (lia_turn_queue(b, s->rid, s->rid_len, &a, &fb) != 0)
		goto fail_nofree;
	char idh[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idh, h->id);
	lia_blog("publish", "id=%s from=%s kind=%s tlp=%s seq=%" PRIu64 " disclosed=%u withheld=%u", idh,
	     s->cert.subject, lia_kind_str(h->kind), lia_tlp_str(h->restrictions.tlp), m.seq,
	     m.recipients, m.withheld);
	lia_envcache_put(b, m.seq, &e);
	goto out;
fail:
	free(permit);
	free(decs);
fail_nofree:
	/* The transaction is now suspect: abort the whole turn. */
	lia_blog("store-error", "%s", err);
	lia_turn_abort(b, "a publish could not be stored");
	refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "store error");
out:
	lia_envelope_destroy(&e);
}
