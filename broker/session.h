/*
 * session.h — sessions: the agents that said Hello, by routing id.
 *
 * A routing id is the agent's LIA_ROUTING_ID_BYTES random bytes
 * (wire.h), bound at Hello to the transport key the handshake
 * authenticated (s->cert.transport_pk): a session names one connection
 * of one principal, and broker.c refuses every frame whose User-Id is
 * not its session's key (docs/security.md, item 1). A key holds at most
 * LIA_SESSIONS_PER_KEY sessions, so that random ids cannot let one
 * principal fill every slot. Owns b->sessions[0..n_sessions) and their
 * slots; the delivery module moves their cursors. Trusts its callers:
 * rid is at most RID_MAX bytes. Calls the kernel (getsockopt, getpeername
 * on the descriptors libzmq names) and the log.
 *
 * Bytes queued towards a peer (issue 11, item 1): an agent that asks
 * and never reads would make libzmq hold every answer (its high-water
 * mark counts messages, not bytes). Only the transport tells the truth
 * about what the peer read: every frame carries its connection's
 * descriptor (ZMQ_SRCFD), and that socket's tcpi_bytes_acked says how
 * much the peer's TCP stack took. Outstanding = bytes handed to libzmq
 * for the session since the baseline (each + LIA_PEER_FRAME_OVERHEAD,
 * so that ZMTP/CURVE framing is over-, never under-counted) minus the
 * bytes acknowledged since the baseline. A new descriptor, or a socket
 * whose count went back, is a new connection: the baseline is taken
 * again. A descriptor that is no longer the connection it was (closed,
 * or another peer's) means libzmq dropped that connection's queue:
 * nothing is outstanding. One that cannot say (not TCP) gets no credit
 * at all: fail closed. The count drifts up by the overhead allowance;
 * when the kernel's send queue is empty and nothing was sent for
 * LIA_PEER_RESYNC_SECONDS, libzmq's queue is empty too and the count
 * starts again from zero.
 */
#ifndef LIA_BROKER_SESSION_H
#define LIA_BROKER_SESSION_H

#include "broker_int.h"

#define LIA_SESSIONS_PER_KEY 8
#define LIA_PEER_FRAME_OVERHEAD 64  /* bytes counted per frame beyond its own */
#define LIA_PEER_RESYNC_SECONDS 2
#define LIA_PEER_BUSY_SLACK (1u << 20) /* past budget + this, refusals go unanswered */
#define LIA_PEER_BUSY_LOG_SECONDS 10 /* one peer-busy line per session this often */

/* The session of routing id rid, or NULL. */
struct lia_session *lia_session_find(struct lia_broker *b, const uint8_t *rid, size_t len);
/* A fresh session in a free slot, or NULL when cfg.max_sessions are in use. */
struct lia_session *lia_session_new(struct lia_broker *b, const uint8_t *rid, size_t len);
/* Before a new session of transport key key: when key already holds
 * LIA_SESSIONS_PER_KEY sessions, forget the one heard from least
 * recently among those that do not receive (the oldest receiver only
 * when all receive); a principal can only ever push out its own. A
 * session with bytes queued towards it is kept (forgotten, its bytes
 * would stay in libzmq uncounted): false when every one has some. */
bool lia_session_make_room(struct lia_broker *b, const uint8_t key[static 32]);
/* Forget the session of routing id rid, if any: a send to it found no
 * connection, so the next holder of that id must say Hello again. */
void lia_session_gone(struct lia_broker *b, const uint8_t *rid, size_t len);
/* Tell subject's receiving sessions to look in the store for deliveries. */
void lia_session_mark_pending(struct lia_broker *b, const char *subject);

/* The accounting, pure: of sent bytes since a baseline at which the
 * socket had acknowledged acked_base, those not acknowledged by acked.
 * Unmeasured (no TCP_INFO): no credit, all of sent. */
uint64_t lia_peer_outstanding(uint64_t sent, uint64_t acked_base, uint64_t acked, bool measured);
/* The frame being handled came on descriptor fd (-1: unknown): on a
 * change, a new connection, so a new baseline. */
void lia_session_note_fd(struct lia_session *s, int fd);
/* bytes were handed to libzmq for routing id rid (a session or not). */
void lia_session_sent(struct lia_broker *b, const uint8_t *rid, size_t len, size_t bytes);
/* s's bytes outstanding now (see above); resynchronises when idle. */
uint64_t lia_session_queued(struct lia_session *s, int64_t now);
/* Whether more bytes may be queued for s within cfg.peer_queue_bytes. */
bool lia_session_room(struct lia_broker *b, struct lia_session *s, size_t more);

#endif
