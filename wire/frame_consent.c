/*
 * frame_consent.c — the consent conversation: ConsentAsk (a recipient
 * asks to pass a message on), ConsentQuery and ConsentList, and
 * ConsentAnswer (the originator grants, with the signed consent and the
 * envelope re-wrapped for the grantee, or refuses with a reason).
 */
#include "frame_int.h"

#include <stdlib.h>
#include <string.h>

/* A consent grantee: a principal or a whole agency. */
static int grantee_in(char out[static LIA_NAME_MAX], const char *s, char why[static LIA_ERR_MAX])
{
	if (strlen(s) >= LIA_NAME_MAX || !(lia_name_is_subject(s) || lia_name_is_agency(s)))
		return lia_errf(why, "grantee: a principal (AGENCY/name) or an agency expected");
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* Text a person must give (a purpose, a reason): 1..255 printable bytes. */
static int purpose_in(char out[static LIA_PURPOSE_MAX], const char *s, const char *field,
		      char why[static LIA_ERR_MAX])
{
	if (!lia_purpose_valid(s))
		return lia_errf(why, "%s: 1 to %d printable bytes", field, LIA_PURPOSE_MAX - 1);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int consent_ask_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			      char why[static LIA_ERR_MAX])
{
	const Liaison__V1__ConsentAsk *m = pb->consent_ask;
	if (lia_wire_id_in(f->u.consent_ask.message_id, &m->message_id, "message_id", why) ||
	    grantee_in(f->u.consent_ask.grantee, m->grantee, why) ||
	    purpose_in(f->u.consent_ask.purpose, m->purpose, "purpose", why))
		return -1;
	return 0;
}

static int consent_ask_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__ConsentAsk *m = &e->m.consent_ask;
	liaison__v1__consent_ask__init(m);
	m->message_id = BIN(f->u.consent_ask.message_id, LIA_ID_BYTES);
	m->grantee = (char *)f->u.consent_ask.grantee;
	m->purpose = (char *)f->u.consent_ask.purpose;
	e->fr.consent_ask = m;
	return 0;
}

static int consent_query_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
				char why[static LIA_ERR_MAX])
{
	(void)why;
	f->u.consent_query.request = pb->consent_query->request;
	f->u.consent_query.before = pb->consent_query->before;
	return 0;
}

static int consent_query_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__ConsentQuery *m = &e->m.consent_query;
	liaison__v1__consent_query__init(m);
	m->request = f->u.consent_query.request;
	m->before = f->u.consent_query.before;
	e->fr.consent_query = m;
	return 0;
}

static int consent_request_in(void *out, const void *in, char why[static LIA_ERR_MAX])
{
	struct lia_consent_request *o = out;
	const Liaison__V1__ConsentRequest *e = in;
	o->request = e->request;
	if (lia_wire_id_in(o->message_id, &e->message_id, "message_id", why) ||
	    lia_wire_name_in(o->originator, e->originator, lia_name_is_subject, "originator", why) ||
	    lia_wire_name_in(o->requested_by, e->requested_by, lia_name_is_subject, "requested_by",
			     why) ||
	    grantee_in(o->grantee, e->grantee, why) ||
	    purpose_in(o->purpose, e->purpose, "purpose", why) ||
	    lia_wire_str_in(o->reason, LIA_PURPOSE_MAX, e->reason, "reason", why))
		return -1;
	if (!lia_pb_enum_in((int)e->state, LIA_CONSENT_PENDING, LIA_CONSENT_REFUSED))
		return lia_wire_fail(why, "consent state: unknown");
	o->state = (enum lia_consent_state)e->state;
	o->requested_at = e->requested_at;
	o->answered_at = e->answered_at;
	o->disclosed = e->disclosed;
	o->withheld = e->withheld;
	if (!lia_pb_len_max(&e->consent, LIA_CONSENT_MAX_BYTES))
		return lia_wire_fail(why, "consent: too large");
	if (e->consent.len > 0)
		memcpy(o->consent, e->consent.data, e->consent.len);
	o->consent_len = e->consent.len;
	return 0;
}

static int consent_list_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			       char why[static LIA_ERR_MAX])
{
	const Liaison__V1__ConsentList *m = pb->consent_list;
	if (!lia_pb_count_ok(m->n_requests, LIA_LIST_REPLY_MAX))
		return lia_wire_fail(why, "consent requests: too many");
	void *v = NULL;
	int rc = lia_wire_list_in(&v, &f->u.consent_list.n, sizeof *f->u.consent_list.v,
				  (void *const *)m->requests, m->n_requests, consent_request_in, why);
	f->u.consent_list.v = v;
	return rc;
}

