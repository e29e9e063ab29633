/*
 * rawclient.c — an authenticated agent that misbehaves, for the
 * integration tests: after a proper hello it sends garbage, truncated
 * and oversized frames and counts the broker's answers. The broker must
 * answer each malformed frame with an error and keep serving.
 *
 * usage: rawclient PROFILE     prints "malformed-answered N of M" and
 *                              exits 0 when every malformed frame got an
 *                              Error answer and a final ping got a pong.
 *        rawclient PROFILE consent REQUEST
 *                              answers consent request REQUEST with
 *                              forged or mismatched grants, one line each
 *                              ("NAME: ERROR-CODE: detail", or "NAME:
 *                              accepted"); exits 0 when none was accepted.
 *        rawclient request KEYDIR SUBJECT OUT
 *                              no broker: writes a certificate request
 *                              for SUBJECT that reuses KEYDIR's transport
 *                              key (fresh signing and box keys), as an
 *                              insider would to squat a key (issue 10,
 *                              item 9); exits 0 when written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include <sodium.h>

#include "cert.h"
#include "client.h"
#include "keyfile.h"
#include "util.h"

static int answered(struct lia_client *c, int want, int timeout_ms)
{
	int got = 0;
	struct lia_frame f;
	while (got < want && lia_client_recv(c, &f, timeout_ms) == 1) {
		if (f.type == LIA_FRAME_ERROR)
			got++;
		lia_frame_clear(&f);
	}
	return got;
}

/* Send one answer to the request and print what the broker said. */
static bool answer(struct lia_client *c, const char *name, uint64_t request,
		   const uint8_t *consent, size_t consent_len, const uint8_t *env, size_t env_len)
{
	char err[LIA_ERR_MAX];
	struct lia_frame f, r;
	lia_frame_init(&f, LIA_FRAME_CONSENT_ANSWER, 0);
	f.u.consent_answer.request = request;
	f.u.consent_answer.grant = true;
	f.u.consent_answer.consent = (struct lia_bytes){consent, consent_len};
	f.u.consent_answer.envelope = (struct lia_bytes){env, env_len};
	if (lia_client_call(c, &f, &r, err) != LIA_EXIT_OK) {
		printf("%s: no answer: %s\n", name, err);
		return false;
	}
	bool refused = r.type == LIA_FRAME_ERROR;
	if (refused)
		printf("%s: %s: %s\n", name, lia_error_code_str(r.u.error.code), r.u.error.detail);
	else
		printf("%s: accepted\n", name);
	lia_frame_clear(&r);
	return refused;
}

/* Forged, mismatched and malformed grants of one request. */
static int consent_attacks(struct lia_client *c, uint64_t request)
{
	char err[LIA_ERR_MAX];
	struct lia_frame q, r;
	lia_frame_init(&q, LIA_FRAME_CONSENT_QUERY, 0);
	q.u.consent_query.request = request;
	if (lia_client_call(c, &q, &r, err) != LIA_EXIT_OK || r.type != LIA_FRAME_CONSENT_LIST ||
	    r.u.consent_list.n != 1) {
		fprintf(stderr, "rawclient: cannot read request %llu\n", (unsigned long long)request);
		lia_frame_clear(&r);
		return 1;
	}
	struct lia_consent_request asked = r.u.consent_list.v[0];
	lia_frame_clear(&r);
	uint8_t junk[80], env[120];
	randombytes_buf(junk, sizeof junk);
	randombytes_buf(env, sizeof env);
	bool all = answer(c, "garbage-consent", request, junk, sizeof junk, env, sizeof env);
	/* Properly signed by this principal, but not what was asked. */
	struct lia_consent_grant g;
	memset(&g, 0, sizeof g);
	memcpy(g.message_id, asked.message_id, LIA_ID_BYTES);
	g.request = request;
	memcpy(g.grantee, "DE-BPOL", 8);
	memcpy(g.requested_by, asked.requested_by, LIA_NAME_MAX);
	memcpy(g.granted_by, c->id.cert.subject, LIA_NAME_MAX);
	g.granted_at = lia_now();
	memcpy(g.purpose, asked.purpose, LIA_PURPOSE_MAX);
	uint8_t *signed_consent;
	size_t signed_len;
	if (strcmp(g.granted_by, g.requested_by) == 0)
		memcpy(g.requested_by, "DE-BPOL/auditor", 16); /* keep it signable */
	if (lia_consent_sign(&g, c->id.sign, &signed_consent, &signed_len, err) != 0) {
		fprintf(stderr, "rawclient: %s\n", err);
		return 1;
	}
	all &= answer(c, "other-grantee", request, signed_consent, signed_len, env, sizeof env);
	free(signed_consent);
	memcpy(g.grantee, asked.grantee, LIA_NAME_MAX);
	memcpy(g.requested_by, asked.requested_by, LIA_NAME_MAX);
	g.granted_at = lia_now() - 86400;
	if (strcmp(g.granted_by, g.requested_by) != 0 &&
	    lia_consent_sign(&g, c->id.sign, &signed_consent, &signed_len, err) == 0) {
		all &= answer(c, "stale", request, signed_consent, signed_len, env, sizeof env);
		free(signed_consent);
		g.granted_at = lia_now();
		if (lia_consent_sign(&g, c->id.sign, &signed_consent, &signed_len, err) != 0)
			return 1;
		/* The right consent, but an envelope that is not the message. */
		all &= answer(c, "foreign-envelope", request, signed_consent, signed_len, env, sizeof env);
		free(signed_consent);
	}
	return all ? 0 : 1;
}

