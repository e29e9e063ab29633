/*
 * cli_verify.c — liaison-audit verify, prove, verify-proof and
 * consistency: the commands that check the broker's signatures and the
 * Merkle tree. A failed check exits 3 (LIA_EXIT_VERIFY) and says what
 * failed first; an unreadable input exits 1.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "export.h"
#include "proof.h"
#include "util.h"

enum {
	OPT_CHECKPOINT = OPT_FIRST_FREE,
	OPT_SEQ,
	OPT_MESSAGE,
	OPT_RECIPIENT,
	OPT_SIZE,
	OPT_FROM,
	OPT_TO,
	OPT_OLD,
	OPT_NEW,
};

static void print_json(json_t *o)
{
	if (o == NULL)
		return;
	json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	json_decref(o);
}

static json_t *hex_json(const uint8_t *b, size_t n)
{
	char buf[65];
	if (n > 32)
		return NULL;
	lia_hex(buf, b, n);
	return json_string(buf);
}

/* --- verify --- */

static void verify_usage(FILE *f)
{
	fputs("Usage: liaison-audit verify (--ledger FILE | --export FILE) KEY\n"
	      "                            [--checkpoint FILE]... [--json] [--quiet]\n"
	      "\n"
	      "Recomputes the Merkle tree from the record bytes alone and checks that\n"
	      "every record decodes and carries its own sequence number, that none is\n"
	      "missing, that every stored hash matches, and that every checkpoint (those\n"
	      "stored in the ledger and each --checkpoint FILE you kept yourself) is\n"
	      "signed by the broker and matches the tree at its size. A log truncated\n"
	      "below a checkpoint you hold is caught by giving that checkpoint.\n"
	      "\n"
	      "KEY is --key NAME+KEYID+KEY, --key-file FILE, or --cert FILE --authority FILE.\n"
	      "Exit 0 when everything verifies, 3 naming the first bad record or\n"
	      "checkpoint, 1 when the ledger cannot be read.\n"
	      "\n"
	      "Examples:\n"
	      "  liaison-audit verify --ledger broker.db --key-file broker.vkey\n"
	      "  liaison-audit verify --export ledger.jsonl --key-file broker.vkey \\\n"
	      "      --checkpoint kept-2026-11-01.checkpoint\n",
	      f);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
		{NULL, 0, NULL, 0},
	};
	struct cli_common cm = {0};
	const char *cp_paths[64];
	size_t n_cp = 0;
	int c, rc;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (cli_common_opt(&cm, c, optarg))
			continue;
		switch (c) {
		case 'h': verify_usage(stdout); return LIA_EXIT_OK;
		case OPT_CHECKPOINT:
			if (n_cp == sizeof cp_paths / sizeof cp_paths[0])
				return cli_fail(LIA_EXIT_USAGE, "at most 64 --checkpoint files");
			cp_paths[n_cp++] = optarg;
			break;
		default: verify_usage(stderr); return LIA_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_fail(LIA_EXIT_USAGE, "unexpected argument \"%s\"; see verify --help",
				argv[optind]);
	if (!cli_has_key(&cm))
		return cli_fail(LIA_EXIT_USAGE, "verify needs the broker's key: --key, --key-file, "
						"or --cert with --authority");
	struct lia_ledger *l = NULL;
	if ((rc = cli_open(&cm, &l)) != 0)
		return rc;
	struct lia_note_verifier v;
	struct lia_ledger_note extra[64];
	char *texts[64] = {0};
	if ((rc = cli_verifier(&cm, lia_ledger_origin(l), &v)) != 0)
		goto done;
	for (size_t i = 0; i < n_cp; i++) {
		if ((rc = cli_read_text(cp_paths[i], LIA_NOTE_MAX_BYTES, &texts[i], &extra[i].len)) != 0)
			goto done;
		extra[i].note = texts[i];
	}
	struct cli_progress pr;
	cli_progress_init(&pr, "verifying", cm.quiet);
	struct lia_ledger_verify_result res;
	enum lia_ledger_verdict verdict =
		lia_ledger_verify(l, &v, extra, n_cp, cli_progress_cb, &pr, &res);
	cli_progress_end(&pr);
	uint64_t latest = 0;
	char *note = NULL;
	size_t note_len = 0;
	char err[LIA_ERR_MAX];
	if (verdict == LIA_LEDGER_VALID &&
	    lia_ledger_checkpoint_latest(l, &latest, &note, &note_len, err) < 0) {
		rc = cli_fail(LIA_EXIT_FAIL, "%s", err);
		goto done;
	}
	free(note);
	if (cm.json) {
		json_t *o = json_object();
		json_object_set_new(o, "valid", json_boolean(verdict == LIA_LEDGER_VALID));
		json_object_set_new(o, "origin", json_string(lia_ledger_origin(l)));
		json_object_set_new(o, "records", json_integer((json_int_t)res.size));
		json_object_set_new(o, "checkpoints", json_integer((json_int_t)res.checkpoints));
		if (verdict == LIA_LEDGER_VALID)
			json_object_set_new(o, "latest_checkpoint", json_integer((json_int_t)latest));
		if (res.has_bad_seq)
			json_object_set_new(o, "bad_seq", json_integer((json_int_t)res.bad_seq));
		if (res.has_bad_checkpoint)
			json_object_set_new(o, "bad_checkpoint",
					    json_integer((json_int_t)res.bad_checkpoint));
		if (verdict != LIA_LEDGER_VALID)
			json_object_set_new(o, "error", json_string(res.what));
		print_json(o);
	}
	if (verdict == LIA_LEDGER_ERROR) {
		rc = cli_fail(LIA_EXIT_FAIL, "cannot verify: %s", res.what);
		goto done;
	}
	if (verdict == LIA_LEDGER_INVALID) {
		fprintf(stderr, CLI_PROG ": verification FAILED: %s\n", res.what);
		if (res.has_bad_seq)
			fprintf(stderr, CLI_PROG ": first bad record: %" PRIu64 "\n", res.bad_seq);
		if (res.has_bad_checkpoint)
			fprintf(stderr, CLI_PROG ": first bad checkpoint: size %" PRIu64 "\n",
				res.bad_checkpoint);
		rc = LIA_EXIT_VERIFY;
		goto done;
	}
	if (!cm.json) {
		printf("ledger \"%s\": %" PRIu64 " records and %" PRIu64
		       " checkpoints verified with key %08x\n",
		       lia_ledger_origin(l), res.size, res.checkpoints, (unsigned)v.key_id);
		if (res.checkpoints == 0)
			printf("warning: no checkpoint: nothing ties these records to the broker's "
			       "signature\n");
		else if (latest < res.size)
			printf("note: records %" PRIu64 "..%" PRIu64 " are not yet covered by a "
			       "checkpoint\n", latest, res.size - 1);
	}
	rc = LIA_EXIT_OK;
done:
	for (size_t i = 0; i < n_cp; i++)
		free(texts[i]);
	lia_ledger_destroy(&l);
	return rc;
}

