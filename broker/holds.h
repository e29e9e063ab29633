/*
 * holds.h — does a principal hold a message: the one answer Fetch,
 * ThreadQuery and the quote rules give (issue 13). A principal holds a
 * message it originated, or one delivered to it that is out of embargo
 * at the time asked; an id that names nothing and a message that is
 * another's are the same "no", so nobody learns of a message by asking.
 *
 * Owns nothing. Trusts the subject (a session's or a directory entry's).
 * May call the store. Errors: -1 when the store could not say.
 */
#ifndef LIA_BROKER_HOLDS_H
#define LIA_BROKER_HOLDS_H

#include "broker_int.h"

/* 1 with *d the delivery of id to subject as of now (the originator's
 * own copy reads as a delivery numbered 0 via "own", erased when the
 * message is erased or expired), 0 not held, -1 store error. */
int lia_holds(struct lia_broker *b, const char *subject, const uint8_t id[static LIA_ID_BYTES], int64_t now,
	      struct lia_store_delivery *d) __attribute__((warn_unused_result));

#endif
