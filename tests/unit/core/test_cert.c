/* Certificates, requests and revocation lists (core/cert.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cert.pb-c.h"
#include "fixture.h"
#include "sig.h"
#include "util.h"

#define T0 1795860000 /* 2026-11-28T10:00:00Z */
#define YEAR (365 * 86400)

static struct fx_authority auth, other_auth;
static struct fx_principal alice;

static int setup(void **state)
{
	(void)state;
	fx_authority_init(&auth);
	fx_authority_init(&other_auth);
	fx_principal_init(&alice, &auth, "IT-GDF/ventimiglia", "IT", LIA_ROLE_LIAISON, T0, T0 + YEAR);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_principal_clear(&alice);
	fx_authority_clear(&auth);
	fx_authority_clear(&other_auth);
	return 0;
}

static void test_issued_cert_verifies(void **state)
{
	(void)state;
	struct lia_cert c;
	assert_int_equal(lia_cert_decode(&c, alice.cert_bytes, alice.cert_len, auth.key->pk), LIA_CERT_OK);
	assert_string_equal(c.subject, "IT-GDF/ventimiglia");
	assert_string_equal(c.agency, "IT-GDF");
	assert_string_equal(c.country, "IT");
	assert_int_equal(c.regions.n, 1);
	assert_true(lia_cert_has_role(&c, LIA_ROLE_LIAISON));
	assert_false(lia_cert_has_role(&c, LIA_ROLE_AUDITOR));
	assert_memory_equal(c.sign_pk, alice.sign->pk, 32);
	assert_memory_equal(c.sign_kid, alice.sign->kid, LIA_KEYID_BYTES);
	assert_memory_equal(c.issuer_kid, auth.key->kid, LIA_KEYID_BYTES);
	assert_int_equal(lia_cert_check(&c, NULL, T0), LIA_CERT_OK);
	assert_int_equal(lia_cert_check(&c, NULL, T0 + YEAR - 1), LIA_CERT_OK);
}

/* Re-sign a modified body with the given key, for tampering tests. */
static void resign(uint8_t **out, size_t *out_len, const uint8_t *cert, size_t len,
		   void (*edit)(Liaison__V1__CertificateBody *), const struct lia_secret *key,
		   int keep_signature)
{
	Liaison__V1__Certificate *outer = liaison__v1__certificate__unpack(NULL, len, cert);
	assert_non_null(outer);
	Liaison__V1__CertificateBody *b =
		liaison__v1__certificate_body__unpack(NULL, outer->body.len, outer->body.data);
	assert_non_null(b);
	edit(b);
	size_t blen = liaison__v1__certificate_body__get_packed_size(b);
	uint8_t *body = malloc(blen);
	liaison__v1__certificate_body__pack(b, body);
	uint8_t sig[64];
	if (keep_signature)
		memcpy(sig, outer->signature.data, 64);
	else
		lia_sign(sig, LIA_CTX_CERT, body, blen, key->sk);
	Liaison__V1__Certificate o2 = LIAISON__V1__CERTIFICATE__INIT;
	o2.body = (ProtobufCBinaryData){blen, body};
	o2.signature = (ProtobufCBinaryData){64, sig};
	*out_len = liaison__v1__certificate__get_packed_size(&o2);
	*out = malloc(*out_len);
	liaison__v1__certificate__pack(&o2, *out);
	free(body);
	liaison__v1__certificate_body__free_unpacked(b, NULL);
	liaison__v1__certificate__free_unpacked(outer, NULL);
}

static void edit_role_auditor(Liaison__V1__CertificateBody *b)
{
	b->roles[0] = LIAISON__V1__ROLE__ROLE_AUDITOR;
}

static void edit_nothing(Liaison__V1__CertificateBody *b) { (void)b; }

static void edit_agency(Liaison__V1__CertificateBody *b) { memcpy(b->agency, "MT-AFM", 6); }

