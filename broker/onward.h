/*
 * onward.h — onward dissemination: the consent workflow (DESIGN §4).
 *
 * A recipient asks that a message go to a further principal or agency
 * (ConsentAsk); the originator's liaison officer grants it with a
 * signed consent and the wraps for the new recipients, or refuses it
 * (ConsentAnswer); both sides list requests (ConsentQuery) and are told
 * of changes. A grant is decided like a publish, on the onward path,
 * with every consent granted for the message so far. Requests still
 * waiting when their message is erased are closed as refused.
 *
 * States: pending -> granted | refused, once; a repeated ask returns
 * the same request in its state. Owns nothing in memory (the requests
 * are in the store). Trusts the session; checks the signed consent
 * against the stored request. May call the store, policy, core's
 * consent verifier, the candidates, record and turn modules.
 */
#ifndef LIA_BROKER_ONWARD_H
#define LIA_BROKER_ONWARD_H

#include "broker_int.h"

void lia_onward_ask(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
void lia_onward_query(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
void lia_onward_answer(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
/* Close the waiting requests of erased message m as refused, recorded,
 * and tell the requesters. Inside the turn's transaction; -1 aborted it. */
int lia_onward_close(struct lia_broker *b, const struct lia_store_message *m, int64_t now);

#endif
