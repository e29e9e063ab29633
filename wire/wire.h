/*
 * wire.h — the frames agents and brokers exchange (schemas/wire.proto,
 * docs/protocol.md), as validated C structs, and the ZeroMQ socket setup
 * both sides use.
 *
 * This is the only code that decodes bytes from a peer. lia_frame_decode()
 * bounds the input before decoding, decodes under a capped allocator,
 * and validates every field (names, enums, list lengths, fixed sizes)
 * into a struct lia_frame; everything after it handles structs. Envelope
 * bytes inside a frame are passed on as bytes: core/envelope.h validates
 * them.
 *
 * Errors: decode returns 0 or -1 with a reason naming the field.
 * Thread safety: frames are values owned by their caller; no shared state.
 */
#ifndef LIA_WIRE_H
#define LIA_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consent.h"
#include "envelope.h"
#include "feed.h"
#include "keyfile.h"
#include "marking.h"
#include "supersession.h"
#include "thread.h"
#include "verification.h"

#define LIA_PROTOCOL_VERSION 1
#define LIA_FRAME_MAX (LIA_ENVELOPE_MAX + 64 * 1024) /* one frame; also ZMQ_MAXMSGSIZE */
#define LIA_ACK_MAX 1024              /* sequences in one Ack */
#define LIA_LIST_REPLY_MAX 1000       /* entries in an InboxList / FeedList / answer */
#define LIA_DIRECTORY_MAX 4096        /* certificates in a Directory */
#define LIA_PROOF_MAX 64              /* hashes in a proof */
#define LIA_WIRE_CHECKPOINT_MAX 4096  /* a signed checkpoint (Welcome, AuditAnswer): ~200 bytes with one signature */
#define LIA_CLIENT_MAX 64
#define LIA_DETAIL_MAX 256
#define LIA_RULE_ID_MAX 48
#define LIA_VERIF_LIST_MAX 200        /* requests in one VerificationList */
#define LIA_THREAD_MAX 200            /* messages in one ThreadList */
#define LIA_WINDOW_DEFAULT 64
#define LIA_WINDOW_MAX 1024
#define LIA_ROUTING_ID_BYTES 32       /* an agent's random ZMQ_ROUTING_ID */

enum lia_frame_type {
	LIA_FRAME_HELLO = 10,
	LIA_FRAME_WELCOME = 11,
	LIA_FRAME_PUBLISH = 12,
	LIA_FRAME_PUBLISH_ACK = 13,
	LIA_FRAME_SUBSCRIBE = 14,
	LIA_FRAME_UNSUBSCRIBE = 15,
	LIA_FRAME_FEED_LIST = 16,
	LIA_FRAME_DELIVER = 17,
	LIA_FRAME_ACK = 18,
	LIA_FRAME_INBOX = 19,
	LIA_FRAME_INBOX_LIST = 20,
	LIA_FRAME_FETCH = 21,
	LIA_FRAME_DIRECTORY_REQUEST = 22,
	LIA_FRAME_DIRECTORY = 23,
	LIA_FRAME_AUDIT_QUERY = 24,
	LIA_FRAME_AUDIT_ANSWER = 25,
	LIA_FRAME_ERROR = 26,
	LIA_FRAME_ERASE = 27,
	LIA_FRAME_OK = 28,
	LIA_FRAME_PING = 29,
	LIA_FRAME_PONG = 30,
	LIA_FRAME_CONSENT_ASK = 31,
	LIA_FRAME_CONSENT_QUERY = 32,
	LIA_FRAME_CONSENT_LIST = 33,
	LIA_FRAME_CONSENT_ANSWER = 34,
	LIA_FRAME_VERIFICATION_QUERY = 35,
	LIA_FRAME_VERIFICATION_LIST = 36,
	LIA_FRAME_ERASE_REQUEST = 37,
	LIA_FRAME_THREAD_QUERY = 38,
	LIA_FRAME_THREAD_LIST = 39,
};
const char *lia_frame_type_str(enum lia_frame_type t);

enum lia_refusal {
	LIA_REFUSAL_NONE = 0,
	LIA_REFUSAL_MALFORMED = 1,
	LIA_REFUSAL_NOT_ORIGINATOR = 2,
	LIA_REFUSAL_VERIFICATION = 3,
	LIA_REFUSAL_SKEW = 4,
	LIA_REFUSAL_POLICY = 5,
	LIA_REFUSAL_UNKNOWN_RECIPIENT = 6,
	LIA_REFUSAL_RATE = 7,
	LIA_REFUSAL_TOO_LARGE = 8,
	LIA_REFUSAL_UNAVAILABLE = 9,
};
const char *lia_refusal_str(enum lia_refusal r);

