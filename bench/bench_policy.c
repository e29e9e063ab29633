/*
 * bench_policy.c — what lia_decide() costs per call with the example
 * policy, printed beside one Ed25519 verification measured in the same
 * run, so that machine noise cancels in the ratio.
 *
 * Target (issue #3): decide() <= 2 % of a verify. The broker verifies a
 * message once and decides once per candidate recipient; at that ratio
 * a message to 50 recipients spends as long deciding as verifying.
 *
 * Two decide figures: a mix of eight everyday decisions (PERMIT and DENY,
 * agreements, consents, personal data, H2 onward), and a worst case that
 * makes every list scan run to its end (32 names in each release and
 * deny list, the recipient last, a consent list to search). Each is the
 * median, over batches of 1000 calls, of the time per call; one million
 * calls in all by default.
 *
 * usage: bench_policy [CALLS] [POLICY-FILE]
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decide.h"
#include "load.h"
#include "policy.h"
#include "util.h"

#define BATCH 1000
#define T0 INT64_C(1772359200)

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof v[0], cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void cert(struct lia_cert *c, const char *subject, const char *country, uint32_t roles)
{
	memset(c, 0, sizeof *c);
	snprintf(c->subject, sizeof c->subject, "%s", subject);
	lia_subject_agency(c->subject, c->agency);
	snprintf(c->country, sizeof c->country, "%s", country);
	c->kind = LIA_CERT_PRINCIPAL;
	c->roles = roles;
	c->serial = 1000 + (uint64_t)strlen(subject);
	c->not_before = T0 - 86400 * 365;
	c->not_after = T0 + 86400 * 365;
}

static void add(struct lia_names *l, const char *name)
{
	if (lia_names_add(l, name) != 0)
		abort();
}

struct scenario {
	struct lia_header h;
	const struct lia_cert *recipient;
	enum lia_path path;
	const struct lia_consent *consents;
	size_t n_consents;
};

#define LIAISON LIA_ROLE_BIT(LIA_ROLE_LIAISON)
#define ANALYST LIA_ROLE_BIT(LIA_ROLE_ANALYST)

static struct lia_cert rome, zagreb, belgrade, valletta, piraeus, milano, potsdam;
static struct lia_consent consents[40];
static struct scenario mix[8], worst;

static void header(struct lia_header *h, enum lia_tlp tlp, enum lia_kind kind)
{
	memset(h, 0, sizeof *h);
	memset(h->id, 0x42, sizeof h->id);
	snprintf(h->originator, sizeof h->originator, "IT-PS/rome");
	h->created_at = T0;
	h->kind = kind;
	h->restrictions.tlp = tlp;
	add(&h->regions, "WESTERN-BALKANS");
}

static void setup(void)
{
	cert(&rome, "IT-PS/rome", "IT", LIAISON);
	cert(&zagreb, "HR-MUP/zagreb", "HR", ANALYST);
	cert(&belgrade, "RS-MUP/belgrade", "RS", ANALYST);
	cert(&valletta, "MT-AFM/valletta", "MT", LIAISON);
	cert(&piraeus, "GR-HCG/piraeus", "GR", ANALYST);
	cert(&milano, "IT-PS/milano", "IT", ANALYST);
	cert(&potsdam, "DE-BPOL/potsdam", "DE", ANALYST);
	for (size_t i = 0; i < sizeof consents / sizeof consents[0]; i++) {
		struct lia_consent *c = &consents[i];
		memset(c->message_id, 0x42, sizeof c->message_id);
		snprintf(c->grantee, sizeof c->grantee, "HR-MUP/desk%zu", i);
		snprintf(c->granted_by, sizeof c->granted_by, "IT-PS/rome");
		snprintf(c->requested_by, sizeof c->requested_by, "HR-MUP/zagreb");
		c->granted_at = T0;
	}
	snprintf(consents[39].grantee, sizeof consents[39].grantee, "RS-MUP/belgrade");

	/* 0: GREEN route to a member: PERMIT */
	header(&mix[0].h, LIA_TLP_GREEN, LIA_KIND_ROUTE);
	mix[0].recipient = &zagreb;
	/* 1: AMBER to two agencies with personal data, bilateral agreement: PERMIT */
	header(&mix[1].h, LIA_TLP_AMBER, LIA_KIND_NETWORK);
	add(&mix[1].h.restrictions.release_agencies, "HR-MUP");
	add(&mix[1].h.restrictions.release_agencies, "RS-MUP");
	mix[1].h.subjects = LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT);
	mix[1].recipient = &belgrade;
	/* 2: RED, not named: DENY */
	header(&mix[2].h, LIA_TLP_RED, LIA_KIND_NETWORK);
	add(&mix[2].h.restrictions.release_principals, "HR-MUP/zagreb");
	mix[2].recipient = &belgrade;
	/* 3: personal data to an agency that may not receive it: DENY */
	header(&mix[3].h, LIA_TLP_GREEN, LIA_KIND_CARRIER);
	mix[3].h.subjects = LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT);
	mix[3].recipient = &valletta;
	/* 4: H2 onward with a consent: PERMIT */
	header(&mix[4].h, LIA_TLP_GREEN, LIA_KIND_ROUTE);
	mix[4].h.restrictions.handling = LIA_HANDLING_H2;
	mix[4].recipient = &belgrade;
	mix[4].path = LIA_PATH_ONWARD;
	mix[4].consents = consents;
	mix[4].n_consents = 40;
	/* 5: AMBER+STRICT, own agency: PERMIT */
	header(&mix[5].h, LIA_TLP_AMBER_STRICT, LIA_KIND_DOCUMENT);
	mix[5].recipient = &milano;
	/* 6: region release, outside it: DENY */
	header(&mix[6].h, LIA_TLP_AMBER, LIA_KIND_ROUTE);
	add(&mix[6].h.restrictions.release_regions, "WESTERN-BALKANS");
	mix[6].recipient = &piraeus;
	/* 7: smuggled migrants, AMBER to a region with H3: PERMIT */
	header(&mix[7].h, LIA_TLP_AMBER, LIA_KIND_ROUTE);
	add(&mix[7].h.restrictions.release_regions, "WESTERN-BALKANS");
	mix[7].h.subjects = LIA_SUBJECT_BIT(LIA_SUBJECT_SMUGGLED_MIGRANT);
	mix[7].h.restrictions.handling = LIA_HANDLING_H2 | LIA_HANDLING_H3;
	snprintf(mix[7].h.restrictions.h3.text, sizeof mix[7].h.restrictions.h3.text,
		 "not for asylum proceedings");
	add(&mix[7].h.restrictions.h3.deny_countries, "TR");
	mix[7].recipient = &potsdam;
	for (int i = 0; i < 8; i++)
		if (mix[i].path == 0)
			mix[i].path = LIA_PATH_DIRECT;

	/* Worst case: every list full, the recipient's entry last. */
	struct lia_restrictions *r = &worst.h.restrictions;
	header(&worst.h, LIA_TLP_RED, LIA_KIND_NETWORK);
	worst.h.subjects = LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT);
	r->handling = LIA_HANDLING_ALL;
	snprintf(r->h3.text, sizeof r->h3.text, "worst case");
	char name[LIA_NAME_MAX];
	for (int i = 0; i < LIA_LIST_MAX - 1; i++) {
		snprintf(name, sizeof name, "XX-AGENCY%02d", i);
		add(&r->release_agencies, name);
		add(&r->h3.deny_agencies, name + 3);
		snprintf(name, sizeof name, "RS-MUP/desk%02d", i);
		add(&r->release_principals, name);
		snprintf(name, sizeof name, "REGION%02d", i);
		add(&r->release_regions, name);
		snprintf(name, sizeof name, "Q%c", 'A' + i % 26);
		add(&r->h3.deny_countries, name);
	}
	add(&r->release_agencies, "RS-MUP");
	add(&r->h3.deny_agencies, "NOT-RS");
	add(&r->release_principals, "RS-MUP/belgrade");
	add(&r->release_regions, "WESTERN-BALKANS");
	add(&r->h3.deny_countries, "QZ");
	worst.recipient = &belgrade;
	worst.path = LIA_PATH_ONWARD;
	worst.consents = consents;
	worst.n_consents = 40;
}

