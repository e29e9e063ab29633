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
 * Refused handshakes cost an attacker almost nothing, and a stranger
 * can take a fresh key for each (issue 11, item 3), so refusals are
 * aggregated: in each interval (refusal_record_seconds, from the first
 * refusal counted) every refusal is counted by reason, with a bounded
 * sample of key ids and addresses, and at the interval's end one
 * authentication-refused record and one log line say how many there
 * were (lia_zap_summary_due, lia_zap_flush). A key the directory knows
 * (revoked, expired, not a principal) is an insider and names a
 * subject: its first refusal in the interval also gets a record of its
 * own; there are at most LIA_ZAP_KNOWN_MAX of those an interval, the
 * rest only counted. However many keys there are, the ledger grows by
 * at most LIA_ZAP_KNOWN_MAX + 1 records an interval.
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
#include "marking.h"

#define LIA_ZAP_WHY_MAX 128
#define LIA_ZAP_SAMPLE_KEYS 6      /* key ids named in a summary */
#define LIA_ZAP_SAMPLE_ADDRESSES 4 /* source addresses named in a summary */
#define LIA_ZAP_ADDRESS_MAX 46     /* an IPv6 address in text, with its NUL */
#define LIA_ZAP_KNOWN_MAX 64       /* known keys recorded one by one an interval */

/* Why a handshake was refused, as the summary counts it. */
enum lia_zap_reason {
	LIA_ZAP_UNKNOWN_KEY,  /* no certificate names the key: a stranger */
	LIA_ZAP_KNOWN_KEY,    /* a certificate does, but it may not connect */
	LIA_ZAP_MALFORMED,    /* no CURVE key in the request */
	LIA_ZAP_REASONS
};

/* What the refusal counter holds for the current interval;
 * zero-initialised is empty (then set interval). */
struct lia_zap_refusals {
	int64_t interval;          /* seconds; refusal_record_seconds */
	int64_t since;             /* first refusal of the interval; 0: none */
	uint64_t count[LIA_ZAP_REASONS];
	uint64_t recorded;         /* of them, recorded one by one (known keys) */
	uint8_t keys[LIA_ZAP_SAMPLE_KEYS][LIA_KEYID_BYTES];
	size_t n_keys;
	char addresses[LIA_ZAP_SAMPLE_ADDRESSES][LIA_ZAP_ADDRESS_MAX];
	size_t n_addresses;
	uint8_t known[LIA_ZAP_KNOWN_MAX][LIA_KEYID_BYTES]; /* recorded this interval */
	size_t n_known;
};

struct lia_broker;

/* Whether the CURVE client key may connect at now: true, or false with
 * why ("unknown transport key", "not a principal certificate",
 * "certificate revoked", "certificate expired", ...). *e is the
 * directory entry of the key when there is one (also when refused). */
bool lia_zap_decide(const struct lia_directory *dir, const uint8_t key[static 32], int64_t now,
		    const struct lia_directory_entry **e, char why[static LIA_ZAP_WHY_MAX]);

/* Count a refusal of key (NULL: a request with no key) from address
 * (text from the ZAP request; anything not an IP address is sampled as
 * "?") at now. Returns whether it gets a record of its own: the first
 * refusal in the interval of a key the directory knows (known). */
bool lia_zap_refusal_count(struct lia_zap_refusals *r, const uint8_t *key, bool known, const char *address,
			   int64_t now);

/* Whether an interval with refusals counted in it has ended. */
bool lia_zap_summary_due(const struct lia_zap_refusals *r, int64_t now);

/* The summary of the interval into text ("N refused handshakes from .. to
 * ..: ...; sample keys: ..; addresses: .."), always under LIA_TEXT_MAX;
 * *first_key is the first sampled key id (false when none). */
void lia_zap_summary_text(const struct lia_zap_refusals *r, int64_t now, char text[static LIA_TEXT_MAX],
			  bool *has_key, uint8_t first_key[static LIA_KEYID_BYTES]);

/* Forget the interval: the next refusal starts a new one. */
void lia_zap_summary_reset(struct lia_zap_refusals *r);

/* When the interval has ended (force: whatever the time, as at a stop),
 * write its summary, one ledger record and one log line, unless every
 * refusal in it had a record of its own; then start a new interval. */
void lia_zap_flush(struct lia_broker *b, int64_t now, bool force);

/* Answer every ZAP request waiting on b->zap. */
void lia_zap_handle(struct lia_broker *b);

#endif
