/*
 * cli_show.c — liaison-audit query, disclosures and export: reading the
 * ledger for people (tables) and for programs (--json, one object per
 * line; export files).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "export.h"
#include "util.h"

/* --- query --- */

struct table_ctx {
	bool json;
	bool color;
	uint64_t count;
	int failed;
};

static void print_row(const struct lia_record *r, bool color)
{
	char t[32], mid[2 * LIA_ID_BYTES + 1] = "-";
	lia_time_format(r->time, t);
	if (r->has_message_id)
		lia_hex(mid, r->message_id, LIA_ID_BYTES);
	const char *dec = lia_record_decision_str(r->decision);
	const char *on = "", *off = "";
	if (color && r->decision == LIA_RECORD_DENY) {
		on = "\033[31m";
		off = "\033[0m";
	} else if (color && r->decision == LIA_RECORD_PERMIT) {
		on = "\033[32m";
		off = "\033[0m";
	}
	printf("%-8" PRIu64 " %-20s %-22s %-28s %-28s %-32s %s%-6s%s %s\n", r->seq, t,
	       lia_record_op_str(r->op), r->actor.subject[0] ? r->actor.subject : "-",
	       /* A party that is a whole agency (a verification office, a
	        * consent grantee) has no subject: its agency then. */
	       r->recipient.subject[0] ? r->recipient.subject : r->recipient.agency[0] ? r->recipient.agency : "-", mid, on, dec[0] ? dec : "-",
	       off, r->rule[0] ? r->rule : "-");
}

static int table_each(void *ctx, const struct lia_record *r)
{
	struct table_ctx *c = ctx;
	if (c->json) {
		char err[LIA_ERR_MAX];
		if (lia_export_record_json(stdout, r, NULL, 0, err) != 0) {
			c->failed = cli_fail(LIA_EXIT_FAIL, "%s", err);
			return 1;
		}
	} else {
		if (c->count == 0)
			printf("%-8s %-20s %-22s %-28s %-28s %-32s %-6s %s\n", "SEQ", "TIME",
			       "OPERATION", "ACTOR", "RECIPIENT", "MESSAGE", "DECISION", "RULE");
		print_row(r, c->color);
	}
	c->count++;
	return 0;
}

enum {
	OPT_MESSAGE = OPT_FIRST_FREE,
	OPT_ORIGINATOR,
	OPT_ACTOR,
	OPT_RECIPIENT,
	OPT_AGENCY,
	OPT_OP,
	OPT_DECISION,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_LIMIT,
	OPT_FORMAT,
	OPT_OUTPUT = 'o',
	OPT_CP_OUT = OPT_FIRST_FREE + 100,
};

static const struct lia_opt query_opts[] = {
	{"message", "ID", "message id (32 hex digits)", OPT_MESSAGE, 0},
	{"originator", "SUBJ", "originator of the message, e.g. IT-GDF/ventimiglia", OPT_ORIGINATOR, 0},
	{"actor", "SUBJ", "who acted", OPT_ACTOR, 0},
	{"recipient", "SUBJ", "who received or was refused", OPT_RECIPIENT, 0},
	{"agency", "AGENCY", "actor's, recipient's or originator's agency", OPT_AGENCY, 0},
	{"op", "OP", "operation (repeatable): publish, disclose, withhold,\n"
		     "acknowledge, consent-requested, consent-granted,\n"
		     "consent-refused, verification-requested,\n"
		     "verification-answered, verification-overdue, recall,\n"
		     "correction, erase, authentication-refused,\n"
		     "certificate-revoked, policy-loaded, audit-query", OPT_OP, 0},
	{"decision", "D", "permit or deny", OPT_DECISION, 0},
	{"since", "TIME", "at or after TIME (2026-11-28, 2026-11-28T10:00:00Z, @SECONDS)", OPT_SINCE, 0},
	{"until", "TIME", "before TIME", OPT_UNTIL, 0},
	{"limit", "N", "at most N records", OPT_LIMIT, 0},
	LIA_OPT_END,
};

