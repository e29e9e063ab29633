/*
 * The policy loader (policy/load.h) and the policy model (policy.h):
 * every kind of mistake in a policy file gives its own message at the
 * line and column of the offending text; hard caps hold; the hash
 * depends on meaning, not on layout; the canonical form loads back to
 * the same hash; lookups and retention arithmetic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "pfix.h"
#include "policy.h"

/* The hash of pfix_alt_yaml; see test_hash_pinned. */
#define PINNED_ALT_HASH "69e36626db204a6ae526e7c8f80771b06074605c903bb7233269231bf0d036ae"

#define HEAD "version: 1\nexchange: TEST\nretention: {default_days: 30}\n"
#define ROLES "roles: {liaison: {publish: all, receive: all}}\n"
#define AGENCIES "agencies:\n  IT-PS: {country: IT}\n  HR-MUP: {country: HR}\n"
#define BASE HEAD ROLES AGENCIES /* lines 1-7 */

static struct lia_policy *parse(const char *text, struct lia_policy_error *e)
{
	return lia_policy_parse("test.yaml", (const uint8_t *)text, strlen(text), e);
}

struct bad {
	const char *name;
	const char *yaml;
	unsigned line, column;
	const char *says;
};

static const struct bad bad[] = {
	{"yaml syntax", "version: 1\nexchange: [TEST\nretention: x\n", 3, 10,
	 "YAML syntax error"},
	{"unknown top-level key", BASE "regoins: {}\n", 8, 1, "unknown key \"regoins\" in the policy"},
	{"unknown agency key", HEAD ROLES "agencies:\n  IT-PS: {country: IT, personal: true}\n", 6, 24,
	 "unknown key \"personal\" in agency \"IT-PS\""},
	{"duplicate agency", BASE "  IT-PS: {country: IT}\n", 8, 3,
	 "duplicate key \"IT-PS\" (first at line 6, column 3)"},
	{"duplicate top-level key", BASE "version: 1\n", 8, 1, "duplicate key \"version\""},
	{"undefined agency in a region", BASE "regions: {NORTH: {agencies: [HR-MUP, XX-YY]}}\n", 8,
	 38, "region \"NORTH\" names undefined agency \"XX-YY\""},
	{"undefined region in an agreement",
	 BASE "regions: {NORTH: {countries: [HR]}}\n"
	      "agreements: {A1: {type: multilateral, regions: [SOUTH], kinds: all}}\n",
	 9, 49, "agreement \"A1\" names undefined region \"SOUTH\""},
	{"undefined agency in an agreement",
	 BASE "agreements: {A1: {type: bilateral, parties: [IT-PS, RS-MUP], kinds: all}}\n", 8, 53,
	 "agreement \"A1\" names undefined agency \"RS-MUP\""},
	{"country code", HEAD ROLES "agencies:\n  IT-PS: {country: ITA}\n", 6, 20,
	 "\"ITA\" is not a valid country code"},
	{"agency name", HEAD ROLES "agencies:\n  it-ps: {country: IT}\n", 6, 3,
	 "\"it-ps\" is not a valid agency name"},
	{"boolean", HEAD ROLES "agencies:\n  IT-PS: {country: IT, judicial: yes}\n", 6, 34,
	 "judicial must be true or false, not \"yes\""},
	{"zero days", "version: 1\nexchange: TEST\nretention: {default_days: 0}\n" ROLES AGENCIES, 3,
	 27, "retention.default_days must be a whole number from 1 to 36500, not \"0\""},
	{"too many days", "version: 1\nexchange: TEST\nretention: {default_days: 40000}\n" ROLES AGENCIES,
	 3, 27, "from 1 to 36500, not \"40000\""},
	{"negative days", "version: 1\nexchange: TEST\nretention: {default_days: -5}\n" ROLES AGENCIES,
	 3, 27, "not \"-5\""},
	{"days as words", BASE "personal_data: {max_retention_days: a year}\n", 8, 37,
	 "personal_data.max_retention_days must be a whole number"},
	{"version", "version: 2\nexchange: TEST\n", 1, 10, "policy version 2 is not supported"},
	{"agency without a country", HEAD ROLES "agencies:\n  IT-PS: {description: police}\n", 6, 10,
	 "agency \"IT-PS\" has no \"country\""},
	{"no retention", "version: 1\nexchange: TEST\n" ROLES AGENCIES, 1, 1,
	 "the policy has no \"retention\""},
	{"auditor receiving", HEAD "roles: {auditor: {receive: [note]}}\n" AGENCIES, 4, 28,
	 "auditors never receive content"},
	{"broker role", HEAD "roles: {broker: {publish: all}}\n" AGENCIES, 4, 27,
	 "brokers never publish or receive content"},
	{"unknown role", HEAD "roles: {superuser: {publish: all}}\n" AGENCIES, 4, 9,
	 "unknown key \"superuser\" in roles"},
	{"bilateral of three",
	 HEAD ROLES AGENCIES "  RS-MUP: {country: RS}\n"
			     "agreements: {A1: {type: bilateral, parties: [IT-PS, HR-MUP, RS-MUP], "
			     "kinds: all}}\n",
	 9, 25, "a bilateral agreement has exactly two agencies as parties and no regions; "
		"agreement \"A1\" has 3 agencies"},
	{"agreement type", BASE "agreements: {A1: {type: trilateral, parties: [IT-PS], kinds: all}}\n",
	 8, 25, "must be bilateral or multilateral, not \"trilateral\""},
	{"agreement of one", BASE "agreements: {A1: {type: multilateral, parties: [IT-PS], kinds: all}}\n",
	 8, 14, "agreement \"A1\" has fewer than two agencies as parties"},
	{"agreement with no kinds",
	 BASE "agreements: {A1: {type: bilateral, parties: [IT-PS, HR-MUP], kinds: []}}\n", 8, 69,
	 "agreement \"A1\" lets no kind of message flow"},
	{"agreement without kinds",
	 BASE "agreements: {A1: {type: bilateral, parties: [IT-PS, HR-MUP]}}\n", 8, 18,
	 "agreement \"A1\" has no \"kinds\""},
	{"protected below personal data",
	 BASE "personal_data: {min_tlp: AMBER}\nprotected_persons: {min_tlp: GREEN}\n", 9, 30,
	 "protected_persons.min_tlp (GREEN) is below personal_data.min_tlp (AMBER)"},
	{"protected without H2", BASE "protected_persons: {handling: [H1]}\n", 8, 31,
	 "protected_persons.handling must include H2"},
	{"protected with H3", BASE "protected_persons: {handling: [H2, H3]}\n", 8, 31,
	 "cannot force H3"},
	{"protected clear", BASE "personal_data: {min_tlp: CLEAR}\nprotected_persons: {min_tlp: CLEAR}\n",
	 9, 30, "protected_persons.min_tlp cannot be CLEAR"},
	{"protected kept longer",
	 BASE "personal_data: {max_retention_days: 10}\nprotected_persons: {max_retention_days: 11}\n",
	 9, 41, "protected_persons.max_retention_days (11) is longer than"},
	{"handling code", BASE "protected_persons: {handling: [H2, H4]}\n", 8, 36,
	 "unknown handling code \"H4\""},
	{"tlp", BASE "personal_data: {min_tlp: PURPLE}\n", 8, 26,
	 "personal_data.min_tlp must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED, not \"PURPLE\""},
	{"anchor", BASE "regions: {NORTH: &n {countries: [HR]}}\n", 8, 18,
	 "anchors (&name) are not allowed"},
	{"alias", BASE "regions: {NORTH: {countries: [HR]}, SOUTH: *n}\n", 8, 44,
	 "aliases (*name) are not allowed"},
	{"tag", BASE "skew_seconds: !!int 60\n", 8, 15, "tags (!name) are not allowed"},
	{"second document", BASE "---\nversion: 1\n", 8, 1, "a policy file holds one YAML document"},
	{"empty", "", 0, 0, "the policy is empty"},
	{"not a mapping", "- version: 1\n", 1, 1, "a policy file is a mapping of sections"},
	{"unknown kind", HEAD "roles: {analyst: {receive: [route, rumour]}}\n" AGENCIES, 4, 36,
	 "unknown kind \"rumour\" in roles.analyst.receive"},
	{"kind twice", HEAD "roles: {analyst: {receive: [route, route]}}\n" AGENCIES, 4, 36,
	 "kind \"route\" is listed twice"},
	{"retention for an unknown kind",
	 "version: 1\nexchange: TEST\nretention: {default_days: 30, kinds: {gossip: 3}}\n" ROLES AGENCIES,
	 3, 39, "unknown kind \"gossip\" in retention.kinds"},
	{"kinds neither all nor a list", HEAD "roles: {analyst: {receive: some}}\n" AGENCIES, 4, 28,
	 "must be \"all\" or a sequence of kinds"},
	{"region without members", BASE "regions: {NORTH: {description: empty}}\n", 8, 11,
	 "region \"NORTH\" has no members"},
	{"country twice in a region", BASE "regions: {NORTH: {countries: [HR, SI, HR]}}\n", 8, 39,
	 "country \"HR\" is listed twice in region \"NORTH\""},
	{"agency twice in a region", BASE "regions: {NORTH: {agencies: [HR-MUP, HR-MUP]}}\n", 8, 38,
	 "agency \"HR-MUP\" is listed twice in region \"NORTH\""},
	{"agencies as a list", HEAD ROLES "agencies: [IT-PS, HR-MUP]\n", 5, 11,
	 "agencies must be a mapping, not a sequence"},
	{"no agencies", HEAD ROLES "agencies: {}\n", 5, 11, "agencies is empty"},
	{"control character", HEAD ROLES "agencies:\n  IT-PS: {country: IT, description: \"a\\tb\"}\n",
	 6, 37, "description contains a control character (U+0009)"},
	{"skew", BASE "skew_seconds: 90000\n", 8, 15, "skew_seconds must be a whole number from 0 to 86400"},
	{"evaluation scheme", BASE "evaluation: {scheme: 5x5}\n", 8, 22,
	 "evaluation.scheme must be 4x4 (Europol) or 6x6 (Admiralty)"},
	{"key not a scalar", BASE "? [a, b]\n: c\n", 8, 3, "a key must be a single value"},
	{"exchange name", "version: 1\nexchange: my exchange\n", 2, 11,
	 "\"my exchange\" is not a valid exchange name"},
	{"invalid UTF-8", BASE "description: \"caf\xe9\"\n", 8, 19, "not valid UTF-8"},
	{"recall key", BASE "recall: {liaison: true}\n", 8, 10, "unknown key \"liaison\" in recall"},
	{"recall not a bool", BASE "recall: {liaison_officers: maybe}\n", 8, 28,
	 "recall.liaison_officers must be true or false"},
	{"verification office agency", BASE "verification: {offices: {LY: LY-POL}}\n", 8, 30,
	 "verification.offices.LY names agency \"LY-POL\", which is not in agencies"},
	{"verification office country", BASE "verification: {offices: {Italy: IT-PS}}\n", 8, 26,
	 "\"Italy\" in verification.offices is not an ISO 3166-1 alpha-2 code"},
	{"verification office shape", BASE "verification: {offices: {IT: it-ps}}\n", 8, 30,
	 "verification.offices.IT must name an agency (IT-PS) or a principal"},
	{"verification deadline", BASE "verification: {deadlines: {urgent: 8x}}\n", 8, 36,
	 "verification.deadlines.urgent must be a duration from 1s to 366d"},
	{"verification deadline long", BASE "verification: {deadlines: {routine: 400d}}\n", 8, 37,
	 "verification.deadlines.routine must be a duration"},
	{"verification reminder", BASE "verification: {deadlines: {urgent: 30m}}\n", 8, 15,
	 "verification.remind_before (3600s) must be shorter than the urgent deadline (1800s)"},
	{"verification unknown key", BASE "verification: {deadline: {urgent: 1h}}\n", 8, 16,
	 "unknown key \"deadline\" in verification"},
};

