/*
 * cli_verify.c — liaison-audit verify, prove, verify-proof and
 * consistency: the commands that check the broker's signatures and the
 * Merkle tree. A failed check exits 3 (LIA_EXIT_VERIFY) and says what
 * failed first; an unreadable input exits 1.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "export.h"
#include "json.h"
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
	OPT_OUTPUT = 'o',
};

/* --- verify --- */

static const struct lia_opt verify_opts[] = {
	{"checkpoint", "FILE", "a checkpoint you kept yourself (repeatable, up to 64)", OPT_CHECKPOINT, 0},
	LIA_OPT_END,
};

static const struct lia_cmd_spec verify_spec = {
	.prog = CLI_PROG,
	.name = "verify",
	.about = "Recomputes the Merkle tree from the record bytes alone and checks that\n"
		 "every record decodes and carries its own sequence number, that none is\n"
		 "missing, that every stored hash matches, and that every checkpoint (those\n"
		 "stored in the ledger and each --checkpoint FILE you kept yourself) is\n"
		 "signed by the broker and matches the tree at its size. A log truncated\n"
		 "below a checkpoint you hold is caught by giving that checkpoint.\n"
		 "\n"
		 "The ledger is --ledger FILE or --export FILE; the broker's key is\n"
		 "--key NAME+KEYID+KEY, --key-file FILE, or --cert FILE --authority FILE.\n"
		 "Exit 0 when everything verifies, 3 naming the first bad record or\n"
		 "checkpoint, 1 when the ledger cannot be read.",
	.examples = "liaison-audit verify --ledger broker.db --key-file broker.vkey\n"
		    "liaison-audit verify --export ledger.jsonl --key-file broker.vkey \\\n"
		    "    --checkpoint kept-2026-11-01.checkpoint",
	.opts = verify_opts,
	.groups = cli_common_groups,
	.flags = LIA_CLI_CAPITALISED,
};

struct verify_args {
	const char *cp_paths[64];
	size_t n_cp;
};

static int verify_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct verify_args *a = ctx;
	if (id != OPT_CHECKPOINT)
		return -1;
	if (a->n_cp == sizeof a->cp_paths / sizeof a->cp_paths[0])
		return lia_errf(err, "at most 64 --checkpoint files");
	a->cp_paths[a->n_cp++] = arg;
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	struct cli_common cm;
	struct verify_args a = {.n_cp = 0};
	int first, rc = cli_parse(&verify_spec, argc, argv, &cm, verify_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&verify_spec, "unexpected argument \"%.64s\"", argv[first]);
	const char *const *cp_paths = a.cp_paths;
	size_t n_cp = a.n_cp;
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
		lia_json_print(o);
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

static const struct lia_opt prove_opts[] = {
	{"seq", "N", "the record of sequence number N", OPT_SEQ, 0},
	{"message", "ID", "the record of message ID (unique, or with --recipient)", OPT_MESSAGE, 0},
	{"recipient", "SUBJ", "with --message: the record about this recipient", OPT_RECIPIENT, 0},
	{"size", "N", "against the stored checkpoint of tree size N (default: the latest)", OPT_SIZE, 0},
	{"output", "FILE", "where to write the proof (default: standard output)", OPT_OUTPUT, LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_cmd_spec prove_spec = {
	.prog = CLI_PROG,
	.name = "prove",
	.about = "Writes an inclusion proof for one record (--seq N or --message ID), in the\n"
		 "C2SP tlog-proof format, against the latest checkpoint (or the stored\n"
		 "checkpoint of --size N). The proof carries the record and the signed\n"
		 "checkpoint, so that anyone with the broker's public key can check it with\n"
		 "'liaison-audit verify-proof' or their own tools (docs/ledger.md). By\n"
		 "message: the record must be unique, else the matching sequence numbers\n"
		 "are listed.",
	.examples = "liaison-audit prove --ledger broker.db --seq 41 -o record41.tlog-proof\n"
		    "liaison-audit prove --ledger broker.db --message 5f0c...e1 --recipient FR-PAF/nice",
	.opts = prove_opts,
	.groups = cli_common_groups,
	.flags = LIA_CLI_CAPITALISED,
};

struct prove_args {
	bool has_seq, has_size;
	uint64_t seq, size;
	struct lia_ledger_filter f;
	const char *out_path;
};

static int prove_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct prove_args *a = ctx;
	switch (id) {
	case OPT_OUTPUT: a->out_path = arg; return 0;
	case OPT_SEQ:
		a->has_seq = true;
		return lia_parse_u64(arg, &a->seq) != 0 ? lia_errf(err, "--seq wants a sequence number")
							: 0;
	case OPT_SIZE:
		a->has_size = true;
		return lia_parse_u64(arg, &a->size) != 0 ? lia_errf(err, "--size wants a tree size") : 0;
	case OPT_MESSAGE:
		a->f.has_message_id = true;
		return cli_parse_id(arg, a->f.message_id);
	case OPT_RECIPIENT: a->f.recipient = arg; return 0;
	}
	return -1;
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
	struct cli_common cm;
	struct prove_args a = {.out_path = NULL};
	int first, rc = cli_parse(&prove_spec, argc, argv, &cm, prove_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc || a.has_seq == a.f.has_message_id)
		return lia_cli_usage_error(&prove_spec, "give --seq N or --message ID");
	bool has_size = a.has_size;
	uint64_t seq = a.seq, size = a.size;
	struct lia_ledger_filter f = a.f;
	const char *out_path = a.out_path;
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

static const struct lia_cmd_spec verify_proof_spec = {
	.prog = CLI_PROG,
	.name = "verify-proof",
	.args = "PROOF-FILE|-",
	.about = "Checks a proof written by 'prove' (c2sp.org/tlog-proof@v1) or by\n"
		 "'consistency' (liaison/ledger-consistency@v1) with nothing but the\n"
		 "broker's public key: the checkpoint signatures, the Merkle path, and for\n"
		 "an inclusion proof the record itself, which is then printed.\n"
		 "The key is --key NAME+KEYID+KEY, --key-file FILE, or --cert FILE --authority FILE.",
	.examples = "liaison-audit verify-proof record41.tlog-proof --key-file broker.vkey\n"
		    "liaison-audit verify-proof grew.proof --key-file broker.vkey --json",
	.groups = cli_common_groups,
	.flags = LIA_CLI_CAPITALISED,
};

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
	struct cli_common cm;
	int first, rc = cli_parse(&verify_proof_spec, argc, argv, &cm, NULL, NULL, &first);
	if (rc != -1)
		return rc;
	if (first + 1 != argc)
		return lia_cli_usage_error(&verify_proof_spec, "give one PROOF-FILE");
	if (!cli_has_key(&cm))
		return cli_fail(LIA_EXIT_USAGE, "verify-proof needs the broker's key");
	const char *path = argv[first];
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
			json_object_set_new(o, "root", lia_json_hex(cp.root, 32));
			json_object_set_new(o, "index", json_integer((json_int_t)p.index));
			lia_json_print(o);
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
		json_object_set_new(o, "old_root", lia_json_hex(a.root, 32));
		json_object_set_new(o, "new_size", json_integer((json_int_t)b.size));
		json_object_set_new(o, "new_root", lia_json_hex(b.root, 32));
		lia_json_print(o);
	} else if (rc == 0) {
		printf("verified: the log \"%s\" of %" PRIu64 " records is a prefix of its tree of "
		       "%" PRIu64 " records (key %08x)\n", a.origin, a.size, b.size,
		       (unsigned)v.key_id);
	}
	lia_consistency_proof_clear(&p);
	return rc;
}

