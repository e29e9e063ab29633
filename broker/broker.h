/*
 * broker.h — the Liaison broker: one event loop over a CurveZMQ ROUTER,
 * its ZAP handler, a signal descriptor and timers (DESIGN §5).
 *
 * Pipeline of one loop turn:
 *   ZAP requests  -> admit only transport keys of valid, unrevoked
 *                    principal certificates (fail closed)
 *   frames        -> decode (wire) -> per type: publish is verified,
 *                    admissible(), decide() per candidate, and written
 *                    with its deliveries and ledger records into the
 *                    turn's transaction; acks and queries likewise
 *   commit        -> one SQLite transaction per turn (group commit,
 *                    synchronous=FULL); replies wait for it
 *   replies       -> publish-acks and answers, only after the commit
 *   deliveries    -> from the store, in commit order, within each
 *                    agent's window: no byte leaves before its disclose
 *                    record is durable
 *   timers        -> checkpoints, expiry, idle sessions
 *
 * State lives in struct lia_broker, never in globals; the only global is
 * the stop flag set by signals in main.c (read through a signalfd here).
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
