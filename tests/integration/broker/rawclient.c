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
 *        rawclient PROFILE squat TARGET SECONDS
 *                              connects with PROFILE's own valid keys but
 *                              the ZMQ_ROUTING_ID TARGET: a certificate
 *                              file (its transport key, the routing id
 *                              agents derived from it before issue 10) or
 *                              64 hex digits; says Hello (receive) and
 *                              prints one line per frame the broker sends
 *                              for SECONDS ("hello-answer TYPE ...",
 *                              "received TYPE ..."); exits 0.
 *        rawclient PROFILE forge ENVELOPE
 *        rawclient PROFILE reuse-id ENVELOPE ID
 *        rawclient PROFILE reuse-id-forged ENVELOPE ID
 *                              publishes the sealed ENVELOPE (this
 *                              principal's own) with one bit of its
 *                              signature flipped (forge), or with its id
 *                              replaced by ID and signed again (reuse-id)
 *                              or not (reuse-id-forged), and prints the
 *                              PublishAck as one line "accepted=.. duplicate=..
 *                              refusal=.. rule=.. reason=..".
 *        rawclient - wraps ENVELOPE
 *                              prints the recipient key id (hex) of each
 *                              wrap of ENVELOPE, one a line (no connection).
 *        rawclient PROFILE ack SEQ
 *                              acknowledges delivery SEQ (whether it was
 *                              sent or not), then pings; prints "ack-sent".
 *        rawclient PROFILE fetch-flood ID N SECONDS
 *                              issue 11, item 1: says Hello, sends N
 *                              Fetch for message ID without reading (a
 *                              one-message receive queue, a small kernel
 *                              buffer), sleeps SECONDS, then reads what
 *                              came and prints "replies deliver=D busy=B
 *                              other=O"; exits 0.
 *        rawclient PROFILE query-flood N ID [ID2]
 *                              sends N "who received message ID" audit
 *                              queries pipelined (alternately ID and ID2
 *                              when given, so that no two in a row are
 *                              identical), then prints "answers=A
 *                              limit=L other=O" and the first limit
 *                              detail as "limit-detail: ..." (issue 11,
 *                              item 2); exits 0 when all N were answered.
 *        rawclient PROFILE strangers SECONDS
 *                              for SECONDS, CURVE handshakes to PROFILE's
 *                              broker, each with a fresh random key no
 *                              certificate names (issue 11, item 3);
 *                              prints "strangers N", N the connections
 *                              opened (each tries at least once).
 *        rawclient PROFILE flood KIND N
 *                              pipelines N requests without waiting (KIND
 *                              hello, consents: consent listings, or
 *                              subhello: a subscribe, a write, then a
 *                              hello, N pairs), then reads every answer;
 *                              prints "flood-answered A of N busy B
 *                              seconds S" (B: answered LIA_ERROR_BUSY);
 *                              exits 0 when all were answered (issue 11).
 *        rawclient PROFILE big-pipe N SECONDS
 *                              issue 11, item 1, the receiving side:
 *                              says Hello, prints "ready", waits for a
 *                              line on stdin, then sends N Publish
 *                              frames of the largest size the broker
 *                              accepts (random bytes: refused, but only
 *                              once read) as fast as the broker takes
 *                              them, for at most SECONDS, then prints
 *                              "big-pipe sent S answered A"; exits 0.
 *        rawclient PROFILE conns N
 *                              opens N connections of PROFILE one after
 *                              another, each saying Hello, and keeps them;
 *                              then pings on each that opened; prints
 *                              "conns opened O of N pinged P", the
 *                              first refusal as "conns-refused: ...", and
 *                              the answer to a ping on the first refused
 *                              connection as "refused-ping: ...".
 *        rawclient PROFILE pinger N [subscribe]
 *                              N pings (or subscribes: a write, answered
 *                              after its turn's commit), one every 20 ms,
 *                              each waiting for its answer; prints "ping-latency max-ms M
 *                              p99-ms P answered A of N"; exits 0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <inttypes.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <sodium.h>

#include "cert.h"
#include "client.h"
#include "keyfile.h"
#include "envelope.h"
#include "sig.h"
#include "util.h"

static double now_ms(void);

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

/* The squatter of issue 10, item 1: hold TARGET as routing id and
 * print whatever the broker sends to it. */
static int squat(const char *profile, const char *target, const char *seconds)
{
	char err[LIA_ERR_MAX];
	struct lia_profile p;
	struct lia_identity id;
	struct lia_cert broker, victim;
	uint8_t rid[32];
	uint64_t secs = 0;
	if (sodium_init() < 0 || lia_parse_u64(seconds, &secs) != 0 || lia_profile_load(&p, profile, err) != 0)
		return 2;
	if (lia_identity_load(&id, p.keys, p.authority_key, LIA_ID_TRANSPORT, NULL, err) != 0 ||
	    lia_cert_load(&broker, p.broker_certificate, id.authority_pk, err) != 0) {
		fprintf(stderr, "rawclient: %s\n", err);
		return 1;
	}
	bool hex = strlen(target) == 64 && lia_unhex(rid, sizeof rid, target) == 0;
	if (!hex) {
		if (lia_cert_load(&victim, target, id.authority_pk, err) != 0) {
			fprintf(stderr, "rawclient: %s\n", err);
			return 1;
		}
		memcpy(rid, victim.transport_pk, 32);
	}
	void *zctx = zmq_ctx_new();
	void *sock = lia_wire_client(zctx, NULL, broker.transport_pk, id.transport, err);
	if (sock == NULL || zmq_setsockopt(sock, ZMQ_ROUTING_ID, rid, sizeof rid) != 0 ||
	    zmq_connect(sock, p.broker) != 0) {
		fprintf(stderr, "rawclient: cannot connect: %s\n", sock ? zmq_strerror(zmq_errno()) : err);
		return 1;
	}
	struct lia_frame hello;
	lia_frame_init(&hello, LIA_FRAME_HELLO, 1);
	hello.u.hello.protocol = LIA_PROTOCOL_VERSION;
	snprintf(hello.u.hello.client, sizeof hello.u.hello.client, "rawclient squat");
	hello.u.hello.receive = true;
	hello.u.hello.window = LIA_WINDOW_DEFAULT;
	(void)lia_wire_send(sock, NULL, &hello, 0);
	printf("squatting\n");
	fflush(stdout);
	int64_t until = lia_now() + (int64_t)secs;
	while (lia_now() < until) {
		zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, 200) <= 0)
			continue;
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0) {
			zmq_msg_close(&m);
			continue;
		}
		struct lia_frame f;
		char why[LIA_ERR_MAX];
		if (lia_frame_decode(&f, zmq_msg_data(&m), zmq_msg_size(&m), why) != 0)
			printf("received undecodable %s\n", why);
		else {
			printf("%s %s", f.request_id == 1 ? "hello-answer" : "received", lia_frame_type_str(f.type));
			if (f.type == LIA_FRAME_DELIVER)
				printf(" sequence=%llu originator=%s", (unsigned long long)f.u.deliver.sequence,
				       f.u.deliver.originator);
			else if (f.type == LIA_FRAME_ERROR)
				printf(" %s: %s", lia_error_code_str(f.u.error.code), f.u.error.detail);
			printf("\n");
			lia_frame_clear(&f);
		}
		fflush(stdout);
		zmq_msg_close(&m);
	}
	zmq_setsockopt(sock, ZMQ_LINGER, &(int){0}, sizeof(int));
	zmq_close(sock);
	zmq_ctx_term(zctx);
	lia_identity_clear(&id);
	return 0;
}