static const struct lia_cmd_spec query_spec = {
	.prog = CLI_PROG,
	.name = "query",
	.about = "Lists ledger records (from --ledger FILE or --export FILE) in sequence order.\n"
		 "Filters combine with AND; --json prints one JSON object per record.",
	.examples = "liaison-audit query --ledger broker.db --recipient FR-PAF/nice --op disclose\n"
		    "liaison-audit query --ledger broker.db --agency IT-GDF --since 2026-11-01 --json",
	.opts = query_opts,
	.groups = cli_common_groups,
	.flags = LIA_CLI_CAPITALISED,
};

static int query_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct lia_ledger_filter *f = ctx;
	enum lia_record_op op;
	switch (id) {
	case OPT_MESSAGE:
		f->has_message_id = true;
		return cli_parse_id(arg, f->message_id);
	case OPT_ORIGINATOR: f->originator = arg; return 0;
	case OPT_ACTOR: f->actor = arg; return 0;
	case OPT_RECIPIENT: f->recipient = arg; return 0;
	case OPT_AGENCY: f->agency = arg; return 0;
	case OPT_OP:
		if (lia_record_op_parse(arg, &op) != 0)
			return lia_errf(err, "--op \"%s\" is not an operation", arg);
		f->ops |= 1u << op;
		return 0;
	case OPT_DECISION:
		f->has_decision = true;
		if (lia_record_decision_parse(arg, &f->decision) != 0)
			return lia_errf(err, "--decision is permit or deny");
		return 0;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (lia_time_parse(arg, id == OPT_SINCE ? &f->since : &f->until) != 0)
			return lia_errf(err, "--%s \"%s\": want 2026-11-28, 2026-11-28T10:00:00Z or @SECONDS",
					id == OPT_SINCE ? "since" : "until", arg);
		return 0;
	case OPT_LIMIT:
		if (lia_parse_u64(arg, &f->limit) != 0 || f->limit == 0)
			return lia_errf(err, "--limit wants a positive number");
		return 0;
	}
	return -1;
}

int cmd_query(int argc, char **argv)
{
	struct cli_common cm;
	struct lia_ledger_filter f = {0};
	int first, rc = cli_parse(&query_spec, argc, argv, &cm, query_opt, &f, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&query_spec, "unexpected argument \"%.64s\"", argv[first]);
	struct lia_ledger *l = NULL;
	if ((rc = cli_open(&cm, &l)) != 0)
		return rc;
	struct table_ctx ctx = {.json = cm.json, .color = lia_color(stdout)};
	char err[LIA_ERR_MAX];
	rc = LIA_EXIT_OK;
	if (lia_ledger_query(l, &f, table_each, &ctx, err) != 0)
		rc = cli_fail(LIA_EXIT_FAIL, "%s", err);
	else if (ctx.failed)
		rc = ctx.failed;
	else if (!cm.json)
		fprintf(stderr, "%" PRIu64 " record%s\n", ctx.count, ctx.count == 1 ? "" : "s");
	lia_ledger_destroy(&l);
	return rc;
}

/* --- disclosures --- */

static const struct lia_cmd_spec disclosures_spec = {
	.prog = CLI_PROG,
	.name = "disclosures",
	.args = "MESSAGE-ID",
	.about = "Everything the ledger holds about one message: who published it, who\n"
		 "received it, who was refused and by which rule, consent and verification\n"
		 "steps, acknowledgements, recall, correction and erasure.",
	.examples = "liaison-audit disclosures 5f0c2a9b0d1e4f5a6b7c8d9e0f1a2b3c --ledger broker.db",
	.groups = cli_common_groups,
	.flags = LIA_CLI_CAPITALISED,
};

struct disc_ctx {
	bool json, color;
	uint64_t n, disclosed, withheld;
	int failed;
};

static int disc_each(void *ctx, const struct lia_record *r)
{
	struct disc_ctx *c = ctx;
	c->n++;
	if (r->op == LIA_OP_DISCLOSE)
		c->disclosed++;
	if (r->op == LIA_OP_WITHHOLD)
		c->withheld++;
	if (c->json) {
		char err[LIA_ERR_MAX];
		if (lia_export_record_json(stdout, r, NULL, 0, err) != 0) {
			c->failed = cli_fail(LIA_EXIT_FAIL, "%s", err);
			return 1;
		}
		return 0;
	}
	char t[32];
	lia_time_format(r->time, t);
	const char *who = r->recipient.subject[0] ? r->recipient.subject
			  : r->actor.subject[0]   ? r->actor.subject
						  : "-";
	const char *on = "", *off = "";
	if (c->color && r->op == LIA_OP_WITHHOLD) {
		on = "\033[31m";
		off = "\033[0m";
	} else if (c->color && r->op == LIA_OP_DISCLOSE) {
		on = "\033[32m";
		off = "\033[0m";
	}
	if (c->n == 1)
		printf("%-8s %-20s %-22s %-28s %-24s %s\n", "SEQ", "TIME", "EVENT", "WHO", "RULE",
		       "REASON");
	printf("%-8" PRIu64 " %-20s %s%-22s%s %-28s %-24s %s\n", r->seq, t, on,
	       lia_record_op_str(r->op), off, who, r->rule[0] ? r->rule : "-",
	       r->justification[0] ? r->justification : "-");
	return 0;
}

