/* core/check.h and core/marking_pb.h: the checks every decoder shares.
 * Each class of text the one UTF-8 check accepts or refuses, each field
 * check on both sides of its bound, the capped allocator refusing past
 * its budget, and the marking decoded and encoded by the one codec. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "marking_pb.h"

/* s is a C string literal; its length excludes the NUL. */
#define SCAN(s, flags, cp) lia_text_scan((s), sizeof(s) - 1, (flags), (cp))

static void test_text_accepts(void **state)
{
	(void)state;
	assert_int_equal(SCAN("plain ASCII, with punctuation ~!", 0, NULL), LIA_TEXT_VALID);
	assert_int_equal(SCAN("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\xa2", 0, NULL), LIA_TEXT_VALID);
	assert_int_equal(SCAN("\xf4\x8f\xbf\xbf", 0, NULL), LIA_TEXT_VALID); /* U+10FFFF */
	assert_int_equal(SCAN("\xc2\xa0", 0, NULL), LIA_TEXT_VALID);          /* U+00A0: after C1 */
	assert_int_equal(lia_text_scan("", 0, 0, NULL), LIA_TEXT_VALID);
	assert_int_equal(lia_text_check("two\nlines", 9, true), 0);
}

static void test_text_not_utf8(void **state)
{
	(void)state;
	assert_int_equal(SCAN("\xc0\xaf", 0, NULL), LIA_TEXT_NOT_UTF8);         /* overlong '/' */
	assert_int_equal(SCAN("\xe0\x80\xaf", 0, NULL), LIA_TEXT_NOT_UTF8);     /* overlong, 3 bytes */
	assert_int_equal(SCAN("\xf0\x80\x80\xaf", 0, NULL), LIA_TEXT_NOT_UTF8); /* overlong, 4 bytes */
	assert_int_equal(SCAN("\xed\xa0\x80", 0, NULL), LIA_TEXT_NOT_UTF8);     /* surrogate D800 */
	assert_int_equal(SCAN("\xed\xbf\xbf", 0, NULL), LIA_TEXT_NOT_UTF8);     /* surrogate DFFF */
	assert_int_equal(SCAN("\xf4\x90\x80\x80", 0, NULL), LIA_TEXT_NOT_UTF8); /* U+110000 */
	assert_int_equal(SCAN("\xf5\x80\x80\x80", 0, NULL), LIA_TEXT_NOT_UTF8);
	assert_int_equal(SCAN("\x80", 0, NULL), LIA_TEXT_NOT_UTF8);             /* stray continuation */
	assert_int_equal(SCAN("caf\xe9", 0, NULL), LIA_TEXT_NOT_UTF8);          /* Latin-1 */
	assert_int_equal(SCAN("\xe2\x82", 0, NULL), LIA_TEXT_NOT_UTF8);         /* truncated */
	/* The bound is n, not the NUL: a sequence cut by n is refused. */
	assert_int_equal(lia_text_scan("\xe2\x82\xac", 2, 0, NULL), LIA_TEXT_NOT_UTF8);
	assert_int_equal(SCAN("\xc0\xaf", LIA_TEXT_FORMAT | LIA_TEXT_NEWLINE, NULL),
			 LIA_TEXT_NOT_UTF8);
}

/* Refused with no flags, and the code point reported. */
static void refused(const char *s, size_t n, uint32_t want)
{
	uint32_t cp = 0;
	assert_int_equal(lia_text_scan(s, n, 0, &cp), LIA_TEXT_REFUSED);
	assert_int_equal(cp, want);
	assert_int_equal(lia_text_check(s, n, false), -1);
}

