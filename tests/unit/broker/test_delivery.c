/* Delivery bookkeeping and acknowledgements (broker/delivery.h): the
 * window's accounting, an ack of one's own delivery, of an unknown one,
 * of another's and of one never sent, and the confirmation of an erase
 * notice. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bfix.h"
#include "delivery.h"
#include "turn.h"

#define YEAR INT64_C(31536000)

static struct bfix x;
static struct lia_session *it, *mt, *gr;
static uint64_t dseq; /* mt's delivery of the message it published */

static int setup(void **state)
{
	(void)bfix_setup(state);
	it = bfix_session(&x, &x.it);
	mt = bfix_session(&x, &x.mt);
	gr = bfix_session(&x, &x.gr);
	struct lia_header h;
	assert_true(bfix_publish_route(&x, it, &x.it, &x.mt, &h).accepted);
	struct lia_store_delivery d[4];
	size_t n = 0;
	assert_int_equal(lia_store_pending(x.b.store, "MT-AFM/valletta", 0, x.now, d, 4, &n), 0);
	assert_int_equal(n, 1);
	dseq = d[0].seq;
	mt->cursor = dseq; /* as if lia_deliver_pending had sent it */
	mt->inflight = 1;
	return 0;
}

/* The delivery as lia_deliver_pending marks it when it leaves. */
static void sent(void)
{
	lia_deliver_sent(&x.b, mt, dseq);
	lia_turn_commit(&x.b);
}

static void ack(struct lia_session *s, uint64_t seq, bool erased)
{
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_ACK, 3);
	f.u.ack.n = 1;
	f.u.ack.v[0] = seq;
	f.u.ack.erased = erased;
	lia_deliver_ack(&x.b, s, &f);
	lia_turn_commit(&x.b);
}

static size_t pending(const char *subject)
{
	struct lia_store_delivery d[4];
	size_t n = 99;
	assert_int_equal(lia_store_pending(x.b.store, subject, 0, x.now, d, 4, &n), 0);
	return n;
}

static size_t owed_erasures(const char *subject)
{
	struct lia_store_delivery d[4];
	size_t n = 99;
	assert_int_equal(lia_store_erasures(x.b.store, subject, 0, d, 4, &n), 0);
	return n;
}

static void test_window_accounting(void **state)
{
	(void)state;
	struct lia_session s = {.cursor = 5, .inflight = 2};
	lia_deliver_acked(&s, 3);
	assert_int_equal(s.inflight, 1);
	assert_true(s.maybe_pending); /* the freed slot may take the next one */
	lia_deliver_acked(&s, 9);     /* never sent: the window is unchanged */
	assert_int_equal(s.inflight, 1);
	lia_deliver_acked(&s, 5);
	lia_deliver_acked(&s, 4);
	assert_int_equal(s.inflight, 0); /* and never below zero */
}

static void test_own_ack_is_stored_and_recorded_once(void **state)
{
	(void)state;
	sent();
	uint64_t before = bfix_ledger_size(&x);
	ack(mt, dseq, false);
	assert_int_equal(bfix_ledger_size(&x), before + 1);
	assert_int_equal(pending("MT-AFM/valletta"), 0);
	assert_int_equal(mt->inflight, 0);
	ack(mt, dseq, false); /* again: already acknowledged */
	assert_int_equal(bfix_ledger_size(&x), before + 1);
}

/* Issue 10, item 4: a delivery number of one's own that the broker
 * never sent (embargoed, not yet pushed) cannot be acknowledged. */
static void test_unsent_ack_changes_nothing(void **state)
{
	(void)state;
	uint64_t before = bfix_ledger_size(&x);
	ack(mt, dseq, false);
	assert_int_equal(bfix_ledger_size(&x), before);
	assert_int_equal(pending("MT-AFM/valletta"), 1);
	sent();
	ack(mt, dseq, false); /* once sent, it can */
	assert_int_equal(bfix_ledger_size(&x), before + 1);
	assert_int_equal(pending("MT-AFM/valletta"), 0);
}

static void test_unknown_or_foreign_ack_changes_nothing(void **state)
{
	(void)state;
	sent();
	uint64_t before = bfix_ledger_size(&x);
	ack(gr, dseq, false); /* mt's delivery, acknowledged by gr */
	ack(mt, dseq + 100, false);
	assert_int_equal(bfix_ledger_size(&x), before);
	assert_int_equal(pending("MT-AFM/valletta"), 1);
	assert_int_equal(mt->inflight, 1);
}

/* After expiry the holder of a copy is owed an erase notice until it
 * confirms the purge; only its own confirmation counts. */
static void test_erase_confirmation(void **state)
{
	(void)state;
	sent();
	ack(mt, dseq, false);
	lia_deliver_expire(&x.b, x.now + 20 * YEAR);
	assert_true(mt->maybe_erase);
	assert_int_equal(owed_erasures("MT-AFM/valletta"), 1);
	uint64_t before = bfix_ledger_size(&x);
	ack(gr, dseq, true);
	assert_int_equal(bfix_ledger_size(&x), before);
	assert_int_equal(owed_erasures("MT-AFM/valletta"), 1);
	ack(mt, dseq, true);
	assert_int_equal(bfix_ledger_size(&x), before + 1);
	assert_int_equal(owed_erasures("MT-AFM/valletta"), 0);
	ack(mt, dseq, true); /* nothing owed any more */
	assert_int_equal(bfix_ledger_size(&x), before + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_window_accounting, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_own_ack_is_stored_and_recorded_once, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_unsent_ack_changes_nothing, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_unknown_or_foreign_ack_changes_nothing, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_erase_confirmation, setup, bfix_teardown, &x),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
