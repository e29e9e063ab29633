/* Names of enums and validation of names (core/marking.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "marking.h"
#include "util.h"

static void test_enum_names_round_trip(void **state)
{
	(void)state;
	for (int t = LIA_TLP_CLEAR; t <= LIA_TLP_RED; t++) {
		enum lia_tlp back;
		assert_int_equal(lia_tlp_parse(lia_tlp_str((enum lia_tlp)t), &back), 0);
		assert_int_equal(back, t);
	}
	enum lia_tlp tlp;
	assert_int_equal(lia_tlp_parse("amber+strict", &tlp), 0);
	assert_int_equal(tlp, LIA_TLP_AMBER_STRICT);
	assert_int_equal(lia_tlp_parse("WHITE", &tlp), -1);
	for (int k = 1; k <= LIA_KIND_MAX; k++) {
		enum lia_kind back;
		assert_int_equal(lia_kind_parse(lia_kind_str((enum lia_kind)k), &back), 0);
		assert_int_equal(back, k);
	}
	assert_null(lia_kind_str((enum lia_kind)0));
	assert_null(lia_kind_str((enum lia_kind)(LIA_KIND_MAX + 1)));
	enum lia_subject s;
	assert_int_equal(lia_subject_parse("smuggled-migrant", &s), 0);
	assert_int_equal(s, LIA_SUBJECT_SMUGGLED_MIGRANT);
	uint32_t bit;
	assert_int_equal(lia_handling_parse("H2", &bit), 0);
	assert_int_equal(bit, LIA_HANDLING_H2);
	assert_int_equal(lia_handling_parse("H4", &bit), -1);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(lia_name_is_agency("IT-GDF"));
	assert_false(lia_name_is_agency("it-gdf"));
	assert_false(lia_name_is_agency("-IT"));
	assert_false(lia_name_is_agency("I"));
	assert_false(lia_name_is_agency("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"));
	assert_true(lia_name_is_subject("IT-GDF/ventimiglia"));
	assert_true(lia_name_is_subject("IT-GDF/desk.2_a-b"));
	assert_false(lia_name_is_subject("IT-GDF/"));
	assert_false(lia_name_is_subject("IT-GDF/Ventimiglia"));
	assert_false(lia_name_is_subject("IT-GDF/a/b"));
	assert_false(lia_name_is_subject("ventimiglia"));
	assert_false(lia_name_is_subject("IT-GDF/a b"));
	assert_true(lia_name_is_country("IT"));
	assert_false(lia_name_is_country("ITA"));
	assert_false(lia_name_is_country("it"));
	char agency[LIA_NAME_MAX];
	lia_subject_agency("MT-AFM/valletta", agency);
	assert_string_equal(agency, "MT-AFM");
}

static void test_names_list_bounded(void **state)
{
	(void)state;
	struct lia_names l;
	memset(&l, 0, sizeof l);
	for (int i = 0; i < LIA_LIST_MAX; i++)
		assert_int_equal(lia_names_add(&l, "A1"), 0);
	assert_int_equal(lia_names_add(&l, "A1"), -1);
	char longname[LIA_NAME_MAX + 1];
	memset(longname, 'A', sizeof longname - 1);
	longname[LIA_NAME_MAX] = '\0';
	l.n = 0;
	assert_int_equal(lia_names_add(&l, longname), -1);
}

static void test_evaluation_meets(void **state)
{
	(void)state;
	struct lia_evaluation b2 = {LIA_EVAL_EUROPOL_4X4, 'B', 2};
	struct lia_evaluation a1 = {LIA_EVAL_EUROPOL_4X4, 'A', 1};
	struct lia_evaluation x4 = {LIA_EVAL_EUROPOL_4X4, 'X', 4};
	struct lia_evaluation c1 = {LIA_EVAL_EUROPOL_4X4, 'C', 1};
	struct lia_evaluation six = {LIA_EVAL_ADMIRALTY_6X6, 'A', 1};
	struct lia_evaluation none = {LIA_EVAL_NONE, 0, 0};
	assert_true(lia_evaluation_meets(&a1, &b2));
	assert_true(lia_evaluation_meets(&b2, &b2));
	assert_false(lia_evaluation_meets(&c1, &b2));
	assert_false(lia_evaluation_meets(&x4, &b2));
	assert_false(lia_evaluation_meets(&six, &b2));
	assert_true(lia_evaluation_meets(&x4, &none));
	assert_false(lia_evaluation_meets(&none, &b2));
}

static void test_time_parse(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(lia_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(lia_time_parse("2026-11-28T10:00:00Z", &t), 0);
	assert_int_equal(t, 1795860000);
	assert_int_equal(lia_time_parse("2024-02-29", &t), 0);
	assert_int_equal(lia_time_parse("2023-02-29", &t), -1);
	assert_int_equal(lia_time_parse("2026-13-01", &t), -1);
	assert_int_equal(lia_time_parse("2026-11-28T24:00:00Z", &t), -1);
	assert_int_equal(lia_time_parse("@123", &t), 0);
	assert_int_equal(t, 123);
	assert_int_equal(lia_time_parse("@12x", &t), -1);
	/* From now: +7d, 72h; a bare number is no time, a bad unit neither. */
	int64_t before = lia_now();
	assert_int_equal(lia_time_parse("+7d", &t), 0);
	assert_true(t >= before + 7 * 86400 && t <= lia_now() + 7 * 86400);
	assert_int_equal(lia_time_parse("72h", &t), 0);
	assert_true(t >= before + 72 * 3600 && t <= lia_now() + 72 * 3600);
	assert_int_equal(lia_time_parse("+90", &t), -1);
	assert_int_equal(lia_time_parse("7w", &t), -1);
	assert_int_equal(lia_time_parse("+d", &t), -1);
	assert_int_equal(lia_time_parse("+99999999999d", &t), -1);
	int64_t d;
	assert_int_equal(lia_duration_parse("90", &d), 0);
	assert_int_equal(d, 90);
	assert_int_equal(lia_duration_parse("3d", &d), 0);
	assert_int_equal(d, 3 * 86400);
	assert_int_equal(lia_duration_parse("-3d", &d), -1);
	assert_int_equal(lia_duration_parse("", &d), -1);
	assert_int_equal(lia_duration_parse("h", &d), -1);
	char buf[32];
	lia_time_format(1795860000, buf);
	assert_string_equal(buf, "2026-11-28T10:00:00Z");
	uint64_t u;
	assert_int_equal(lia_parse_u64("18446744073709551615", &u), 0);
	assert_int_equal(lia_parse_u64("18446744073709551616", &u), -1);
	assert_int_equal(lia_parse_u64("-1", &u), -1);
	assert_int_equal(lia_parse_u64("", &u), -1);
	assert_int_equal(lia_parse_u64("12 ", &u), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enum_names_round_trip),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_names_list_bounded),
		cmocka_unit_test(test_evaluation_meets),
		cmocka_unit_test(test_time_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