static void test_text_refuses_controls(void **state)
{
	(void)state;
	refused("a\tb", 3, 0x09);           /* C0 */
	refused("\x1b[2J", 4, 0x1b);        /* C0: an escape sequence */
	refused("nul\0in", 6, 0x00);        /* an embedded NUL is C0 too */
	refused("del\x7f", 4, 0x7f);        /* DEL */
	refused("c1 \xc2\x9b", 5, 0x9b);    /* C1: CSI */
	refused("c1 \xc2\x80", 5, 0x80);
	refused("line\nbreak", 10, '\n');   /* newline without the flag */
	refused("cr\r\n", 4, '\r');
	/* With the flag, newline passes and nothing else does. */
	assert_int_equal(lia_text_check("a\nb\n", 4, true), 0);
	assert_int_equal(lia_text_check("a\r\nb", 4, true), -1);
	assert_int_equal(lia_text_check("a\tb", 3, true), -1);
}

static void test_text_refuses_invisible(void **state)
{
	(void)state;
	refused("\xe2\x80\xae" "evil", 7, 0x202e); /* RIGHT-TO-LEFT OVERRIDE */
	refused("\xe2\x80\xaa", 3, 0x202a);        /* LEFT-TO-RIGHT EMBEDDING */
	refused("\xe2\x81\xa6", 3, 0x2066);        /* LEFT-TO-RIGHT ISOLATE */
	refused("\xe2\x80\x8b", 3, 0x200b);        /* ZERO WIDTH SPACE */
	refused("\xe2\x80\x8d", 3, 0x200d);        /* ZERO WIDTH JOINER */
	refused("\xe2\x80\x8f", 3, 0x200f);        /* RIGHT-TO-LEFT MARK */
	refused("\xe2\x81\xa0", 3, 0x2060);        /* WORD JOINER */
	refused("\xef\xbb\xbf" "bom", 6, 0xfeff);  /* BOM */
	refused("\xe2\x80\xa8", 3, 0x2028);        /* LINE SEPARATOR */
	refused("\xe2\x80\xa9", 3, 0x2029);        /* PARAGRAPH SEPARATOR */
	/* Just outside the ranges. */
	assert_int_equal(SCAN("\xe2\x80\x8a", 0, NULL), LIA_TEXT_VALID); /* U+200A HAIR SPACE */
	assert_int_equal(SCAN("\xe2\x80\xaf", 0, NULL), LIA_TEXT_VALID); /* U+202F */
	assert_int_equal(SCAN("\xe2\x81\xaa", 0, NULL), LIA_TEXT_VALID); /* U+206A */
}

static void test_text_format_flag(void **state)
{
	(void)state;
	/* The policy loader's flag lets formatting characters through ... */
	assert_int_equal(SCAN("\xe2\x80\x8c", LIA_TEXT_FORMAT, NULL), LIA_TEXT_VALID); /* ZWNJ */
	assert_int_equal(SCAN("\xe2\x80\xae", LIA_TEXT_FORMAT, NULL), LIA_TEXT_VALID);
	/* ... but never separators, the BOM, controls or newlines. */
	uint32_t cp = 0;
	assert_int_equal(SCAN("\xe2\x80\xa8", LIA_TEXT_FORMAT, &cp), LIA_TEXT_REFUSED);
	assert_int_equal(cp, 0x2028);
	assert_int_equal(SCAN("\xef\xbb\xbf", LIA_TEXT_FORMAT, &cp), LIA_TEXT_REFUSED);
	assert_int_equal(SCAN("a\tb", LIA_TEXT_FORMAT, &cp), LIA_TEXT_REFUSED);
	assert_int_equal(SCAN("a\nb", LIA_TEXT_FORMAT, &cp), LIA_TEXT_REFUSED);
	assert_int_equal(SCAN("\xc2\x9b", LIA_TEXT_FORMAT, &cp), LIA_TEXT_REFUSED);
}

