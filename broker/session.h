/*
 * session.h — sessions: the agents that said Hello, by routing id.
 *
 * A routing id is the transport key the handshake authenticated
 * (wire.h), so a session names one connection of one principal. Owns
 * b->sessions[0..n_sessions) and their slots; the delivery module
 * moves their cursors. Trusts its callers: rid was checked against the
 * authenticated key and is at most RID_MAX bytes. Calls nothing.
 */
#ifndef LIA_BROKER_SESSION_H
#define LIA_BROKER_SESSION_H

#include "broker_int.h"

/* The session of routing id rid, or NULL. */
struct lia_session *lia_session_find(struct lia_broker *b, const uint8_t *rid, size_t len);
/* A fresh session in a free slot, or NULL when cfg.max_sessions are in use. */
struct lia_session *lia_session_new(struct lia_broker *b, const uint8_t *rid, size_t len);
/* Tell subject's receiving sessions to look in the store for deliveries. */
void lia_session_mark_pending(struct lia_broker *b, const char *subject);

#endif
