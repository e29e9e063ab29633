/*
 * Marking combination (policy/combine.h) and the two properties the
 * engine promises over generated markings:
 *
 *   combination never loosens — whoever may receive the combination of
 *   a and b (lia_decide PERMIT) may receive a and may receive b;
 *
 *   decide() is monotone in the restrictions — tightening a marking
 *   (docs/policy.md, "The restriction order") never turns a DENY into a
 *   PERMIT, for any recipient, path, time or set of consents.
 *
 * The generator is a fixed-seed xorshift, so a failure reproduces; the
 * failing marking is printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "combine.h"
#include "marking_combine.h"
#include "decide.h"
#include "pfix.h"

#define DAY PFIX_DAY
#define ITERATIONS 6000 /* per property; about a second under ASan */

static struct lia_restrictions out; /* ~10 KiB: kept off the stack */

static int combine_text(const char *a, const char *b, enum pfix_policy pol, char err[LIA_ERR_MAX])
{
	struct lia_header ha, hb;
	pfix_header(&ha, a);
	pfix_header(&hb, b);
	return lia_marking_combine(&out, pfix_policy(pol), &ha, &hb, err);
}

static void test_combine_rules(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	/* most restrictive TLP, intersection of audiences */
	assert_int_equal(combine_text("GREEN", "AMBER ra=HR-MUP,GR-HCG", PFIX_EX, err), 0);
	assert_int_equal(out.tlp, LIA_TLP_AMBER);
	assert_int_equal(out.release_agencies.n, 2);
	assert_int_equal(combine_text("AMBER ra=HR-MUP,GR-HCG", "AMBER ra=GR-HCG,RS-MUP", PFIX_EX, err),
			 0);
	assert_int_equal(out.release_agencies.n, 1);
	assert_string_equal(out.release_agencies.v[0], "GR-HCG");
	assert_int_equal(combine_text("AMBER ra=HR-MUP", "AMBER ra=RS-MUP", PFIX_EX, err), -1);
	assert_non_null(strstr(err, "no released agencies in common"));
	assert_int_equal(out.tlp, 0); /* zeroed on refusal */
	assert_int_equal(combine_text("RED rp=HR-MUP/zagreb,RS-MUP/belgrade",
				      "RED rp=RS-MUP/belgrade,GR-HCG/piraeus", PFIX_EX, err),
			 0);
	assert_int_equal(out.release_principals.n, 1);
	assert_int_equal(combine_text("RED rp=HR-MUP/zagreb", "RED rp=GR-HCG/piraeus", PFIX_EX, err),
			 -1);
	assert_int_equal(combine_text("RED", "RED rp=GR-HCG/piraeus", PFIX_EX, err), -1);
	assert_non_null(strstr(err, "names no principal"));
	assert_int_equal(combine_text("GREEN rp=GR-HCG/piraeus", "RED", PFIX_EX, err), -1);
	assert_int_equal(combine_text("AMBER rr=MED-CENTRAL", "AMBER rr=MED-EASTERN", PFIX_EX, err),
			 -1);
	assert_non_null(strstr(err, "released regions"));
	/* union of handling codes; H3 conditions combined */
	assert_int_equal(combine_text("GREEN H1", "GREEN H2", PFIX_EX, err), 0);
	assert_int_equal(out.handling, LIA_HANDLING_H1 | LIA_HANDLING_H2);
	assert_int_equal(combine_text("GREEN da=RS-MUP roles=liaison,analyst keep=30",
				      "GREEN da=GR-HCG dc=DE roles=analyst keep=10", PFIX_EX, err),
			 0);
	assert_true(out.handling & LIA_HANDLING_H3);
	assert_int_equal(out.h3.deny_agencies.n, 2);
	assert_int_equal(out.h3.deny_countries.n, 1);
	assert_int_equal(out.h3.allowed_roles, LIA_ROLE_BIT(LIA_ROLE_ANALYST));
	assert_int_equal(out.h3.max_retention_days, 10);
	assert_string_equal(out.h3.text, "only for the Balkan route investigation");
	assert_int_equal(combine_text("GREEN roles=liaison", "GREEN roles=analyst", PFIX_EX, err), -1);
	assert_non_null(strstr(err, "H3 roles"));
	/* H3 texts differ: both are kept */
	struct lia_header ha, hb;
	pfix_header(&ha, "GREEN H3");
	pfix_header(&hb, "GREEN H3");
	memcpy(hb.restrictions.h3.text, "not for Interpol notices", sizeof "not for Interpol notices");
	assert_int_equal(lia_marking_combine(&out, pfix_policy(PFIX_EX), &ha, &hb, err), 0);
	assert_string_equal(out.h3.text,
			    "only for the Balkan route investigation / not for Interpol notices");
	memset(hb.restrictions.h3.text, 'x', LIA_TEXT_MAX - 1);
	hb.restrictions.h3.text[LIA_TEXT_MAX - 1] = '\0';
	assert_int_equal(lia_marking_combine(&out, pfix_policy(PFIX_EX), &ha, &hb, err), -1);
	/* earliest expiry (defaults written out), latest embargo */
	assert_int_equal(combine_text("GREEN exp=+7200 emb=+60", "GREEN exp=+3600 emb=+120", PFIX_EX,
				      err),
			 0);
	assert_int_equal(out.expires_at, PFIX_T0 + 3600);
	assert_int_equal(out.embargo_until, PFIX_T0 + 120);
	assert_int_equal(combine_text("GREEN", "GREEN kind=network subj=suspect", PFIX_EX, err), 0);
	assert_int_equal(out.expires_at, PFIX_T0 + 365 * DAY);
	assert_int_equal(combine_text("GREEN exp=+3600", "GREEN emb=+3600", PFIX_EX, err), -1);
	assert_non_null(strstr(err, "embargo"));
	/* implicit meanings are made explicit first */
	assert_int_equal(combine_text("AMBER+STRICT", "GREEN", PFIX_EX, err), 0);
	assert_int_equal(out.tlp, LIA_TLP_AMBER_STRICT);
	assert_int_equal(out.release_agencies.n, 1);
	assert_string_equal(out.release_agencies.v[0], "IT-PS");
	assert_int_equal(combine_text("AMBER+STRICT", "AMBER ra=HR-MUP", PFIX_EX, err), -1);
	assert_int_equal(combine_text("GREEN ra=HR-MUP subj=smuggled-migrant", "GREEN", PFIX_EX, err), 0);
	assert_int_equal(out.tlp, LIA_TLP_AMBER);
	assert_int_equal(out.handling, LIA_HANDLING_H2);
	assert_int_equal(out.expires_at, PFIX_T0 + 90 * DAY);
	/* ambiguous results are refused, not guessed */
	assert_int_equal(combine_text("AMBER", "GREEN", PFIX_EX, err), 0);
	assert_int_equal(out.release_agencies.n, 1);
	assert_string_equal(out.release_agencies.v[0], "IT-PS");
	assert_int_equal(combine_text("AMBER rr=WESTERN-BALKANS", "GREEN", PFIX_EX, err), 0);
	assert_int_equal(out.release_agencies.n, 0);
	assert_int_equal(combine_text("AMBER ra=RS-MUP", "GREEN da=RS-MUP", PFIX_EX, err), -1);
	assert_non_null(strstr(err, "released to and excluded"));
	assert_int_equal(combine_text("AMBER rp=RS-MUP/belgrade", "AMBER ra=HR-MUP", PFIX_EX, err), -1);
	assert_int_equal(combine_text("AMBER ra=GR-HCG", "AMBER rr=WESTERN-BALKANS", PFIX_EX, err), -1);
	/* combining with itself changes nothing that was explicit */
	assert_int_equal(combine_text("AMBER ra=HR-MUP H2 exp=+100", "AMBER ra=HR-MUP H2 exp=+100",
				      PFIX_EX, err),
			 0);
	assert_int_equal(out.tlp, LIA_TLP_AMBER);
	assert_int_equal(out.expires_at, PFIX_T0 + 100);
}

