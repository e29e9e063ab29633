/*
 * sig.c — key ids and domain-separated Ed25519 signatures.
 *
 * Why hash first: Ed25519 would sign the message directly, but hashing
 * with the context prefix gives one fixed-size input for every purpose,
 * so adding a purpose never changes what an old signature meant.
 */
#include "sig.h"

#include <assert.h>
#include <sodium.h>
#include <string.h>

void lia_keyid(uint8_t kid[static LIA_KEYID_BYTES], const uint8_t pk[static 32])
{
	uint8_t h[32];
	crypto_generichash(h, sizeof h, pk, 32, NULL, 0);
	memcpy(kid, h, LIA_KEYID_BYTES);
}

void lia_keyid_hex(char out[static LIA_KEYID_HEX], const uint8_t kid[static LIA_KEYID_BYTES])
{
	sodium_bin2hex(out, LIA_KEYID_HEX, kid, LIA_KEYID_BYTES);
}

static void ctx_hash(uint8_t h[static 64], const char *ctx, const uint8_t *msg, size_t msg_len)
{
	size_t ctx_len = strlen(ctx);
	assert(ctx_len > 0 && ctx_len < 256);
	uint8_t len_byte = (uint8_t)ctx_len;
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 64);
	crypto_generichash_update(&st, &len_byte, 1);
	crypto_generichash_update(&st, (const uint8_t *)ctx, ctx_len);
	crypto_generichash_update(&st, msg, msg_len);
	crypto_generichash_final(&st, h, 64);
}

void lia_sign(uint8_t sig[static LIA_SIG_BYTES], const char *ctx, const uint8_t *msg,
	      size_t msg_len, const uint8_t sk[static LIA_SIGN_SK_BYTES])
{
	uint8_t h[64];
	ctx_hash(h, ctx, msg, msg_len);
	crypto_sign_detached(sig, NULL, h, sizeof h, sk);
}

int lia_verify(const uint8_t sig[static LIA_SIG_BYTES], const char *ctx, const uint8_t *msg,
	       size_t msg_len, const uint8_t pk[static LIA_SIGN_PK_BYTES])
{
	uint8_t h[64];
	ctx_hash(h, ctx, msg, msg_len);
	return crypto_sign_verify_detached(sig, h, sizeof h, pk) == 0 ? 0 : -1;
}
