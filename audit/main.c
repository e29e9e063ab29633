/*
 * main.c — liaison-audit: query, verify, prove and export a Liaison
 * disclosure ledger, offline, as an auditor or an originator would.
 *
 * The program only reads: a ledger file is opened read-only, an export
 * is loaded into memory. It never needs a secret; verification needs the
 * broker's public key, given as a note verifier key or as the broker's
 * certificate checked against the authority's public key. Queries made
 * through the broker are recorded in the ledger by the broker (operation
 * audit-query); this offline tool, which cannot write, records nothing.
 *
 * This file holds the command table and what the subcommands share
 * (cli_int.h); cli_show.c has query, disclosures and export, cli_verify.c
 * the commands that check signatures and proofs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "cli_int.h"
#include "export.h"
#include "util.h"
#include "version.h"

static const struct lia_cmd cmds[] = {
	{"query", cmd_query, "list records by message, originator, recipient, agency,\n"
			     "operation, decision or time"},
	{"disclosures", cmd_disclosures, "who received a message, who was refused and why"},
	{"verify", cmd_verify, "recompute the whole log; check every checkpoint's signature\n"
			       "and root; name the first bad record or checkpoint"},
	{"prove", cmd_prove, "write an inclusion proof (c2sp.org/tlog-proof) for a record"},
	{"verify-proof", cmd_verify_proof, "check an inclusion or consistency proof with the broker's key"},
	{"consistency", cmd_consistency, "prove that the log only grew between two checkpoints"},
	{"export", cmd_export, "write the records and the latest checkpoint as JSON lines or CSV"},
	LIA_CMD_END,
};

static const struct lia_prog prog = {
	.name = CLI_PROG,
	.about = "liaison-audit — query and verify a Liaison disclosure ledger, offline.\n"
		 "\n"
		 "Where the ledger comes from (every command but verify-proof):\n"
		 "  --ledger FILE       the broker's ledger database, opened read-only\n"
		 "  --export FILE       a JSON-lines export made by 'liaison-audit export'\n"
		 "\n"
		 "The broker's public key (verify, verify-proof, consistency):\n"
		 "  --key NAME+KEYID+KEY             note verifier key, as printed by the broker\n"
		 "  --key-file FILE                  a file holding that key on its first line\n"
		 "  --cert FILE --authority FILE     the broker's certificate and the authority key\n"
		 "\n"
		 "Common options: --json (one JSON object per line), --quiet (no progress),\n"
		 "--help (per command: liaison-audit verify --help), --version.",
	.cmds = cmds,
	.examples = "liaison-audit verify --ledger broker.db --key-file broker.vkey\n"
		    "liaison-audit disclosures 5f0c2a...e1 --ledger broker.db\n"
		    "liaison-audit query --ledger broker.db --recipient FR-PAF/nice --op disclose --json\n"
		    "liaison-audit prove --ledger broker.db --seq 41 -o record41.tlog-proof\n"
		    "liaison-audit verify-proof record41.tlog-proof --key-file broker.vkey\n"
		    "liaison-audit export --ledger broker.db -o ledger.jsonl\n"
		    "liaison-audit verify --export ledger.jsonl --key-file broker.vkey",
	.footer = "Exit codes: 0 ok, 1 failure, 2 usage, 3 verification failed.\n"
		  "Formats and how to verify with your own tools: docs/ledger.md.",
	.version = lia_version_print,
	.flags = LIA_CLI_CAPITALISED,
};

int main(int argc, char **argv)
{
	return lia_cli_dispatch(&prog, argc, argv);
}

/* --- shared helpers (cli_int.h) --- */

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(CLI_PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

static const struct lia_opt common_opts[] = {
	{"ledger", "FILE", "the broker's ledger database, opened read-only", OPT_LEDGER, 0},
	{"export", "FILE", "a JSON-lines export made by 'liaison-audit export'", OPT_EXPORT, 0},
	{"key", "NAME+KEYID+KEY", "the broker's note verifier key, as the broker prints it", OPT_KEY, 0},
	{"key-file", "FILE", "a file holding that key on its first line", OPT_KEY_FILE, 0},
	{"cert", "FILE", "the broker's certificate (with --authority)", OPT_CERT, 0},
	{"authority", "FILE", "the authority's public key, to check --cert", OPT_AUTHORITY, 0},
	LIA_OPT_JSON("one JSON object per line (docs/ledger.md)"),
	{"quiet", NULL, "no progress on the terminal", OPT_QUIET, 0},
	LIA_OPT_END,
};

const struct lia_opt_group cli_common_groups[] = {
	{"Ledger, key and output (every command):", common_opts},
	{NULL, NULL},
};

/* 0 when id was a common option (stored in cm), 1 otherwise. */
static int common_opt(struct cli_common *cm, int id, const char *arg)
{
	switch (id) {
	case OPT_LEDGER: cm->ledger = arg; return 0;
	case OPT_EXPORT: cm->export = arg; return 0;
	case OPT_KEY: cm->vkey = arg; return 0;
	case OPT_KEY_FILE: cm->vkey_file = arg; return 0;
	case OPT_CERT: cm->cert = arg; return 0;
	case OPT_AUTHORITY: cm->authority = arg; return 0;
	case OPT_QUIET: cm->quiet = true; return 0;
	default: return 1;
	}
}

struct parse_ctx {
	struct cli_common *cm;
	lia_cli_opt_fn own;
	void *ctx;
};

static int parse_opt(void *vp, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct parse_ctx *p = vp;
	if (common_opt(p->cm, id, arg) == 0)
		return 0;
	return p->own != NULL ? p->own(p->ctx, id, arg, err) : -1;
}

int cli_parse(const struct lia_cmd_spec *spec, int argc, char **argv, struct cli_common *cm,
	      lia_cli_opt_fn own, void *ctx, int *first)
{
	struct parse_ctx p = {cm, own, ctx};
	struct lia_cli_common common;
	*cm = (struct cli_common){0};
	int rc = lia_cli_parse(spec, argc, argv, &common, parse_opt, &p, first);
	cm->json = common.json;
	return rc;
}

int cli_open(const struct cli_common *cm, struct lia_ledger **out)
{
	char err[LIA_ERR_MAX];
	*out = NULL;
	if ((cm->ledger == NULL) == (cm->export == NULL))
		return cli_fail(LIA_EXIT_USAGE, "give exactly one of --ledger FILE or --export FILE");
	if (cm->ledger) {
		*out = lia_ledger_open_file(cm->ledger, NULL, LIA_LEDGER_READONLY, err);
		if (*out == NULL)
			return cli_fail(LIA_EXIT_FAIL, "%s", err);
		return LIA_EXIT_OK;
	}
	FILE *f = fopen(cm->export, "r");
	if (f == NULL)
		return cli_fail(LIA_EXIT_FAIL, "cannot open export \"%s\": %s", cm->export,
				strerror(errno));
	struct cli_progress pr;
	cli_progress_init(&pr, "loading export", cm->quiet);
	*out = lia_export_load(f, cli_progress_cb, &pr, err);
	cli_progress_end(&pr);
	fclose(f);
	if (*out == NULL)
		return cli_fail(LIA_EXIT_VERIFY, "export \"%s\" is not valid: %s", cm->export, err);
	return LIA_EXIT_OK;
}

bool cli_has_key(const struct cli_common *cm)
{
	return cm->vkey || cm->vkey_file || cm->cert || cm->authority;
}

/* Standard input, bounded like a file. */
static int read_stdin(size_t max, char **out, size_t *len)
{
	char *buf = malloc(max + 2);
	if (buf == NULL)
		return cli_fail(LIA_EXIT_FAIL, "out of memory");
	size_t n = fread(buf, 1, max + 1, stdin);
	if (ferror(stdin) || n > max) {
		free(buf);
		return cli_fail(LIA_EXIT_FAIL, "standard input is unreadable or larger than %zu bytes",
				max);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return LIA_EXIT_OK;
}

int cli_read_text(const char *path, size_t max, char **out, size_t *len)
{
	char err[LIA_ERR_MAX];
	uint8_t *b = NULL;
	size_t n = 0;
	if (strcmp(path, "-") == 0)
		return read_stdin(max, out, len);
	if (lia_file_read(path, max, &b, &n, err) != 0)
		return cli_fail(LIA_EXIT_FAIL, "%s", err);
	char *s = realloc(b, n + 1);
	if (s == NULL) {
		free(b);
		return cli_fail(LIA_EXIT_FAIL, "out of memory");
	}
	s[n] = '\0';
	*out = s;
	*len = n;
	return LIA_EXIT_OK;
}

int cli_verifier(const struct cli_common *cm, const char *origin, struct lia_note_verifier *v)
{
	char err[LIA_ERR_MAX];
	int given = (cm->vkey != NULL) + (cm->vkey_file != NULL) + (cm->cert != NULL);
	if (given != 1 || (cm->cert == NULL) != (cm->authority == NULL))
		return cli_fail(LIA_EXIT_USAGE, "give the broker's key: --key NAME+KEYID+KEY, "
						"--key-file FILE, or --cert FILE with --authority FILE");
	if (cm->vkey) {
		if (lia_note_verifier_parse(v, cm->vkey, err) != 0)
			return cli_fail(LIA_EXIT_USAGE, "--key: %s", err);
		return LIA_EXIT_OK;
	}
	if (cm->vkey_file) {
		char *text = NULL;
		size_t n = 0;
		int rc = cli_read_text(cm->vkey_file, LIA_NOTE_VKEY_MAX + 2, &text, &n);
		if (rc != LIA_EXIT_OK)
			return rc;
		text[strcspn(text, "\r\n")] = '\0';
		rc = lia_note_verifier_parse(v, text, err);
		free(text);
		if (rc != 0)
			return cli_fail(LIA_EXIT_FAIL, "key file \"%s\": %s", cm->vkey_file, err);
		return LIA_EXIT_OK;
	}
	uint8_t apk[32];
	char aname[LIA_NAME_MAX];
	if (lia_pubkey_load(cm->authority, LIA_KEY_AUTHORITY, apk, aname, err) != 0)
		return cli_fail(LIA_EXIT_FAIL, "%s", err);
	struct lia_cert cert;
	if (lia_cert_load(&cert, cm->cert, apk, err) != 0)
		return cli_fail(LIA_EXIT_VERIFY, "%s", err);
	if (cert.kind != LIA_CERT_BROKER)
		return cli_fail(LIA_EXIT_VERIFY, "certificate \"%s\" (%s) is not a broker's",
				cm->cert, cert.subject);
	if (origin == NULL)
		return cli_fail(LIA_EXIT_FAIL, "cannot tell which log the certificate's key signs");
	if (lia_note_verifier_init(v, origin, cert.sign_pk, err) != 0)
		return cli_fail(LIA_EXIT_FAIL, "%s", err);
	return LIA_EXIT_OK;
}

int cli_parse_id(const char *s, uint8_t id[static LIA_ID_BYTES])
{
	if (strlen(s) != 2 * LIA_ID_BYTES || lia_unhex(id, LIA_ID_BYTES, s) != 0)
		return cli_fail(LIA_EXIT_USAGE, "message id \"%.40s\" is not 32 hex digits", s);
	return LIA_EXIT_OK;
}

int cli_write_out(const char *path, const char *data, size_t len)
{
	char err[LIA_ERR_MAX];
	if (path == NULL || strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			return cli_fail(LIA_EXIT_FAIL, "cannot write to standard output");
		return LIA_EXIT_OK;
	}
	if (lia_file_replace(path, (const uint8_t *)data, len, 0644, err) != 0)
		return cli_fail(LIA_EXIT_FAIL, "%s", err);
	return LIA_EXIT_OK;
}

/* --- progress --- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cli_progress_init(struct cli_progress *p, const char *what, bool quiet)
{
	p->what = what;
	p->on = !quiet && isatty(STDERR_FILENO) == 1;
	p->shown = false;
	p->last_ns = now_ns();
}

void cli_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ctx;
	if (!p->on)
		return;
	uint64_t t = now_ns();
	/* Ten updates a second at most, and none for runs under half a second. */
	if (!p->shown && t - p->last_ns < 500000000u)
		return;
	if (p->shown && t - p->last_ns < 100000000u && done != total)
		return;
	p->last_ns = t;
	p->shown = true;
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
	fprintf(stderr, "\r%s: %llu / %llu records (%u%%)", p->what, (unsigned long long)done,
		(unsigned long long)total, pct > 100 ? 100 : pct);
	fflush(stderr);
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
}