/* A request for subject with keydir's transport key and fresh others. */
static int reused_key_request(const char *keydir, const char *subject, const char *out)
{
	char err[LIA_ERR_MAX] = "out of memory", path[4096];
	int n = snprintf(path, sizeof path, "%s/transport.sec", keydir);
	if (n < 0 || (size_t)n >= sizeof path)
		return 2;
	struct lia_secret *tr = lia_secret_load(path, LIA_KEY_TRANSPORT, NULL, err);
	struct lia_secret *sign = lia_secret_generate(LIA_KEY_SIGN);
	struct lia_secret *box = lia_secret_generate(LIA_KEY_BOX);
	uint8_t *req = NULL;
	size_t len = 0;
	int rc = 1;
	if (tr != NULL && sign != NULL && box != NULL &&
	    lia_request_make(&req, &len, subject, sign, box, tr, lia_now(), err) == 0 &&
	    lia_file_write_new(out, req, len, 0644, err) == 0)
		rc = 0;
	else
		fprintf(stderr, "rawclient: %s\n", err);
	free(req);
	lia_secret_destroy(&tr);
	lia_secret_destroy(&sign);
	lia_secret_destroy(&box);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "request") == 0)
		return sodium_init() < 0 ? 2 : reused_key_request(argv[2], argv[3], argv[4]);
	if ((argc != 2 && argc != 4) || sodium_init() < 0)
		return 2;
	char err[LIA_ERR_MAX];
	struct lia_profile p;
	struct lia_client c;
	if (lia_profile_load(&p, argv[1], err) != 0 ||
	    lia_client_open(&c, &p, argc == 4 ? LIA_ID_SIGN : 0, false, 0, 5000, err) != LIA_EXIT_OK) {
		fprintf(stderr, "rawclient: %s\n", err);
		return 1;
	}
	if (argc == 4) {
		uint64_t request = 0;
		if (strcmp(argv[2], "consent") != 0 || lia_parse_u64(argv[3], &request) != 0)
			return 2;
		int rc = consent_attacks(&c, request);
		lia_client_close(&c);
		return rc;
	}
	int sent = 0;
	uint8_t buf[4096];
	/* Garbage of every small length. */
	for (int i = 0; i < 200; i++) {
		size_t n = 1 + (size_t)i * 7 % sizeof buf;
		randombytes_buf(buf, n);
		buf[0] = 0xff; /* never a valid field tag */
		zmq_send(c.sock, buf, n, 0);
		sent++;
	}
	/* Every truncation of a valid publish frame. */
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_PUBLISH, 99);
	uint8_t env[300];
	randombytes_buf(env, sizeof env);
	f.u.publish.envelope = (struct lia_bytes){env, sizeof env};
	uint8_t *enc;
	size_t len;
	if (lia_frame_encode(&f, &enc, &len) != 0)
		return 1;
	for (size_t n = 1; n < len; n += 13) {
		zmq_send(c.sock, enc, n, 0);
		sent++;
	}
	/* The whole frame: a publish with garbage as envelope is refused too. */
	zmq_send(c.sock, enc, len, 0);
	free(enc);
	/* A frame naming a protocol version from the future. */
	static const uint8_t future[] = {0x08, 0x63, 0x10, 0x01, 0xea, 0x01, 0x00};
	zmq_send(c.sock, future, sizeof future, 0);
	sent++;
	int got = answered(&c, sent, 3000);
	printf("malformed-answered %d of %d\n", got, sent);
	/* Still served on this same connection. */
	struct lia_frame ping, pong;
	lia_frame_init(&ping, LIA_FRAME_PING, 0);
	int ok = lia_client_call(&c, &ping, &pong, err) == LIA_EXIT_OK && pong.type == LIA_FRAME_PONG;
	lia_frame_clear(&pong);
	printf("ping-after %s\n", ok ? "answered" : "unanswered");
	/* Last: more than the maximum message size. libzmq drops the
	 * connection; the broker must not notice beyond that. */
	size_t big = LIA_FRAME_MAX + 1;
	uint8_t *huge = calloc(1, big);
	if (huge != NULL) {
		zmq_send(c.sock, huge, big, 0);
		free(huge);
	}
	lia_client_close(&c);
	return got == sent && ok ? 0 : 1;
}