static void test_budget(void **state)
{
	(void)state;
	struct lia_pb_budget b;
	lia_pb_budget_init(&b, 100);
	void *p = b.alloc.alloc(b.alloc.allocator_data, 60);
	assert_non_null(p);
	assert_int_equal(b.used, 60);
	/* The cap is on the total, not on each block. */
	assert_null(b.alloc.alloc(b.alloc.allocator_data, 41));
	void *q = b.alloc.alloc(b.alloc.allocator_data, 40);
	assert_non_null(q);
	assert_null(b.alloc.alloc(b.alloc.allocator_data, 1));
	/* Freeing gives back to the budget. */
	b.alloc.free(b.alloc.allocator_data, p);
	assert_int_equal(b.used, 40);
	p = b.alloc.alloc(b.alloc.allocator_data, 60);
	assert_non_null(p);
	b.alloc.free(b.alloc.allocator_data, p);
	b.alloc.free(b.alloc.allocator_data, q);
	b.alloc.free(b.alloc.allocator_data, NULL);
	assert_int_equal(b.used, 0);
	assert_null(b.alloc.alloc(b.alloc.allocator_data, SIZE_MAX));
}

static void test_budget_in_unpack(void **state)
{
	(void)state;
	/* A Restrictions with 20 release agencies: decodes under the budget
	 * for its size, not under one far smaller. */
	Liaison__V1__Restrictions r = LIAISON__V1__RESTRICTIONS__INIT;
	char *names[20];
	for (size_t i = 0; i < 20; i++)
		names[i] = "IT-PS";
	r.tlp = LIAISON__V1__TLP__TLP_GREEN;
	r.release_agencies = names;
	r.n_release_agencies = 20;
	uint8_t buf[512];
	size_t len = liaison__v1__restrictions__pack(&r, buf);
	struct lia_pb_budget b;
	lia_pb_budget_init(&b, LIA_PB_BUDGET(len));
	Liaison__V1__Restrictions *m = liaison__v1__restrictions__unpack(&b.alloc, len, buf);
	assert_non_null(m);
	liaison__v1__restrictions__free_unpacked(m, &b.alloc);
	assert_int_equal(b.used, 0);
	lia_pb_budget_init(&b, 64);
	assert_null(liaison__v1__restrictions__unpack(&b.alloc, len, buf));
	assert_int_equal(b.used, 0);
}

static void test_fields(void **state)
{
	(void)state;
	uint8_t id[16], src[17] = {1, 2, 3};
	bool has = true;
	assert_int_equal(lia_pb_fixed(id, 16, &(ProtobufCBinaryData){16, src}), 0);
	assert_int_equal(id[2], 3);
	assert_int_equal(lia_pb_fixed(id, 16, &(ProtobufCBinaryData){17, src}), -1); /* over-long */
	assert_int_equal(lia_pb_fixed(id, 16, &(ProtobufCBinaryData){15, src}), -1);
	assert_int_equal(lia_pb_fixed_opt(&has, id, 16, &(ProtobufCBinaryData){0, NULL}), 0);
	assert_false(has);
	assert_int_equal(lia_pb_fixed_opt(&has, id, 16, &(ProtobufCBinaryData){16, src}), 0);
	assert_true(has);
	assert_int_equal(lia_pb_fixed_opt(&has, id, 16, &(ProtobufCBinaryData){17, src}), -1);
	assert_false(has);
	assert_true(lia_pb_len_max(&(ProtobufCBinaryData){16, src}, 16));
	assert_false(lia_pb_len_max(&(ProtobufCBinaryData){17, src}, 16));
	assert_true(lia_pb_count_ok(32, 32));
	assert_false(lia_pb_count_ok(33, 32)); /* repeated field over its cap */
	assert_true(lia_pb_enum_in(1, 1, 5));
	assert_true(lia_pb_enum_in(5, 1, 5));
	assert_false(lia_pb_enum_in(0, 1, 5)); /* enum out of range */
	assert_false(lia_pb_enum_in(6, 1, 5));
	assert_false(lia_pb_enum_in(-1, 0, 5));

	char s[8];
	assert_int_equal(lia_pb_str(s, sizeof s, "seven.."), 0);
	assert_string_equal(s, "seven..");
	assert_int_equal(lia_pb_str(s, sizeof s, "eight..."), -1); /* no room for the NUL */
	assert_int_equal(lia_pb_str(s, sizeof s, "a\x1b"), -1);
	assert_int_equal(lia_pb_str(s, sizeof s, "\xe2\x80\xae"), -1);
}

