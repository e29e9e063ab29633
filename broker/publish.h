/*
 * publish.h — the publish pipeline: a Publish frame becomes a stored,
 * recorded message with its deliveries, or a refusal.
 *
 * Spends the publish rate budget (b->budgets, budget.h). Trusts the session (its
 * certificate is the one ZAP authenticated); trusts nothing in the
 * frame. May call the envelope's decoder and verifier, policy, the
 * store, the candidates, record and turn modules. Never fails: every
 * Publish gets a PublishAck (the accepted one waits for the commit).
 */
#ifndef LIA_BROKER_PUBLISH_H
#define LIA_BROKER_PUBLISH_H

#include "broker_int.h"

void lia_publish_handle(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);

#endif
