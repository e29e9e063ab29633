/*
 * cli_show.c — liaison-audit query, disclosures and export: reading the
 * ledger for people (tables) and for programs (--json, one object per
 * line; export files).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "export.h"
#include "util.h"

/* --- query --- */

static void query_usage(FILE *f)
{
	fputs("Usage: liaison-audit query (--ledger FILE | --export FILE) [FILTERS] [--json]\n"
	      "\n"
	      "Lists ledger records in sequence order. Filters combine with AND:\n"
	      "  --message ID        message id (32 hex digits)\n"
	      "  --originator SUBJ   originator of the message, e.g. IT-GDF/ventimiglia\n"
	      "  --actor SUBJ        who acted\n"
	      "  --recipient SUBJ    who received or was refused\n"
	      "  --agency AGENCY     actor's, recipient's or originator's agency\n"
	      "  --op OP             operation (repeatable): publish, disclose, withhold,\n"
	      "                      acknowledge, consent-requested, consent-granted,\n"
	      "                      consent-refused, verification-requested,\n"
	      "                      verification-answered, verification-overdue, recall,\n"
	      "                      erase, authentication-refused, certificate-revoked,\n"
	      "                      policy-loaded, audit-query\n"
	      "  --decision D        permit or deny\n"
	      "  --since TIME        at or after TIME (2026-11-28, 2026-11-28T10:00:00Z, @SECONDS)\n"
	      "  --until TIME        before TIME\n"
	      "  --limit N           at most N records\n"
	      "  --json              one JSON object per record (docs/ledger.md)\n"
	      "\n"
	      "Examples:\n"
	      "  liaison-audit query --ledger broker.db --recipient FR-PAF/nice --op disclose\n"
	      "  liaison-audit query --ledger broker.db --agency IT-GDF --since 2026-11-01 --json\n",
	      f);
}

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
	       r->recipient.subject[0] ? r->recipient.subject : "-", mid, on, dec[0] ? dec : "-",
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

static int parse_time_opt(const char *opt, const char *arg, int64_t *out)
{
	if (lia_time_parse(arg, out) != 0)
		return cli_fail(LIA_EXIT_USAGE, "--%s \"%s\": want 2026-11-28, "
						"2026-11-28T10:00:00Z or @SECONDS", opt, arg);
	return LIA_EXIT_OK;
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
	OPT_CP_OUT,
};

int cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"message", required_argument, NULL, OPT_MESSAGE},
		{"originator", required_argument, NULL, OPT_ORIGINATOR},
		{"actor", required_argument, NULL, OPT_ACTOR},
		{"recipient", required_argument, NULL, OPT_RECIPIENT},
		{"agency", required_argument, NULL, OPT_AGENCY},
		{"op", required_argument, NULL, OPT_OP},
		{"decision", required_argument, NULL, OPT_DECISION},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"limit", required_argument, NULL, OPT_LIMIT},
		{NULL, 0, NULL, 0},
	};
	struct cli_common cm = {0};
	struct lia_ledger_filter f = {0};
	int c, rc;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_opt(&cm, c, optarg))
			continue;
		switch (c) {
		case 'h': query_usage(stdout); return LIA_EXIT_OK;
		case OPT_MESSAGE:
			if ((rc = cli_parse_id(optarg, f.message_id)) != 0)
				return rc;
			f.has_message_id = true;
			break;
		case OPT_ORIGINATOR: f.originator = optarg; break;
		case OPT_ACTOR: f.actor = optarg; break;
		case OPT_RECIPIENT: f.recipient = optarg; break;
		case OPT_AGENCY: f.agency = optarg; break;
		case OPT_OP: {
			enum lia_record_op op;
			if (lia_record_op_parse(optarg, &op) != 0)
				return cli_fail(LIA_EXIT_USAGE, "--op \"%s\" is not an operation "
								"(see --help)", optarg);
			f.ops |= 1u << op;
			break;
		}
		case OPT_DECISION:
			if (lia_record_decision_parse(optarg, &f.decision) != 0)
				return cli_fail(LIA_EXIT_USAGE, "--decision is permit or deny");
			f.has_decision = true;
			break;
		case OPT_SINCE:
			if ((rc = parse_time_opt("since", optarg, &f.since)) != 0)
				return rc;
			break;
		case OPT_UNTIL:
			if ((rc = parse_time_opt("until", optarg, &f.until)) != 0)
				return rc;
			break;
		case OPT_LIMIT:
			if (lia_parse_u64(optarg, &f.limit) != 0 || f.limit == 0)
				return cli_fail(LIA_EXIT_USAGE, "--limit wants a positive number");
			break;
		default: query_usage(stderr); return LIA_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_fail(LIA_EXIT_USAGE, "unexpected argument \"%s\"; see query --help",
				argv[optind]);
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

static void disclosures_usage(FILE *f)
{
	fputs("Usage: liaison-audit disclosures MESSAGE-ID (--ledger FILE | --export FILE) [--json]\n"
	      "\n"
	      "Everything the ledger holds about one message: who published it, who\n"
	      "received it, who was refused and by which rule, consent and verification\n"
	      "steps, acknowledgements, recall and erasure.\n"
	      "\n"
	      "Example:\n"
	      "  liaison-audit disclosures 5f0c2a9b0d1e4f5a6b7c8d9e0f1a2b3c --ledger broker.db\n",
	      f);
}

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
	struct cli_common cm = {0};
	int rc = cli_common_only(argc, argv, disclosures_usage, &cm);
	if (rc >= 0)
		return rc;
	if (optind + 1 != argc)
		return cli_fail(LIA_EXIT_USAGE, "give one MESSAGE-ID; see disclosures --help");
	struct lia_ledger_filter f = {0};
	if ((rc = cli_parse_id(argv[optind], f.message_id)) != 0)
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
		rc = cli_fail(LIA_EXIT_FAIL, "no record mentions message %s", argv[optind]);
	else if (!cm.json)
		printf("\n%" PRIu64 " disclosed, %" PRIu64 " withheld, %" PRIu64 " events in all\n",
		       ctx.disclosed, ctx.withheld, ctx.n);
	lia_ledger_destroy(&l);
	return rc;
}

/* --- export --- */

static void export_usage(FILE *f)
{
	fputs("Usage: liaison-audit export (--ledger FILE | --export FILE) [--format jsonl|csv]\n"
	      "                            [-o FILE] [--checkpoint-out FILE]\n"
	      "\n"
	      "Writes every record covered by the latest checkpoint, and that checkpoint,\n"
	      "so that a supervisory authority can verify the log without the database\n"
	      "(docs/ledger.md). JSON lines (the default) carry the checkpoint on their\n"
	      "last line (and --checkpoint-out FILE keeps a copy, for later\n"
	      "'verify --checkpoint' and 'consistency --old'); CSV writes it to\n"
	      "--checkpoint-out, or to FILE.checkpoint.\n"
	      "\n"
	      "Examples:\n"
	      "  liaison-audit export --ledger broker.db -o ledger.jsonl\n"
	      "  liaison-audit export --ledger broker.db --format csv -o ledger.csv\n",
	      f);
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"format", required_argument, NULL, OPT_FORMAT},
		{"output", required_argument, NULL, 'o'},
		{"checkpoint-out", required_argument, NULL, OPT_CP_OUT},
		{NULL, 0, NULL, 0},
	};
	struct cli_common cm = {0};
	enum lia_export_format fmt = LIA_EXPORT_JSONL;
	const char *out_path = NULL, *cp_path = NULL;
	int c, rc;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (cli_common_opt(&cm, c, optarg))
			continue;
		switch (c) {
		case 'h': export_usage(stdout); return LIA_EXIT_OK;
		case 'o': out_path = optarg; break;
		case OPT_CP_OUT: cp_path = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "jsonl") == 0)
				fmt = LIA_EXPORT_JSONL;
			else if (strcmp(optarg, "csv") == 0)
				fmt = LIA_EXPORT_CSV;
			else
				return cli_fail(LIA_EXIT_USAGE, "--format is jsonl or csv");
			break;
		default: export_usage(stderr); return LIA_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_fail(LIA_EXIT_USAGE, "unexpected argument \"%s\"; see export --help",
				argv[optind]);
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
