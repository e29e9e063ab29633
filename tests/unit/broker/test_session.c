/* Sessions (broker/session.h): a transport key holds at most
 * LIA_SESSIONS_PER_KEY of them, and making room for a new one forgets an
 * idle one before a receiving one, so that a principal's `listen` is not
 * pushed out by its own one-shot commands, and never another key's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "session.h"
#include "util.h"

static struct lia_broker b;

static int setup(void **state)
{
	(void)state;
	memset(&b, 0, sizeof b);
	b.cfg.max_sessions = 2 * LIA_SESSIONS_PER_KEY + 1;
	b.sessions = calloc(b.cfg.max_sessions, sizeof *b.sessions);
	return b.sessions == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	free(b.sessions);
	return 0;
}

/* A session of key k, heard at t, with routing id {k, n}. */
static struct lia_session *open_session(uint8_t k, uint8_t n, int64_t t, bool receive)
{
	uint8_t key[32], rid[LIA_ROUTING_ID_BYTES] = {k, n};
	memset(key, k, sizeof key);
	lia_session_make_room(&b, key);
	struct lia_session *s = lia_session_new(&b, rid, sizeof rid);
	assert_non_null(s);
	memcpy(s->cert.transport_pk, key, 32);
	s->last_seen = t;
	s->receive = receive;
	return s;
}

static bool held(uint8_t k, uint8_t n)
{
	uint8_t rid[LIA_ROUTING_ID_BYTES] = {k, n};
	return lia_session_find(&b, rid, sizeof rid) != NULL;
}

static void test_idle_sessions_go_before_a_listener(void **state)
{
	(void)state;
	(void)open_session(2, 0, 1, false); /* another key's, older than all */
	(void)open_session(1, 0, 10, true); /* the listener, the oldest of key 1 */
	for (uint8_t n = 1; n < LIA_SESSIONS_PER_KEY; n++)
		(void)open_session(1, n, 10 + n, false);
	/* The ninth: the oldest idle one goes, not the listener. */
	(void)open_session(1, LIA_SESSIONS_PER_KEY, 100, false);
	assert_true(held(1, 0));
	assert_false(held(1, 1));
	assert_true(held(1, 2));
	assert_true(held(2, 0));
}

static void test_only_receivers_left_the_oldest_goes(void **state)
{
	(void)state;
	for (uint8_t n = 0; n < LIA_SESSIONS_PER_KEY; n++)
		(void)open_session(3, n, 10 + n, true);
	(void)open_session(3, LIA_SESSIONS_PER_KEY, 100, true);
	assert_false(held(3, 0));
	assert_true(held(3, 1));
	assert_true(held(3, LIA_SESSIONS_PER_KEY));
}

/* Issue 11, item 1: the accounting of bytes queued towards a peer. */
static void test_outstanding_is_sent_minus_acked_since_baseline(void **state)
{
	(void)state;
	assert_int_equal(lia_peer_outstanding(1000, 500, 500, true), 1000);
	assert_int_equal(lia_peer_outstanding(1000, 500, 1100, true), 400);
	assert_int_equal(lia_peer_outstanding(1000, 500, 1500, true), 0);
	/* More acknowledged than counted (framing): nothing, not negative. */
	assert_int_equal(lia_peer_outstanding(1000, 500, 9000, true), 0);
	/* A count that went back is no credit. */
	assert_int_equal(lia_peer_outstanding(1000, 500, 100, true), 1000);
	/* Unmeasured: no credit at all, fail closed. */
	assert_int_equal(lia_peer_outstanding(1000, 0, 5000, false), 1000);
}

static void test_budget_and_fail_closed(void **state)
{
	(void)state;
	b.cfg.peer_queue_bytes = 4000;
	struct lia_session *s = open_session(4, 0, 1, false);
	assert_int_equal(s->q.fd, -1);
	uint8_t rid[LIA_ROUTING_ID_BYTES] = {4, 0};
	lia_session_sent(&b, rid, sizeof rid, 1000);
	/* No descriptor known: every byte counts, overhead included. */
	assert_int_equal(lia_session_queued(s, 10), 1000 + LIA_PEER_FRAME_OVERHEAD);
	assert_true(lia_session_room(&b, s, 2000));
	assert_false(lia_session_room(&b, s, 3000));
	/* A session with bytes queued is not pushed out by a ninth. */
	for (uint8_t n = 1; n < LIA_SESSIONS_PER_KEY; n++)
		(void)open_session(4, n, 10 + n, false);
	uint8_t key[32];
	memset(key, 4, sizeof key);
	assert_true(lia_session_make_room(&b, key));
	assert_true(held(4, 0));
	assert_false(held(4, 1));
	/* A socket that is not TCP: nothing can say what was read. */
	int p[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, p), 0);
	lia_session_note_fd(s, p[0]);
	assert_int_equal(s->q.sent, 0); /* re-baselined on a new descriptor */
	lia_session_sent(&b, rid, sizeof rid, 100);
	assert_int_equal(lia_session_queued(s, 20), 100 + LIA_PEER_FRAME_OVERHEAD);
	close(p[0]);
	close(p[1]);
}

/* A real loopback TCP connection: what the peer reads is credited. */
static void test_tcp_acknowledged_bytes_are_credited(void **state)
{
	(void)state;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
	int srv = accept(l, NULL, NULL);
	assert_true(srv >= 0);
	struct lia_session *s = open_session(5, 0, 1, false);
	uint8_t rid[LIA_ROUTING_ID_BYTES] = {5, 0};
	lia_session_note_fd(s, srv);
	assert_true(s->q.measured);
	static char buf[100000];
	size_t n = (size_t)write(srv, buf, sizeof buf);
	lia_session_sent(&b, rid, sizeof rid, n);
	char in[4096];
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(c, in, sizeof in);
		assert_true(r > 0);
		got += (size_t)r;
	}
	nanosleep(&(struct timespec){0, 50000000L}, NULL); /* the acknowledgements */
	/* Read in full: only the overhead allowance is left. */
	assert_true(lia_session_queued(s, lia_now()) <= LIA_PEER_FRAME_OVERHEAD);
	/* Idle with an empty send queue: the count starts again. */
	assert_int_equal(lia_session_queued(s, lia_now() + LIA_PEER_RESYNC_SECONDS), 0);
	assert_int_equal(s->q.sent, 0);
	/* The connection closes: libzmq drops its queue, nothing is owed. */
	lia_session_sent(&b, rid, sizeof rid, 5000);
	close(c);
	close(srv);
	assert_int_equal(lia_session_queued(s, 2), 0);
	assert_int_equal(s->q.fd, -1);
	close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idle_sessions_go_before_a_listener, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_receivers_left_the_oldest_goes, setup, teardown),
		cmocka_unit_test(test_outstanding_is_sent_minus_acked_since_baseline),
		cmocka_unit_test_setup_teardown(test_budget_and_fail_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_acknowledged_bytes_are_credited, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
