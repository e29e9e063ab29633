/*
 * receive.h — receiving from the agent's side: the inbox (what was
 * delivered), reading one message, and listening for deliveries as they
 * come. Used by `liaison inbox`, `read` and `listen` (agent/cmd_inbox.c).
 *
 * Owns: a listener's opener and its record of the messages shown, the
 *   last LIA_SEEN_MAX of which persist in KEYS/shown (mode 0600, 17-byte
 *   records: the message id and 'p' or 's', appended, rewritten compactly
 *   when the file has grown to twice that; a listener's KEYS/seen from
 *   before is imported as 'p'). The order of one delivery: received,
 *   'p' (about to be shown) written, returned to the caller, which shows
 *   it and flushes its output, then lia_listener_done writes 's' (shown)
 *   and only then acknowledges it. So a listener killed at any point
 *   never loses a message: not acknowledged, it is delivered again; with
 *   'p' and no 's' it is shown again marked as a repeat (ev->repeat);
 *   with 's' it is acknowledged again and not shown.
 *   lia_receive_hook (NULL in the liaison program) lets a test build stop
 *   the process at each of those points.
 * Trusts: the caller's identity. Not the broker: every delivered envelope
 *   is verified against the originator's certificate in the verified
 *   directory and opened before anything of it is returned; one that
 *   fails is an event saying why, never content.
 * May call: agent.h, client.h, core (envelope, util). Never prints.
 * Errors: exit statuses as agent.h says; a message that fails
 *   verification is LIA_EXIT_VERIFY.
 */
#ifndef LIA_RECEIVE_H
#define LIA_RECEIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "agent.h"

#define LIA_SEEN_MAX 4096

/* What was delivered to the caller after delivery number after, at most
 * limit entries. On LIA_EXIT_OK rep->u.inbox_list holds them; release
 * with lia_agent_done. */
int lia_receive_inbox(struct lia_client *cl, const char *profile, uint64_t after, uint32_t limit,
		      struct lia_frame *rep, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));


/* The same on cl, already connected with the box key. */
int lia_receive_fetch(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
		      struct lia_opened *out, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* What the broker says of a message fetched, besides its content. */
struct lia_fetched {
	struct lia_supersession superseded; /* recalled or corrected, as far as the caller may know */
	int64_t erased_at;                  /* erased or expired at; 0: not */
	bool not_found;                     /* the broker knows no such message for the caller */
};

/* The thread of message id (receive.h's callers: `liaison thread`): on
 * LIA_EXIT_OK rep->u.thread_list holds it; release with lia_agent_done. */
int lia_receive_thread(struct lia_client *cl, const char *profile, const uint8_t id[static LIA_ID_BYTES],
		       struct lia_frame *rep, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Connect, fetch message id, verify and open it into *out (clear with
 * lia_opened_clear), with *meta as lia_receive_fetch_meta says. */
int lia_receive_read(struct lia_client *cl, const char *profile, const uint8_t id[static LIA_ID_BYTES],
		     struct lia_opened *out, struct lia_fetched *meta, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* lia_receive_fetch, and *meta (may be NULL). A message erased or
 * expired is LIA_EXIT_FAIL with err saying when, and *meta filled. */
int lia_receive_fetch_meta(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
			   struct lia_opened *out, struct lia_fetched *meta, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* --- listening --- */

enum lia_event_kind {
	LIA_EVENT_NONE = 0,  /* nothing arrived within the wait */
	LIA_EVENT_OTHER,     /* a frame that needs nothing shown (a redelivery, a pong) */
	LIA_EVENT_MESSAGE,   /* a delivery, verified and opened: opened */
	LIA_EVENT_REFUSED,   /* a delivery that failed verification: status */
	LIA_EVENT_ERASE,     /* an erase notice: message_id, expired_at; purge it */
	LIA_EVENT_CONSENT,   /* a consent request about our message, or an answer to ours */
	LIA_EVENT_RECONNECTED, /* the broker came back (restart) and a new session began: session */
	LIA_EVENT_VERIFICATION, /* verification requests due soon, overdue, or answered: verif */
};

struct lia_event {
	enum lia_event_kind kind;
	uint64_t sequence;          /* MESSAGE, REFUSED, ERASE */
	const char *originator;     /* MESSAGE, REFUSED (borrowed from frame) */
	const char *via;            /* MESSAGE: the feed, or "direct" */
	struct lia_opened opened;   /* MESSAGE */
	enum lia_env_status status; /* REFUSED */
	uint8_t message_id[LIA_ID_BYTES]; /* ERASE */
	int64_t expired_at;         /* ERASE */
	bool on_demand;             /* ERASE: its originator erased it before expiry, at erased_at */
	int64_t erased_at;
	const struct lia_consent_request *consent; /* CONSENT (borrowed from frame) */
	const struct lia_verification *verif; /* VERIFICATION: n_verif of them (borrowed) */
	size_t n_verif;
	enum lia_verif_notice notice;         /* VERIFICATION: why it came */
	unsigned session;           /* RECONNECTED: sessions opened so far, 2 after the first renewal */
	bool repeat;                /* MESSAGE: it may have been shown before (a listener stopped
				     * between showing it and recording it shown) */
	struct lia_frame frame;     /* what the borrowed pointers point into */
};

struct lia_listener;

/* A listener on cl, connected with receive set (lia_agent_connect); cl is
 * borrowed and must outlive it. NULL with err on failure. */
struct lia_listener *lia_listener_new(struct lia_client *cl, char err[static LIA_ERR_MAX]);
void lia_listener_destroy(struct lia_listener **l);

/* A problem keeping the record of ids shown that did not stop listening
 * (it could not be compacted), or "". */
const char *lia_listener_warning(const struct lia_listener *l);

/* Wait up to wait_ms for the next event, keeping the session alive with a
 * ping every 10 s of silence, and renewing it when the broker restarted
 * (lia_client_keep: RECONNECTED; the broker then sends again what was
 * not acknowledged, and what was shown already is not shown again).
 * LIA_EXIT_OK with *ev filled (NONE on silence), else the status of a
 * broken connection, of a broker away too long, or of an Error frame
 * from the broker. Call lia_listener_done after showing the event. */
int lia_listener_next(struct lia_listener *l, struct lia_event *ev, int wait_ms,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The event was handled (shown and its output flushed, or refused and
 * reported): a message is recorded as shown, then acknowledged to the
 * broker, so that it is not redelivered (an erase notice: confirm the
 * purge); *ev is cleared. Never call it for an event whose output
 * failed: its message is then delivered again. */
void lia_listener_done(struct lia_listener *l, struct lia_event *ev);

/* Test builds only (tests/integration/broker/kill_hook.c): called at each
 * step of showing a delivery: "received", "pending" ('p' written),
 * "output" (shown and flushed, by the caller), "shown" ('s' written),
 * "acked". NULL in the liaison program. */
extern void (*lia_receive_hook)(const char *point);

#endif
