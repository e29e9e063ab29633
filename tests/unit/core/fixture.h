/*
 * fixture.h — an exchange in memory for core tests: an authority and
 * principals with certificates issued by it, without touching disk.
 */
#ifndef LIA_TEST_FIXTURE_H
#define LIA_TEST_FIXTURE_H

#include <stdint.h>

#include "cert.h"
#include "keyfile.h"

struct fx_principal {
	struct lia_cert cert;
	struct lia_secret *sign, *box, *transport;
	uint8_t *cert_bytes;
	size_t cert_len;
};

struct fx_authority {
	struct lia_secret *key;
};

void fx_authority_init(struct fx_authority *a);
void fx_authority_clear(struct fx_authority *a);

/* Issue a principal "AGENCY/name" valid from not_before to not_after. */
void fx_principal_init(struct fx_principal *p, const struct fx_authority *a, const char *subject,
		       const char *country, enum lia_role role, int64_t not_before, int64_t not_after);
void fx_principal_clear(struct fx_principal *p);

/* A temporary directory for the test, removed by fx_tmpdir_remove. */
void fx_tmpdir(char out[256]);
void fx_tmpdir_remove(const char *dir);

#endif
