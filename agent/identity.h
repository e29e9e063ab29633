/*
 * identity.h — a principal's own trust material, loaded from its key
 * folder as `liaison-certs keygen` left it (sign.sec, box.sec,
 * transport.sec) plus the certificate the authority issued (cert.crt)
 * and the authority's public key.
 *
 * Loading verifies the certificate against the authority and checks that
 * each secret key is the one the certificate names: an agent never runs
 * with keys its certificate does not vouch for.
 */
#ifndef LIA_IDENTITY_H
#define LIA_IDENTITY_H

#include "cert.h"
#include "keyfile.h"

struct lia_identity {
	uint8_t authority_pk[32];
	char exchange[LIA_NAME_MAX];
	struct lia_cert cert;
	struct lia_secret *sign;      /* NULL unless asked for */
	struct lia_secret *box;       /* NULL unless asked for */
	struct lia_secret *transport; /* NULL unless asked for */
};

enum {
	LIA_ID_SIGN = 1,
	LIA_ID_BOX = 2,
	LIA_ID_TRANSPORT = 4,
};

/* Load from dir (cert.crt and the secrets named by which) and the
 * authority key file. pass_file may be NULL (terminal if needed). */
int lia_identity_load(struct lia_identity *id, const char *dir, const char *authority_key,
		      unsigned which, const char *pass_file, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
void lia_identity_clear(struct lia_identity *id);

/* Load and verify another principal's certificate against the same
 * authority (not its time validity: callers check that as they need). */
int lia_identity_peer(const struct lia_identity *id, struct lia_cert *out, const char *path,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
