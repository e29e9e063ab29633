/* Loading the directory at start and on reload (broker/reload.h): the
 * revocation list in force survives a restart through the store, an
 * older list or a second list of one number is refused, and every
 * revocation is recorded once, first seen at start or on reload
 * (issue 10, item 5); one key in two certificates is refused and the
 * directory in force kept (item 9). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#include "bfix.h"
#include "reload.h"
#include "util.h"

static struct bfix x;

/* The certificates folder (it, mt) and a revocation list file, as the
 * daemon reads them. */
static void write_files(void)
{
	char err[LIA_ERR_MAX], path[PATH_MAX + 32];
	struct lia_broker *b = &x.b;
	memcpy(b->authority_pk, x.auth.key->pk, 32);
	snprintf(b->cfg.certificates, sizeof b->cfg.certificates, "%s/certs", x.tmp);
	snprintf(b->cfg.revocation_list, sizeof b->cfg.revocation_list, "%s/revocations.crl", x.tmp);
	assert_int_equal(mkdir(b->cfg.certificates, 0700), 0);
	const struct fx_principal *all[] = {&x.it, &x.mt};
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%zu.crt", b->cfg.certificates, i);
		if (lia_file_write_new(path, all[i]->cert_bytes, all[i]->cert_len, 0644, err) != 0)
			fail_msg("%s", err);
	}
}

/* Install a list of that number revoking serials[0..n), signed at t. */
static void put_crl(uint64_t number, int64_t t, const uint64_t *serials, size_t n)
{
	char err[LIA_ERR_MAX];
	struct lia_crl crl = {.number = number, .issued_at = t};
	for (size_t i = 0; i < n; i++)
		assert_int_equal(lia_crl_add(&crl, serials[i], t, "test", err), 0);
	uint8_t *buf = NULL;
	size_t len = 0;
	assert_int_equal(lia_crl_encode(&buf, &len, &crl, x.auth.key, err), 0);
	if (lia_file_replace(x.b.cfg.revocation_list, buf, len, 0644, err) != 0)
		fail_msg("%s", err);
	free(buf);
	lia_crl_clear(&crl);
}

static uint64_t records(void)
{
	char err[LIA_ERR_MAX];
	uint64_t n = 0;
	assert_int_equal(lia_ledger_size(x.b.ledger, &n, err), 0);
	return n;
}

/* The certificate-revoked records' serials, in ledger order. */
static size_t revoked_records(uint64_t *out, size_t max)
{
	char err[LIA_ERR_MAX];
	size_t k = 0;
	for (uint64_t seq = 0; seq < records(); seq++) {
		struct lia_record r;
		assert_int_equal(lia_ledger_get(x.b.ledger, seq, &r, err), 0);
		if (r.op == LIA_OP_CERTIFICATE_REVOKED && k < max)
			out[k++] = r.cert_serial;
	}
	return k;
}

/* What a restart does to the broker's memory: the directory is gone,
 * the store stays. */
static void restart(void)
{
	lia_directory_clear(&x.b.dir);
	lia_directory_init(&x.b.dir, x.auth.key->pk);
}

static void test_revocations_never_roll_back(void **state)
{
	(void)state;
	write_files();
	uint64_t mt = x.mt.cert.serial, it = x.it.cert.serial, got[8];
	put_crl(2, x.now, &mt, 1);
	assert_int_equal(lia_reload_directory(&x.b, false), 0);
	/* first seen at start: recorded */
	assert_int_equal(revoked_records(got, 8), 1);
	assert_int_equal(got[0], mt);

	restart();
	put_crl(1, x.now - 60, NULL, 0); /* older, validly signed */
	assert_int_equal(lia_reload_directory(&x.b, false), -1);
	put_crl(2, x.now + 1, NULL, 0); /* the same number, other bytes */
	assert_int_equal(lia_reload_directory(&x.b, false), -1);
	put_crl(2, x.now, &mt, 1); /* the list in force */
	assert_int_equal(lia_reload_directory(&x.b, false), 0);
	assert_int_equal(lia_cert_check(&lia_directory_find(&x.b.dir, "MT-AFM/valletta")->cert, &x.b.dir.crl,
					x.now),
			 LIA_CERT_REVOKED);
	assert_int_equal(revoked_records(got, 8), 1); /* not recorded again */

	/* On reload too, an older list is refused and the directory kept. */
	put_crl(1, x.now - 60, NULL, 0);
	assert_int_equal(lia_reload_directory(&x.b, true), -1);
	assert_int_equal(x.b.dir.crl.number, 2);

	/* Revoked while the broker was down: recorded at start, once. */
	restart();
	uint64_t both[] = {mt, it};
	put_crl(3, x.now + 5, both, 2);
	assert_int_equal(lia_reload_directory(&x.b, false), 0);
	assert_int_equal(revoked_records(got, 8), 2);
	assert_int_equal(got[1], it);
}

static void test_shared_key_keeps_directory(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX], path[PATH_MAX + 32];
	write_files();
	put_crl(2, x.now, NULL, 0);
	assert_int_equal(lia_reload_directory(&x.b, false), 0);
	/* gr's certificate again, under it's transport key */
	struct lia_cert t = x.gr.cert;
	memcpy(t.transport_pk, x.it.cert.transport_pk, 32);
	uint8_t *buf = NULL;
	size_t len = 0;
	assert_int_equal(lia_cert_issue(&buf, &len, &t, x.auth.key, err), 0);
	snprintf(path, sizeof path, "%s/gr.crt", x.b.cfg.certificates);
	assert_int_equal(lia_file_write_new(path, buf, len, 0644, err), 0);
	free(buf);
	assert_int_equal(lia_reload_directory(&x.b, true), -1);
	assert_int_equal(x.b.dir.n, 2); /* the directory in force */
	assert_null(lia_directory_find(&x.b.dir, "GR-HCG/piraeus"));
	restart();
	assert_int_equal(lia_reload_directory(&x.b, false), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_revocations_never_roll_back, bfix_setup,
							 bfix_teardown, &x),
		cmocka_unit_test_prestate_setup_teardown(test_shared_key_keeps_directory, bfix_setup,
							 bfix_teardown, &x),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
