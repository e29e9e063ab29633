/*
 * fuzz_body.c — libFuzzer harness for body decoding (what a recipient
 * does with decrypted bytes) and the JSON body reader (what seal does
 * with a body file): the first byte picks which.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char err[LIA_ERR_MAX];
	if (data[0] == '{') {
		json_error_t jerr;
		json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
		uint8_t *b = NULL;
		size_t n = 0;
		if (j != NULL && lia_body_from_json(j, &b, &n, err) == 0)
			free(b);
		json_decref(j);
		return 0;
	}
	int mismatch, matched = 0;
	for (int k = 1; k <= LIA_KIND_MAX; k++) {
		struct lia_header h = {.kind = (enum lia_kind)k, .subjects = LIA_SUBJECT_ALL};
		/* The route a request's body must repeat, from the input's first
		 * byte: both agreeing and disagreeing bodies are tried. */
		h.has_verification = (data[0] & 1) != 0;
		memcpy(h.verification.issuing_state, (data[0] & 2) ? "IT" : "HR", 3);
		h.verification.urgency = (enum lia_urgency)(1 + (data[0] >> 2) % 3);
		if (lia_body_check(data + 1, size - 1, &h, &mismatch, err) == 0)
			matched++;
	}
	if (matched > 1) /* a body has exactly one content kind */
		abort();
	json_decref(lia_body_to_json(data + 1, size - 1));
	char title[64];
	lia_body_title(data + 1, size - 1, title, sizeof title);
	return 0;
}