static void test_marking_check(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_header h;
	const struct lia_policy *p = pfix_policy(PFIX_EX);
	pfix_header(&h, "AMBER ra=HR-MUP,RS-MUP rp=HR-MUP/zagreb rr=WESTERN-BALKANS da=GR-HCG");
	assert_int_equal(lia_marking_check(&h.restrictions, p, err), 0);
	pfix_header(&h, "AMBER rp=HR-MUP/zagreb dc=HR");
	assert_int_equal(lia_marking_check(&h.restrictions, p, err), -1);
	assert_non_null(strstr(err, "principal HR-MUP/zagreb"));
	pfix_header(&h, "AMBER rp=GR-HCG/piraeus rr=MED-CENTRAL");
	assert_int_equal(lia_marking_check(&h.restrictions, p, err), -1);
	assert_non_null(strstr(err, "none of the released regions"));
	pfix_header(&h, "GREEN roles=auditor,analyst");
	assert_int_equal(lia_marking_check(&h.restrictions, p, err), 0);
}

/* --- generated markings --- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(next() % n);
}

static const char *const agencies[] = {"HR-MUP", "RS-MUP", "GR-HCG", "IT-PS",
				       "IT-GDF", "MT-AFM", "DE-BPOL", "IT-DNAA"};
static const char *const principals[] = {"HR-MUP/zagreb",    "HR-MUP/split",  "RS-MUP/belgrade",
					 "RS-MUP/novisad",   "GR-HCG/piraeus", "IT-PS/milano",
					 "IT-GDF/genova",    "IT-GDF/ventimiglia",
					 "MT-AFM/valletta",  "DE-BPOL/potsdam", "IT-DNAA/roma"};
static const char *const regions[] = {"MED-CENTRAL", "MED-EASTERN", "WESTERN-BALKANS", "SOUTH",
				      "NORTH"};
static const char *const countries[] = {"HR", "RS", "IT", "GR"};
static const enum lia_kind kinds[] = {LIA_KIND_ROUTE, LIA_KIND_NETWORK, LIA_KIND_CARRIER,
				      LIA_KIND_NOTE};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void add_some(struct lia_names *l, const char *const *pool, size_t n, unsigned max)
{
	unsigned k = 1 + pick(max);
	for (unsigned i = 0; i < k; i++) {
		const char *s = pool[pick((unsigned)n)];
		if (!lia_names_has(l, s))
			assert_int_equal(lia_names_add(l, s), 0);
	}
}

static void set_h3(struct lia_restrictions *r)
{
	r->handling |= LIA_HANDLING_H3;
	if (r->h3.text[0] == '\0')
		memcpy(r->h3.text, "generated", sizeof "generated");
}

/* Audiences that make sense together (every principal's agency among
 * the agencies, every agency in the region), per policy, so that many
 * generated pairs combine; a quarter of the lists are drawn from the
 * whole pools instead, which exercises refusals. */
