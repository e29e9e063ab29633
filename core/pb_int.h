/*
 * pb_int.h — protobuf-c helpers internal to core: a capped allocator so
 * that no decode can allocate more than a budget fixed before it starts,
 * and small field checks. Never include this outside core/.
 *
 * Why a cap on top of the size checks: protobuf-c sizes repeated fields
 * from the input itself, so allocation is already proportional to the
 * input; the cap makes that bound explicit and independent of
 * protobuf-c's internals (a decode that would exceed it fails cleanly).
 */
#ifndef LIA_PB_INT_H
#define LIA_PB_INT_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfile.h" /* LIA_ERR_MAX */

struct lia_pb_budget {
	ProtobufCAllocator alloc;
	size_t used;
	size_t max;
};

/* Prepare a budget of max bytes; pass &b->alloc to *_unpack(). */
void lia_pb_budget_init(struct lia_pb_budget *b, size_t max);

/* Decode budget used for an input of len bytes. */
#define LIA_PB_BUDGET(len) (4096 + 16 * (size_t)(len))

/* True when the bytes field has exactly n bytes. */
static inline int lia_pb_len_is(const ProtobufCBinaryData *d, size_t n) { return d->len == n; }

/* Copy a protobuf string into out (cap bytes incl. NUL); -1 if too long,
 * not valid UTF-8, or holding a control character (lia_text_check). */
int lia_pb_str(char *out, size_t cap, const char *s);

/* Sign body under ctx with sk and pack {body = 1, signature = 2} (the
 * shape of every signed object: certificates, requests, revocation
 * lists, consents); *out malloc'd. */
int lia_pb_pack_signed(uint8_t **out, size_t *out_len, uint8_t *body, size_t body_len,
		       const char *ctx, const uint8_t *sk, char err[static LIA_ERR_MAX]);

#endif
