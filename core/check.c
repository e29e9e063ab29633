/*
 * check.c — the shared checks on untrusted input (see check.h).
 */
#include "check.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* --- text --- */

/* Length of the UTF-8 sequence at s[0..n) and its code point, or 0 when
 * the bytes are not the shortest encoding of a scalar value. */
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
		return 0; /* continuation byte, 0xc0/0xc1 (always overlong), 0xf5.. */
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

/* Characters that change how the text around them is shown without
 * showing themselves: zero-width and direction marks, bidi embeddings,
 * overrides and isolates. A purpose or a reason must read on screen as
 * it is. */
static bool invisible_format(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x2069);
}

/* Line and paragraph separators and the BOM: refused under every flag,
 * because they break a line (or vanish) where no newline was allowed. */
static bool separator(uint32_t cp)
{
	return cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

static bool refused(uint32_t cp, unsigned flags)
{
	if (cp < 0x20)
		return !(cp == '\n' && (flags & LIA_TEXT_NEWLINE));
	if (cp >= 0x7f && cp <= 0x9f)
		return true; /* DEL and C1: some terminals obey them */
	if (separator(cp))
		return true;
	return invisible_format(cp) && !(flags & LIA_TEXT_FORMAT);
}

enum lia_text_fault lia_text_scan(const char *s, size_t n, unsigned flags, uint32_t *bad_cp)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = utf8_next(u + i, n - i, &cp);
		if (k == 0)
			return LIA_TEXT_NOT_UTF8;
		if (refused(cp, flags)) {
			if (bad_cp != NULL)
				*bad_cp = cp;
			return LIA_TEXT_REFUSED;
		}
		i += k;
	}
	return LIA_TEXT_VALID;
}

int lia_text_check(const char *s, size_t n, bool allow_newline)
{
	unsigned flags = allow_newline ? LIA_TEXT_NEWLINE : 0;
	return lia_text_scan(s, n, flags, NULL) == LIA_TEXT_VALID ? 0 : -1;
}

/* --- the capped allocator --- */

/* Each block carries its size in front, so free can give back to the
 * budget; max_align_t keeps the payload aligned. */
union hdr {
	size_t size;
	max_align_t align;
};

static void *budget_alloc(void *data, size_t size)
{
	struct lia_pb_budget *b = data;
	if (size > b->max || size > b->max - b->used)
		return NULL;
	union hdr *h = malloc(sizeof *h + size);
	if (h == NULL)
		return NULL;
	h->size = size;
	b->used += size;
	return h + 1;
}

static void budget_free(void *data, void *p)
{
	struct lia_pb_budget *b = data;
	if (p == NULL)
		return;
	union hdr *h = (union hdr *)p - 1;
	b->used -= h->size;
	free(h);
}

void lia_pb_budget_init(struct lia_pb_budget *b, size_t max)
{
	b->alloc.alloc = budget_alloc;
	b->alloc.free = budget_free;
	b->alloc.allocator_data = b;
	b->used = 0;
	b->max = max;
}

/* --- protobuf fields --- */

int lia_pb_fixed(uint8_t *out, size_t n, const ProtobufCBinaryData *d)
{
	if (d->len != n)
		return -1;
	if (n > 0)
		memcpy(out, d->data, n);
	return 0;
}

int lia_pb_fixed_opt(bool *has, uint8_t *out, size_t n, const ProtobufCBinaryData *d)
{
	*has = false;
	if (d->len == 0)
		return 0;
	if (lia_pb_fixed(out, n, d) != 0)
		return -1;
	*has = true;
	return 0;
}

int lia_pb_str(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n >= cap)
		return -1;
	if (lia_text_check(s, n, false) != 0)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

int lia_pb_enum_set(uint32_t *bits, const int *v, size_t n, size_t max, int lo, int hi)
{
	assert(lo >= 0 && hi < 32);
	if (n > max)
		return -1;
	uint32_t set = 0;
	for (size_t i = 0; i < n; i++) {
		if (!lia_pb_enum_in(v[i], lo, hi) || (set & (1u << v[i])))
			return -1;
		set |= 1u << v[i];
	}
	*bits = set;
	return 0;
}

enum lia_pb_names_fault lia_pb_names(struct lia_names *out, char *const *v, size_t n,
				     bool (*valid)(const char *), size_t *at)
{
	out->n = 0;
	if (at != NULL)
		*at = 0;
	if (n > LIA_LIST_MAX)
		return LIA_PB_NAMES_TOO_MANY;
	for (size_t i = 0; i < n; i++) {
		if (at != NULL)
			*at = i;
		char *slot = out->v[out->n];
		if (lia_pb_str(slot, LIA_NAME_MAX, v[i]) != 0)
			return LIA_PB_NAMES_BAD_TEXT;
		if (!valid(slot))
			return LIA_PB_NAMES_INVALID;
		if (lia_names_has(out, slot))
			return LIA_PB_NAMES_REPEATED;
		out->n++;
	}
	return LIA_PB_NAMES_OK;
}
