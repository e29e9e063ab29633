/*
 * sig.h — key ids and domain-separated Ed25519 signatures.
 *
 * Every signature in Liaison is over BLAKE2b-512(len(ctx) || ctx || msg),
 * with a one-byte context length and an ASCII context such as
 * "liaison/v1/header". A signature made for one purpose therefore never
 * verifies for another. Key id = first 8 bytes of BLAKE2b-256(public key),
 * printed as 16 lower-case hex digits; every failure names the key id.
 *
 * Contexts (the complete list; docs/formats.md repeats it):
 */
#ifndef LIA_SIG_H
#define LIA_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "marking.h"

#define LIA_SIGN_PK_BYTES 32
#define LIA_SIGN_SK_BYTES 64
#define LIA_SIG_BYTES 64
#define LIA_BOX_PK_BYTES 32
#define LIA_BOX_SK_BYTES 32
#define LIA_KEYID_HEX (2 * LIA_KEYID_BYTES + 1)

#define LIA_CTX_CERT "liaison/v1/certificate"
#define LIA_CTX_REQUEST "liaison/v1/certificate-request"
#define LIA_CTX_CRL "liaison/v1/revocation-list"
#define LIA_CTX_HEADER "liaison/v1/header"
#define LIA_CTX_CONSENT "liaison/v1/consent"

/* Key id of a 32-byte public key. */
void lia_keyid(uint8_t kid[static LIA_KEYID_BYTES], const uint8_t pk[static 32]);
/* Key id as hex text, NUL-terminated. */
void lia_keyid_hex(char out[static LIA_KEYID_HEX], const uint8_t kid[static LIA_KEYID_BYTES]);

/* Sign msg under context ctx. Never fails with valid arguments. */
void lia_sign(uint8_t sig[static LIA_SIG_BYTES], const char *ctx, const uint8_t *msg,
	      size_t msg_len, const uint8_t sk[static LIA_SIGN_SK_BYTES]);

/* 0 when sig is a valid signature of msg under ctx by pk, else -1. */
int lia_verify(const uint8_t sig[static LIA_SIG_BYTES], const char *ctx, const uint8_t *msg,
	       size_t msg_len, const uint8_t pk[static LIA_SIGN_PK_BYTES])
	__attribute__((warn_unused_result));

#endif
