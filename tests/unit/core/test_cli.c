/* The command-line skeleton (core/cli.h): a command is one option table
 * and a callback; its --help, its usage errors and the program's usage
 * all come from the tables. Read as the usage example of the module. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

/* --- a command as a program would write it --- */

/* 'o' is -o (LIA_OPT_SHORT); the ids after it are long options only. */
enum { O_TLP = 1, O_SET, O_OUT = 'o', O_LEVEL, O_OLD, O_TEXT };

static const struct lia_opt seal_opts[] = {
	LIA_OPT_KEYS("your key folder (sign.sec, box.sec, cert.crt)"),
	LIA_OPT_AUTHORITY_KEY,
	{"tlp", "LEVEL", "CLEAR, GREEN, AMBER, AMBER+STRICT or RED", O_TLP, LIA_OPT_REQUIRED},
	{"set", "KEY=VALUE", "a field of the message (repeatable)", O_SET, 0},
	{"out", "FILE", "the envelope file to create\n(never overwritten)", O_OUT, LIA_OPT_SHORT},
	{"level", "N", "1 to 9", O_LEVEL, 0},
	{"old-name", "FILE", "kept for scripts", O_OLD, LIA_OPT_HIDDEN},
	LIA_OPT_JSON("print the result as JSON"),
	LIA_OPT_END,
};

static const struct lia_opt text_opts[] = {
	{"text", "TEXT", "the message text", O_TEXT, 0},
	LIA_OPT_END,
};

static const struct lia_opt_group seal_groups[] = {
	{"message options:", text_opts},
	{NULL, NULL},
};

static const struct lia_cmd_spec seal_spec = {
	.prog = "liaison",
	.name = "seal",
	.args = "[FILE...]",
	.about = "Writes a signed, encrypted envelope file.",
	.examples = "liaison seal --tlp RED --out a.env\nliaison seal --tlp AMBER -o b.env",
	.opts = seal_opts,
	.groups = seal_groups,
};

struct seal {
	const char *tlp, *out, *text;
	int sets;
	unsigned level;
};

static int seal_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct seal *s = ctx;
	uint64_t u;
	switch (id) {
	case O_TLP: s->tlp = arg; return 0;
	case O_SET: s->sets++; return 0;
	case O_OUT: s->out = arg; return 0;
	case O_TEXT: s->text = arg; return 0;
	case O_OLD: return 0;
	case O_LEVEL:
		if (strcmp(arg, "done") == 0)
			return LIA_CLI_DONE; /* the option did all there was to do */
		if (strcmp(arg, "exit4") == 0)
			return LIA_EXIT_REFUSED; /* an exit status passes through */
		if (strcmp(arg, "quiet") == 0)
			return -1; /* no message: the loop names the option */
		if (lia_parse_u64(arg, &u) != 0 || u < 1 || u > 9)
			return lia_errf(err, "--level: 1 to 9, not \"%s\"", arg);
		s->level = (unsigned)u;
		return 0;
	}
	return lia_errf(err, "unexpected option %d", id);
}

/* --- capturing stdout and stderr --- */

struct capture {
	int saved_out, saved_err;
	FILE *out, *err;
	char out_text[4096], err_text[1024];
};

static void capture_begin(struct capture *c)
{
	fflush(stdout);
	fflush(stderr);
	c->out = tmpfile();
	c->err = tmpfile();
	assert_non_null(c->out);
	assert_non_null(c->err);
	c->saved_out = dup(STDOUT_FILENO);
	c->saved_err = dup(STDERR_FILENO);
	dup2(fileno(c->out), STDOUT_FILENO);
	dup2(fileno(c->err), STDERR_FILENO);
}

