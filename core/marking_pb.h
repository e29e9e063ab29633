/*
 * marking_pb.h — the marking's protobuf forms: Restrictions (with its
 * H3Conditions) and Evaluation <-> struct lia_restrictions and struct
 * lia_evaluation. Written once here and used by every format that
 * carries a marking: the envelope header (core/header.c), ledger records
 * (audit/record.c) and feed filters on the wire (wire/).
 *
 * Trusts: nothing in the protobuf; the decoders validate every field
 * with check.h (enum ranges, sets without repeats, bounded lists of
 * well-formed names, clean text) and leave semantic rules (RED needs
 * named principals, ...) to the policy engine. The encoders trust the
 * struct (each format validates it before or after encoding) and
 * allocate nothing: the protobuf points into the struct and into
 * caller-owned scratch, and lives as long as both.
 *
 * Errors: decoders return 0, or -1 with *why a static reason naming the
 * field. Needs the generated schemas (lia_schemas) to include.
 */
#ifndef LIA_MARKING_PB_H
#define LIA_MARKING_PB_H

#include "common.pb-c.h"
#include "envelope.pb-c.h"
#include "marking.h"

/* Pointers of a struct lia_names as a protobuf repeated string; returns
 * v, with *n set. v has room for LIA_LIST_MAX. */
char **lia_names_to_pb(char *v[static LIA_LIST_MAX], const struct lia_names *l, size_t *n);

/* Restrictions -> struct (zeroed first). Refuses a missing message, TLP
 * out of range, handling codes out of range or repeated, H3 conditions
 * without H3 or H3 without them, an empty or unclean H3 text, bad or
 * repeated names, roles out of range or repeated, negative times. */
int lia_restrictions_from_pb(struct lia_restrictions *r, const Liaison__V1__Restrictions *p,
			     const char **why) __attribute__((warn_unused_result));

/* What an encoded Restrictions points to besides the struct. */
struct lia_restrictions_pb {
	Liaison__V1__Restrictions msg;
	Liaison__V1__H3Conditions h3;
	Liaison__V1__HandlingCode handling[3];
	Liaison__V1__Role roles[4];
	char *release_agencies[LIA_LIST_MAX];
	char *release_principals[LIA_LIST_MAX];
	char *release_regions[LIA_LIST_MAX];
	char *deny_agencies[LIA_LIST_MAX];
	char *deny_countries[LIA_LIST_MAX];
};

/* struct -> Restrictions in s (returns &s->msg). Handling codes and roles
 * are written in ascending order and H3 conditions exactly when H3 is
 * set, so the encoding is canonical (the ledger compares bytes). */
Liaison__V1__Restrictions *lia_restrictions_to_pb(struct lia_restrictions_pb *s,
						  const struct lia_restrictions *r);

/* Evaluation -> struct; NULL is "no evaluation" (scheme NONE). Refuses a
 * scheme, source or information grade out of range for its scheme. */
int lia_evaluation_from_pb(struct lia_evaluation *e, const Liaison__V1__Evaluation *p,
			   const char **why) __attribute__((warn_unused_result));

/* struct -> Evaluation in pe; NULL when the scheme is NONE (the field is
 * then left out). */
Liaison__V1__Evaluation *lia_evaluation_to_pb(Liaison__V1__Evaluation *pe,
					      const struct lia_evaluation *e);

#endif