/* --- prove --- */

static void prove_usage(FILE *f)
{
	fputs("Usage: liaison-audit prove (--ledger FILE | --export FILE)\n"
	      "           (--seq N | --message ID [--recipient SUBJ]) [--size N] [-o FILE]\n"
	      "\n"
	      "Writes an inclusion proof for one record, in the C2SP tlog-proof format,\n"
	      "against the latest checkpoint (or the stored checkpoint of --size N). The\n"
	      "proof carries the record and the signed checkpoint, so that anyone with\n"
	      "the broker's public key can check it with 'liaison-audit verify-proof' or\n"
	      "their own tools (docs/ledger.md). By message: the record must be unique,\n"
	      "else the matching sequence numbers are listed.\n"
	      "\n"
	      "Examples:\n"
	      "  liaison-audit prove --ledger broker.db --seq 41 -o record41.tlog-proof\n"
	      "  liaison-audit prove --ledger broker.db --message 5f0c...e1 --recipient FR-PAF/nice\n",
	      f);
}

struct find_ctx {
	uint64_t seqs[8];
	size_t n;
};

static int find_each(void *ctx, const struct lia_record *r)
{
	struct find_ctx *c = ctx;
	if (c->n < 8)
		c->seqs[c->n] = r->seq;
	c->n++;
	return 0;
}

