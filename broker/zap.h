/*
 * zap.h — who may connect: the ZAP handler (RFC 27) of the ROUTER.
 *
 * Only the transport key of a valid, unrevoked principal certificate in
 * the directory is admitted, and the User-Id it gets is that key, so a
 * revoked key stays out even if its subject has others. Fail closed: a
 * malformed request is refused. The decision (lia_zap_decide) is a pure
 * function of the directory, the key and the time; lia_zap_handle does
 * the socket I/O around it and records refusals.
 *
 * Refused handshakes cost an attacker almost nothing: the ledger and the
 * log record the first refusal of a key in each minute and at most
 * LIA_ZAP_REFUSALS_PER_SECOND in all; the others are counted, and the
 * count goes into the next record (lia_zap_refusal_worth).
 *
 * Owns b->refusals. Trusts nothing in the request; trusts the
 * directory. May call libzmq on b->zap, the directory, and the record
 * module for refusals. Never fails: every request gets an answer.
 */
#ifndef LIA_BROKER_ZAP_H
#define LIA_BROKER_ZAP_H

#include <stdbool.h>
#include <stdint.h>

#include "directory.h"

#define LIA_ZAP_REFUSED_KEYS 256
#define LIA_ZAP_REFUSED_KEY_SECONDS 60
#define LIA_ZAP_REFUSALS_PER_SECOND 20
#define LIA_ZAP_WHY_MAX 128

/* What the refusal limiter remembers; zero-initialised is empty. */
struct lia_zap_refusals {
	struct lia_zap_refused_key {
		uint8_t kid[LIA_KEYID_BYTES];
		int64_t at;
	} recent[LIA_ZAP_REFUSED_KEYS]; /* by the key id's first byte */
	int64_t second;
	uint32_t in_second;
	uint64_t suppressed;       /* refusals not recorded since the last record */
	int64_t suppressed_since;
};

struct lia_broker;

/* Whether the CURVE client key may connect at now: true, or false with
 * why ("unknown transport key", "not a principal certificate",
 * "certificate revoked", "certificate expired", ...). *e is the
 * directory entry of the key when there is one (also when refused). */
bool lia_zap_decide(const struct lia_directory *dir, const uint8_t key[static 32], int64_t now,
		    const struct lia_directory_entry **e, char why[static LIA_ZAP_WHY_MAX]);

/* Whether a refusal of key (NULL: a request with no key) at now gets its
 * own ledger record and log line; if not, it is counted in
 * r->suppressed for the next one (which resets it). */
bool lia_zap_refusal_worth(struct lia_zap_refusals *r, const uint8_t *key, int64_t now);

/* Answer every ZAP request waiting on b->zap. */
void lia_zap_handle(struct lia_broker *b);

#endif