/* Issue 11, item 3: a stranger knocks with a new key each time. Batches
 * of sockets, each with a fresh key pair, connect, try for 100 ms and
 * are dropped. */
static int strangers(const char *profile, const char *seconds)
{
	char err[LIA_ERR_MAX];
	struct lia_profile p;
	struct lia_cert broker;
	uint8_t authority_pk[32];
	char name[LIA_NAME_MAX];
	uint64_t secs = 0;
	if (sodium_init() < 0 || lia_parse_u64(seconds, &secs) != 0 || lia_profile_load(&p, profile, err) != 0 ||
	    lia_pubkey_load(p.authority_key, LIA_KEY_AUTHORITY, authority_pk, name, err) != 0 ||
	    lia_cert_load(&broker, p.broker_certificate, authority_pk, err) != 0) {
		fprintf(stderr, "rawclient: %s\n", err[0] ? err : "bad arguments");
		return 2;
	}
	void *zctx = zmq_ctx_new();
	uint64_t opened = 0;
	int64_t until = lia_now() + (int64_t)secs;
	while (lia_now() < until) {
		void *s[16];
		for (int i = 0; i < 16; i++) {
			uint8_t pk[32], sk[32];
			crypto_box_keypair(pk, sk);
			s[i] = zmq_socket(zctx, ZMQ_DEALER);
			zmq_setsockopt(s[i], ZMQ_LINGER, &(int){0}, sizeof(int));
			zmq_setsockopt(s[i], ZMQ_CURVE_SERVERKEY, broker.transport_pk, 32);
			zmq_setsockopt(s[i], ZMQ_CURVE_PUBLICKEY, pk, 32);
			zmq_setsockopt(s[i], ZMQ_CURVE_SECRETKEY, sk, 32);
			sodium_memzero(sk, sizeof sk);
			if (zmq_connect(s[i], p.broker) == 0)
				opened++;
		}
		zmq_poll(NULL, 0, 100);
		for (int i = 0; i < 16; i++)
			zmq_close(s[i]);
	}
	zmq_ctx_term(zctx);
	printf("strangers %llu\n", (unsigned long long)opened);
	return 0;
}