#define NBAD (sizeof bad / sizeof bad[0])

static void test_each_mistake(void **state)
{
	(void)state;
	int failures = 0;
	for (size_t i = 0; i < NBAD; i++) {
		struct lia_policy_error e;
		struct lia_policy *p = parse(bad[i].yaml, &e);
		char where[32];
		snprintf(where, sizeof where, "test.yaml:%u:%u: ", bad[i].line, bad[i].column);
		bool ok = p == NULL && e.line == bad[i].line && e.column == bad[i].column &&
			  strstr(e.msg, bad[i].says) != NULL &&
			  (bad[i].line == 0 || strncmp(e.msg, where, strlen(where)) == 0);
		if (!ok) {
			fprintf(stderr, "case %zu \"%s\": want %u:%u \"%s\", got %u:%u \"%s\"\n", i,
				bad[i].name, bad[i].line, bad[i].column, bad[i].says, e.line, e.column,
				p == NULL ? e.msg : "(loaded)");
			failures++;
		}
		lia_policy_destroy(&p);
	}
	assert_int_equal(failures, 0);
}

/* Messages differ from one kind of mistake to the next. */
static void test_messages_distinct(void **state)
{
	(void)state;
	for (size_t i = 0; i < NBAD; i++)
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(bad[i].says, bad[j].says);
}

