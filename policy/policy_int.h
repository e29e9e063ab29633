/*
 * policy_int.h — what the loader needs from policy.c and nobody else
 * should call.
 */
#ifndef LIA_POLICY_INT_H
#define LIA_POLICY_INT_H

#include "policy.h"

/* Compute p->hash from the canonical form of a fully built policy. */
int lia_policy_seal(struct lia_policy *p, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
