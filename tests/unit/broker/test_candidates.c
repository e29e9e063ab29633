/* Candidates (broker/candidates.h): who a publish may reach, each
 * principal once, and what decide() says of each. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bfix.h"
#include "candidates.h"

static struct bfix x;
static struct lia_candidate cand[16];

static int setup(void **state)
{
	(void)bfix_setup(state);
	memset(cand, 0, sizeof cand);
	return 0;
}

static struct lia_names names(const char *a, const char *b)
{
	struct lia_names l = {0};
	if (a != NULL)
		assert_int_equal(lia_names_add(&l, a), 0);
	if (b != NULL)
		assert_int_equal(lia_names_add(&l, b), 0);
	return l;
}

static struct lia_store_feed feed(const char *subscriber, const char *name, uint32_t kinds)
{
	struct lia_store_feed f;
	memset(&f, 0, sizeof f);
	snprintf(f.subscriber, sizeof f.subscriber, "%s", subscriber);
	snprintf(f.name, sizeof f.name, "%s", name);
	f.filter.kinds = kinds;
	return f;
}

static struct lia_header route_header(void)
{
	struct lia_header h;
	memset(&h, 0, sizeof h);
	h.kind = LIA_KIND_ROUTE;
	return h;
}

static size_t gather(const struct lia_store_feed *feeds, size_t n_feeds, const struct lia_names *to,
		     int want_rc)
{
	struct lia_header h = route_header();
	char why[LIA_DETAIL_MAX] = "";
	size_t n = 99;
	assert_int_equal(lia_cand_gather(cand, 16, &n, &x.b.dir, feeds, n_feeds, &x.it.cert, &h, to, why),
			 want_rc);
	return n;
}

static void test_addressees_in_order_never_the_sender(void **state)
{
	(void)state;
	struct lia_names to = names("GR-HCG/piraeus", "MT-AFM/valletta");
	assert_int_equal(gather(NULL, 0, &to, 0), 2);
	assert_string_equal(cand[0].who->cert.subject, "GR-HCG/piraeus");
	assert_string_equal(cand[0].via, "direct");
	assert_string_equal(cand[1].who->cert.subject, "MT-AFM/valletta");

	to = names("IT-GDF/ventimiglia", "MT-AFM/valletta"); /* the sender itself */
	assert_int_equal(gather(NULL, 0, &to, 0), 1);
	assert_string_equal(cand[0].who->cert.subject, "MT-AFM/valletta");
}

static void test_unknown_addressee_refuses(void **state)
{
	(void)state;
	struct lia_names to = names("MT-AFM/valletta", "XX-NONE/nobody");
	struct lia_header h = route_header();
	char why[LIA_DETAIL_MAX];
	size_t n = 99;
	assert_int_equal(lia_cand_gather(cand, 16, &n, &x.b.dir, NULL, 0, &x.it.cert, &h, &to, why), -1);
	assert_int_equal(n, 0);
	assert_non_null(strstr(why, "XX-NONE/nobody"));
}

static void test_feeds_match_and_each_principal_once(void **state)
{
	(void)state;
	struct lia_store_feed feeds[] = {
		feed("MT-AFM/valletta", "med", 0),                         /* also addressed */
		feed("GR-HCG/piraeus", "routes", 1u << LIA_KIND_ROUTE),    /* matches */
		feed("GR-HCG/piraeus", "again", 0),                        /* second way in */
		feed("IT-GDF/ventimiglia", "mine", 0),                     /* the sender's own */
		feed("IT-PS/roma", "docs", 1u << LIA_KIND_DOCUMENT),       /* no match */
		feed("XX-GONE/left", "old", 0),                            /* not in the directory */
	};
	struct lia_names to = names("MT-AFM/valletta", NULL);
	assert_int_equal(gather(feeds, sizeof feeds / sizeof feeds[0], &to, 0), 2);
	assert_string_equal(cand[0].who->cert.subject, "MT-AFM/valletta");
	assert_string_equal(cand[0].via, "direct"); /* the first way it is reached */
	assert_string_equal(cand[1].who->cert.subject, "GR-HCG/piraeus");
	assert_string_equal(cand[1].via, "routes");
}

