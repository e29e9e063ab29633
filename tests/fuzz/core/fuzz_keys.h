/*
 * fuzz_keys.h — a fixed exchange for the core fuzz harnesses: an
 * authority and two principals whose keys come from constant seeds, so
 * that the committed corpus (made by mkcorpus.c) stays valid and the
 * fuzzer starts from inputs that reach every stage of opening.
 * Test-only: these keys are public by construction.
 */
#ifndef LIA_FUZZ_KEYS_H
#define LIA_FUZZ_KEYS_H

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "keyfile.h"
#include "marking.h"
#include "sig.h"

#define FUZZ_T0 1795860000

struct fuzz_principal {
	struct lia_secret *sign, *box, *transport;
	struct lia_cert cert;
	uint8_t *cert_bytes;
	size_t cert_len;
};

struct fuzz_exchange {
	struct lia_secret *authority;
	struct fuzz_principal alice, bob;
};

static struct lia_secret *fuzz_secret(enum lia_key_purpose p, uint8_t seed_byte)
{
	uint8_t seed[32];
	memset(seed, seed_byte, sizeof seed);
	struct lia_secret *s = lia_secret_generate(p);
	if (s == NULL)
		abort();
	if (p == LIA_KEY_SIGN || p == LIA_KEY_AUTHORITY)
		crypto_sign_seed_keypair(s->pk, s->sk, seed);
	else
		crypto_box_seed_keypair(s->pk, s->sk, seed);
	lia_keyid(s->kid, s->pk);
	return s;
}

static void fuzz_principal(struct fuzz_principal *p, struct lia_secret *auth, const char *subject,
			   const char *country, uint8_t seed, uint64_t serial)
{
	char err[LIA_ERR_MAX];
	memset(p, 0, sizeof *p);
	p->sign = fuzz_secret(LIA_KEY_SIGN, seed);
	p->box = fuzz_secret(LIA_KEY_BOX, (uint8_t)(seed + 1));
	p->transport = fuzz_secret(LIA_KEY_TRANSPORT, (uint8_t)(seed + 2));
	struct lia_cert t;
	memset(&t, 0, sizeof t);
	t.serial = serial;
	t.kind = LIA_CERT_PRINCIPAL;
	memcpy(t.subject, subject, strlen(subject) + 1);
	lia_subject_agency(subject, t.agency);
	memcpy(t.country, country, 3);
	if (lia_names_add(&t.regions, "MED-CENTRAL") != 0)
		abort();
	t.roles = LIA_ROLE_BIT(LIA_ROLE_LIAISON);
	t.not_before = FUZZ_T0 - 86400;
	t.not_after = FUZZ_T0 + 10 * 365 * 86400LL;
	t.issued_at = t.not_before;
	memcpy(t.sign_pk, p->sign->pk, 32);
	memcpy(t.box_pk, p->box->pk, 32);
	memcpy(t.transport_pk, p->transport->pk, 32);
	if (lia_cert_issue(&p->cert_bytes, &p->cert_len, &t, auth, err) != 0 ||
	    lia_cert_decode(&p->cert, p->cert_bytes, p->cert_len, auth->pk) != LIA_CERT_OK)
		abort();
}

static void fuzz_exchange_init(struct fuzz_exchange *x)
{
	if (sodium_init() < 0)
		abort();
	x->authority = fuzz_secret(LIA_KEY_AUTHORITY, 1);
	fuzz_principal(&x->alice, x->authority, "IT-GDF/ventimiglia", "IT", 10, 1001);
	fuzz_principal(&x->bob, x->authority, "MT-AFM/valletta", "MT", 20, 1002);
}

#endif
