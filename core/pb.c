/*
 * pb.c — capped allocator and field helpers for protobuf-c decoding.
 */
#include "pb_int.h"

#include <stdlib.h>
#include <string.h>

#include "cert.pb-c.h"
#include "sig.h"
#include "util.h"

/* Each block carries its size in front, so free can give back to the
 * budget; max_align_t keeps the payload aligned. */
union hdr {
	size_t size;
	max_align_t align;
};

static void *budget_alloc(void *data, size_t size)
{
	struct lia_pb_budget *b = data;
	if (size > b->max - b->used || size > b->max)
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

int lia_pb_pack_signed(uint8_t **out, size_t *out_len, uint8_t *body, size_t body_len,
		       const char *ctx, const uint8_t *sk, char err[static LIA_ERR_MAX])
{
	uint8_t sig[LIA_SIG_BYTES];
	lia_sign(sig, ctx, body, body_len, sk);
	/* Every signed object has the shape of Certificate: body = 1,
	 * signature = 2, so one message type packs them all. */
	Liaison__V1__Certificate outer = LIAISON__V1__CERTIFICATE__INIT;
	outer.body.data = body;
	outer.body.len = body_len;
	outer.signature.data = sig;
	outer.signature.len = sizeof sig;
	size_t len = liaison__v1__certificate__get_packed_size(&outer);
	uint8_t *buf = malloc(len);
	if (buf == NULL)
		return lia_errf(err, "out of memory");
	liaison__v1__certificate__pack(&outer, buf);
	*out = buf;
	*out_len = len;
	return 0;
}
