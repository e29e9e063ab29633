/* Publish admission (broker/admit.h): every refusal it gives, in its
 * order, and the rate budget that only an accepted message spends. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "admit.h"
#include "bfix.h"
#include "envelope.pb-c.h"
#include "sig.h"

static struct bfix x;

/* The admission input for a Publish from p, now. */
static struct lia_admit_input input_for(const struct fx_principal *p, const struct lia_rate *rate)
{
	return (struct lia_admit_input){
		.policy = x.b.policy, .crl = &x.b.dir.crl, .store = x.b.store,
		.sender = &p->cert, .dir = &x.b.dir, .rate = rate, .now = x.now,
	};
}

static enum lia_admit_verdict admit(struct lia_admission *a, const struct fx_principal *p,
				    const struct lia_rate *rate, const uint8_t *env, size_t len)
{
	struct lia_admit_input in = input_for(p, rate);
	return lia_admit(a, &in, env, len);
}

/* Admit env from p and expect a refusal of code (and reason, if given). */
static void expect_refusal(const struct fx_principal *p, const struct lia_rate *rate, const uint8_t *env,
			   size_t len, enum lia_refusal code, const char *reason)
{
	struct lia_admission a;
	assert_int_equal(admit(&a, p, rate, env, len), LIA_ADMIT_REFUSE);
	assert_int_equal(a.refusal, code);
	if (reason != NULL)
		assert_string_equal(a.reason, reason);
	lia_admission_clear(&a);
}

/* A route message from `from` for mt, created at created_at. */
static void route(const struct fx_principal *from, int64_t created_at, const char *region,
		  uint8_t **env, size_t *len)
{
	const struct fx_principal *to[] = {&x.mt};
	struct lia_header h;
	bfix_seal(from, LIA_KIND_ROUTE, created_at, region, to, 1, env, len, &h);
}

static void test_accepts_a_good_message(void **state)
{
	(void)state;
	uint8_t *env;
	size_t len;
	route(&x.it, x.now, NULL, &env, &len);
	struct lia_admission a;
	assert_int_equal(admit(&a, &x.it, NULL, env, len), LIA_ADMIT_ACCEPT);
	assert_int_equal(a.refusal, LIA_REFUSAL_NONE);
	assert_non_null(a.env);
	assert_string_equal(a.h->originator, "IT-GDF/ventimiglia");
	lia_admission_clear(&a);
	assert_null(a.env);
	free(env);
}

static void test_malformed_and_too_large(void **state)
{
	(void)state;
	static const uint8_t junk[] = {0xff, 0xff, 0xff, 0x01};
	struct lia_admission a;
	assert_int_equal(admit(&a, &x.it, NULL, junk, sizeof junk), LIA_ADMIT_REFUSE);
	assert_int_equal(a.refusal, LIA_REFUSAL_MALFORMED);
	assert_null(a.h); /* nothing of it is known, not even an id */
	lia_admission_clear(&a);

	size_t big = LIA_ENVELOPE_MAX + 1;
	uint8_t *huge = calloc(big, 1);
	assert_non_null(huge);
	expect_refusal(&x.it, NULL, huge, big, LIA_REFUSAL_TOO_LARGE, NULL);
	free(huge);
}

static void test_not_the_originator(void **state)
{
	(void)state;
	uint8_t *env;
	size_t len;
	route(&x.it, x.now, NULL, &env, &len);
	/* it's envelope, sent over mt's connection */
	expect_refusal(&x.mt, NULL, env, len, LIA_REFUSAL_NOT_ORIGINATOR, NULL);
	free(env);
}

/* env with one bit of its signature flipped. */
static uint8_t *bad_signature(const uint8_t *env, size_t len, size_t *out_len)
{
	Liaison__V1__Envelope *e = liaison__v1__envelope__unpack(NULL, len, env);
	assert_non_null(e);
	e->signature.data[10] ^= 1;
	*out_len = liaison__v1__envelope__get_packed_size(e);
	uint8_t *out = malloc(*out_len);
	assert_non_null(out);
	liaison__v1__envelope__pack(e, out);
	liaison__v1__envelope__free_unpacked(e, NULL);
	return out;
}