/* head, then n lines of pre [index] post, then tail. */
static char *repeat_text(const char *head, const char *pre, bool numbered, const char *post,
			 size_t n, const char *tail)
{
	size_t cap = strlen(head) + strlen(tail) + n * (strlen(pre) + strlen(post) + 24) + 1;
	char *s = malloc(cap);
	assert_non_null(s);
	size_t len = (size_t)snprintf(s, cap, "%s", head);
	for (size_t i = 0; i < n; i++) {
		if (numbered)
			len += (size_t)snprintf(s + len, cap - len, "%s%zu%s", pre, i, post);
		else
			len += (size_t)snprintf(s + len, cap - len, "%s%s", pre, post);
	}
	snprintf(s + len, cap - len, "%s", tail);
	return s;
}

static void test_caps(void **state)
{
	(void)state;
	struct lia_policy_error e;
	/* 513 agencies: the cap, before anything is allocated for them. */
	char *s = repeat_text(HEAD ROLES "agencies:\n", "  A", true, ": {country: IT}\n", 513, "");
	assert_null(parse(s, &e));
	assert_non_null(strstr(e.msg, "513 agencies are more than the limit of 512"));
	free(s);
	s = repeat_text(HEAD ROLES "agencies:\n", "  A", true, ": {country: IT}\n", 512, "");
	struct lia_policy *p = parse(s, &e);
	assert_non_null(p);
	assert_int_equal(p->n_agencies, 512);
	lia_policy_destroy(&p);
	free(s);
	/* More than 1024 entries in one mapping. */
	s = repeat_text(BASE "description: x\nx:\n", "  k", true, ": 1\n", 1025, "");
	assert_null(parse(s, &e));
	assert_non_null(strstr(e.msg, "more than 1024 entries"));
	free(s);
	/* 65 regions. */
	s = repeat_text(BASE "regions:\n", "  R", true, ": {countries: [IT]}\n", 65, "");
	assert_null(parse(s, &e));
	assert_non_null(strstr(e.msg, "65 regions are more than the limit of 64"));
	free(s);
	/* Nesting. */
	s = repeat_text(BASE "description: ", "[", false, "", 20, "");
	assert_null(parse(s, &e));
	assert_non_null(strstr(e.msg, "nested deeper than 12 levels"));
	free(s);
	/* A long value. */
	s = repeat_text(BASE "description: ", "x", false, "", 1100, "\n");
	assert_null(parse(s, &e));
	assert_non_null(strstr(e.msg, "longer than the limit of 1024"));
	free(s);
	s = repeat_text(BASE "description: ", "x", false, "", 300, "\n");
	assert_null(parse(s, &e));
	assert_non_null(strstr(e.msg, "description is 300 bytes, longer than the limit of 256"));
	free(s);
	/* The file size, before parsing. */
	size_t big = LIA_POLICY_MAX_BYTES + 1;
	uint8_t *buf = calloc(1, big);
	assert_non_null(buf);
	assert_null(lia_policy_parse("big.yaml", buf, big, &e));
	assert_non_null(strstr(e.msg, "larger than the limit of 1048576 bytes"));
	free(buf);
	/* Many small sequences, each within every other cap, together over
	 * the node cap: refused while the tree is built. */
	char row[64 * 2 + 8] = "  - [0";
	size_t at = strlen(row);
	for (int i = 1; i < 64; i++, at += 2)
		memcpy(row + at, ",0", 2);
	memcpy(row + at, "]\n", 3);
	s = repeat_text(BASE "description:\n", row, false, "", 1020, "");
	assert_null(parse(s, &e));
	assert_non_null(strstr(e.msg, "too many YAML nodes (limit 65536)"));
	free(s);
}

