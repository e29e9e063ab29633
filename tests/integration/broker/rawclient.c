/*
 * rawclient.c — an authenticated agent that misbehaves, for the
 * integration tests: after a proper hello it sends garbage, truncated
 * and oversized frames and counts the broker's answers. The broker must
 * answer each malformed frame with an error and keep serving.
 *
 * usage: rawclient PROFILE     prints "malformed-answered N of M" and
 *                              exits 0 when every malformed frame got an
 *                              Error answer and a final ping got a pong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include <sodium.h>

#include "client.h"
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

int main(int argc, char **argv)
{
	if (argc != 2 || sodium_init() < 0)
		return 2;
	char err[LIA_ERR_MAX];
	struct lia_profile p;
	struct lia_client c;
	if (lia_profile_load(&p, argv[1], err) != 0 ||
	    lia_client_open(&c, &p, 0, false, 0, 5000, err) != LIA_EXIT_OK) {
		fprintf(stderr, "rawclient: %s\n", err);
		return 1;
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
