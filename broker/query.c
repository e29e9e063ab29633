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

/* A disclose or withhold justification reads "via LABEL: reason" or
 * "via LABEL (embargoed until T): reason", LABEL "direct", "consent N"
 * or the name of the recipient's feed (candidates.c). A feed name tells
 * what another agency watches (issue 10, item 7): to anyone but that
 * subscriber and auditors it reads "via a feed". Feed names are
 * [a-z0-9-] (core/feed.c), so the name ends at ':' or " ("; "consent N"
 * has a space and a number there instead, and is kept. */
static void hide_feed(char *reason, size_t cap)
{
	static const char via[] = "via ";
	if (strncmp(reason, via, sizeof via - 1) != 0)
		return;
	char *name = reason + sizeof via - 1, *end = name;
	while ((*end >= 'a' && *end <= 'z') || (*end >= '0' && *end <= '9') || *end == '-')
		end++;
	if (end == name || (*end != ':' && strncmp(end, " (", 2) != 0) ||
	    (end - name == 6 && strncmp(name, "direct", 6) == 0))
		return;
	/* Shorter than the name it replaces unless the name is under six
	 * characters; the reason is cut at cap, as anywhere. */
	char out[LIA_DETAIL_MAX + 16];
	int n = snprintf(out, sizeof out, "via a feed%s", end);
	if (n >= 0)
		snprintf(reason, cap, "%.*s", (int)(cap - 1), out);
}

/* An answer being built, and what it holds until it is sent. */
struct answer {
	struct lia_frame r;    /* the AuditAnswer */
	struct lia_record rec; /* the query's own record */
	struct disc_ctx dc;
	char *note;
	struct lia_merkle_proof proof;
	struct lia_bytes *recs;
	uint8_t **rec_bufs;
	size_t n_recs;
};

static void answer_free(struct answer *a)
{
	if (a->rec_bufs != NULL)
		for (size_t i = 0; i < a->n_recs; i++)
			free(a->rec_bufs[i]);
	free(a->rec_bufs);
	free(a->recs);
	free(a->note);
	free(a->dc.v);
}

/* Who received message_id: its disclose and withhold records, read by
 * the ranges the store keeps (the publication's and each granted
 * consent's), and whether each recipient acknowledged. 0, or -1 replied. */
static int answer_disclosures(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			      bool auditor, struct answer *a)
{
	char err[LIA_ERR_MAX];
	struct lia_store_message m;
	if (!f->u.audit_query.has_message_id) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, "message_id is required");
		return -1;
	}
	int found = lia_store_message_find(b->store, f->u.audit_query.message_id, &m);
	/* Originators ask about their own messages; auditors about any. */
	if (found != 1 || (!auditor && strcmp(m.originator, s->cert.subject) != 0)) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
				"you published no message with that id");
		return -1;
	}
	struct disc_ctx *dc = &a->dc;
	dc->cap = LIA_LIST_REPLY_MAX;
	dc->v = calloc(dc->cap, sizeof *dc->v);
	struct lia_store_range ranges[1 + CONSENTS_PER_MESSAGE];
	size_t n_ranges = 0;
	struct lia_ledger_filter lf = {0};
	lf.has_message_id = true;
	memcpy(lf.message_id, m.id, LIA_ID_BYTES);
	lf.ops = (1u << LIA_OP_DISCLOSE) | (1u << LIA_OP_WITHHOLD);
	bool ok = dc->v != NULL &&
		  lia_store_ledger_ranges(b->store, m.seq, ranges, 1 + CONSENTS_PER_MESSAGE, &n_ranges) == 0;
	for (size_t i = 0; ok && i < n_ranges; i++) {
		lf.seq_from = ranges[i].from;
		lf.seq_to = ranges[i].to;
		ok = lia_ledger_query(b->ledger, &lf, collect_disclosure, dc, err) == 0;
	}
	if (!ok) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger error");
		return -1;
	}
	for (size_t i = 0; i < dc->n; i++) {
		struct lia_store_delivery d;
		if (!auditor && strcmp(dc->v[i].recipient, s->cert.subject) != 0)
			hide_feed(dc->v[i].reason, sizeof dc->v[i].reason);
		dc->v[i].acknowledged = dc->v[i].disclosed &&
					lia_store_delivery_of(b->store, dc->v[i].recipient, m.id, INT64_MAX, &d) == 1 &&
					d.acked_at != 0;
	}
	a->r.u.audit_answer.disclosures = dc->v;
	a->r.u.audit_answer.n_disclosures = dc->n;
	a->rec.has_message_id = true;
	memcpy(a->rec.message_id, m.id, LIA_ID_BYTES);
	memcpy(a->rec.originator, m.originator, LIA_NAME_MAX);
	snprintf(a->rec.justification, sizeof a->rec.justification, "%s asked who received the message",
		 auditor && strcmp(m.originator, s->cert.subject) != 0 ? "auditor" : "originator");
	return 0;
}