static void capture_read(FILE *f, char *buf, size_t cap)
{
	rewind(f);
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void capture_end(struct capture *c)
{
	fflush(stdout);
	fflush(stderr);
	dup2(c->saved_out, STDOUT_FILENO);
	dup2(c->saved_err, STDERR_FILENO);
	close(c->saved_out);
	close(c->saved_err);
	capture_read(c->out, c->out_text, sizeof c->out_text);
	capture_read(c->err, c->err_text, sizeof c->err_text);
}

/* Parse argv (a NULL-terminated list) with seal's table. */
static int parse(struct capture *cap, struct lia_cli_common *cm, struct seal *s, int *first,
		 char **argv)
{
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	memset(s, 0, sizeof *s);
	*first = -7;
	capture_begin(cap);
	int rc = lia_cli_parse(&seal_spec, argc, argv, cm, seal_opt, s, first);
	capture_end(cap);
	return rc;
}

/* --- the loop --- */

static void test_parse_common_own_and_positional(void **state)
{
	(void)state;
	char *argv[] = {"seal", "--keys", "k", "in1", "--tlp", "RED", "--set", "a=1", "-o",
			"x.env", "--set=b=2", "--json", "--authority-key", "a.pub", "in2", NULL};
	struct capture cap;
	struct lia_cli_common cm;
	struct seal s;
	int first;
	assert_int_equal(parse(&cap, &cm, &s, &first, argv), -1);
	assert_string_equal(cm.keys, "k");
	assert_string_equal(cm.authority_key, "a.pub");
	assert_true(cm.json);
	assert_null(cm.profile);
	assert_null(cm.passphrase_file);
	assert_string_equal(s.tlp, "RED");
	assert_string_equal(s.out, "x.env");
	assert_int_equal(s.sets, 2);
	/* Arguments may come between options; they are gathered at the end. */
	assert_int_equal(first, 13);
	assert_string_equal(argv[first], "in1");
	assert_string_equal(argv[first + 1], "in2");
	assert_string_equal(cap.err_text, "");
	assert_string_equal(cap.out_text, "");
}

static void test_parse_group_options_and_again(void **state)
{
	(void)state;
	char *a1[] = {"seal", "--tlp", "RED", "--text", "hello", NULL};
	char *a2[] = {"seal", "--out", "y.env", "--tlp", "AMBER", "--level", "3", NULL};
	struct capture cap;
	struct lia_cli_common cm;
	struct seal s;
	int first;
	assert_int_equal(parse(&cap, &cm, &s, &first, a1), -1);
	assert_string_equal(s.text, "hello");
	assert_int_equal(first, 5);
	/* A second parse in the same process starts afresh. */
	assert_int_equal(parse(&cap, &cm, &s, &first, a2), -1);
	assert_string_equal(s.out, "y.env");
	assert_int_equal(s.level, 3);
	assert_null(s.text);
	assert_int_equal(first, 7);
}

static void test_parse_help(void **state)
{
	(void)state;
	char *a1[] = {"seal", "--set", "a=1", "--help", "--frobnicate", NULL};
	char *a2[] = {"seal", "-h", NULL};
	struct capture cap;
	struct lia_cli_common cm;
	struct seal s;
	int first;
	/* Help wins over what follows and needs no required option. */
	assert_int_equal(parse(&cap, &cm, &s, &first, a1), LIA_EXIT_OK);
	assert_non_null(strstr(cap.out_text, "usage: liaison seal --tlp LEVEL [OPTIONS] [FILE...]\n"));
	assert_string_equal(cap.err_text, "");
	assert_int_equal(parse(&cap, &cm, &s, &first, a2), LIA_EXIT_OK);
	assert_non_null(strstr(cap.out_text, "examples:\n"));
}

static void expect_usage_error(char **argv, const char *message)
{
	struct capture cap;
	struct lia_cli_common cm;
	struct seal s;
	int first;
	char want[512];
	snprintf(want, sizeof want, "liaison seal: %s; see liaison seal --help\n", message);
	assert_int_equal(parse(&cap, &cm, &s, &first, argv), LIA_EXIT_USAGE);
	assert_string_equal(cap.err_text, want);
	assert_string_equal(cap.out_text, "");
	assert_int_equal(first, -7);
}

static void test_parse_usage_errors(void **state)
{
	(void)state;
	char *unknown[] = {"seal", "--tlp", "RED", "--frobnicate", NULL};
	expect_usage_error(unknown, "unknown option \"--frobnicate\"");
	char *unknown_short[] = {"seal", "-z", NULL};
	expect_usage_error(unknown_short, "unknown option -z");
	/* 'p' is --level's id, but --level has no short form. */
	char *long_only[] = {"seal", "--tlp", "RED", "-p", "3", NULL};
	expect_usage_error(long_only, "unknown option -p");
	char *long_flag[] = {"seal", "--tlp", "RED", "--old-name", NULL};
	expect_usage_error(long_flag, "--old-name needs a value (FILE)");
	char *no_value[] = {"seal", "--tlp", "RED", "--out", NULL};
	expect_usage_error(no_value, "--out needs a value (FILE)");
	char *no_short_value[] = {"seal", "--tlp", "RED", "-o", NULL};
	expect_usage_error(no_short_value, "--out needs a value (FILE)");
	char *flag_value[] = {"seal", "--tlp", "RED", "--json=yes", NULL};
	expect_usage_error(flag_value, "--json takes no value");
	char *required[] = {"seal", "--out", "x", NULL};
	expect_usage_error(required, "--tlp LEVEL is required");
	char *refused[] = {"seal", "--tlp", "RED", "--level", "12", NULL};
	expect_usage_error(refused, "--level: 1 to 9, not \"12\"");
	char *refused_quietly[] = {"seal", "--tlp", "RED", "--level", "quiet", NULL};
	expect_usage_error(refused_quietly, "invalid value for --level");
}

static void test_parse_callback_status_passes_through(void **state)
{
	(void)state;
	char *argv[] = {"seal", "--tlp", "RED", "--level", "exit4", NULL};
	struct capture cap;
	struct lia_cli_common cm;
	struct seal s;
	int first;
	assert_int_equal(parse(&cap, &cm, &s, &first, argv), LIA_EXIT_REFUSED);
	assert_string_equal(cap.err_text, "");
	char *done[] = {"seal", "--level", "done", "--tlp", NULL};
	assert_int_equal(parse(&cap, &cm, &s, &first, done), LIA_EXIT_OK);
	assert_int_equal(first, -7);
	assert_string_equal(cap.err_text, "");
}

/* --- usage --- */

static void test_usage_from_the_table(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	lia_cli_usage(&seal_spec, f);
	fclose(f);
	/* Options in table order, aligned; --help last of the command's own;
	 * continuation lines under the help; hidden options left out. */
	const char *want =
		"usage: liaison seal --tlp LEVEL [OPTIONS] [FILE...]\n"
		"\n"
		"Writes a signed, encrypted envelope file.\n"
		"\n"
		"  --keys DIR            your key folder (sign.sec, box.sec, cert.crt)\n"
		"  --authority-key FILE  the exchange authority's public key\n"
		"  --tlp LEVEL           CLEAR, GREEN, AMBER, AMBER+STRICT or RED\n"
		"  --set KEY=VALUE       a field of the message (repeatable)\n"
		"  -o, --out FILE        the envelope file to create\n"
		"                        (never overwritten)\n"
		"  --level N             1 to 9\n"
		"  --json                print the result as JSON\n"
		"  --help                show this help\n"
		"\n"
		"message options:\n"
		"  --text TEXT           the message text\n"
		"\n"
		"examples:\n"
		"  liaison seal --tlp RED --out a.env\n"
		"  liaison seal --tlp AMBER -o b.env\n";
	assert_string_equal(text, want);
	free(text);
}

static void test_usage_capitalised_and_bare(void **state)
{
	(void)state;
	static const struct lia_opt opts[] = {
		{"a-very-long-option-name", "VALUE", "help on the next line", 1, 0},
		LIA_OPT_END,
	};
	static const struct lia_cmd_spec spec = {
		.prog = "liaison-broker",
		.opts = opts,
		.examples = "liaison-broker --a-very-long-option-name x",
		.flags = LIA_CLI_CAPITALISED,
		.footer = "exit status: 0 ok.",
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	lia_cli_usage(&spec, f);
	fclose(f);
	assert_string_equal(text, "Usage: liaison-broker [OPTIONS]\n"
				  "\n"
				  "  --a-very-long-option-name VALUE\n"
				  "          help on the next line\n"
				  "  --help  show this help\n"
				  "\n"
				  "Examples:\n"
				  "  liaison-broker --a-very-long-option-name x\n"
				  "\n"
				  "exit status: 0 ok.\n");
	free(text);
	assert_ptr_equal(lia_cli_opt_find(&spec, 1), &opts[0]);
	assert_non_null(lia_cli_opt_find(&spec, LIA_OPT_ID_HELP));
	assert_null(lia_cli_opt_find(&spec, 2));
}

/* --- a program --- */

static int ran_argc;
static const char *ran_arg;

static int cmd_one(int argc, char **argv)
{
	ran_argc = argc;
	ran_arg = argc > 1 ? argv[1] : NULL;
	return 7;
}

static void version(FILE *f, const char *prog)
{
	fprintf(f, "%s 9.9\n", prog);
}

static const struct lia_cmd cmds[] = {
	LIA_CMD_GROUP("with a broker:"),
	{"one", cmd_one, "the first command"},
	{"second", cmd_one, "the second command,\nin two lines"},
	LIA_CMD_GROUP("offline:"),
	{"third", cmd_one, "the third"},
	LIA_CMD_END,
};

static const struct lia_prog prog = {
	.name = "demo",
	.about = "A program made of commands.",
	.cmds = cmds,
	.examples = "demo one x",
	.footer = "exit status: 0 ok, 2 usage error.",
	.version = version,
};

static int dispatch(struct capture *cap, char **argv)
{
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	capture_begin(cap);
	int rc = lia_cli_dispatch(&prog, argc, argv);
	capture_end(cap);
	return rc;
}

static void test_dispatch(void **state)
{
	(void)state;
	struct capture cap;
	char *run[] = {"demo", "second", "arg", NULL};
	assert_int_equal(dispatch(&cap, run), 7);
	assert_int_equal(ran_argc, 2);
	assert_string_equal(ran_arg, "arg");

	char *help[] = {"demo", "--help", NULL};
	assert_int_equal(dispatch(&cap, help), LIA_EXIT_OK);
	assert_string_equal(cap.out_text, "usage: demo COMMAND [OPTIONS]\n"
					  "\n"
					  "A program made of commands.\n"
					  "\n"
					  "with a broker:\n"
					  "  one     the first command\n"
					  "  second  the second command,\n"
					  "          in two lines\n"
					  "\n"
					  "offline:\n"
					  "  third   the third\n"
					  "\n"
					  "examples:\n"
					  "  demo one x\n"
					  "\n"
					  "exit status: 0 ok, 2 usage error.\n"
					  "Run 'demo COMMAND --help' for the options of a command.\n");

	char *none[] = {"demo", NULL};
	assert_int_equal(dispatch(&cap, none), LIA_EXIT_USAGE);
	assert_non_null(strstr(cap.err_text, "usage: demo COMMAND"));
	assert_string_equal(cap.out_text, "");

	char *unknown[] = {"demo", "frobnicate", NULL};
	assert_int_equal(dispatch(&cap, unknown), LIA_EXIT_USAGE);
	assert_string_equal(cap.err_text, "demo: unknown command \"frobnicate\"; see demo --help\n");

	/* A group heading is not a command. */
	char *heading[] = {"demo", "", NULL};
	assert_int_equal(dispatch(&cap, heading), LIA_EXIT_USAGE);

	char *ver[] = {"demo", "--version", NULL};
	assert_int_equal(dispatch(&cap, ver), LIA_EXIT_OK);
	assert_string_equal(cap.out_text, "demo 9.9\n");
}

static void test_usage_error_forms(void **state)
{
	(void)state;
	struct capture cap;
	capture_begin(&cap);
	int a = lia_cli_usage_error(&seal_spec, "name %d recipient", 1);
	int b = lia_cli_usage_error_cmd("liaison-broker", NULL, "--config FILE is required");
	capture_end(&cap);
	assert_int_equal(a, LIA_EXIT_USAGE);
	assert_int_equal(b, LIA_EXIT_USAGE);
	assert_string_equal(cap.err_text,
			    "liaison seal: name 1 recipient; see liaison seal --help\n"
			    "liaison-broker: --config FILE is required; see liaison-broker --help\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_common_own_and_positional),
		cmocka_unit_test(test_parse_group_options_and_again),
		cmocka_unit_test(test_parse_help),
		cmocka_unit_test(test_parse_usage_errors),
		cmocka_unit_test(test_parse_callback_status_passes_through),
		cmocka_unit_test(test_usage_from_the_table),
		cmocka_unit_test(test_usage_capitalised_and_bare),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_usage_error_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
