/*
 * onward.c — consent requests from the agent's side (onward.h).
 */
#include "onward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A ConsentList reply that must hold exactly one request: copy it out. */
static int one_request(const struct lia_frame *rep, struct lia_consent_request *out,
		       char err[static LIA_ERR_MAX])
{
	int rc = lia_agent_check_reply(rep, LIA_FRAME_CONSENT_LIST, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	if (rep->u.consent_list.n != 1) {
		lia_errf(err, "unexpected answer from the broker");
		return LIA_EXIT_FAIL;
	}
	*out = rep->u.consent_list.v[0];
	return LIA_EXIT_OK;
}

int lia_onward_ask(struct lia_client *cl, const char *profile, const uint8_t id[static LIA_ID_BYTES],
		   const char *grantee, const char *purpose, struct lia_consent_request *out,
		   char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_CONSENT_ASK, 0);
	memcpy(req.u.consent_ask.message_id, id, LIA_ID_BYTES);
	snprintf(req.u.consent_ask.grantee, sizeof req.u.consent_ask.grantee, "%s", grantee);
	snprintf(req.u.consent_ask.purpose, sizeof req.u.consent_ask.purpose, "%s", purpose);
	int rc = lia_agent_call(cl, profile, 0, &req, &rep, LIA_FRAME_CONSENT_LIST, err);
	if (rc == LIA_EXIT_OK)
		rc = one_request(&rep, out, err);
	lia_frame_clear(&rep);
	return rc;
}

int lia_onward_list(struct lia_client *cl, const char *profile, uint64_t request, uint64_t before,
		    struct lia_frame *rep, char err[static LIA_ERR_MAX])
{
	struct lia_frame req;
	lia_frame_init(&req, LIA_FRAME_CONSENT_QUERY, 0);
	req.u.consent_query.request = request;
	req.u.consent_query.before = before;
	return lia_agent_call(cl, profile, 0, &req, rep, LIA_FRAME_CONSENT_LIST, err);
}

void lia_onward_check(const struct lia_consent_request *c, const struct lia_directory *dir,
		      char out[static LIA_ONWARD_CHECK_MAX])
{
	char err[LIA_ERR_MAX];
	out[0] = '\0';
	if (c->consent_len == 0)
		return;
	const struct lia_directory_entry *o = dir != NULL ? lia_directory_find(dir, c->originator) : NULL;
	struct lia_consent_grant g;
	if (o == NULL)
		snprintf(out, LIA_ONWARD_CHECK_MAX, "not checked: %s is not in the directory",
			 c->originator);
	else if (lia_consent_verify(c->consent, c->consent_len, &o->cert, &g, err) != 0)
		snprintf(out, LIA_ONWARD_CHECK_MAX, "INVALID: %s", err);
	else if (g.request != c->request || strcmp(g.grantee, c->grantee) != 0 ||
		 strcmp(g.requested_by, c->requested_by) != 0 ||
		 memcmp(g.message_id, c->message_id, LIA_ID_BYTES) != 0)
		snprintf(out, LIA_ONWARD_CHECK_MAX, "INVALID: it consents to something else");
	else
		snprintf(out, LIA_ONWARD_CHECK_MAX, "verified");
}

/* Wrap the data key of env (ours, opened as o) for every valid principal
 * of grantee in the directory. *env is replaced. */
static int wrap_each(struct lia_client *cl, struct lia_sealer *sealer, const struct lia_opened *o,
		     const char *grantee, uint8_t **env, size_t *env_len,
		     char err[static LIA_ERR_MAX])
{
	size_t wrapped = 0;
	for (size_t i = 0; i < cl->dir.n; i++) {
		const struct lia_cert *rc = &cl->dir.v[i].cert;
		if (rc->kind != LIA_CERT_PRINCIPAL ||
		    (strcmp(rc->subject, grantee) != 0 && strcmp(rc->agency, grantee) != 0) ||
		    lia_cert_check(rc, &cl->dir.crl, lia_now()) != LIA_CERT_OK)
			continue;
		/* The fetched copy carries only our own wrap, and the grantee is
		 * never our agency: every grantee principal gets one here. The
		 * broker keeps only the wraps of principals it lets through,
		 * never one a first-hand recipient already has. */
		wrapped++;
		uint8_t *next = NULL;
		size_t next_len = 0;
		if (lia_envelope_add_wrap(sealer, *env, *env_len, o->data_key, rc, &next, &next_len,
					  err) != 0)
			return -1;
		free(*env);
		*env = next;
		*env_len = next_len;
	}
	if (wrapped == 0)
		return lia_errf(err, "the directory has no valid certificate of %s to wrap the message for",
				grantee);
	return 0;
}

/* Fetch our own message back, recover its data key and wrap it for every
 * principal of the grantee that has no wrap yet. *out malloc'd. */