/* Issue 10, items 3 and 4: hostile publishes and acknowledgements. */
static uint8_t *find_bytes(uint8_t *hay, size_t hay_len, const uint8_t *needle, size_t len)
{
	for (size_t i = 0; len <= hay_len && i <= hay_len - len; i++)
		if (memcmp(hay + i, needle, len) == 0)
			return hay + i;
	return NULL;
}

static int publish_attack(struct lia_client *c, const char *mode, const char *path, const char *idhex)
{
	char err[LIA_ERR_MAX];
	uint8_t *buf = NULL, id[LIA_ID_BYTES], sig[LIA_SIG_BYTES];
	size_t len = 0, hlen = 0;
	struct lia_envelope *e = NULL;
	int rc = 1;
	if (lia_file_read(path, LIA_ENVELOPE_MAX, &buf, &len, err) != 0 ||
	    lia_envelope_decode(&e, buf, len) != LIA_ENV_OK ||
	    (idhex != NULL && lia_id_parse(id, idhex) != 0)) {
		fprintf(stderr, "rawclient: cannot read %s\n", path);
		goto out;
	}
	const uint8_t *hb = lia_envelope_header_bytes(e, &hlen);
	/* Ed25519 is deterministic: signing the header again finds the
	 * signature's bytes in the file. */
	lia_sign(sig, LIA_CTX_HEADER, hb, hlen, c->id.sign->sk);
	uint8_t *h = find_bytes(buf, len, hb, hlen), *sp = find_bytes(buf, len, sig, sizeof sig);
	uint8_t *ip = h != NULL ? find_bytes(h, hlen, lia_envelope_header(e)->id, LIA_ID_BYTES) : NULL;
	if (h == NULL || sp == NULL || ip == NULL) {
		fprintf(stderr, "rawclient: cannot find the header, id or signature in %s\n", path);
		goto out;
	}
	if (idhex != NULL)
		memcpy(ip, id, LIA_ID_BYTES);
	if (strcmp(mode, "reuse-id") == 0)
		lia_sign(sp, LIA_CTX_HEADER, h, hlen, c->id.sign->sk);
	else
		sp[7] ^= 0x01;
	struct lia_frame f, r;
	lia_frame_init(&f, LIA_FRAME_PUBLISH, 0);
	f.u.publish.envelope = (struct lia_bytes){buf, len};
	if (lia_client_call(c, &f, &r, err) != LIA_EXIT_OK || r.type != LIA_FRAME_PUBLISH_ACK) {
		fprintf(stderr, "rawclient: no acknowledgement: %s\n", err);
		goto out;
	}
	printf("accepted=%d duplicate=%d refusal=%s rule=%s reason=%s\n", r.u.publish_ack.accepted,
	       r.u.publish_ack.duplicate, lia_refusal_str(r.u.publish_ack.refusal), r.u.publish_ack.rule,
	       r.u.publish_ack.reason);
	lia_frame_clear(&r);
	rc = 0;
out:
	lia_envelope_destroy(&e);
	free(buf);
	return rc;
}