/* The signature is checked before the store is asked about the id: a
 * forged copy of a stored message is refused as a forgery, and learns
 * nothing of the original (not even that its id is taken). */
static void test_bad_signature_before_the_store(void **state)
{
	(void)state;
	uint8_t *env;
	size_t len;
	route(&x.it, x.now, NULL, &env, &len);
	struct lia_session *s = bfix_session(&x, &x.it);
	const char *to[] = {"MT-AFM/valletta"};
	assert_true(bfix_publish(&x, s, env, len, to, 1).accepted);

	size_t forged_len;
	uint8_t *forged = bad_signature(env, len, &forged_len);
	expect_refusal(&x.it, NULL, forged, forged_len, LIA_REFUSAL_VERIFICATION,
		       lia_env_status_str(LIA_ENV_BAD_SIGNATURE));
	free(forged);
	free(env);
}

/* env (from's own) carrying id instead of its own, signed again by from:
 * a valid envelope of from's with another's message id. */
static uint8_t *with_id(const struct fx_principal *from, const uint8_t *env, size_t len,
			const uint8_t id[static LIA_ID_BYTES], size_t *out_len)
{
	Liaison__V1__Envelope *e = liaison__v1__envelope__unpack(NULL, len, env);
	assert_non_null(e);
	Liaison__V1__Header *h = liaison__v1__header__unpack(NULL, e->header.len, e->header.data);
	assert_non_null(h);
	assert_int_equal(h->id.len, LIA_ID_BYTES);
	memcpy(h->id.data, id, LIA_ID_BYTES);
	size_t hlen = liaison__v1__header__get_packed_size(h);
	uint8_t *hb = malloc(hlen);
	assert_non_null(hb);
	liaison__v1__header__pack(h, hb);
	uint8_t sig[LIA_SIG_BYTES];
	lia_sign(sig, LIA_CTX_HEADER, hb, hlen, from->sign->sk);
	Liaison__V1__Envelope copy = *e;
	copy.header = (ProtobufCBinaryData){hlen, hb};
	copy.signature = (ProtobufCBinaryData){sizeof sig, sig};
	*out_len = liaison__v1__envelope__get_packed_size(&copy);
	uint8_t *out = malloc(*out_len);
	assert_non_null(out);
	liaison__v1__envelope__pack(&copy, out);
	free(hb);
	liaison__v1__header__free_unpacked(h, NULL);
	liaison__v1__envelope__free_unpacked(e, NULL);
	return out;
}

/* Issue 10, item 3: another originator's id, in an envelope validly
 * signed by its sender, gets the answer of a forged publish, not "id
 * already used": nothing tells the sender the message exists. */
static void test_another_originators_id_answers_as_forged(void **state)
{
	(void)state;
	uint8_t *env, *mine;
	size_t len, mine_len;
	struct lia_header h;
	const struct fx_principal *to[] = {&x.mt};
	bfix_seal(&x.it, LIA_KIND_ROUTE, x.now, NULL, to, 1, &env, &len, &h);
	struct lia_session *s = bfix_session(&x, &x.it);
	const char *names[] = {"MT-AFM/valletta"};
	assert_true(bfix_publish(&x, s, env, len, names, 1).accepted);

	struct lia_header hg;
	bfix_seal(&x.gr, LIA_KIND_ROUTE, x.now, NULL, to, 1, &mine, &mine_len, &hg);
	size_t probe_len;
	uint8_t *probe = with_id(&x.gr, mine, mine_len, h.id, &probe_len);
	struct lia_admission a;
	assert_int_equal(admit(&a, &x.gr, NULL, probe, probe_len), LIA_ADMIT_REFUSE);
	assert_int_equal(a.refusal, LIA_REFUSAL_VERIFICATION);
	assert_string_equal(a.reason, lia_env_status_str(LIA_ENV_BAD_SIGNATURE));
	assert_int_equal(a.original.seq, 0); /* nothing of the original is kept */
	lia_admission_clear(&a);
	free(probe);
	free(mine);
	free(env);
}

