/*
 * reload.h — loading and reloading what the broker trusts: the policy,
 * and the directory (certificates and revocation list).
 *
 * A reload that fails keeps what is in force. The revocation list in
 * force (number and hash) is kept in the store, so that across restarts
 * too a list older than it, or of its number with other bytes, is
 * refused (at start the broker does not start). Revocations the ledger
 * does not hold yet, whether first seen at start or on reload, get a
 * certificate-revoked record; sessions of revoked keys are dropped. A
 * new policy gets a policy-loaded record. Owns b->policy, b->dir and the b->budgets array (budget.h; reset with
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