static int ack_attack(struct lia_client *c, const char *seqtext)
{
	char err[LIA_ERR_MAX];
	struct lia_frame f, r;
	lia_frame_init(&f, LIA_FRAME_ACK, 0);
	f.u.ack.n = 1;
	if (lia_parse_u64(seqtext, &f.u.ack.v[0]) != 0 || lia_client_send(c, &f) != 0)
		return 1;
	lia_frame_init(&f, LIA_FRAME_PING, 0);
	if (lia_client_call(c, &f, &r, err) != LIA_EXIT_OK || r.type != LIA_FRAME_PONG)
		return 1;
	lia_frame_clear(&r);
	printf("ack-sent\n");
	return 0;
}

/* N audit queries sent without waiting, then every answer counted. */
static int query_flood(struct lia_client *c, const char *ntext, const char *id1, const char *id2)
{
	uint64_t n = 0;
	uint8_t ids[2][LIA_ID_BYTES];
	if (lia_parse_u64(ntext, &n) != 0 || n > 100000 || lia_id_parse(ids[0], id1) != 0 ||
	    lia_id_parse(ids[1], id2 != NULL ? id2 : id1) != 0)
		return 2;
	struct lia_frame f;
	for (uint64_t i = 0; i < n; i++) {
		lia_frame_init(&f, LIA_FRAME_AUDIT_QUERY, i + 1);
		f.u.audit_query.kind = LIA_AUDIT_DISCLOSURES;
		f.u.audit_query.has_message_id = true;
		memcpy(f.u.audit_query.message_id, ids[i % 2], LIA_ID_BYTES);
		if (lia_client_send(c, &f) != 0)
			return 1;
	}
	uint64_t answers = 0, limit = 0, other = 0;
	while (answers + limit + other < n && lia_client_recv(c, &f, 10000) == 1) {
		if (f.type == LIA_FRAME_AUDIT_ANSWER)
			answers++;
		else if (f.type == LIA_FRAME_ERROR && f.u.error.code == LIA_ERROR_LIMIT) {
			if (limit++ == 0)
				printf("limit-detail: %s\n", f.u.error.detail);
		} else
			other++;
		lia_frame_clear(&f);
	}
	printf("answers=%" PRIu64 " limit=%" PRIu64 " other=%" PRIu64 "\n", answers, limit, other);
	return answers + limit + other == n ? 0 : 1;
}

