/*
 * combine.c — explicit markings, their consistency, and the combination
 * of two markings (docs/policy.md, "Combining markings").
 *
 * Every list operation here works on lists of at most LIA_LIST_MAX
 * names, so the quadratic membership scans cost at most 32 x 32 string
 * comparisons; a combination happens once per forward, not per
 * recipient.
 */
#include "combine.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static uint32_t roles_that_receive(const struct lia_policy *p)
{
	uint32_t roles = 0;
	for (int r = LIA_ROLE_LIAISON; r <= LIA_ROLE_BROKER; r++)
		if (p->roles[r].receive != 0 && r != LIA_ROLE_AUDITOR && r != LIA_ROLE_BROKER)
			roles |= LIA_ROLE_BIT(r);
	return roles;
}

/* One agency's contradictions with the deny and region lists. */
static int agency_check(const struct lia_restrictions *r, const struct lia_policy *p,
			const char *agency, const char *who, char err[static LIA_ERR_MAX])
{
	bool h3 = (r->handling & LIA_HANDLING_H3) != 0;
	if (h3 && lia_names_has(&r->h3.deny_agencies, agency))
		return lia_errf(err, "%s is both released to and excluded by H3 (agency %s)", who,
				agency);
	const struct lia_policy_agency *a = lia_policy_agency(p, agency);
	if (a == NULL)
		return 0;
	if (h3 && lia_names_has(&r->h3.deny_countries, a->country))
		return lia_errf(err, "%s is both released to and excluded by H3 (country %s)", who,
				a->country);
	if (r->release_regions.n > 0 && !lia_policy_in_regions(p, a, &r->release_regions))
		return lia_errf(err, "%s is released to, but agency %s is in none of the released "
				     "regions: it could never receive the message",
				who, agency);
	return 0;
}

int lia_marking_check(const struct lia_restrictions *r, const struct lia_policy *p,
		      char err[static LIA_ERR_MAX])
{
	char who[LIA_NAME_MAX + 16];
	for (size_t i = 0; i < r->release_principals.n; i++) {
		const char *s = r->release_principals.v[i];
		char agency[LIA_NAME_MAX];
		lia_subject_agency(s, agency);
		if (r->release_agencies.n > 0 && !lia_names_has(&r->release_agencies, agency))
			return lia_errf(err,
					"principal %s is released to, but its agency %s is not among "
					"the released agencies: it could never receive the message",
					s, agency);
		int w = snprintf(who, sizeof who, "principal %s", s);
		if (w < 0 || (size_t)w >= sizeof who)
			return lia_errf(err, "principal name too long");
		if (agency_check(r, p, agency, who, err) != 0)
			return -1;
	}
	for (size_t i = 0; i < r->release_agencies.n; i++) {
		int w = snprintf(who, sizeof who, "agency %s", r->release_agencies.v[i]);
		if (w < 0 || (size_t)w >= sizeof who)
			return lia_errf(err, "agency name too long");
		if (agency_check(r, p, r->release_agencies.v[i], who, err) != 0)
			return -1;
	}
	if ((r->handling & LIA_HANDLING_H3) && r->h3.allowed_roles != 0 &&
	    (r->h3.allowed_roles & roles_that_receive(p)) == 0)
		return lia_errf(err, "H3 allows only roles that never receive content: no one could "
				     "receive the message");
	return 0;
}

void lia_marking_explicit(struct lia_restrictions *out, const struct lia_policy *p,
			  const struct lia_header *h)
{
	*out = h->restrictions;
	out->tlp = lia_policy_effective_tlp(p, h);
	out->handling = lia_policy_effective_handling(p, h);
	if (!(out->handling & LIA_HANDLING_H3))
		memset(&out->h3, 0, sizeof out->h3);
	bool unaddressed = out->release_agencies.n == 0 && out->release_principals.n == 0;
	if ((out->tlp == LIA_TLP_AMBER_STRICT && unaddressed) ||
	    (out->tlp == LIA_TLP_AMBER && unaddressed && out->release_regions.n == 0)) {
		char agency[LIA_NAME_MAX];
		lia_subject_agency(h->originator, agency);
		/* Cannot fail: the list is empty. */
		(void)!lia_names_add(&out->release_agencies, agency);
	}
	out->expires_at = lia_policy_expiry(p, h);
}

/* out = a ∩ b, where an empty list means "no limit". */
static int intersect(struct lia_names *out, const struct lia_names *a, const struct lia_names *b,
		     const char *what, char err[static LIA_ERR_MAX])
{
	if (a->n == 0 || b->n == 0) {
		*out = a->n == 0 ? *b : *a;
		return 0;
	}
	out->n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (lia_names_has(b, a->v[i]) && lia_names_add(out, a->v[i]) != 0)
			return lia_errf(err, "too many %s", what);
	if (out->n == 0)
		return lia_errf(err, "the two markings have no %s in common: no one could receive "
				     "the combination",
				what);
	return 0;
}