int cmd_prove(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"seq", required_argument, NULL, OPT_SEQ},
		{"message", required_argument, NULL, OPT_MESSAGE},
		{"recipient", required_argument, NULL, OPT_RECIPIENT},
		{"size", required_argument, NULL, OPT_SIZE},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common cm = {0};
	bool has_seq = false, has_size = false;
	uint64_t seq = 0, size = 0;
	struct lia_ledger_filter f = {0};
	const char *out_path = NULL;
	int c, rc;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (cli_common_opt(&cm, c, optarg))
			continue;
		switch (c) {
		case 'h': prove_usage(stdout); return LIA_EXIT_OK;
		case 'o': out_path = optarg; break;
		case OPT_SEQ:
			if (lia_parse_u64(optarg, &seq) != 0)
				return cli_fail(LIA_EXIT_USAGE, "--seq wants a sequence number");
			has_seq = true;
			break;
		case OPT_SIZE:
			if (lia_parse_u64(optarg, &size) != 0)
				return cli_fail(LIA_EXIT_USAGE, "--size wants a tree size");
			has_size = true;
			break;
		case OPT_MESSAGE:
			if ((rc = cli_parse_id(optarg, f.message_id)) != 0)
				return rc;
			f.has_message_id = true;
			break;
		case OPT_RECIPIENT: f.recipient = optarg; break;
		default: prove_usage(stderr); return LIA_EXIT_USAGE;
		}
	}
	if (optind != argc || has_seq == f.has_message_id)
		return cli_fail(LIA_EXIT_USAGE, "give --seq N or --message ID; see prove --help");
	struct lia_ledger *l = NULL;
	if ((rc = cli_open(&cm, &l)) != 0)
		return rc;
	char err[LIA_ERR_MAX];
	struct lia_inclusion_proof p = {0};
	char *text = NULL;
	size_t text_len = 0;
	rc = LIA_EXIT_FAIL;
	if (f.has_message_id) {
		struct find_ctx fc = {0};
		if (lia_ledger_query(l, &f, find_each, &fc, err) != 0) {
			rc = cli_fail(LIA_EXIT_FAIL, "%s", err);
			goto done;
		}
		if (fc.n == 0) {
			rc = cli_fail(LIA_EXIT_FAIL, "no record matches");
			goto done;
		}
		if (fc.n > 1) {
			fprintf(stderr, CLI_PROG ": %zu records match; choose one with --seq:", fc.n);
			for (size_t i = 0; i < fc.n && i < 8; i++)
				fprintf(stderr, " %" PRIu64, fc.seqs[i]);
			fputs(fc.n > 8 ? " ...\n" : "\n", stderr);
			rc = LIA_EXIT_USAGE;
			goto done;
		}
		seq = fc.seqs[0];
	}
	int got = has_size ? lia_ledger_checkpoint_get(l, size, &p.checkpoint, &p.checkpoint_len, err)
			   : lia_ledger_checkpoint_latest(l, &size, &p.checkpoint, &p.checkpoint_len,
							  err);
	if (got < 0) {
		rc = cli_fail(LIA_EXIT_FAIL, "%s", err);
		goto done;
	}
	if (got == 1) {
		rc = has_size ? cli_fail(LIA_EXIT_FAIL, "no checkpoint at size %" PRIu64, size)
			      : cli_fail(LIA_EXIT_FAIL, "the ledger has no checkpoint yet");
		goto done;
	}
	if (seq >= size) {
		rc = cli_fail(LIA_EXIT_FAIL, "record %" PRIu64 " is not covered by the checkpoint "
					     "of %" PRIu64 " records; wait for the next checkpoint",
			      seq, size);
		goto done;
	}
	p.index = seq;
	if (lia_ledger_get_encoded(l, seq, &p.record, &p.record_len, err) != 0 ||
	    lia_ledger_inclusion_proof(l, seq, size, &p.path, err) != 0 ||
	    lia_inclusion_proof_format(&text, &text_len, &p, err) != 0) {
		rc = cli_fail(LIA_EXIT_FAIL, "%s", err);
		goto done;
	}
	rc = cli_write_out(out_path, text, text_len);
	if (rc == LIA_EXIT_OK && out_path)
		fprintf(stderr, "wrote inclusion proof of record %" PRIu64 " in the tree of %" PRIu64
				" records to %s\n", seq, size, out_path);
done:
	free(text);
	lia_inclusion_proof_clear(&p);
	lia_ledger_destroy(&l);
	return rc;
}

/* --- verify-proof --- */

