/*
 * cli.c — the option loop, usage and dispatch made from the tables of
 * cli.h. The getopt_long array is built on the stack from the tables at
 * each parse: a command has a few dozen options, so the cost is nothing
 * and no table is kept twice.
 */
#include <assert.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

/* The most options one command may have, all tables counted, and the
 * widest option column of the usage before help moves to the next line. */
#define CLI_OPTS_MAX 96
#define CLI_COLUMN_MAX 26

static const struct lia_opt help_opt = {"help", NULL, "show this help", LIA_OPT_ID_HELP, 0};

/* Every option of spec, in the order of its usage, --help last of the
 * command's own. Returns the count. */
static size_t cli_flatten(const struct lia_cmd_spec *spec, const struct lia_opt *out[CLI_OPTS_MAX])
{
	size_t n = 0;
	for (const struct lia_opt *o = spec->opts; o != NULL && o->name != NULL; o++) {
		assert(n < CLI_OPTS_MAX - 1);
		out[n++] = o;
	}
	out[n++] = &help_opt;
	for (const struct lia_opt_group *g = spec->groups; g != NULL && g->opts != NULL; g++)
		for (const struct lia_opt *o = g->opts; o->name != NULL; o++) {
			assert(n < CLI_OPTS_MAX);
			out[n++] = o;
		}
	return n;
}

static bool cli_is_short(const struct lia_opt *o)
{
	return (o->flags & LIA_OPT_SHORT) != 0;
}

const struct lia_opt *lia_cli_opt_find(const struct lia_cmd_spec *spec, int id)
{
	const struct lia_opt *flat[CLI_OPTS_MAX];
	size_t n = cli_flatten(spec, flat);
	for (size_t i = 0; i < n; i++)
		if (flat[i]->id == id)
			return flat[i];
	return NULL;
}

/* --- messages --- */

