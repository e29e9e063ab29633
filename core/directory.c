/*
 * directory.c — a verified set of certificates with indexes.
 */
#include "directory.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void lia_directory_init(struct lia_directory *d, const uint8_t authority_pk[static 32])
{
	memset(d, 0, sizeof *d);
	memcpy(d->authority_pk, authority_pk, 32);
}

void lia_directory_clear(struct lia_directory *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].bytes);
	free(d->v);
	free(d->by_transport);
	lia_crl_clear(&d->crl);
	free(d->crl_bytes);
	memset(d, 0, sizeof *d);
}

int lia_directory_add(struct lia_directory *d, const uint8_t *buf, size_t len,
		      char err[static LIA_ERR_MAX])
{
	if (d->n >= LIA_DIRECTORY_MAX_CERTS)
		return lia_errf(err, "more than %d certificates", LIA_DIRECTORY_MAX_CERTS);
	struct lia_cert c;
	enum lia_cert_status st = lia_cert_decode(&c, buf, len, d->authority_pk);
	if (st != LIA_CERT_OK)
		return lia_errf(err, "%s", lia_cert_status_str(st));
	/* A subject seen before keeps the certificate issued last. */
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->v[i].cert.subject, c.subject) != 0)
			continue;
		if (d->v[i].cert.issued_at > c.issued_at)
			return 0;
		uint8_t *copy = malloc(len);
		if (copy == NULL)
			return lia_errf(err, "out of memory");
		memcpy(copy, buf, len);
		free(d->v[i].bytes);
		d->v[i] = (struct lia_directory_entry){c, copy, len};
		return 0;
	}
	struct lia_directory_entry *v = realloc(d->v, (d->n + 1) * sizeof *v);
	if (v == NULL)
		return lia_errf(err, "out of memory");
	d->v = v;
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL)
		return lia_errf(err, "out of memory");
	memcpy(copy, buf, len);
	d->v[d->n++] = (struct lia_directory_entry){c, copy, len};
	return 0;
}

int lia_directory_set_crl(struct lia_directory *d, const uint8_t *buf, size_t len,
			  char err[static LIA_ERR_MAX])
{
	struct lia_crl crl;
	enum lia_cert_status st = lia_crl_decode(&crl, buf, len, d->authority_pk);
	if (st != LIA_CERT_OK)
		return lia_errf(err, "revocation list: %s", lia_cert_status_str(st));
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL) {
		lia_crl_clear(&crl);
		return lia_errf(err, "out of memory");
	}
	memcpy(copy, buf, len);
	lia_crl_clear(&d->crl);
	free(d->crl_bytes);
	d->crl = crl;
	d->crl_bytes = copy;
	d->crl_len = len;
	return 0;
}

static int by_subject(const void *a, const void *b)
{
	return strcmp(((const struct lia_directory_entry *)a)->cert.subject,
		      ((const struct lia_directory_entry *)b)->cert.subject);
}

/* qsort has no context argument: the transport index sorts pairs. */
struct tpair {
	const uint8_t *pk;
	size_t index;
};

static int by_pk(const void *a, const void *b)
{
	return memcmp(((const struct tpair *)a)->pk, ((const struct tpair *)b)->pk, 32);
}

/* One public key of one certificate, for the check below. */
struct kpair {
	const uint8_t *pk;
	size_t index;
	const char *kind;
};

static int kpair_cmp(const void *a, const void *b)
{
	return memcmp(((const struct kpair *)a)->pk, ((const struct kpair *)b)->pk, 32);
}

/* No public key in two unrevoked certificates (issue 10, item 9). A
 * transport key names the connection's principal, a box key the reader
 * of a wrap, a signing key the author: shared by two subjects, each of
 * them could act as, or read for, the other, and a lookup by key finds
 * whichever comes first. The three kinds share one pool, so that an
 * X25519 key certified as one subject's box key and another's transport
 * key is caught too; a certificate may repeat its own key. Revoked
 * certificates are out of it: revoking one of the pair is the remedy.
 * O(n log n) on every load. */
