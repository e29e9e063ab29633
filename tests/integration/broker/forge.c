/*
 * forge.c — what a careless or compromised authority could sign, made
 * with the authority's key for the attack tests (attack_trust.sh), so
 * that they do not depend on what liaison-certs agrees to issue:
 *
 *   forge cert AUTHDIR SRC.crt SUBJECT OUT.crt
 *       a certificate for SUBJECT (agency: SUBJECT's prefix) carrying
 *       SRC's keys, with a new serial: one key, two subjects (item 9).
 *   forge crl AUTHDIR LIST.crl OUT.crl
 *       LIST again under the same number, signed at another time: a
 *       second list of one number (item 5).
 *
 * Keys are the demonstration's (no passphrase). Exit 0, or 1 with a
 * message.
 */
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "keyfile.h"
#include "marking.h"
#include "util.h"

static int forge_cert(const struct lia_secret *auth, const char *src, const char *subject,
		      const char *out, char err[static LIA_ERR_MAX])
{
	struct lia_cert c;
	if (lia_cert_load(&c, src, auth->pk, err) != 0)
		return -1;
	if (strlen(subject) >= sizeof c.subject)
		return lia_errf(err, "subject too long");
	snprintf(c.subject, sizeof c.subject, "%s", subject);
	lia_subject_agency(c.subject, c.agency);
	randombytes_buf(&c.serial, sizeof c.serial);
	c.serial = (c.serial & INT64_MAX) | 1;
	c.issued_at = lia_now();
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = lia_cert_issue(&buf, &len, &c, auth, err);
	if (rc == 0)
		rc = lia_file_write_new(out, buf, len, 0644, err);
	free(buf);
	if (rc == 0)
		printf("%llu\n", (unsigned long long)c.serial);
	return rc;
}

static int forge_crl(const struct lia_secret *auth, const char *src, const char *out,
		     char err[static LIA_ERR_MAX])
{
	struct lia_crl crl;
	if (lia_crl_load(&crl, src, auth->pk, err) != 0)
		return -1;
	crl.issued_at += 1; /* the same number, other bytes */
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = lia_crl_encode(&buf, &len, &crl, auth, err);
	if (rc == 0)
		rc = lia_file_write_new(out, buf, len, 0644, err);
	free(buf);
	lia_crl_clear(&crl);
	return rc;
}

int main(int argc, char **argv)
{
	char err[LIA_ERR_MAX] = "usage: forge cert AUTHDIR SRC.crt SUBJECT OUT.crt | forge crl AUTHDIR LIST OUT";
	if (sodium_init() < 0 || argc < 5)
		goto fail;
	char sec[PATH_MAX];
	int w = snprintf(sec, sizeof sec, "%s/authority.sec", argv[2]);
	if (w < 0 || (size_t)w >= sizeof sec)
		goto fail;
	struct lia_secret *auth = lia_secret_open(sec, LIA_KEY_AUTHORITY, NULL, err);
	if (auth == NULL)
		goto fail;
	int rc = -1;
	if (strcmp(argv[1], "cert") == 0 && argc == 6)
		rc = forge_cert(auth, argv[3], argv[4], argv[5], err);
	else if (strcmp(argv[1], "crl") == 0 && argc == 5)
		rc = forge_crl(auth, argv[3], argv[4], err);
	lia_secret_destroy(&auth);
	if (rc == 0)
		return 0;
fail:
	fprintf(stderr, "forge: %s\n", err);
	return 1;
}