static int wrap_kids(const char *path)
{
	char err[LIA_ERR_MAX], hex[LIA_KEYID_HEX];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct lia_envelope *e = NULL;
	if (lia_file_read(path, LIA_ENVELOPE_MAX, &buf, &len, err) != 0 ||
	    lia_envelope_decode(&e, buf, len) != LIA_ENV_OK) {
		fprintf(stderr, "rawclient: cannot read %s\n", path);
		free(buf);
		return 1;
	}
	for (size_t i = 0; i < lia_envelope_wrap_count(e); i++) {
		lia_keyid_hex(hex, lia_envelope_wrap_kid(e, i));
		printf("%s\n", hex);
	}
	lia_envelope_destroy(&e);
	free(buf);
	return 0;
}

/* Issue 11, item 1: ask for one large message N times and do not read
 * the answers, so that they pile up towards this peer. */
static int fetch_flood(const char *profile, const char *idhex, const char *count, const char *seconds)
{
	char err[LIA_ERR_MAX];
	struct lia_profile p;
	struct lia_identity id;
	struct lia_cert broker;
	uint8_t rid[32], mid[LIA_ID_BYTES];
	uint64_t n = 0, secs = 0;
	if (sodium_init() < 0 || lia_parse_u64(count, &n) != 0 || lia_parse_u64(seconds, &secs) != 0 ||
	    lia_id_parse(mid, idhex) != 0 || lia_profile_load(&p, profile, err) != 0)
		return 2;
	if (lia_identity_load(&id, p.keys, p.authority_key, LIA_ID_TRANSPORT, NULL, err) != 0 ||
	    lia_cert_load(&broker, p.broker_certificate, id.authority_pk, err) != 0) {
		fprintf(stderr, "rawclient: %s\n", err);
		return 1;
	}
	randombytes_buf(rid, sizeof rid);
	void *zctx = zmq_ctx_new();
	void *sock = lia_wire_client(zctx, NULL, broker.transport_pk, id.transport, err);
	/* libzmq would otherwise read the socket into its own queue for us. */
	if (sock == NULL || zmq_setsockopt(sock, ZMQ_ROUTING_ID, rid, sizeof rid) != 0 ||
	    zmq_setsockopt(sock, ZMQ_RCVHWM, &(int){1}, sizeof(int)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_RCVBUF, &(int){4096}, sizeof(int)) != 0 || zmq_connect(sock, p.broker) != 0) {
		fprintf(stderr, "rawclient: cannot connect: %s\n", sock ? zmq_strerror(zmq_errno()) : err);
		return 1;
	}
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_HELLO, 1);
	f.u.hello.protocol = LIA_PROTOCOL_VERSION;
	snprintf(f.u.hello.client, sizeof f.u.hello.client, "rawclient fetch-flood");
	f.u.hello.window = LIA_WINDOW_DEFAULT;
	(void)lia_wire_send(sock, NULL, &f, 0);
	for (uint64_t i = 0; i < n; i++) {
		lia_frame_init(&f, LIA_FRAME_FETCH, 2 + i);
		memcpy(f.u.fetch.message_id, mid, LIA_ID_BYTES);
		(void)lia_wire_send(sock, NULL, &f, 0);
	}
	printf("flooding\n");
	fflush(stdout);
	sleep((unsigned)secs);
	unsigned deliver = 0, busy = 0, other = 0;
	zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
	while (zmq_poll(&it, 1, 3000) > 0) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		char why[LIA_ERR_MAX];
		struct lia_frame r;
		if (zmq_msg_recv(&m, sock, 0) >= 0 && lia_frame_decode(&r, zmq_msg_data(&m), zmq_msg_size(&m), why) == 0) {
			if (r.type == LIA_FRAME_DELIVER)
				deliver++;
			else if (r.type == LIA_FRAME_ERROR && r.u.error.code == LIA_ERROR_BUSY)
				busy++;
			else if (r.type != LIA_FRAME_WELCOME)
				other++;
			lia_frame_clear(&r);
		}
		zmq_msg_close(&m);
	}
	printf("replies deliver=%u busy=%u other=%u\n", deliver, busy, other);
	zmq_setsockopt(sock, ZMQ_LINGER, &(int){0}, sizeof(int));
	zmq_close(sock);
	zmq_ctx_term(zctx);
	lia_identity_clear(&id);
	return 0;
}

