/*
 * query.h — audit queries: who received a message (its disclosures),
 * the latest checkpoint, ledger records, inclusion and consistency
 * proofs.
 *
 * Originators ask about their own messages, auditors about any and
 * alone read records and inclusion proofs. Every principal reads the
 * latest checkpoint and consistency proofs within it (issue 12, item 5:
 * agents check that the ledger only grew); those carry sizes and hashes
 * only and are not recorded, unless an auditor asks. Every other query
 * is itself a ledger record, committed before the answer leaves. Owns nothing. Trusts the session.
 * May call the store, the ledger's read API, the record and turn
 * modules. Disclosures are read by the ranges the store keeps: never a
 * ledger scan in the event loop.
 */
#ifndef LIA_BROKER_QUERY_H
#define LIA_BROKER_QUERY_H

#include "broker_int.h"

void lia_query_audit(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);

#endif