struct group {
	const char *ra[4], *rp[4], *rr[2];
};
static const struct group groups[2][3] = {
	{{{"HR-MUP", "RS-MUP", "DE-BPOL"}, {"HR-MUP/zagreb", "RS-MUP/belgrade", "DE-BPOL/potsdam"},
	  {"WESTERN-BALKANS"}},
	 {{"IT-PS", "IT-GDF", "MT-AFM", "IT-DNAA"},
	  {"IT-PS/milano", "IT-GDF/genova", "MT-AFM/valletta", "IT-DNAA/roma"},
	  {"MED-CENTRAL"}},
	 {{"GR-HCG"}, {"GR-HCG/piraeus"}, {"MED-EASTERN"}}},
	{{{"IT-PS", "IT-GDF", "MT-AFM"}, {"IT-PS/milano", "IT-GDF/genova", "MT-AFM/valletta"},
	  {"SOUTH"}},
	 {{"HR-MUP"}, {"HR-MUP/zagreb", "HR-MUP/split"}, {"NORTH"}},
	 {{"RS-MUP"}, {"RS-MUP/belgrade"}, {"SOUTH", "NORTH"}}},
};

static size_t count(const char *const *v, size_t cap)
{
	size_t n = 0;
	while (n < cap && v[n] != NULL)
		n++;
	return n;
}

