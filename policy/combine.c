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
#include "marking_combine.h"

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
	lia_restrictions_addressed(out, h->originator);
	out->expires_at = lia_policy_expiry(p, h);
}

static int combine(struct lia_restrictions *out, const struct lia_policy *p,
		   const struct lia_restrictions *a, const struct lia_restrictions *b,
		   char err[static LIA_ERR_MAX])
{
	if (lia_restrictions_combine(out, a, b, err) != 0)
		return -1;
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
	if (combine(out, p, &ea, &eb, err) != 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}
