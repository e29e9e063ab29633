/* The table of unauthenticated connections (broker/conns.h): a source
 * (an IPv4 address, an IPv6 /64) holding more than per_address of them
 * loses its oldest, all of them together more than max_total lose the
 * oldest of all; a descriptor seen again is a new connection; doomed
 * entries no longer count and leave the table once taken. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "conns.h"

static struct sockaddr_storage v4(const char *ip, uint16_t port)
{
	struct sockaddr_storage s;
	memset(&s, 0, sizeof s);
	struct sockaddr_in *a = (struct sockaddr_in *)&s;
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &a->sin_addr), 1);
	return s;
}

static struct sockaddr_storage v6(const char *ip, uint16_t port)
{
	struct sockaddr_storage s;
	memset(&s, 0, sizeof s);
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s;
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &a->sin6_addr), 1);
	return s;
}

static int add(struct lia_conns *t, int fd, struct sockaddr_storage peer)
{
	return lia_conns_accepted(t, fd, &peer, sizeof peer);
}

static void init(struct lia_conns *t, uint32_t per_address, uint32_t total)
{
	char err[LIA_ERR_MAX];
	assert_int_equal(lia_conns_init(t, per_address, total, 2, err), 0);
}

static void sources(void **state)
{
	(void)state;
	struct sockaddr_storage a = v4("10.0.0.1", 1), b = v4("10.0.0.1", 2), c = v4("10.0.0.2", 1);
	assert_true(lia_conns_same_source(&a, &b)); /* ports do not matter */
	assert_false(lia_conns_same_source(&a, &c));
	struct sockaddr_storage x = v6("2001:db8:1:2::1", 1), y = v6("2001:db8:1:2:ffff::9", 1),
				z = v6("2001:db8:1:3::1", 1), m = v6("::ffff:10.0.0.1", 7);
	assert_true(lia_conns_same_source(&x, &y)); /* one /64 */
	assert_false(lia_conns_same_source(&x, &z));
	assert_true(lia_conns_same_source(&m, &a)); /* IPv4-mapped is IPv4 */
	assert_false(lia_conns_same_source(&x, &a));
	struct sockaddr_storage u;
	memset(&u, 0, sizeof u);
	u.ss_family = AF_UNIX;
	assert_false(lia_conns_same_source(&u, &u)); /* not bounded per source */
}

static void per_address_oldest(void **state)
{
	(void)state;
	struct lia_conns t;
	init(&t, 3, 100);
	for (int fd = 10; fd < 13; fd++)
		assert_int_equal(add(&t, fd, v4("127.0.0.2", (uint16_t)fd)), 0);
	assert_int_equal(add(&t, 20, v4("127.0.0.1", 20)), 0); /* another source */
	assert_int_equal(add(&t, 13, v4("127.0.0.2", 13)), 1); /* the fourth */
	struct sockaddr_storage p = v4("127.0.0.2", 0);
	assert_int_equal(lia_conns_live_from(&t, &p), 3);
	struct lia_conn c;
	assert_true(lia_conns_take_doomed(&t, &c));
	assert_int_equal(c.fd, 10); /* the oldest of that source */
	assert_false(lia_conns_take_doomed(&t, &c));
	assert_int_equal(t.n, 4);
	/* Gone (authenticated or disconnected): room again. */
	lia_conns_gone(&t, 11);
	assert_int_equal(add(&t, 14, v4("127.0.0.2", 14)), 0);
	lia_conns_gone(&t, 999); /* not held: nothing */
	assert_int_equal(t.n, 4);
	lia_conns_free(&t);
}

static void total_oldest(void **state)
{
	(void)state;
	struct lia_conns t;
	init(&t, 10, 3);
	assert_int_equal(add(&t, 5, v4("10.0.0.5", 1)), 0);
	assert_int_equal(add(&t, 6, v4("10.0.0.6", 1)), 0);
	assert_int_equal(add(&t, 7, v4("10.0.0.7", 1)), 0);
	assert_int_equal(add(&t, 8, v4("10.0.0.8", 1)), 1);
	struct lia_conn c;
	assert_true(lia_conns_take_doomed(&t, &c));
	assert_int_equal(c.fd, 5);
	/* The source's bound first: what it dooms no longer counts in all,
	 * so the total is not passed as well. */
	lia_conns_free(&t);
	init(&t, 1, 2);
	assert_int_equal(add(&t, 1, v4("10.0.0.1", 1)), 0);
	assert_int_equal(add(&t, 2, v4("10.0.0.2", 1)), 0);
	assert_int_equal(add(&t, 3, v4("10.0.0.2", 2)), 1);
	assert_true(lia_conns_take_doomed(&t, &c));
	assert_int_equal(c.fd, 2);
	assert_false(lia_conns_take_doomed(&t, &c));
	assert_int_equal(t.n, 2);
	lia_conns_free(&t);
}

