/*
 * Onward dissemination from the agent's side (agent/onward.h): checking
 * the signed consent of a granted request against the originator's
 * certificate in the directory, as `liaison consent list` shows it. The
 * calls that talk to a broker (ask, list, answer) are exercised by
 * tests/integration/broker/exchange.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onward.h"
#include "unit/core/fixture.h"

#define T0 1800000000

struct world {
	struct fx_authority auth;
	struct fx_principal originator, other;
	struct lia_directory dir;
	struct lia_consent_request req; /* granted, as the broker lists it */
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	assert_non_null(w);
	char err[LIA_ERR_MAX];
	fx_authority_init(&w->auth);
	fx_principal_init(&w->originator, &w->auth, "IT-GDF/ventimiglia", "IT", LIA_ROLE_LIAISON,
			  T0 - 10, T0 + 1000);
	fx_principal_init(&w->other, &w->auth, "FR-PN/nice", "FR", LIA_ROLE_LIAISON, T0 - 10,
			  T0 + 1000);
	lia_directory_init(&w->dir, w->auth.key->pk);
	if (lia_directory_add(&w->dir, w->originator.cert_bytes, w->originator.cert_len, err) != 0 ||
	    lia_directory_finish(&w->dir, err) != 0)
		fail_msg("directory: %s", err);

	struct lia_consent_request *r = &w->req;
	r->request = 3;
	memset(r->message_id, 0x5f, LIA_ID_BYTES);
	snprintf(r->originator, sizeof r->originator, "IT-GDF/ventimiglia");
	snprintf(r->requested_by, sizeof r->requested_by, "IT-GDF/roma");
	snprintf(r->grantee, sizeof r->grantee, "HR-MUP");
	snprintf(r->purpose, sizeof r->purpose, "joint investigation");
	r->state = LIA_CONSENT_GRANTED;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	lia_directory_clear(&w->dir);
	fx_principal_clear(&w->originator);
	fx_principal_clear(&w->other);
	fx_authority_clear(&w->auth);
	free(w);
	return 0;
}

/* Sign a consent to request r (with grantee changed if not NULL) by p. */
static void sign(struct lia_consent_request *r, const struct fx_principal *p, const char *grantee)
{
	char err[LIA_ERR_MAX];
	struct lia_consent_grant g;
	memset(&g, 0, sizeof g);
	memcpy(g.message_id, r->message_id, LIA_ID_BYTES);
	g.request = r->request;
	snprintf(g.grantee, sizeof g.grantee, "%s", grantee != NULL ? grantee : r->grantee);
	memcpy(g.requested_by, r->requested_by, LIA_NAME_MAX);
	memcpy(g.granted_by, p->cert.subject, LIA_NAME_MAX);
	g.granted_at = T0;
	memcpy(g.purpose, r->purpose, LIA_PURPOSE_MAX);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (lia_consent_sign(&g, p->sign, &buf, &len, err) != 0)
		fail_msg("sign: %s", err);
	assert_true(len <= sizeof r->consent);
	memcpy(r->consent, buf, len);
	r->consent_len = len;
	free(buf);
}

static void test_nothing_signed_nothing_to_say(void **state)
{
	struct world *w = *state;
	char out[LIA_ONWARD_CHECK_MAX];
	w->req.state = LIA_CONSENT_PENDING;
	lia_onward_check(&w->req, &w->dir, out);
	assert_string_equal(out, "");
}

static void test_the_originators_consent_verifies(void **state)
{
	struct world *w = *state;
	char out[LIA_ONWARD_CHECK_MAX];
	sign(&w->req, &w->originator, NULL);
	lia_onward_check(&w->req, &w->dir, out);
	assert_string_equal(out, "verified");
}

static void test_a_consent_to_something_else_is_invalid(void **state)
{
	struct world *w = *state;
	char out[LIA_ONWARD_CHECK_MAX];
	sign(&w->req, &w->originator, "RS-MUP"); /* signed for another grantee */
	lia_onward_check(&w->req, &w->dir, out);
	assert_string_equal(out, "INVALID: it consents to something else");
}

static void test_another_signer_is_invalid(void **state)
{
	struct world *w = *state;
	char out[LIA_ONWARD_CHECK_MAX];
	sign(&w->req, &w->other, NULL); /* not the originator's key */
	lia_onward_check(&w->req, &w->dir, out);
	assert_int_equal(strncmp(out, "INVALID: ", 9), 0);
}

static void test_tampered_bytes_are_invalid(void **state)
{
	struct world *w = *state;
	char out[LIA_ONWARD_CHECK_MAX];
	sign(&w->req, &w->originator, NULL);
	w->req.consent[w->req.consent_len / 2] ^= 1;
	lia_onward_check(&w->req, &w->dir, out);
	assert_int_equal(strncmp(out, "INVALID: ", 9), 0);
}

static void test_without_the_originator_not_checked(void **state)
{
	struct world *w = *state;
	char out[LIA_ONWARD_CHECK_MAX];
	sign(&w->req, &w->originator, NULL);
	lia_onward_check(&w->req, NULL, out);
	assert_string_equal(out, "not checked: IT-GDF/ventimiglia is not in the directory");
	snprintf(w->req.originator, sizeof w->req.originator, "FR-PN/nice");
	lia_onward_check(&w->req, &w->dir, out);
	assert_string_equal(out, "not checked: FR-PN/nice is not in the directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_signed_nothing_to_say, setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_originators_consent_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_consent_to_something_else_is_invalid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_another_signer_is_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered_bytes_are_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_the_originator_not_checked, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
