/*
 * pb.c — packing core's signed objects (see pb_int.h).
 */
#include "pb_int.h"

#include <stdlib.h>
#include <string.h>

#include "cert.pb-c.h"
#include "sig.h"
#include "util.h"

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
