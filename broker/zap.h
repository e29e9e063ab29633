/*
 * zap.h — who may connect: the ZAP handler (RFC 27) of the ROUTER.
 *
 * Only the transport key of a valid, unrevoked principal certificate in
 * the directory is admitted, and the User-Id it gets is that key, so a
 * revoked key stays out even if its subject has others. Fail closed: a
 * malformed request is refused.
 *
 * Owns b->refusals (how many refusals are recorded). Trusts nothing in
 * the request; trusts the directory. May call libzmq on b->zap, the
 * directory, and the record module for refusals. Never fails: every
 * request gets an answer.
 */
#ifndef LIA_BROKER_ZAP_H
#define LIA_BROKER_ZAP_H

#include "broker_int.h"

/* Answer every ZAP request waiting on b->zap. */
void lia_zap_handle(struct lia_broker *b);

#endif
