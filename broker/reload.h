/*
 * reload.h — loading and reloading what the broker trusts: the policy,
 * and the directory (certificates and revocation list).
 *
 * A reload that fails keeps what is in force; a revocation list older
 * than the one in force is refused. Newly revoked certificates get a
 * ledger record and their sessions are dropped; a new policy gets a
 * policy-loaded record. Owns b->policy, b->dir and b->rates (reset with
 * the directory). Trusts the authority key; trusts nothing in the
 * files. May call policy's loader, the directory loader, the record,
 * turn and session modules. Errors: 0 / -1, logged.
 */
#ifndef LIA_BROKER_RELOAD_H
#define LIA_BROKER_RELOAD_H

#include "broker_int.h"

int lia_reload_policy(struct lia_broker *b, bool reload);
int lia_reload_directory(struct lia_broker *b, bool reload);

#endif
