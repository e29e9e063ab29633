/*
 * frame_audit.c — the audit conversation: AuditQuery and AuditAnswer
 * (disclosures of a message, the signed checkpoint, ledger records and
 * Merkle proofs).
 */
#include "frame_int.h"

#include <stdlib.h>
#include <string.h>

#define RECORD_MAX (64 * 1024)  /* one ledger record in an answer */

static int audit_query_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			      char why[static LIA_ERR_MAX])
{
	const Liaison__V1__AuditQuery *m = pb->audit_query;
	if (!lia_pb_enum_in((int)m->kind, 1, LIA_AUDIT_CONSISTENCY))
		return lia_wire_fail(why, "audit query kind: unknown");
	f->u.audit_query.kind = (enum lia_audit_kind)m->kind;
	if (m->message_id.len != 0) {
		if (lia_wire_id_in(f->u.audit_query.message_id, &m->message_id, "message_id", why))
			return -1;
		f->u.audit_query.has_message_id = true;
	}
	f->u.audit_query.from = m->from;
	f->u.audit_query.to = m->to;
	return 0;
}

static int audit_query_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__AuditQuery *m = &e->m.audit_query;
	liaison__v1__audit_query__init(m);
	m->kind = (Liaison__V1__AuditQueryKind)f->u.audit_query.kind;
	if (f->u.audit_query.has_message_id)
		m->message_id = BIN(f->u.audit_query.message_id, LIA_ID_BYTES);
	m->from = f->u.audit_query.from;
	m->to = f->u.audit_query.to;
	e->fr.audit_query = m;
	return 0;
}

static int disclosure_in(void *out, const void *in, char why[static LIA_ERR_MAX])
{
	struct lia_disclosure *o = out;
	const Liaison__V1__DisclosureEntry *d = in;
	if (lia_wire_name_in(o->recipient, d->recipient, lia_name_is_subject, "recipient", why) ||
	    lia_wire_str_in(o->rule, LIA_RULE_ID_MAX, d->rule, "rule", why) ||
	    lia_wire_str_in(o->reason, LIA_DETAIL_MAX, d->reason, "reason", why))
		return -1;
	o->disclosed = d->disclosed;
	o->at = d->at;
	o->acknowledged = d->acknowledged;
	return 0;
}

static int disclosures_in(struct lia_frame *f, const Liaison__V1__AuditAnswer *m,
			  char why[static LIA_ERR_MAX])
{
	void *v = NULL;
	int rc = lia_wire_list_in(&v, &f->u.audit_answer.n_disclosures, sizeof(struct lia_disclosure),
				  (void *const *)m->disclosures, m->n_disclosures, disclosure_in, why);
	f->u.audit_answer.disclosures = v;
	return rc;
}

static int records_in(struct lia_frame *f, const Liaison__V1__AuditAnswer *m,
		      char why[static LIA_ERR_MAX])
{
	if (m->n_records == 0)
		return 0;
	f->u.audit_answer.records = lia_wire_list_alloc(m->n_records, sizeof(struct lia_bytes), why);
	if (f->u.audit_answer.records == NULL)
		return -1;
	for (size_t i = 0; i < m->n_records; i++) {
		if (lia_wire_bytes_in(&f->u.audit_answer.records[i], &m->records[i], RECORD_MAX,
				      "record", why))
			return -1;
		f->u.audit_answer.n_records = i + 1;
	}
	return 0;
}

static int proof_in(struct lia_frame *f, const Liaison__V1__AuditAnswer *m,
		    char why[static LIA_ERR_MAX])
{
	if (m->n_proof == 0)
		return 0;
	f->u.audit_answer.proof = lia_wire_list_alloc(m->n_proof, 32, why);
	if (f->u.audit_answer.proof == NULL)
		return -1;
	for (size_t i = 0; i < m->n_proof; i++) {
		if (lia_pb_fixed(f->u.audit_answer.proof[i], 32, &m->proof[i]) != 0)
			return lia_wire_fail(why, "proof: hashes have 32 bytes");
		f->u.audit_answer.n_proof = i + 1;
	}
	return 0;
}

