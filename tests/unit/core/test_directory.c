/* The directory (core/directory.h): lookups, and the refusal of one
 * public key in two unrevoked certificates (issue 10, item 9). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "fixture.h"
#include "util.h"

#define T0 1795860000 /* 2026-11-28T10:00:00Z */
#define YEAR (365 * 86400)

static struct fx_authority auth;
static struct fx_principal alice, bob;

static int setup(void **state)
{
	(void)state;
	fx_authority_init(&auth);
	fx_principal_init(&alice, &auth, "IT-GDF/ventimiglia", "IT", LIA_ROLE_LIAISON, T0, T0 + YEAR);
	fx_principal_init(&bob, &auth, "MT-AFM/valletta", "MT", LIA_ROLE_LIAISON, T0, T0 + YEAR);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_principal_clear(&alice);
	fx_principal_clear(&bob);
	fx_authority_clear(&auth);
	return 0;
}

/* A certificate for subject carrying alice's keys, but with one of them
 * (which: 0 none, 1 transport, 2 box, 3 signing, 4 bob's transport key
 * as this one's box key) taken from elsewhere; *serial is set. */
static void issue_sharing(uint8_t **out, size_t *len, const char *subject, int which, uint64_t *serial)
{
	char err[LIA_ERR_MAX];
	struct lia_cert t = bob.cert; /* bob's keys, another subject */
	snprintf(t.subject, sizeof t.subject, "%s", subject);
	lia_subject_agency(subject, t.agency);
	t.serial = 0x1234567 + (uint64_t)which;
	t.issued_at = T0 + 10;
	if (which == 1)
		memcpy(t.transport_pk, alice.cert.transport_pk, 32);
	else if (which == 2)
		memcpy(t.box_pk, alice.cert.box_pk, 32);
	else if (which == 3)
		memcpy(t.sign_pk, alice.cert.sign_pk, 32);
	else if (which == 4)
		memcpy(t.box_pk, alice.cert.transport_pk, 32);
	if (which != 0) { /* and otherwise not bob's: only that key is shared */
		struct fx_principal fresh;
		fx_principal_init(&fresh, &auth, subject, "HR", LIA_ROLE_LIAISON, T0, T0 + YEAR);
		if (which != 1 && which != 4)
			memcpy(t.transport_pk, fresh.cert.transport_pk, 32);
		if (which != 2 && which != 4)
			memcpy(t.box_pk, fresh.cert.box_pk, 32);
		if (which != 3)
			memcpy(t.sign_pk, fresh.cert.sign_pk, 32);
		fx_principal_clear(&fresh);
	}
	if (lia_cert_issue(out, len, &t, auth.key, err) != 0)
		fail_msg("issue: %s", err);
	*serial = t.serial;
}

/* A directory of alice and one more certificate, under a list revoking
 * `revoked` (0: nobody). Returns lia_directory_finish's result. */
static int load(struct lia_directory *d, const uint8_t *extra, size_t extra_len, uint64_t revoked,
		char err[static LIA_ERR_MAX])
{
	struct lia_crl crl = {.number = 2, .issued_at = T0};
	uint8_t *buf = NULL;
	size_t len = 0;
	if (revoked != 0)
		assert_int_equal(lia_crl_add(&crl, revoked, T0, "test", err), 0);
	assert_int_equal(lia_crl_encode(&buf, &len, &crl, auth.key, err), 0);
	lia_crl_clear(&crl);
	lia_directory_init(d, auth.key->pk);
	assert_int_equal(lia_directory_set_crl(d, buf, len, err), 0);
	free(buf);
	assert_int_equal(lia_directory_add(d, alice.cert_bytes, alice.cert_len, err), 0);
	assert_int_equal(lia_directory_add(d, extra, extra_len, err), 0);
	return lia_directory_finish(d, err);
}

static void test_distinct_keys_load(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_directory d;
	assert_int_equal(load(&d, bob.cert_bytes, bob.cert_len, 0, err), 0);
	assert_non_null(lia_directory_find(&d, "MT-AFM/valletta"));
	const struct lia_directory_entry *e = lia_directory_by_transport(&d, alice.cert.transport_pk);
	assert_non_null(e);
	assert_string_equal(e->cert.subject, "IT-GDF/ventimiglia");
	lia_directory_clear(&d);
}

static void test_shared_key_refused(void **state)
{
	(void)state;
	static const char *kind[] = {"", "the transport key", "the box key", "the signing key", "the box key"};
	for (int which = 1; which <= 4; which++) {
		char err[LIA_ERR_MAX] = "";
		uint8_t *extra = NULL;
		size_t len = 0;
		uint64_t serial;
		issue_sharing(&extra, &len, "HR-MUP/zagreb", which, &serial);
		struct lia_directory d;
		assert_int_equal(load(&d, extra, len, 0, err), -1);
		/* both subjects and both serials, so an operator knows what to revoke */
		assert_non_null(strstr(err, "HR-MUP/zagreb"));
		assert_non_null(strstr(err, "IT-GDF/ventimiglia"));
		char s[32];
		snprintf(s, sizeof s, "%llu", (unsigned long long)serial);
		assert_non_null(strstr(err, s));
		snprintf(s, sizeof s, "%llu", (unsigned long long)alice.cert.serial);
		assert_non_null(strstr(err, s));
		assert_non_null(strstr(err, kind[which] + 4));
		lia_directory_clear(&d);
		free(extra);
	}
}

static void test_shared_key_of_revoked_certificate_loads(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	/* Impostors sorting before and after the victim: the lookup by
	 * transport key must not depend on where the search lands. */
	const char *impostors[] = {"HR-MUP/zagreb", "ZZ-XX/impostor"};
	for (size_t i = 0; i < 2; i++) {
		uint8_t *extra = NULL;
		size_t len = 0;
		uint64_t serial;
		issue_sharing(&extra, &len, impostors[i], 1, &serial);
		struct lia_directory d;
		/* Revoking either certificate of the pair is the remedy, and the
		 * key then resolves to the certificate that is not revoked. */
		assert_int_equal(load(&d, extra, len, serial, err), 0);
		const struct lia_directory_entry *e = lia_directory_by_transport(&d, alice.cert.transport_pk);
		assert_non_null(e);
		assert_string_equal(e->cert.subject, "IT-GDF/ventimiglia");
		lia_directory_clear(&d);
		assert_int_equal(load(&d, extra, len, alice.cert.serial, err), 0);
		e = lia_directory_by_transport(&d, alice.cert.transport_pk);
		assert_non_null(e);
		assert_string_equal(e->cert.subject, impostors[i]);
		lia_directory_clear(&d);
		free(extra);
	}
}

static void test_reissued_subject_keeps_its_keys(void **state)
{
	(void)state;
	/* The same subject certified twice with the same keys (a renewal)
	 * is one entry, not two: it loads. */
	char err[LIA_ERR_MAX];
	struct lia_cert t = alice.cert;
	t.serial ^= 0x10;
	t.issued_at += 100;
	uint8_t *again = NULL;
	size_t len = 0;
	assert_int_equal(lia_cert_issue(&again, &len, &t, auth.key, err), 0);
	struct lia_directory d;
	assert_int_equal(load(&d, again, len, 0, err), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(lia_directory_find(&d, "IT-GDF/ventimiglia")->cert.serial, t.serial);
	lia_directory_clear(&d);
	free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distinct_keys_load),
		cmocka_unit_test(test_shared_key_refused),
		cmocka_unit_test(test_shared_key_of_revoked_certificate_loads),
		cmocka_unit_test(test_reissued_subject_keeps_its_keys),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
