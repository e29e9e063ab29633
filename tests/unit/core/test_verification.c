/*
 * core/verification.h: the names of the states and notices, and who
 * counts as a request's office: the named principal, an agency office's
 * liaison officers, and (when the policy lets them answer) the liaison
 * officers of a principal office's agency; never anyone else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "verification.h"

static void test_names(void **state)
{
	(void)state;
	enum lia_verif_state s;
	for (int i = 1; i <= LIA_VERIF_STATE_MAX; i++) {
		assert_int_equal(lia_verif_state_parse(lia_verif_state_str((enum lia_verif_state)i), &s), 0);
		assert_int_equal((int)s, i);
	}
	assert_string_equal(lia_verif_state_str(LIA_VERIF_OVERDUE), "overdue");
	assert_null(lia_verif_state_str((enum lia_verif_state)0));
	assert_null(lia_verif_state_str((enum lia_verif_state)5));
	assert_int_equal(lia_verif_state_parse("late", &s), -1);
	assert_string_equal(lia_verif_notice_str(LIA_VERIF_NOTICE_DUE_SOON), "due-soon");
	assert_null(lia_verif_notice_str((enum lia_verif_notice)4));
	enum lia_urgency u;
	assert_int_equal(lia_urgency_parse("routine", &u), 0);
	assert_int_equal(u, LIA_URGENCY_ROUTINE);
	assert_int_equal(lia_urgency_parse("low", &u), -1);
	assert_string_equal(lia_urgency_str(LIA_URGENCY_URGENT), "urgent");
}

static void test_office(void **state)
{
	(void)state;
	struct lia_verification v;
	memset(&v, 0, sizeof v);
	memcpy(v.office, "HR-MUP", 7); /* an agency office */
	assert_true(lia_verif_is_office(&v, "HR-MUP/zagreb", true, false));
	assert_false(lia_verif_is_office(&v, "HR-MUP/zagreb", false, false)); /* not a liaison officer */
	assert_false(lia_verif_is_office(&v, "HR-MUPX/zagreb", true, true));  /* a longer agency name */
	assert_false(lia_verif_is_office(&v, "RS-MUP/beograd", true, true));
	memcpy(v.office, "HR-MUP/docs", 12); /* a principal office */
	assert_true(lia_verif_is_office(&v, "HR-MUP/docs", false, false));
	assert_false(lia_verif_is_office(&v, "HR-MUP/zagreb", true, false));
	assert_true(lia_verif_is_office(&v, "HR-MUP/zagreb", true, true));
	assert_false(lia_verif_is_office(&v, "HR-MUP/zagreb", false, true));
	assert_false(lia_verif_is_office(&v, "HR-MUP/docsx", true, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_office),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