/* Issue 10, item 2: the stored envelope keeps the originator's wrap and
 * the permitted recipients', not one for a principal never addressed. */
static void test_stored_envelope_keeps_only_admitted_wraps(void **state)
{
	(void)state;
	uint8_t *env;
	size_t len;
	struct lia_header h;
	const struct fx_principal *to[] = {&x.it, &x.mt, &x.gr}; /* the agent wraps for itself too */
	bfix_seal(&x.it, LIA_KIND_ROUTE, x.now, NULL, to, 3, &env, &len, &h);
	struct lia_session *s = bfix_session(&x, &x.it);
	const char *names[] = {"MT-AFM/valletta"};
	struct lia_publish_ack_view ack = bfix_publish(&x, s, env, len, names, 1);
	assert_true(ack.accepted);
	uint8_t *stored;
	size_t stored_len;
	assert_int_equal(lia_store_message_envelope(x.b.store, ack.sequence, &stored, &stored_len), 1);
	struct lia_envelope *e;
	assert_int_equal(lia_envelope_decode(&e, stored, stored_len), LIA_ENV_OK);
	assert_int_equal(lia_envelope_wrap_count(e), 2);
	assert_true(lia_envelope_has_wrap(e, x.it.cert.box_kid));
	assert_true(lia_envelope_has_wrap(e, x.mt.cert.box_kid));
	assert_false(lia_envelope_has_wrap(e, x.gr.cert.box_kid));
	assert_int_equal(lia_envelope_verify(e, &x.it.cert, &x.b.dir.crl), LIA_ENV_OK);
	lia_envelope_destroy(&e);
	free(stored);
	free(env);
}

static void test_revoked_originator(void **state)
{
	(void)state;
	uint8_t *env;
	size_t len;
	route(&x.revoked, x.now, NULL, &env, &len);
	expect_refusal(&x.revoked, NULL, env, len, LIA_REFUSAL_VERIFICATION,
		       lia_env_status_str(LIA_ENV_CERT_REVOKED));
	free(env);
}

/* A repeated id returns the original's acknowledgement, even when the
 * budget is spent or the clock has moved on: an agent's retry. */
static void test_duplicate_returns_the_original(void **state)
{
	(void)state;
	uint8_t *env;
	size_t len;
	route(&x.it, x.now, NULL, &env, &len);
	struct lia_session *s = bfix_session(&x, &x.it);
	const char *to[] = {"MT-AFM/valletta"};
	struct lia_publish_ack_view first = bfix_publish(&x, s, env, len, to, 1);
	assert_true(first.accepted);
	assert_int_equal(first.recipients, 1);

	struct lia_rate spent = {.window_start = x.now, .count = x.b.policy->publish_per_hour};
	struct lia_admission a;
	assert_int_equal(admit(&a, &x.it, &spent, env, len), LIA_ADMIT_DUPLICATE);
	assert_int_equal(a.refusal, LIA_REFUSAL_NONE);
	assert_int_equal(a.original.number, first.sequence);
	assert_int_equal(a.original.recipients, first.recipients);
	lia_admission_clear(&a);

	/* Through the pipeline: a queued duplicate acknowledgement. */
	struct lia_publish_ack_view again = bfix_publish(&x, s, env, len, to, 1);
	assert_true(again.queued && again.accepted && again.duplicate);
	assert_int_equal(again.sequence, first.sequence);
	free(env);
}