static int wrap_for_grantee(struct lia_client *cl, const struct lia_consent_request *c, uint8_t **out,
			    size_t *out_len, char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_FETCH, 0);
	memcpy(req.u.fetch.message_id, c->message_id, LIA_ID_BYTES);
	if (lia_client_call(cl, &req, &rep, err) != LIA_EXIT_OK)
		return -1;
	struct lia_opener *op = lia_opener_new(&cl->id.cert, cl->id.box);
	struct lia_sealer *sealer = lia_sealer_new(&cl->id.cert, cl->id.sign, cl->id.box);
	struct lia_opened o;
	memset(&o, 0, sizeof o);
	uint8_t *env = NULL;
	size_t env_len = 0;
	int rc = -1;
	if (rep.type == LIA_FRAME_ERROR) {
		(void)lia_agent_error_status(&rep, err);
		goto out;
	}
	if (rep.type != LIA_FRAME_DELIVER || op == NULL || sealer == NULL) {
		lia_errf(err, "unexpected answer from the broker");
		goto out;
	}
	const struct lia_bytes *got = &rep.u.deliver.envelope;
	enum lia_env_status st =
		lia_agent_open_delivered(cl, op, got->p, got->len, cl->id.cert.subject, &o);
	if (st != LIA_ENV_OK) {
		lia_errf(err, "your own message failed verification: %s", lia_env_status_str(st));
		goto out;
	}
	env = malloc(got->len);
	if (env == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	memcpy(env, got->p, got->len);
	env_len = got->len;
	if (wrap_each(cl, sealer, &o, c->grantee, &env, &env_len, err) != 0)
		goto out;
	*out = env;
	*out_len = env_len;
	env = NULL;
	rc = 0;
out:
	free(env);
	lia_opened_clear(&o);
	lia_sealer_destroy(&sealer);
	lia_opener_destroy(&op);
	lia_frame_clear(&rep);
	return rc;
}

/* The signed consent and the re-wrapped envelope of a grant, into req. */
static int grant_parts(struct lia_client *cl, const struct lia_consent_request *asked,
		       uint8_t **consent, size_t *consent_len, uint8_t **env, size_t *env_len,
		       char err[static LIA_ERR_MAX])
{
	struct lia_consent_grant g;
	memset(&g, 0, sizeof g);
	memcpy(g.message_id, asked->message_id, LIA_ID_BYTES);
	g.request = asked->request;
	memcpy(g.grantee, asked->grantee, LIA_NAME_MAX);
	memcpy(g.requested_by, asked->requested_by, LIA_NAME_MAX);
	memcpy(g.granted_by, cl->id.cert.subject, LIA_NAME_MAX);
	g.granted_at = lia_now();
	memcpy(g.purpose, asked->purpose, LIA_PURPOSE_MAX);
	if (lia_client_directory(cl, err) != 0 || wrap_for_grantee(cl, asked, env, env_len, err) != 0 ||
	    lia_consent_sign(&g, cl->id.sign, consent, consent_len, err) != 0)
		return LIA_EXIT_FAIL;
	return LIA_EXIT_OK;
}

int lia_onward_answer(struct lia_client *cl, const char *profile, uint64_t request, bool grant,
		      const char *reason, struct lia_consent_request *out,
		      char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	struct lia_consent_request asked;
	uint8_t *consent = NULL, *env = NULL;
	size_t consent_len = 0, env_len = 0;
	memset(&rep, 0, sizeof rep);
	int rc = lia_agent_connect(cl, profile, grant ? LIA_ID_SIGN | LIA_ID_BOX : 0, false, 0,
				   LIA_AGENT_TIMEOUT_MS, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	/* The request as the broker holds it: that is what we sign. */
	lia_frame_init(&req, LIA_FRAME_CONSENT_QUERY, 0);
	req.u.consent_query.request = request;
	rc = lia_client_call(cl, &req, &rep, err);
	if (rc == LIA_EXIT_OK)
		rc = one_request(&rep, &asked, err);
	lia_frame_clear(&rep);
	if (rc != LIA_EXIT_OK)
		return rc;
	if (strcmp(asked.originator, cl->id.cert.subject) != 0) {
		lia_errf(err, "only the message's originator answers a consent request");
		return LIA_EXIT_REFUSED;
	}
	lia_frame_init(&req, LIA_FRAME_CONSENT_ANSWER, 0);
	req.u.consent_answer.request = request;
	req.u.consent_answer.grant = grant;
	if (reason != NULL)
		snprintf(req.u.consent_answer.reason, sizeof req.u.consent_answer.reason, "%s", reason);
	if (grant) {
		rc = grant_parts(cl, &asked, &consent, &consent_len, &env, &env_len, err);
		req.u.consent_answer.consent = (struct lia_bytes){consent, consent_len};
		req.u.consent_answer.envelope = (struct lia_bytes){env, env_len};
	}
	if (rc == LIA_EXIT_OK)
		rc = lia_client_call(cl, &req, &rep, err);
	if (rc == LIA_EXIT_OK)
		rc = one_request(&rep, out, err);
	lia_frame_clear(&rep);
	free(consent);
	free(env);
	return rc;
}
