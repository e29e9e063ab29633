/*
 * wire.c — Frame protobuf <-> struct lia_frame: what every frame has in
 * common, with each frame type's own fields done by its codec
 * (frame_int.h).
 *
 * The decoder is the trust boundary of the broker: the input is bounded
 * before protobuf-c sees it and decoded under a capped allocator; the
 * version is checked; then the codec of the body copies every string
 * into a fixed-size field after a length and character check, checks
 * every enum against its range and every repeated field against its cap,
 * before the struct is handed on.
 */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "frame_int.h"

struct priv {
	struct lia_pb_budget budget;
	Liaison__V1__Frame *pb;
};

/* Frame types are numbered as the Frame body's oneof fields, so one
 * index serves decoding (by body case) and encoding (by type). */
static const struct lia_wire_codec *const codecs[] = {
	[LIA_FRAME_HELLO] = &lia_wire_codec_hello,
	[LIA_FRAME_WELCOME] = &lia_wire_codec_welcome,
	[LIA_FRAME_PUBLISH] = &lia_wire_codec_publish,
	[LIA_FRAME_PUBLISH_ACK] = &lia_wire_codec_publish_ack,
	[LIA_FRAME_SUBSCRIBE] = &lia_wire_codec_subscribe,
	[LIA_FRAME_UNSUBSCRIBE] = &lia_wire_codec_unsubscribe,
	[LIA_FRAME_FEED_LIST] = &lia_wire_codec_feed_list,
	[LIA_FRAME_DELIVER] = &lia_wire_codec_deliver,
	[LIA_FRAME_ACK] = &lia_wire_codec_ack,
	[LIA_FRAME_INBOX] = &lia_wire_codec_inbox,
	[LIA_FRAME_INBOX_LIST] = &lia_wire_codec_inbox_list,
	[LIA_FRAME_FETCH] = &lia_wire_codec_fetch,
	[LIA_FRAME_DIRECTORY_REQUEST] = &lia_wire_codec_directory_request,
	[LIA_FRAME_DIRECTORY] = &lia_wire_codec_directory,
	[LIA_FRAME_AUDIT_QUERY] = &lia_wire_codec_audit_query,
	[LIA_FRAME_AUDIT_ANSWER] = &lia_wire_codec_audit_answer,
	[LIA_FRAME_ERROR] = &lia_wire_codec_error,
	[LIA_FRAME_ERASE] = &lia_wire_codec_erase,
	[LIA_FRAME_OK] = &lia_wire_codec_ok,
	[LIA_FRAME_PING] = &lia_wire_codec_ping,
	[LIA_FRAME_PONG] = &lia_wire_codec_pong,
	[LIA_FRAME_CONSENT_ASK] = &lia_wire_codec_consent_ask,
	[LIA_FRAME_CONSENT_QUERY] = &lia_wire_codec_consent_query,
	[LIA_FRAME_CONSENT_LIST] = &lia_wire_codec_consent_list,
	[LIA_FRAME_CONSENT_ANSWER] = &lia_wire_codec_consent_answer,
	[LIA_FRAME_VERIFICATION_QUERY] = &lia_wire_codec_verification_query,
	[LIA_FRAME_VERIFICATION_LIST] = &lia_wire_codec_verification_list,
	[LIA_FRAME_ERASE_REQUEST] = &lia_wire_codec_erase_request,
	[LIA_FRAME_THREAD_QUERY] = &lia_wire_codec_thread_query,
	[LIA_FRAME_THREAD_LIST] = &lia_wire_codec_thread_list,
};

/* The codec of a frame type, or NULL. */
static const struct lia_wire_codec *codec_of(int type)
{
	if (type < 0 || (size_t)type >= sizeof codecs / sizeof codecs[0])
		return NULL;
	return codecs[type];
}

const char *lia_frame_type_str(enum lia_frame_type t)
{
	const struct lia_wire_codec *c = codec_of((int)t);
	return c != NULL ? c->name : "unknown";
}

const char *lia_refusal_str(enum lia_refusal r)
{
	switch (r) {
	case LIA_REFUSAL_NONE: return "none";
	case LIA_REFUSAL_MALFORMED: return "malformed envelope";
	case LIA_REFUSAL_NOT_ORIGINATOR: return "envelope not signed by the sender";
	case LIA_REFUSAL_VERIFICATION: return "verification failed";
	case LIA_REFUSAL_SKEW: return "creation time outside the skew window";
	case LIA_REFUSAL_POLICY: return "refused by the exchange policy";
	case LIA_REFUSAL_UNKNOWN_RECIPIENT: return "unknown recipient";
	case LIA_REFUSAL_RATE: return "publish rate limit reached";
	case LIA_REFUSAL_TOO_LARGE: return "too large";
	case LIA_REFUSAL_UNAVAILABLE: return "broker unavailable";
	}
	return "unknown refusal";
}