static void verify_proof_usage(FILE *f)
{
	fputs("Usage: liaison-audit verify-proof PROOF-FILE|- KEY [--json]\n"
	      "\n"
	      "Checks a proof written by 'prove' (c2sp.org/tlog-proof@v1) or by\n"
	      "'consistency' (liaison/ledger-consistency@v1) with nothing but the\n"
	      "broker's public key: the checkpoint signatures, the Merkle path, and for\n"
	      "an inclusion proof the record itself, which is then printed.\n"
	      "KEY is --key NAME+KEYID+KEY, --key-file FILE, or --cert FILE --authority FILE.\n"
	      "\n"
	      "Examples:\n"
	      "  liaison-audit verify-proof record41.tlog-proof --key-file broker.vkey\n"
	      "  liaison-audit verify-proof grew.proof --key-file broker.vkey --json\n",
	      f);
}

/* The origin line of the first checkpoint in a proof, unverified: with a
 * certificate as the key source it names the log the key signs. */
static void first_origin(const char *note, char out[static LIA_NOTE_NAME_MAX])
{
	size_t n = strcspn(note, "\n");
	if (n >= LIA_NOTE_NAME_MAX)
		n = 0;
	memcpy(out, note, n);
	out[n] = '\0';
}

int cmd_verify_proof(int argc, char **argv)
{
	struct cli_common cm = {0};
	int rc = cli_common_only(argc, argv, verify_proof_usage, &cm);
	if (rc >= 0)
		return rc;
	if (optind + 1 != argc)
		return cli_fail(LIA_EXIT_USAGE, "give one PROOF-FILE; see verify-proof --help");
	if (!cli_has_key(&cm))
		return cli_fail(LIA_EXIT_USAGE, "verify-proof needs the broker's key");
	const char *path = argv[optind];
	char *text = NULL;
	size_t len = 0;
	if ((rc = cli_read_text(path, LIA_PROOF_MAX_BYTES, &text, &len)) != 0)
		return rc;
	char err[LIA_ERR_MAX], origin[LIA_NOTE_NAME_MAX];
	struct lia_note_verifier v;
	bool inclusion = strncmp(text, LIA_INCLUSION_PROOF_HEADER "\n",
				 strlen(LIA_INCLUSION_PROOF_HEADER) + 1) == 0;
	if (inclusion) {
		struct lia_inclusion_proof p;
		struct lia_record *r = malloc(sizeof *r);
		struct lia_checkpoint cp;
		if (r == NULL) {
			free(text);
			return cli_fail(LIA_EXIT_FAIL, "out of memory");
		}
		enum lia_proof_status st = lia_inclusion_proof_parse(&p, text, len, err);
		if (st != LIA_PROOF_OK) {
			rc = cli_fail(LIA_EXIT_VERIFY, "\"%s\": %s", path, err);
		} else {
			first_origin(p.checkpoint, origin);
			rc = cli_verifier(&cm, origin, &v);
			if (rc == 0 && (st = lia_inclusion_proof_verify(&p, &v, &cp, r, err)) !=
					       LIA_PROOF_OK)
				rc = cli_fail(LIA_EXIT_VERIFY, "\"%s\" does not verify: %s", path, err);
		}
		if (rc == 0 && cm.json) {
			json_t *o = json_object();
			json_object_set_new(o, "valid", json_true());
			json_object_set_new(o, "kind", json_string("inclusion"));
			json_object_set_new(o, "origin", json_string(cp.origin));
			json_object_set_new(o, "tree_size", json_integer((json_int_t)cp.size));
			json_object_set_new(o, "root", hex_json(cp.root, 32));
			json_object_set_new(o, "index", json_integer((json_int_t)p.index));
			print_json(o);
			if (lia_export_record_json(stdout, r, p.record, p.record_len, err) != 0)
				rc = cli_fail(LIA_EXIT_FAIL, "%s", err);
		} else if (rc == 0) {
			char t[32], mid[2 * LIA_ID_BYTES + 1] = "-";
			lia_time_format(r->time, t);
			if (r->has_message_id)
				lia_hex(mid, r->message_id, LIA_ID_BYTES);
			printf("verified: record %" PRIu64 " is in the log \"%s\" of %" PRIu64
			       " records signed by key %08x\n",
			       p.index, cp.origin, cp.size, (unsigned)v.key_id);
			printf("  %s %s message %s\n", t, lia_record_op_str(r->op), mid);
			if (r->actor.subject[0])
				printf("  actor      %s\n", r->actor.subject);
			if (r->recipient.subject[0])
				printf("  recipient  %s\n", r->recipient.subject);
			if (r->decision != LIA_RECORD_NO_DECISION)
				printf("  decision   %s %s\n", lia_record_decision_str(r->decision),
				       r->rule);
			if (r->justification[0])
				printf("  reason     %s\n", r->justification);
		}
		lia_inclusion_proof_clear(&p);
		free(r);
		free(text);
		return rc;
	}
	if (strncmp(text, LIA_CONSISTENCY_PROOF_HEADER "\n",
		    strlen(LIA_CONSISTENCY_PROOF_HEADER) + 1) != 0) {
		free(text);
		return cli_fail(LIA_EXIT_VERIFY, "\"%s\" is not a proof: its first line is neither \""
				LIA_INCLUSION_PROOF_HEADER "\" nor \"" LIA_CONSISTENCY_PROOF_HEADER "\"",
				path);
	}
	struct lia_consistency_proof p;
	struct lia_checkpoint a, b;
	enum lia_proof_status st = lia_consistency_proof_parse(&p, text, len, err);
	free(text);
	if (st != LIA_PROOF_OK)
		return cli_fail(LIA_EXIT_VERIFY, "\"%s\": %s", path, err);
	first_origin(p.old_note, origin);
	rc = cli_verifier(&cm, origin, &v);
	if (rc == 0 && lia_consistency_proof_verify(&p, &v, &a, &b, err) != LIA_PROOF_OK)
		rc = cli_fail(LIA_EXIT_VERIFY, "\"%s\" does not verify: %s", path, err);
	if (rc == 0 && cm.json) {
		json_t *o = json_object();
		json_object_set_new(o, "valid", json_true());
		json_object_set_new(o, "kind", json_string("consistency"));
		json_object_set_new(o, "origin", json_string(a.origin));
		json_object_set_new(o, "old_size", json_integer((json_int_t)a.size));
		json_object_set_new(o, "old_root", hex_json(a.root, 32));
		json_object_set_new(o, "new_size", json_integer((json_int_t)b.size));
		json_object_set_new(o, "new_root", hex_json(b.root, 32));
		print_json(o);
	} else if (rc == 0) {
		printf("verified: the log \"%s\" of %" PRIu64 " records is a prefix of its tree of "
		       "%" PRIu64 " records (key %08x)\n", a.origin, a.size, b.size,
		       (unsigned)v.key_id);
	}
	lia_consistency_proof_clear(&p);
	return rc;
}

