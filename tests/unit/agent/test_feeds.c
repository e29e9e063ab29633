/*
 * Feeds from the agent's side (agent/feeds.h): the minimum evaluation as
 * written on the command line. Subscribing, unsubscribing and listing
 * talk to a broker and are exercised by tests/integration/broker/exchange.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "feeds.h"

static void test_min_evaluation(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int rc;
		enum lia_eval_scheme scheme;
		char source;
		uint8_t information;
	} t[] = {
		{"B2", 0, LIA_EVAL_EUROPOL_4X4, 'B', 2},
		{"4x4:X4", 0, LIA_EVAL_EUROPOL_4X4, 'X', 4},
		{"6x6:C3", 0, LIA_EVAL_ADMIRALTY_6X6, 'C', 3},
		{"B7", -1, 0, 0, 0},
		{"B", -1, 0, 0, 0},
		{"B22", -1, 0, 0, 0},
		{"6x6:", -1, 0, 0, 0},
		{"", -1, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct lia_evaluation e = {.scheme = LIA_EVAL_NONE};
		assert_int_equal(lia_feed_eval_parse(t[i].text, &e), t[i].rc);
		if (t[i].rc != 0) {
			assert_int_equal(e.scheme, LIA_EVAL_NONE); /* untouched on failure */
			continue;
		}
		assert_int_equal(e.scheme, t[i].scheme);
		assert_int_equal(e.source, t[i].source);
		assert_int_equal(e.information, t[i].information);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_min_evaluation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
