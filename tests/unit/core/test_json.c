/* JSON output helpers (core/json.h): the values every program renders
 * the same way, and the one way a --json line is written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

/* j as compact text (released). */
static char *text(json_t *j)
{
	assert_non_null(j);
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void expect_text(json_t *j, const char *want)
{
	char *s = text(j);
	assert_string_equal(s, want);
	free(s);
}

static void test_values(void **state)
{
	(void)state;
	const uint8_t key[3] = {0x00, 0xab, 0xff};
	expect_text(lia_json_hex(key, sizeof key), "\"00abff\"");
	uint8_t big[65] = {0};
	assert_null(lia_json_hex(big, sizeof big)); /* beyond the cap */
	json_t *longest = lia_json_hex(big, 64);
	assert_non_null(longest);
	assert_int_equal(strlen(json_string_value(longest)), 128);
	json_decref(longest);

	expect_text(lia_json_time(1764324000), "\"2025-11-28T10:00:00Z\"");
	expect_text(lia_json_time(0), "\"-\"");
	expect_text(lia_json_time_opt(0), "null");
	expect_text(lia_json_time_opt(1764324000), "\"2025-11-28T10:00:00Z\"");

	struct lia_names l = {0};
	expect_text(lia_json_names(&l), "[]");
	assert_int_equal(lia_names_add(&l, "IT-GDF"), 0);
	assert_int_equal(lia_names_add(&l, "MT-AFM"), 0);
	expect_text(lia_json_names(&l), "[\"IT-GDF\",\"MT-AFM\"]");
}

static void test_write_line(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	/* Non-ASCII is escaped on a --json line, so no byte of a peer's text
	 * reaches a terminal unescaped. */
	assert_int_equal(lia_json_write_line(f, json_pack("{s:s}", "t", "caf\xc3\xa9"), LIA_JSON_LINE,
					     err),
			 0);
	assert_int_equal(lia_json_write_line(f, json_pack("{s:i, s:i}", "b", 2, "a", 1),
					     JSON_COMPACT | JSON_SORT_KEYS, err),
			 0);
	/* A constructor that ran out of memory is a failure, not an empty line. */
	assert_int_equal(lia_json_write_line(f, NULL, LIA_JSON_LINE, err), -1);
	assert_non_null(strstr(err, "out of memory"));
	fclose(f);
	assert_string_equal(buf, "{\"t\":\"caf\\u00E9\"}\n{\"a\":1,\"b\":2}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_write_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
