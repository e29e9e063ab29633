/*
 * publish.c — whom to wrap for, sealing, and the Publish call
 * (publish.h).
 */
#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"

int lia_publish_recipients(const struct lia_header *h, const struct lia_cert *self,
			   const struct lia_directory *dir, int64_t now,
			   const struct lia_cert ***out, size_t *n, char err[static LIA_ERR_MAX])
{
	const struct lia_cert **v = calloc(dir->n + 1, sizeof *v);
	if (v == NULL)
		return lia_errf(err, "out of memory choosing the recipients"), LIA_EXIT_FAIL;
	const struct lia_audience a = {&h->restrictions, h->restrictions.tlp,
				       h->restrictions.handling, self->agency};
	size_t k = 0;
	v[k++] = self;
	for (size_t i = 0; i < dir->n; i++) {
		const struct lia_cert *c = &dir->v[i].cert;
		/* The agent cannot know the policy's members of a region:
		 * admitted here, decided by the broker (publish.h). */
		if (strcmp(c->subject, self->subject) == 0 ||
		    lia_cert_check(c, &dir->crl, now) != LIA_CERT_OK ||
		    lia_audience_refusals(&a, c, true) != 0)
			continue;
		v[k++] = c;
	}
	*out = v;
	*n = k;
	return LIA_EXIT_OK;
}

int lia_publish_seal(const struct lia_identity *id, struct lia_header *h, const uint8_t *body,
		     size_t body_len, const struct lia_directory *dir, int64_t now, uint8_t **env,
		     size_t *env_len, char err[static LIA_ERR_MAX])
{
	const struct lia_cert **rcpt = NULL;
	size_t n = 0;
	h->created_at = now;
	int rc = lia_publish_recipients(h, &id->cert, dir, now, &rcpt, &n, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	struct lia_sealer *sealer = lia_sealer_new(&id->cert, id->sign, id->box);
	rc = LIA_EXIT_FAIL;
	if (sealer == NULL)
		lia_errf(err, "cannot set up sealing");
	else if (lia_seal(sealer, h, body, body_len, rcpt, n, env, env_len, err) == 0)
		rc = LIA_EXIT_OK;
	lia_sealer_destroy(&sealer);
	free(rcpt);
	return rc;
}

void lia_publish_request(struct lia_frame *req, const uint8_t *env, size_t env_len,
			 const struct lia_names *to)
{
	lia_frame_init(req, LIA_FRAME_PUBLISH, 0);
	/* Borrowed: the frame encoder only reads the envelope. */
	req->u.publish.envelope = (struct lia_bytes){env, env_len};
	req->u.publish.to = *to;
}

int lia_publish_reply(const struct lia_frame *rep, const uint8_t id[static LIA_ID_BYTES],
		      struct lia_publish_result *res, char err[static LIA_ERR_MAX])
{
	memset(res, 0, sizeof *res);
	lia_id_hex(res->id_hex, id);
	int rc = lia_agent_check_reply(rep, LIA_FRAME_PUBLISH_ACK, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	/* Copied field by field: the reply's strings are bounded by the
	 * decoder, and the result outlives the frame. */
#define a (&rep->u.publish_ack)
	res->answered = true;
	res->accepted = a->accepted;
	res->duplicate = a->duplicate;
	res->sequence = a->sequence;
	res->disclosed = a->recipients;
	res->withheld = a->withheld;
	res->refusal = a->refusal;
	snprintf(res->rule, sizeof res->rule, "%s", a->rule);
	snprintf(res->reason, sizeof res->reason, "%s", a->reason);
	if (a->accepted)
		return LIA_EXIT_OK;
	lia_errf(err, "refused by the broker: %s%s%s%s: %s", lia_refusal_str(a->refusal),
		 a->rule[0] ? " (rule " : "", res->rule, a->rule[0] ? ")" : "", res->reason);
	return a->refusal == LIA_REFUSAL_UNAVAILABLE ? LIA_EXIT_UNREACHABLE : LIA_EXIT_REFUSED;
#undef a
}

int lia_publish(struct lia_client *cl, struct lia_header *hdr, const uint8_t *body,
		size_t body_len, const uint8_t *env, size_t env_len, const struct lia_names *to,
		struct lia_publish_result *res, char err[static LIA_ERR_MAX])
{
	memset(res, 0, sizeof *res);
	if (lia_client_directory(cl, err) != 0)
		return LIA_EXIT_FAIL;
	for (size_t i = 0; i < to->n; i++)
		if (lia_directory_find(&cl->dir, to->v[i]) == NULL)
			return lia_errf(err, "\"%s\" is not in the broker's directory", to->v[i]),
			       LIA_EXIT_FAIL;
	uint8_t *sealed = NULL;
	size_t sealed_len = 0;
	if (env == NULL) {
		int rc = lia_publish_seal(&cl->id, hdr, body, body_len, &cl->dir, lia_now(), &sealed,
					  &sealed_len, err);
		if (rc != LIA_EXIT_OK)
			return rc;
		env = sealed;
		env_len = sealed_len;
	}
	struct lia_frame req, rep;
	memset(&rep, 0, sizeof rep);
	lia_publish_request(&req, env, env_len, to);
	int rc = lia_client_call(cl, &req, &rep, err);
	if (rc == LIA_EXIT_OK)
		rc = lia_publish_reply(&rep, hdr->id, res, err);
	lia_frame_clear(&rep);
	free(sealed);
	return rc;
}

int lia_publish_json(struct lia_client *cl, struct lia_header *hdr, const json_t *j, const char *what,
		     struct lia_publish_result *res, char err[static LIA_ERR_MAX])
{
	memset(res, 0, sizeof *res);
	uint8_t *body = NULL;
	size_t body_len = 0;
	if (j == NULL)
		return lia_errf(err, "out of memory building the %s", what), LIA_EXIT_FAIL;
	if (lia_body_from_json(j, &body, &body_len, err) != 0)
		return LIA_EXIT_USAGE;
	struct lia_names to = {0};
	int rc = lia_publish(cl, hdr, body, body_len, NULL, 0, &to, res, err);
	free(body);
	return rc;
}

int lia_publish_erase(struct lia_client *cl, const char *profile, const uint8_t id[static LIA_ID_BYTES],
		      const char *reason, char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_ERASE_REQUEST, 0);
	memcpy(req.u.erase_request.message_id, id, LIA_ID_BYTES);
	snprintf(req.u.erase_request.reason, sizeof req.u.erase_request.reason, "%s", reason);
	int rc = lia_agent_call(cl, profile, 0, &req, &rep, LIA_FRAME_OK, err);
	lia_frame_clear(&rep);
	return rc;
}
