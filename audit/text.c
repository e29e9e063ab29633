/*
 * text.c — strict base64 for the audit text formats (see text_int.h).
 */
#include "text_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

char *lia_b64_encode(const uint8_t *in, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *out = malloc(cap);
	if (out == NULL)
		return NULL;
	sodium_bin2base64(out, cap, in, n, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

int lia_b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *s, size_t n)
{
	*out_len = 0;
	/* n / 4 * 3 bounds the output before libsodium sees the input. */
	if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap + 2)
		return -1;
	size_t len = 0;
	const char *end = NULL;
	if (sodium_base642bin(out, cap, s, n, NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + n)
		return -1;
	char *again = lia_b64_encode(out, len);
	if (again == NULL)
		return -1;
	int same = strlen(again) == n && memcmp(again, s, n) == 0;
	free(again);
	if (!same)
		return -1;
	*out_len = len;
	return 0;
}