static void test_at_most_max(void **state)
{
	(void)state;
	struct lia_names to = names("GR-HCG/piraeus", "MT-AFM/valletta");
	struct lia_header h = route_header();
	char why[LIA_DETAIL_MAX];
	size_t n = 0;
	assert_int_equal(lia_cand_gather(cand, 1, &n, &x.b.dir, NULL, 0, &x.it.cert, &h, &to, why), 0);
	assert_int_equal(n, 1);
}

/* decide() per candidate: MT-AFM may not receive personal data, so a
 * network message (about a suspect) is withheld from it; a permitted
 * recipient the originator did not wrap for is withheld too. */
static void test_deny_and_no_wrap_become_withholds(void **state)
{
	(void)state;
	const struct fx_principal *wrapped[] = {&x.gr, &x.mt};
	uint8_t *env;
	size_t len;
	struct lia_header h;
	bfix_seal(&x.it, LIA_KIND_NETWORK, x.now, NULL, wrapped, 2, &env, &len, &h);
	struct lia_envelope *e = NULL;
	assert_int_equal(lia_envelope_decode(&e, env, len), LIA_ENV_OK);
	struct lia_names to = names("GR-HCG/piraeus", "MT-AFM/valletta");
	assert_int_equal(gather(NULL, 0, &to, 0), 2);
	bool permit[2];
	struct lia_decision decs[2];
	size_t n = lia_cand_decide(x.b.policy, &x.b.dir.crl, cand, 2, lia_envelope_header(e), &x.it.cert, e,
				   LIA_PATH_DIRECT, NULL, 0, x.now, permit, decs);
	assert_int_equal(n, 1);
	assert_true(permit[0]);
	assert_int_equal(decs[0].verdict, LIA_PERMIT);
	assert_false(permit[1]);
	assert_int_equal(decs[1].verdict, LIA_DENY);
	assert_int_not_equal(decs[1].rule, LIA_RULE_NONE); /* a policy rule said no */
	lia_envelope_destroy(&e);
	free(env);

	const struct fx_principal *only_mt[] = {&x.mt};
	bfix_seal(&x.it, LIA_KIND_ROUTE, x.now, NULL, only_mt, 1, &env, &len, &h);
	assert_int_equal(lia_envelope_decode(&e, env, len), LIA_ENV_OK);
	n = lia_cand_decide(x.b.policy, &x.b.dir.crl, cand, 2, lia_envelope_header(e), &x.it.cert, e,
			    LIA_PATH_DIRECT, NULL, 0, x.now, permit, decs);
	assert_int_equal(n, 1);
	assert_false(permit[0]); /* GR-HCG: permitted, but no wrap */
	assert_int_equal(decs[0].verdict, LIA_DENY);
	assert_int_equal(decs[0].rule, LIA_RULE_NONE);
	assert_non_null(strstr(decs[0].reason, "did not wrap"));
	assert_true(permit[1]);
	lia_envelope_destroy(&e);
	free(env);
}

/* Through the publish pipeline: the DENY is recorded as a withhold and
 * gets no delivery; the permitted recipient's delivery waits in the store. */
static void test_withheld_gets_no_delivery(void **state)
{
	(void)state;
	struct lia_session *s = bfix_session(&x, &x.it);
	const struct fx_principal *wrapped[] = {&x.gr, &x.mt};
	const char *to[] = {"GR-HCG/piraeus", "MT-AFM/valletta"};
	uint8_t *env;
	size_t len;
	struct lia_header h;
	bfix_seal(&x.it, LIA_KIND_NETWORK, x.now, NULL, wrapped, 2, &env, &len, &h);
	struct lia_publish_ack_view v = bfix_publish(&x, s, env, len, to, 2);
	free(env);
	assert_true(v.accepted);
	assert_int_equal(v.recipients, 1);
	assert_int_equal(v.withheld, 1);
	struct lia_store_delivery d[2];
	size_t n = 99;
	assert_int_equal(lia_store_pending(x.b.store, "MT-AFM/valletta", 0, x.now, d, 2, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_pending(x.b.store, "GR-HCG/piraeus", 0, x.now, d, 2, &n), 0);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_addressees_in_order_never_the_sender, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_unknown_addressee_refuses, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_feeds_match_and_each_principal_once, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_at_most_max, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_deny_and_no_wrap_become_withholds, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_withheld_gets_no_delivery, setup, bfix_teardown, &x),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
