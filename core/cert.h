/*
 * cert.h — certificates, certificate requests and revocation lists
 * (DESIGN §2, docs/formats.md).
 *
 * A struct lia_cert exists only after the authority's signature over the
 * carried body bytes has been verified and every field validated: code
 * holding one may trust its contents as the authority's word. Whether it
 * is valid *now* (time window, revocation) is a separate, cheap question
 * answered by lia_cert_check(), because it changes while the signature
 * does not; callers verify a certificate once and check it on every use.
 *
 * Untrusted input: every decode bounds the input size first and decodes
 * with an allocator capped relative to it.
 * Errors: decoders return an enum lia_cert_status; lia_cert_status_str()
 * says what failed. Thread safety: no shared state.
 */
#ifndef LIA_CERT_H
#define LIA_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "keyfile.h"
#include "marking.h"

#define LIA_CERT_MAX_BYTES 8192       /* encoded certificate or request */
#define LIA_CRL_MAX_ENTRIES 100000    /* revoked serials in one list */
#define LIA_CRL_MAX_BYTES (LIA_CRL_MAX_ENTRIES * 256 + 1024)
#define LIA_REASON_MAX 201

enum lia_cert_kind {
	LIA_CERT_PRINCIPAL = 1,
	LIA_CERT_BROKER = 2,
};

enum lia_cert_status {
	LIA_CERT_OK = 0,
	LIA_CERT_MALFORMED,       /* not a certificate, or a field out of range */
	LIA_CERT_WRONG_AUTHORITY, /* issued by another authority key */
	LIA_CERT_BAD_SIGNATURE,   /* authority signature does not verify */
	LIA_CERT_NOT_YET_VALID,
	LIA_CERT_EXPIRED,
	LIA_CERT_REVOKED,
	LIA_CERT_TOO_LARGE,
};
const char *lia_cert_status_str(enum lia_cert_status st);

struct lia_cert {
	uint64_t serial;
	enum lia_cert_kind kind;
	char subject[LIA_NAME_MAX];
	char agency[LIA_NAME_MAX];
	char country[3];
	struct lia_names regions;
	uint32_t roles;          /* LIA_ROLE_BIT set */
	int64_t not_before;      /* inclusive */
	int64_t not_after;       /* exclusive */
	int64_t issued_at;
	uint8_t sign_pk[32];
	uint8_t box_pk[32];
	uint8_t transport_pk[32];
	uint8_t sign_kid[LIA_KEYID_BYTES];
	uint8_t box_kid[LIA_KEYID_BYTES];
	uint8_t transport_kid[LIA_KEYID_BYTES];
	uint8_t issuer_kid[LIA_KEYID_BYTES];
};

struct lia_crl_entry {
	uint64_t serial;
	int64_t revoked_at;
	char reason[LIA_REASON_MAX];
};

struct lia_crl {
	uint64_t number;
	int64_t issued_at;
	uint8_t issuer_kid[LIA_KEYID_BYTES];
	size_t n;
	struct lia_crl_entry *v; /* ascending serial */
};

/* A certificate request after its self-signature was verified. */
struct lia_request {
	char subject[LIA_NAME_MAX];
	uint8_t sign_pk[32];
	uint8_t box_pk[32];
	uint8_t transport_pk[32];
	int64_t created_at;
};

/* --- certificates --- */

/* Decode buf, check it names authority_pk as issuer, verify the signature
 * over the carried body, decode and validate the body into *out. Does not
 * look at time or revocation. */
enum lia_cert_status lia_cert_decode(struct lia_cert *out, const uint8_t *buf, size_t len,
				     const uint8_t authority_pk[static 32])
	__attribute__((warn_unused_result));

/* Is a verified certificate usable at time now under crl (may be NULL)? */
enum lia_cert_status lia_cert_check(const struct lia_cert *c, const struct lia_crl *crl,
				    int64_t now) __attribute__((warn_unused_result));

/* Sign tmpl (every field but the key ids, which are derived, and
 * issuer_kid, taken from the authority) and return the encoded
 * certificate in *out (malloc'd, caller frees). Validates tmpl like a
 * decoder would, so the authority never signs what a verifier refuses. */
int lia_cert_issue(uint8_t **out, size_t *out_len, const struct lia_cert *tmpl,
		   const struct lia_secret *authority, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Read and decode a certificate file; err says what failed and where. */
int lia_cert_load(struct lia_cert *out, const char *path, const uint8_t authority_pk[static 32],
		  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Decode a certificate WITHOUT verifying it, for inspection of a file
 * whose authority is unknown. Never use the result for a decision. */
enum lia_cert_status lia_cert_decode_unverified(struct lia_cert *out, const uint8_t *buf,
						size_t len) __attribute__((warn_unused_result));

bool lia_cert_has_role(const struct lia_cert *c, enum lia_role r);

/* --- requests --- */

/* Build and sign a request with the principal's three keys. */
int lia_request_make(uint8_t **out, size_t *out_len, const char *subject,
		     const struct lia_secret *sign, const struct lia_secret *box,
		     const struct lia_secret *transport, int64_t now, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
enum lia_cert_status lia_request_decode(struct lia_request *out, const uint8_t *buf, size_t len)
	__attribute__((warn_unused_result));

/* --- revocation lists --- */

/* Decode and verify a list signed by authority_pk into *out (entries
 * malloc'd; free with lia_crl_clear). */
enum lia_cert_status lia_crl_decode(struct lia_crl *out, const uint8_t *buf, size_t len,
				    const uint8_t authority_pk[static 32])
	__attribute__((warn_unused_result));
int lia_crl_load(struct lia_crl *out, const char *path, const uint8_t authority_pk[static 32],
		 char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* Add an entry, keeping order; -1 if the serial is already listed or the
 * list is full. */
int lia_crl_add(struct lia_crl *crl, uint64_t serial, int64_t revoked_at, const char *reason,
		char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* Sign and encode (number and issued_at as set by the caller). */
int lia_crl_encode(uint8_t **out, size_t *out_len, const struct lia_crl *crl,
		   const struct lia_secret *authority, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
/* The entry for serial, or NULL. O(log n). */
const struct lia_crl_entry *lia_crl_find(const struct lia_crl *crl, uint64_t serial);
void lia_crl_clear(struct lia_crl *crl);
/* Decode a list without checking its signature, for inspection only. */
enum lia_cert_status lia_crl_decode_unverified(struct lia_crl *out, const uint8_t *buf, size_t len)
	__attribute__((warn_unused_result));

/* --- presentation --- */

/* JSON objects (field names as in schemas/cert.proto, times as
 * "2026-11-28T10:00:00Z", keys base64/hex as documented). */
json_t *lia_cert_to_json(const struct lia_cert *c);
json_t *lia_request_to_json(const struct lia_request *r);
json_t *lia_crl_to_json(const struct lia_crl *crl);
/* Human-readable, one field a line. */
void lia_cert_print(FILE *f, const struct lia_cert *c);

#endif
