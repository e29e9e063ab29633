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

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

struct lia_broker;

/* How a broker starts (main's command line). */
struct lia_broker_start {
	bool check;                /* --check: load and check everything, bind nothing, write nothing */
	bool has_accept_ledger;    /* --accept-ledger SIZE (ledger_state.h) */
	uint64_t accept_ledger;
	bool refused;              /* out: the store failed its checks (exit 3) */
	char todo[LIA_ERR_MAX];    /* out, with refused: what the operator can do */
};

/* Load keys and store; check the database and ledger against the state
 * kept beside them (ledger_state.h: refused with start->refused and
 * start->todo); load certificates and policy; bind (not with check).
 * NULL with err. start may be NULL (a plain start). */
struct lia_broker *lia_broker_new(const struct lia_broker_config *cfg, struct lia_broker_start *start,
				  char err[static LIA_ERR_MAX]);
void lia_broker_destroy(struct lia_broker **b);

/* Run until SIGTERM or SIGINT; SIGHUP reloads policy, certificates and
 * revocations. Returns 0 on a clean stop. ready() is called once the
 * socket is bound (systemd notify). */
int lia_broker_run(struct lia_broker *b, void (*ready)(void));

#endif