static int audit_answer_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			       char why[static LIA_ERR_MAX])
{
	const Liaison__V1__AuditAnswer *m = pb->audit_answer;
	if (!lia_pb_count_ok(m->n_disclosures, LIA_LIST_REPLY_MAX) ||
	    !lia_pb_count_ok(m->n_records, LIA_LIST_REPLY_MAX) ||
	    !lia_pb_count_ok(m->n_proof, LIA_PROOF_MAX))
		return lia_wire_fail(why, "audit answer: too many entries");
	if (lia_wire_checkpoint_in(&f->u.audit_answer.checkpoint, m->checkpoint, why))
		return -1;
	f->u.audit_answer.first = m->first;
	f->u.audit_answer.query_record = m->query_record;
	if (disclosures_in(f, m, why) || records_in(f, m, why) || proof_in(f, m, why))
		return -1;
	return 0;
}

static int disclosure_out(void *msg, const void *in, void *ctx, size_t i)
{
	Liaison__V1__DisclosureEntry *o = msg;
	const struct lia_disclosure *d = in;
	(void)ctx;
	(void)i;
	liaison__v1__disclosure_entry__init(o);
	o->recipient = (char *)d->recipient;
	o->disclosed = d->disclosed;
	o->rule = (char *)d->rule;
	o->reason = (char *)d->reason;
	o->at = d->at;
	o->acknowledged = d->acknowledged;
	return 0;
}

static int audit_answer_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	size_t nd = f->u.audit_answer.n_disclosures, nr = f->u.audit_answer.n_records,
	       np = f->u.audit_answer.n_proof;
	if (!lia_pb_count_ok(nd, LIA_LIST_REPLY_MAX) || !lia_pb_count_ok(nr, LIA_LIST_REPLY_MAX) ||
	    !lia_pb_count_ok(np, LIA_PROOF_MAX))
		return -1;
	void **ptrs = lia_wire_list_out(e, nd, sizeof(Liaison__V1__DisclosureEntry),
					f->u.audit_answer.disclosures, sizeof(struct lia_disclosure),
				    disclosure_out, NULL);
	ProtobufCBinaryData *recs = lia_wire_enc_alloc(e, nr, sizeof *recs);
	ProtobufCBinaryData *proof = lia_wire_enc_alloc(e, np, sizeof *proof);
	char *checkpoint = lia_wire_checkpoint_out(e, &f->u.audit_answer.checkpoint);
	if (ptrs == NULL || recs == NULL || proof == NULL || checkpoint == NULL)
		return -1;
	for (size_t i = 0; i < nr; i++)
		recs[i] = BIN(f->u.audit_answer.records[i].p, f->u.audit_answer.records[i].len);
	for (size_t i = 0; i < np; i++)
		proof[i] = BIN(f->u.audit_answer.proof[i], 32);
	Liaison__V1__AuditAnswer *m = &e->m.audit_answer;
	liaison__v1__audit_answer__init(m);
	m->checkpoint = checkpoint;
	m->first = f->u.audit_answer.first;
	m->query_record = f->u.audit_answer.query_record;
	m->disclosures = (Liaison__V1__DisclosureEntry **)ptrs;
	m->n_disclosures = nd;
	m->records = recs;
	m->n_records = nr;
	m->proof = proof;
	m->n_proof = np;
	e->fr.audit_answer = m;
	return 0;
}

static void audit_answer_clear(struct lia_frame *f)
{
	free(f->u.audit_answer.disclosures);
	free(f->u.audit_answer.records);
	free(f->u.audit_answer.proof);
}

const struct lia_wire_codec lia_wire_codec_audit_query = {
	.type = LIA_FRAME_AUDIT_QUERY,
	.name = "audit-query",
	.decode = audit_query_decode,
	.encode = audit_query_encode,
};

const struct lia_wire_codec lia_wire_codec_audit_answer = {
	.type = LIA_FRAME_AUDIT_ANSWER,
	.name = "audit-answer",
	.decode = audit_answer_decode,
	.encode = audit_answer_encode,
	.clear = audit_answer_clear,
};
