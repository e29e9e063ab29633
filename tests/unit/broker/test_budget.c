/* Rate budgets (broker/budget.h, issue 11, item 2): one mechanism for
 * every limited class, the refusal that names its limit and is counted,
 * the summary record of the refusals, and identical audit queries
 * recorded once with their count. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfix.h"
#include "budget.h"
#include "query.h"
#include "turn.h"
#include "util.h"

static struct bfix x;

static void test_classes_windows_and_defaults(void **state)
{
	(void)state;
	/* The example policy does not set audit_queries_per_hour: the
	 * default holds. */
	assert_int_equal(lia_limit_of(x.b.policy, LIA_LIMIT_AUDIT_QUERY), 600);
	assert_int_equal(lia_limit_of(x.b.policy, LIA_LIMIT_PUBLISH), x.b.policy->publish_per_hour);
	assert_string_equal(lia_limit_name(LIA_LIMIT_CONSENT_REQUEST), "onward_requests_per_day");
	assert_int_equal(lia_limit_window(LIA_LIMIT_AUDIT_QUERY), 3600);
	assert_int_equal(lia_limit_window(LIA_LIMIT_CONSENT_REQUEST), 86400);

	x.b.policy->onward_requests_per_day = 2;
	struct lia_rate r = {0};
	int64_t t = x.now;
	for (int i = 0; i < 2; i++) {
		assert_true(lia_rate_allows(&r, x.b.policy, LIA_LIMIT_CONSENT_REQUEST, t));
		lia_rate_spend(&r, LIA_LIMIT_CONSENT_REQUEST, t);
	}
	assert_false(lia_rate_allows(&r, x.b.policy, LIA_LIMIT_CONSENT_REQUEST, t));
	/* An hour is not a day; a day later the budget is whole again. */
	assert_false(lia_rate_allows(&r, x.b.policy, LIA_LIMIT_CONSENT_REQUEST, t + 3600));
	assert_true(lia_rate_allows(&r, x.b.policy, LIA_LIMIT_CONSENT_REQUEST, t + 86400));
	/* Another class's limit does not apply, and 0 is no limit. */
	x.b.policy->onward_requests_per_day = 0;
	assert_true(lia_rate_allows(&r, x.b.policy, LIA_LIMIT_CONSENT_REQUEST, t));
	assert_true(lia_rate_allows(NULL, x.b.policy, LIA_LIMIT_AUDIT_QUERY, t));
}

static void test_refusal_names_the_limit_and_counts(void **state)
{
	(void)state;
	x.b.policy->audit_queries_per_hour = 3;
	struct lia_rate r = {0};
	int64_t t = x.now;
	for (int i = 0; i < 3; i++)
		lia_rate_spend(&r, LIA_LIMIT_AUDIT_QUERY, t);
	assert_false(lia_rate_allows(&r, x.b.policy, LIA_LIMIT_AUDIT_QUERY, t + 10));
	char detail[LIA_DETAIL_MAX], want[LIA_DETAIL_MAX], when[32];
	lia_time_format(t + 3600, when);
	snprintf(want, sizeof want, "rate limit audit_queries_per_hour=3 reached; retry after %s", when);
	assert_true(lia_rate_refuse(&r, x.b.policy, LIA_LIMIT_AUDIT_QUERY, t + 10, detail, sizeof detail));
	assert_string_equal(detail, want);
	/* Only the first refusal of a window is logged. */
	assert_false(lia_rate_refuse(&r, x.b.policy, LIA_LIMIT_AUDIT_QUERY, t + 20, detail, sizeof detail));
	assert_int_equal(r.refused, 2);
	assert_int_equal(r.refused_until, t + 3600);
	assert_int_equal(r.count, 3); /* a refusal spends nothing */
}

/* A disclosures query of s about id, through the broker; true when it
 * was answered (the answer waits for the commit). */
static bool query(struct lia_session *s, const uint8_t *id)
{
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_AUDIT_QUERY, 3);
	f.u.audit_query.kind = LIA_AUDIT_DISCLOSURES;
	f.u.audit_query.has_message_id = true;
	memcpy(f.u.audit_query.message_id, id, LIA_ID_BYTES);
	size_t before = x.b.n_out;
	lia_query_audit(&x.b, s, &f);
	bool answered = x.b.n_out > before;
	lia_turn_commit(&x.b);
	return answered;
}

