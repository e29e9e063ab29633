/*
 * inbox.h — an agent's reads: its inbox, one message again (Fetch), and
 * the directory of certificates.
 *
 * Answers from committed state only (the loop commits the turn before
 * a read). A message not delivered to the asker (nor its own) gets the
 * same answer as one that never existed, so ids do not leak. Owns
 * nothing. Trusts the session. May call the store and the turn module.
 */
#ifndef LIA_BROKER_INBOX_H
#define LIA_BROKER_INBOX_H

#include "broker_int.h"

void lia_inbox_list(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
void lia_inbox_fetch(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
/* ThreadQuery: the thread of a message the asker holds, as far as it may
 * see it (lia_store_thread); any other id is NOT_FOUND as for Fetch. */
void lia_inbox_thread(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
void lia_inbox_directory(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);

#endif