/* A descriptor accepted again was closed meanwhile: one entry, the new
 * peer, and the newest in age. */
static void fd_reused(void **state)
{
	(void)state;
	struct lia_conns t;
	init(&t, 2, 100);
	assert_int_equal(add(&t, 9, v4("10.0.0.1", 1)), 0);
	assert_int_equal(add(&t, 10, v4("10.0.0.1", 2)), 0);
	assert_int_equal(add(&t, 9, v4("10.0.0.1", 3)), 0); /* replaces, no third */
	assert_int_equal(t.n, 2);
	assert_int_equal(add(&t, 11, v4("10.0.0.1", 4)), 1);
	struct lia_conn c;
	assert_true(lia_conns_take_doomed(&t, &c));
	assert_int_equal(c.fd, 10); /* 9 is now younger */
	lia_conns_free(&t);
}

static void exhaustion_and_full(void **state)
{
	(void)state;
	struct lia_conns t;
	init(&t, 1000, 4);
	for (int fd = 0; fd < 4; fd++)
		assert_int_equal(add(&t, fd, v4("10.0.1.1", (uint16_t)fd)), 0);
	assert_int_equal(lia_conns_doom_oldest(&t, 3), 3);
	assert_int_equal(lia_conns_doom_oldest(&t, 3), 1); /* only one live left */
	struct lia_conn c;
	int n = 0;
	while (lia_conns_take_doomed(&t, &c))
		n++;
	assert_int_equal(n, 4);
	assert_int_equal(t.n, 0);
	/* The storage is bounded: max_total + CONNS_DRAIN_MAX entries. */
	for (size_t i = 0; i < t.cap; i++)
		assert_true(add(&t, (int)i + 100, v4("10.0.2.1", 1)) >= 0);
	assert_int_equal(add(&t, 1, v4("10.0.2.1", 1)), -1);
	assert_int_equal(t.n, t.cap);
	lia_conns_free(&t);
}

/* Once a message came, a connection is its key's (per_key 2 here): out
 * of the bounds on unauthenticated ones, and a key's third connection is
 * the one doomed. */
static void authenticated(void **state)
{
	(void)state;
	struct lia_conns t;
	init(&t, 2, 100);
	uint8_t k1[32], k2[32];
	memset(k1, 1, sizeof k1);
	memset(k2, 2, sizeof k2);
	for (int fd = 10; fd < 14; fd++)
		assert_int_equal(add(&t, fd, v4("10.0.0.1", (uint16_t)fd)), fd >= 12 ? 1 : 0);
	/* 12 and 13 doomed 10 and 11 (two unauthenticated per source). */
	assert_int_equal(lia_conns_authed(&t, 12, k1, 100), 0);
	assert_int_equal(lia_conns_authed(&t, 12, k1, 100), 0); /* known: nothing */
	struct sockaddr_storage src = v4("10.0.0.1", 1);
	assert_int_equal(lia_conns_live_from(&t, &src), 1); /* 13 only */
	/* Authenticated ones no longer count per source. */
	assert_int_equal(add(&t, 14, v4("10.0.0.1", 14)), 0);
	assert_int_equal(lia_conns_authed(&t, 13, k1, 100), 0);
	assert_int_equal(lia_conns_authed(&t, 14, k1, 100), 1); /* k1's third: the newcomer */
	assert_int_equal(lia_conns_authed(&t, 999, k1, 100), 0); /* not held: nothing */
	assert_int_equal(lia_conns_authed(&t, 14, k1, 100), 1); /* refused until shut down */
	struct lia_conn c;
	t.now = 100; /* 10 and 11 now; 14 once its refusal had a second to leave */
	assert_true(lia_conns_take_doomed(&t, &c));
	assert_true(lia_conns_take_doomed(&t, &c));
	assert_false(lia_conns_take_doomed(&t, &c));
	assert_int_equal(lia_conns_authed(&t, 14, k1, 100), 1);
	t.now = 101;
	assert_true(lia_conns_take_doomed(&t, &c));
	assert_int_equal(c.fd, 14);
	assert_false(lia_conns_take_doomed(&t, &c));
	/* Another key has bounds of its own; a gone connection frees room. */
	assert_int_equal(add(&t, 15, v4("10.0.0.2", 15)), 0);
	assert_int_equal(lia_conns_authed(&t, 15, k2, 100), 0);
	lia_conns_gone(&t, 12);
	assert_int_equal(add(&t, 16, v4("10.0.0.1", 16)), 0);
	assert_int_equal(lia_conns_authed(&t, 16, k1, 100), 0); /* 13 and 16 */
	assert_int_equal(t.n_authed, 3);
	lia_conns_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sources),
		cmocka_unit_test(per_address_oldest),
		cmocka_unit_test(total_oldest),
		cmocka_unit_test(fd_reused),
		cmocka_unit_test(exhaustion_and_full),
		cmocka_unit_test(authenticated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