static void test_enum_set(void **state)
{
	(void)state;
	uint32_t bits = 0;
	assert_int_equal(lia_pb_enum_set(&bits, (const int[]){3, 1}, 2, 3, 1, 3), 0);
	assert_int_equal(bits, (1u << 1) | (1u << 3));
	assert_int_equal(lia_pb_enum_set(&bits, NULL, 0, 3, 1, 3), 0);
	assert_int_equal(bits, 0);
	bits = 0x55;
	assert_int_equal(lia_pb_enum_set(&bits, (const int[]){1, 1}, 2, 3, 1, 3), -1); /* repeated */
	assert_int_equal(lia_pb_enum_set(&bits, (const int[]){4}, 1, 3, 1, 3), -1);    /* range */
	assert_int_equal(lia_pb_enum_set(&bits, (const int[]){0}, 1, 3, 1, 3), -1);
	assert_int_equal(lia_pb_enum_set(&bits, (const int[]){1, 2, 3, 1}, 4, 3, 1, 3), -1); /* cap */
	assert_int_equal(bits, 0x55); /* untouched on failure */
}

static bool is_agency(const char *s)
{
	return lia_name_is_agency(s);
}

static void test_names(void **state)
{
	(void)state;
	struct lia_names l;
	size_t at = 99;
	char *ok[] = {"IT-PS", "HR-MUP"};
	assert_int_equal(lia_pb_names(&l, ok, 2, is_agency, &at), LIA_PB_NAMES_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1], "HR-MUP");
	char *bad[] = {"IT-PS", "not an agency"};
	assert_int_equal(lia_pb_names(&l, bad, 2, is_agency, &at), LIA_PB_NAMES_INVALID);
	assert_int_equal(at, 1);
	assert_int_equal(l.n, 1);
	char *rep[] = {"IT-PS", "HR-MUP", "IT-PS"};
	assert_int_equal(lia_pb_names(&l, rep, 3, is_agency, &at), LIA_PB_NAMES_REPEATED);
	assert_int_equal(at, 2);
	char *ctl[] = {"IT\x1b"};
	assert_int_equal(lia_pb_names(&l, ctl, 1, is_agency, &at), LIA_PB_NAMES_BAD_TEXT);
	char longname[LIA_NAME_MAX + 1];
	memset(longname, 'A', LIA_NAME_MAX);
	longname[LIA_NAME_MAX] = '\0';
	char *lng[] = {longname};
	assert_int_equal(lia_pb_names(&l, lng, 1, is_agency, &at), LIA_PB_NAMES_BAD_TEXT);
	char *many[LIA_LIST_MAX + 1];
	for (size_t i = 0; i <= LIA_LIST_MAX; i++)
		many[i] = "IT-PS";
	assert_int_equal(lia_pb_names(&l, many, LIA_LIST_MAX + 1, is_agency, NULL),
			 LIA_PB_NAMES_TOO_MANY);
	assert_int_equal(l.n, 0);
}

