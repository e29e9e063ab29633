/*
 * record.h — the broker's ledger records: how a record is started
 * (operation, time, policy in force), how a message and a party are
 * written into it, and how it is appended inside the turn.
 *
 * Owns nothing; writes through b->ledger (borrowed from the unit of
 * work). Trusts its inputs: headers are verified and certificates come
 * from the directory before they get here. May call the ledger, the
 * turn (an append opens the turn's transaction, a failed one aborts
 * the turn) and the directory. Errors: 0 / -1, logged.
 */
#ifndef LIA_BROKER_RECORD_H
#define LIA_BROKER_RECORD_H

#include "broker_int.h"

/* Copy text into a fixed field, cut when longer (ledger justifications
 * and reasons are bounded by design). */
void lia_rec_text(char *out, size_t cap, const char *s);
/* A certificate as a ledger party: subject, agency, signing key id. */
void lia_rec_party(struct lia_record_party *p, const struct lia_cert *c);
/* The grantee of a consent as a party: the principal's certificate
 * when it is one in the directory, else the agency name alone. */
void lia_rec_grantee(struct lia_broker *b, struct lia_record_party *p, const char *grantee);
/* Start a record of op, now, under the policy in force. */
void lia_rec_init(struct lia_broker *b, struct lia_record *r, enum lia_record_op op);
/* The message fields of a record: id, originator, kind, restrictions. */
void lia_rec_message(struct lia_record *r, const struct lia_header *h);
/* The same from what the store keeps of a message (no restrictions: the
 * store holds the header bytes, not the decoded marking). */
void lia_rec_stored(struct lia_record *r, const uint8_t id[static LIA_ID_BYTES],
		    const char originator[static LIA_NAME_MAX], enum lia_kind kind);

/* Append inside the turn's transaction; r->seq is set. -1 aborted the
 * turn's work. */
int lia_rec_append(struct lia_broker *b, struct lia_record *r);
/* A record outside the loop's turns (start, reload): the turn so far
 * is committed first, then this record in its own transaction. */
int lia_rec_now(struct lia_broker *b, struct lia_record *r);

#endif