static void test_files(void **state)
{
	(void)state;
	struct lia_policy_error e;
	assert_null(lia_policy_load("/nonexistent/exchange.yaml", &e));
	assert_non_null(strstr(e.msg, "/nonexistent/exchange.yaml"));
	assert_int_equal(e.line, 0);
	struct lia_policy *p = lia_policy_load(pfix_source("policy/examples/exchange.yaml"), &e);
	assert_non_null(p);
	assert_string_equal(p->exchange, "MED-BALKAN");
	assert_true(p->n_regions >= 2 && p->n_regions <= 3);
	assert_true(p->n_agencies >= 6);
	size_t bilateral = 0, no_pd = 0;
	for (size_t i = 0; i < p->n_agreements; i++)
		bilateral += p->agreements[i].type == LIA_AGREEMENT_BILATERAL;
	for (size_t i = 0; i < p->n_agencies; i++)
		no_pd += !p->agencies[i].may_receive_personal_data;
	assert_true(bilateral >= 1);
	assert_true(no_pd >= 1);
	lia_policy_destroy(&p);
	lia_policy_destroy(&p); /* idempotent */
}

/* The same policy written differently has the same hash. */
static const char layout_a[] =
	"version: 1\n"
	"exchange: TEST\n"
	"retention: {default_days: 30}\n"
	"roles:\n"
	"  liaison: {publish: all, receive: all}\n"
	"  analyst: {receive: [route, network]}\n"
	"regions:\n"
	"  NORTH: {countries: [SI, HR]}\n"
	"agencies:\n"
	"  IT-PS: {country: IT, may_receive_personal_data: true}\n"
	"  HR-MUP: {country: HR}\n"
	"agreements:\n"
	"  A1: {type: bilateral, parties: [IT-PS, HR-MUP], kinds: [route]}\n";