static volatile unsigned sink;

/* Median ns per call over batches of BATCH calls cycling through s[]. */
static double time_decide(const struct lia_policy *p, const struct scenario *s, size_t n_s,
			  size_t calls, unsigned *permits)
{
	size_t batches = calls / BATCH;
	double *per = malloc(batches * sizeof *per);
	if (per == NULL)
		abort();
	struct lia_decision d;
	unsigned ok = 0;
	for (size_t b = 0; b < batches; b++) {
		double t = now_ns();
		for (size_t i = 0; i < BATCH; i++) {
			const struct scenario *x = &s[i % n_s];
			struct lia_decide_input in = {&x->h,	     &rome,	   x->recipient,
						      NULL,	     x->path,	   x->consents,
						      x->n_consents, T0 + 3600};
			ok += lia_decide(&d, p, &in) == LIA_PERMIT;
		}
		per[b] = (now_ns() - t) / BATCH;
	}
	sink += ok;
	*permits = ok;
	double m = median(per, batches);
	free(per);
	return m;
}

static double time_verify(size_t n)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char msg[64], sig[crypto_sign_BYTES];
	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, sizeof msg);
	crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
	double *per = malloc(n * sizeof *per);
	if (per == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		double t = now_ns();
		sink += (unsigned)crypto_sign_verify_detached(sig, msg, sizeof msg, pk);
		per[i] = now_ns() - t;
	}
	double m = median(per, n);
	free(per);
	sodium_memzero(sk, sizeof sk);
	return m;
}

