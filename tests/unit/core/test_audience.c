/*
 * The audience rule (core/marking.h, lia_audience_refusals): one table of
 * markings and principals with the rules that refuse each. The same
 * function serves lia_decide() and the agent's choice of whom to wrap
 * for, so a row here is a statement about both.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cert.h"
#include "marking.h"

#define ORIG "IT-GDF" /* the originator's agency in every row */
#define N3 4          /* names per list in a row, NULL-terminated */

struct row {
	const char *what;
	enum lia_tlp tlp;
	uint32_t handling;
	const char *agencies[N3], *principals[N3], *regions[N3];
	const char *deny_agencies[N3], *deny_countries[N3];
	uint32_t allowed_roles;
	/* the principal */
	const char *subject, *country;
	uint32_t roles;
	enum lia_cert_kind kind;
	bool in_region;
	uint32_t want;
};

#define R(x) LIA_ROLE_BIT(LIA_ROLE_##x)
#define NO(x) LIA_AUDIENCE_##x
#define P LIA_CERT_PRINCIPAL

static const struct row rows[] = {
	{"CLEAR admits anyone", LIA_TLP_CLEAR, 0, {0}, {0}, {0}, {0}, {0}, 0,
	 "DE-BKA/wiesbaden", "DE", R(ANALYST), P, false, 0},
	{"GREEN admits the community", LIA_TLP_GREEN, 0, {0}, {0}, {0}, {0}, {0}, 0,
	 "DE-BKA/wiesbaden", "DE", R(LIAISON), P, false, 0},
	{"AMBER with no audience stays in the originator's agency", LIA_TLP_AMBER, 0, {0}, {0},
	 {0}, {0}, {0}, 0, "DE-BKA/wiesbaden", "DE", R(LIAISON), P, false, NO(TLP)},
	{"AMBER with no audience admits the originator's agency", LIA_TLP_AMBER, 0, {0}, {0},
	 {0}, {0}, {0}, 0, "IT-GDF/roma", "IT", R(ANALYST), P, false, 0},
	{"AMBER to a region: a member is admitted", LIA_TLP_AMBER, 0, {0}, {0}, {"MED-CENTRAL"},
	 {0}, {0}, 0, "FR-PN/nice", "FR", R(LIAISON), P, true, 0},
	{"AMBER to a region: a non-member is refused by the region only", LIA_TLP_AMBER, 0, {0},
	 {0}, {"MED-CENTRAL"}, {0}, {0}, 0, "DE-BKA/wiesbaden", "DE", R(LIAISON), P, false,
	 NO(RELEASE_REGION)},
	{"AMBER+STRICT with nothing named stays in the originator's agency", LIA_TLP_AMBER_STRICT,
	 0, {0}, {0}, {0}, {0}, {0}, 0, "FR-PN/nice", "FR", R(LIAISON), P, false, NO(TLP)},
	{"AMBER+STRICT to an agency admits it", LIA_TLP_AMBER_STRICT, 0, {"FR-PN"}, {0}, {0}, {0},
	 {0}, 0, "FR-PN/nice", "FR", R(LIAISON), P, false, 0},
	{"AMBER+STRICT to an agency refuses another, twice", LIA_TLP_AMBER_STRICT, 0, {"FR-PN"},
	 {0}, {0}, {0}, {0}, 0, "DE-BKA/wiesbaden", "DE", R(LIAISON), P, false,
	 NO(TLP) | NO(RELEASE_AGENCY)},
	{"AMBER+STRICT to a principal: its colleague passes TLP, not the list",
	 LIA_TLP_AMBER_STRICT, 0, {0}, {"FR-PN/nice"}, {0}, {0}, {0}, 0, "FR-PN/paris", "FR",
	 R(LIAISON), P, false, NO(RELEASE_PRINCIPAL)},
	{"AMBER+STRICT to a principal: another agency fails both", LIA_TLP_AMBER_STRICT, 0, {0},
	 {"FR-PN/nice"}, {0}, {0}, {0}, 0, "IT-GDF/roma", "IT", R(LIAISON), P, false,
	 NO(TLP) | NO(RELEASE_PRINCIPAL)},
	{"RED admits the principal named", LIA_TLP_RED, 0, {0}, {"FR-PN/nice"}, {0}, {0}, {0}, 0,
	 "FR-PN/nice", "FR", R(LIAISON), P, false, 0},
	{"RED refuses a colleague of the principal named", LIA_TLP_RED, 0, {0}, {"FR-PN/nice"},
	 {0}, {0}, {0}, 0, "FR-PN/paris", "FR", R(LIAISON), P, false,
	 NO(TLP) | NO(RELEASE_PRINCIPAL)},
	{"RED with nobody named admits nobody, not even the originator's agency", LIA_TLP_RED, 0,
	 {0}, {0}, {0}, {0}, {0}, 0, "IT-GDF/roma", "IT", R(LIAISON), P, false, NO(TLP)},
	{"RED to a principal outside the agencies named: both lists apply", LIA_TLP_RED, 0,
	 {"DE-BKA"}, {"FR-PN/nice"}, {0}, {0}, {0}, 0, "FR-PN/nice", "FR", R(LIAISON), P, false,
	 NO(RELEASE_AGENCY)},
	{"H3 lists are not enforced without H3", LIA_TLP_GREEN, LIA_HANDLING_H2, {0}, {0}, {0},
	 {"FR-PN"}, {"FR"}, R(ANALYST), "FR-PN/nice", "FR", R(LIAISON), P, false, 0},
	{"H3 excludes an agency", LIA_TLP_GREEN, LIA_HANDLING_H3, {0}, {0}, {0}, {"FR-PN"}, {0},
	 0, "FR-PN/nice", "FR", R(LIAISON), P, false, NO(H3_AGENCY)},
	{"H3 excludes a country", LIA_TLP_GREEN, LIA_HANDLING_H3, {0}, {0}, {0}, {0}, {"FR"}, 0,
	 "FR-PN/nice", "FR", R(LIAISON), P, false, NO(H3_COUNTRY)},
	{"H3 allows some roles: another is refused", LIA_TLP_GREEN, LIA_HANDLING_H3, {0}, {0},
	 {0}, {0}, {0}, R(ANALYST), "FR-PN/nice", "FR", R(LIAISON), P, false, NO(H3_ROLE)},
	{"H3 allows some roles: one of them is admitted", LIA_TLP_GREEN, LIA_HANDLING_H3, {0},
	 {0}, {0}, {0}, {0}, R(ANALYST), "FR-PN/nice", "FR", R(LIAISON) | R(ANALYST), P, false, 0},
	{"auditors never receive content", LIA_TLP_CLEAR, 0, {0}, {0}, {0}, {0}, {0}, 0,
	 "FR-PN/audit", "FR", R(AUDITOR), P, false, NO(AUDITOR)},
	{"brokers never receive content", LIA_TLP_CLEAR, 0, {0}, {0}, {0}, {0}, {0}, 0,
	 "IT-GDF/broker", "IT", R(BROKER), LIA_CERT_BROKER, false, NO(BROKER)},
	{"nor does a principal holding the broker role", LIA_TLP_CLEAR, 0, {0}, {0}, {0}, {0},
	 {0}, 0, "IT-GDF/odd", "IT", R(BROKER), P, false, NO(BROKER)},
	{"a TLP outside the enum admits nobody", (enum lia_tlp)0, 0, {0}, {0}, {0}, {0}, {0}, 0,
	 "IT-GDF/roma", "IT", R(LIAISON), P, false, NO(TLP)},
};

