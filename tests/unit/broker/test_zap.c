/* Who may connect (broker/zap.h): the ZAP decision for each kind of
 * key, and the counter that keeps refused handshakes from flooding the
 * ledger (issue 11, item 3). */
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

/* Strangers are counted, never recorded one by one, however many keys:
 * the sample stays bounded and the summary is due once the interval ends. */
static void test_strangers_are_counted(void **state)
{
	(void)state;
	struct lia_zap_refusals r = {.interval = 60};
	for (int i = 0; i < 10000; i++) {
		uint8_t k[32];
		memset(k, 0, sizeof k);
		memcpy(k, &i, sizeof i);
		assert_false(lia_zap_refusal_count(&r, k, false, i % 2 ? "127.0.0.2" : "10.0.0.1", x.now + i / 1000));
	}
	assert_int_equal(r.count[LIA_ZAP_UNKNOWN_KEY], 10000);
	assert_int_equal(r.n_keys, LIA_ZAP_SAMPLE_KEYS);
	assert_int_equal(r.n_addresses, 2);
	assert_false(lia_zap_summary_due(&r, x.now + 59));
	assert_true(lia_zap_summary_due(&r, x.now + 60));
	char text[LIA_TEXT_MAX];
	bool has_key;
	uint8_t first[LIA_KEYID_BYTES];
	lia_zap_summary_text(&r, x.now + 60, text, &has_key, first);
	assert_true(has_key);
	assert_non_null(strstr(text, "10000 refused handshakes from "));
	assert_non_null(strstr(text, "10000 unknown transport key, 0 known key"));
	assert_non_null(strstr(text, "addresses: 10.0.0.1 127.0.0.2"));
	lia_zap_summary_reset(&r);
	assert_int_equal(r.interval, 60);
	assert_false(lia_zap_summary_due(&r, x.now + 1000));
}

/* A known key's first refusal in an interval is recorded, its repeats
 * counted; a new interval records it again. */
static void test_known_key_once_an_interval(void **state)
{
	(void)state;
	struct lia_zap_refusals r = {.interval = 60};
	const uint8_t *k = x.revoked.transport->pk;
	assert_true(lia_zap_refusal_count(&r, k, true, "127.0.0.1", x.now));
	assert_false(lia_zap_refusal_count(&r, k, true, "127.0.0.1", x.now + 1));
	assert_false(lia_zap_refusal_count(&r, k, true, "127.0.0.1", x.now + 59));
	assert_true(lia_zap_refusal_count(&r, x.expired.transport->pk, true, "127.0.0.1", x.now + 2));
	assert_int_equal(r.count[LIA_ZAP_KNOWN_KEY], 4);
	assert_int_equal(r.recorded, 2);
	lia_zap_summary_reset(&r);
	assert_true(lia_zap_refusal_count(&r, k, true, "127.0.0.1", x.now + 60));
}

/* At most LIA_ZAP_KNOWN_MAX known keys get records of their own in an
 * interval; beyond, they are only counted. */
static void test_known_keys_bounded(void **state)
{
	(void)state;
	struct lia_zap_refusals r = {.interval = 60};
	int own = 0;
	for (int i = 0; i < 3 * LIA_ZAP_KNOWN_MAX; i++) {
		uint8_t k[32];
		memset(k, 0x11, sizeof k);
		memcpy(k, &i, sizeof i);
		own += lia_zap_refusal_count(&r, k, true, "127.0.0.1", x.now);
	}
	assert_int_equal(own, LIA_ZAP_KNOWN_MAX);
}

/* Whatever the request says its address is, the sample holds an IP
 * address or "?", and a request without a key is counted as malformed. */
static void test_addresses_are_untrusted(void **state)
{
	(void)state;
	struct lia_zap_refusals r = {.interval = 60};
	assert_false(lia_zap_refusal_count(&r, NULL, false, "\"; DROP TABLE", x.now));
	assert_false(lia_zap_refusal_count(&r, NULL, false, NULL, x.now));
	assert_false(lia_zap_refusal_count(&r, NULL, false, "::1", x.now));
	assert_int_equal(r.count[LIA_ZAP_MALFORMED], 3);
	assert_int_equal(r.n_addresses, 2);
	assert_string_equal(r.addresses[0], "?");
	assert_string_equal(r.addresses[1], "::1");
	char text[LIA_TEXT_MAX];
	bool has_key = true;
	uint8_t first[LIA_KEYID_BYTES];
	lia_zap_summary_text(&r, x.now, text, &has_key, first);
	assert_false(has_key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_valid_principal_is_admitted, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_refusals, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_strangers_are_counted, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_known_key_once_an_interval, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_known_keys_bounded, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_addresses_are_untrusted, bfix_setup, bfix_teardown, &x),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
