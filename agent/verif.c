/* verif.c — see verif.h. */
#include "verif.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "client.h"
#include "envelope.h"
#include "receive.h"
#include "util.h"

int lia_verification_list(struct lia_client *cl, const char *profile, const uint8_t *id,
			  enum lia_verif_state state, int64_t before, struct lia_frame *rep,
			  char err[static LIA_ERR_MAX])
{
	struct lia_frame req;
	lia_frame_init(&req, LIA_FRAME_VERIFICATION_QUERY, 0);
	if (id != NULL) {
		req.u.verification_query.has_request_id = true;
		memcpy(req.u.verification_query.request_id, id, LIA_ID_BYTES);
	}
	req.u.verification_query.state = state;
	req.u.verification_query.before = before;
	return lia_agent_call(cl, profile, 0, &req, rep, LIA_FRAME_VERIFICATION_LIST, err);
}

int lia_verification_get(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
			 struct lia_verification *out, char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_VERIFICATION_QUERY, 0);
	req.u.verification_query.has_request_id = true;
	memcpy(req.u.verification_query.request_id, id, LIA_ID_BYTES);
	int rc = lia_agent_ask(cl, &req, &rep, LIA_FRAME_VERIFICATION_LIST, err);
	if (rc == LIA_EXIT_OK && rep.u.verification_list.n != 1) {
		lia_errf(err, "unexpected answer from the broker");
		rc = LIA_EXIT_FAIL;
	}
	if (rc == LIA_EXIT_OK)
		*out = rep.u.verification_list.v[0];
	lia_frame_clear(&rep);
	return rc;
}

/* The request message itself, fetched and verified, on the open
 * connection: its marking is the answer's. */
static int request_opened(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
			  struct lia_opened *out, char err[static LIA_ERR_MAX])
{
	int rc = lia_receive_fetch(cl, id, out, err);
	if (rc == LIA_EXIT_OK && out->header.kind != LIA_KIND_VERIFICATION_REQUEST) {
		lia_errf(err, "that message is a %s, not a verification request",
			 lia_kind_str(out->header.kind));
		rc = LIA_EXIT_USAGE;
	}
	return rc;
}

/* The answer's header: the request's marking, to its requester alone. */
static void answer_header(struct lia_header *h, const struct lia_header *rq,
			  const struct lia_verification *was)
{
	memset(h, 0, sizeof *h);
	h->kind = LIA_KIND_VERIFICATION_ANSWER;
	h->has_in_reply_to = true;
	memcpy(h->in_reply_to, rq->id, LIA_ID_BYTES);
	if (was->answers > 0 && was->has_answer) {
		h->has_supersedes = true;
		memcpy(h->supersedes, was->answer_id, LIA_ID_BYTES);
	}
	h->regions = rq->regions;
	h->subjects = rq->subjects;
	struct lia_restrictions *r = &h->restrictions;
	r->tlp = rq->restrictions.tlp;
	r->handling = rq->restrictions.handling;
	r->h3 = rq->restrictions.h3;
	r->expires_at = rq->restrictions.expires_at;
	if (lia_names_add(&r->release_principals, rq->originator) != 0)
		r->release_principals.n = 0; /* cannot happen: the list was empty */
}

int lia_verification_answer(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
			    const char *verdict, const char *details, struct lia_verification *was,
			    struct lia_publish_result *res, char err[static LIA_ERR_MAX])
{
	memset(res, 0, sizeof *res);
	struct lia_opened rq;
	memset(&rq, 0, sizeof rq);
	int rc = lia_verification_get(cl, id, was, err);
	if (rc == LIA_EXIT_OK)
		rc = request_opened(cl, id, &rq, err);
	if (rc != LIA_EXIT_OK) {
		lia_opened_clear(&rq);
		return rc;
	}
	struct lia_header h;
	answer_header(&h, &rq.header, was);
	lia_opened_clear(&rq);
	char title[96];
	snprintf(title, sizeof title, "Verification %s: %s", was->answers > 0 ? "corrected" : "answer",
		 verdict);
	json_t *j = json_pack("{s:s, s:{s:s, s:s}}", "title", title, "verification_answer", "verdict",
			      verdict, "details", details != NULL ? details : "");
	if (j != NULL && details == NULL)
		json_object_del(json_object_get(j, "verification_answer"), "details");
	rc = lia_publish_json(cl, &h, j, "answer", res, err);
	json_decref(j);
	return rc;
}