int cmd_disclosures(int argc, char **argv)
{
	struct cli_common cm;
	int first, rc = cli_parse(&disclosures_spec, argc, argv, &cm, NULL, NULL, &first);
	if (rc != -1)
		return rc;
	if (first + 1 != argc)
		return lia_cli_usage_error(&disclosures_spec, "give one MESSAGE-ID");
	struct lia_ledger_filter f = {0};
	if ((rc = cli_parse_id(argv[first], f.message_id)) != 0)
		return rc;
	f.has_message_id = true;
	struct lia_ledger *l = NULL;
	if ((rc = cli_open(&cm, &l)) != 0)
		return rc;
	struct disc_ctx ctx = {.json = cm.json, .color = lia_color(stdout)};
	char err[LIA_ERR_MAX];
	rc = LIA_EXIT_OK;
	if (lia_ledger_query(l, &f, disc_each, &ctx, err) != 0)
		rc = cli_fail(LIA_EXIT_FAIL, "%s", err);
	else if (ctx.failed)
		rc = ctx.failed;
	else if (ctx.n == 0)
		rc = cli_fail(LIA_EXIT_FAIL, "no record mentions message %s", argv[first]);
	else if (!cm.json)
		printf("\n%" PRIu64 " disclosed, %" PRIu64 " withheld, %" PRIu64 " events in all\n",
		       ctx.disclosed, ctx.withheld, ctx.n);
	lia_ledger_destroy(&l);
	return rc;
}

/* --- export --- */

static const struct lia_opt export_opts[] = {
	{"format", "jsonl|csv", "JSON lines (the default) or CSV", OPT_FORMAT, 0},
	{"output", "FILE", "where to write (default: standard output)", OPT_OUTPUT, LIA_OPT_SHORT},
	{"checkpoint-out", "FILE", "keep a copy of the checkpoint in FILE", OPT_CP_OUT, 0},
	LIA_OPT_END,
};

static const struct lia_cmd_spec export_spec = {
	.prog = CLI_PROG,
	.name = "export",
	.about = "Writes every record covered by the latest checkpoint, and that checkpoint,\n"
		 "so that a supervisory authority can verify the log without the database\n"
		 "(docs/ledger.md). JSON lines (the default) carry the checkpoint on their\n"
		 "last line (and --checkpoint-out FILE keeps a copy, for later\n"
		 "'verify --checkpoint' and 'consistency --old'); CSV writes it to\n"
		 "--checkpoint-out, or to FILE.checkpoint.",
	.examples = "liaison-audit export --ledger broker.db -o ledger.jsonl\n"
		    "liaison-audit export --ledger broker.db --format csv -o ledger.csv",
	.opts = export_opts,
	.groups = cli_common_groups,
	.flags = LIA_CLI_CAPITALISED,
};

struct export_args {
	enum lia_export_format fmt;
	const char *out_path, *cp_path;
};

static int export_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct export_args *a = ctx;
	switch (id) {
	case OPT_OUTPUT: a->out_path = arg; return 0;
	case OPT_CP_OUT: a->cp_path = arg; return 0;
	case OPT_FORMAT:
		if (strcmp(arg, "jsonl") == 0)
			a->fmt = LIA_EXPORT_JSONL;
		else if (strcmp(arg, "csv") == 0)
			a->fmt = LIA_EXPORT_CSV;
		else
			return lia_errf(err, "--format is jsonl or csv");
		return 0;
	}
	return -1;
}

