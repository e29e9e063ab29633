/*
 * pfix.h — fixtures shared by the policy tests: the example policy and a
 * second, deliberately different one; a cast of principals with
 * certificates in every state; a revocation list; and a compact notation
 * for markings so that a table row reads like the sentence it tests.
 *
 * Marking notation (space-separated tokens, first the TLP):
 *   CLEAR GREEN AMBER AMBER+STRICT RED      TLP
 *   H1 H2 H3                                 handling (H3 gets a text)
 *   ra=A,B rp=S,T rr=R                       release agencies/principals/regions
 *   emb=+N exp=+N created=+N                 times, seconds from PFIX_T0
 *   kind=network subj=suspect,smuggled-migrant reg=R ev=B2 from=SUBJECT
 *   da=A dc=CC roles=liaison,analyst keep=N  H3 fields (imply H3)
 *   bad-tlp H3-no-text                       malformed headers
 * Defaults: kind route, created at PFIX_T0, originator IT-PS/rome.
 *
 * Consent notation (comma-separated): GRANTEE@GRANTED_BY, optionally
 * followed by >REQUESTER, +N (granted at T0+N; default T0), and prefixed
 * by ! for a consent recorded for another message.
 */
#ifndef LIA_TEST_PFIX_H
#define LIA_TEST_PFIX_H

#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "decide.h"
#include "policy.h"

#define PFIX_T0 INT64_C(1772359200) /* 2026-03-01T10:00:00Z */
#define PFIX_DAY INT64_C(86400)
#define PFIX_MAX_CONSENTS 8

enum pfix_policy { PFIX_EX = 0, PFIX_ALT = 1 };

/* The ALT policy as YAML text (for loader tests). */
extern const char pfix_alt_yaml[];

/* Load both policies (once per test program); abort on failure. */
const struct lia_policy *pfix_policy(enum pfix_policy which);
void pfix_release(void);

/* The certificate of a principal of the cast, by subject; aborts for an
 * unknown name. */
const struct lia_cert *pfix_cert(const char *subject);
/* Every principal of the cast, for property tests. */
size_t pfix_cert_count(void);
const struct lia_cert *pfix_cert_at(size_t i);

/* The fixture revocation list. */
const struct lia_crl *pfix_crl(void);

/* Build a header from the marking notation; aborts on a bad token. */
void pfix_header(struct lia_header *h, const char *marking);

/* Parse the consent notation into out; returns the count. */
size_t pfix_consents(struct lia_consent out[static PFIX_MAX_CONSENTS], const char *spec,
		     const struct lia_header *h);

/* The message id every fixture header carries. */
extern const uint8_t pfix_id[LIA_ID_BYTES];

/* Path of a file in the source tree (LIA_SOURCE_DIR/rel). */
const char *pfix_source(const char *rel);

#endif
