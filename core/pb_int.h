/*
 * pb_int.h — protobuf-c helpers internal to core: packing the signed
 * objects core builds. Never include this outside core/; the checks that
 * every decoder shares (capped allocator, field checks, text check) are
 * in check.h, which this header includes for core's decoders.
 */
#ifndef LIA_PB_INT_H
#define LIA_PB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "err.h"

/* Sign body under ctx with sk and pack {body = 1, signature = 2} (the
 * shape of every signed object: certificates, requests, revocation
 * lists, consents); *out malloc'd. */
int lia_pb_pack_signed(uint8_t **out, size_t *out_len, uint8_t *body, size_t body_len,
		       const char *ctx, const uint8_t *sk, char err[static LIA_ERR_MAX]);

#endif