enum lia_error_code {
	LIA_ERROR_MALFORMED = 1,
	LIA_ERROR_VERSION = 2,
	LIA_ERROR_NO_SESSION = 3,
	LIA_ERROR_FORBIDDEN = 4,
	LIA_ERROR_NOT_FOUND = 5,
	LIA_ERROR_INVALID = 6,
	LIA_ERROR_UNAVAILABLE = 7,
	LIA_ERROR_REVOKED = 8,
	LIA_ERROR_BUSY = 9,   /* too much queued towards the peer: retry shortly */
	LIA_ERROR_LIMIT = 10, /* a policy rate limit, named in the detail */
};
const char *lia_error_code_str(enum lia_error_code c);

enum lia_audit_kind {
	LIA_AUDIT_DISCLOSURES = 1,
	LIA_AUDIT_CHECKPOINT = 2,
	LIA_AUDIT_RECORDS = 3,
	LIA_AUDIT_INCLUSION = 4,
	LIA_AUDIT_CONSISTENCY = 5,
};

/* A byte string inside a frame: borrowed from the frame that holds it. */
struct lia_bytes {
	const uint8_t *p;
	size_t len;
};

struct lia_feed {
	char name[LIA_FEED_NAME_MAX];
	struct lia_feed_filter filter;
	int64_t created_at;
};

struct lia_inbox_entry {
	uint64_t sequence;
	uint8_t message_id[LIA_ID_BYTES];
	char originator[LIA_NAME_MAX];
	enum lia_kind kind;
	int64_t created_at;
	bool acknowledged;
	bool erased;
	char via[LIA_FEED_NAME_MAX];
	struct lia_supersession superseded;
};

struct lia_disclosure {
	char recipient[LIA_NAME_MAX];
	bool disclosed;
	char rule[LIA_RULE_ID_MAX];
	char reason[LIA_DETAIL_MAX];
	int64_t at;
	bool acknowledged;
};

struct lia_frame {
	enum lia_frame_type type;
	uint64_t request_id;
	union {
		struct {
			uint32_t protocol;
			char client[LIA_CLIENT_MAX];
			bool receive;
			uint32_t window; /* 1..LIA_WINDOW_MAX after decode */
		} hello;
		struct {
			uint32_t protocol;
			char broker[LIA_NAME_MAX];
			char subject[LIA_NAME_MAX];
			uint64_t pending;
			uint8_t policy_hash[32];
			int64_t now;
			struct lia_bytes checkpoint; /* signed note text, not NUL-terminated; len 0: none */
		} welcome;
		struct {
			struct lia_bytes envelope;
			struct lia_names to;
		} publish;
		struct {
			bool accepted;
			uint8_t message_id[LIA_ID_BYTES];
			uint64_t sequence;
			bool duplicate;
			enum lia_refusal refusal;
			char rule[LIA_RULE_ID_MAX];
			char reason[LIA_DETAIL_MAX];
			uint32_t recipients;
			uint32_t withheld;
		} publish_ack;
		struct {
			char name[LIA_FEED_NAME_MAX];
			struct lia_feed_filter filter;
		} subscribe;
		struct {
			char name[LIA_FEED_NAME_MAX];
		} unsubscribe;
		struct {
			size_t n;
			struct lia_feed *v; /* owned by the frame */
		} feed_list;
		struct {
			uint64_t sequence;
			struct lia_bytes envelope;
			char originator[LIA_NAME_MAX];
			int64_t received_at;
			char via[LIA_FEED_NAME_MAX];
			struct lia_supersession superseded; /* Fetch only */
			int64_t erased_at; /* Fetch of an erased message: envelope empty */
		} deliver;
		struct {
			size_t n;
			uint64_t v[LIA_ACK_MAX];
			bool erased; /* confirms Erase notices, not deliveries */
		} ack;
		struct {
			uint64_t after;
			uint32_t limit; /* 1..LIA_LIST_REPLY_MAX after decode */
		} inbox;
		struct {
			size_t n;
			struct lia_inbox_entry *v; /* owned by the frame */
		} inbox_list;
		struct {
			uint8_t message_id[LIA_ID_BYTES];
		} fetch;
		struct {
			size_t n;
			struct lia_bytes *certs; /* owned array of borrowed bytes */
			struct lia_bytes crl;
			struct lia_bytes broker_cert;
		} directory;
		struct {
			enum lia_audit_kind kind;
			bool has_message_id;
			uint8_t message_id[LIA_ID_BYTES];
			uint64_t from, to;
		} audit_query;
		struct {
			size_t n_disclosures;
			struct lia_disclosure *disclosures; /* owned */
			struct lia_bytes checkpoint;        /* text, not NUL-terminated */
			size_t n_records;
			struct lia_bytes *records;          /* owned array */
			uint64_t first;
			size_t n_proof;
			uint8_t (*proof)[32];               /* owned */
			uint64_t query_record;
		} audit_answer;
		struct {
			enum lia_error_code code;
			char detail[LIA_DETAIL_MAX];
		} error;
		struct {
			uint8_t message_id[LIA_ID_BYTES];
			uint64_t sequence;
			int64_t expired_at;
			bool on_demand; /* erased by its originator before expiry */
			int64_t erased_at;
		} erase;
		struct {
			uint8_t message_id[LIA_ID_BYTES];
			char reason[LIA_PURPOSE_MAX];
		} erase_request;
		struct {
			int64_t now;
		} pong;
		struct {
			uint8_t message_id[LIA_ID_BYTES];
			char grantee[LIA_NAME_MAX];
			char purpose[LIA_PURPOSE_MAX];
		} consent_ask;
		struct {
			uint64_t request; /* 0: all */
			uint64_t before;  /* 0: from the newest */
		} consent_query;
		struct {
			size_t n;
			struct lia_consent_request *v; /* owned by the frame */
		} consent_list;
		struct {
			uint64_t request;
			bool grant;
			char reason[LIA_PURPOSE_MAX];
			struct lia_bytes consent;  /* granting: <= LIA_CONSENT_MAX_BYTES */
			struct lia_bytes envelope; /* granting: <= LIA_ENVELOPE_MAX */
		} consent_answer;
		struct {
			bool has_request_id;       /* only that request */
			uint8_t request_id[LIA_ID_BYTES];
			enum lia_verif_state state; /* 0: any */
			int64_t before;            /* 0: no bound */
		} verification_query;
		struct {
			size_t n;
			struct lia_verification *v; /* owned by the frame */
			enum lia_verif_notice notice;
		} verification_list;
		struct {
			uint8_t message_id[LIA_ID_BYTES];
		} thread_query;
		struct {
			size_t n;
			struct lia_thread_entry *v; /* owned by the frame */
		} thread_list;
	} u;
	void *priv; /* decoder storage; NULL for frames built by hand */
};

