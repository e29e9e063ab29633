/*
 * fuzz_keys.h — the verifier the audit harnesses check against: the test
 * broker key of tests/unit/audit/audit_fixture.h (seed 9, origin
 * liaison.test/broker/ledger), so that corpus files made with the
 * integration helper verify all the way and the fuzzer starts deep.
 */
#ifndef LIA_FUZZ_AUDIT_KEYS_H
#define LIA_FUZZ_AUDIT_KEYS_H

#include <sodium.h>
#include <string.h>

#include "note.h"

static inline int fuzz_verifier(struct lia_note_verifier *v)
{
	uint8_t seed[32], pk[32], sk[64];
	char err[LIA_ERR_MAX];
	memset(seed, 9, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(sk, sizeof sk);
	return lia_note_verifier_init(v, "liaison.test/broker/ledger", pk, err);
}

#endif