static void test_altered_field_fails(void **state)
{
	(void)state;
	uint8_t *buf;
	size_t len;
	struct lia_cert c;
	resign(&buf, &len, alice.cert_bytes, alice.cert_len, edit_role_auditor, auth.key, 1);
	assert_int_equal(lia_cert_decode(&c, buf, len, auth.key->pk), LIA_CERT_BAD_SIGNATURE);
	free(buf);
	/* A validly signed but inconsistent body is refused as malformed. */
	resign(&buf, &len, alice.cert_bytes, alice.cert_len, edit_agency, auth.key, 0);
	assert_int_equal(lia_cert_decode(&c, buf, len, auth.key->pk), LIA_CERT_MALFORMED);
	free(buf);
	/* Flip each byte of the encoding: never accepted. */
	buf = malloc(alice.cert_len);
	for (size_t i = 0; i < alice.cert_len; i++) {
		memcpy(buf, alice.cert_bytes, alice.cert_len);
		buf[i] ^= 0x01;
		assert_int_not_equal(lia_cert_decode(&c, buf, alice.cert_len, auth.key->pk), LIA_CERT_OK);
	}
	free(buf);
}

static void test_wrong_authority(void **state)
{
	(void)state;
	struct lia_cert c;
	assert_int_equal(lia_cert_decode(&c, alice.cert_bytes, alice.cert_len, other_auth.key->pk),
			 LIA_CERT_WRONG_AUTHORITY);
	/* Another authority's signature over a body naming ours. */
	uint8_t *buf;
	size_t len;
	resign(&buf, &len, alice.cert_bytes, alice.cert_len, edit_nothing, other_auth.key, 0);
	assert_int_equal(lia_cert_decode(&c, buf, len, auth.key->pk), LIA_CERT_BAD_SIGNATURE);
	free(buf);
}

static void test_validity_window(void **state)
{
	(void)state;
	assert_int_equal(lia_cert_check(&alice.cert, NULL, T0 - 1), LIA_CERT_NOT_YET_VALID);
	assert_int_equal(lia_cert_check(&alice.cert, NULL, T0 + YEAR), LIA_CERT_EXPIRED);
	assert_string_equal(lia_cert_status_str(LIA_CERT_EXPIRED), "expired");
}

static void test_revocation_list(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_crl crl = {.number = 1, .issued_at = T0};
	assert_int_equal(lia_crl_add(&crl, 50, T0, "a", err), 0);
	assert_int_equal(lia_crl_add(&crl, 10, T0, "b", err), 0);
	assert_int_equal(lia_crl_add(&crl, alice.cert.serial, T0 + 5, "laptop stolen", err), 0);
	assert_int_equal(lia_crl_add(&crl, 10, T0, "dup", err), -1);
	assert_int_equal(lia_crl_add(&crl, 0, T0, "zero", err), -1);
	char longreason[300];
	memset(longreason, 'x', sizeof longreason - 1);
	longreason[sizeof longreason - 1] = '\0';
	assert_int_equal(lia_crl_add(&crl, 77, T0, longreason, err), -1);
	uint8_t *buf;
	size_t len;
	assert_int_equal(lia_crl_encode(&buf, &len, &crl, auth.key, err), 0);
	struct lia_crl back;
	assert_int_equal(lia_crl_decode(&back, buf, len, auth.key->pk), LIA_CERT_OK);
	assert_int_equal(back.n, 3);
	assert_int_equal(back.v[0].serial, 10);
	assert_non_null(lia_crl_find(&back, alice.cert.serial));
	assert_string_equal(lia_crl_find(&back, alice.cert.serial)->reason, "laptop stolen");
	assert_null(lia_crl_find(&back, 11));
	assert_int_equal(lia_cert_check(&alice.cert, &back, T0 + 10), LIA_CERT_REVOKED);
	lia_crl_clear(&crl);
	assert_int_equal(lia_crl_decode(&crl, buf, len, other_auth.key->pk), LIA_CERT_WRONG_AUTHORITY);
	buf[len - 3] ^= 1; /* inside the signature */
	assert_int_equal(lia_crl_decode(&crl, buf, len, auth.key->pk), LIA_CERT_BAD_SIGNATURE);
	free(buf);
	lia_crl_clear(&back);
	/* An empty list round-trips too. */
	struct lia_crl empty = {.number = 7};
	assert_int_equal(lia_crl_encode(&buf, &len, &empty, auth.key, err), 0);
	assert_int_equal(lia_crl_decode(&back, buf, len, auth.key->pk), LIA_CERT_OK);
	assert_int_equal(back.n, 0);
	assert_int_equal(back.number, 7);
	free(buf);
	lia_crl_clear(&back);
}

