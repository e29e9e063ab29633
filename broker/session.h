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
 * rid is at most RID_MAX bytes. Calls nothing.
 */
#ifndef LIA_BROKER_SESSION_H
#define LIA_BROKER_SESSION_H

#include "broker_int.h"

#define LIA_SESSIONS_PER_KEY 8

/* The session of routing id rid, or NULL. */
struct lia_session *lia_session_find(struct lia_broker *b, const uint8_t *rid, size_t len);
/* A fresh session in a free slot, or NULL when cfg.max_sessions are in use. */
struct lia_session *lia_session_new(struct lia_broker *b, const uint8_t *rid, size_t len);
/* Before a new session of transport key key: when key already holds
 * LIA_SESSIONS_PER_KEY sessions, forget the one heard from least
 * recently among those that do not receive (the oldest receiver only
 * when all receive); a principal can only ever push out its own. */
void lia_session_make_room(struct lia_broker *b, const uint8_t key[static 32]);
/* Forget the session of routing id rid, if any: a send to it found no
 * connection, so the next holder of that id must say Hello again. */
void lia_session_gone(struct lia_broker *b, const uint8_t *rid, size_t len);
/* Tell subject's receiving sessions to look in the store for deliveries. */
void lia_session_mark_pending(struct lia_broker *b, const char *subject);

#endif
