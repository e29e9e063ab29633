/*
 * consent.h — the originator's signed consent to onward dissemination
 * (DESIGN §4, schemas/consent.proto, docs/protocol.md "Consent").
 *
 * The originator's agent signs one statement per answered request: this
 * message may go to this grantee (a principal or a whole agency), asked
 * by that recipient, for that purpose. The broker verifies it against
 * the originator's certificate and the request before the policy engine
 * takes it as input; the signed bytes are kept with the request, so an
 * auditor can check later who consented to what.
 *
 * Untrusted input: lia_consent_verify() bounds the input, decodes under a
 * capped allocator, checks the signature over the carried body bytes
 * before decoding them, then validates every field.
 * Thread safety: pure functions.
 */
#ifndef LIA_CONSENT_H
#define LIA_CONSENT_H

#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "keyfile.h"
#include "marking.h"

#define LIA_CONSENT_MAX_BYTES 2048 /* one encoded consent */
#define LIA_PURPOSE_MAX 256        /* purpose text incl. NUL */

struct lia_consent_grant {
	uint8_t message_id[LIA_ID_BYTES];
	uint64_t request;                 /* the broker's request number */
	char grantee[LIA_NAME_MAX];       /* subject or agency */
	char requested_by[LIA_NAME_MAX];  /* subject */
	char granted_by[LIA_NAME_MAX];    /* subject: the signer */
	int64_t granted_at;
	char purpose[LIA_PURPOSE_MAX];
};

enum lia_consent_state {
	LIA_CONSENT_PENDING = 1,
	LIA_CONSENT_GRANTED = 2,
	LIA_CONSENT_REFUSED = 3,
};
const char *lia_consent_state_str(enum lia_consent_state s); /* "pending", ... */

struct lia_consent_request {
	uint64_t request;
	uint8_t message_id[LIA_ID_BYTES];
	char originator[LIA_NAME_MAX];
	char requested_by[LIA_NAME_MAX];
	char grantee[LIA_NAME_MAX];        /* subject or agency */
	char purpose[LIA_PURPOSE_MAX];
	enum lia_consent_state state;
	int64_t requested_at;
	int64_t answered_at;
	char reason[LIA_PURPOSE_MAX];
	uint32_t disclosed, withheld;      /* shown to the originator only */
	size_t consent_len;                /* granted: the signed Consent */
	uint8_t consent[LIA_CONSENT_MAX_BYTES];
};

/* The SHA-256 of a signed consent as 64 hex digits: what the ledger's
 * consent-granted record names, so anyone holding the bytes can match
 * them against it. */
#define LIA_CONSENT_DIGEST_HEX 65
void lia_consent_digest_hex(const uint8_t *consent, size_t len, char out[static LIA_CONSENT_DIGEST_HEX]);

/* A purpose as a requester may state it: 1..255 printable bytes. */
bool lia_purpose_valid(const char *s);

/* Sign g with the granting principal's sign key (sign->pk must belong to
 * g->granted_by's certificate; the caller's business). Refuses invalid
 * fields. *out malloc'd. */
int lia_consent_sign(const struct lia_consent_grant *g, const struct lia_secret *sign,
		     uint8_t **out, size_t *out_len, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Decode buf, check the signature by signer's sign key and that
 * granted_by is signer's subject, and validate the fields into *out.
 * 0, or -1 with the reason in err. */
int lia_consent_verify(const uint8_t *buf, size_t len, const struct lia_cert *signer,
		       struct lia_consent_grant *out, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