/* Frames pushed at a broker whose loop is stalled: what libzmq reads
 * for it meanwhile is held in the broker's receive queue. */
static int big_pipe(const char *profile, const char *count, const char *seconds)
{
	char err[LIA_ERR_MAX];
	struct lia_profile p;
	struct lia_client c;
	uint64_t n = 0, secs = 0;
	if (sodium_init() < 0 || lia_parse_u64(count, &n) != 0 || lia_parse_u64(seconds, &secs) != 0 ||
	    lia_profile_load(&p, profile, err) != 0 ||
	    lia_client_open(&c, &p, 0, false, 0, 5000, err) != LIA_EXIT_OK) {
		fprintf(stderr, "rawclient: %s\n", err);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	char line[16];
	if (fgets(line, sizeof line, stdin) == NULL)
		return 1;
	size_t env_len = LIA_ENVELOPE_MAX;
	uint8_t *env = malloc(env_len);
	if (env == NULL)
		return 1;
	randombytes_buf(env, env_len);
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_PUBLISH, 0);
	f.u.publish.envelope = (struct lia_bytes){env, env_len};
	uint8_t *enc;
	size_t len;
	if (lia_frame_encode(&f, &enc, &len) != 0)
		return 1;
	free(env);
	/* One message at a time, each waiting for room: the client's own
	 * queue stays small, the broker's is what fills. */
	int timeout_ms = 200;
	zmq_setsockopt(c.sock, ZMQ_SNDHWM, &(int){2}, sizeof(int));
	zmq_setsockopt(c.sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof timeout_ms);
	double end = now_ms() + (double)secs * 1e3;
	uint64_t sent = 0;
	while (sent < n && now_ms() < end)
		if (zmq_send(c.sock, enc, len, 0) >= 0)
			sent++;
	free(enc);
	int got = answered(&c, (int)sent, 3000);
	printf("big-pipe sent %" PRIu64 " answered %d\n", sent, got);
	fflush(stdout);
	lia_client_close(&c);
	return 0;
}

