/*
 * frame_field.c — the field decoders every frame type shares (see
 * frame_int.h). Each copies a protobuf field into its fixed-size home
 * after core's checks (check.h) and names the field when it refuses.
 */
#include "frame_int.h"

#include <stdlib.h>
#include <string.h>

int lia_wire_fail(char why[static LIA_ERR_MAX], const char *msg)
{
	return lia_errf(why, "%s", msg);
}

int lia_wire_str_in(char *out, size_t cap, const char *s, const char *field,
		    char why[static LIA_ERR_MAX])
{
	if (lia_pb_str(out, cap, s) != 0)
		return lia_errf(why, "%s: longer than %zu bytes or has control characters", field,
				cap - 1);
	return 0;
}

int lia_wire_name_in(char out[static LIA_NAME_MAX], const char *s, bool (*valid)(const char *),
		     const char *field, char why[static LIA_ERR_MAX])
{
	if (lia_wire_str_in(out, LIA_NAME_MAX, s, field, why) != 0)
		return -1;
	if (!valid(out))
		return lia_errf(why, "%s: \"%s\" is not a valid name", field, out);
	return 0;
}

int lia_wire_names_in(struct lia_names *out, char **v, size_t n, bool (*valid)(const char *),
		      const char *field, char why[static LIA_ERR_MAX])
{
	size_t at = 0;
	switch (lia_pb_names(out, v, n, valid, &at)) {
	case LIA_PB_NAMES_OK: return 0;
	case LIA_PB_NAMES_TOO_MANY:
		return lia_errf(why, "%s: more than %d entries", field, LIA_LIST_MAX);
	case LIA_PB_NAMES_BAD_TEXT:
		return lia_errf(why, "%s: longer than %d bytes or has control characters", field,
				LIA_NAME_MAX - 1);
	case LIA_PB_NAMES_INVALID:
		return lia_errf(why, "%s: \"%s\" is not a valid name", field, v[at]);
	case LIA_PB_NAMES_REPEATED: return lia_errf(why, "%s: \"%s\" repeated", field, v[at]);
	}
	return lia_wire_fail(why, "names: unknown fault");
}

int lia_wire_id_in(uint8_t out[static LIA_ID_BYTES], const ProtobufCBinaryData *d,
		   const char *field, char why[static LIA_ERR_MAX])
{
	if (lia_pb_fixed(out, LIA_ID_BYTES, d) != 0)
		return lia_errf(why, "%s: a message id has 16 bytes, not %zu", field, d->len);
	return 0;
}

int lia_wire_bytes_in(struct lia_bytes *out, const ProtobufCBinaryData *d, size_t max,
		      const char *field, char why[static LIA_ERR_MAX])
{
	if (!lia_pb_len_max(d, max))
		return lia_errf(why, "%s: %zu bytes, at most %zu", field, d->len, max);
	out->p = d->data;
	out->len = d->len;
	return 0;
}

int lia_wire_checkpoint_in(struct lia_bytes *out, const char *s, char why[static LIA_ERR_MAX])
{
	ProtobufCBinaryData d = BIN(s, strlen(s));
	return lia_wire_bytes_in(out, &d, LIA_WIRE_CHECKPOINT_MAX, "checkpoint", why);
}

void *lia_wire_list_alloc(size_t n, size_t size, char why[static LIA_ERR_MAX])
{
	void *p = calloc(n, size);
	if (p == NULL)
		lia_wire_fail(why, "out of memory");
	return p;
}

int lia_wire_list_in(void **v, size_t *count, size_t size, void *const *in, size_t n,
		     lia_wire_entry_in_fn one, char why[static LIA_ERR_MAX])
{
	*count = 0;
	if (n == 0)
		return 0;
	unsigned char *out = lia_wire_list_alloc(n, size, why);
	*v = out;
	if (out == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (one(out + i * size, in[i], why) != 0)
			return -1;
		*count = i + 1;
	}
	return 0;
}

void *lia_wire_enc_alloc(struct lia_wire_enc *e, size_t n, size_t size)
{
	if (e->n_owned == WIRE_ENC_OWNED)
		return NULL;
	void *p = calloc(n ? n : 1, size);
	if (p != NULL)
		e->owned[e->n_owned++] = p;
	return p;
}

char *lia_wire_checkpoint_out(struct lia_wire_enc *e, const struct lia_bytes *c)
{
	char *s = lia_wire_enc_alloc(e, c->len + 1, 1);
	if (s != NULL && c->len > 0)
		memcpy(s, c->p, c->len);
	return s;
}

void **lia_wire_list_out(struct lia_wire_enc *e, size_t n, size_t msg_size, const void *in,
			 size_t in_size, lia_wire_entry_out_fn one, void *ctx)
{
	unsigned char *msgs = lia_wire_enc_alloc(e, n, msg_size);
	void **ptrs = lia_wire_enc_alloc(e, n, sizeof *ptrs);
	if (msgs == NULL || ptrs == NULL)
		return NULL;
	const unsigned char *src = in;
	for (size_t i = 0; i < n; i++) {
		if (one(msgs + i * msg_size, src + i * in_size, ctx, i) != 0)
			return NULL;
		ptrs[i] = msgs + i * msg_size;
	}
	return ptrs;
}