/* Encoded ledger records from..to, within the checkpoint of size. */
static int answer_records(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			  uint64_t size, struct answer *a)
{
	char err[LIA_ERR_MAX];
	uint64_t from = f->u.audit_query.from, to = f->u.audit_query.to;
	if (to > size || from > to || to - from > LIA_LIST_REPLY_MAX) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID,
				"records from..to must lie within the latest checkpoint, at most 1000");
		return -1;
	}
	a->n_recs = (size_t)(to - from);
	a->recs = calloc(a->n_recs ? a->n_recs : 1, sizeof *a->recs);
	a->rec_bufs = calloc(a->n_recs ? a->n_recs : 1, sizeof *a->rec_bufs);
	if (a->recs == NULL || a->rec_bufs == NULL)
		return -1;
	for (size_t i = 0; i < a->n_recs; i++) {
		size_t len;
		if (lia_ledger_get_encoded(b->ledger, from + i, &a->rec_bufs[i], &len, err) != 0)
			return -1;
		a->recs[i] = (struct lia_bytes){a->rec_bufs[i], len};
	}
	a->r.u.audit_answer.records = a->recs;
	a->r.u.audit_answer.n_records = a->n_recs;
	a->r.u.audit_answer.first = from;
	snprintf(a->rec.justification, sizeof a->rec.justification, "records %" PRIu64 "..%" PRIu64, from, to);
	return 0;
}

/* An inclusion or consistency proof between from and to. */
static int answer_proof(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			struct answer *a)
{
	char err[LIA_ERR_MAX];
	const struct lia_frame *q = f;
	bool inclusion = q->u.audit_query.kind == LIA_AUDIT_INCLUSION;
	int rc = inclusion
			 ? lia_ledger_inclusion_proof(b->ledger, q->u.audit_query.from, q->u.audit_query.to, &a->proof, err)
			 : lia_ledger_consistency_proof(b->ledger, q->u.audit_query.from, q->u.audit_query.to, &a->proof, err);
	if (rc != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
		return -1;
	}
	a->r.u.audit_answer.proof = (uint8_t(*)[32])a->proof.h;
	a->r.u.audit_answer.n_proof = a->proof.n;
	snprintf(a->rec.justification, sizeof a->rec.justification, "%s proof %" PRIu64 " in %" PRIu64,
		 inclusion ? "inclusion" : "consistency", q->u.audit_query.from, q->u.audit_query.to);
	return 0;
}

/* The auditor's queries: each answer carries the latest checkpoint.
 * (Others' checkpoint and consistency queries: answer_ledger_state.) */
static int answer_ledger(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			 bool auditor, struct answer *a)
{
	char err[LIA_ERR_MAX];
	if (!auditor) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
				"only auditors read ledger records and inclusion proofs");
		return -1;
	}
	uint64_t size = 0;
	size_t note_len = 0;
	if (lia_ledger_checkpoint_latest(b->ledger, &size, &a->note, &note_len, err) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "no checkpoint yet");
		return -1;
	}
	a->r.u.audit_answer.checkpoint = (struct lia_bytes){(const uint8_t *)a->note, note_len};
	switch (f->u.audit_query.kind) {
	case LIA_AUDIT_CHECKPOINT:
		snprintf(a->rec.justification, sizeof a->rec.justification, "checkpoint at size %" PRIu64, size);
		return 0;
	case LIA_AUDIT_RECORDS:
		return answer_records(b, s, f, size, a);
	case LIA_AUDIT_INCLUSION:
	case LIA_AUDIT_CONSISTENCY:
		return answer_proof(b, s, f, a);
	default:
		return -1;
	}
}