static void names(struct lia_names *out, const char *const in[N3])
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < N3 && in[i] != NULL; i++)
		assert_int_equal(lia_names_add(out, in[i]), 0);
}

static void test_audience_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct row *t = &rows[i];
		struct lia_restrictions r = {.tlp = t->tlp, .handling = t->handling};
		names(&r.release_agencies, t->agencies);
		names(&r.release_principals, t->principals);
		names(&r.release_regions, t->regions);
		names(&r.h3.deny_agencies, t->deny_agencies);
		names(&r.h3.deny_countries, t->deny_countries);
		r.h3.allowed_roles = t->allowed_roles;
		struct lia_cert c = {.kind = t->kind, .roles = t->roles};
		snprintf(c.subject, sizeof c.subject, "%s", t->subject);
		lia_subject_agency(c.subject, c.agency);
		snprintf(c.country, sizeof c.country, "%s", t->country);
		const struct lia_audience a = {&r, t->tlp, t->handling, ORIG};
		uint32_t got = lia_audience_refusals(&a, &c, t->in_region);
		if (got != t->want)
			fail_msg("row %zu (%s): refusals 0x%x, want 0x%x", i, t->what, got, t->want);
	}
}

/* The caller passes the marking as it enforces it: a policy floor that
 * raises GREEN to RED narrows the audience although the originator wrote
 * GREEN. */
static void test_enforced_marking_is_the_callers(void **state)
{
	(void)state;
	struct lia_restrictions r = {.tlp = LIA_TLP_GREEN};
	struct lia_cert c = {.kind = LIA_CERT_PRINCIPAL, .roles = R(LIAISON)};
	snprintf(c.subject, sizeof c.subject, "FR-PN/nice");
	snprintf(c.agency, sizeof c.agency, "FR-PN");
	snprintf(c.country, sizeof c.country, "FR");
	const struct lia_audience as_written = {&r, r.tlp, r.handling, ORIG};
	const struct lia_audience raised = {&r, LIA_TLP_RED, r.handling, ORIG};
	assert_int_equal(lia_audience_refusals(&as_written, &c, false), 0);
	assert_int_equal(lia_audience_refusals(&raised, &c, false), LIA_AUDIENCE_TLP);
}

static void test_name_helpers(void **state)
{
	(void)state;
	assert_true(lia_subject_in_agency("IT-GDF/roma", "IT-GDF"));
	assert_false(lia_subject_in_agency("IT-GDFX/roma", "IT-GDF"));
	assert_false(lia_subject_in_agency("IT-GDF", "IT-GDF"));
	struct lia_names a = {0}, b = {0};
	assert_false(lia_names_meet(&a, &b));
	assert_int_equal(lia_names_add(&a, "MED-CENTRAL"), 0);
	assert_int_equal(lia_names_add(&b, "BALKAN"), 0);
	assert_false(lia_names_meet(&a, &b));
	assert_int_equal(lia_names_add(&b, "MED-CENTRAL"), 0);
	assert_true(lia_names_meet(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audience_table),
		cmocka_unit_test(test_enforced_marking_is_the_callers),
		cmocka_unit_test(test_name_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
