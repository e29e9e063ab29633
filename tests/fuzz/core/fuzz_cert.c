/*
 * fuzz_cert.c — libFuzzer harness for every trust-material decoder:
 * certificates (verified and not), requests and revocation lists.
 */
#include <stddef.h>
#include <stdint.h>

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
	struct lia_cert c;
	struct lia_request r;
	struct lia_crl crl;
	if (lia_cert_decode(&c, data, size, x.authority->pk) == LIA_CERT_OK) {
		if (lia_cert_check(&c, NULL, FUZZ_T0) != LIA_CERT_OK)
			return 0;
		json_decref(lia_cert_to_json(&c));
	}
	if (lia_cert_decode_unverified(&c, data, size) == LIA_CERT_OK)
		json_decref(lia_cert_to_json(&c));
	if (lia_request_decode(&r, data, size) == LIA_CERT_OK)
		json_decref(lia_request_to_json(&r));
	if (lia_crl_decode(&crl, data, size, x.authority->pk) == LIA_CERT_OK) {
		(void)lia_crl_find(&crl, 1001);
		lia_crl_clear(&crl);
	}
	if (lia_crl_decode_unverified(&crl, data, size) == LIA_CERT_OK) {
		json_decref(lia_crl_to_json(&crl));
		lia_crl_clear(&crl);
	}
	return 0;
}
