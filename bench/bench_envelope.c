/*
 * bench_envelope.c — seal and open throughput for 1 KiB bodies with 1
 * and 10 recipients, printed beside the raw libsodium costs measured in
 * the same run (one Ed25519 sign, one verify), so machine noise cancels
 * in the ratios.
 *
 * Targets (issue #2): seal with 10 recipients >= 70 % of the sign rate,
 * open >= 70 % of the verify rate. Open here is what a recipient does
 * per message once its opener is warm: verify (signature, ciphertext
 * hash, originator certificate state) and open its own wrap.
 *
 * usage: bench_envelope [SECONDS-PER-FIGURE]   (default 1.0)
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "body.h"
#include "envelope.h"
#include "sig.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct party {
	struct lia_secret *sign, *box, *tr;
	struct lia_cert cert;
};

static void party(struct party *p, const struct lia_secret *auth, const char *subject, int i)
{
	char err[LIA_ERR_MAX];
	p->sign = lia_secret_generate(LIA_KEY_SIGN);
	p->box = lia_secret_generate(LIA_KEY_BOX);
	p->tr = lia_secret_generate(LIA_KEY_TRANSPORT);
	struct lia_cert t;
	memset(&t, 0, sizeof t);
	t.serial = (uint64_t)i + 1;
	t.kind = LIA_CERT_PRINCIPAL;
	snprintf(t.subject, sizeof t.subject, "%s%d", subject, i);
	lia_subject_agency(t.subject, t.agency);
	memcpy(t.country, "IT", 3);
	t.roles = LIA_ROLE_BIT(LIA_ROLE_ANALYST);
	t.not_before = 1;
	t.not_after = 4000000000LL;
	memcpy(t.sign_pk, p->sign->pk, 32);
	memcpy(t.box_pk, p->box->pk, 32);
	memcpy(t.transport_pk, p->tr->pk, 32);
	uint8_t *buf;
	size_t len;
	if (lia_cert_issue(&buf, &len, &t, auth, err) != 0 ||
	    lia_cert_decode(&p->cert, buf, len, auth->pk) != LIA_CERT_OK) {
		fprintf(stderr, "issue: %s\n", err);
		exit(1);
	}
	free(buf);
}

/* Run fn(ctx) repeatedly for about secs; return calls per second. */
static double rate(double secs, void (*fn)(void *), void *ctx)
{
	double t0 = now_s(), t;
	unsigned long n = 0;
	do {
		for (int k = 0; k < 64; k++)
			fn(ctx);
		n += 64;
	} while ((t = now_s()) - t0 < secs);
	return (double)n / (t - t0);
}

struct ctx {
	uint8_t msg[64], sig[64];
	const struct lia_secret *sk;
	int sink;
	struct lia_sealer *sealer;
	const struct lia_cert *to[10];
	size_t n_to;
	const uint8_t *body;
	size_t body_len;
	uint8_t *env;
	size_t env_len;
	struct lia_opener *opener;
	const struct lia_cert *orig;
};

static void do_sign(void *p)
{
	struct ctx *c = p;
	crypto_sign_detached(c->sig, NULL, c->msg, sizeof c->msg, c->sk->sk);
}

static void do_verify(void *p)
{
	struct ctx *c = p;
	c->sink += crypto_sign_verify_detached(c->sig, c->msg, sizeof c->msg, c->sk->pk);
}

static void do_seal(void *p)
{
	struct ctx *c = p;
	char err[LIA_ERR_MAX];
	struct lia_header h;
	memset(&h, 0, sizeof h);
	h.kind = LIA_KIND_ROUTE;
	h.restrictions.tlp = LIA_TLP_AMBER;
	free(c->env);
	if (lia_seal(c->sealer, &h, c->body, c->body_len, c->to, c->n_to, &c->env, &c->env_len, err) != 0)
		abort();
}

static void do_open(void *p)
{
	struct ctx *c = p;
	struct lia_opened op;
	if (lia_open(c->opener, c->env, c->env_len, c->orig, NULL, &op) != LIA_ENV_OK)
		abort();
	lia_opened_clear(&op);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 1.0;
	if (sodium_init() < 0 || secs <= 0)
		return 1;
	char err[LIA_ERR_MAX];
	struct lia_secret *auth = lia_secret_generate(LIA_KEY_AUTHORITY);
	struct party orig, rc[10];
	party(&orig, auth, "IT-GDF/orig", 0);
	for (int i = 0; i < 10; i++)
		party(&rc[i], auth, "MT-AFM/r", i);

	/* A 1 KiB body of realistic text. */
	char text[1025];
	for (size_t i = 0; i < sizeof text - 1; i++)
		text[i] = "Zuwara departures at night, rubber dinghies, 80-120 persons "[i % 60];
	text[1024] = '\0';
	json_t *b = NULL;
	if (lia_body_set(&b, "title", "bench", err) || lia_body_set(&b, "summary", text, err) ||
	    lia_body_set(&b, "route.mode", "sea", err))
		return 1;
	uint8_t *body;
	size_t body_len;
	if (lia_body_from_json(b, &body, &body_len, err) != 0)
		return 1;
	json_decref(b);

	/* Baselines: raw Ed25519 on a 64-byte hash, as our signatures are. */
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.msg[0] = 1;
	c.sk = orig.sign;
	crypto_sign_detached(c.sig, NULL, c.msg, sizeof c.msg, orig.sign->sk);
	double sign_rate = rate(secs, do_sign, &c);
	double verify_rate = rate(secs, do_verify, &c);

	c.sealer = lia_sealer_new(&orig.cert, orig.sign, orig.box);
	for (int i = 0; i < 10; i++)
		c.to[i] = &rc[i].cert;
	c.body = body;
	c.body_len = body_len;
	c.orig = &orig.cert;
	c.n_to = 1;
	double seal1 = rate(secs, do_seal, &c);
	c.opener = lia_opener_new(&rc[0].cert, rc[0].box);
	double open1 = rate(secs, do_open, &c);
	lia_opener_destroy(&c.opener);
	c.n_to = 10;
	double seal10 = rate(secs, do_seal, &c);
	c.opener = lia_opener_new(&rc[9].cert, rc[9].box);
	double open10 = rate(secs, do_open, &c);
	lia_opener_destroy(&c.opener);

	printf("envelope benchmark, 1 KiB body (%zu bytes serialized), %.1f s per figure\n", body_len, secs);
	printf("  baseline  ed25519 sign          %10.0f /s\n", sign_rate);
	printf("  baseline  ed25519 verify        %10.0f /s\n", verify_rate);
	printf("  seal,  1 recipient              %10.0f /s   %5.1f %% of sign\n", seal1, 100 * seal1 / sign_rate);
	printf("  seal, 10 recipients             %10.0f /s   %5.1f %% of sign   (target >= 70 %%)\n", seal10, 100 * seal10 / sign_rate);
	printf("  open,  1-recipient envelope     %10.0f /s   %5.1f %% of verify\n", open1, 100 * open1 / verify_rate);
	printf("  open, 10-recipient envelope     %10.0f /s   %5.1f %% of verify (target >= 70 %%)\n", open10, 100 * open10 / verify_rate);
	printf("  envelope size: %zu bytes with 10 wraps\n", c.env_len);
	lia_sealer_destroy(&c.sealer);
	free(c.env);
	free(body);
	return c.sink == 12345;
}