/* --- consistency --- */

static void consistency_usage(FILE *f)
{
	fputs("Usage: liaison-audit consistency (--ledger FILE | --export FILE)\n"
	      "           (--from SIZE | --old FILE) [--to SIZE | --new FILE] [KEY] [-o FILE]\n"
	      "\n"
	      "Writes a proof that the log of the older checkpoint is a prefix of the log\n"
	      "of the newer one: nothing was changed or removed, only appended. The older\n"
	      "checkpoint is the stored one of --from SIZE or one you kept (--old FILE);\n"
	      "the newer is the stored one of --to SIZE, --new FILE, or the latest. With\n"
	      "a KEY (--key, --key-file, or --cert with --authority) the proof is also\n"
	      "checked, and a failure exits 3.\n"
	      "\n"
	      "Examples:\n"
	      "  liaison-audit consistency --ledger broker.db --old kept.checkpoint \\\n"
	      "      --key-file broker.vkey -o grew.proof\n"
	      "  liaison-audit consistency --ledger broker.db --from 1000 --to 2000\n",
	      f);
}

/* A checkpoint note from the ledger (size) or a file (path). */
static int get_note(struct lia_ledger *l, const char *path, bool by_size, uint64_t size,
		    bool latest, char **note, size_t *len)
{
	char err[LIA_ERR_MAX];
	if (path)
		return cli_read_text(path, LIA_NOTE_MAX_BYTES, note, len);
	uint64_t got_size = size;
	int got = by_size ? lia_ledger_checkpoint_get(l, size, note, len, err)
			  : lia_ledger_checkpoint_latest(l, &got_size, note, len, err);
	(void)latest;
	if (got < 0)
		return cli_fail(LIA_EXIT_FAIL, "%s", err);
	if (got == 1)
		return by_size ? cli_fail(LIA_EXIT_FAIL, "no stored checkpoint at size %" PRIu64, size)
			       : cli_fail(LIA_EXIT_FAIL, "the ledger has no checkpoint");
	return LIA_EXIT_OK;
}