int cmd_export(int argc, char **argv)
{
	struct cli_common cm;
	struct export_args a = {LIA_EXPORT_JSONL, NULL, NULL};
	int first, rc = cli_parse(&export_spec, argc, argv, &cm, export_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&export_spec, "unexpected argument \"%.64s\"", argv[first]);
	enum lia_export_format fmt = a.fmt;
	const char *out_path = a.out_path, *cp_path = a.cp_path;
	if (out_path && strcmp(out_path, "-") == 0)
		out_path = NULL;
	char cp_default[4096];
	if (fmt == LIA_EXPORT_CSV && cp_path == NULL) {
		if (out_path == NULL)
			return cli_fail(LIA_EXIT_USAGE, "a CSV export to standard output needs "
							"--checkpoint-out FILE");
		int w = snprintf(cp_default, sizeof cp_default, "%s.checkpoint", out_path);
		if (w < 0 || (size_t)w >= sizeof cp_default)
			return cli_fail(LIA_EXIT_USAGE, "output path too long");
		cp_path = cp_default;
	}
	struct lia_ledger *l = NULL;
	if ((rc = cli_open(&cm, &l)) != 0)
		return rc;
	/* Write through temporary files and rename, so that a failed export
	 * never leaves a file that looks complete. */
	FILE *out = stdout, *cp_out = NULL;
	char out_tmp[4200] = "", cp_tmp[4200] = "";
	rc = LIA_EXIT_FAIL;
	if (out_path) {
		int w = snprintf(out_tmp, sizeof out_tmp, "%s.tmp", out_path);
		if (w < 0 || (size_t)w >= sizeof out_tmp || (out = fopen(out_tmp, "wx")) == NULL) {
			rc = cli_fail(LIA_EXIT_FAIL, "cannot create \"%s\": %s", out_tmp,
				      strerror(errno));
			out = NULL;
			goto done;
		}
	}
	if (cp_path) {
		int w = snprintf(cp_tmp, sizeof cp_tmp, "%s.tmp", cp_path);
		if (w < 0 || (size_t)w >= sizeof cp_tmp || (cp_out = fopen(cp_tmp, "wx")) == NULL) {
			rc = cli_fail(LIA_EXIT_FAIL, "cannot create \"%s\": %s", cp_tmp,
				      strerror(errno));
			goto done;
		}
	}
	struct cli_progress pr;
	cli_progress_init(&pr, "exporting", cm.quiet);
	uint64_t count = 0;
	char err[LIA_ERR_MAX];
	int ok = lia_export_write(l, fmt, out, cp_out, &count, cli_progress_cb, &pr, err);
	cli_progress_end(&pr);
	if (ok != 0) {
		rc = cli_fail(LIA_EXIT_FAIL, "%s", err);
		goto done;
	}
	if (out != stdout) {
		int bad = fflush(out) != 0 || fsync(fileno(out)) != 0;
		bad |= fclose(out) != 0;
		out = NULL;
		if (bad || rename(out_tmp, out_path) != 0) {
			rc = cli_fail(LIA_EXIT_FAIL, "cannot write \"%s\": %s", out_path,
				      strerror(errno));
			goto done;
		}
		out_tmp[0] = '\0';
	}
	if (cp_out) {
		int bad = fflush(cp_out) != 0 || fsync(fileno(cp_out)) != 0;
		bad |= fclose(cp_out) != 0;
		cp_out = NULL;
		if (bad || rename(cp_tmp, cp_path) != 0) {
			rc = cli_fail(LIA_EXIT_FAIL, "cannot write \"%s\": %s", cp_path,
				      strerror(errno));
			goto done;
		}
		cp_tmp[0] = '\0';
	}
	uint64_t size = 0;
	if (lia_ledger_size(l, &size, err) == 0 && size > count)
		fprintf(stderr, CLI_PROG ": note: records %" PRIu64 "..%" PRIu64
				" are not yet covered by a checkpoint and were not exported\n",
			count, size - 1);
	fprintf(stderr, "exported %" PRIu64 " records%s%s\n", count, out_path ? " to " : "",
		out_path ? out_path : "");
	rc = LIA_EXIT_OK;
done:
	if (out && out != stdout)
		fclose(out);
	if (cp_out)
		fclose(cp_out);
	if (out_tmp[0])
		unlink(out_tmp);
	if (cp_tmp[0])
		unlink(cp_tmp);
	lia_ledger_destroy(&l);
	return rc;
}