static int keys_unique(const struct lia_directory *d, char err[static LIA_ERR_MAX])
{
	struct kpair *k = calloc(d->n ? 3 * d->n : 1, sizeof *k);
	if (k == NULL)
		return lia_errf(err, "out of memory");
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct lia_cert *c = &d->v[i].cert;
		if (lia_crl_find(&d->crl, c->serial) != NULL)
			continue;
		k[n++] = (struct kpair){c->transport_pk, i, "transport"};
		k[n++] = (struct kpair){c->box_pk, i, "box"};
		k[n++] = (struct kpair){c->sign_pk, i, "signing"};
	}
	if (n > 1)
		qsort(k, n, sizeof *k, kpair_cmp);
	int rc = 0;
	for (size_t i = 1; i < n && rc == 0; i++) {
		if (k[i].index == k[i - 1].index || memcmp(k[i].pk, k[i - 1].pk, 32) != 0)
			continue;
		const struct lia_cert *a = &d->v[k[i - 1].index].cert, *b = &d->v[k[i].index].cert;
		rc = lia_errf(err, "one key in two certificates: the %s key of \"%s\" (serial %llu) is the %s key of "
				   "\"%s\" (serial %llu); revoke one of them",
			      k[i - 1].kind, a->subject, (unsigned long long)a->serial, k[i].kind, b->subject,
			      (unsigned long long)b->serial);
	}
	free(k);
	return rc;
}

int lia_directory_finish(struct lia_directory *d, char err[static LIA_ERR_MAX])
{
	if (d->n > 1)
		qsort(d->v, d->n, sizeof *d->v, by_subject);
	if (keys_unique(d, err) != 0)
		return -1;
	free(d->by_transport);
	d->by_transport = calloc(d->n ? d->n : 1, sizeof *d->by_transport);
	struct tpair *t = calloc(d->n ? d->n : 1, sizeof *t);
	if (d->by_transport == NULL || t == NULL) {
		free(t);
		return lia_errf(err, "out of memory");
	}
	for (size_t i = 0; i < d->n; i++)
		t[i] = (struct tpair){d->v[i].cert.transport_pk, i};
	if (d->n > 1)
		qsort(t, d->n, sizeof *t, by_pk);
	for (size_t i = 0; i < d->n; i++)
		d->by_transport[i] = t[i].index;
	free(t);
	return 0;
}

const struct lia_directory_entry *lia_directory_find(const struct lia_directory *d,
						     const char *subject)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->v[mid].cert.subject, subject);
		if (c == 0)
			return &d->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Two certificates may share a transport key when one of them is revoked
 * (lia_directory_finish refuses it only among unrevoked ones): the lookup
 * then returns the unrevoked one, so that revoking an impostor that
 * carried a principal's key lets the principal in, and returns a revoked
 * one only when no other holds the key (ZAP then says "revoked"). */
const struct lia_directory_entry *lia_directory_by_transport(const struct lia_directory *d,
							     const uint8_t pk[static 32])
{
	if (d->by_transport == NULL)
		return NULL;
	size_t lo = 0, hi = d->n;
	while (lo < hi) { /* the first entry whose key is not below pk */
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(d->v[d->by_transport[mid]].cert.transport_pk, pk, 32) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct lia_directory_entry *first = NULL;
	for (size_t i = lo; i < d->n; i++) {
		const struct lia_directory_entry *e = &d->v[d->by_transport[i]];
		if (memcmp(e->cert.transport_pk, pk, 32) != 0)
			break;
		if (lia_crl_find(&d->crl, e->cert.serial) == NULL)
			return e;
		if (first == NULL)
			first = e;
	}
	return first;
}

int lia_directory_load(struct lia_directory *d, const uint8_t authority_pk[static 32],
		       const char *dir, const char *crl_path, FILE *warn,
		       char err[static LIA_ERR_MAX])
{
	lia_directory_init(d, authority_pk);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (lia_file_read(crl_path, LIA_CRL_MAX_BYTES, &buf, &len, err) != 0)
		goto fail;
	int rc = lia_directory_set_crl(d, buf, len, err);
	free(buf);
	if (rc != 0)
		goto fail;
	DIR *dh = opendir(dir);
	if (dh == NULL) {
		lia_errf(err, "cannot open certificate folder \"%s\": %s", dir, strerror(errno));
		goto fail;
	}
	struct dirent *e;
	while ((e = readdir(dh)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".crt") != 0)
			continue;
		char path[PATH_MAX], why[LIA_ERR_MAX];
		int w = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (w < 0 || (size_t)w >= sizeof path)
			continue;
		if (lia_file_read(path, LIA_CERT_MAX_BYTES, &buf, &len, why) != 0 ||
		    lia_directory_add(d, buf, len, why) != 0) {
			if (warn != NULL)
				fprintf(warn, "certificate \"%s\" left out: %s\n", path, why);
		}
		free(buf);
		buf = NULL;
	}
	closedir(dh);
	if (lia_directory_finish(d, err) != 0)
		goto fail;
	return 0;
fail:
	lia_directory_clear(d);
	return -1;
}