const char *lia_error_code_str(enum lia_error_code c)
{
	switch (c) {
	case LIA_ERROR_MALFORMED: return "malformed frame";
	case LIA_ERROR_VERSION: return "unsupported protocol version";
	case LIA_ERROR_NO_SESSION: return "no session: send hello first";
	case LIA_ERROR_FORBIDDEN: return "forbidden";
	case LIA_ERROR_NOT_FOUND: return "not found";
	case LIA_ERROR_INVALID: return "invalid request";
	case LIA_ERROR_UNAVAILABLE: return "unavailable";
	case LIA_ERROR_REVOKED: return "certificate revoked";
	case LIA_ERROR_BUSY: return "busy: retry shortly";
	case LIA_ERROR_LIMIT: return "rate limit reached";
	}
	return "unknown error";
}

void lia_frame_init(struct lia_frame *f, enum lia_frame_type type, uint64_t request_id)
{
	memset(f, 0, sizeof *f);
	f->type = type;
	f->request_id = request_id;
}

void lia_frame_clear(struct lia_frame *f)
{
	struct priv *p = f->priv;
	if (p != NULL) {
		const struct lia_wire_codec *c = codec_of((int)f->type);
		if (c != NULL && c->clear != NULL)
			c->clear(f);
		if (p->pb != NULL)
			liaison__v1__frame__free_unpacked(p->pb, &p->budget.alloc);
		free(p);
	}
	memset(f, 0, sizeof *f);
}

int lia_frame_decode(struct lia_frame *f, const uint8_t *buf, size_t len, char why[static LIA_ERR_MAX])
{
	memset(f, 0, sizeof *f);
	if (len > LIA_FRAME_MAX)
		return lia_errf(why, "frame of %zu bytes, at most %u", len, (unsigned)LIA_FRAME_MAX);
	struct priv *p = calloc(1, sizeof *p);
	if (p == NULL)
		return lia_errf(why, "out of memory");
	lia_pb_budget_init(&p->budget, LIA_PB_BUDGET(len));
	p->pb = liaison__v1__frame__unpack(&p->budget.alloc, len, buf);
	f->priv = p;
	if (p->pb == NULL) {
		lia_frame_clear(f);
		return lia_errf(why, "frame does not decode");
	}
	if (p->pb->version != LIA_PROTOCOL_VERSION) {
		uint32_t v = p->pb->version;
		lia_frame_clear(f);
		return lia_errf(why, "protocol version %u, this side speaks %d", v, LIA_PROTOCOL_VERSION);
	}
	f->request_id = p->pb->request_id;
	const struct lia_wire_codec *c = codec_of((int)p->pb->body_case);
	if (c == NULL) {
		lia_frame_clear(f);
		return lia_wire_fail(why, "frame has no known body");
	}
	f->type = c->type;
	if (c->decode(f, p->pb, why) != 0) {
		lia_frame_clear(f);
		return -1;
	}
	return 0;
}

int lia_frame_encode(const struct lia_frame *f, uint8_t **out, size_t *out_len)
{
	const struct lia_wire_codec *c = codec_of((int)f->type);
	if (c == NULL)
		return -1;
	struct lia_wire_enc *e = calloc(1, sizeof *e);
	if (e == NULL)
		return -1;
	int rc = -1;
	liaison__v1__frame__init(&e->fr);
	e->fr.version = LIA_PROTOCOL_VERSION;
	e->fr.request_id = f->request_id;
	e->fr.body_case = (Liaison__V1__Frame__BodyCase)c->type;
	if (c->encode(e, f) != 0)
		goto out;
	size_t len = liaison__v1__frame__get_packed_size(&e->fr);
	if (len > LIA_FRAME_MAX)
		goto out;
	uint8_t *buf = malloc(len ? len : 1);
	if (buf == NULL)
		goto out;
	liaison__v1__frame__pack(&e->fr, buf);
	*out = buf;
	*out_len = len;
	rc = 0;
out:
	for (size_t i = 0; i < e->n_owned; i++)
		free(e->owned[i]);
	free(e);
	return rc;
}
