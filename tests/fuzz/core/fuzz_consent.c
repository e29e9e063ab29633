/*
 * fuzz_consent.c — libFuzzer harness for the consent decoder
 * (lia_consent_verify), against the fixed exchange's originator key.
 */
#include <stddef.h>
#include <stdint.h>

#include "consent.h"
#include "fuzz_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct fuzz_exchange x;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_exchange_init(&x);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_consent_grant g;
	char err[LIA_ERR_MAX];
	if (lia_consent_verify(data, size, &x.alice.cert, &g, err) == 0) {
		/* Whatever verifies must be a statement alice could have signed. */
		if (!lia_purpose_valid(g.purpose) || g.request == 0)
			__builtin_trap();
	}
	if (lia_consent_verify(data, size, &x.bob.cert, &g, err) == 0 && g.granted_by[0] == '\0')
		__builtin_trap();
	return 0;
}