int main(int argc, char **argv)
{
	size_t calls = 1000000;
	const char *path = argc > 2 ? argv[2] : LIA_POLICY_EXAMPLE;
	if (argc > 1) {
		uint64_t v;
		if (lia_parse_u64(argv[1], &v) != 0 || v < BATCH) {
			fprintf(stderr, "usage: bench_policy [CALLS >= %d] [POLICY-FILE]\n", BATCH);
			return 2;
		}
		calls = (size_t)v;
	}
	if (sodium_init() < 0)
		return 1;
	struct lia_policy_error e;
	struct lia_policy *p = lia_policy_load(path, &e);
	if (p == NULL) {
		fprintf(stderr, "bench_policy: %s\n", e.msg);
		return 1;
	}
	setup();
	char hex[LIA_POLICY_HASH_HEX];
	lia_policy_hash_hex(p, hex);
	unsigned permits, worst_permits;
	time_decide(p, mix, 8, calls / 10, &permits); /* warm up */
	double verify = time_verify(2000);
	double mixed = time_decide(p, mix, 8, calls, &permits);
	double heavy = time_decide(p, &worst, 1, calls / 10, &worst_permits);
	double verify2 = time_verify(2000);
	verify = verify < verify2 ? verify : verify2;
	double ratio = 100.0 * mixed / verify;

	printf("policy   %s (%s) sha256:%.16s...\n", p->exchange, path, hex);
	printf("decide   %7.0f ns/call  median over %zu calls, mix of 8 decisions (%u%% PERMIT)\n",
	       mixed, calls, (unsigned)(100.0 * permits / (double)calls + 0.5));
	printf("decide   %7.0f ns/call  worst case: every list full, recipient last (%s)\n", heavy,
	       worst_permits ? "PERMIT" : "DENY");
	printf("verify   %7.0f ns       one Ed25519 verify, median of 2x2000\n", verify);
	printf("ratio    %7.2f %%        decide / verify (target <= 2 %%): %s\n", ratio,
	       ratio <= 2.0 ? "ok" : "OVER TARGET");
	printf("worst    %7.2f %%        worst-case decide / verify\n", 100.0 * heavy / verify);
	lia_policy_destroy(&p);
	return 0;
}
