/*
 * pfix.c — policy test fixtures (see pfix.h).
 */
#include "pfix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "util.h"

const uint8_t pfix_id[LIA_ID_BYTES] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
				       0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};

/* A policy that differs from the example where it matters: 6x6
 * evaluations required, short retention, stricter floors (AMBER for any
 * personal data; AMBER+STRICT, H1 and H2 for smuggled migrants), analysts
 * limited to two kinds, and one agreement covering only the south. */
const char pfix_alt_yaml[] =
	"version: 1\n"
	"exchange: ALT-TEST\n"
	"evaluation: {scheme: 6x6, required: true}\n"
	"skew_seconds: 60\n"
	"retention: {default_days: 30, kinds: {legislation: 400}}\n"
	"personal_data: {min_tlp: AMBER, max_retention_days: 20}\n"
	"protected_persons: {min_tlp: AMBER+STRICT, handling: [H1, H2], max_retention_days: 10}\n"
	"roles:\n"
	"  liaison: {publish: all, receive: all}\n"
	"  analyst: {publish: [], receive: [route, network]}\n"
	"regions:\n"
	"  NORTH: {countries: [HR]}\n"
	"  SOUTH: {countries: [IT, MT]}\n"
	"agencies:\n"
	"  IT-PS: {country: IT, may_receive_personal_data: true}\n"
	"  IT-GDF: {country: IT, may_receive_personal_data: true}\n"
	"  HR-MUP: {country: HR, may_receive_personal_data: true}\n"
	"  RS-MUP: {country: RS, may_receive_personal_data: true}\n"
	"  MT-AFM: {country: MT}\n"
	"agreements:\n"
	"  SOUTH-ONLY: {type: multilateral, regions: [SOUTH], kinds: all, personal_data: true}\n"
	"verification:\n"
	"  deadlines: {urgent: 2h, normal: 2d, routine: 864000}\n"
	"  remind_before: 10m\n"
	"  offices: {IT: IT-PS, HR: HR-MUP/zagreb}\n";

static struct lia_policy *policies[2];

const char *pfix_source(const char *rel)
{
	static char path[4][1024];
	static unsigned next;
	char *out = path[next++ % 4];
	int w = snprintf(out, sizeof path[0], "%s/%s", LIA_SOURCE_DIR, rel);
	if (w < 0 || (size_t)w >= sizeof path[0])
		abort();
	return out;
}

const struct lia_policy *pfix_policy(enum pfix_policy which)
{
	if (policies[which] != NULL)
		return policies[which];
	struct lia_policy_error e;
	if (which == PFIX_EX)
		policies[which] = lia_policy_load(pfix_source("policy/examples/exchange.yaml"), &e);
	else
		policies[which] = lia_policy_parse("alt.yaml", (const uint8_t *)pfix_alt_yaml,
						   strlen(pfix_alt_yaml), &e);
	if (policies[which] == NULL) {
		fprintf(stderr, "fixture policy: %s\n", e.msg);
		abort();
	}
	return policies[which];
}

void pfix_release(void)
{
	lia_policy_destroy(&policies[0]);
	lia_policy_destroy(&policies[1]);
}

/* --- the cast --- */

#define LIAISON LIA_ROLE_BIT(LIA_ROLE_LIAISON)
#define ANALYST LIA_ROLE_BIT(LIA_ROLE_ANALYST)
#define AUDITOR LIA_ROLE_BIT(LIA_ROLE_AUDITOR)
#define BROKER LIA_ROLE_BIT(LIA_ROLE_BROKER)
#define FROM (PFIX_T0 - 365 * PFIX_DAY)
#define UNTIL (PFIX_T0 + 3 * 365 * PFIX_DAY)

static const struct person {
	const char *subject;
	const char *country;
	uint32_t roles;
	uint64_t serial;
	int64_t not_before, not_after;
	enum lia_cert_kind kind;
} cast[] = {
	{"IT-PS/rome", "IT", LIAISON, 1, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-PS/milano", "IT", ANALYST, 2, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-PS/revoked-before", "IT", LIAISON, 778, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-PS/revoked-later", "IT", LIAISON, 777, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-PS/late", "IT", LIAISON, 3, PFIX_T0 + 10, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-PS/audit", "IT", AUDITOR, 4, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-PS/both", "IT", ANALYST | AUDITOR, 5, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-PS/brokerrole", "IT", BROKER, 6, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-GDF/ventimiglia", "IT", LIAISON, 10, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-GDF/genova", "IT", ANALYST, 11, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"IT-DNAA/roma", "IT", ANALYST, 12, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"MT-AFM/valletta", "MT", LIAISON, 20, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"GR-HCG/piraeus", "GR", ANALYST, 30, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"HR-MUP/zagreb", "HR", ANALYST, 40, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"HR-MUP/split", "HR", ANALYST, 41, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"HR-MUP/expired", "HR", ANALYST, 42, FROM, PFIX_T0 - 1, LIA_CERT_PRINCIPAL},
	{"HR-MUP/future", "HR", ANALYST, 43, PFIX_T0 + 100, UNTIL, LIA_CERT_PRINCIPAL},
	{"HR-MUP/revoked", "HR", ANALYST, 666, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"HR-MUP/shortlived", "HR", ANALYST, 44, FROM, PFIX_T0 + 120, LIA_CERT_PRINCIPAL},
	{"HR-MUP/wrongcountry", "SI", ANALYST, 45, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"RS-MUP/belgrade", "RS", ANALYST, 50, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"RS-MUP/novisad", "RS", LIAISON, 51, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"DE-BPOL/potsdam", "DE", ANALYST, 60, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"XX-NOPE/someone", "XX", ANALYST, 70, FROM, UNTIL, LIA_CERT_PRINCIPAL},
	{"BROKER-HUB/broker", "IT", BROKER, 80, FROM, UNTIL, LIA_CERT_BROKER},
};
#define CAST (sizeof cast / sizeof cast[0])

static struct lia_cert certs[CAST];
static int certs_ready;

static void copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		abort();
	memcpy(dst, src, n + 1);
}