static const char layout_b[] =
	"# the same, reordered, commented, in block style, defaults spelled out\n"
	"agreements:\n"
	"  A1:\n"
	"    kinds: [route]      # only routes\n"
	"    parties: [HR-MUP, IT-PS]\n"
	"    personal_data: false\n"
	"    type: bilateral\n"
	"agencies:\n"
	"  HR-MUP:\n"
	"    judicial: false\n"
	"    country: HR\n"
	"    may_receive_personal_data: false\n"
	"  IT-PS: {may_receive_personal_data: true, country: IT}\n"
	"regions: {NORTH: {countries: [HR, SI], agencies: []}}\n"
	"roles:\n"
	"  analyst: {receive: [network, route], publish: []}\n"
	"  liaison:\n"
	"    receive: [route, carrier, network, document, concealment, legislation, technical,\n"
	"              verification-request, verification-answer, note, recall]\n"
	"    publish: all\n"
	"skew_seconds: 300\n"
	"evaluation: {scheme: 4x4}\n"
	"retention:\n"
	"  kinds: {route: 30}\n"
	"  default_days: 30\n"
	"exchange: \"TEST\"\n"
	"version: 1\n";

static void hash_of(const char *text, uint8_t out[LIA_POLICY_HASH_BYTES])
{
	struct lia_policy_error e;
	struct lia_policy *p = parse(text, &e);
	if (p == NULL)
		fprintf(stderr, "%s\n", e.msg);
	assert_non_null(p);
	memcpy(out, p->hash, LIA_POLICY_HASH_BYTES);
	lia_policy_destroy(&p);
}

static void test_hash_is_semantic(void **state)
{
	(void)state;
	uint8_t a[32], b[32], c[32];
	hash_of(layout_a, a);
	hash_of(layout_b, b);
	assert_memory_equal(a, b, 32);
	/* One fact changed: another hash. */
	char *changed = strdup(layout_a);
	assert_non_null(changed);
	char *flag = strstr(changed, "HR-MUP: {country: HR}");
	assert_non_null(flag);
	memcpy(flag, "HR-MUP: {country: SI}", strlen("HR-MUP: {country: SI}"));
	hash_of(changed, c);
	assert_memory_not_equal(a, c, 32);
	free(changed);
}

/* The hash is SHA-256 of the domain line and the canonical form, and
 * the canonical form is itself a policy with the same hash. */
