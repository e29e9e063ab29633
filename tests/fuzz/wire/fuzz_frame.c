/*
 * fuzz_frame.c — libFuzzer harness for the frame decoder, the broker's
 * trust boundary: decode, and when it decodes, encode it back and decode
 * again (what the decoder accepts, the encoder must reproduce).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_frame f, g;
	char why[LIA_ERR_MAX];
	if (lia_frame_decode(&f, data, size, why) != 0)
		return 0;
	uint8_t *buf;
	size_t len;
	if (lia_frame_encode(&f, &buf, &len) != 0)
		abort();
	if (lia_frame_decode(&g, buf, len, why) != 0 || g.type != f.type || g.request_id != f.request_id)
		abort();
	free(buf);
	lia_frame_clear(&g);
	lia_frame_clear(&f);
	return 0;
}