static void make_certs(void)
{
	if (certs_ready)
		return;
	for (size_t i = 0; i < CAST; i++) {
		struct lia_cert *c = &certs[i];
		memset(c, 0, sizeof *c);
		copy(c->subject, sizeof c->subject, cast[i].subject);
		lia_subject_agency(c->subject, c->agency);
		copy(c->country, sizeof c->country, cast[i].country);
		c->roles = cast[i].roles;
		c->serial = cast[i].serial;
		c->kind = cast[i].kind;
		c->not_before = cast[i].not_before;
		c->not_after = cast[i].not_after;
		c->issued_at = FROM;
	}
	certs_ready = 1;
}

const struct lia_cert *pfix_cert(const char *subject)
{
	make_certs();
	for (size_t i = 0; i < CAST; i++)
		if (strcmp(certs[i].subject, subject) == 0)
			return &certs[i];
	fprintf(stderr, "fixture: no principal %s\n", subject);
	abort();
}

size_t pfix_cert_count(void)
{
	return CAST;
}

const struct lia_cert *pfix_cert_at(size_t i)
{
	make_certs();
	return &certs[i];
}

static struct lia_crl_entry crl_entries[] = {
	{666, PFIX_T0 - 100, "key lost"},
	{777, PFIX_T0 + 50, "left the service"},
	{778, PFIX_T0 - 10, "key compromised"},
};
static const struct lia_crl crl = {
	.number = 7, .issued_at = PFIX_T0 + 50, .n = 3, .v = crl_entries};

const struct lia_crl *pfix_crl(void)
{
	return &crl;
}

/* --- notation --- */

static void fail_token(const char *tok, const char *why)
{
	fprintf(stderr, "fixture marking token \"%s\": %s\n", tok, why);
	abort();
}

static void add_names(struct lia_names *l, const char *list)
{
	char buf[512];
	copy(buf, sizeof buf, list);
	for (char *s = buf; *s != '\0';) {
		size_t n = strcspn(s, ",");
		char save = s[n];
		s[n] = '\0';
		if (lia_names_add(l, s) != 0)
			fail_token(s, "list full");
		s += n + (save != '\0');
	}
}

static int64_t offset(const char *tok, const char *v)
{
	int64_t x;
	if (lia_parse_i64(v[0] == '+' ? v + 1 : v, &x) != 0)
		fail_token(tok, "bad number");
	return PFIX_T0 + x;
}