/* One principal's many connections (issue 11, item 1). */
static int many_conns(const char *profile, const char *count)
{
	char err[LIA_ERR_MAX], first[LIA_ERR_MAX] = "";
	struct lia_profile p;
	uint64_t n = 0;
	if (sodium_init() < 0 || lia_parse_u64(count, &n) != 0 || n == 0 || n > 64 ||
	    lia_profile_load(&p, profile, err) != 0)
		return 2;
	struct lia_client c[64];
	bool open[64] = {false};
	unsigned opened = 0, pinged = 0;
	for (uint64_t i = 0; i < n; i++) {
		open[i] = lia_client_open(&c[i], &p, 0, false, 0, 3000, err) == LIA_EXIT_OK;
		if (open[i]) {
			opened++;
			continue;
		}
		if (first[0] != '\0')
			continue;
		snprintf(first, sizeof first, "%s", err);
		/* Is that connection still read? A raw ping on a socket of
		 * the same key, without a session. */
		struct lia_identity id;
		struct lia_cert broker;
		if (lia_identity_load(&id, p.keys, p.authority_key, LIA_ID_TRANSPORT, NULL, err) == 0 &&
		    lia_cert_load(&broker, p.broker_certificate, id.authority_pk, err) == 0) {
			void *zctx = zmq_ctx_new();
			void *sock = lia_wire_client(zctx, NULL, broker.transport_pk, id.transport, err);
			uint8_t rid[32];
			randombytes_buf(rid, sizeof rid);
			struct lia_frame ping, r;
			lia_frame_init(&ping, LIA_FRAME_PING, 7);
			if (sock != NULL && zmq_setsockopt(sock, ZMQ_ROUTING_ID, rid, sizeof rid) == 0 &&
			    zmq_connect(sock, p.broker) == 0 && lia_wire_send(sock, NULL, &ping, 0) == 0) {
				zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
				zmq_msg_t m;
				zmq_msg_init(&m);
				char why[LIA_ERR_MAX];
				if (zmq_poll(&it, 1, 3000) > 0 && zmq_msg_recv(&m, sock, 0) >= 0 &&
				    lia_frame_decode(&r, zmq_msg_data(&m), zmq_msg_size(&m), why) == 0) {
					printf("refused-ping: %s\n", r.type == LIA_FRAME_ERROR ? r.u.error.detail : "answered");
					lia_frame_clear(&r);
				}
				zmq_msg_close(&m);
			}
			if (sock != NULL) {
				zmq_setsockopt(sock, ZMQ_LINGER, &(int){0}, sizeof(int));
				zmq_close(sock);
			}
			zmq_ctx_term(zctx);
			lia_identity_clear(&id);
		}
	}
	for (uint64_t i = 0; i < n; i++) {
		struct lia_frame ping, pong;
		lia_frame_init(&ping, LIA_FRAME_PING, 0);
		if (open[i] && lia_client_call(&c[i], &ping, &pong, err) == LIA_EXIT_OK) {
			pinged += pong.type == LIA_FRAME_PONG;
			lia_frame_clear(&pong);
		}
	}
	printf("conns opened %u of %" PRIu64 " pinged %u\n", opened, n, pinged);
	if (first[0] != '\0')
		printf("conns-refused: %s\n", first);
	for (uint64_t i = 0; i < n; i++)
		if (open[i])
			lia_client_close(&c[i]);
	return 0;
}

/* Issue 11, items 5 and 6: one principal's deep pipeline, and a victim
 * timing the loop meanwhile. */
