/*
 * fuzz_envelope.c — libFuzzer harness: decode, verify and open an
 * envelope as bob from alice (fuzz_keys.h), and re-encode it for one
 * recipient, as the broker does.
 */
#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "envelope.h"
#include "fuzz_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct fuzz_exchange x;
static struct lia_opener *opener;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_exchange_init(&x);
	opener = lia_opener_new(&x.bob.cert, x.bob.box);
	return opener == NULL ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_envelope *e = NULL;
	if (lia_envelope_decode(&e, data, size) != LIA_ENV_OK)
		return 0;
	uint8_t *one = NULL;
	size_t one_len = 0;
	if (lia_envelope_encode_for(e, x.bob.cert.box_kid, &one, &one_len) == LIA_ENV_OK)
		free(one);
	(void)lia_envelope_wrap_count(e);
	if (lia_envelope_verify(e, &x.alice.cert, NULL) == LIA_ENV_OK) {
		struct lia_opened o;
		if (lia_envelope_open(opener, e, &x.alice.cert, &o) == LIA_ENV_OK) {
			json_t *j = lia_body_to_json(o.body, o.body_len);
			json_decref(j);
			lia_opened_clear(&o);
		}
	}
	lia_envelope_destroy(&e);
	return 0;
}
