/*
 * scenario.h — what-if inputs for `liaison-policy explain`: a header
 * written as JSON, and principals described on the command line instead
 * of by certificate files.
 *
 * The JSON header has the shape lia_header_to_json() prints (the agent's
 * `--json` output), so a header seen in the field can be pasted, edited
 * and explained. It is untrusted text: every name is validated with the
 * marking.h validators, every list bounded, unknown keys refused, exactly
 * like the envelope decoder would. Only the tool links this module; the
 * broker never builds headers from JSON.
 *
 * Errors: 0 / -1 with err naming the field. No shared state.
 */
#ifndef LIA_POLICY_SCENARIO_H
#define LIA_POLICY_SCENARIO_H

#include <jansson.h>
#include <stdint.h>

#include "cert.h"
#include "keyfile.h"
#include "marking.h"
#include "policy.h"

/* Fill *h from j. created_at defaults to now; id to zero bytes. */
int lia_scenario_header(struct lia_header *h, const json_t *j, int64_t now,
			char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* A principal from "SUBJECT[:ROLE[,ROLE...]]" (roles default to
 * default_role): agency from the subject, country from the policy (or
 * "ZZ" when the agency is not in it), valid at any time, serial 0. */
int lia_scenario_principal(struct lia_cert *c, const char *spec, enum lia_role default_role,
			   const struct lia_policy *p, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
