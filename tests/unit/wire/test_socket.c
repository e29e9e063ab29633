/* Sockets (wire/wire.h): the server's ZAP backstop (issue 10, item 12).
 * A CURVE client with a valid handshake is admitted when a ZAP handler
 * answers 200, and not admitted at all when no handler is there: with
 * no handler bound, libzmq's default would admit it unauthenticated. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <zmq.h>

#include "wire.h"

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93 /* DRAFT in zmq.h 4.3 (see socket.c) */
#endif

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Answer one waiting ZAP request with 200. */
static void zap_allow(void *zap)
{
	zmq_msg_t part[8];
	int n = 0, more = 1;
	while (more && n < 8) {
		zmq_msg_init(&part[n]);
		if (zmq_msg_recv(&part[n], zap, 0) < 0)
			break;
		more = zmq_msg_more(&part[n++]);
	}
	assert_true(n >= 2);
	zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(zap, zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), ZMQ_SNDMORE);
	zmq_send(zap, "200", 3, ZMQ_SNDMORE);
	zmq_send(zap, "OK", 2, ZMQ_SNDMORE);
	zmq_send(zap, "client", 6, ZMQ_SNDMORE);
	zmq_send(zap, "", 0, 0);
	for (int i = 0; i < n; i++)
		zmq_msg_close(&part[i]);
}

/* Whether a CURVE client completes its handshake with a fresh
 * lia_wire_server within 1.5 s, with or without a ZAP handler. */
static bool admitted(bool with_handler)
{
	char err[LIA_ERR_MAX];
	struct lia_secret *server_key = lia_secret_generate(LIA_KEY_TRANSPORT);
	struct lia_secret *client_key = lia_secret_generate(LIA_KEY_TRANSPORT);
	assert_non_null(server_key);
	assert_non_null(client_key);
	void *zctx = zmq_ctx_new();
	void *zap = NULL;
	if (with_handler) {
		zap = zmq_socket(zctx, ZMQ_REP);
		assert_int_equal(zmq_bind(zap, "inproc://zeromq.zap.01"), 0);
	}
	void *server = lia_wire_server(zctx, "tcp://127.0.0.1:*", server_key, 5000, err);
	if (server == NULL)
		fail_msg("lia_wire_server: %s", err);
	int enforced = 0;
	size_t len = sizeof enforced;
	assert_int_equal(zmq_getsockopt(server, ZMQ_ZAP_ENFORCE_DOMAIN, &enforced, &len), 0);
	assert_int_equal(enforced, 1);
	char endpoint[256];
	len = sizeof endpoint;
	assert_int_equal(zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &len), 0);

	void *client = lia_wire_client(zctx, NULL, server_key->pk, client_key, err);
	if (client == NULL)
		fail_msg("lia_wire_client: %s", err);
	assert_int_equal(zmq_socket_monitor(client, "inproc://test-socket-monitor", ZMQ_EVENT_HANDSHAKE_SUCCEEDED), 0);
	void *monitor = zmq_socket(zctx, ZMQ_PAIR);
	assert_int_equal(zmq_connect(monitor, "inproc://test-socket-monitor"), 0);
	assert_int_equal(zmq_connect(client, endpoint), 0);

	bool ok = false;
	int64_t deadline = now_ms() + 1500;
	while (!ok && now_ms() < deadline) {
		zmq_pollitem_t it[] = {{monitor, 0, ZMQ_POLLIN, 0}, {zap, 0, ZMQ_POLLIN, 0}};
		if (zmq_poll(it, zap != NULL ? 2 : 1, 100) <= 0)
			continue;
		if (zap != NULL && (it[1].revents & ZMQ_POLLIN))
			zap_allow(zap);
		if (it[0].revents & ZMQ_POLLIN) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, monitor, 0) >= 0 && zmq_msg_size(&m) >= 2) {
				uint16_t event;
				memcpy(&event, zmq_msg_data(&m), 2);
				ok = event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
			}
			zmq_msg_close(&m);
			zmq_msg_init(&m);
			(void)zmq_msg_recv(&m, monitor, 0); /* the event's address part */
			zmq_msg_close(&m);
		}
	}
	int zero = 0;
	zmq_setsockopt(client, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(server, ZMQ_LINGER, &zero, sizeof zero);
	zmq_close(monitor);
	zmq_close(client);
	zmq_close(server);
	if (zap != NULL)
		zmq_close(zap);
	zmq_ctx_term(zctx);
	lia_secret_destroy(&server_key);
	lia_secret_destroy(&client_key);
	return ok;
}

static void test_admitted_by_the_handler(void **state)
{
	(void)state;
	assert_true(admitted(true));
}

static void test_nobody_admitted_without_a_handler(void **state)
{
	(void)state;
	assert_false(admitted(false));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admitted_by_the_handler),
		cmocka_unit_test(test_nobody_admitted_without_a_handler),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
