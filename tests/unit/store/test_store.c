/* The broker's store (store/store.h): messages, deliveries in commit
 * order, acknowledgements, expiry, feeds, durability across reopen. */
#define _XOPEN_SOURCE 700
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_int.h" /* lia_store_sqlite: the tests write a long history fast */

#include "store_fixture.h"

static void test_messages_and_deliveries(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	assert_int_equal(lia_store_begin(s, err), 0);
	uint64_t m1 = add_msg(s, 1, 0), m2 = add_msg(s, 2, 500);
	uint64_t d1, d2, d3;
	assert_int_equal(lia_store_delivery_add(s, m1, "IT-PS/b", "direct", &d1, err), 0);
	assert_int_equal(lia_store_delivery_add(s, m2, "IT-PS/b", "med", &d2, err), 0);
	assert_int_equal(lia_store_delivery_add(s, m2, "MT-AFM/c", "direct", &d3, err), 0);
	/* One delivery per recipient and message. */
	uint64_t dup;
	assert_int_equal(lia_store_delivery_add(s, m2, "MT-AFM/c", "direct", &dup, err), -1);
	assert_int_equal(lia_store_commit(s, err), 0);
	/* Numbered per recipient: c's first delivery is its number 1. */
	assert_int_equal(d1, 1);
	assert_int_equal(d2, 2);
	assert_int_equal(d3, 1);

	/* A repeated id is refused by the schema. */
	assert_int_equal(lia_store_begin(s, err), 0);
	struct lia_store_message m;
	memset(&m, 0, sizeof m);
	memset(m.id, 1, LIA_ID_BYTES);
	memcpy(m.originator, "IT-GDF/a", 9);
	assert_int_equal(lia_store_message_add(s, &m, (const uint8_t *)"x", 1, (const uint8_t *)"y", 1, err), -1);
	lia_store_rollback(s);

	uint8_t id[LIA_ID_BYTES];
	memset(id, 2, sizeof id);
	assert_int_equal(lia_store_message_find(s, id, &m), 1);
	assert_int_equal(m.seq, m2);
	assert_int_equal(m.expires_at, 500);
	memset(id, 9, sizeof id);
	assert_int_equal(lia_store_message_find(s, id, &m), 0);

	struct lia_store_delivery d[8];
	size_t n;
	assert_int_equal(lia_store_pending(s, "IT-PS/b", 0, 300, d, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d[0].seq, d1);
	assert_string_equal(d[1].via, "med");
	assert_int_equal(lia_store_pending(s, "IT-PS/b", d1, 300, d, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lia_store_pending(s, "IT-PS/b", 0, 300, d, 1, &n), 0);
	assert_int_equal(n, 1);
	uint64_t count;
	assert_int_equal(lia_store_pending_count(s, "IT-PS/b", 300, &count), 0);
	assert_int_equal(count, 2);

	/* Acks: once, only by the recipient, only of what was sent to it. */
	struct lia_store_delivery got;
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_ack(s, "IT-PS/b", d1, 200, &got), 0); /* never sent */
	assert_int_equal(lia_store_delivery_sent(s, "MT-AFM/c", d2, 150), 0); /* c has no number 2: no mark */
	assert_int_equal(lia_store_ack(s, "IT-PS/b", d1, 200, &got), 0);
	assert_int_equal(lia_store_ack(s, "MT-AFM/c", d3, 200, &got), 0); /* c's own, never sent */
	assert_int_equal(lia_store_delivery_sent(s, "IT-PS/b", d1, 150), 0);
	assert_int_equal(lia_store_ack(s, "MT-AFM/c", d2, 200, &got), 0); /* b's number 2, c has none */
	assert_int_equal(lia_store_ack(s, "IT-PS/b", d1, 200, &got), 1);
	assert_int_equal(lia_store_ack(s, "IT-PS/b", d1, 201, &got), 0);
	assert_int_equal(lia_store_ack(s, "IT-PS/b", 9999, 201, &got), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_pending(s, "IT-PS/b", 0, 300, d, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lia_store_inbox(s, "IT-PS/b", 0, 300, d, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d[0].acked_at, 200);

	assert_int_equal(lia_store_delivery_of(s, "MT-AFM/c", (uint8_t[16]){2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 300, &got), 1);
	assert_int_equal(lia_store_delivery_of(s, "MT-AFM/c", (uint8_t[16]){1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 300, &got), 0);

	/* Once expired, a message is neither pending nor fetchable, even
	 * before the broker has erased it. */
	assert_int_equal(lia_store_pending(s, "MT-AFM/c", 0, 499, d, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lia_store_pending(s, "MT-AFM/c", 0, 500, d, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_delivery_of(s, "MT-AFM/c", (uint8_t[16]){2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, 500, &got), 1);
	assert_true(got.erased);

	/* Expiry: found once due, erased, no longer pending or fetchable. */
	struct lia_store_message ex[4];
	assert_int_equal(lia_store_expired(s, 499, ex, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_expired(s, 500, ex, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ex[0].seq, m2);
	uint8_t *env;
	size_t len;
	assert_int_equal(lia_store_message_envelope(s, m2, &env, &len), 1);
	free(env);
	/* b acknowledged its copy before the erase; c never did. */
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_delivery_sent(s, "IT-PS/b", d2, 250), 0);
	assert_int_equal(lia_store_delivery_sent(s, "MT-AFM/c", d3, 250), 0); /* read, not acked */
	assert_int_equal(lia_store_ack(s, "IT-PS/b", d2, 300, &got), 1);
	assert_int_equal(lia_store_erase(s, m2, 500, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	/* Erase notices: owed to both (c may have read it without
	 * acknowledging), each until it confirms. */
	assert_int_equal(lia_store_erasures(s, "IT-PS/b", 0, d, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].seq, d2);
	assert_int_equal(d[0].expires_at, 500);
	memset(id, 2, sizeof id);
	assert_memory_equal(d[0].message_id, id, LIA_ID_BYTES);
	assert_int_equal(lia_store_erasures(s, "IT-PS/b", d2, d, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_erasures(s, "MT-AFM/c", 0, d, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].seq, d3);
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_erasure_done(s, "MT-AFM/c", d3, &got), 1);
	assert_int_equal(lia_store_erasure_done(s, "MT-AFM/c", d2, &got), 0); /* b's number, not c's */
	assert_int_equal(lia_store_erasure_done(s, "IT-PS/b", d2, &got), 1);
	assert_int_equal(got.seq, d2);
	assert_int_equal(lia_store_erasure_done(s, "IT-PS/b", d2, &got), 0); /* once */
	assert_int_equal(lia_store_ack(s, "MT-AFM/c", d3, 600, &got), 1);
	assert_true(got.erased);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_erasures(s, "IT-PS/b", 0, d, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_erasures(s, "MT-AFM/c", 0, d, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].seq, d3);
	assert_int_equal(lia_store_message_envelope(s, m2, &env, &len), 0);
	assert_int_equal(lia_store_expired(s, 600, ex, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_pending(s, "MT-AFM/c", 0, 300, d, 8, &n), 0);
	assert_int_equal(n, 0);
	/* An embargoed message waits: not pending, not in the inbox, not
	 * fetchable until its embargo ends. */
	assert_int_equal(lia_store_begin(s, err), 0);
	struct lia_store_message em;
	memset(&em, 0, sizeof em);
	memset(em.id, 5, LIA_ID_BYTES);
	memcpy(em.originator, "IT-GDF/a", 9);
	em.kind = LIA_KIND_ROUTE;
	em.embargo_until = 1000;
	assert_int_equal(lia_store_message_add(s, &em, (const uint8_t *)"h", 1, (const uint8_t *)"e", 1, err), 0);
	uint64_t de;
	assert_int_equal(lia_store_delivery_add(s, em.seq, "GR-HCG/e", "direct", &de, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_pending(s, "GR-HCG/e", 0, 999, d, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_inbox(s, "GR-HCG/e", 0, 999, d, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_delivery_of(s, "GR-HCG/e", em.id, 999, &got), 0);
	assert_int_equal(lia_store_pending(s, "GR-HCG/e", 0, 1000, d, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lia_store_delivery_of(s, "GR-HCG/e", em.id, 1000, &got), 1);

	lia_store_destroy(&s);
	assert_null(s);

	/* Durable across reopen; a rolled-back transaction leaves nothing. */
	s = lia_store_open(path, err);
	assert_non_null(s);
	assert_int_equal(lia_store_begin(s, err), 0);
	add_msg(s, 7, 0);
	lia_store_rollback(s);
	memset(id, 7, sizeof id);
	assert_int_equal(lia_store_message_find(s, id, &m), 0);
	memset(id, 1, sizeof id);
	assert_int_equal(lia_store_message_find(s, id, &m), 1);
	lia_store_destroy(&s);
}

static void test_consents(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	assert_int_equal(lia_store_begin(s, err), 0);
	uint64_t m1 = add_msg(s, 1, 0);
	struct lia_consent_request c, got;
	memset(&c, 0, sizeof c);
	memset(c.message_id, 1, LIA_ID_BYTES);
	snprintf(c.originator, sizeof c.originator, "%s", "IT-GDF/a");
	snprintf(c.requested_by, sizeof c.requested_by, "%s", "IT-PS/b");
	snprintf(c.grantee, sizeof c.grantee, "%s", "HR-MUP");
	snprintf(c.purpose, sizeof c.purpose, "%s", "joint operation");
	c.requested_at = 1000;
	assert_int_equal(lia_store_consent_add(s, m1, &c, err), 0);
	assert_true(c.request > 0);
	assert_int_equal(c.state, LIA_CONSENT_PENDING);
	/* One request per message, requester and grantee. */
	struct lia_consent_request dup = c;
	assert_int_equal(lia_store_consent_add(s, m1, &dup, err), -1);
	struct lia_consent_request c2 = c;
	snprintf(c2.grantee, sizeof c2.grantee, "%s", "GR-HCG/e");
	c2.requested_at = 2000;
	assert_int_equal(lia_store_consent_add(s, m1, &c2, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	/* Request numbers are random (issue 10, item 6): they count nothing,
	 * and stay exact in JSON. Consecutive by chance: 2^-52. */
	assert_true(c2.request != c.request + 1);
	assert_true(c.request < (UINT64_C(1) << 53) && c2.request < (UINT64_C(1) << 53));

	uint64_t mseq = 0, n64;
	assert_int_equal(lia_store_consent_get(s, c.request, &got, &mseq), 1);
	assert_int_equal(mseq, m1);
	assert_string_equal(got.purpose, "joint operation");
	assert_int_equal(lia_store_consent_get(s, 999, &got, &mseq), 0);
	assert_int_equal(lia_store_consent_same(s, m1, "IT-PS/b", "HR-MUP", &got), 1);
	assert_int_equal(got.request, c.request);
	assert_int_equal(lia_store_consent_same(s, m1, "IT-PS/b", "MT-AFM", &got), 0);
	assert_int_equal(lia_store_consents_since(s, "IT-PS/b", 999, &n64), 0);
	assert_int_equal(n64, 2);
	assert_int_equal(lia_store_consents_since(s, "IT-PS/b", 1000, &n64), 0);
	assert_int_equal(n64, 1);

	/* Seen by the requester and by the originator, newest first; by
	 * nobody else. */
	struct lia_consent_request v[4];
	size_t n;
	assert_int_equal(lia_store_consents_of(s, "IT-PS/b", 0, 0, v, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].request, c2.request);
	/* Paging: below the newest, the older one. */
	assert_int_equal(lia_store_consents_of(s, "IT-PS/b", 0, c2.request, v, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].request, c.request);
	assert_int_equal(lia_store_consents_of(s, NULL, 0, 0, v, 4, &n), 0); /* auditors: all */
	assert_int_equal(n, 2);
	assert_int_equal(lia_store_consents_pending_of(s, m1, v, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].request, c.request);
	assert_int_equal(lia_store_consents_of(s, "IT-GDF/a", c.request, 0, v, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lia_store_consents_of(s, "MT-AFM/c", 0, 0, v, 4, &n), 0);
	assert_int_equal(n, 0);
	/* A page starts only below a request the caller may see. */
	assert_int_equal(lia_store_consents_of(s, "MT-AFM/c", 0, c2.request, v, 4, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_consents_of(s, "IT-PS/b", 0, 999, v, 4, &n), 0);
	assert_int_equal(n, 0);

	/* Answered once: granted with its signed consent, then frozen. */
	assert_int_equal(lia_store_begin(s, err), 0);
	c.state = LIA_CONSENT_GRANTED;
	c.answered_at = 1500;
	c.disclosed = 2;
	c.withheld = 1;
	static const uint8_t sig[] = {9, 9, 9};
	assert_int_equal(lia_store_consent_answer(s, &c, sig, sizeof sig, 40, 44, err), 0);
	c.state = LIA_CONSENT_REFUSED;
	assert_int_equal(lia_store_consent_answer(s, &c, NULL, 0, 0, 0, err), -1);
	/* Where the ledger holds the message's disclosures: its publication,
	 * then the granted consent's answer; a refused one adds nothing. */
	c2.state = LIA_CONSENT_REFUSED;
	assert_int_equal(lia_store_consent_answer(s, &c2, NULL, 0, 0, 0, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	struct lia_store_range rg[4];
	assert_int_equal(lia_store_ledger_ranges(s, m1, rg, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_true(rg[0].from == 10 && rg[0].to == 14 && rg[1].from == 40 && rg[1].to == 44);
	assert_int_equal(lia_store_consents_granted(s, m1, v, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].state, LIA_CONSENT_GRANTED);
	assert_int_equal(v[0].disclosed, 2);
	assert_int_equal(v[0].answered_at, 1500);
	size_t waiting;
	assert_int_equal(lia_store_consents_pending_of(s, m1, v, 4, &waiting), 0);
	assert_int_equal(waiting, 0); /* both answered */

	/* The stored envelope can be replaced until the message is erased. */
	static const uint8_t env2[] = {4, 5, 6, 7, 8};
	uint8_t *env;
	size_t len;
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_message_envelope_set(s, m1, env2, sizeof env2, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_message_envelope(s, m1, &env, &len), 1);
	assert_int_equal(len, sizeof env2);
	free(env);
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_erase(s, m1, 3000, err), 0);
	assert_int_equal(lia_store_message_envelope_set(s, m1, env2, sizeof env2, err), -1);
	lia_store_rollback(s);
	lia_store_destroy(&s);
}


/* The verification state machine as the store keeps it: open, reminded
 * once, overdue once, answered late, corrected; what each side sees. */
static struct lia_verification verif(uint8_t idbyte, const char *requester, const char *office,
				     int64_t at, int64_t deadline)
{
	struct lia_verification v;
	memset(&v, 0, sizeof v);
	memset(v.request_id, idbyte, LIA_ID_BYTES);
	snprintf(v.requester, sizeof v.requester, "%s", requester);
	snprintf(v.office, sizeof v.office, "%s", office);
	memcpy(v.issuing_state, "HR", 3);
	v.urgency = LIA_URGENCY_URGENT;
	v.requested_at = at;
	v.deadline = deadline;
	return v;
}

static void test_verifications(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	assert_int_equal(lia_store_begin(s, err), 0);
	uint64_t m1 = add_msg(s, 1, 0), m2 = add_msg(s, 2, 0), m3 = add_msg(s, 3, 0);
	struct lia_verification a = verif(1, "IT-GDF/a", "HR-MUP", 1000, 2000);
	struct lia_verification b = verif(2, "IT-GDF/a", "HR-MUP/z", 1100, 5000);
	struct lia_verification c = verif(3, "IT-PS/r", "MT-AFM", 1200, 9000);
	assert_int_equal(lia_store_verif_add(s, m1, &a, "HR-MUP", err), 0);
	assert_int_equal(lia_store_verif_add(s, m2, &b, "HR-MUP", err), 0);
	assert_int_equal(lia_store_verif_add(s, m3, &c, "MT-AFM", err), 0);
	assert_int_equal(lia_store_verif_add(s, m3, &c, "MT-AFM", err), -1); /* one per message */
	assert_int_equal(lia_store_commit(s, err), 0);

	struct lia_verification got, v[8];
	size_t n;
	assert_int_equal(lia_store_verif_get(s, a.request_id, &got), 1);
	assert_int_equal(got.state, LIA_VERIF_OPEN);
	assert_int_equal(got.deadline, 2000);
	assert_false(got.has_answer);
	uint8_t none[LIA_ID_BYTES] = {9};
	assert_int_equal(lia_store_verif_get(s, none, &got), 0);

	/* Who sees what: the requester its own; the agency office's liaison
	 * officers theirs; a principal office its own, and its agency's
	 * other officers only when the policy lets them answer. */
	assert_int_equal(lia_store_verifs_of(s, "IT-GDF/a", "IT-GDF", true, false, 0, 0, v, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(v[0].request_id, b.request_id, LIA_ID_BYTES); /* newest first */
	assert_int_equal(lia_store_verifs_of(s, "HR-MUP/y", "HR-MUP", true, false, 0, 0, v, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_memory_equal(v[0].request_id, a.request_id, LIA_ID_BYTES);
	assert_int_equal(lia_store_verifs_of(s, "HR-MUP/y", "HR-MUP", false, false, 0, 0, v, 8, &n), 0);
	assert_int_equal(n, 0); /* not a liaison officer */
	assert_int_equal(lia_store_verifs_of(s, "HR-MUP/y", "HR-MUP", true, true, 0, 0, v, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lia_store_verifs_of(s, "HR-MUP/z", "HR-MUP", false, false, 0, 0, v, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lia_store_verifs_of(s, "RS-MUP/q", "RS-MUP", true, true, 0, 0, v, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_verifs_of(s, NULL, NULL, false, false, 0, 0, v, 8, &n), 0);
	assert_int_equal(n, 3); /* auditors */
	assert_int_equal(lia_store_verifs_of(s, NULL, NULL, false, false, 0, 1200, v, 8, &n), 0);
	assert_int_equal(n, 2); /* paging: requested before 1200 */

	/* Reminders: once each, for what falls due by then. */
	assert_int_equal(lia_store_verifs_due(s, 5000, true, v, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(v[0].request_id, a.request_id, LIA_ID_BYTES); /* earliest deadline first */
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_verif_reminded(s, a.request_id, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_verifs_due(s, 5000, true, v, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lia_store_verifs_due(s, 5000, false, v, 8, &n), 0);
	assert_int_equal(n, 2);

	/* The deadline passes: overdue once. */
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_verif_overdue(s, a.request_id, err), 1);
	assert_int_equal(lia_store_verif_overdue(s, a.request_id, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_verifs_due(s, 5000, false, v, 8, &n), 0);
	assert_int_equal(n, 1); /* only b is still open */
	assert_int_equal(lia_store_verifs_of(s, NULL, NULL, false, false, LIA_VERIF_OVERDUE, 0, v, 8, &n), 0);
	assert_int_equal(n, 1);

	/* Answered late, then corrected: answered, late, two answers. b in
	 * time: not late. */
	uint8_t ans1[LIA_ID_BYTES], ans2[LIA_ID_BYTES];
	memset(ans1, 0xa1, sizeof ans1);
	memset(ans2, 0xa2, sizeof ans2);
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_verif_answered(s, a.request_id, "HR-MUP/y", ans1, 2500, err), 0);
	assert_int_equal(lia_store_verif_answered(s, a.request_id, "HR-MUP/x", ans2, 2600, err), 0);
	assert_int_equal(lia_store_verif_answered(s, b.request_id, "HR-MUP/z", ans1, 1500, err), 0);
	assert_int_equal(lia_store_verif_answered(s, none, "HR-MUP/z", ans1, 1500, err), -1);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_verif_get(s, a.request_id, &got), 1);
	assert_int_equal(got.state, LIA_VERIF_ANSWERED);
	assert_true(got.late);
	assert_int_equal(got.answers, 2);
	assert_int_equal(got.answered_at, 2600);
	assert_string_equal(got.answered_by, "HR-MUP/x");
	assert_true(got.has_answer);
	assert_memory_equal(got.answer_id, ans2, LIA_ID_BYTES);
	assert_int_equal(lia_store_verif_get(s, b.request_id, &got), 1);
	assert_false(got.late);
	assert_int_equal(got.answers, 1);
	/* An answered request is never overdue, nor due. */
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_verif_overdue(s, b.request_id, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_verifs_due(s, 99999, false, v, 8, &n), 0);
	assert_int_equal(n, 1); /* c */
	/* Withdrawn (its request erased on demand): once, then never due. */
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_verif_withdraw(s, c.request_id, err), 1);
	assert_int_equal(lia_store_verif_withdraw(s, c.request_id, err), 0);
	assert_int_equal(lia_store_verif_answered(s, c.request_id, "MT-AFM/v", ans1, 9500, err), -1);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_verifs_due(s, 99999, false, v, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_verif_get(s, c.request_id, &got), 1);
	assert_int_equal(got.state, LIA_VERIF_WITHDRAWN);
	lia_store_destroy(&s);
}

/* A database of another schema version is refused by name. */
/* A message superseded once; its holders listed from the deliveries; a
 * recipient sees the supersession only if it received the superseding
 * message too (issue 13). */
static void test_supersessions(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	assert_int_equal(lia_store_begin(s, err), 0);
	uint64_t orig = add_msg(s, 1, 0), rec = add_msg(s, 2, 0), other = add_msg(s, 3, 0);
	uint64_t n1, n2, n3;
	assert_int_equal(lia_store_delivery_add(s, orig, "IT-PS/b", "direct", &n1, err), 0);
	assert_int_equal(lia_store_delivery_add(s, orig, "MT-AFM/c", "med", &n2, err), 0);
	assert_int_equal(lia_store_delivery_add(s, rec, "IT-PS/b", "holder", &n3, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);

	char who[4][LIA_NAME_MAX];
	size_t n;
	assert_int_equal(lia_store_holders(s, orig, who, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(who[0], "IT-PS/b");
	assert_string_equal(who[1], "MT-AFM/c");
	assert_int_equal(lia_store_holders(s, orig, who, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lia_store_holders(s, other, who, 4, &n), 0);
	assert_int_equal(n, 0);

	struct lia_supersession sp;
	assert_int_equal(lia_store_superseded(s, orig, &sp), 0);
	assert_false(sp.present);
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_supersede(s, orig, rec, true, 700, "IT-GDF/a", err), 0);
	/* Once: neither again, nor by the same message for another. */
	assert_int_equal(lia_store_supersede(s, orig, other, false, 701, "IT-GDF/a", err), -1);
	assert_int_equal(lia_store_supersede(s, other, rec, false, 701, "IT-GDF/a", err), -1);
	lia_store_rollback(s);
	assert_int_equal(lia_store_superseded(s, orig, &sp), 0); /* rolled back */
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_supersede(s, orig, rec, true, 700, "IT-GDF/a", err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_superseded(s, orig, &sp), 1);
	assert_true(sp.present);
	assert_true(sp.recall);
	assert_int_equal(sp.at, 700);
	assert_string_equal(sp.actor, "IT-GDF/a");
	uint8_t id2[LIA_ID_BYTES];
	memset(id2, 2, sizeof id2);
	assert_memory_equal(sp.by, id2, LIA_ID_BYTES);

	/* b received the recall: its inbox and fetch say so; c did not. */
	uint8_t id1[LIA_ID_BYTES];
	memset(id1, 1, sizeof id1);
	struct lia_store_delivery d[4];
	assert_int_equal(lia_store_inbox(s, "IT-PS/b", 0, 800, d, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_true(d[0].superseded.present);
	assert_memory_equal(d[0].superseded.by, id2, LIA_ID_BYTES);
	assert_false(d[1].superseded.present); /* the recall itself */
	assert_int_equal(lia_store_delivery_of(s, "IT-PS/b", id1, 800, &d[0]), 1);
	assert_true(d[0].superseded.recall);
	assert_int_equal(lia_store_delivery_of(s, "MT-AFM/c", id1, 800, &d[0]), 1);
	assert_false(d[0].superseded.present);
	assert_int_equal(lia_store_inbox(s, "MT-AFM/c", 0, 800, d, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_false(d[0].superseded.present);
	/* The pushes carry no supersession: the recall itself says it. */
	assert_int_equal(lia_store_pending(s, "IT-PS/b", 0, 800, d, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_false(d[0].superseded.present);
	lia_store_destroy(&s);
}

/* A thread: up to its first message, then down, as one principal may
 * see it (issue 13). */
static void test_threads(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	assert_int_equal(lia_store_begin(s, err), 0);
	uint64_t m1 = add_msg(s, 1, 0), m2 = add_msg(s, 2, 0), m3 = add_msg(s, 3, 0), m4 = add_msg(s, 4, 0);
	uint8_t id1[LIA_ID_BYTES], id2[LIA_ID_BYTES], id3[LIA_ID_BYTES];
	memset(id1, 1, sizeof id1);
	memset(id2, 2, sizeof id2);
	memset(id3, 3, sizeof id3);
	/* 1 <- 2 <- 3, and 1 <- 4; b received 1 and 3 only. */
	assert_int_equal(lia_store_reply_add(s, m2, id1, err), 0);
	assert_int_equal(lia_store_reply_add(s, m3, id2, err), 0);
	assert_int_equal(lia_store_reply_add(s, m4, id1, err), 0);
	assert_int_equal(lia_store_reply_add(s, m4, id2, err), -1); /* one each */
	uint64_t n1, n3;
	assert_int_equal(lia_store_delivery_add(s, m1, "IT-PS/b", "direct", &n1, err), 0);
	assert_int_equal(lia_store_delivery_add(s, m3, "IT-PS/b", "direct", &n3, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	(void)m3;

	struct lia_thread_entry t[8];
	size_t n;
	/* The originator (all four are IT-GDF/a's), from the deepest. */
	assert_int_equal(lia_store_thread(s, id3, "IT-GDF/a", 500, t, 8, &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(t[0].message_id, id1, LIA_ID_BYTES);
	assert_false(t[0].has_in_reply_to);
	assert_int_equal(t[0].depth, 0);
	assert_int_equal(t[0].sequence, 0);
	assert_int_equal(t[2].depth, 2);
	assert_true(t[2].has_in_reply_to);
	assert_memory_equal(t[2].in_reply_to, id2, LIA_ID_BYTES);
	assert_int_equal(t[3].depth, 1);
	/* b sees what it holds, with its own numbers. */
	assert_int_equal(lia_store_thread(s, id1, "IT-PS/b", 500, t, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(t[0].sequence, n1);
	assert_int_equal(t[1].sequence, n3);
	/* 3 names 2, which b does not see: 3 hangs under 1, one deep, and
	 * 2's id is never shown. */
	assert_int_equal(t[1].depth, 1);
	assert_true(t[1].has_in_reply_to);
	assert_memory_equal(t[1].in_reply_to, id1, LIA_ID_BYTES);
	assert_int_equal(lia_store_thread(s, id1, "MT-AFM/c", 500, t, 8, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_thread(s, id1, "IT-GDF/a", 500, t, 2, &n), 0);
	assert_int_equal(n, 2); /* bounded */
	/* The header stays when the envelope goes. */
	uint8_t *hb = NULL;
	size_t hlen = 0;
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_erase(s, m1, 600, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_message_envelope(s, m1, &hb, &hlen), 0);
	assert_int_equal(lia_store_message_header(s, m1, &hb, &hlen), 1);
	assert_int_equal(hlen, 3);
	free(hb);
	assert_int_equal(lia_store_message_header(s, 9999, &hb, &hlen), 0);
	lia_store_destroy(&s);
}

/* A chain as deep as a quote may go (LIA_THREAD_DEPTH_MAX messages
 * above the last) is listed whole, from either end. */
static void test_thread_depth(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	assert_int_equal(lia_store_begin(s, err), 0);
	enum { N = LIA_THREAD_DEPTH_MAX + 1 };
	uint8_t id[LIA_ID_BYTES];
	for (int i = 0; i < N; i++) {
		uint64_t m = add_msg(s, (uint8_t)(10 + i), 0);
		memset(id, 10 + i - 1, sizeof id);
		if (i > 0)
			assert_int_equal(lia_store_reply_add(s, m, id, err), 0);
	}
	assert_int_equal(lia_store_commit(s, err), 0);
	struct lia_thread_entry t[N + 1];
	size_t n;
	uint8_t first[LIA_ID_BYTES], last[LIA_ID_BYTES];
	memset(first, 10, sizeof first);
	memset(last, 10 + N - 1, sizeof last);
	assert_int_equal(lia_store_thread(s, first, "IT-GDF/a", 500, t, N + 1, &n), 0);
	assert_int_equal(n, N);
	assert_int_equal(t[N - 1].depth, LIA_THREAD_DEPTH_MAX);
	assert_memory_equal(t[N - 1].message_id, last, LIA_ID_BYTES);
	assert_int_equal(lia_store_thread(s, last, "IT-GDF/a", 500, t, N + 1, &n), 0);
	assert_int_equal(n, N);
	assert_memory_equal(t[0].message_id, first, LIA_ID_BYTES);
	lia_store_destroy(&s);
}

static void test_schema_version(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE messages (seq INTEGER PRIMARY KEY);"
					  "PRAGMA user_version = 1;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_null(lia_store_open(path, err));
	assert_non_null(strstr(err, "schema version 1"));
	remove_files();
	struct lia_store *s = lia_store_open(path, err); /* a new one: current version */
	assert_non_null(s);
	lia_store_destroy(&s);
	/* A version 3 store (before verifications) and a version 4 store
	 * (before supersessions) are upgraded in place. */
	static const char *const older[] = {
		"DROP TABLE verifications; DROP TABLE supersessions; DROP TABLE replies; "
		"PRAGMA user_version = 3;",
		"DROP TABLE supersessions; DROP TABLE replies; PRAGMA user_version = 4;",
	};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, older[i], NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		s = lia_store_open(path, err);
		assert_non_null(s);
		struct lia_verification v;
		struct lia_supersession sp;
		uint8_t id[LIA_ID_BYTES] = {0};
		assert_int_equal(lia_store_verif_get(s, id, &v), 0);
		assert_int_equal(lia_store_superseded(s, 1, &sp), 0);
		lia_store_destroy(&s);
	}
	s = lia_store_open(path, err); /* and reopened */
	assert_non_null(s);
	lia_store_destroy(&s);
}

static void test_feeds(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	struct lia_store_feed f;
	memset(&f, 0, sizeof f);
	memcpy(f.subscriber, "IT-PS/b", 8);
	memcpy(f.name, "med", 4);
	f.filter.kinds = 1u << LIA_KIND_ROUTE;
	assert_int_equal(lia_names_add(&f.filter.regions, "MED-CENTRAL"), 0);
	assert_int_equal(lia_names_add(&f.filter.regions, "MED-EASTERN"), 0);
	assert_int_equal(lia_names_add(&f.filter.agencies, "IT-GDF"), 0);
	f.filter.min_eval = (struct lia_evaluation){LIA_EVAL_EUROPOL_4X4, 'B', 2};
	f.created_at = 5;
	assert_int_equal(lia_store_feed_put(s, &f, err), 0);
	memcpy(f.name, "all", 4);
	memset(&f.filter, 0, sizeof f.filter);
	assert_int_equal(lia_store_feed_put(s, &f, err), 0);
	memcpy(f.subscriber, "MT-AFM/c", 9);
	assert_int_equal(lia_store_feed_put(s, &f, err), 0);
	struct lia_store_feed *v;
	size_t n;
	assert_int_equal(lia_store_feeds(s, "IT-PS/b", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[1].name, "med");
	assert_int_equal(v[1].filter.regions.n, 2);
	assert_string_equal(v[1].filter.regions.v[1], "MED-EASTERN");
	assert_string_equal(v[1].filter.agencies.v[0], "IT-GDF");
	assert_int_equal(v[1].filter.min_eval.source, 'B');
	assert_int_equal(v[1].filter.min_eval.information, 2);
	free(v);
	assert_int_equal(lia_store_feeds(s, "", &v, &n), 0);
	assert_int_equal(n, 3);
	free(v);
	assert_int_equal(lia_store_feed_remove(s, "IT-PS/b", "med"), 1);
	assert_int_equal(lia_store_feed_remove(s, "IT-PS/b", "med"), 0);
	assert_int_equal(lia_store_feeds(s, "IT-PS/b", &v, &n), 0);
	assert_int_equal(n, 1);
	free(v);
	lia_store_destroy(&s);
}

/* Issue 10, item 6: the numbers a principal is shown count only what
 * concerns it. A recipient's delivery numbers are 1, 2, ... whatever was
 * delivered to others meanwhile; an originator's publication numbers
 * count its own publications only. */
static void test_numbers_per_principal(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	assert_int_equal(lia_store_begin(s, err), 0);
	uint64_t dc1, dc2, db;
	uint64_t m1 = add_msg(s, 1, 0);
	assert_int_equal(lia_store_delivery_add(s, m1, "MT-AFM/c", "direct", &dc1, err), 0);
	for (uint8_t i = 2; i < 12; i++) {
		uint64_t mi = add_msg(s, i, 0);
		assert_int_equal(lia_store_delivery_add(s, mi, "IT-PS/b", "direct", &db, err), 0);
	}
	assert_int_equal(db, 10);
	struct lia_store_message other;
	memset(&other, 0, sizeof other);
	memset(other.id, 40, LIA_ID_BYTES);
	memcpy(other.originator, "GR-HCG/o", 9);
	assert_int_equal(lia_store_message_add(s, &other, (const uint8_t *)"h", 1, (const uint8_t *)"e", 1, err), 0);
	assert_int_equal(other.number, 1); /* eleven messages of IT-GDF/a do not show */
	assert_true(other.seq > 11);
	assert_int_equal(lia_store_delivery_add(s, other.seq, "MT-AFM/c", "direct", &dc2, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(dc1, 1);
	assert_int_equal(dc2, 2);

	struct lia_store_message m;
	uint8_t id[LIA_ID_BYTES];
	memset(id, 11, sizeof id);
	assert_int_equal(lia_store_message_find(s, id, &m), 1);
	assert_int_equal(m.number, 11);
	memset(id, 40, sizeof id);
	assert_int_equal(lia_store_message_find(s, id, &m), 1);
	assert_int_equal(m.number, 1);

	/* c's pending list, inbox and acknowledgements speak its numbers. */
	struct lia_store_delivery d[4], got;
	size_t n;
	assert_int_equal(lia_store_pending(s, "MT-AFM/c", 0, 300, d, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(d[0].seq, 1);
	assert_int_equal(d[1].seq, 2);
	assert_int_equal(d[1].message_seq, other.seq);
	assert_int_equal(lia_store_inbox(s, "MT-AFM/c", 1, 300, d, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].seq, 2);
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_delivery_sent(s, "MT-AFM/c", 2, 300), 0); /* only what was sent is acked */
	assert_int_equal(lia_store_ack(s, "MT-AFM/c", 2, 300, &got), 1);
	assert_memory_equal(got.message_id, other.id, LIA_ID_BYTES);
	assert_int_equal(lia_store_ack(s, "MT-AFM/c", 3, 300, &got), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_pending(s, "IT-PS/b", 0, 300, d, 4, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(d[0].seq, 1); /* c's acknowledgement of its 2 touched none of b's */
	lia_store_destroy(&s);
}

/* The revocation list in force and the recorded revocations survive a
 * reopen (issue 10, item 5): the broker compares against them at start. */
static void test_crl_in_force(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	uint64_t number = 0;
	uint8_t hash[LIA_STORE_CRL_HASH_BYTES], h2[LIA_STORE_CRL_HASH_BYTES];
	assert_int_equal(lia_store_crl_get(s, &number, hash), 0); /* a new store: none yet */
	memset(hash, 0xab, sizeof hash);
	uint64_t big = UINT64_MAX - 1; /* above INT64_MAX: stored bit for bit */
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_crl_set(s, 7, hash, 100, err), 0);
	assert_int_equal(lia_store_revoked_add(s, big, 100, err), 1);
	assert_int_equal(lia_store_revoked_add(s, 42, 100, err), 1);
	assert_int_equal(lia_store_revoked_add(s, big, 101, err), 0);
	assert_int_equal(lia_store_commit(s, err), 0);
	lia_store_destroy(&s);
	s = lia_store_open(path, err);
	assert_non_null(s);
	assert_int_equal(lia_store_crl_get(s, &number, h2), 1);
	assert_int_equal(number, 7);
	assert_memory_equal(h2, hash, sizeof hash);
	assert_int_equal(lia_store_begin(s, err), 0);
	assert_int_equal(lia_store_revoked_add(s, big, 102, err), 0); /* remembered */
	assert_int_equal(lia_store_revoked_add(s, 43, 102, err), 1);
	memset(hash, 0xcd, sizeof hash);
	assert_int_equal(lia_store_crl_set(s, 8, hash, 102, err), 0); /* replaced, one row */
	assert_int_equal(lia_store_commit(s, err), 0);
	assert_int_equal(lia_store_crl_get(s, &number, h2), 1);
	assert_int_equal(number, 8);
	assert_memory_equal(h2, hash, sizeof hash);
	lia_store_destroy(&s);
}

/* Issue 11, item 5: what the loop asks of a long history costs a
 * bounded index range. The pending count stops at its ceiling (the
 * Welcome's "at least"), acknowledged deliveries are not walked, and a
 * principal's consent listing merges the requests it made and those
 * about its messages, newest first, page by page. */
static void test_history_bounded(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_store *s = lia_store_open(path, err);
	assert_non_null(s);
	sqlite3 *db = lia_store_sqlite(s);
	const int rows = LIA_STORE_PENDING_COUNT_MAX + 500;
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
		 "INSERT INTO messages (id, originator, kind, created_at, received_at, expires_at, recipients, "
		 "withheld, header, number) SELECT randomblob(16), 'IT-GDF/a', 1, 0, 0, 0, 1, 0, x'00', i FROM n; "
		 "INSERT INTO deliveries (message_seq, recipient, via, number, sent_at) "
		 "SELECT seq, 'IT-PS/b', 'direct', number, 1 FROM messages; COMMIT;", rows);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	uint64_t count = 0;
	assert_int_equal(lia_store_pending_count(s, "IT-PS/b", 300, &count), 0);
	assert_int_equal(count, LIA_STORE_PENDING_COUNT_MAX); /* at least that many */
	/* Acknowledge all but 7: the exact count, whatever was acknowledged. */
	snprintf(sql, sizeof sql, "UPDATE deliveries SET acked_at = 5 WHERE number <= %d", rows - 7);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(lia_store_pending_count(s, "IT-PS/b", 300, &count), 0);
	assert_int_equal(count, 7);
	/* The plans: index ranges, never a scan of the table. */
	static const char *const plans[] = {
		("SELECT count(*) FROM (SELECT message_seq FROM deliveries WHERE recipient = 'x' "
		 "AND acked_at = 0 ORDER BY number LIMIT 10)"),
		"SELECT count(*) FROM consents WHERE requested_by = 'x' AND requested_at > 5",
		"SELECT count(*) FROM consents WHERE requested_by = 'x' AND state = 1",
	};
	for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
		char q[512];
		snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", plans[i]);
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);
			assert_true(strncmp(d, "SCAN consents", 13) != 0 && strncmp(d, "SCAN deliveries", 15) != 0);
		}
		sqlite3_finalize(st);
	}

	/* b asks about a's messages, a about b's, alternately: b's listing
	 * holds both, newest first, in pages of 3 that neither skip nor
	 * repeat one. */
	assert_int_equal(lia_store_begin(s, err), 0);
	uint64_t want[8];
	for (int i = 0; i < 8; i++) {
		struct lia_consent_request c;
		memset(&c, 0, sizeof c);
		bool mine = i % 2 == 0;
		memset(c.message_id, 0, sizeof c.message_id);
		snprintf(c.originator, sizeof c.originator, "%s", mine ? "IT-GDF/a" : "IT-PS/b");
		snprintf(c.requested_by, sizeof c.requested_by, "%s", mine ? "IT-PS/b" : "IT-GDF/a");
		snprintf(c.grantee, sizeof c.grantee, "G%d", i);
		snprintf(c.purpose, sizeof c.purpose, "p");
		c.requested_at = 10;
		assert_int_equal(lia_store_consent_add(s, (uint64_t)i + 1, &c, err), 0);
		want[7 - i] = c.request;
	}
	assert_int_equal(lia_store_commit(s, err), 0);
	struct lia_consent_request v[3];
	size_t n = 0, seen = 0;
	uint64_t before = 0;
	do {
		assert_int_equal(lia_store_consents_of(s, "IT-PS/b", 0, before, v, 3, &n), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(v[i].request, want[seen++]);
		before = n ? v[n - 1].request : 0;
	} while (n == 3);
	assert_int_equal(seen, 8);
	/* A third party sees none of them; one asked by number: that one. */
	assert_int_equal(lia_store_consents_of(s, "MT-AFM/c", 0, 0, v, 3, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lia_store_consents_of(s, "IT-PS/b", want[5], 0, v, 3, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].request, want[5]);
	lia_store_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_messages_and_deliveries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers_per_principal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feeds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verifications, setup, teardown),
		cmocka_unit_test_setup_teardown(test_supersessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crl_in_force, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_bounded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