/* A full marking survives encode and decode by the one codec. */
static void test_restrictions_round_trip(void **state)
{
	(void)state;
	static struct lia_restrictions in, out;
	memset(&in, 0, sizeof in);
	in.tlp = LIA_TLP_AMBER;
	in.handling = LIA_HANDLING_H2 | LIA_HANDLING_H3;
	memcpy(in.h3.text, "not for court", sizeof "not for court");
	in.h3.allowed_roles = LIA_ROLE_BIT(LIA_ROLE_ANALYST) | LIA_ROLE_BIT(LIA_ROLE_LIAISON);
	in.h3.max_retention_days = 30;
	assert_int_equal(lia_names_add(&in.h3.deny_countries, "RS"), 0);
	assert_int_equal(lia_names_add(&in.release_agencies, "HR-MUP"), 0);
	assert_int_equal(lia_names_add(&in.release_principals, "HR-MUP/zagreb"), 0);
	in.embargo_until = 1000;
	in.expires_at = 2000;
	struct lia_restrictions_pb s;
	Liaison__V1__Restrictions *q = lia_restrictions_to_pb(&s, &in);
	assert_int_equal(q->n_handling, 2);
	assert_int_equal(q->handling[0], 2); /* ascending */
	assert_int_equal(q->h3->allowed_roles[0], LIA_ROLE_LIAISON);
	uint8_t buf[2048];
	size_t len = liaison__v1__restrictions__pack(q, buf);
	Liaison__V1__Restrictions *m = liaison__v1__restrictions__unpack(NULL, len, buf);
	assert_non_null(m);
	const char *why = NULL;
	assert_int_equal(lia_restrictions_from_pb(&out, m, &why), 0);
	assert_memory_equal(&in, &out, sizeof in);

	/* Each refusal names its field. */
	m->h3->n_allowed_roles = 1;
	m->h3->allowed_roles[0] = (Liaison__V1__Role)LIA_ROLE_BROKER;
	assert_int_equal(lia_restrictions_from_pb(&out, m, &why), -1);
	assert_non_null(strstr(why, "role"));
	m->h3->n_allowed_roles = 0;
	m->handling[0] = (Liaison__V1__HandlingCode)3; /* H3 twice */
	assert_int_equal(lia_restrictions_from_pb(&out, m, &why), -1);
	assert_non_null(strstr(why, "handling"));
	m->handling[0] = (Liaison__V1__HandlingCode)2;
	m->tlp = (Liaison__V1__Tlp)9;
	assert_int_equal(lia_restrictions_from_pb(&out, m, &why), -1);
	assert_non_null(strstr(why, "TLP"));
	m->tlp = LIAISON__V1__TLP__TLP_AMBER;
	Liaison__V1__H3Conditions *h3 = m->h3;
	m->h3 = NULL; /* H3 without its conditions */
	assert_int_equal(lia_restrictions_from_pb(&out, m, &why), -1);
	assert_non_null(strstr(why, "H3"));
	m->h3 = h3;
	m->expires_at = -1;
	assert_int_equal(lia_restrictions_from_pb(&out, m, &why), -1);
	assert_non_null(strstr(why, "negative"));
	m->expires_at = 0;
	assert_int_equal(lia_restrictions_from_pb(&out, m, &why), 0);
	liaison__v1__restrictions__free_unpacked(m, NULL);
	assert_int_equal(lia_restrictions_from_pb(&out, NULL, &why), -1);
}

static void test_evaluation(void **state)
{
	(void)state;
	struct lia_evaluation e = {LIA_EVAL_EUROPOL_4X4, 'X', 4}, d;
	Liaison__V1__Evaluation pe;
	const char *why = NULL;
	assert_int_equal(lia_evaluation_from_pb(&d, lia_evaluation_to_pb(&pe, &e), &why), 0);
	assert_memory_equal(&d, &e, sizeof e);
	pe.information = 5; /* 4x4 has grades 1-4 */
	assert_int_equal(lia_evaluation_from_pb(&d, &pe, &why), -1);
	assert_non_null(strstr(why, "evaluation"));
	pe.scheme = LIAISON__V1__EVALUATION_SCHEME__EVALUATION_SCHEME_ADMIRALTY_6X6;
	pe.information = 6;
	pe.source = (Liaison__V1__SourceReliability)7; /* X is not in 6x6 */
	assert_int_equal(lia_evaluation_from_pb(&d, &pe, &why), -1);
	e.scheme = LIA_EVAL_NONE;
	assert_null(lia_evaluation_to_pb(&pe, &e));
	assert_int_equal(lia_evaluation_from_pb(&d, NULL, &why), 0);
	assert_int_equal(d.scheme, LIA_EVAL_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_accepts),
		cmocka_unit_test(test_text_not_utf8),
		cmocka_unit_test(test_text_refuses_controls),
		cmocka_unit_test(test_text_refuses_invisible),
		cmocka_unit_test(test_text_format_flag),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_budget_in_unpack),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_enum_set),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_restrictions_round_trip),
		cmocka_unit_test(test_evaluation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
