/*
 * broker.h — the Liaison broker: one event loop over a CurveZMQ ROUTER,
 * its ZAP handler, a signal descriptor and timers (DESIGN §5).
 *
 * Pipeline of one loop turn, and the module (broker/NAME.h) of each step:
 *   connections   -> conns: the ROUTER's monitor; unauthenticated
 *                    connections bounded per source and in all
 *   ZAP requests  -> zap: admit only transport keys of valid, unrevoked
 *                    principal certificates (fail closed); the decision
 *                    is pure, refusals are recorded at a bounded rate
 *   frames        -> broker.c reads the ROUTER, wire decodes, session
 *                    finds the agent's session, and one module per type:
 *     Publish     -> publish: admit (pure: decode, originator and
 *                    signature, then the store's duplicate lookup, rate,
 *                    skew, policy), candidates (addressees and feeds,
 *                    decide() for each), then the commit of the message,
 *                    its deliveries and ledger records (record) into the
 *                    turn's transaction; the rate budget is spent only
 *                    by an accepted message
 *     Ack         -> delivery (deliveries and erase confirmations)
 *     Subscribe.. -> feeds;  Inbox, Fetch, Directory -> inbox
 *     AuditQuery  -> query;  Consent* -> onward (the consent workflow)
 *   commit        -> turn: one transaction of the unit of work per turn
 *                    (store/unit.h: group commit, synchronous=FULL);
 *                    replies wait for it in the turn's outbox
 *   replies       -> publish-acks and answers, only after the commit
 *   deliveries    -> delivery: from the store, in commit order, within
 *                    each agent's window: no byte leaves before its
 *                    disclose record is durable
 *   timers        -> checkpoints, expiry (delivery, onward), idle sessions
 *   SIGHUP        -> reload: policy, certificates, revocations
 *
 * State lives in struct lia_broker (broker_int.h, private to broker/),
 * never in globals; the only global is the stop flag set by signals in
 * main.c (read through a signalfd here). No module names a database
 * type: the store and ledger are the unit of work's.
 */
#ifndef LIA_BROKER_H
#define LIA_BROKER_H

#include "config.h"

struct lia_broker;

/* Load keys, certificates, policy and store; bind. NULL with err. */
struct lia_broker *lia_broker_new(const struct lia_broker_config *cfg, char err[static LIA_ERR_MAX]);
void lia_broker_destroy(struct lia_broker **b);

/* Run until SIGTERM or SIGINT; SIGHUP reloads policy, certificates and
 * revocations. Returns 0 on a clean stop. ready() is called once the
 * socket is bound (systemd notify). */
int lia_broker_run(struct lia_broker *b, void (*ready)(void));

#endif