static void test_canonical(void **state)
{
	(void)state;
	for (int which = PFIX_EX; which <= PFIX_ALT; which++) {
		const struct lia_policy *p = pfix_policy((enum pfix_policy)which);
		char *text, err[LIA_ERR_MAX];
		size_t len;
		assert_int_equal(lia_policy_canonical(p, &text, &len, err), 0);
		assert_int_equal(strlen(text), len);
		assert_null(strchr(text, '\n'));
		size_t dlen = strlen(LIA_POLICY_HASH_DOMAIN);
		uint8_t *msg = malloc(dlen + len);
		assert_non_null(msg);
		memcpy(msg, LIA_POLICY_HASH_DOMAIN, dlen);
		memcpy(msg + dlen, text, len);
		uint8_t h[32];
		crypto_hash_sha256(h, msg, dlen + len);
		assert_memory_equal(h, p->hash, 32);
		free(msg);
		struct lia_policy_error e;
		struct lia_policy *back = lia_policy_parse("canonical.json", (const uint8_t *)text, len, &e);
		assert_non_null(back);
		assert_memory_equal(back->hash, p->hash, 32);
		lia_policy_destroy(&back);
		free(text);
	}
}

/* The hash of a fixed policy is part of the protocol: ledgers written
 * today name policies by it. If this changes, so did the canonical form,
 * and docs/policy.md and every stored hash with it. */
static void test_hash_pinned(void **state)
{
	(void)state;
	char hex[LIA_POLICY_HASH_HEX];
	lia_policy_hash_hex(pfix_policy(PFIX_ALT), hex);
	assert_string_equal(hex, PINNED_ALT_HASH);
}

