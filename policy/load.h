/*
 * load.h — reading an exchange policy file (YAML, docs/policy.md) into a
 * validated struct lia_policy.
 *
 * The file is untrusted text written by people: libyaml tokenises it and
 * this module checks everything it means. A file larger than
 * LIA_POLICY_MAX_BYTES is refused before it is read; anchors, aliases,
 * tags and second documents are refused; every count is checked against
 * its cap before anything is allocated for it. Unknown keys, duplicate
 * names, references to undefined regions or agencies, and impossible
 * values are errors that name the file, line and column of the offending
 * text. Nothing is half-loaded: either a complete policy with its hash is
 * returned, or NULL and an error.
 *
 * Loading is the only I/O of the policy module; everything after it is
 * pure. Thread safety: no shared state.
 */
#ifndef LIA_POLICY_LOAD_H
#define LIA_POLICY_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* Where and why a policy was refused. line and column count from 1 and
 * are 0 when the error has no position (e.g. the file cannot be read).
 * msg is the complete message: "exchange.yaml:12:5: unknown key ...". */
struct lia_policy_error {
	unsigned line;
	unsigned column;
	char msg[LIA_ERR_MAX];
};

/* Read, parse and validate the policy file at path. Returns the policy
 * (free with lia_policy_destroy) or NULL with *e filled. */
struct lia_policy *lia_policy_load(const char *path, struct lia_policy_error *e)
	__attribute__((warn_unused_result));

/* The same for a policy already in memory; name is used in messages
 * (e.g. the file name). buf need not be NUL-terminated. */
struct lia_policy *lia_policy_parse(const char *name, const uint8_t *buf, size_t len,
				    struct lia_policy_error *e) __attribute__((warn_unused_result));

#endif