static void apply(struct lia_header *h, const char *tok)
{
	struct lia_restrictions *r = &h->restrictions;
	const char *eq = strchr(tok, '=');
	const char *v = eq != NULL ? eq + 1 : NULL;
	enum lia_tlp tlp;
	uint32_t bit;
	if (eq == NULL && lia_tlp_parse(tok, &tlp) == 0) {
		r->tlp = tlp;
	} else if (eq == NULL && lia_handling_parse(tok, &bit) == 0) {
		r->handling |= bit;
		if (bit == LIA_HANDLING_H3 && r->h3.text[0] == '\0')
			copy(r->h3.text, sizeof r->h3.text, "only for the Balkan route investigation");
	} else if (strcmp(tok, "bad-tlp") == 0) {
		r->tlp = (enum lia_tlp)9;
	} else if (strcmp(tok, "H3-no-text") == 0) {
		r->handling |= LIA_HANDLING_H3;
		r->h3.text[0] = '\0';
	} else if (strncmp(tok, "ra=", 3) == 0) {
		add_names(&r->release_agencies, v);
	} else if (strncmp(tok, "rp=", 3) == 0) {
		add_names(&r->release_principals, v);
	} else if (strncmp(tok, "rr=", 3) == 0) {
		add_names(&r->release_regions, v);
	} else if (strncmp(tok, "reg=", 4) == 0) {
		add_names(&h->regions, v);
	} else if (strncmp(tok, "emb=", 4) == 0) {
		r->embargo_until = offset(tok, v);
	} else if (strncmp(tok, "exp=", 4) == 0) {
		r->expires_at = offset(tok, v);
	} else if (strncmp(tok, "created=", 8) == 0) {
		h->created_at = offset(tok, v);
	} else if (strncmp(tok, "kind=", 5) == 0) {
		if (lia_kind_parse(v, &h->kind) != 0)
			fail_token(tok, "unknown kind");
	} else if (strncmp(tok, "subj=", 5) == 0) {
		struct lia_names l = {0};
		add_names(&l, v);
		for (size_t i = 0; i < l.n; i++) {
			enum lia_subject s;
			if (lia_subject_parse(l.v[i], &s) != 0)
				fail_token(tok, "unknown subject");
			h->subjects |= LIA_SUBJECT_BIT(s);
		}
	} else if (strncmp(tok, "ev=", 3) == 0) {
		if (strlen(v) != 2)
			fail_token(tok, "evaluation is two characters");
		h->evaluation.scheme = LIA_EVAL_EUROPOL_4X4;
		h->evaluation.source = v[0];
		h->evaluation.information = (uint8_t)(v[1] - '0');
	} else if (strncmp(tok, "ev6=", 4) == 0) {
		h->evaluation.scheme = LIA_EVAL_ADMIRALTY_6X6;
		h->evaluation.source = v[0];
		h->evaluation.information = (uint8_t)(v[1] - '0');
	} else if (strncmp(tok, "from=", 5) == 0) {
		copy(h->originator, sizeof h->originator, v);
	} else if (strncmp(tok, "da=", 3) == 0) {
		apply(h, "H3");
		add_names(&r->h3.deny_agencies, v);
	} else if (strncmp(tok, "dc=", 3) == 0) {
		apply(h, "H3");
		add_names(&r->h3.deny_countries, v);
	} else if (strncmp(tok, "roles=", 6) == 0) {
		apply(h, "H3");
		struct lia_names l = {0};
		add_names(&l, v);
		for (size_t i = 0; i < l.n; i++) {
			enum lia_role role;
			if (lia_role_parse(l.v[i], &role) != 0)
				fail_token(tok, "unknown role");
			r->h3.allowed_roles |= LIA_ROLE_BIT(role);
		}
	} else if (strncmp(tok, "keep=", 5) == 0) {
		apply(h, "H3");
		int64_t x;
		if (lia_parse_i64(v, &x) != 0)
			fail_token(tok, "bad number");
		r->h3.max_retention_days = (uint32_t)x;
	} else if (strncmp(tok, "h3fields", 8) == 0) {
		/* H3 fields without the code: for marking.h3 */
		copy(r->h3.text, sizeof r->h3.text, "stray");
	} else {
		fail_token(tok, "unknown token");
	}
}

void pfix_header(struct lia_header *h, const char *marking)
{
	memset(h, 0, sizeof *h);
	memcpy(h->id, pfix_id, LIA_ID_BYTES);
	copy(h->originator, sizeof h->originator, "IT-PS/rome");
	h->created_at = PFIX_T0;
	h->kind = LIA_KIND_ROUTE;
	h->restrictions.tlp = LIA_TLP_GREEN;
	copy(h->topic, sizeof h->topic, "fixture");
	char buf[1024];
	copy(buf, sizeof buf, marking);
	for (char *s = buf; *s != '\0';) {
		while (*s == ' ')
			s++;
		size_t n = strcspn(s, " ");
		if (n == 0)
			break;
		char save = s[n];
		s[n] = '\0';
		apply(h, s);
		s += n + (save != '\0');
	}
}

size_t pfix_consents(struct lia_consent out[static PFIX_MAX_CONSENTS], const char *spec,
		     const struct lia_header *h)
{
	size_t n = 0;
	if (spec == NULL)
		return 0;
	char buf[512];
	copy(buf, sizeof buf, spec);
	for (char *s = buf; *s != '\0';) {
		size_t len = strcspn(s, ",");
		char save = s[len];
		s[len] = '\0';
		if (n == PFIX_MAX_CONSENTS)
			fail_token(s, "too many consents");
		struct lia_consent *c = &out[n++];
		memset(c, 0, sizeof *c);
		memcpy(c->message_id, h->id, LIA_ID_BYTES);
		c->granted_at = PFIX_T0;
		copy(c->requested_by, sizeof c->requested_by, "HR-MUP/zagreb");
		char *item = s;
		if (*item == '!') {
			c->message_id[0] ^= 0xff;
			item++;
		}
		char *plus = strchr(item, '+');
		if (plus != NULL) {
			*plus = '\0';
			c->granted_at = offset(item, plus + 1);
		}
		char *gt = strchr(item, '>');
		if (gt != NULL) {
			*gt = '\0';
			copy(c->requested_by, sizeof c->requested_by, gt + 1);
		}
		char *at = strchr(item, '@');
		if (at == NULL)
			fail_token(item, "consent needs GRANTEE@GRANTED_BY");
		*at = '\0';
		copy(c->grantee, sizeof c->grantee, item);
		copy(c->granted_by, sizeof c->granted_by, at + 1);
		s += len + (save != '\0');
	}
	return n;
}
