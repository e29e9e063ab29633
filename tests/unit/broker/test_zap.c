/* Who may connect (broker/zap.h): the ZAP decision for each kind of
 * key, and the limiter that keeps refused handshakes from flooding the
 * ledger. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "bfix.h"
#include "zap.h"

static struct bfix x;

static bool decide(const uint8_t key[static 32], const struct lia_directory_entry **e, char *why)
{
	return lia_zap_decide(&x.b.dir, key, x.now, e, why);
}

static void test_valid_principal_is_admitted(void **state)
{
	(void)state;
	const struct lia_directory_entry *e = NULL;
	char why[LIA_ZAP_WHY_MAX] = "";
	assert_true(decide(x.it.transport->pk, &e, why));
	assert_non_null(e);
	assert_string_equal(e->cert.subject, "IT-GDF/ventimiglia");
}

static void test_refusals(void **state)
{
	(void)state;
	const struct lia_directory_entry *e;
	char why[LIA_ZAP_WHY_MAX];
	uint8_t stranger[32];
	memset(stranger, 0x5a, sizeof stranger);
	assert_false(decide(stranger, &e, why));
	assert_null(e);
	assert_string_equal(why, "unknown transport key");

	assert_false(decide(x.revoked.transport->pk, &e, why));
	assert_non_null(e); /* known, so the refusal can name it */
	assert_string_equal(why, "certificate revoked");

	assert_false(decide(x.expired.transport->pk, &e, why));
	assert_string_equal(why, "certificate expired");

	assert_false(decide(x.broker.transport->pk, &e, why));
	assert_string_equal(why, "not a principal certificate");

	/* The same key is refused once its certificate is over. */
	assert_false(lia_zap_decide(&x.b.dir, x.it.transport->pk, x.it.cert.not_after, &e, why));
	assert_string_equal(why, "certificate expired");
}

/* The first refusal of a key in a minute is recorded, the repeats are
 * counted; the count goes to the next record and restarts. */
static void test_limiter_per_key(void **state)
{
	(void)state;
	struct lia_zap_refusals r = {0};
	const uint8_t *k = x.revoked.transport->pk;
	assert_true(lia_zap_refusal_worth(&r, k, x.now));
	assert_false(lia_zap_refusal_worth(&r, k, x.now + 1));
	assert_false(lia_zap_refusal_worth(&r, k, x.now + LIA_ZAP_REFUSED_KEY_SECONDS - 1));
	assert_int_equal(r.suppressed, 2);
	assert_int_equal(r.suppressed_since, x.now + 1);
	assert_true(lia_zap_refusal_worth(&r, k, x.now + LIA_ZAP_REFUSED_KEY_SECONDS));
	assert_true(lia_zap_refusal_worth(&r, x.expired.transport->pk, x.now + LIA_ZAP_REFUSED_KEY_SECONDS));
}

/* At most LIA_ZAP_REFUSALS_PER_SECOND records a second, whatever the keys. */
static void test_limiter_per_second(void **state)
{
	(void)state;
	struct lia_zap_refusals r = {0};
	for (int i = 0; i < LIA_ZAP_REFUSALS_PER_SECOND; i++)
		assert_true(lia_zap_refusal_worth(&r, NULL, x.now));
	assert_false(lia_zap_refusal_worth(&r, NULL, x.now));
	assert_false(lia_zap_refusal_worth(&r, x.it.transport->pk, x.now));
	assert_int_equal(r.suppressed, 2);
	assert_true(lia_zap_refusal_worth(&r, NULL, x.now + 1)); /* a new second */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_valid_principal_is_admitted, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_refusals, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_limiter_per_key, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_limiter_per_second, bfix_setup, bfix_teardown, &x),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
