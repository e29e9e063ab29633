/*
 * lia_admissible(): may this originator publish this message? One row
 * per situation; the notation is pfix.h's. Creation is at PFIX_T0 unless
 * the marking says created=.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "pfix.h"

#define DAY PFIX_DAY
#define ROME "IT-PS/rome"

struct row {
	const char *name;
	enum pfix_policy policy;
	const char *orig;
	const char *marking;
	int64_t now;
	enum lia_verdict want;
	const char *rule;
};

#define OK "publish.admissible"
#define P(name, pol, orig, marking, now) {name, pol, orig, marking, now, LIA_PERMIT, OK}
#define D(name, pol, orig, marking, now, rule) {name, pol, orig, marking, now, LIA_DENY, rule}

static const struct row rows[] = {
	P("a plain green route report", PFIX_EX, ROME, "GREEN", 60),
	P("amber+strict with nothing named stays in the agency", PFIX_EX, ROME, "AMBER+STRICT", 60),
	P("red to two principals", PFIX_EX, ROME, "RED rp=HR-MUP/zagreb,RS-MUP/belgrade", 60),
	P("H3 with its text and an exclusion", PFIX_EX, ROME, "AMBER ra=HR-MUP da=RS-MUP", 60),
	P("analyst publishing a note", PFIX_EX, "IT-PS/milano", "GREEN kind=note from=IT-PS/milano",
	  60),
	D("analyst publishing a route", PFIX_EX, "IT-PS/milano", "GREEN from=IT-PS/milano", 60,
	  "role.publish"),
	D("auditor publishing", PFIX_EX, "IT-PS/audit", "GREEN kind=note from=IT-PS/audit", 60,
	  "role.publish"),
	D("broker publishing", PFIX_EX, "BROKER-HUB/broker", "GREEN from=BROKER-HUB/broker", 60,
	  "originator.member"),
	D("principal with the broker role publishing", PFIX_EX, "IT-PS/brokerrole",
	  "GREEN from=IT-PS/brokerrole", 60, "role.publish"),
	D("certificate of someone else", PFIX_EX, ROME, "GREEN from=IT-GDF/ventimiglia", 60,
	  "originator.match"),
	D("revoked originator", PFIX_EX, "IT-PS/revoked-later", "GREEN from=IT-PS/revoked-later", 60,
	  "originator.cert"),
	D("originator not yet valid", PFIX_EX, "IT-PS/late", "GREEN from=IT-PS/late", 5,
	  "originator.cert"),
	D("originator outside the exchange", PFIX_EX, "XX-NOPE/someone", "GREEN from=XX-NOPE/someone",
	  60, "originator.member"),
	D("originator's country contradicts the policy", PFIX_EX, "HR-MUP/wrongcountry",
	  "GREEN from=HR-MUP/wrongcountry kind=note", 60, "originator.member"),
	P("skew: created 300 s ago", PFIX_EX, ROME, "GREEN", 300),
	D("skew: created 301 s ago", PFIX_EX, ROME, "GREEN", 301, "time.skew"),
	P("skew: created 300 s ahead", PFIX_EX, ROME, "GREEN created=+360", 60),
	D("skew: created 301 s ahead", PFIX_EX, ROME, "GREEN created=+361", 60, "time.skew"),
	P("evaluation on the exchange's scheme", PFIX_EX, ROME, "GREEN ev=B2", 60),
	D("evaluation on another scheme", PFIX_EX, ROME, "GREEN ev6=B2", 60, "evaluation.scheme"),
	D("evaluation out of range", PFIX_EX, ROME, "GREEN ev=D1", 60, "evaluation.scheme"),
	D("evaluation required", PFIX_ALT, ROME, "GREEN", 30, "evaluation.scheme"),
	P("evaluation given where required", PFIX_ALT, ROME, "GREEN ev6=F6", 30),
	D("undefined header region", PFIX_EX, ROME, "GREEN reg=ATLANTIS", 60, "names.defined"),
	D("undefined release region", PFIX_EX, ROME, "AMBER rr=ATLANTIS", 60, "names.defined"),
	D("undefined release agency", PFIX_EX, ROME, "AMBER ra=XX-YY", 60, "names.defined"),
	D("principal of an undefined agency", PFIX_EX, ROME, "AMBER rp=XX-YY/someone", 60,
	  "names.defined"),
	D("undefined excluded agency (a typo would exclude no one)", PFIX_EX, ROME,
	  "GREEN da=HR-MPU", 60, "names.defined"),
	D("H3 conditions without H3", PFIX_EX, ROME, "GREEN h3fields", 60, "marking.h3"),
	D("principal outside the released agencies", PFIX_EX, ROME,
	  "AMBER ra=HR-MUP rp=RS-MUP/belgrade", 60, "marking.consistent"),
	D("agency released and excluded", PFIX_EX, ROME, "AMBER ra=RS-MUP da=RS-MUP", 60,
	  "marking.consistent"),
	D("agency released and its country excluded", PFIX_EX, ROME, "AMBER ra=RS-MUP dc=RS", 60,
	  "marking.consistent"),
	D("released agency in none of the released regions", PFIX_EX, ROME,
	  "AMBER ra=GR-HCG rr=WESTERN-BALKANS", 60, "marking.consistent"),
	D("H3 allows only auditors", PFIX_EX, ROME, "GREEN roles=auditor", 60, "marking.consistent"),
	D("personal data below the floor", PFIX_EX, ROME, "CLEAR subj=suspect", 60, "pd.min-tlp"),
	D("personal data below a stricter floor", PFIX_ALT, ROME, "GREEN subj=victim ev6=B2", 30,
	  "pd.min-tlp"),
	P("personal data at the floor", PFIX_EX, ROME, "GREEN subj=suspect", 60),
	D("smuggled migrants cannot be green", PFIX_EX, ROME, "GREEN subj=smuggled-migrant", 60,
	  "protected.min-tlp"),
	D("smuggled migrants cannot be clear", PFIX_EX, ROME, "CLEAR subj=smuggled-migrant", 60,
	  "pd.min-tlp"),
	D("smuggled migrants need H2", PFIX_EX, ROME, "AMBER ra=HR-MUP subj=smuggled-migrant", 60,
	  "protected.handling"),
	P("smuggled migrants, amber, H2", PFIX_EX, ROME, "AMBER ra=HR-MUP H2 subj=smuggled-migrant",
	  60),
	D("smuggled migrants need H1 and H2 here", PFIX_ALT, ROME,
	  "AMBER+STRICT ra=IT-GDF H2 subj=smuggled-migrant ev6=A1", 30, "protected.handling"),
	D("red naming nobody", PFIX_EX, ROME, "RED", 60, "tlp.red.named-only"),
	D("amber naming nobody", PFIX_EX, ROME, "AMBER", 60, "tlp.amber.addressed"),
	D("expiry before creation", PFIX_EX, ROME, "GREEN exp=-10", 60, "time.order"),
	D("embargo until expiry", PFIX_EX, ROME, "GREEN emb=+100 exp=+100", 60, "time.order"),
	D("embargo beyond the default expiry", PFIX_EX, ROME, "GREEN emb=+31536000", 60,
	  "time.order"),
	P("expiry at the ceiling", PFIX_EX, ROME, "GREEN exp=+31536000", 60),
	D("expiry beyond the ceiling", PFIX_EX, ROME, "GREEN exp=+31536001", 60, "retention.ceiling"),
	D("H3 retention beyond the ceiling", PFIX_EX, ROME, "GREEN keep=366", 60,
	  "retention.ceiling"),
	D("smuggled migrants kept beyond 90 days", PFIX_EX, ROME,
	  "AMBER ra=HR-MUP H2 subj=smuggled-migrant exp=+7776001", 60, "retention.ceiling"),
	D("malformed header", PFIX_EX, ROME, "GREEN bad-tlp", 60, "input.header"),
};

#define NROWS (sizeof rows / sizeof rows[0])

static void test_table(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		struct lia_header h;
		struct lia_decision d;
		pfix_header(&h, r->marking);
		enum lia_verdict v = lia_admissible(&d, pfix_policy(r->policy), &h,
						    pfix_cert(r->orig), pfix_crl(), PFIX_T0 + r->now);
		assert_int_equal(v, d.verdict);
		assert_true(d.reason[0] != '\0');
		assert_int_equal(d.trail[d.n_trail - 1].rule, d.rule);
		if (d.verdict != r->want || strcmp(lia_rule_id(d.rule), r->rule) != 0) {
			fprintf(stderr, "row %zu \"%s\": want %s %s, got %s %s (%s)\n", i, r->name,
				lia_verdict_str(r->want), r->rule, lia_verdict_str(d.verdict),
				lia_rule_id(d.rule), d.reason);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static int teardown(void **state)
{
	(void)state;
	pfix_release();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