/* Issue 12, item 5: any principal may read the latest checkpoint and a
 * consistency proof between two sizes within it, so that its agent can
 * tell a ledger that only grew from one rolled back or forked. Both are
 * sizes and hashes: no record, nothing about any message, and no size
 * beyond the latest signed one, so that the proof's answer cannot be
 * used to probe how many records exist now (docs/security.md, "Issue
 * 12, item 5"). Not a disclosure, so not recorded: a record per check
 * would also grow the ledger by every agent's every command, and each
 * new checkpoint would then call for the next check. Costs O(log n)
 * reads; no budget, like Ping. Answered from committed state: a
 * checkpoint covers committed records only. */
static void answer_ledger_state(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	char err[LIA_ERR_MAX];
	struct answer a;
	memset(&a, 0, sizeof a);
	lia_frame_init(&a.r, LIA_FRAME_AUDIT_ANSWER, f->request_id);
	uint64_t size = 0;
	size_t note_len = 0;
	if (lia_ledger_checkpoint_latest(b->ledger, &size, &a.note, &note_len, err) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "no checkpoint yet");
		goto out;
	}
	a.r.u.audit_answer.checkpoint = (struct lia_bytes){(const uint8_t *)a.note, note_len};
	if (f->u.audit_query.kind == LIA_AUDIT_CONSISTENCY) {
		if (f->u.audit_query.to > size || f->u.audit_query.from > f->u.audit_query.to) {
			char detail[LIA_DETAIL_MAX];
			snprintf(detail, sizeof detail,
				 "a consistency proof from..to must lie within the latest checkpoint (%" PRIu64
				 " records)", size);
			lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, detail);
			goto out;
		}
		if (answer_proof(b, s, f, &a) != 0)
			goto out;
	}
	lia_reply_now(b, s->rid, s->rid_len, &a.r);
out:
	answer_free(&a);
}

void lia_query_audit(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	bool auditor = lia_cert_has_role(&s->cert, LIA_ROLE_AUDITOR);
	if (!auditor && (f->u.audit_query.kind == LIA_AUDIT_CHECKPOINT || f->u.audit_query.kind == LIA_AUDIT_CONSISTENCY)) {
		answer_ledger_state(b, s, f);
		return;
	}
	int64_t now = lia_now();
	/* A repeat of the query last recorded is answered as usual and
	 * counted, not recorded; any other is recorded within the budget
	 * (budget.h, issue 11, item 2). */
	int repeat = lia_limit_repeat(b, s, f, now);
	if (repeat < 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger error");
		return;
	}
	if (repeat == 0 && !lia_limit_check(b, s, f, LIA_LIMIT_AUDIT_QUERY, now, false))
		return;
	struct answer a;
	memset(&a, 0, sizeof a);
	lia_frame_init(&a.r, LIA_FRAME_AUDIT_ANSWER, f->request_id);
	lia_rec_init(b, &a.rec, LIA_OP_AUDIT_QUERY);
	lia_rec_party(&a.rec.actor, &s->cert);
	int rc = f->u.audit_query.kind == LIA_AUDIT_DISCLOSURES ? answer_disclosures(b, s, f, auditor, &a)
								 : answer_ledger(b, s, f, auditor, &a);
	if (rc != 0)
		goto out;
	/* The query is itself a record, committed before the answer leaves;
	 * a repeat's is the first one's, its count written later. */
	if (repeat == 1) {
		a.rec.seq = lia_limit_repeat_seq(b, s);
	} else if (lia_rec_append(b, &a.rec) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger error");
		goto out;
	} else {
		lia_limit_spend(b, s, LIA_LIMIT_AUDIT_QUERY, now);
		lia_limit_recorded(b, s, f, now, &a.rec);
	}
	/* A ledger sequence number counts everyone's records: only auditors,
	 * who read the whole ledger anyway, are told it (issue 10, item 6). */
	if (auditor)
		a.r.u.audit_answer.query_record = a.rec.seq;
	struct lia_frame fb;
	lia_frame_init(&fb, LIA_FRAME_ERROR, f->request_id);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	(void)lia_turn_queue(b, s->rid, s->rid_len, &a.r, &fb);
	if (repeat == 0)
		lia_blog("audit-query", "by=%s what=\"%s\"", s->cert.subject, a.rec.justification);
out:
	answer_free(&a);
}
