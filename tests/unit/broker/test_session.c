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

#include "session.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idle_sessions_go_before_a_listener, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_receivers_left_the_oldest_goes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
