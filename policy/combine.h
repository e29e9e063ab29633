/*
 * combine.h — the marking of a message that carries two others: a
 * forward, or a reply that quotes (DESIGN §4, docs/policy.md).
 *
 * Combination never loosens: whoever may receive the result under
 * lia_decide() may receive each part. Each part is first made explicit
 * (the exchange's floors for personal data and protected persons
 * applied, an AMBER or AMBER+STRICT audience left implicit written out
 * as the originator's agency, a default expiry written out as the date the
 * policy gives), because the combined message has a new originator and a
 * new creation time and the implicit meanings would change with them.
 * Then: most restrictive TLP, union of handling codes, union of H3 deny
 * lists and intersection of H3 roles, intersection of every audience
 * list, earliest expiry, latest embargo. A combination that no one could
 * receive, or that cannot be written in one marking, is refused with a
 * reason rather than widened or guessed.
 *
 * Combining restrictions is not all a forward needs: the broker also
 * runs lia_decide() on each quoted header (path ONWARD) so that the
 * agreements of the original originators keep holding. The data-subject
 * categories of the result are the union of the parts'.
 *
 * Pure; no allocation; thread-safe.
 */
#ifndef LIA_COMBINE_H
#define LIA_COMBINE_H

#include "keyfile.h" /* LIA_ERR_MAX */
#include "marking.h"
#include "policy.h"

/* Do r's lists contradict each other? Refuses, with a reason in err: a
 * principal whose agency release_agencies leaves out; an agency or
 * principal both released to and denied by H3 (by name or by country);
 * a released agency or principal in none of the released regions; H3
 * roles that never receive content. Each of these names someone who
 * could never receive the message, which is a mistake in the marking
 * (DESIGN §4: ambiguous markings are refused). TLP and time are checked
 * by their own rules; names p does not define are left to the caller
 * (rule names.defined). 0 or -1. */
int lia_marking_check(const struct lia_restrictions *r, const struct lia_policy *p,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The explicit form of h's restrictions under p (see above) in *out. */
void lia_marking_explicit(struct lia_restrictions *out, const struct lia_policy *p,
			  const struct lia_header *h);

/* Combine the restrictions of a and b under p into *out. Returns 0, or -1
 * with err saying why the two cannot be combined (*out is then zeroed). */
int lia_marking_combine(struct lia_restrictions *out, const struct lia_policy *p,
			const struct lia_header *a, const struct lia_header *b,
			char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