static int consent_request_out(void *msg, const void *in, void *ctx, size_t i)
{
	Liaison__V1__ConsentRequest *o = msg;
	const struct lia_consent_request *s = in;
	(void)ctx;
	(void)i;
	if (s->consent_len > LIA_CONSENT_MAX_BYTES)
		return -1;
	liaison__v1__consent_request__init(o);
	o->request = s->request;
	o->message_id = BIN(s->message_id, LIA_ID_BYTES);
	o->originator = (char *)s->originator;
	o->requested_by = (char *)s->requested_by;
	o->grantee = (char *)s->grantee;
	o->purpose = (char *)s->purpose;
	o->state = (Liaison__V1__ConsentState)s->state;
	o->requested_at = s->requested_at;
	o->answered_at = s->answered_at;
	o->reason = (char *)s->reason;
	o->disclosed = s->disclosed;
	o->withheld = s->withheld;
	o->consent = BIN(s->consent, s->consent_len);
	return 0;
}

static int consent_list_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	size_t n = f->u.consent_list.n;
	if (!lia_pb_count_ok(n, LIA_LIST_REPLY_MAX))
		return -1;
	void **ptrs = lia_wire_list_out(e, n, sizeof(Liaison__V1__ConsentRequest), f->u.consent_list.v,
					sizeof *f->u.consent_list.v, consent_request_out, NULL);
	if (ptrs == NULL)
		return -1;
	Liaison__V1__ConsentList *m = &e->m.consent_list;
	liaison__v1__consent_list__init(m);
	m->requests = (Liaison__V1__ConsentRequest **)ptrs;
	m->n_requests = n;
	e->fr.consent_list = m;
	return 0;
}

static void consent_list_clear(struct lia_frame *f)
{
	free(f->u.consent_list.v);
}

static int consent_answer_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
				 char why[static LIA_ERR_MAX])
{
	const Liaison__V1__ConsentAnswer *m = pb->consent_answer;
	f->u.consent_answer.request = m->request;
	f->u.consent_answer.grant = m->grant;
	if (m->request == 0)
		return lia_wire_fail(why, "request: a request number is needed");
	if (lia_wire_bytes_in(&f->u.consent_answer.consent, &m->consent, LIA_CONSENT_MAX_BYTES,
			      "consent", why) ||
	    lia_wire_bytes_in(&f->u.consent_answer.envelope, &m->envelope, LIA_ENVELOPE_MAX, "envelope",
			      why))
		return -1;
	bool carries = f->u.consent_answer.consent.len != 0 || f->u.consent_answer.envelope.len != 0;
	if (m->grant) {
		if (f->u.consent_answer.consent.len == 0 || f->u.consent_answer.envelope.len == 0)
			return lia_wire_fail(why, "granting needs the signed consent and the envelope");
		return lia_wire_str_in(f->u.consent_answer.reason, LIA_PURPOSE_MAX, m->reason, "reason",
				       why);
	}
	if (carries)
		return lia_wire_fail(why, "refusing carries no consent and no envelope");
	return purpose_in(f->u.consent_answer.reason, m->reason, "reason", why);
}

static int consent_answer_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	if (f->u.consent_answer.consent.len > LIA_CONSENT_MAX_BYTES ||
	    f->u.consent_answer.envelope.len > LIA_ENVELOPE_MAX)
		return -1;
	Liaison__V1__ConsentAnswer *m = &e->m.consent_answer;
	liaison__v1__consent_answer__init(m);
	m->request = f->u.consent_answer.request;
	m->grant = f->u.consent_answer.grant;
	m->reason = (char *)f->u.consent_answer.reason;
	m->consent = BIN(f->u.consent_answer.consent.p, f->u.consent_answer.consent.len);
	m->envelope = BIN(f->u.consent_answer.envelope.p, f->u.consent_answer.envelope.len);
	e->fr.consent_answer = m;
	return 0;
}

const struct lia_wire_codec lia_wire_codec_consent_ask = {
	.type = LIA_FRAME_CONSENT_ASK,
	.name = "consent-ask",
	.decode = consent_ask_decode,
	.encode = consent_ask_encode,
};

const struct lia_wire_codec lia_wire_codec_consent_query = {
	.type = LIA_FRAME_CONSENT_QUERY,
	.name = "consent-query",
	.decode = consent_query_decode,
	.encode = consent_query_encode,
};

const struct lia_wire_codec lia_wire_codec_consent_list = {
	.type = LIA_FRAME_CONSENT_LIST,
	.name = "consent-list",
	.decode = consent_list_decode,
	.encode = consent_list_encode,
	.clear = consent_list_clear,
};

const struct lia_wire_codec lia_wire_codec_consent_answer = {
	.type = LIA_FRAME_CONSENT_ANSWER,
	.name = "consent-answer",
	.decode = consent_answer_decode,
	.encode = consent_answer_encode,
};