/* A frame of the given type with everything else zero. */
void lia_frame_init(struct lia_frame *f, enum lia_frame_type type, uint64_t request_id);

/* Decode and validate len bytes from a peer. On success *f holds the
 * frame (free with lia_frame_clear); byte strings in it point into
 * decoder storage that lives until then. On failure why names the field. */
int lia_frame_decode(struct lia_frame *f, const uint8_t *buf, size_t len,
		     char why[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
void lia_frame_clear(struct lia_frame *f);

/* Encode f; *out malloc'd. -1 on allocation failure or when f breaks a
 * bound (the same bounds the decoder enforces). */
int lia_frame_encode(const struct lia_frame *f, uint8_t **out, size_t *out_len)
	__attribute__((warn_unused_result));

/* --- sockets --- */

/* Messages libzmq reads ahead for the broker from one connection. Each
 * may be LIA_FRAME_MAX bytes, and libzmq keeps reading a peer's frames
 * while the broker's loop is busy (a commit, a stall), so this is what
 * one connection can make the broker hold: 8 x 1.6 MiB. The default
 * the agents keep (10,000 messages) let one peer park gigabytes in a
 * stalled broker;
 * beyond these few, TCP pushes back on the sender. Eight keep the
 * loop from waiting on the I/O thread between small frames. */
#define LIA_WIRE_SERVER_RCVHWM 8

/* Server side: a ROUTER socket with CURVE (secret transport key), a ZAP
 * domain, ROUTER_MANDATORY (and no handover: a routing id in use cannot
 * be taken over), non-blocking bounded sends, MAXMSGSIZE, a receive
 * queue of LIA_WIRE_SERVER_RCVHWM messages a connection,
 * heartbeats and bounded linger, and ZMQ_HANDSHAKE_IVL handshake_ms (a
 * connection that has not finished the CURVE handshake and ZAP by then
 * is closed: libzmq starts the timer when it takes the connection, before
 * the greeting, so one that sends nothing is closed too), bound to
 * endpoint. The ZAP handler must
 * already be bound (inproc://zeromq.zap.01); ZMQ_ZAP_ENFORCE_DOMAIN is
 * set and read back (NULL if it did not take), so that if the handler
 * ever goes away no connection is admitted at all. NULL with err on
 * failure. */
void *lia_wire_server(void *zctx, const char *endpoint, const struct lia_secret *transport, int handshake_ms,
		      char err[static LIA_ERR_MAX]);

/* Client side: a DEALER with CURVE to a server whose transport public key
 * is server_pk, its routing id LIA_ROUTING_ID_BYTES fresh random bytes
 * (never derived from a key: see docs/security.md, item 1), connected to
 * endpoint (NULL: the caller connects, e.g. after installing a socket
 * monitor). */
void *lia_wire_client(void *zctx, const char *endpoint, const uint8_t server_pk[static 32],
		      const struct lia_secret *transport, char err[static LIA_ERR_MAX]);

/* Encode and send f as one message; with routing_id (ROUTER side) the
 * id frame goes first. flags: ZMQ_DONTWAIT or 0. 0, or -1 with errno
 * (EAGAIN: peer queue full; EHOSTUNREACH: peer gone). */
int lia_wire_send(void *sock, const struct lia_bytes *routing_id, const struct lia_frame *f,
		  int flags);

#endif