static void audience(struct lia_names *l, const char *const *group, size_t cap,
		     const char *const *pool, size_t n_pool)
{
	if (pick(2) == 0)
		return;
	if (pick(4) == 0)
		add_some(l, pool, n_pool, 3);
	else
		add_some(l, group, count(group, cap), 3);
}

static void generate(struct lia_header *h, enum pfix_policy pol, unsigned g)
{
	const struct group *gr = &groups[pol][g];
	pfix_header(h, "GREEN");
	struct lia_restrictions *r = &h->restrictions;
	h->kind = kinds[pick(N(kinds))];
	r->tlp = (enum lia_tlp)(1 + pick(5));
	r->handling = (uint32_t)(next() & (LIA_HANDLING_H1 | LIA_HANDLING_H2));
	audience(&r->release_agencies, gr->ra, 4, agencies, N(agencies));
	audience(&r->release_principals, gr->rp, 4, principals, N(principals));
	audience(&r->release_regions, gr->rr, 2, regions, N(regions));
	if (pick(3) == 0)
		h->subjects = (uint32_t)(next() & LIA_SUBJECT_ALL);
	if (pick(4) == 0)
		r->embargo_until = PFIX_T0 + (int64_t)pick(7200);
	if (pick(4) == 0)
		r->expires_at = PFIX_T0 + 1800 + (int64_t)pick(400 * (unsigned)DAY);
	if (pick(4) == 0) {
		set_h3(r);
		const struct group *other = &groups[pol][(g + 1) % 3];
		if (pick(2) == 0)
			add_some(&r->h3.deny_agencies, other->ra, count(other->ra, 4), 2);
		if (pick(3) == 0)
			add_some(&r->h3.deny_countries, countries, N(countries), 1);
		if (pick(3) == 0)
			r->h3.allowed_roles = (uint32_t)(next() & (LIA_ROLE_BIT(LIA_ROLE_LIAISON) |
								  LIA_ROLE_BIT(LIA_ROLE_ANALYST)));
		if (pick(3) == 0)
			r->h3.max_retention_days = 1 + pick(400);
	}
}

static void print_marking(const char *label, const struct lia_header *h)
{
	const struct lia_restrictions *r = &h->restrictions;
	fprintf(stderr, "%s: kind %s tlp %s handling %x subjects %x ra %zu rp %zu rr %zu emb %lld "
			"exp %lld h3 da %zu dc %zu roles %x keep %u\n",
		label, lia_kind_str(h->kind), lia_tlp_str(r->tlp), r->handling, h->subjects,
		r->release_agencies.n, r->release_principals.n, r->release_regions.n,
		(long long)r->embargo_until, (long long)r->expires_at, r->h3.deny_agencies.n,
		r->h3.deny_countries.n, r->h3.allowed_roles, r->h3.max_retention_days);
}

static size_t generate_consents(struct lia_consent c[static PFIX_MAX_CONSENTS],
				const struct lia_header *h)
{
	char spec[256];
	switch (pick(3)) {
	case 0:
		return 0;
	case 1:
		snprintf(spec, sizeof spec, "%s@IT-PS/rome", principals[pick(N(principals))]);
		break;
	default:
		snprintf(spec, sizeof spec, "%s@IT-PS/rome,%s@IT-PS/rome",
			 principals[pick(N(principals))], agencies[pick(N(agencies))]);
		break;
	}
	return pfix_consents(c, spec, h);
}

static const int64_t nows[] = {60, 3601, 100 * DAY};

