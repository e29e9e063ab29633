/* YAML settings files (core/settings.h), as the broker's configuration
 * and the agent's profiles use them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "settings.h"
#include "util.h"

struct conf {
	char name[16];
	char file[PATH_MAX];
	uint32_t count;
};

#define F(f) offsetof(struct conf, f), sizeof(((struct conf *)0)->f)
static const struct lia_setting keys[] = {
	{"name", LIA_SETTING_TEXT, F(name), 0, 0, true},
	{"file", LIA_SETTING_PATH, F(file), 0, 0, false},
	{"count", LIA_SETTING_U32, F(count), 1, 10, false},
};

static char dir[256];

static int setup(void **state)
{
	(void)state;
	fx_tmpdir(dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_tmpdir_remove(dir);
	return 0;
}

/* Write text to a new file and load it; returns the load's result. */
static int load(struct conf *c, const char *text, char err[static LIA_ERR_MAX])
{
	static int n;
	char path[512];
	snprintf(path, sizeof path, "%s/s%d.yaml", dir, n++);
	if (lia_file_write_new(path, (const uint8_t *)text, strlen(text), 0600, err) != 0)
		fail_msg("%s", err);
	memset(c, 0, sizeof *c);
	c->count = 7;
	return lia_settings_load(c, keys, 3, path, 4096, err);
}

static void expect(const char *text, const char *needle)
{
	struct conf c;
	char err[LIA_ERR_MAX];
	assert_int_equal(load(&c, text, err), -1);
	if (strstr(err, needle) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err, needle);
}

static void test_good(void **state)
{
	(void)state;
	struct conf c;
	char err[LIA_ERR_MAX], want[PATH_MAX];
	assert_int_equal(load(&c, "# a comment\nname: demo\nfile: data/x.db\ncount: 3\n", err), 0);
	assert_string_equal(c.name, "demo");
	snprintf(want, sizeof want, "%s/data/x.db", dir);
	assert_string_equal(c.file, want);
	assert_int_equal(c.count, 3);
	assert_int_equal(load(&c, "name: demo\nfile: /abs/path\n", err), 0);
	assert_string_equal(c.file, "/abs/path");
	assert_int_equal(c.count, 7); /* default kept */
}

static void test_errors(void **state)
{
	(void)state;
	expect("name: demo\ncolor: red\n", ":2:1: unknown setting \"color\"");
	expect("name: demo\nname: again\n", ":2:1: \"name\" given twice");
	expect("file: x\n", "the setting \"name\" is required");
	expect("name: demo\ncount: 11\n", ":2:8: \"count\" must be a number from 1 to 10");
	expect("name: demo\ncount: -1\n", "must be a number");
	expect("name: demo\ncount: 3x\n", "must be a number");
	expect("name: this-name-is-too-long\n", "too long");
	expect("name: ''\n", "is empty");
	expect("name: [a, b]\n", "key: value");
	expect("- just\n- a list\n", "expected a mapping");
	expect("name: demo\n  bad: indent\n", ":2:");
	char big[5000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	expect(big, "too large");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
