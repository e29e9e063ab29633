/*
 * frame_int.h — internal to wire/: the table that drives frame encoding
 * and decoding, the encoder's scratch, and the field decoders every
 * frame type shares.
 *
 * One struct lia_wire_codec per frame type, in files by the protocol's
 * conversations (frame_session.c, frame_message.c, frame_feed.c,
 * frame_audit.c, frame_consent.c); wire.c indexes them by type and does
 * what is common to every frame (bounds, version, request id, packing,
 * freeing).
 *
 * Trusts: decoders trust nothing in the protobuf but what protobuf-c
 * guarantees (the body pointer of the set oneof case is not NULL; repeated
 * fields hold n_* entries). Encoders trust the struct except for the
 * bounds the decoder enforces on list lengths and byte sizes, which they
 * check again so that nothing is sent that the peer must refuse.
 *
 * Errors: decoders return 0 or -1 with why naming the field (the text
 * is part of what tests and operators read: keep it). Encoders return 0
 * or -1. May call: core (check.h, marking_pb.h, names), protobuf-c.
 */
#ifndef LIA_WIRE_FRAME_INT_H
#define LIA_WIRE_FRAME_INT_H

#include "check.h"
#include "marking_pb.h"
#include "util.h"
#include "wire.h"
#include "wire.pb-c.h"

#define BIN(p, n) ((ProtobufCBinaryData){(n), (uint8_t *)(p)})

/* What a FeedFilter points to while it is packed. */
struct lia_wire_filter_pb {
	Liaison__V1__FeedFilter msg;
	Liaison__V1__Evaluation eval;
	Liaison__V1__MessageKind kinds[LIA_KIND_MAX];
	char *regions[LIA_LIST_MAX];
	char *agencies[LIA_LIST_MAX];
};

/* Encoding storage that lives until the frame is packed. */
#define WIRE_ENC_OWNED 8
struct lia_wire_enc {
	Liaison__V1__Frame fr;
	union {
		Liaison__V1__Hello hello;
		Liaison__V1__Welcome welcome;
		Liaison__V1__Publish publish;
		Liaison__V1__PublishAck publish_ack;
		Liaison__V1__Subscribe subscribe;
		Liaison__V1__Unsubscribe unsubscribe;
		Liaison__V1__FeedList feed_list;
		Liaison__V1__Deliver deliver;
		Liaison__V1__Ack ack;
		Liaison__V1__Inbox inbox;
		Liaison__V1__InboxList inbox_list;
		Liaison__V1__Fetch fetch;
		Liaison__V1__DirectoryRequest directory_request;
		Liaison__V1__Directory directory;
		Liaison__V1__AuditQuery audit_query;
		Liaison__V1__AuditAnswer audit_answer;
		Liaison__V1__Error error;
		Liaison__V1__Erase erase;
		Liaison__V1__Ok ok;
		Liaison__V1__Ping ping;
		Liaison__V1__Pong pong;
		Liaison__V1__ConsentAsk consent_ask;
		Liaison__V1__ConsentQuery consent_query;
		Liaison__V1__ConsentList consent_list;
		Liaison__V1__ConsentAnswer consent_answer;
		Liaison__V1__VerificationQuery verification_query;
		Liaison__V1__VerificationList verification_list;
		Liaison__V1__EraseRequest erase_request;
		Liaison__V1__ThreadQuery thread_query;
		Liaison__V1__ThreadList thread_list;
	} m;
	struct lia_wire_filter_pb filter;   /* Subscribe's */
	char *names[LIA_LIST_MAX];      /* Publish's recipients */
	void *owned[WIRE_ENC_OWNED];    /* freed after packing */
	size_t n_owned;
};

/* One frame type: its name and how it is decoded, encoded and freed. */
struct lia_wire_codec {
	enum lia_frame_type type;
	const char *name;
	/* pb->body_case is this type. Sets f->u; f->type is already set, so
	 * on failure lia_frame_clear frees what was allocated. */
	int (*decode)(struct lia_frame *f, const Liaison__V1__Frame *pb, char why[static LIA_ERR_MAX]);
	/* Fills e->m and points e->fr's body at it (wire.c sets body_case). */
	int (*encode)(struct lia_wire_enc *e, const struct lia_frame *f);
	/* Frees what decode allocated in f->u; NULL when nothing is. */
	void (*clear)(struct lia_frame *f);
};

