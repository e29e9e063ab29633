/* The turn's intake decision (broker/intake.h, issue 11, items 5 and 6):
 * when a frame is served now, parked for the next turn, or refused busy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "intake.h"

static enum lia_intake_verdict decide(struct lia_intake_ask a, bool *over)
{
	return lia_intake_decide(&a, over);
}

static void test_serve_park_busy(void **state)
{
	(void)state;
	bool over;
	struct lia_intake_ask a = {.share = 4, .share_us = 1000, .others = 1, .room = true};
	/* Within its share, nothing parked, no read during a write: now. */
	assert_int_equal(decide(a, &over), LIA_INTAKE_SERVE);
	assert_false(over);
	a.served = 3;
	assert_int_equal(decide(a, &over), LIA_INTAKE_SERVE);
	/* Its share used while another peer was served: next turn, and the
	 * turn should end. */
	a.served = 4;
	assert_int_equal(decide(a, &over), LIA_INTAKE_PARK);
	assert_true(over);
	/* Alone in the turn, there is no one to share with. */
	a.others = 0;
	assert_int_equal(decide(a, &over), LIA_INTAKE_SERVE);
	assert_false(over);
	/* A read while the turn's transaction is open waits for the commit
	 * (parked, not a commit of its own); a write does not. */
	a = (struct lia_intake_ask){.share = 4, .share_us = 1000, .others = 1, .room = true, .read = true, .in_txn = true};
	assert_int_equal(decide(a, &over), LIA_INTAKE_PARK);
	assert_false(over);
	a.in_txn = false;
	assert_int_equal(decide(a, &over), LIA_INTAKE_SERVE);
	/* After a parked frame, the peer's next ones follow it: its order. */
	a = (struct lia_intake_ask){.share = 4, .share_us = 1000, .others = 1, .room = true, .parked = 1};
	assert_int_equal(decide(a, &over), LIA_INTAKE_PARK);
	/* No room: busy, nothing done. */
	a.room = false;
	assert_int_equal(decide(a, &over), LIA_INTAKE_BUSY);
	a = (struct lia_intake_ask){.share = 4, .share_us = 1000, .others = 1, .room = false};
	assert_int_equal(decide(a, &over), LIA_INTAKE_SERVE); /* room matters only when parking */
	/* Frames that only waited or were refused use the share too: the
	 * turn ends for the others instead of reading on. */
	a = (struct lia_intake_ask){.share = 4, .share_us = 1000, .others = 1, .room = true, .read = true,
				    .in_txn = true, .parked = 2, .refused = 1};
	assert_int_equal(decide(a, &over), LIA_INTAKE_PARK);
	assert_false(over);
	a.refused = 2;
	assert_int_equal(decide(a, &over), LIA_INTAKE_PARK);
	assert_true(over);
	a.others = 0; /* alone: its frames wait for its own commit, no one else */
	assert_int_equal(decide(a, &over), LIA_INTAKE_PARK);
	assert_false(over);
}

/* Time is the share that matters: a few costly frames use it as surely
 * as many cheap ones. */
static void test_time_share(void **state)
{
	(void)state;
	bool over;
	struct lia_intake_ask a = {.share = 64, .share_us = 2000, .others = 1, .room = true, .served = 3,
				   .served_us = 1999};
	assert_int_equal(decide(a, &over), LIA_INTAKE_SERVE);
	assert_false(over);
	a.served_us = 2000;
	assert_int_equal(decide(a, &over), LIA_INTAKE_PARK);
	assert_true(over);
	/* With no one else waiting for an answer (alone, or beside peers
	 * that only acked), the turn is the peer's. */
	a.others = 0;
	assert_int_equal(decide(a, &over), LIA_INTAKE_SERVE);
	assert_false(over);
}

static void test_reads(void **state)
{
	(void)state;
	assert_true(lia_intake_is_read(LIA_FRAME_HELLO));
	assert_true(lia_intake_is_read(LIA_FRAME_INBOX));
	assert_true(lia_intake_is_read(LIA_FRAME_FETCH));
	assert_true(lia_intake_is_read(LIA_FRAME_FEED_LIST));
	assert_true(lia_intake_is_read(LIA_FRAME_CONSENT_QUERY));
	assert_false(lia_intake_is_read(LIA_FRAME_PUBLISH));
	assert_false(lia_intake_is_read(LIA_FRAME_ACK));
	assert_false(lia_intake_is_read(LIA_FRAME_PING));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_park_busy),
		cmocka_unit_test(test_time_share),
		cmocka_unit_test(test_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
