/*
 * test_consent.c — signed consents to onward dissemination: round trip,
 * every field checked, tampering and the wrong signer refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "consent.h"
#include "fixture.h"
#include "util.h"

static struct fx_authority auth;
static struct fx_principal orig, req, other;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	fx_authority_init(&auth);
	int64_t now = lia_now();
	fx_principal_init(&orig, &auth, "IT-GDF/ventimiglia", "IT", LIA_ROLE_LIAISON, now - 60, now + 86400);
	fx_principal_init(&req, &auth, "IT-PS/roma", "IT", LIA_ROLE_LIAISON, now - 60, now + 86400);
	fx_principal_init(&other, &auth, "MT-AFM/valletta", "MT", LIA_ROLE_LIAISON, now - 60, now + 86400);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_principal_clear(&orig);
	fx_principal_clear(&req);
	fx_principal_clear(&other);
	fx_authority_clear(&auth);
	return 0;
}

static void grant_for(struct lia_consent_grant *g)
{
	memset(g, 0, sizeof *g);
	memset(g->message_id, 0xab, LIA_ID_BYTES);
	g->request = 7;
	snprintf(g->grantee, sizeof g->grantee, "%s", "HR-MUP/zagreb");
	snprintf(g->requested_by, sizeof g->requested_by, "%s", "IT-PS/roma");
	snprintf(g->granted_by, sizeof g->granted_by, "%s", "IT-GDF/ventimiglia");
	g->granted_at = 1800000000;
	snprintf(g->purpose, sizeof g->purpose, "%s", "joint operation");
}

static void test_round_trip(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_consent_grant g, got;
	grant_for(&g);
	uint8_t *buf;
	size_t len;
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), 0);
	assert_true(len <= LIA_CONSENT_MAX_BYTES);
	assert_int_equal(lia_consent_verify(buf, len, &orig.cert, &got, err), 0);
	assert_memory_equal(&g, &got, sizeof g);
	/* An agency as grantee is as good as a principal. */
	free(buf);
	snprintf(g.grantee, sizeof g.grantee, "%s", "HR-MUP");
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), 0);
	assert_int_equal(lia_consent_verify(buf, len, &orig.cert, &got, err), 0);
	assert_string_equal(got.grantee, "HR-MUP");
	free(buf);
}

static void test_wrong_signer_and_tampering(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_consent_grant g, got;
	grant_for(&g);
	uint8_t *buf;
	size_t len;
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), 0);
	/* Verified against someone else's key. */
	assert_int_equal(lia_consent_verify(buf, len, &other.cert, &got, err), -1);
	assert_non_null(strstr(err, "does not verify"));
	/* Every single-byte change is refused, and nothing is returned. */
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0x20;
		got.request = 99;
		assert_int_equal(lia_consent_verify(buf, len, &orig.cert, &got, err), -1);
		assert_int_equal(got.request, 0);
		buf[i] ^= 0x20;
	}
	/* Truncated, oversized, empty. */
	assert_int_equal(lia_consent_verify(buf, len - 1, &orig.cert, &got, err), -1);
	assert_int_equal(lia_consent_verify(buf, 0, &orig.cert, &got, err), -1);
	uint8_t *big = calloc(1, LIA_CONSENT_MAX_BYTES + 1);
	assert_int_equal(lia_consent_verify(big, LIA_CONSENT_MAX_BYTES + 1, &orig.cert, &got, err), -1);
	assert_non_null(strstr(err, "at most"));
	free(big);
	free(buf);
	/* Signed by the originator's key but naming another signer. */
	snprintf(g.granted_by, sizeof g.granted_by, "%s", "MT-AFM/valletta");
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), 0);
	assert_int_equal(lia_consent_verify(buf, len, &orig.cert, &got, err), -1);
	assert_non_null(strstr(err, "names MT-AFM/valletta"));
	free(buf);
}

static void test_invalid_fields_refused(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_consent_grant g;
	uint8_t *buf = NULL;
	size_t len;
	grant_for(&g);
	memcpy(g.requested_by, g.granted_by, sizeof g.requested_by); /* nobody approves their own request */
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), -1);
	grant_for(&g);
	memcpy(g.grantee, g.granted_by, sizeof g.grantee); /* nor grants to themselves */
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), -1);
	grant_for(&g);
	g.purpose[0] = '\0';
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), -1);
	grant_for(&g);
	snprintf(g.purpose, sizeof g.purpose, "%s", "line\nbreak");
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), -1);
	grant_for(&g);
	snprintf(g.grantee, sizeof g.grantee, "%s", "not a name");
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), -1);
	grant_for(&g);
	g.request = 0;
	assert_int_equal(lia_consent_sign(&g, orig.sign, &buf, &len, err), -1);
	grant_for(&g);
	assert_int_equal(lia_consent_sign(&g, orig.box, &buf, &len, err), -1); /* not a signing key */
	assert_null(buf);
	assert_true(lia_purpose_valid("x"));
	/* UTF-8 is welcome; broken UTF-8 and C1 controls are not (the text
	 * goes into the ledger and onto terminals). */
	assert_true(lia_purpose_valid("Zuwara\xe2\x80\x93" "Belgrade route"));
	assert_false(lia_purpose_valid("Zuwara\xe2\x80 route"));
	assert_false(lia_purpose_valid("\xc2\x9b" "31m"));
	assert_false(lia_purpose_valid("abc\xe2\x80\xae" "fdp.exe")); /* right-to-left override */
	assert_false(lia_purpose_valid("a\xe2\x80\x8b" "b"));           /* zero-width space */
	assert_false(lia_purpose_valid("\xef\xbb\xbf" "x"));            /* BOM */
	char longest[LIA_PURPOSE_MAX];
	memset(longest, 'a', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	assert_true(lia_purpose_valid(longest));
	char too_long[LIA_PURPOSE_MAX + 1];
	memset(too_long, 'a', sizeof too_long - 1);
	too_long[sizeof too_long - 1] = '\0';
	assert_false(lia_purpose_valid(too_long));
}

static void test_digest(void **state)
{
	(void)state;
	char hex[LIA_CONSENT_DIGEST_HEX];
	lia_consent_digest_hex((const uint8_t *)"abc", 3, hex); /* FIPS 180-2 example */
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_signer_and_tampering),
		cmocka_unit_test(test_invalid_fields_refused),
		cmocka_unit_test(test_digest),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
