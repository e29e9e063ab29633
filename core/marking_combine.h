/*
 * marking_combine.h — the algebra of markings, without the policy: the
 * marking of a message that carries another (a forward, or a reply that
 * quotes), and whether one marking carries at least another (DESIGN §4,
 * docs/policy.md §8). The agent combines with it before sealing a reply
 * or a forward; the broker checks with it that a message naming another
 * is at least as restricted (policy/combine.h first makes each marking
 * explicit under the policy).
 *
 * Pure; no allocation; thread-safe.
 */
#ifndef LIA_MARKING_COMBINE_H
#define LIA_MARKING_COMBINE_H

#include "keyfile.h" /* LIA_ERR_MAX */
#include "marking.h"

/* Most restrictive TLP, union of handling codes, union of H3 deny lists
 * and intersection of H3 roles, intersection of every audience list (an
 * empty list: no limit), latest embargo, earliest expiry (0: none given).
 * 0, or -1 with err when no one could receive the result or it does not
 * fit one marking (*out is then zeroed). */
int lia_restrictions_combine(struct lia_restrictions *out, const struct lia_restrictions *a,
			     const struct lia_restrictions *b, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Does m carry at least x: TLP as restrictive, every handling code, H3
 * conditions as strict, each audience list x names narrowed to within
 * it? Expiry and embargo are not compared (the broker caps the expiry).
 * 0, or -1 with err naming the first way m is weaker. */
int lia_restrictions_cover(const struct lia_restrictions *m, const struct lia_restrictions *x,
			   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Write out the audience an AMBER or AMBER+STRICT marking leaves
 * implicit (docs/policy.md §8): naming no agency or principal (AMBER: nor
 * region), it is the originator's agency. Only the policy adds more to
 * the explicit form (floors, the default expiry: policy/combine.h). */
void lia_restrictions_addressed(struct lia_restrictions *r, const char *originator);

/* Widen r's non-empty principal and agency lists by subject and its
 * agency (when they fit): a reply may always go back to the originator
 * of what it quotes. */
void lia_restrictions_allow(struct lia_restrictions *r, const char *subject);

#endif
