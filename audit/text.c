/*
 * text.c — UTF-8 and control-character checks (see text_int.h).
 */
#include "text_int.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Length of the UTF-8 sequence at s[0..n) and its code point, or 0. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp_out)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp_out = c;
		return 1;
	}
	size_t k;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		k = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_out = cp;
	return k;
}

int lia_text_check(const char *s, size_t n, bool allow_newline)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = utf8_next(u + i, n - i, &cp);
		if (k == 0)
			return -1;
		if (cp < 0x20 && !(allow_newline && cp == '\n'))
			return -1;
		if (cp >= 0x7f && cp <= 0x9f)
			return -1;
		i += k;
	}
	return 0;
}

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
