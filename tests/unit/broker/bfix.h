/*
 * bfix.h — fixtures for the broker's unit tests: an exchange with real
 * keys and certificates (tests/unit/core/fixture.h), a signed
 * revocation list, the example policy, a real store and ledger in a
 * temporary folder (store/unit.h), and a broker without sockets over
 * them, so that the modules that do not need the network run as they
 * do in the daemon.
 *
 * The cast, valid from a year ago to a year ahead unless said:
 *   it       IT-GDF/ventimiglia  liaison officer
 *   mt       MT-AFM/valletta     liaison officer (no personal data)
 *   gr       GR-HCG/piraeus      analyst
 *   revoked  IT-PS/roma          liaison officer, on the revocation list
 *   expired  IT-PS/napoli        liaison officer, expired a day ago
 *   broker   broker/med          a broker certificate, not a principal
 *
 * The broker has no ROUTER or ZAP socket: replies sent at once are
 * dropped (and logged), replies that wait for the commit can be read in
 * b.out before lia_turn_commit().
 */
#ifndef LIA_TEST_BFIX_H
#define LIA_TEST_BFIX_H

#include <stdbool.h>
#include <stdint.h>

#include "broker_int.h"
#include "core/fixture.h"

struct bfix {
	struct fx_authority auth;
	struct fx_principal it, mt, gr, revoked, expired, broker;
	char tmp[256];
	struct lia_broker b; /* dir, policy, unit, store, ledger, sessions, cand, budgets */
	int64_t now;
};

void bfix_init(struct bfix *x);
void bfix_clear(struct bfix *x);
/* The same as cmocka setup and teardown, for the fixture passed as the
 * test's prestate: cmocka_unit_test_prestate_setup_teardown(t,
 * bfix_setup, bfix_teardown, &x). */
int bfix_setup(void **state);
int bfix_teardown(void **state);

/* Seal a message of kind (route, or network: personal data) from
 * `from` for the recipients to[0..n), created at created_at, about
 * region (NULL: MED-CENTRAL); *env is
 * malloc'd, *h the header as sealed. */
void bfix_seal(const struct fx_principal *from, enum lia_kind kind, int64_t created_at, const char *region,
	       const struct fx_principal *const *to, size_t n, uint8_t **env, size_t *env_len,
	       struct lia_header *h);

/* The session of principal p as if it had said Hello (receive, window 8). */
struct lia_session *bfix_session(struct bfix *x, const struct fx_principal *p);

/* A Publish frame from s of env to the subjects to[0..n), through the
 * publish pipeline, then the turn's commit. Returns the PublishAck that
 * waited for the commit (accepted == false, refusal NONE when the reply
 * was sent at once: a refusal). */
struct lia_publish_ack_view {
	bool queued;
	bool accepted, duplicate;
	uint64_t sequence;
	uint32_t recipients, withheld;
};
struct lia_publish_ack_view bfix_publish(struct bfix *x, struct lia_session *s, const uint8_t *env,
					 size_t env_len, const char *const *to, size_t n);

/* Records in the ledger, as committed. */
uint64_t bfix_ledger_size(struct bfix *x);

/* A route message from sender (whose session is s) to one principal,
 * published and committed; *h is its header. */
struct lia_publish_ack_view bfix_publish_route(struct bfix *x, struct lia_session *s,
					       const struct fx_principal *sender,
					       const struct fx_principal *to, struct lia_header *h);

#endif
