/*
 * turn.h — one loop turn: its transaction, its outbox, its envelope
 * cache.
 *
 * A turn reads a batch of frames; every write they cause goes into one
 * transaction of the unit of work, begun on the first write
 * (lia_turn_need) and committed once (lia_turn_commit). Replies that
 * speak of that work wait in the outbox until the commit: the real
 * frame leaves when it is durable, its fallback (e.g. "unavailable,
 * publish again") when it is not. lia_turn_abort abandons the turn:
 * nothing of it happened and every waiting reply becomes its fallback.
 * Replies that speak of committed state only leave at once
 * (lia_reply_now, lia_reply_error).
 *
 * Owns b->in_txn, b->out/n_out/cap_out and b->cache/n_cache. Trusts its
 * callers (broker code). May call the unit of work, wire's encoder,
 * libzmq's send on b->router and the feeds module (reload after a
 * commit that changed them). Errors: 0 / -1; a -1 from lia_turn_need
 * means the turn is unusable (already aborted or never begun).
 */
#ifndef LIA_BROKER_TURN_H
#define LIA_BROKER_TURN_H

#include "broker_int.h"

/* Make sure the turn's transaction is open; 0, or -1 (logged). */
int lia_turn_need(struct lia_broker *b) __attribute__((warn_unused_result));
/* Queue the reply f (and fallback, may be NULL: then nothing is sent if
 * the commit fails) for routing id rid. 0, or -1 when the outbox is
 * full or encoding fails. */
int lia_turn_queue(struct lia_broker *b, const uint8_t *rid, size_t rid_len,
		   const struct lia_frame *f, const struct lia_frame *fallback);
/* Abandon the turn (see above); why goes to the log. */
void lia_turn_abort(struct lia_broker *b, const char *why);
/* Commit the turn and send the outbox (fallbacks if the commit fails). */
void lia_turn_commit(struct lia_broker *b);
/* Commit the unit of work (b->in_txn must be cleared by the caller) and,
 * once it is durable, record the ledger's new size beside the store
 * (ledger_state.h) before anything of it is acknowledged. Every commit
 * of the broker goes through here. Under --check (b->check_only) it
 * rolls back instead: a check leaves the store as it was. 0, or -1 with
 * err (rolled back). */
int lia_turn_durable(struct lia_broker *b, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Send now, not waiting for the commit: answers from committed state. */
void lia_reply_now(struct lia_broker *b, const uint8_t *rid, size_t rid_len,
		   const struct lia_frame *f);
/* Send f to rid now, quietly: 0, or -1 with errno (EHOSTUNREACH: gone,
 * EAGAIN: its queue is full); the caller decides. For pushes. */
int lia_send_frame(struct lia_broker *b, const uint8_t *rid, size_t rid_len, const struct lia_frame *f);
void lia_reply_error(struct lia_broker *b, const uint8_t *rid, size_t rid_len, uint64_t req,
		     enum lia_error_code code, const char *detail);

/* Decoded envelopes of this turn, by message seq: read from the store
 * on a miss; borrowed, valid until lia_envcache_clear (each turn's
 * end, an abort, or a change to a stored envelope). NULL when the
 * message is gone or unreadable. put takes ownership of *e. */
const struct lia_envelope *lia_envcache_get(struct lia_broker *b, uint64_t seq);
void lia_envcache_put(struct lia_broker *b, uint64_t seq, struct lia_envelope **e);
void lia_envcache_clear(struct lia_broker *b);

#endif