/* The codec of each frame type, defined in the file of its conversation. */
extern const struct lia_wire_codec lia_wire_codec_hello;
extern const struct lia_wire_codec lia_wire_codec_welcome;
extern const struct lia_wire_codec lia_wire_codec_publish;
extern const struct lia_wire_codec lia_wire_codec_publish_ack;
extern const struct lia_wire_codec lia_wire_codec_subscribe;
extern const struct lia_wire_codec lia_wire_codec_unsubscribe;
extern const struct lia_wire_codec lia_wire_codec_feed_list;
extern const struct lia_wire_codec lia_wire_codec_deliver;
extern const struct lia_wire_codec lia_wire_codec_ack;
extern const struct lia_wire_codec lia_wire_codec_inbox;
extern const struct lia_wire_codec lia_wire_codec_inbox_list;
extern const struct lia_wire_codec lia_wire_codec_fetch;
extern const struct lia_wire_codec lia_wire_codec_directory_request;
extern const struct lia_wire_codec lia_wire_codec_directory;
extern const struct lia_wire_codec lia_wire_codec_audit_query;
extern const struct lia_wire_codec lia_wire_codec_audit_answer;
extern const struct lia_wire_codec lia_wire_codec_error;
extern const struct lia_wire_codec lia_wire_codec_erase;
extern const struct lia_wire_codec lia_wire_codec_ok;
extern const struct lia_wire_codec lia_wire_codec_ping;
extern const struct lia_wire_codec lia_wire_codec_pong;
extern const struct lia_wire_codec lia_wire_codec_consent_ask;
extern const struct lia_wire_codec lia_wire_codec_consent_query;
extern const struct lia_wire_codec lia_wire_codec_consent_list;
extern const struct lia_wire_codec lia_wire_codec_consent_answer;
extern const struct lia_wire_codec lia_wire_codec_verification_query;
extern const struct lia_wire_codec lia_wire_codec_verification_list;
extern const struct lia_wire_codec lia_wire_codec_erase_request;
extern const struct lia_wire_codec lia_wire_codec_thread_query;
extern const struct lia_wire_codec lia_wire_codec_thread_list;

/* --- field decoders (frame_field.c): 0, or -1 with why set --- */

/* why = msg; returns -1. */
int lia_wire_fail(char why[static LIA_ERR_MAX], const char *msg);
/* A clean string (check.h) of fewer than cap bytes. */
int lia_wire_str_in(char *out, size_t cap, const char *s, const char *field,
		    char why[static LIA_ERR_MAX]);
/* A name of LIA_NAME_MAX that valid() accepts. */
int lia_wire_name_in(char out[static LIA_NAME_MAX], const char *s, bool (*valid)(const char *),
		     const char *field, char why[static LIA_ERR_MAX]);
/* A list of names: at most LIA_LIST_MAX, valid, none repeated. */
int lia_wire_names_in(struct lia_names *out, char **v, size_t n, bool (*valid)(const char *),
		      const char *field, char why[static LIA_ERR_MAX]);
/* A message id: exactly LIA_ID_BYTES. */
int lia_wire_id_in(uint8_t out[static LIA_ID_BYTES], const ProtobufCBinaryData *d,
		   const char *field, char why[static LIA_ERR_MAX]);
/* Bytes of at most max, borrowed from the decoded protobuf. */
int lia_wire_bytes_in(struct lia_bytes *out, const ProtobufCBinaryData *d, size_t max,
		      const char *field, char why[static LIA_ERR_MAX]);
/* A checkpoint carried as a proto3 string: at most
 * LIA_WIRE_CHECKPOINT_MAX bytes, borrowed (its text is checked where it
 * is verified, audit/note.h). */
int lia_wire_checkpoint_in(struct lia_bytes *out, const char *s, char why[static LIA_ERR_MAX]);
/* A NUL-terminated copy of c, owned by e, for a string field; NULL on
 * failure. */
char *lia_wire_checkpoint_out(struct lia_wire_enc *e, const struct lia_bytes *c);
/* calloc(n, size) for a decoded list (n > 0); NULL after why is set. */
void *lia_wire_list_alloc(size_t n, size_t size, char why[static LIA_ERR_MAX]);

/* Decodes one entry of a repeated message field: out is the struct, in
 * the protobuf message. */
typedef int (*lia_wire_entry_in_fn)(void *out, const void *in, char why[static LIA_ERR_MAX]);

/* A repeated message field (in[0..n), n already checked against its
 * cap) into a calloc'd array *v of entries of size bytes, each by one().
 * *count is the number of entries decoded so far, so that the frame's
 * clear frees *v whatever happens; 0, or -1 with why set. */
int lia_wire_list_in(void **v, size_t *count, size_t size, void *const *in, size_t n,
		     lia_wire_entry_in_fn one, char why[static LIA_ERR_MAX]);

/* --- encoder storage --- */

/* calloc(n ? n : 1, size) that e frees after packing; NULL when out of
 * memory or out of owned slots. */
void *lia_wire_enc_alloc(struct lia_wire_enc *e, size_t n, size_t size);

/* Encodes entry i of a list: msg is the protobuf message to fill, in the
 * struct, ctx the caller's (per-entry scratch, say). 0 or -1. */
typedef int (*lia_wire_entry_out_fn)(void *msg, const void *in, void *ctx, size_t i);

/* The pointer array a repeated message field wants (returned as void **
 * and cast by the caller to the field's type: protobuf-c itself walks
 * such arrays as generic message pointers): n messages of
 * msg_size bytes, message i built by one() from the struct at in + i *
 * in_size. Owned by e; NULL on failure. */
void **lia_wire_list_out(struct lia_wire_enc *e, size_t n, size_t msg_size, const void *in,
			 size_t in_size, lia_wire_entry_out_fn one, void *ctx);

#endif
