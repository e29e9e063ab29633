/*
 * marking_combine.c — see marking_combine.h. Every list here holds at
 * most LIA_LIST_MAX names, so the quadratic membership scans cost at
 * most 32 x 32 string comparisons.
 */
#include "marking_combine.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

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

int lia_restrictions_combine(struct lia_restrictions *out, const struct lia_restrictions *a,
			     const struct lia_restrictions *b, char err[static LIA_ERR_MAX])
{
	memset(out, 0, sizeof *out);
	/* An empty list means "no limit" everywhere but here, where it
	 * means "no one": intersecting would turn it into the other list. */
	if ((a->tlp == LIA_TLP_RED && a->release_principals.n == 0) ||
	    (b->tlp == LIA_TLP_RED && b->release_principals.n == 0))
		return lia_errf(err, "a part is TLP:RED but names no principal: no one may receive it");
	out->tlp = a->tlp > b->tlp ? a->tlp : b->tlp;
	out->handling = a->handling | b->handling;
	if (combine_h3(&out->h3, a, b, err) != 0 ||
	    intersect(&out->release_agencies, &a->release_agencies, &b->release_agencies,
		      "released agencies", err) != 0 ||
	    intersect(&out->release_principals, &a->release_principals, &b->release_principals,
		      "released principals", err) != 0 ||
	    intersect(&out->release_regions, &a->release_regions, &b->release_regions,
		      "released regions", err) != 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->embargo_until = a->embargo_until > b->embargo_until ? a->embargo_until : b->embargo_until;
	/* 0 is "the policy's default": the earliest one given. */
	out->expires_at = a->expires_at == 0   ? b->expires_at
			  : b->expires_at == 0 ? a->expires_at
			  : a->expires_at < b->expires_at ? a->expires_at
							  : b->expires_at;
	if (out->tlp == LIA_TLP_RED && out->release_principals.n == 0)
		return lia_errf(err, "the combination is TLP:RED but names no principal");
	if (out->embargo_until != 0 && out->expires_at != 0 && out->embargo_until >= out->expires_at)
		return lia_errf(err, "the combined embargo does not end before the combination "
				     "expires");
	return 0;
}

/* Is every name of x's list in m's (m's list not empty)? */
static bool within(const struct lia_names *m, const struct lia_names *x)
{
	if (x->n == 0)
		return true;
	if (m->n == 0)
		return false;
	for (size_t i = 0; i < m->n; i++)
		if (!lia_names_has(x, m->v[i]))
			return false;
	return true;
}

static bool contains(const struct lia_names *m, const struct lia_names *x)
{
	for (size_t i = 0; i < x->n; i++)
		if (!lia_names_has(m, x->v[i]))
			return false;
	return true;
}

/* Is the agency of every principal in p one of agencies? */
static bool agencies_within(const struct lia_names *p, const struct lia_names *agencies)
{
	for (size_t i = 0; i < p->n; i++) {
		char agency[LIA_NAME_MAX];
		lia_subject_agency(p->v[i], agency);
		if (!lia_names_has(agencies, agency))
			return false;
	}
	return true;
}

int lia_restrictions_cover(const struct lia_restrictions *m, const struct lia_restrictions *x,
			   char err[static LIA_ERR_MAX])
{
	if (m->tlp < x->tlp)
		return lia_errf(err, "its TLP:%s is less restrictive than TLP:%s", lia_tlp_str(m->tlp),
				lia_tlp_str(x->tlp));
	uint32_t missing = x->handling & ~m->handling;
	for (int c = 0; c < 32; c++)
		if (missing & (1u << c))
			return lia_errf(err, "it lacks handling code H%d", c);
	if (x->handling & LIA_HANDLING_H3) {
		const struct lia_h3 *a = &m->h3, *b = &x->h3;
		if (!contains(&a->deny_agencies, &b->deny_agencies) ||
		    !contains(&a->deny_countries, &b->deny_countries))
			return lia_errf(err, "its H3 conditions exclude fewer agencies or countries");
		if (b->allowed_roles != 0 && (a->allowed_roles == 0 || (a->allowed_roles & ~b->allowed_roles)))
			return lia_errf(err, "its H3 conditions allow more roles");
		if (b->max_retention_days != 0 &&
		    (a->max_retention_days == 0 || a->max_retention_days > b->max_retention_days))
			return lia_errf(err, "its H3 conditions keep it longer than %u days",
					b->max_retention_days);
	}
	/* Every list is a limit of its own (docs/policy.md §4): m's
	 * principals bound its agencies too; TLP:RED naming no one reaches
	 * no one. */
	bool nobody = m->tlp == LIA_TLP_RED && m->release_principals.n == 0;
	if (!nobody && !within(&m->release_agencies, &x->release_agencies) &&
	    !(m->release_principals.n > 0 && agencies_within(&m->release_principals, &x->release_agencies)))
		return lia_errf(err, "it is releasable beyond the agencies the quoted message names");
	if (!nobody && !within(&m->release_principals, &x->release_principals))
		return lia_errf(err, "it is releasable beyond the principals the quoted message names");
	if (!nobody && !within(&m->release_regions, &x->release_regions))
		return lia_errf(err, "it is releasable beyond the regions the quoted message names");
	return 0;
}

void lia_restrictions_addressed(struct lia_restrictions *r, const char *originator)
{
	bool unaddressed = r->release_agencies.n == 0 && r->release_principals.n == 0;
	if ((r->tlp == LIA_TLP_AMBER_STRICT && unaddressed) ||
	    (r->tlp == LIA_TLP_AMBER && unaddressed && r->release_regions.n == 0)) {
		char agency[LIA_NAME_MAX];
		lia_subject_agency(originator, agency);
		/* Cannot fail: the list is empty. */
		(void)!lia_names_add(&r->release_agencies, agency);
	}
}

void lia_restrictions_allow(struct lia_restrictions *r, const char *subject)
{
	char agency[LIA_NAME_MAX];
	lia_subject_agency(subject, agency);
	/* Full lists stay as they are: the result only ever narrows. */
	if (r->release_principals.n > 0 && !lia_names_has(&r->release_principals, subject))
		(void)!lia_names_add(&r->release_principals, subject);
	if (r->release_agencies.n > 0 && !lia_names_has(&r->release_agencies, agency))
		(void)!lia_names_add(&r->release_agencies, agency);
}
