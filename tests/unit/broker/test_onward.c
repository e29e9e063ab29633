/* The consent workflow's states (broker/onward.h): a recipient asks,
 * the originator's liaison officer refuses, the message's expiry closes
 * what is still waiting; and who may do each. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bfix.h"
#include "delivery.h"
#include "onward.h"
#include "turn.h"

#define YEAR INT64_C(31536000)

static struct bfix x;
static struct lia_session *it, *mt, *gr;
static uint64_t mseq;
static uint8_t mid[LIA_ID_BYTES];

static int setup(void **state)
{
	(void)bfix_setup(state);
	it = bfix_session(&x, &x.it);
	mt = bfix_session(&x, &x.mt);
	gr = bfix_session(&x, &x.gr);
	struct lia_header h;
	struct lia_publish_ack_view a = bfix_publish_route(&x, it, &x.it, &x.mt, &h);
	assert_true(a.accepted);
	mseq = a.sequence;
	memcpy(mid, h.id, LIA_ID_BYTES);
	return 0;
}

static void ask(struct lia_session *s, const char *grantee)
{
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_CONSENT_ASK, 5);
	memcpy(f.u.consent_ask.message_id, mid, LIA_ID_BYTES);
	snprintf(f.u.consent_ask.grantee, sizeof f.u.consent_ask.grantee, "%s", grantee);
	snprintf(f.u.consent_ask.purpose, sizeof f.u.consent_ask.purpose, "joint patrol");
	lia_onward_ask(&x.b, s, &f);
	lia_turn_commit(&x.b);
}

static void refuse(struct lia_session *s, uint64_t request)
{
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_CONSENT_ANSWER, 6);
	f.u.consent_answer.request = request;
	f.u.consent_answer.grant = false;
	snprintf(f.u.consent_answer.reason, sizeof f.u.consent_answer.reason, "not now");
	lia_onward_answer(&x.b, s, &f);
	lia_turn_commit(&x.b);
}

/* mt's request for grantee, or state -1 when there is none. */
static int state_of(const char *grantee, struct lia_consent_request *c)
{
	int rc = lia_store_consent_same(x.b.store, mseq, "MT-AFM/valletta", grantee, c);
	assert_true(rc >= 0);
	return rc == 1 ? (int)c->state : -1;
}

static void test_ask_is_pending_and_asked_once(void **state)
{
	(void)state;
	struct lia_consent_request c;
	uint64_t before = bfix_ledger_size(&x);
	ask(mt, "GR-HCG");
	assert_int_equal(state_of("GR-HCG", &c), LIA_CONSENT_PENDING);
	assert_int_equal(bfix_ledger_size(&x), before + 1); /* consent-requested */
	uint64_t request = c.request;
	ask(mt, "GR-HCG"); /* the same request, in its state */
	assert_int_equal(state_of("GR-HCG", &c), LIA_CONSENT_PENDING);
	assert_int_equal(c.request, request);
	assert_int_equal(bfix_ledger_size(&x), before + 1);
}

/* Only a recipient asks; not for the originator's own agency; only for
 * a grantee the exchange knows. */
static void test_who_may_ask(void **state)
{
	(void)state;
	struct lia_consent_request c;
	uint64_t before = bfix_ledger_size(&x);
	ask(gr, "HR-MUP"); /* gr never received it */
	uint64_t waiting = 99;
	assert_int_equal(lia_store_consents_waiting(x.b.store, "GR-HCG/piraeus", &waiting), 0);
	assert_int_equal(waiting, 0);
	ask(mt, "IT-GDF");
	assert_int_equal(state_of("IT-GDF", &c), -1);
	ask(mt, "XX-NOBODY");
	assert_int_equal(state_of("XX-NOBODY", &c), -1);
	assert_int_equal(bfix_ledger_size(&x), before);
}

/* pending -> refused, once, by the originator only. */
static void test_refusal(void **state)
{
	(void)state;
	struct lia_consent_request c;
	ask(mt, "GR-HCG");
	assert_int_equal(state_of("GR-HCG", &c), LIA_CONSENT_PENDING);
	uint64_t request = c.request, before = bfix_ledger_size(&x);
	refuse(mt, request); /* the requester never answers its own request */
	refuse(gr, request); /* nor does a stranger */
	assert_int_equal(state_of("GR-HCG", &c), LIA_CONSENT_PENDING);
	assert_int_equal(bfix_ledger_size(&x), before);
	refuse(it, request);
	assert_int_equal(state_of("GR-HCG", &c), LIA_CONSENT_REFUSED);
	assert_string_equal(c.reason, "not now");
	assert_int_equal(bfix_ledger_size(&x), before + 1); /* consent-refused */
	refuse(it, request); /* answered already */
	assert_int_equal(bfix_ledger_size(&x), before + 1);
}

/* A request still waiting when its message is erased is closed as
 * refused, recorded, and no longer counts as waiting. */
static void test_expiry_closes_waiting_requests(void **state)
{
	(void)state;
	struct lia_consent_request c;
	ask(mt, "GR-HCG");
	lia_deliver_expire(&x.b, x.now + 20 * YEAR);
	assert_int_equal(state_of("GR-HCG", &c), LIA_CONSENT_REFUSED);
	assert_string_equal(c.reason, "the message expired before an answer");
	uint64_t waiting = 99;
	assert_int_equal(lia_store_consents_waiting(x.b.store, "MT-AFM/valletta", &waiting), 0);
	assert_int_equal(waiting, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_ask_is_pending_and_asked_once, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_who_may_ask, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_refusal, setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_expiry_closes_waiting_requests, setup, bfix_teardown, &x),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