static void test_request_round_trip_and_tamper(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	uint8_t *buf;
	size_t len;
	assert_int_equal(lia_request_make(&buf, &len, "MT-AFM/valletta", alice.sign, alice.box,
					  alice.transport, T0, err), 0);
	struct lia_request r;
	assert_int_equal(lia_request_decode(&r, buf, len), LIA_CERT_OK);
	assert_string_equal(r.subject, "MT-AFM/valletta");
	assert_memory_equal(r.box_pk, alice.box->pk, 32);
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0x80;
		assert_int_not_equal(lia_request_decode(&r, buf, len), LIA_CERT_OK);
		buf[i] ^= 0x80;
	}
	free(buf);
	assert_int_equal(lia_request_make(&buf, &len, "not a subject", alice.sign, alice.box,
					  alice.transport, T0, err), -1);
}

static void test_issue_refuses_inconsistent(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	uint8_t *buf = NULL;
	size_t len;
	struct lia_cert t = alice.cert;
	memcpy(t.agency, "MT-AFM", 7); /* subject is IT-GDF/... */
	assert_int_equal(lia_cert_issue(&buf, &len, &t, auth.key, err), -1);
	t = alice.cert;
	t.not_after = t.not_before;
	assert_int_equal(lia_cert_issue(&buf, &len, &t, auth.key, err), -1);
	t = alice.cert;
	t.roles = 0;
	assert_int_equal(lia_cert_issue(&buf, &len, &t, auth.key, err), -1);
	t = alice.cert;
	memcpy(t.box_pk, t.sign_pk, 32); /* one key for two purposes */
	assert_int_equal(lia_cert_issue(&buf, &len, &t, auth.key, err), -1);
	t = alice.cert;
	t.roles |= LIA_ROLE_BIT(LIA_ROLE_BROKER);
	assert_int_equal(lia_cert_issue(&buf, &len, &t, auth.key, err), -1);
	assert_null(buf);
}

static void test_oversized_and_garbage(void **state)
{
	(void)state;
	struct lia_cert c;
	uint8_t big[LIA_CERT_MAX_BYTES + 1];
	memset(big, 0, sizeof big);
	assert_int_equal(lia_cert_decode(&c, big, sizeof big, auth.key->pk), LIA_CERT_TOO_LARGE);
	assert_int_equal(lia_cert_decode(&c, (const uint8_t *)"\xff\xff\xff", 3, auth.key->pk),
			 LIA_CERT_MALFORMED);
	assert_int_equal(lia_cert_decode(&c, big, 0, auth.key->pk), LIA_CERT_MALFORMED);
	/* Truncations of a good certificate never pass. */
	for (size_t n = 0; n < alice.cert_len; n++)
		assert_int_not_equal(lia_cert_decode(&c, alice.cert_bytes, n, auth.key->pk), LIA_CERT_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issued_cert_verifies),
		cmocka_unit_test(test_altered_field_fails),
		cmocka_unit_test(test_wrong_authority),
		cmocka_unit_test(test_validity_window),
		cmocka_unit_test(test_revocation_list),
		cmocka_unit_test(test_request_round_trip_and_tamper),
		cmocka_unit_test(test_issue_refuses_inconsistent),
		cmocka_unit_test(test_oversized_and_garbage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