/* Does every decision that permits c also permit each of parts? */
static size_t check_no_loosening(const struct lia_header *c, const struct lia_header *const *parts,
				 size_t n_parts, const struct lia_consent *consents, size_t n_consents,
				 enum pfix_policy pol, const char *what)
{
	size_t permits = 0;
	const struct lia_policy *p = pfix_policy(pol);
	for (size_t i = 0; i < pfix_cert_count(); i++) {
		for (int path = LIA_PATH_DIRECT; path <= LIA_PATH_ONWARD; path++) {
			for (size_t t = 0; t < N(nows); t++) {
				struct lia_decide_input in = {c,
							      pfix_cert("IT-PS/rome"),
							      pfix_cert_at(i),
							      pfix_crl(),
							      (enum lia_path)path,
							      consents,
							      n_consents,
							      PFIX_T0 + nows[t]};
				struct lia_decision d;
				if (lia_decide(&d, p, &in) != LIA_PERMIT)
					continue;
				permits++;
				for (size_t k = 0; k < n_parts; k++) {
					in.header = parts[k];
					struct lia_decision dk;
					if (lia_decide(&dk, p, &in) == LIA_PERMIT)
						continue;
					fprintf(stderr, "%s: %s permitted (%s) but part %zu denied (%s: %s)\n",
						what, pfix_cert_at(i)->subject, lia_rule_id(d.rule), k,
						lia_rule_id(dk.rule), dk.reason);
					print_marking("tighter", c);
					print_marking("looser", parts[k]);
					fail();
				}
			}
		}
	}
	return permits;
}

static void test_property_combination_never_loosens(void **state)
{
	(void)state;
	static struct lia_header a, b, c;
	size_t combined = 0, permits = 0;
	for (int iter = 0; iter < ITERATIONS; iter++) {
		enum pfix_policy pol = (enum pfix_policy)(iter % 2);
		unsigned g = pick(3);
		generate(&a, pol, g);
		generate(&b, pol, pick(3) == 0 ? pick(3) : g);
		b.kind = a.kind;
		char err[LIA_ERR_MAX];
		if (lia_marking_combine(&out, pfix_policy(pol), &a, &b, err) != 0)
			continue;
		combined++;
		/* The broker's check of a reply (quote.h) accepts the
		 * combination as quoting either part. */
		static struct lia_restrictions ea, eb;
		lia_marking_explicit(&ea, pfix_policy(pol), &a);
		lia_marking_explicit(&eb, pfix_policy(pol), &b);
		if (lia_restrictions_cover(&out, &ea, err) != 0 || lia_restrictions_cover(&out, &eb, err) != 0) {
			print_marking("a", &a);
			print_marking("b", &b);
			fail_msg("the combination does not cover a part: %s", err);
		}
		c = a;
		c.restrictions = out;
		c.subjects = a.subjects | b.subjects;
		struct lia_consent consents[PFIX_MAX_CONSENTS];
		size_t n = generate_consents(consents, &a);
		const struct lia_header *parts[] = {&a, &b};
		permits += check_no_loosening(&c, parts, 2, consents, n, pol, "combination");
	}
	/* Not vacuous: many pairs combine, and their results reach people. */
	fprintf(stderr, "combination: %zu of %d pairs combined, %zu permits checked\n", combined,
		ITERATIONS, permits);
	assert_true(combined > ITERATIONS / 10);
	assert_true(permits > ITERATIONS / 2);
}

/* One step down the restriction order of docs/policy.md. Returns false
 * when the chosen step does not apply to this marking. */