/* out = a ∪ b. */
static int unite(struct lia_names *out, const struct lia_names *a, const struct lia_names *b,
		 const char *what, char err[static LIA_ERR_MAX])
{
	*out = *a;
	for (size_t i = 0; i < b->n; i++)
		if (!lia_names_has(out, b->v[i]) && lia_names_add(out, b->v[i]) != 0)
			return lia_errf(err, "together the two markings exclude more than %d %s",
					LIA_LIST_MAX, what);
	return 0;
}

static int combine_h3(struct lia_h3 *out, const struct lia_restrictions *a,
		      const struct lia_restrictions *b, char err[static LIA_ERR_MAX])
{
	bool ha = (a->handling & LIA_HANDLING_H3) != 0, hb = (b->handling & LIA_HANDLING_H3) != 0;
	if (!ha || !hb) {
		*out = ha ? a->h3 : b->h3;
		return 0;
	}
	const struct lia_h3 *x = &a->h3, *y = &b->h3;
	if (strcmp(x->text, y->text) == 0) {
		memcpy(out->text, x->text, sizeof out->text);
	} else {
		/* Both conditions bind, so both texts are shown. */
		int w = snprintf(out->text, sizeof out->text, "%s / %s", x->text, y->text);
		if (w < 0 || (size_t)w >= sizeof out->text)
			return lia_errf(err, "the two H3 texts together are longer than %d bytes",
					LIA_TEXT_MAX - 1);
	}
	if (unite(&out->deny_agencies, &x->deny_agencies, &y->deny_agencies, "agencies", err) != 0 ||
	    unite(&out->deny_countries, &x->deny_countries, &y->deny_countries, "countries", err) != 0)
		return -1;
	if (x->allowed_roles == 0 || y->allowed_roles == 0) {
		out->allowed_roles = x->allowed_roles | y->allowed_roles;
	} else {
		out->allowed_roles = x->allowed_roles & y->allowed_roles;
		if (out->allowed_roles == 0)
			return lia_errf(err, "the H3 roles of the two markings have none in common: no "
					     "one could receive the combination");
	}
	if (x->max_retention_days == 0 || y->max_retention_days == 0)
		out->max_retention_days = x->max_retention_days | y->max_retention_days;
	else
		out->max_retention_days = x->max_retention_days < y->max_retention_days
						  ? x->max_retention_days
						  : y->max_retention_days;
	return 0;
}

static int combine(struct lia_restrictions *out, const struct lia_policy *p,
		   const struct lia_restrictions *a, const struct lia_restrictions *b,
		   char err[static LIA_ERR_MAX])
{
	out->tlp = a->tlp > b->tlp ? a->tlp : b->tlp;
	out->handling = a->handling | b->handling;
	if (combine_h3(&out->h3, a, b, err) != 0)
		return -1;
	if (intersect(&out->release_agencies, &a->release_agencies, &b->release_agencies,
		      "released agencies", err) != 0 ||
	    intersect(&out->release_principals, &a->release_principals, &b->release_principals,
		      "released principals", err) != 0 ||
	    intersect(&out->release_regions, &a->release_regions, &b->release_regions,
		      "released regions", err) != 0)
		return -1;
	out->embargo_until = a->embargo_until > b->embargo_until ? a->embargo_until
								 : b->embargo_until;
	out->expires_at = a->expires_at < b->expires_at ? a->expires_at : b->expires_at;

	if (out->tlp == LIA_TLP_RED && out->release_principals.n == 0)
		return lia_errf(err, "the combination is TLP:RED but names no principal");
	if (out->embargo_until != 0 && out->embargo_until >= out->expires_at)
		return lia_errf(err, "the combined embargo does not end before the combination "
				     "expires");
	return lia_marking_check(out, p, err);
}

int lia_marking_combine(struct lia_restrictions *out, const struct lia_policy *p,
			const struct lia_header *a, const struct lia_header *b,
			char err[static LIA_ERR_MAX])
{
	/* Two explicit markings of ~10 KiB each: on the stack, since this
	 * function must not allocate. */
	struct lia_restrictions ea, eb;
	lia_marking_explicit(&ea, p, a);
	lia_marking_explicit(&eb, p, b);
	memset(out, 0, sizeof *out);
	/* An empty list means "no limit" everywhere but here, where it
	 * means "no one": intersecting would turn it into the other list. */
	if ((ea.tlp == LIA_TLP_RED && ea.release_principals.n == 0) ||
	    (eb.tlp == LIA_TLP_RED && eb.release_principals.n == 0))
		return lia_errf(err, "a part is TLP:RED but names no principal: no one may receive it");
	if (combine(out, p, &ea, &eb, err) != 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}
