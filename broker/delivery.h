/*
 * delivery.h — delivery: pushing stored deliveries and erase notices to
 * receiving sessions within their windows, taking their
 * acknowledgements, and erasing expired messages.
 *
 * A delivery leaves only from the store, after the commit that made its
 * disclose record durable. Owns the sessions' cursor, window accounting
 * (inflight) and maybe_pending / maybe_erase flags. Trusts the session;
 * an Ack's sequence numbers are checked against the store (an unknown
 * or foreign one, or one never sent to that principal, changes nothing
 * and is not recorded). May call the
 * store, the record, turn (its sends), session (bytes queued towards a
 * session: one whose peer has not read is skipped until it has) and
 * onward modules.
 */
#ifndef LIA_BROKER_DELIVERY_H
#define LIA_BROKER_DELIVERY_H

#include "broker_int.h"

/* Push stored deliveries to one session, in order, within its window. */
void lia_deliver_pending(struct lia_broker *b, struct lia_session *s);
/* Push the erase notices a session is owed, one batch a turn. */
void lia_deliver_erasures(struct lia_broker *b, struct lia_session *s);
/* Mark delivery seq as sent to s (pushed, or fetched by lia_inbox_fetch):
 * only a delivery sent can be acknowledged. Opens the turn's transaction;
 * a failure is logged (the acknowledgement will then be ignored). */
void lia_deliver_sent(struct lia_broker *b, const struct lia_session *s, uint64_t seq);
/* An Ack frame: deliveries received, or (erased set) copies purged; one
 * path for both. The recipient confirms a purge named in an Erase
 * notice; the ledger keeps that beside the erase record. */
void lia_deliver_ack(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
/* The window bookkeeping of an Ack of delivery seq: a delivery sent
 * (seq <= cursor) frees its slot, and the store may hold more. Any seq
 * at or below the cursor counts, known or not: the window is the
 * session's own, so a wrong number only shortcuts its own flow control. */
void lia_deliver_acked(struct lia_session *s, uint64_t seq);
/* EraseRequest: the originator's erasure on demand of its own message,
 * recorded and its notices owed like an expiry's; another's message or
 * none is NOT_FOUND; one already erased is Ok. */
/* Erase message m now, inside the turn: its ciphertext deleted, an
 * erase notice owed to every recipient (none while it is under embargo:
 * it is never released then), the erase record (by actor, or the broker
 * itself), its waiting consent requests closed, and a verification
 * request withdrawn. 0, or -1 with the turn aborted. */
int lia_deliver_erase(struct lia_broker *b, const struct lia_store_message *m, const struct lia_cert *actor,
		      const char *justification, int64_t now) __attribute__((warn_unused_result));
void lia_deliver_erase_request(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
/* Erase what expired by now, record it, close its waiting consent
 * requests, commit, and owe every receiving session its notices. */
void lia_deliver_expire(struct lia_broker *b, int64_t now);

#endif
