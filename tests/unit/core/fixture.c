#define _XOPEN_SOURCE 700 /* nftw */
#include "fixture.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>
#include <sodium.h>

#include "util.h"

void fx_authority_init(struct fx_authority *a)
{
	assert_int_equal(sodium_init() >= 0, 1);
	a->key = lia_secret_generate(LIA_KEY_AUTHORITY);
	assert_non_null(a->key);
}

void fx_authority_clear(struct fx_authority *a)
{
	lia_secret_destroy(&a->key);
}

void fx_principal_init(struct fx_principal *p, const struct fx_authority *a, const char *subject,
		       const char *country, enum lia_role role, int64_t not_before, int64_t not_after)
{
	char err[LIA_ERR_MAX];
	memset(p, 0, sizeof *p);
	p->sign = lia_secret_generate(LIA_KEY_SIGN);
	p->box = lia_secret_generate(LIA_KEY_BOX);
	p->transport = lia_secret_generate(LIA_KEY_TRANSPORT);
	assert_non_null(p->sign);
	struct lia_cert t;
	memset(&t, 0, sizeof t);
	randombytes_buf(&t.serial, sizeof t.serial);
	t.serial = (t.serial & INT64_MAX) | 1;
	t.kind = role == LIA_ROLE_BROKER ? LIA_CERT_BROKER : LIA_CERT_PRINCIPAL;
	snprintf(t.subject, sizeof t.subject, "%s", subject);
	lia_subject_agency(subject, t.agency);
	snprintf(t.country, sizeof t.country, "%s", country);
	assert_int_equal(lia_names_add(&t.regions, "MED-CENTRAL"), 0);
	t.roles = LIA_ROLE_BIT(role);
	t.not_before = not_before;
	t.not_after = not_after;
	t.issued_at = not_before;
	memcpy(t.sign_pk, p->sign->pk, 32);
	memcpy(t.box_pk, p->box->pk, 32);
	memcpy(t.transport_pk, p->transport->pk, 32);
	if (lia_cert_issue(&p->cert_bytes, &p->cert_len, &t, a->key, err) != 0)
		fail_msg("issue: %s", err);
	assert_int_equal(lia_cert_decode(&p->cert, p->cert_bytes, p->cert_len, a->key->pk), LIA_CERT_OK);
}

void fx_principal_clear(struct fx_principal *p)
{
	lia_secret_destroy(&p->sign);
	lia_secret_destroy(&p->box);
	lia_secret_destroy(&p->transport);
	free(p->cert_bytes);
	memset(p, 0, sizeof *p);
}

void fx_tmpdir(char out[256])
{
	const char *base = getenv("TMPDIR");
	snprintf(out, 256, "%s/lia-test-XXXXXX", base ? base : "/tmp");
	assert_non_null(mkdtemp(out));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fx_tmpdir_remove(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