static void test_model(void **state)
{
	(void)state;
	const struct lia_policy *p = pfix_policy(PFIX_EX);
	/* Sorted, unique, found by name. */
	for (size_t i = 1; i < p->n_agencies; i++)
		assert_true(strcmp(p->agencies[i - 1].name, p->agencies[i].name) < 0);
	for (size_t i = 0; i < p->n_agencies; i++)
		assert_int_equal(lia_policy_agency_index(p, p->agencies[i].name), (int)i);
	assert_int_equal(lia_policy_agency_index(p, "XX-YY"), -1);
	assert_null(lia_policy_agency(p, "IT"));
	int wb = lia_policy_region_index(p, "WESTERN-BALKANS");
	assert_true(wb >= 0);
	/* Membership by country and by name. */
	struct lia_names regions = {0};
	assert_int_equal(lia_names_add(&regions, "WESTERN-BALKANS"), 0);
	assert_true(lia_policy_in_regions(p, lia_policy_agency(p, "RS-MUP"), &regions));
	assert_true(lia_policy_in_regions(p, lia_policy_agency(p, "DE-BPOL"), &regions));
	assert_false(lia_policy_in_regions(p, lia_policy_agency(p, "IT-PS"), &regions));
	/* Retention: kind, personal data, protected persons. */
	assert_int_equal(lia_policy_retention_days(p, LIA_KIND_ROUTE, 0), 365);
	assert_int_equal(lia_policy_retention_days(p, LIA_KIND_NETWORK, 0), 1095);
	assert_int_equal(lia_policy_retention_days(p, LIA_KIND_RECALL, 0), 730);
	assert_int_equal(lia_policy_retention_days(p, LIA_KIND_NETWORK,
						   LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT)),
			 365);
	assert_int_equal(
		lia_policy_retention_days(p, LIA_KIND_NETWORK,
					  LIA_SUBJECT_BIT(LIA_SUBJECT_SMUGGLED_MIGRANT)),
		90);
	struct lia_header h;
	pfix_header(&h, "GREEN exp=+100");
	assert_int_equal(lia_policy_expiry(p, &h), PFIX_T0 + 100);
	pfix_header(&h, "GREEN keep=2");
	assert_int_equal(lia_policy_expiry(p, &h), PFIX_T0 + 2 * PFIX_DAY);
	pfix_header(&h, "GREEN created=+9223372035082416000");
	assert_int_equal(lia_policy_expiry(p, &h), INT64_MAX); /* saturates */
	/* Verification: the example's offices and deadlines, the alt's. */
	const struct lia_policy_office *o = lia_policy_office(p, "HR");
	assert_non_null(o);
	assert_string_equal(o->name, "HR-MUP");
	assert_true(o->is_agency);
	assert_null(lia_policy_office(p, "LY"));
	assert_int_equal(p->verif_deadline[LIA_URGENCY_URGENT], 8 * 3600);
	assert_int_equal(p->verif_deadline[LIA_URGENCY_ROUTINE], 7 * 86400);
	assert_true(p->verif_liaison_answer);
	const struct lia_policy *alt = pfix_policy(PFIX_ALT);
	o = lia_policy_office(alt, "HR");
	assert_non_null(o);
	assert_string_equal(o->name, "HR-MUP/zagreb");
	assert_false(o->is_agency);
	assert_int_equal(alt->verif_deadline[LIA_URGENCY_NORMAL], 2 * 86400);
	assert_int_equal(alt->verif_deadline[LIA_URGENCY_ROUTINE], 864000);
	assert_int_equal(alt->verif_remind_before, 600);
	assert_false(alt->verif_liaison_answer);
	assert_true(p->recall_liaison);
	assert_false(alt->recall_liaison); /* the default */
	/* No offices at all: loads, and every state has none (UBSan: no
	 * qsort of an empty array). */
	struct lia_policy_error pe;
	struct lia_policy *none = parse(BASE "verification: {offices: {}, remind_before: 0}\n", &pe);
	assert_non_null(none);
	assert_int_equal(none->n_offices, 0);
	assert_null(lia_policy_office(none, "HR"));
	assert_int_equal(none->verif_remind_before, 0);
	lia_policy_destroy(&none);
	assert_string_equal(lia_agreement_type_str(LIA_AGREEMENT_BILATERAL), "bilateral");
	assert_null(lia_agreement_type_str((enum lia_agreement_type)0));
	/* Defaults of a minimal policy. */
	struct lia_policy_error e;
	struct lia_policy *m = parse(BASE, &e);
	assert_non_null(m);
	assert_int_equal(m->skew_seconds, 300);
	assert_int_equal(m->eval_scheme, LIA_EVAL_EUROPOL_4X4);
	assert_int_equal(m->pd_min_tlp, LIA_TLP_GREEN);
	assert_int_equal(m->pd_max_days, 30);
	assert_int_equal(m->protected_min_tlp, LIA_TLP_AMBER);
	assert_int_equal(m->protected_handling, LIA_HANDLING_H2);
	assert_int_equal(m->protected_max_days, 30);
	assert_int_equal(m->n_regions, 0);
	assert_int_equal(m->n_agreements, 0);
	assert_false(lia_policy_agency(m, "IT-PS")->may_receive_personal_data);
	/* Every request that costs a ledger record is limited by default
	 * (issue 11, item 2). */
	assert_int_equal(m->publish_per_hour, 600);
	assert_int_equal(m->onward_requests_per_day, 100);
	assert_int_equal(m->audit_queries_per_hour, 600);
	uint8_t h600[32];
	memcpy(h600, m->hash, sizeof h600);
	lia_policy_destroy(&m);
	/* Written out they hold, 0 included (no limit), and are hashed. */
	m = parse(BASE "rate_limits: {audit_queries_per_hour: 50, onward_requests_per_day: 0}\n", &e);
	assert_non_null(m);
	assert_int_equal(m->audit_queries_per_hour, 50);
	assert_int_equal(m->onward_requests_per_day, 0);
	assert_int_equal(m->publish_per_hour, 600);
	assert_memory_not_equal(m->hash, h600, sizeof h600);
	lia_policy_destroy(&m);
	/* The old shape still loads: only the keys it names change. */
	m = parse(BASE "rate_limits: {publish_per_hour: 5}\n", &e);
	assert_non_null(m);
	assert_int_equal(m->publish_per_hour, 5);
	assert_int_equal(m->audit_queries_per_hour, 600);
	lia_policy_destroy(&m);
	assert_null(parse(BASE "rate_limits: {audit_queries_per_hour: -1}\n", &e));
	assert_null(parse(BASE "rate_limits: {audit_queries_per_minute: 5}\n", &e));
	assert_non_null(strstr(e.msg, "audit_queries_per_minute"));
}

static int teardown(void **state)
{
	(void)state;
	pfix_release();
	return 0;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_mistake),
		cmocka_unit_test(test_messages_distinct),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_hash_is_semantic),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_hash_pinned),
		cmocka_unit_test(test_model),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
