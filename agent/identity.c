/*
 * identity.c — load and cross-check a principal's own keys and certificate.
 */
#include "identity.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static int join(char out[static PATH_MAX], const char *dir, const char *name,
		char err[static LIA_ERR_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || n >= PATH_MAX)
		return lia_errf(err, "path too long: \"%s/%s\"", dir, name);
	return 0;
}

static int load_secret(struct lia_secret **out, const char *dir, const char *name,
		       enum lia_key_purpose purpose, const uint8_t expect_pk[static 32],
		       const char *pass_file, char err[static LIA_ERR_MAX])
{
	char path[PATH_MAX];
	if (join(path, dir, name, err) != 0)
		return -1;
	*out = lia_secret_open(path, purpose, pass_file, err);
	if (*out == NULL)
		return -1;
	if (memcmp((*out)->pk, expect_pk, 32) != 0)
		return lia_errf(err, "\"%s\" is not the %s key named in the certificate", path,
				lia_key_purpose_str(purpose));
	return 0;
}

int lia_identity_load(struct lia_identity *id, const char *dir, const char *authority_key,
		      unsigned which, const char *pass_file, char err[static LIA_ERR_MAX])
{
	memset(id, 0, sizeof *id);
	char path[PATH_MAX];
	if (lia_pubkey_load(authority_key, LIA_KEY_AUTHORITY, id->authority_pk, id->exchange, err) != 0)
		return -1;
	if (join(path, dir, "cert.crt", err) != 0 ||
	    lia_cert_load(&id->cert, path, id->authority_pk, err) != 0)
		goto fail;
	if ((which & LIA_ID_SIGN) &&
	    load_secret(&id->sign, dir, "sign.sec", LIA_KEY_SIGN, id->cert.sign_pk, pass_file, err) != 0)
		goto fail;
	if ((which & LIA_ID_BOX) &&
	    load_secret(&id->box, dir, "box.sec", LIA_KEY_BOX, id->cert.box_pk, pass_file, err) != 0)
		goto fail;
	if ((which & LIA_ID_TRANSPORT) &&
	    load_secret(&id->transport, dir, "transport.sec", LIA_KEY_TRANSPORT,
			id->cert.transport_pk, pass_file, err) != 0)
		goto fail;
	return 0;
fail:
	lia_identity_clear(id);
	return -1;
}

void lia_identity_clear(struct lia_identity *id)
{
	lia_secret_destroy(&id->sign);
	lia_secret_destroy(&id->box);
	lia_secret_destroy(&id->transport);
	memset(id, 0, sizeof *id);
}

int lia_identity_peer(const struct lia_identity *id, struct lia_cert *out, const char *path,
		      char err[static LIA_ERR_MAX])
{
	return lia_cert_load(out, path, id->authority_pk, err);
}