static void test_rate_skew_policy(void **state)
{
	(void)state;
	uint8_t *env;
	size_t len;
	struct lia_admission a;
	uint32_t limit = x.b.policy->publish_per_hour;
	assert_true(limit > 0);

	route(&x.it, x.now, NULL, &env, &len);
	struct lia_rate full = {.window_start = x.now - 10, .count = limit};
	expect_refusal(&x.it, &full, env, len, LIA_REFUSAL_RATE, NULL);
	/* The window is an hour: an old one no longer counts. */
	struct lia_rate old = {.window_start = x.now - 3600, .count = limit};
	assert_int_equal(admit(&a, &x.it, &old, env, len), LIA_ADMIT_ACCEPT);
	lia_admission_clear(&a);
	assert_int_equal(old.count, limit); /* read, never spent, by admission */
	free(env);

	route(&x.it, x.now - x.b.policy->skew_seconds - 1, NULL, &env, &len);
	expect_refusal(&x.it, NULL, env, len, LIA_REFUSAL_SKEW, NULL);
	free(env);

	route(&x.it, x.now, "NOWHERE", &env, &len);
	assert_int_equal(admit(&a, &x.it, NULL, env, len), LIA_ADMIT_REFUSE);
	assert_int_equal(a.refusal, LIA_REFUSAL_POLICY);
	assert_string_equal(a.rule, "names.defined");
	lia_admission_clear(&a);
	free(env);
}

/* The budget is spent only by an accepted message: one left, a message
 * refused for its clock does not take it, the next good one does. */
static void test_refused_message_spends_no_budget(void **state)
{
	(void)state;
	struct lia_session *s = bfix_session(&x, &x.it);
	const struct lia_directory_entry *me = lia_directory_find(&x.b.dir, "IT-GDF/ventimiglia");
	struct lia_rate *r = &x.b.budgets[me - x.b.dir.v].rate[LIA_LIMIT_PUBLISH];
	uint32_t limit = x.b.policy->publish_per_hour;
	*r = (struct lia_rate){.window_start = x.now, .count = limit - 1};
	const char *to[] = {"MT-AFM/valletta"};
	uint8_t *env;
	size_t len;

	route(&x.it, x.now - 2 * x.b.policy->skew_seconds, NULL, &env, &len);
	assert_false(bfix_publish(&x, s, env, len, to, 1).queued); /* refused at once */
	assert_int_equal(r->count, limit - 1);
	free(env);

	route(&x.it, x.now, "NOWHERE", &env, &len);
	assert_false(bfix_publish(&x, s, env, len, to, 1).queued);
	assert_int_equal(r->count, limit - 1);
	free(env);

	route(&x.it, x.now, NULL, &env, &len);
	assert_true(bfix_publish(&x, s, env, len, to, 1).accepted);
	assert_int_equal(r->count, limit);
	free(env);

	route(&x.it, x.now, NULL, &env, &len);
	assert_false(bfix_publish(&x, s, env, len, to, 1).queued); /* over the budget */
	assert_int_equal(r->count, limit);
	free(env);
}

static void test_rate_spend(void **state)
{
	(void)state;
	struct lia_rate r = {0};
	lia_rate_spend(&r, LIA_LIMIT_PUBLISH, x.now);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.window_start, x.now);
	lia_rate_spend(&r, LIA_LIMIT_PUBLISH, x.now + 3599);
	assert_int_equal(r.count, 2);
	lia_rate_spend(&r, LIA_LIMIT_PUBLISH, x.now + 3600); /* a new window */
	assert_int_equal(r.count, 1);
	assert_int_equal(r.window_start, x.now + 3600);
	lia_rate_spend(NULL, LIA_LIMIT_PUBLISH, x.now); /* no budget: nothing to spend */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_accepts_a_good_message, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_malformed_and_too_large, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_not_the_originator, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_bad_signature_before_the_store, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_another_originators_id_answers_as_forged, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_stored_envelope_keeps_only_admitted_wraps, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_revoked_originator, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_duplicate_returns_the_original, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_rate_skew_policy, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_refused_message_spends_no_budget, bfix_setup, bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_rate_spend, bfix_setup, bfix_teardown, &x),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
