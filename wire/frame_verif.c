/*
 * frame_verif.c — document verification (Art. 13): VerificationQuery
 * (list the requests you made or must answer) and VerificationList (its
 * reply, also pushed as a notice: due soon, overdue, answered). The
 * requests and answers themselves are Publish frames.
 */
#include "frame_int.h"

#include <stdlib.h>
#include <string.h>

#define VERIF_LIST_MAX LIA_VERIF_LIST_MAX

/* The office: an agency or a principal. */
static bool office_name(const char *s)
{
	return lia_name_is_agency(s) || lia_name_is_subject(s);
}

static bool subject_or_empty(const char *s)
{
	return s[0] == '\0' || lia_name_is_subject(s);
}

static int verification_query_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
				     char why[static LIA_ERR_MAX])
{
	const Liaison__V1__VerificationQuery *m = pb->verification_query;
	if (m->request_id.len != 0) {
		if (lia_wire_id_in(f->u.verification_query.request_id, &m->request_id, "request_id", why))
			return -1;
		f->u.verification_query.has_request_id = true;
	}
	if (!lia_pb_enum_in((int)m->state, 0, LIA_VERIF_STATE_MAX))
		return lia_wire_fail(why, "state: unknown");
	if (m->before < 0)
		return lia_wire_fail(why, "before: a time, or 0");
	f->u.verification_query.state = (enum lia_verif_state)m->state;
	f->u.verification_query.before = m->before;
	return 0;
}

static int verification_query_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__VerificationQuery *m = &e->m.verification_query;
	liaison__v1__verification_query__init(m);
	if (f->u.verification_query.has_request_id)
		m->request_id = BIN(f->u.verification_query.request_id, LIA_ID_BYTES);
	m->state = (Liaison__V1__VerificationState)f->u.verification_query.state;
	m->before = f->u.verification_query.before;
	e->fr.verification_query = m;
	return 0;
}

static int verification_in(void *out, const void *in, char why[static LIA_ERR_MAX])
{
	struct lia_verification *o = out;
	const Liaison__V1__Verification *e = in;
	if (lia_wire_id_in(o->request_id, &e->request_id, "request_id", why) ||
	    lia_wire_name_in(o->requester, e->requester, lia_name_is_subject, "requester", why) ||
	    lia_wire_name_in(o->office, e->office, office_name, "office", why) ||
	    lia_wire_name_in(o->answered_by, e->answered_by, subject_or_empty, "answered_by", why))
		return -1;
	if (strlen(e->issuing_state) != 2 || !lia_name_is_country(e->issuing_state))
		return lia_wire_fail(why, "issuing_state: an ISO alpha-2 code");
	memcpy(o->issuing_state, e->issuing_state, 3);
	if (!lia_pb_enum_in((int)e->urgency, LIA_URGENCY_URGENT, LIA_URGENCY_MAX))
		return lia_wire_fail(why, "urgency: unknown");
	if (!lia_pb_enum_in((int)e->state, 1, LIA_VERIF_STATE_MAX))
		return lia_wire_fail(why, "state: unknown");
	o->urgency = (enum lia_urgency)e->urgency;
	o->state = (enum lia_verif_state)e->state;
	o->requested_at = e->requested_at;
	o->deadline = e->deadline;
	o->answered_at = e->answered_at;
	if (e->answer_id.len != 0) {
		if (lia_wire_id_in(o->answer_id, &e->answer_id, "answer_id", why))
			return -1;
		o->has_answer = true;
	}
	o->answers = e->answers;
	o->late = e->late;
	return 0;
}

static int verification_list_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
				    char why[static LIA_ERR_MAX])
{
	const Liaison__V1__VerificationList *m = pb->verification_list;
	if (!lia_pb_count_ok(m->n_requests, VERIF_LIST_MAX))
		return lia_wire_fail(why, "verification requests: too many");
	if (!lia_pb_enum_in((int)m->notice, 0, LIA_VERIF_NOTICE_MAX))
		return lia_wire_fail(why, "notice: unknown");
	f->u.verification_list.notice = (enum lia_verif_notice)m->notice;
	void *v = NULL;
	int rc = lia_wire_list_in(&v, &f->u.verification_list.n, sizeof *f->u.verification_list.v,
				  (void *const *)m->requests, m->n_requests, verification_in, why);
	f->u.verification_list.v = v;
	return rc;
}

static int verification_out(void *msg, const void *in, void *ctx, size_t i)
{
	Liaison__V1__Verification *o = msg;
	const struct lia_verification *s = in;
	(void)ctx;
	(void)i;
	liaison__v1__verification__init(o);
	o->request_id = BIN(s->request_id, LIA_ID_BYTES);
	o->requester = (char *)s->requester;
	o->office = (char *)s->office;
	o->issuing_state = (char *)s->issuing_state;
	o->urgency = (Liaison__V1__Urgency)s->urgency;
	o->state = (Liaison__V1__VerificationState)s->state;
	o->requested_at = s->requested_at;
	o->deadline = s->deadline;
	o->answered_at = s->answered_at;
	o->answered_by = (char *)s->answered_by;
	if (s->has_answer)
		o->answer_id = BIN(s->answer_id, LIA_ID_BYTES);
	o->answers = s->answers;
	o->late = s->late;
	return 0;
}

static int verification_list_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	size_t n = f->u.verification_list.n;
	if (!lia_pb_count_ok(n, VERIF_LIST_MAX))
		return -1;
	void **ptrs = lia_wire_list_out(e, n, sizeof(Liaison__V1__Verification), f->u.verification_list.v,
					sizeof *f->u.verification_list.v, verification_out, NULL);
	if (ptrs == NULL)
		return -1;
	Liaison__V1__VerificationList *m = &e->m.verification_list;
	liaison__v1__verification_list__init(m);
	m->requests = (Liaison__V1__Verification **)ptrs;
	m->n_requests = n;
	m->notice = (Liaison__V1__VerificationNotice)f->u.verification_list.notice;
	e->fr.verification_list = m;
	return 0;
}

static void verification_list_clear(struct lia_frame *f)
{
	free(f->u.verification_list.v);
}

const struct lia_wire_codec lia_wire_codec_verification_query = {
	.type = LIA_FRAME_VERIFICATION_QUERY,
	.name = "verification-query",
	.decode = verification_query_decode,
	.encode = verification_query_encode,
};

const struct lia_wire_codec lia_wire_codec_verification_list = {
	.type = LIA_FRAME_VERIFICATION_LIST,
	.name = "verification-list",
	.decode = verification_list_decode,
	.encode = verification_list_encode,
	.clear = verification_list_clear,
};
