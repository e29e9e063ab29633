/* The policy-free marking algebra (core/marking_combine.h): what a
 * reply's or forward's marking must carry, and how the agent combines
 * it. The combination over generated markings is checked against
 * decide() in tests/unit/policy/test_combine.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "marking_combine.h"

static struct lia_restrictions a, b, out; /* ~10 KiB each: off the stack */

static void add(struct lia_names *l, const char *name)
{
	assert_int_equal(lia_names_add(l, name), 0);
}

static void reset(void)
{
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&out, 0, sizeof out);
}

static void expect_weaker(const char *needle)
{
	char err[LIA_ERR_MAX] = "";
	assert_int_equal(lia_restrictions_cover(&a, &b, err), -1);
	if (strstr(err, needle) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err, needle);
}

static void test_cover(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	reset();
	a.tlp = b.tlp = LIA_TLP_AMBER;
	assert_int_equal(lia_restrictions_cover(&a, &b, err), 0); /* itself */
	a.tlp = LIA_TLP_GREEN;
	expect_weaker("TLP:GREEN is less restrictive than TLP:AMBER");
	a.tlp = LIA_TLP_RED;
	add(&a.release_principals, "IT-PS/roma");
	assert_int_equal(lia_restrictions_cover(&a, &b, err), 0);
	b.handling = LIA_HANDLING_H2;
	expect_weaker("lacks handling code H2");
	a.handling = LIA_HANDLING_H2 | LIA_HANDLING_H1;
	assert_int_equal(lia_restrictions_cover(&a, &b, err), 0);

	/* Audience lists: narrowed to within, or bounded by the principals. */
	add(&b.release_agencies, "IT-PS");
	assert_int_equal(lia_restrictions_cover(&a, &b, err), 0); /* roma is IT-PS */
	add(&a.release_principals, "MT-AFM/valletta");
	expect_weaker("beyond the agencies");
	memset(&a.release_principals, 0, sizeof a.release_principals);
	assert_int_equal(lia_restrictions_cover(&a, &b, err), 0); /* RED naming no one: no one */
	a.tlp = LIA_TLP_AMBER;
	expect_weaker("beyond the agencies");
	add(&a.release_agencies, "IT-PS");
	assert_int_equal(lia_restrictions_cover(&a, &b, err), 0);
	add(&b.release_regions, "MED-CENTRAL");
	expect_weaker("beyond the regions");
	add(&a.release_regions, "MED-CENTRAL");
	add(&b.release_principals, "IT-PS/roma");
	expect_weaker("beyond the principals");
	add(&a.release_principals, "IT-PS/roma");
	assert_int_equal(lia_restrictions_cover(&a, &b, err), 0);

	/* H3: deny lists contain, roles within, retention no longer. */
	b.handling |= LIA_HANDLING_H3;
	add(&b.h3.deny_countries, "LY");
	expect_weaker("lacks handling code H3");
	a.handling |= LIA_HANDLING_H3;
	expect_weaker("exclude fewer");
	add(&a.h3.deny_countries, "LY");
	b.h3.allowed_roles = LIA_ROLE_BIT(LIA_ROLE_LIAISON);
	expect_weaker("allow more roles");
	a.h3.allowed_roles = LIA_ROLE_BIT(LIA_ROLE_LIAISON);
	b.h3.max_retention_days = 30;
	expect_weaker("longer than 30 days");
	a.h3.max_retention_days = 30;
	assert_int_equal(lia_restrictions_cover(&a, &b, err), 0);
	/* Expiry is the broker's to cap, not compared. */
	b.expires_at = 100;
	a.expires_at = 900;
	assert_int_equal(lia_restrictions_cover(&a, &b, err), 0);
}

static void test_combine_and_allow(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	reset();
	a.tlp = LIA_TLP_GREEN;
	b.tlp = LIA_TLP_AMBER;
	b.handling = LIA_HANDLING_H2;
	b.expires_at = 500;
	add(&b.release_regions, "MED-CENTRAL");
	assert_int_equal(lia_restrictions_combine(&out, &a, &b, err), 0);
	assert_int_equal(out.tlp, LIA_TLP_AMBER);
	assert_int_equal(out.handling, LIA_HANDLING_H2);
	assert_int_equal(out.expires_at, 500); /* 0 is "none given" */
	assert_int_equal(out.release_regions.n, 1);
	assert_int_equal(lia_restrictions_cover(&out, &a, err), 0);
	assert_int_equal(lia_restrictions_cover(&out, &b, err), 0);
	a.expires_at = 300;
	assert_int_equal(lia_restrictions_combine(&out, &a, &b, err), 0);
	assert_int_equal(out.expires_at, 300);
	add(&a.release_regions, "WESTERN-BALKANS");
	assert_int_equal(lia_restrictions_combine(&out, &a, &b, err), -1);
	assert_non_null(strstr(err, "no released regions in common"));
	assert_int_equal(out.tlp, 0); /* zeroed */

	/* RED naming no one is no one: refused, never widened. */
	reset();
	a.tlp = LIA_TLP_RED;
	b.tlp = LIA_TLP_AMBER;
	assert_int_equal(lia_restrictions_combine(&out, &a, &b, err), -1);
	assert_non_null(strstr(err, "names no principal"));

	/* The implicit AMBER audience, and the originator always allowed. */
	reset();
	a.tlp = LIA_TLP_AMBER;
	lia_restrictions_addressed(&a, "IT-GDF/ventimiglia");
	assert_int_equal(a.release_agencies.n, 1);
	assert_string_equal(a.release_agencies.v[0], "IT-GDF");
	b.tlp = LIA_TLP_AMBER;
	add(&b.release_regions, "MED-CENTRAL");
	lia_restrictions_addressed(&b, "IT-GDF/ventimiglia"); /* a region addresses it */
	assert_int_equal(b.release_agencies.n, 0);
	add(&a.release_principals, "IT-PS/roma");
	lia_restrictions_allow(&a, "MT-AFM/valletta");
	assert_true(lia_names_has(&a.release_principals, "MT-AFM/valletta"));
	assert_true(lia_names_has(&a.release_agencies, "MT-AFM"));
	lia_restrictions_allow(&b, "MT-AFM/valletta"); /* empty lists stay "no limit" */
	assert_int_equal(b.release_principals.n, 0);
	assert_int_equal(b.release_agencies.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cover),
		cmocka_unit_test(test_combine_and_allow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