static int cli_usage_verror(const char *prog, const char *cmd, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int cli_usage_verror(const char *prog, const char *cmd, const char *fmt, va_list ap)
{
	char msg[LIA_ERR_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (cmd != NULL)
		fprintf(stderr, "%s %s: %s; see %s %s --help\n", prog, cmd, msg, prog, cmd);
	else
		fprintf(stderr, "%s: %s; see %s --help\n", prog, msg, prog);
	return LIA_EXIT_USAGE;
}

int lia_cli_usage_error_cmd(const char *prog, const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = cli_usage_verror(prog, cmd, fmt, ap);
	va_end(ap);
	return rc;
}

int lia_cli_usage_error(const struct lia_cmd_spec *spec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = cli_usage_verror(spec->prog, spec->name, fmt, ap);
	va_end(ap);
	return rc;
}

/* --- usage --- */

/* "  -o, --output FILE" into buf; returns its length. */
static size_t cli_opt_left(const struct lia_opt *o, char *buf, size_t cap)
{
	char sh[8] = "";
	if (cli_is_short(o))
		snprintf(sh, sizeof sh, "-%c, ", o->id);
	int n = snprintf(buf, cap, "  %s--%s%s%s", sh, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

/* text at column col; the lines after its first start at col too. */
static void cli_put_indented(FILE *f, const char *text, size_t col)
{
	for (const char *p = text; *p != '\0'; p++) {
		fputc(*p, f);
		if (*p == '\n' && p[1] != '\0')
			fprintf(f, "%*s", (int)col, "");
	}
	fputc('\n', f);
}

/* One line per option: the option column padded to col, then its help. */
static void cli_put_opt(FILE *f, const struct lia_opt *o, size_t col)
{
	char left[128];
	size_t n = cli_opt_left(o, left, sizeof left);
	fputs(left, f);
	if (n + 2 > col)
		fprintf(f, "\n%*s", (int)col, "");
	else
		fprintf(f, "%*s", (int)(col - n), "");
	cli_put_indented(f, o->help ? o->help : "", col);
}

/* The option column: as wide as the widest option, within bounds. */
static size_t cli_column(const struct lia_opt *const *flat, size_t n)
{
	size_t w = 0;
	char left[128];
	for (size_t i = 0; i < n; i++) {
		size_t k = cli_opt_left(flat[i], left, sizeof left);
		if (!(flat[i]->flags & LIA_OPT_HIDDEN) && k <= CLI_COLUMN_MAX && k > w)
			w = k;
	}
	return w + 2;
}

/* Each line of text indented by two spaces, under a heading. */
static void cli_put_examples(FILE *f, const char *text, bool caps)
{
	fputs(caps ? "\nExamples:\n  " : "\nexamples:\n  ", f);
	cli_put_indented(f, text, 2);
}

static void cli_put_synopsis(FILE *f, const struct lia_cmd_spec *spec,
			     const struct lia_opt *const *flat, size_t n)
{
	bool optional = false;
	fprintf(f, "%s %s", spec->flags & LIA_CLI_CAPITALISED ? "Usage:" : "usage:", spec->prog);
	if (spec->name != NULL)
		fprintf(f, " %s", spec->name);
	for (size_t i = 0; i < n; i++) {
		if (flat[i]->flags & LIA_OPT_REQUIRED)
			fprintf(f, " --%s%s%s", flat[i]->name, flat[i]->arg ? " " : "",
				flat[i]->arg ? flat[i]->arg : "");
		else if (flat[i] != &help_opt && !(flat[i]->flags & LIA_OPT_HIDDEN))
			optional = true;
	}
	fprintf(f, "%s%s%s\n", optional ? " [OPTIONS]" : "", spec->args ? " " : "",
		spec->args ? spec->args : "");
}

void lia_cli_usage(const struct lia_cmd_spec *spec, FILE *f)
{
	const struct lia_opt *flat[CLI_OPTS_MAX];
	size_t n = cli_flatten(spec, flat);
	size_t col = cli_column(flat, n);
	cli_put_synopsis(f, spec, flat, n);
	if (spec->about != NULL) {
		fputc('\n', f);
		cli_put_indented(f, spec->about, 0);
	}
	fputc('\n', f);
	for (const struct lia_opt *o = spec->opts; o != NULL && o->name != NULL; o++)
		if (!(o->flags & LIA_OPT_HIDDEN))
			cli_put_opt(f, o, col);
	cli_put_opt(f, &help_opt, col);
	for (const struct lia_opt_group *g = spec->groups; g != NULL && g->opts != NULL; g++) {
		fprintf(f, "\n%s\n", g->heading);
		for (const struct lia_opt *o = g->opts; o->name != NULL; o++)
			if (!(o->flags & LIA_OPT_HIDDEN))
				cli_put_opt(f, o, col);
	}
	if (spec->examples != NULL)
		cli_put_examples(f, spec->examples, spec->flags & LIA_CLI_CAPITALISED);
	if (spec->footer != NULL) {
		fputc('\n', f);
		cli_put_indented(f, spec->footer, 0);
	}
}

/* --- the loop --- */

/* The getopt_long array and short-option string of flat. */
static void cli_build(const struct lia_opt *const *flat, size_t n, struct option *lopts,
		      char *shorts, size_t shorts_cap)
{
	size_t s = 0;
	shorts[s++] = ':'; /* a missing value returns ':', not '?' */
	shorts[s++] = 'h';
	for (size_t i = 0; i < n; i++) {
		const struct lia_opt *o = flat[i];
		assert(o->id > 0 && o->id != '?' && o->id != ':' && o->id != 'h');
		assert(!cli_is_short(o) || (o->id < 128 && (o->id | 0x20) >= 'a' && (o->id | 0x20) <= 'z') ||
		       (o->id >= '0' && o->id <= '9'));
		lopts[i] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
					   o->id};
		if (cli_is_short(o)) {
			if (s + 3 > shorts_cap)
				break; /* cannot happen: the caller sizes shorts for every option */
			shorts[s++] = (char)o->id;
			if (o->arg != NULL)
				shorts[s++] = ':';
		}
	}
	lopts[n] = (struct option){NULL, 0, NULL, 0};
	shorts[s] = '\0';
}

static void cli_common_set(struct lia_cli_common *cm, int id, const char *arg)
{
	assert(cm != NULL);
	switch (id) {
	case LIA_OPT_ID_PROFILE: cm->profile = arg; break;
	case LIA_OPT_ID_JSON: cm->json = true; break;
	case LIA_OPT_ID_KEYS: cm->keys = arg; break;
	case LIA_OPT_ID_AUTHORITY_KEY: cm->authority_key = arg; break;
	case LIA_OPT_ID_PASSPHRASE_FILE: cm->passphrase_file = arg; break;
	case LIA_OPT_ID_CRL: cm->crl = arg; break;
	default: assert(!"unknown common option");
	}
}

/* The usage error for what getopt_long refused (c is '?' or ':'). optopt
 * is 0 for an unknown long option, the id for a long flag given a value
 * or an option missing its value, and the letter for an unknown short
 * option, which may also be the id of a long-only option: the word on
 * the command line tells these apart. */
static int cli_refused(const struct lia_cmd_spec *spec, int c, char **argv)
{
	const struct lia_opt *o = optopt != 0 ? lia_cli_opt_find(spec, optopt) : NULL;
	const char *word = optind > 0 ? argv[optind - 1] : "";
	bool as_long = o != NULL && strncmp(word, "--", 2) == 0 &&
		       strncmp(word + 2, o->name, strlen(o->name)) == 0;
	if (c == ':' && o != NULL)
		return lia_cli_usage_error(spec, "--%s needs a value (%s)", o->name, o->arg);
	if (c == ':')
		return lia_cli_usage_error(spec, "%.64s needs a value", word);
	if (as_long)
		return lia_cli_usage_error(spec, "--%s takes no value", o->name);
	if (optopt > 0 && optopt < 128)
		return lia_cli_usage_error(spec, "unknown option -%c", optopt);
	return lia_cli_usage_error(spec, "unknown option \"%.64s\"", word);
}

/* One option from the loop: -1 to go on, else the exit status. */
static int cli_take(const struct lia_cmd_spec *spec, const struct lia_opt *o,
		    struct lia_cli_common *common, lia_cli_opt_fn on_opt, void *ctx)
{
	if (o->id == LIA_OPT_ID_HELP) {
		lia_cli_usage(spec, stdout);
		return LIA_EXIT_OK;
	}
	if (o->id >= LIA_OPT_ID_COMMON) {
		cli_common_set(common, o->id, optarg);
		return -1;
	}
	assert(on_opt != NULL);
	char err[LIA_ERR_MAX] = "";
	int r = on_opt(ctx, o->id, optarg, err);
	if (r == 0)
		return -1;
	if (r == LIA_CLI_DONE)
		return LIA_EXIT_OK;
	if (r != -1)
		return r;
	if (err[0] == '\0')
		return lia_cli_usage_error(spec, "invalid value for --%s", o->name);
	return lia_cli_usage_error(spec, "%s", err);
}

int lia_cli_parse(const struct lia_cmd_spec *spec, int argc, char **argv,
		  struct lia_cli_common *common, lia_cli_opt_fn on_opt, void *ctx, int *first)
{
	const struct lia_opt *flat[CLI_OPTS_MAX];
	struct option lopts[CLI_OPTS_MAX + 1];
	char shorts[3 * CLI_OPTS_MAX + 3];
	bool seen[CLI_OPTS_MAX] = {false};
	size_t n = cli_flatten(spec, flat);
	cli_build(flat, n, lopts, shorts, sizeof shorts);
	if (common != NULL)
		*common = (struct lia_cli_common){0};
	optind = 0; /* glibc: start afresh, also after an earlier parse */
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return cli_refused(spec, c, argv);
		if (c == 'h')
			c = LIA_OPT_ID_HELP;
		size_t i = 0;
		while (i < n && flat[i]->id != c)
			i++;
		assert(i < n);
		seen[i] = true;
		int rc = cli_take(spec, flat[i], common, on_opt, ctx);
		if (rc != -1)
			return rc;
	}
	for (size_t i = 0; i < n; i++)
		if ((flat[i]->flags & LIA_OPT_REQUIRED) && !seen[i])
			return lia_cli_usage_error(spec, "--%s%s%s is required", flat[i]->name,
						   flat[i]->arg ? " " : "", flat[i]->arg ? flat[i]->arg : "");
	*first = optind;
	return -1;
}

/* --- programs --- */

void lia_cli_prog_usage(const struct lia_prog *p, FILE *f)
{
	bool caps = p->flags & LIA_CLI_CAPITALISED;
	size_t col = 0;
	for (const struct lia_cmd *c = p->cmds; c->name != NULL; c++)
		if (c->run != NULL && strlen(c->name) > col)
			col = strlen(c->name);
	col += 4;
	fprintf(f, "%s %s COMMAND [OPTIONS]\n", caps ? "Usage:" : "usage:", p->name);
	if (p->about != NULL) {
		fputc('\n', f);
		cli_put_indented(f, p->about, 0);
	}
	fputc('\n', f);
	if (p->cmds[0].name != NULL && p->cmds[0].run != NULL)
		fputs(caps ? "Commands:\n" : "commands:\n", f);
	for (const struct lia_cmd *c = p->cmds; c->name != NULL; c++) {
		if (c->run == NULL) {
			fprintf(f, "%s%s\n", c == p->cmds ? "" : "\n", c->summary);
			continue;
		}
		fprintf(f, "  %-*s", (int)(col - 2), c->name);
		cli_put_indented(f, c->summary ? c->summary : "", col);
	}
	if (p->examples != NULL)
		cli_put_examples(f, p->examples, caps);
	if (p->footer != NULL) {
		fputc('\n', f);
		cli_put_indented(f, p->footer, 0);
	}
	fprintf(f, "Run '%s COMMAND --help' for the options of a command.\n", p->name);
}

int lia_cli_dispatch(const struct lia_prog *p, int argc, char **argv)
{
	if (argc < 2) {
		lia_cli_prog_usage(p, stderr);
		return LIA_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		lia_cli_prog_usage(p, stdout);
		return LIA_EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		p->version(stdout, p->name);
		return LIA_EXIT_OK;
	}
	for (const struct lia_cmd *c = p->cmds; c->name != NULL; c++)
		if (c->run != NULL && strcmp(c->name, name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command \"%.64s\"; see %s --help\n", p->name, name, p->name);
	return LIA_EXIT_USAGE;
}