static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int flood_attack(struct lia_client *c, const char *kind, const char *ntext)
{
	uint64_t n = 0;
	if (lia_parse_u64(ntext, &n) != 0 || n == 0 || n > 100000)
		return 2;
	bool pairs = strcmp(kind, "subhello") == 0;
	uint64_t want = pairs ? 2 * n : n;
	double t0 = now_ms();
	for (uint64_t i = 0; i < n; i++) {
		struct lia_frame f;
		if (pairs) {
			lia_frame_init(&f, LIA_FRAME_SUBSCRIBE, 0);
			snprintf(f.u.subscribe.name, sizeof f.u.subscribe.name, "flood");
			f.u.subscribe.filter.kinds = 1;
			if (lia_client_send(c, &f) != 0)
				return 1;
		}
		if (pairs || strcmp(kind, "hello") == 0) {
			lia_frame_init(&f, LIA_FRAME_HELLO, 0);
			f.u.hello.protocol = LIA_PROTOCOL_VERSION;
			f.u.hello.window = 16;
			snprintf(f.u.hello.client, sizeof f.u.hello.client, "flood");
		} else if (strcmp(kind, "consents") == 0) {
			lia_frame_init(&f, LIA_FRAME_CONSENT_QUERY, 0);
		} else {
			return 2;
		}
		if (lia_client_send(c, &f) != 0)
			return 1;
	}
	uint64_t got = 0, busy = 0;
	struct lia_frame r;
	while (got < want && lia_client_recv(c, &r, 20000) == 1) {
		got++;
		busy += r.type == LIA_FRAME_ERROR && r.u.error.code == LIA_ERROR_BUSY;
		lia_frame_clear(&r);
	}
	printf("flood-answered %" PRIu64 " of %" PRIu64 " busy %" PRIu64 " seconds %.1f\n", got, want, busy,
	       (now_ms() - t0) / 1e3);
	return got == want ? 0 : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int pinger(struct lia_client *c, const char *ntext, bool write)
{
	char err[LIA_ERR_MAX];
	uint64_t n = 0;
	if (lia_parse_u64(ntext, &n) != 0 || n == 0 || n > 10000)
		return 2;
	double *lat = calloc(n, sizeof *lat);
	if (lat == NULL)
		return 1;
	uint64_t got = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct lia_frame f, r;
		lia_frame_init(&f, write ? LIA_FRAME_SUBSCRIBE : LIA_FRAME_PING, 0);
		if (write) { /* answered only once the turn has committed */
			snprintf(f.u.subscribe.name, sizeof f.u.subscribe.name, "victim");
			f.u.subscribe.filter.kinds = 1;
		}
		double t0 = now_ms();
		if (lia_client_call(c, &f, &r, err) == LIA_EXIT_OK && r.type == (write ? LIA_FRAME_OK : LIA_FRAME_PONG))
			lat[got++] = now_ms() - t0;
		lia_frame_clear(&r);
		struct timespec pause = {0, 20 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	qsort(lat, got, sizeof *lat, cmp_double);
	printf("ping-latency max-ms %.0f p99-ms %.0f answered %" PRIu64 " of %" PRIu64 "\n",
	       got ? lat[got - 1] : 0.0, got ? lat[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1] : 0.0,
	       got, n);
	free(lat);
	return 0;
}

static int attack_mode(int argc, char **argv)
{
	char err[LIA_ERR_MAX];
	if (strcmp(argv[2], "wraps") == 0)
		return argc == 4 ? wrap_kids(argv[3]) : 2;
	struct lia_profile p;
	struct lia_client c;
	if (lia_profile_load(&p, argv[1], err) != 0 ||
	    lia_client_open(&c, &p, LIA_ID_SIGN, false, 0, 5000, err) != LIA_EXIT_OK) {
		fprintf(stderr, "rawclient: %s\n", err);
		return 1;
	}
	int rc = 2;
	if (strcmp(argv[2], "query-flood") == 0 && (argc == 5 || argc == 6))
		rc = query_flood(&c, argv[3], argv[4], argc == 6 ? argv[5] : NULL);
	else if (strcmp(argv[2], "ack") == 0 && argc == 4)
		rc = ack_attack(&c, argv[3]);
	else if (strcmp(argv[2], "forge") == 0 && argc == 4)
		rc = publish_attack(&c, argv[2], argv[3], NULL);
	else if ((strcmp(argv[2], "reuse-id") == 0 || strcmp(argv[2], "reuse-id-forged") == 0) && argc == 5)
		rc = publish_attack(&c, argv[2], argv[3], argv[4]);
	else if (strcmp(argv[2], "flood") == 0 && argc == 5)
		rc = flood_attack(&c, argv[3], argv[4]);
	else if (strcmp(argv[2], "pinger") == 0 && argc == 4)
		rc = pinger(&c, argv[3], false);
	else if (strcmp(argv[2], "pinger") == 0 && argc == 5 && strcmp(argv[4], "subscribe") == 0)
		rc = pinger(&c, argv[3], true);
	lia_client_close(&c);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "request") == 0)
		return sodium_init() < 0 ? 2 : reused_key_request(argv[2], argv[3], argv[4]);
	if (argc == 6 && strcmp(argv[2], "fetch-flood") == 0)
		return fetch_flood(argv[1], argv[3], argv[4], argv[5]);
	if (argc == 4 && strcmp(argv[2], "conns") == 0)
		return many_conns(argv[1], argv[3]);
	if (argc == 5 && strcmp(argv[2], "big-pipe") == 0)
		return big_pipe(argv[1], argv[3], argv[4]);
	if (argc == 5 && strcmp(argv[2], "squat") == 0)
		return squat(argv[1], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[2], "strangers") == 0)
		return strangers(argv[1], argv[3]);
	if (argc >= 4 && strcmp(argv[2], "consent") != 0 && sodium_init() >= 0)
		return attack_mode(argc, argv);
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