/* --- consistency --- */

static const struct lia_opt consistency_opts[] = {
	{"from", "SIZE", "the older checkpoint: the stored one of tree size SIZE", OPT_FROM, 0},
	{"old", "FILE", "the older checkpoint: one you kept", OPT_OLD, 0},
	{"to", "SIZE", "the newer checkpoint: the stored one of SIZE (default: the latest)", OPT_TO, 0},
	{"new", "FILE", "the newer checkpoint: one you kept", OPT_NEW, 0},
	{"output", "FILE", "where to write the proof (default: standard output)", OPT_OUTPUT, LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_cmd_spec consistency_spec = {
	.prog = CLI_PROG,
	.name = "consistency",
	.about = "Writes a proof that the log of the older checkpoint is a prefix of the log\n"
		 "of the newer one: nothing was changed or removed, only appended. The older\n"
		 "checkpoint is the stored one of --from SIZE or one you kept (--old FILE);\n"
		 "the newer is the stored one of --to SIZE, --new FILE, or the latest. With\n"
		 "a key (--key, --key-file, or --cert with --authority) the proof is also\n"
		 "checked, and a failure exits 3.",
	.examples = "liaison-audit consistency --ledger broker.db --old kept.checkpoint \\\n"
		    "    --key-file broker.vkey -o grew.proof\n"
		    "liaison-audit consistency --ledger broker.db --from 1000 --to 2000",
	.opts = consistency_opts,
	.groups = cli_common_groups,
	.flags = LIA_CLI_CAPITALISED,
};

struct consistency_args {
	bool has_from, has_to;
	uint64_t from, to;
	const char *old_path, *new_path, *out_path;
};

static int consistency_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct consistency_args *a = ctx;
	switch (id) {
	case OPT_OUTPUT: a->out_path = arg; return 0;
	case OPT_OLD: a->old_path = arg; return 0;
	case OPT_NEW: a->new_path = arg; return 0;
	case OPT_FROM:
		a->has_from = true;
		return lia_parse_u64(arg, &a->from) != 0 ? lia_errf(err, "--from wants a tree size") : 0;
	case OPT_TO:
		a->has_to = true;
		return lia_parse_u64(arg, &a->to) != 0 ? lia_errf(err, "--to wants a tree size") : 0;
	}
	return -1;
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
	struct cli_common cm;
	struct consistency_args a = {.out_path = NULL};
	int first, rc = cli_parse(&consistency_spec, argc, argv, &cm, consistency_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc || a.has_from == (a.old_path != NULL) || (a.has_to && a.new_path))
		return lia_cli_usage_error(&consistency_spec, "give --from SIZE or --old FILE, and at "
							      "most one of --to SIZE or --new FILE");
	bool has_to = a.has_to;
	uint64_t from = a.from, to = a.to;
	const char *old_path = a.old_path, *new_path = a.new_path, *out_path = a.out_path;
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