static bool tighten(struct lia_header *h, enum pfix_policy pol)
{
	struct lia_restrictions *r = &h->restrictions;
	enum lia_tlp eff = lia_policy_effective_tlp(pfix_policy(pol), h);
	bool any_named = r->release_agencies.n + r->release_principals.n + r->release_regions.n > 0;
	bool agency_named = r->release_agencies.n + r->release_principals.n > 0;
	struct lia_names *lists[] = {&r->release_agencies, &r->release_principals,
				     &r->release_regions};
	switch (pick(12)) {
	case 0:
		if (r->tlp == LIA_TLP_RED)
			return false;
		r->tlp++;
		return true;
	case 1:
		r->handling |= pick(2) ? LIA_HANDLING_H1 : LIA_HANDLING_H2;
		return true;
	case 2:
		set_h3(r);
		return true;
	case 3: { /* remove a name from a list of two or more */
		struct lia_names *l = lists[pick(3)];
		if (l->n < 2)
			return false;
		size_t k = pick((unsigned)l->n);
		memmove(l->v[k], l->v[l->n - 1], sizeof l->v[k]);
		l->n--;
		return true;
	}
	case 4: { /* name an audience where none was: a filter only where it
		   * does not replace a default audience */
		unsigned which = pick(3);
		struct lia_names *l = lists[which];
		if (l->n != 0)
			return false;
		bool ok = eff <= LIA_TLP_GREEN || (eff == LIA_TLP_AMBER && any_named) ||
			  (eff == LIA_TLP_AMBER_STRICT && (which == 2 || agency_named)) ||
			  (eff == LIA_TLP_RED && which != 1);
		if (!ok)
			return false;
		add_some(l, which == 0 ? agencies : which == 1 ? principals : regions,
			 which == 0 ? N(agencies) : which == 1 ? N(principals) : N(regions), 1);
		return true;
	}
	case 5:
		h->subjects |= LIA_SUBJECT_BIT(1 + pick(5));
		return true;
	case 6:
		r->embargo_until = (r->embargo_until ? r->embargo_until : PFIX_T0) + (int64_t)pick(4000);
		return true;
	case 7:
		r->expires_at = r->expires_at ? r->expires_at - (int64_t)pick(4000)
					      : PFIX_T0 + 1800 + (int64_t)pick(400 * (unsigned)DAY);
		return true;
	case 8:
		set_h3(r);
		add_some(&r->h3.deny_agencies, agencies, N(agencies), 1);
		return true;
	case 9:
		set_h3(r);
		add_some(&r->h3.deny_countries, countries, N(countries), 1);
		return true;
	case 10: { /* fewer roles: from any (0) to one, or drop one */
		if (!(r->handling & LIA_HANDLING_H3))
			return false;
		uint32_t roles = r->h3.allowed_roles;
		if (roles == 0) {
			r->h3.allowed_roles = LIA_ROLE_BIT(pick(2) ? LIA_ROLE_LIAISON : LIA_ROLE_ANALYST);
			return true;
		}
		if (__builtin_popcount(roles) < 2)
			return false;
		r->h3.allowed_roles &= roles - 1; /* clears the lowest bit */
		return true;
	}
	default: /* shorter H3 retention */
		if (!(r->handling & LIA_HANDLING_H3))
			return false;
		r->h3.max_retention_days = r->h3.max_retention_days > 1
						   ? r->h3.max_retention_days - 1 - pick(r->h3.max_retention_days - 1)
						   : 1 + pick(400);
		if (r->h3.max_retention_days == 0)
			r->h3.max_retention_days = 1;
		return true;
	}
}

static void test_property_decide_monotone(void **state)
{
	(void)state;
	static struct lia_header loose, tight;
	size_t steps = 0, permits = 0;
	for (int iter = 0; iter < ITERATIONS; iter++) {
		enum pfix_policy pol = (enum pfix_policy)(iter % 2);
		generate(&loose, pol, pick(3));
		tight = loose;
		unsigned k = 1 + pick(3);
		for (unsigned s = 0; s < k; s++)
			steps += tighten(&tight, pol);
		/* Tighter covers looser (quote.h's check is the restriction
		 * order, expiry aside: the broker caps that). */
		static struct lia_restrictions el, et;
		char err[LIA_ERR_MAX];
		lia_marking_explicit(&el, pfix_policy(pol), &loose);
		lia_marking_explicit(&et, pfix_policy(pol), &tight);
		if (lia_restrictions_cover(&et, &el, err) != 0) {
			print_marking("loose", &loose);
			print_marking("tight", &tight);
			fail_msg("a tightened marking does not cover the looser one: %s", err);
		}
		struct lia_consent consents[PFIX_MAX_CONSENTS];
		size_t n = generate_consents(consents, &loose);
		const struct lia_header *parts[] = {&loose};
		permits += check_no_loosening(&tight, parts, 1, consents, n, pol, "monotonicity");
	}
	fprintf(stderr, "monotonicity: %zu tightening steps, %zu permits checked\n", steps, permits);
	assert_true(steps > ITERATIONS);
	assert_true(permits > ITERATIONS);
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
		cmocka_unit_test(test_combine_rules),
		cmocka_unit_test(test_marking_check),
		cmocka_unit_test(test_property_combination_never_loosens),
		cmocka_unit_test(test_property_decide_monotone),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
