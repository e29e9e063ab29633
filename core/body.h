/*
 * body.h — intelligence bodies (schemas/body.proto) as JSON for people
 * and programs, and their checks against a header.
 *
 * The conversion is generic: it walks the protobuf-c descriptors, so every
 * field of every body kind has the same JSON name as in the schema (enum
 * values by their short lower-case name, e.g. "stolen-blank"; bytes in
 * hex). Untrusted input on both sides: JSON from a file or flags, bytes
 * from an opened envelope; both are bounded.
 */
#ifndef LIA_BODY_H
#define LIA_BODY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"
#include "marking.h"

/* Build a serialized Body from JSON ({"title":..., "route":{...}}).
 * Unknown keys, wrong types and out-of-range enums are errors naming the
 * field path. *out is malloc'd. */
int lia_body_from_json(const json_t *j, uint8_t **out, size_t *out_len,
		       char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Set one field of a body under construction from text, typed by the
 * schema: path is dotted from the Body ("title", "route.mode",
 * "route.embarkation[0].name", "document.detection_tips" appends to a
 * repeated field). Enum values by short name ("sea"), times as
 * 2026-11-28T10:00:00Z or integers. *root is created when NULL. */
int lia_body_set(json_t **root, const char *path, const char *value, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* The JSON key of the content field for a kind ("route", "document"...). */
const char *lia_body_content_field(enum lia_kind kind);

/* JSON of a serialized Body; NULL when it does not decode. */
json_t *lia_body_to_json(const uint8_t *body, size_t len);

/* Does the body decode, carry the content h's kind names, declare no
 * personal data beyond h's subjects, and (a verification request) name
 * the issuing state and urgency of h's route? 0 when all hold; -1 with
 * err otherwise; *mismatch is set when it decoded but disagreed. */
int lia_body_check(const uint8_t *body, size_t len, const struct lia_header *h, int *mismatch,
		   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Does `declared` (the header's data-subject categories) cover the
 * personal data that the body's filled fields imply? Some fields name a
 * person whatever the message says about it: a verification request's
 * holder, a single document's number, the actors of a network report
 * (suspects). docs/policy.md lists each field and what it implies. 0 when
 * covered or when nothing is implied; -1 with err naming the first field
 * not covered and the categories that would cover it. The agent calls it
 * before sealing, so the personal-data rules of the policy apply. */
int lia_body_subjects_cover(const uint8_t *body, size_t len, uint32_t declared,
			    char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The body's title (copied into out, cap bytes), "" when absent. */
void lia_body_title(const uint8_t *body, size_t len, char *out, size_t cap);

#endif