static int note_size(const char *note, size_t len, uint64_t *size)
{
	char err[LIA_ERR_MAX];
	struct lia_checkpoint c;
	for (size_t i = 0; i + 1 < len; i++) {
		if (note[i] == '\n' && note[i + 1] == '\n') {
			if (lia_checkpoint_parse(&c, note, i + 1, err) != 0)
				return cli_fail(LIA_EXIT_VERIFY, "checkpoint: %s", err);
			*size = c.size;
			return LIA_EXIT_OK;
		}
	}
	return cli_fail(LIA_EXIT_VERIFY, "checkpoint is not a signed note");
}

int cmd_consistency(int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_OPTIONS,
		{"from", required_argument, NULL, OPT_FROM},
		{"to", required_argument, NULL, OPT_TO},
		{"old", required_argument, NULL, OPT_OLD},
		{"new", required_argument, NULL, OPT_NEW},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct cli_common cm = {0};
	bool has_from = false, has_to = false;
	uint64_t from = 0, to = 0;
	const char *old_path = NULL, *new_path = NULL, *out_path = NULL;
	int c, rc;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		if (cli_common_opt(&cm, c, optarg))
			continue;
		switch (c) {
		case 'h': consistency_usage(stdout); return LIA_EXIT_OK;
		case 'o': out_path = optarg; break;
		case OPT_OLD: old_path = optarg; break;
		case OPT_NEW: new_path = optarg; break;
		case OPT_FROM:
			if (lia_parse_u64(optarg, &from) != 0)
				return cli_fail(LIA_EXIT_USAGE, "--from wants a tree size");
			has_from = true;
			break;
		case OPT_TO:
			if (lia_parse_u64(optarg, &to) != 0)
				return cli_fail(LIA_EXIT_USAGE, "--to wants a tree size");
			has_to = true;
			break;
		default: consistency_usage(stderr); return LIA_EXIT_USAGE;
		}
	}
	if (optind != argc || has_from == (old_path != NULL) || (has_to && new_path))
		return cli_fail(LIA_EXIT_USAGE, "give --from SIZE or --old FILE, and at most one of "
						"--to SIZE or --new FILE; see consistency --help");
	struct lia_ledger *l = NULL;
	if ((rc = cli_open(&cm, &l)) != 0)
		return rc;
	struct lia_consistency_proof p = {0};
	char *text = NULL;
	size_t text_len = 0;
	uint64_t m = 0, n = 0;
	char err[LIA_ERR_MAX];
	if ((rc = get_note(l, old_path, true, from, false, &p.old_note, &p.old_len)) != 0 ||
	    (rc = get_note(l, new_path, has_to, to, !has_to, &p.new_note, &p.new_len)) != 0 ||
	    (rc = note_size(p.old_note, p.old_len, &m)) != 0 ||
	    (rc = note_size(p.new_note, p.new_len, &n)) != 0)
		goto done;
	if (m > n) {
		/* A kept checkpoint larger than what the ledger now shows is the
		 * sign of a truncated log, not a mistake in the arguments. */
		rc = old_path ? cli_fail(LIA_EXIT_VERIFY, "the log is NOT consistent: the checkpoint "
							  "you hold covers %" PRIu64 " records but the "
							  "ledger's shows %" PRIu64 "; it was truncated",
					 m, n)
			      : cli_fail(LIA_EXIT_USAGE, "--from %" PRIu64 " is larger than --to %" PRIu64,
					 m, n);
		goto done;
	}
	if (lia_ledger_consistency_proof(l, m, n, &p.path, err) != 0 ||
	    lia_consistency_proof_format(&text, &text_len, &p, err) != 0) {
		rc = cli_fail(LIA_EXIT_FAIL, "%s", err);
		goto done;
	}
	if (cli_has_key(&cm)) {
		struct lia_note_verifier v;
		if ((rc = cli_verifier(&cm, lia_ledger_origin(l), &v)) != 0)
			goto done;
		if (lia_consistency_proof_verify(&p, &v, NULL, NULL, err) != LIA_PROOF_OK) {
			rc = cli_fail(LIA_EXIT_VERIFY, "the log is NOT consistent: %s", err);
			goto done;
		}
		fprintf(stderr, "verified: the log of %" PRIu64 " records is a prefix of the log of "
				"%" PRIu64 " records\n", m, n);
	}
	rc = cli_write_out(out_path, text, text_len);
done:
	free(text);
	lia_consistency_proof_clear(&p);
	lia_ledger_destroy(&l);
	return rc;
}
