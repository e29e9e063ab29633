/*
 * directory.h — the set of certificates an exchange member knows: every
 * principal's certificate, verified against the authority, with the
 * revocation list. The broker loads it from a folder of .crt files; an
 * agent from the broker's Directory answer. Lookups by subject and by
 * transport key (the broker's ZAP handler) are O(log n).
 *
 * A certificate that does not verify is left out and reported, never
 * half-trusted. When a subject has several certificates (re-issued
 * keys), the one issued last is used. A directory in which two
 * unrevoked certificates share a public key is refused whole.
 */
#ifndef LIA_DIRECTORY_H
#define LIA_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cert.h"

#define LIA_DIRECTORY_MAX_CERTS 4096

struct lia_directory_entry {
	struct lia_cert cert;
	uint8_t *bytes; /* the certificate as issued */
	size_t len;
};

struct lia_directory {
	uint8_t authority_pk[32];
	size_t n;
	struct lia_directory_entry *v; /* sorted by subject */
	size_t *by_transport;          /* indexes into v, sorted by transport key */
	struct lia_crl crl;
	uint8_t *crl_bytes;
	size_t crl_len;
};

/* Start an empty directory under an authority key. */
void lia_directory_init(struct lia_directory *d, const uint8_t authority_pk[static 32]);
void lia_directory_clear(struct lia_directory *d);

/* Add one encoded certificate (verified first); 0, or -1 with err. */
int lia_directory_add(struct lia_directory *d, const uint8_t *buf, size_t len,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* Set the revocation list (verified first). */
int lia_directory_set_crl(struct lia_directory *d, const uint8_t *buf, size_t len,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* Sort and index after adding; must be called before lookups. Refuses
 * (-1, err naming both subjects and serials) a directory in which one
 * public key (transport, box or signing) is in two certificates that the
 * revocation list does not revoke: set the list first. */
int lia_directory_finish(struct lia_directory *d, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Load every *.crt file of a folder and a revocation list file. Files
 * that fail are reported on warn (may be NULL) and skipped. */
int lia_directory_load(struct lia_directory *d, const uint8_t authority_pk[static 32],
		       const char *dir, const char *crl_path, FILE *warn,
		       char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

const struct lia_directory_entry *lia_directory_find(const struct lia_directory *d,
						     const char *subject);
const struct lia_directory_entry *lia_directory_by_transport(const struct lia_directory *d,
							     const uint8_t pk[static 32]);

#endif
