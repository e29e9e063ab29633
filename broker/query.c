/* query.c — see query.h. */
#include "query.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "record.h"
#include "turn.h"
#include "util.h"

struct disc_ctx {
	struct lia_disclosure *v;
	size_t n, cap;
};

static int collect_disclosure(void *p, const struct lia_record *r)
{
	struct disc_ctx *c = p;
	if (c->n >= c->cap)
		return 0;
	struct lia_disclosure *d = &c->v[c->n];
	memset(d, 0, sizeof *d);
	memcpy(d->recipient, r->recipient.subject, LIA_NAME_MAX);
	d->disclosed = r->op == LIA_OP_DISCLOSE;
	lia_rec_text(d->rule, sizeof d->rule, r->rule);
	lia_rec_text(d->reason, sizeof d->reason, r->justification);
	d->at = r->time;
	c->n++;
	return 0;
}

void lia_query_audit(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	char err[LIA_ERR_MAX];
	bool auditor = lia_cert_has_role(&s->cert, LIA_ROLE_AUDITOR);
	const struct lia_frame *q = f;
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_AUDIT_ANSWER, f->request_id);
	struct lia_record rec;
	lia_rec_init(b, &rec, LIA_OP_AUDIT_QUERY);
	lia_rec_party(&rec.actor, &s->cert);
	struct disc_ctx dc = {0};
	char *note = NULL;
	struct lia_merkle_proof proof;
	struct lia_bytes *recs = NULL;
	uint8_t **rec_bufs = NULL;
	size_t n_recs = 0;

	if (q->u.audit_query.kind == LIA_AUDIT_DISCLOSURES) {
		struct lia_store_message m;
		if (!q->u.audit_query.has_message_id) {
			lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, "message_id is required");
			return;
		}
		int found = lia_store_message_find(b->store, q->u.audit_query.message_id, &m);
		/* Originators ask about their own messages; auditors about any. */
		if (found != 1 || (!auditor && strcmp(m.originator, s->cert.subject) != 0)) {
			lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
				    "you published no message with that id");
			return;
		}
		dc.cap = LIA_LIST_REPLY_MAX;
		dc.v = calloc(dc.cap, sizeof *dc.v);
		/* The publication's records and each granted consent's, read by
		 * key: never a ledger scan in the event loop. */
		struct lia_store_range ranges[1 + CONSENTS_PER_MESSAGE];
		size_t n_ranges = 0;
		struct lia_ledger_filter lf = {0};
		lf.has_message_id = true;
		memcpy(lf.message_id, m.id, LIA_ID_BYTES);
		lf.ops = (1u << LIA_OP_DISCLOSE) | (1u << LIA_OP_WITHHOLD);
		bool ok = dc.v != NULL &&
			  lia_store_ledger_ranges(b->store, m.seq, ranges, 1 + CONSENTS_PER_MESSAGE, &n_ranges) == 0;
		for (size_t i = 0; ok && i < n_ranges; i++) {
			lf.seq_from = ranges[i].from;
			lf.seq_to = ranges[i].to;
			ok = lia_ledger_query(b->ledger, &lf, collect_disclosure, &dc, err) == 0;
		}
		if (!ok) {
			lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger error");
			goto out;
		}
		for (size_t i = 0; i < dc.n; i++) {
			struct lia_store_delivery d;
			dc.v[i].acknowledged = dc.v[i].disclosed &&
					       lia_store_delivery_of(b->store, dc.v[i].recipient, m.id, INT64_MAX, &d) == 1 &&
					       d.acked_at != 0;
		}
		r.u.audit_answer.disclosures = dc.v;
		r.u.audit_answer.n_disclosures = dc.n;
		rec.has_message_id = true;
		memcpy(rec.message_id, m.id, LIA_ID_BYTES);
		memcpy(rec.originator, m.originator, LIA_NAME_MAX);
		snprintf(rec.justification, sizeof rec.justification, "%s asked who received the message",
			 auditor && strcmp(m.originator, s->cert.subject) != 0 ? "auditor" : "originator");
	} else {
		if (!auditor) {
			lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
				    "only auditors read the ledger, checkpoints and proofs");
			return;
		}
		uint64_t size = 0;
		size_t note_len = 0;
		if (lia_ledger_checkpoint_latest(b->ledger, &size, &note, &note_len, err) != 0) {
			lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "no checkpoint yet");
			return;
		}
		r.u.audit_answer.checkpoint = (struct lia_bytes){(const uint8_t *)note, note_len};
		switch (q->u.audit_query.kind) {
		case LIA_AUDIT_CHECKPOINT:
			snprintf(rec.justification, sizeof rec.justification, "checkpoint at size %" PRIu64, size);
			break;
		case LIA_AUDIT_RECORDS: {
			uint64_t from = q->u.audit_query.from, to = q->u.audit_query.to;
			if (to > size || from > to || to - from > LIA_LIST_REPLY_MAX) {
				lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID,
					    "records from..to must lie within the latest checkpoint, at most 1000");
				goto out;
			}
			n_recs = (size_t)(to - from);
			recs = calloc(n_recs ? n_recs : 1, sizeof *recs);
			rec_bufs = calloc(n_recs ? n_recs : 1, sizeof *rec_bufs);
			if (recs == NULL || rec_bufs == NULL)
				goto out;
			for (size_t i = 0; i < n_recs; i++) {
				size_t len;
				if (lia_ledger_get_encoded(b->ledger, from + i, &rec_bufs[i], &len, err) != 0)
					goto out;
				recs[i] = (struct lia_bytes){rec_bufs[i], len};
			}
			r.u.audit_answer.records = recs;
			r.u.audit_answer.n_records = n_recs;
			r.u.audit_answer.first = from;
			snprintf(rec.justification, sizeof rec.justification, "records %" PRIu64 "..%" PRIu64, from, to);
			break;
		}
		case LIA_AUDIT_INCLUSION:
		case LIA_AUDIT_CONSISTENCY: {
			int rc = q->u.audit_query.kind == LIA_AUDIT_INCLUSION
					 ? lia_ledger_inclusion_proof(b->ledger, q->u.audit_query.from, q->u.audit_query.to, &proof, err)
					 : lia_ledger_consistency_proof(b->ledger, q->u.audit_query.from, q->u.audit_query.to, &proof, err);
			if (rc != 0) {
				lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
				goto out;
			}
			r.u.audit_answer.proof = (uint8_t(*)[32])proof.h;
			r.u.audit_answer.n_proof = proof.n;
			snprintf(rec.justification, sizeof rec.justification, "%s proof %" PRIu64 " in %" PRIu64,
				 q->u.audit_query.kind == LIA_AUDIT_INCLUSION ? "inclusion" : "consistency",
				 q->u.audit_query.from, q->u.audit_query.to);
			break;
		}
		default:
			goto out;
		}
	}
	/* The query is itself a record, committed before the answer leaves. */
	if (lia_rec_append(b, &rec) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger error");
		goto out;
	}
	r.u.audit_answer.query_record = rec.seq;
	struct lia_frame fb;
	lia_frame_init(&fb, LIA_FRAME_ERROR, f->request_id);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	lia_turn_queue(b, s->rid, s->rid_len, &r, &fb);
	lia_blog("audit-query", "by=%s what=\"%s\"", s->cert.subject, rec.justification);
out:
	if (rec_bufs != NULL)
		for (size_t i = 0; i < n_recs; i++)
			free(rec_bufs[i]);
	free(rec_bufs);
	free(recs);
	free(note);
	free(dc.v);
}