static void last_justification(char *out, size_t cap)
{
	char err[LIA_ERR_MAX];
	struct lia_record r;
	uint64_t n = bfix_ledger_size(&x);
	assert_int_equal(lia_ledger_get(x.b.ledger, n - 1, &r, err), 0);
	assert_int_equal(r.op, LIA_OP_AUDIT_QUERY);
	assert_string_equal(r.actor.subject, "IT-GDF/ventimiglia");
	snprintf(out, cap, "%s", r.justification);
}

static void test_queries_over_the_limit_append_nothing(void **state)
{
	(void)state;
	struct lia_session *s = bfix_session(&x, &x.it);
	struct lia_header h1, h2;
	assert_true(bfix_publish_route(&x, s, &x.it, &x.mt, &h1).accepted);
	assert_true(bfix_publish_route(&x, s, &x.it, &x.mt, &h2).accepted);
	x.b.policy->audit_queries_per_hour = 3;
	uint64_t before = bfix_ledger_size(&x);
	int answered = 0;
	for (int i = 0; i < 10; i++) /* alternating: no repeats */
		answered += query(s, i % 2 ? h2.id : h1.id);
	assert_int_equal(answered, 3);
	assert_int_equal(bfix_ledger_size(&x), before + 3);
	/* The window is open: nothing is owed yet. */
	lia_limits_tick(&x.b, lia_now());
	lia_turn_commit(&x.b);
	assert_int_equal(bfix_ledger_size(&x), before + 3);
	/* Closed (or flushed): one record for the seven refusals. */
	lia_limits_tick(&x.b, lia_now() + 3600);
	lia_turn_commit(&x.b);
	assert_int_equal(bfix_ledger_size(&x), before + 4);
	char j[LIA_TEXT_MAX];
	last_justification(j, sizeof j);
	assert_non_null(strstr(j, "7 requests refused by rate limit audit_queries_per_hour=3 from "));
	lia_limits_flush(&x.b); /* nothing more owed */
	assert_int_equal(bfix_ledger_size(&x), before + 4);
}

static void test_identical_queries_recorded_once_with_a_count(void **state)
{
	(void)state;
	struct lia_session *s = bfix_session(&x, &x.it);
	struct lia_header h1, h2;
	assert_true(bfix_publish_route(&x, s, &x.it, &x.mt, &h1).accepted);
	assert_true(bfix_publish_route(&x, s, &x.it, &x.mt, &h2).accepted);
	x.b.policy->audit_queries_per_hour = 3;
	uint64_t before = bfix_ledger_size(&x);
	/* Five identical queries: all answered, one record, one spent. */
	for (int i = 0; i < 5; i++)
		assert_true(query(s, h1.id));
	assert_int_equal(bfix_ledger_size(&x), before + 1);
	/* Another query writes the count first, then its own record. */
	assert_true(query(s, h2.id));
	assert_int_equal(bfix_ledger_size(&x), before + 3);
	char err[LIA_ERR_MAX];
	struct lia_record r;
	assert_int_equal(lia_ledger_get(x.b.ledger, before + 1, &r, err), 0);
	assert_non_null(strstr(r.justification, "repeated 4 times within 60 s: originator asked who received"));
	assert_true(r.has_message_id && memcmp(r.message_id, h1.id, LIA_ID_BYTES) == 0);
	/* Repeats of the second, counted until the 60 s have passed. */
	assert_true(query(s, h2.id));
	assert_true(query(s, h2.id));
	lia_limits_tick(&x.b, lia_now() + 59);
	lia_turn_commit(&x.b);
	assert_int_equal(bfix_ledger_size(&x), before + 3);
	lia_limits_tick(&x.b, lia_now() + 60);
	lia_turn_commit(&x.b);
	assert_int_equal(bfix_ledger_size(&x), before + 4);
	char j[LIA_TEXT_MAX];
	last_justification(j, sizeof j);
	assert_non_null(strstr(j, "repeated 2 times within 60 s: "));
	/* The third recorded query is the last within the budget. */
	assert_true(query(s, h1.id));
	assert_false(query(s, h2.id));
	assert_int_equal(bfix_ledger_size(&x), before + 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_classes_windows_and_defaults, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_refusal_names_the_limit_and_counts, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_queries_over_the_limit_append_nothing, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_identical_queries_recorded_once_with_a_count, bfix_setup, bfix_teardown, &x),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
