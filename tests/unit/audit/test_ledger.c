/*
 * test_ledger.c — the Merkle log in SQLite: appends inside the caller's
 * transaction, rollbacks, checkpoints (on demand, periodic, never over
 * uncommitted or forked state), proofs from stored subtrees, queries,
 * the append-only triggers, and verify() finding each kind of tampering
 * done with raw SQL behind the library's back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "ledger.h"
#include "ledger_sqlite.h"

struct fx {
	char dir[64];
	char path[128];
	struct lia_secret *key;
	struct lia_note_verifier v;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/lia-ledger-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/ledger.db", f->dir);
	f->key = fixture_key(9);
	char err[LIA_ERR_MAX];
	if (f->key == NULL || lia_note_verifier_init(&f->v, FIXTURE_ORIGIN, f->key->pk, err) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	lia_secret_destroy(&f->key);
	free(f);
	return 0;
}

static struct lia_ledger *make(struct fx *f, uint64_t n, bool checkpoint_each_100)
{
	char err[LIA_ERR_MAX];
	struct lia_ledger *l = lia_ledger_open_file(f->path, FIXTURE_ORIGIN, LIA_LEDGER_CREATE, err);
	if (l == NULL)
		fail_msg("%s", err);
	for (uint64_t at = 0; at < n; at += 100) {
		uint64_t to = at + 100 < n ? at + 100 : n;
		if (fixture_append(l, at, to, 37, err) != 0)
			fail_msg("%s", err);
		if (checkpoint_each_100 && lia_ledger_checkpoint(l, f->key, 1795000000 + (int64_t)to,
								 NULL, err) != 0)
			fail_msg("%s", err);
	}
	return l;
}

static void exec_ok(struct lia_ledger *l, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(lia_ledger_db(l), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static enum lia_ledger_verdict verify(struct fx *f, struct lia_ledger *l,
				      struct lia_ledger_verify_result *res)
{
	return lia_ledger_verify(l, &f->v, NULL, 0, NULL, NULL, res);
}

static void test_append_root_proofs(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_ledger *l = make(f, 333, false);
	uint64_t size = 0;
	assert_int_equal(lia_ledger_size(l, &size, err), 0);
	assert_int_equal(size, 333);

	/* The root from stored subtrees equals the root of the records
	 * recomputed from scratch. */
	struct lia_merkle_frontier fr;
	lia_merkle_frontier_init(&fr);
	static lia_merkle_hash roots[334];
	lia_merkle_frontier_root(&fr, roots[0]);
	struct lia_record r;
	for (uint64_t i = 0; i < 333; i++) {
		uint8_t *b = NULL;
		size_t n = 0;
		fixture_record(&r, i);
		r.seq = i;
		assert_int_equal(lia_record_encode(&r, &b, &n, err), 0);
		lia_merkle_hash leaf, done[63];
		unsigned nd;
		lia_merkle_leaf_hash(leaf, b, n);
		lia_merkle_frontier_push(&fr, leaf, done, &nd);
		lia_merkle_frontier_root(&fr, roots[i + 1]);
		uint8_t *stored = NULL;
		size_t sn = 0;
		assert_int_equal(lia_ledger_get_encoded(l, i, &stored, &sn, err), 0);
		assert_int_equal(sn, n);
		assert_memory_equal(stored, b, n);
		free(stored);
		free(b);
	}
	for (uint64_t s = 0; s <= 333; s += 37) {
		uint8_t root[32];
		assert_int_equal(lia_ledger_root(l, s, root, err), 0);
		assert_memory_equal(root, roots[s], 32);
	}
	/* Proofs from the ledger verify against those roots. */
	for (uint64_t n = 1; n <= 333; n += 29) {
		for (uint64_t i = 0; i < n; i += 7) {
			struct lia_merkle_proof p;
			assert_int_equal(lia_ledger_inclusion_proof(l, i, n, &p, err), 0);
			uint8_t *b = NULL;
			size_t bn = 0;
			assert_int_equal(lia_ledger_get_encoded(l, i, &b, &bn, err), 0);
			lia_merkle_hash leaf;
			lia_merkle_leaf_hash(leaf, b, bn);
			free(b);
			assert_int_equal(lia_merkle_verify_inclusion(leaf, i, n, &p, roots[n]),
					 LIA_MERKLE_OK);
		}
		for (uint64_t m = 0; m <= n; m += 11) {
			struct lia_merkle_proof p;
			assert_int_equal(lia_ledger_consistency_proof(l, m, n, &p, err), 0);
			assert_int_equal(lia_merkle_verify_consistency(m, n, &p, roots[m], roots[n]),
					 LIA_MERKLE_OK);
		}
	}
	struct lia_merkle_proof p;
	assert_int_equal(lia_ledger_inclusion_proof(l, 333, 333, &p, err), -1);
	assert_int_equal(lia_ledger_inclusion_proof(l, 0, 334, &p, err), -1);
	assert_int_equal(lia_ledger_consistency_proof(l, 5, 4, &p, err), -1);
	struct lia_record got;
	assert_int_equal(lia_ledger_get(l, 42, &got, err), 0);
	fixture_record(&r, 42);
	r.seq = 42;
	assert_memory_equal(&got, &r, sizeof r);
	assert_int_equal(lia_ledger_get(l, 333, &got, err), -1);
	lia_ledger_destroy(&l);
	assert_null(l);
	lia_ledger_destroy(&l);
}

static void test_caller_transaction(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_ledger *l = make(f, 10, false);
	struct lia_record r;

	/* Outside a transaction the batch API refuses. */
	assert_int_equal(lia_ledger_batch_begin(l, err), -1);
	fixture_record(&r, 10);
	assert_int_equal(lia_ledger_append(l, &r, err), -1);

	/* The broker's shape: its transaction, our appends, its own rows. */
	exec_ok(l, "CREATE TABLE delivery(seq INTEGER)");
	exec_ok(l, "BEGIN IMMEDIATE");
	assert_int_equal(lia_ledger_batch_begin(l, err), 0);
	for (uint64_t i = 10; i < 15; i++) {
		fixture_record(&r, i);
		assert_int_equal(lia_ledger_append(l, &r, err), 0);
		assert_int_equal(r.seq, i);
	}
	exec_ok(l, "INSERT INTO delivery VALUES (1)");
	lia_ledger_batch_end(l);
	/* A checkpoint now would sign uncommitted records: refused. */
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1, NULL, err), -1);
	assert_non_null(strstr(err, "transaction"));
	exec_ok(l, "ROLLBACK");

	/* Nothing of the rolled-back batch remains, in the file or in memory. */
	uint64_t size = 0;
	assert_int_equal(lia_ledger_size(l, &size, err), 0);
	assert_int_equal(size, 10);
	exec_ok(l, "BEGIN IMMEDIATE");
	assert_int_equal(lia_ledger_batch_begin(l, err), 0);
	for (uint64_t i = 10; i < 20; i++) {
		fixture_record(&r, i);
		assert_int_equal(lia_ledger_append(l, &r, err), 0);
	}
	lia_ledger_batch_end(l);
	exec_ok(l, "COMMIT");
	struct lia_checkpoint cp;
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1795000000, &cp, err), 0);
	assert_int_equal(cp.size, 20);
	struct lia_ledger_verify_result res;
	assert_int_equal(verify(f, l, &res), LIA_LEDGER_VALID);
	assert_int_equal(res.size, 20);
	assert_int_equal(res.checkpoints, 1);

	/* An invalid record ends the batch; the caller rolls back. */
	exec_ok(l, "BEGIN IMMEDIATE");
	assert_int_equal(lia_ledger_batch_begin(l, err), 0);
	fixture_record(&r, 20);
	r.time = 0;
	assert_int_equal(lia_ledger_append(l, &r, err), -1);
	fixture_record(&r, 20);
	assert_int_equal(lia_ledger_append(l, &r, err), -1);
	lia_ledger_batch_end(l);
	exec_ok(l, "ROLLBACK");

	/* Another connection sees the committed log (one writer, many readers). */
	struct lia_ledger *ro = lia_ledger_open_file(f->path, NULL, LIA_LEDGER_READONLY, err);
	assert_non_null(ro);
	assert_int_equal(lia_ledger_size(ro, &size, err), 0);
	assert_int_equal(size, 20);
	assert_string_equal(lia_ledger_origin(ro), FIXTURE_ORIGIN);
	lia_ledger_destroy(&ro);
	/* The wrong origin is refused. */
	assert_null(lia_ledger_open_file(f->path, "other.log", 0, err));
	assert_non_null(strstr(err, "origin"));
	lia_ledger_destroy(&l);
}

static void test_checkpoints(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_ledger *l = make(f, 0, false);
	bool issued = true;
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 100, NULL, err), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(lia_ledger_checkpoint_maybe(l, f->key, 100, 10, 60, &issued, err), 0);
	assert_false(issued);
	assert_int_equal(fixture_append(l, 0, 5, 64, err), 0);
	/* Neither 10 records nor 60 s since the (absent) last one... but the
	 * first checkpoint is due by time: last issued at 0. */
	assert_int_equal(lia_ledger_checkpoint_maybe(l, f->key, 100, 10, 0, &issued, err), 0);
	assert_false(issued);
	assert_int_equal(lia_ledger_checkpoint_maybe(l, f->key, 100, 10, 60, &issued, err), 0);
	assert_true(issued);
	assert_int_equal(fixture_append(l, 5, 14, 64, err), 0);
	assert_int_equal(lia_ledger_checkpoint_maybe(l, f->key, 110, 10, 60, &issued, err), 0);
	assert_false(issued);
	assert_int_equal(lia_ledger_checkpoint_maybe(l, f->key, 160, 10, 60, &issued, err), 0);
	assert_true(issued);
	assert_int_equal(fixture_append(l, 14, 24, 64, err), 0);
	assert_int_equal(lia_ledger_checkpoint_maybe(l, f->key, 161, 10, 60, &issued, err), 0);
	assert_true(issued);
	/* Nothing new: time alone does not re-sign. */
	assert_int_equal(lia_ledger_checkpoint_maybe(l, f->key, 999, 10, 60, &issued, err), 0);
	assert_false(issued);
	/* On demand at an unchanged size returns the existing checkpoint. */
	struct lia_checkpoint cp;
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1000, &cp, err), 0);
	assert_int_equal(cp.size, 24);
	uint64_t *sizes = NULL;
	size_t n = 0;
	assert_int_equal(lia_ledger_checkpoint_list(l, &sizes, &n, err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(sizes[0], 5);
	assert_int_equal(sizes[1], 14);
	assert_int_equal(sizes[2], 24);
	free(sizes);
	char *note = NULL;
	size_t len = 0;
	uint64_t latest = 0;
	assert_int_equal(lia_ledger_checkpoint_latest(l, &latest, &note, &len, err), 0);
	assert_int_equal(latest, 24);
	struct lia_checkpoint got;
	assert_int_equal(lia_checkpoint_open(&got, note, len, &f->v, err), LIA_NOTE_OK);
	free(note);
	assert_int_equal(lia_ledger_checkpoint_get(l, 14, &note, &len, err), 0);
	free(note);
	assert_int_equal(lia_ledger_checkpoint_get(l, 15, &note, &len, err), 1);
	/* A key of the wrong purpose is refused. */
	struct lia_secret *box = lia_secret_generate(LIA_KEY_BOX);
	assert_int_equal(lia_ledger_checkpoint(l, box, 1, NULL, err), -1);
	lia_secret_destroy(&box);
	lia_ledger_destroy(&l);
}

static void test_triggers(void **state)
{
	struct fx *f = *state;
	struct lia_ledger *l = make(f, 20, true);
	sqlite3 *db = lia_ledger_db(l);
	const char *refused[] = {
		"UPDATE ledger_record SET record = x'00' WHERE seq = 3",
		"DELETE FROM ledger_record WHERE seq = 19",
		"UPDATE ledger_checkpoint SET note = 'x'",
		"DELETE FROM ledger_checkpoint",
		"UPDATE ledger_meta SET value = 'other' WHERE key = 'origin'",
		"DELETE FROM ledger_meta",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		assert_int_not_equal(sqlite3_exec(db, refused[i], NULL, NULL, NULL), SQLITE_OK);
	lia_ledger_destroy(&l);
}

struct counter {
	uint64_t n, first, last;
};

static int count_each(void *ctx, const struct lia_record *r)
{
	struct counter *c = ctx;
	if (c->n == 0)
		c->first = r->seq;
	c->last = r->seq;
	c->n++;
	return 0;
}

static uint64_t run_query(struct lia_ledger *l, const struct lia_ledger_filter *q,
			  struct counter *c)
{
	char err[LIA_ERR_MAX];
	memset(c, 0, sizeof *c);
	if (lia_ledger_query(l, q, count_each, c, err) != 0)
		fail_msg("%s", err);
	return c->n;
}

static void test_query(void **state)
{
	struct fx *f = *state;
	struct lia_ledger *l = make(f, 100, false);
	struct counter c;
	struct lia_ledger_filter q = {0};
	assert_int_equal(run_query(l, &q, &c), 100);
	/* Message 7 is records 35..39: publish, three disclosures, one withholding. */
	q.has_message_id = true;
	fixture_message_id(q.message_id, 7);
	assert_int_equal(run_query(l, &q, &c), 5);
	assert_int_equal(c.first, 35);
	assert_int_equal(c.last, 39);
	q.ops = 1u << LIA_OP_WITHHOLD;
	assert_int_equal(run_query(l, &q, &c), 1);
	assert_int_equal(c.first, 39);
	memset(&q, 0, sizeof q);
	q.has_decision = true;
	q.decision = LIA_RECORD_DENY;
	assert_int_equal(run_query(l, &q, &c), 20);
	memset(&q, 0, sizeof q);
	q.recipient = "FR-PAF/nice";
	uint64_t to_nice = run_query(l, &q, &c);
	assert_true(to_nice > 0 && to_nice < 100);
	memset(&q, 0, sizeof q);
	q.agency = "FR-PAF";
	assert_int_equal(run_query(l, &q, &c), to_nice);
	q.agency = "IT-GDF"; /* the actor and originator of everything */
	assert_int_equal(run_query(l, &q, &c), 100);
	memset(&q, 0, sizeof q);
	q.since = 1795000000 + 10;
	q.until = 1795000000 + 20;
	assert_int_equal(run_query(l, &q, &c), 10);
	assert_int_equal(c.first, 10);
	q.limit = 3;
	assert_int_equal(run_query(l, &q, &c), 3);
	memset(&q, 0, sizeof q);
	q.originator = "XX-NONE/nobody";
	assert_int_equal(run_query(l, &q, &c), 0);
	/* A range is read by key and combines with the other filters. */
	memset(&q, 0, sizeof q);
	q.seq_from = 36;
	q.seq_to = 45;
	assert_int_equal(run_query(l, &q, &c), 9);
	assert_int_equal(c.first, 36);
	assert_int_equal(c.last, 44);
	q.has_message_id = true;
	fixture_message_id(q.message_id, 7);
	assert_int_equal(run_query(l, &q, &c), 4);
	assert_int_equal(c.last, 39);
	q.seq_from = 1000;
	q.seq_to = 2000;
	assert_int_equal(run_query(l, &q, &c), 0);
	lia_ledger_destroy(&l);
}

/* --- tampering with raw SQL, as an operator with the file could --- */

static struct lia_ledger *tamper(struct fx *f, const char *sql)
{
	char err[LIA_ERR_MAX];
	struct lia_ledger *l = make(f, 250, true);
	exec_ok(l, "DROP TRIGGER ledger_record_no_update; DROP TRIGGER ledger_record_no_delete;"
		   "DROP TRIGGER ledger_checkpoint_no_update;"
		   "DROP TRIGGER ledger_checkpoint_no_delete");
	exec_ok(l, sql);
	lia_ledger_destroy(&l);
	l = lia_ledger_open_file(f->path, NULL, LIA_LEDGER_READONLY, err);
	if (l == NULL)
		fail_msg("%s", err);
	return l;
}

static void expect_bad(struct fx *f, struct lia_ledger *l, bool has_seq, uint64_t seq,
		       bool has_cp, uint64_t cp, const char *needle)
{
	struct lia_ledger_verify_result res;
	assert_int_equal(verify(f, l, &res), LIA_LEDGER_INVALID);
	if (strstr(res.what, needle) == NULL)
		fail_msg("\"%s\" does not mention \"%s\"", res.what, needle);
	assert_int_equal(res.has_bad_seq, has_seq);
	if (has_seq)
		assert_int_equal(res.bad_seq, seq);
	assert_int_equal(res.has_bad_checkpoint, has_cp);
	if (has_cp)
		assert_int_equal(res.bad_checkpoint, cp);
}

static void test_verify_clean(void **state)
{
	struct fx *f = *state;
	struct lia_ledger *l = make(f, 250, true);
	struct lia_ledger_verify_result res;
	assert_int_equal(verify(f, l, &res), LIA_LEDGER_VALID);
	assert_int_equal(res.size, 250);
	assert_int_equal(res.checkpoints, 3);
	/* Another key, or a key for another log, does not verify. */
	struct lia_secret *k2 = fixture_key(10);
	struct lia_note_verifier v2;
	char err[LIA_ERR_MAX];
	assert_int_equal(lia_note_verifier_init(&v2, FIXTURE_ORIGIN, k2->pk, err), 0);
	assert_int_equal(lia_ledger_verify(l, &v2, NULL, 0, NULL, NULL, &res), LIA_LEDGER_INVALID);
	assert_true(res.has_bad_checkpoint);
	assert_int_equal(res.bad_checkpoint, 100);
	assert_int_equal(lia_note_verifier_init(&v2, "other.log", f->key->pk, err), 0);
	assert_int_equal(lia_ledger_verify(l, &v2, NULL, 0, NULL, NULL, &res), LIA_LEDGER_INVALID);
	lia_secret_destroy(&k2);
	lia_ledger_destroy(&l);
}

static void test_tamper_edit(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	/* One byte of record 137 changed (a letter of its justification). */
	struct lia_ledger *l = tamper(f, "SELECT 1");
	lia_ledger_destroy(&l);
	l = lia_ledger_open_file(f->path, NULL, 0, err);
	uint8_t *b = NULL;
	size_t n = 0;
	assert_int_equal(lia_ledger_get_encoded(l, 137, &b, &n, err), 0);
	uint8_t *hit = NULL;
	for (size_t i = 0; i + 4 <= n && hit == NULL; i++)
		if (memcmp(b + i, "feed", 4) == 0)
			hit = b + i;
	assert_non_null(hit);
	hit[1] = 'E';
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(lia_ledger_db(l),
					    "UPDATE ledger_record SET record = ?1 WHERE seq = 137", -1,
					    &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, b, (int)n, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(b);
	expect_bad(f, l, true, 137, false, 0, "record 137: stored leaf hash");
	lia_ledger_destroy(&l);
}

static void test_tamper_delete(void **state)
{
	struct fx *f = *state;
	struct lia_ledger *l = tamper(f, "DELETE FROM ledger_record WHERE seq = 42");
	expect_bad(f, l, true, 42, false, 0, "record 42 is missing");
	lia_ledger_destroy(&l);
}

static void test_tamper_swap(void **state)
{
	struct fx *f = *state;
	struct lia_ledger *l = tamper(f,
		"UPDATE ledger_record SET seq = -1 WHERE seq = 60;"
		"UPDATE ledger_record SET seq = 60 WHERE seq = 61;"
		"UPDATE ledger_record SET seq = 61 WHERE seq = -1");
	expect_bad(f, l, true, 60, false, 0, "sequence number 61");
	lia_ledger_destroy(&l);
}

static void test_tamper_truncate(void **state)
{
	struct fx *f = *state;
	/* The tail beyond the last checkpoint's coverage... */
	struct lia_ledger *l = tamper(f, "DELETE FROM ledger_record WHERE seq >= 230");
	expect_bad(f, l, true, 230, true, 250, "beyond the end");
	lia_ledger_destroy(&l);
}

static void test_tamper_truncate_hidden(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	/* The auditor kept the checkpoint of size 200 earlier. */
	struct lia_ledger *l = make(f, 250, true);
	char *kept = NULL;
	size_t kept_len = 0;
	assert_int_equal(lia_ledger_checkpoint_get(l, 200, &kept, &kept_len, err), 0);
	lia_ledger_destroy(&l);
	/* The operator removes the tail and every checkpoint that covered it. */
	l = lia_ledger_open_file(f->path, NULL, 0, err);
	exec_ok(l, "DROP TRIGGER ledger_record_no_delete; DROP TRIGGER ledger_checkpoint_no_delete;"
		   "DELETE FROM ledger_record WHERE seq >= 150;"
		   "DELETE FROM ledger_checkpoint WHERE size > 150");
	struct lia_ledger_verify_result res;
	/* On its own the shortened log is self-consistent... */
	assert_int_equal(verify(f, l, &res), LIA_LEDGER_VALID);
	/* ...but not against the checkpoint the auditor holds. */
	struct lia_ledger_note extra = {kept, kept_len};
	assert_int_equal(lia_ledger_verify(l, &f->v, &extra, 1, NULL, NULL, &res),
			 LIA_LEDGER_INVALID);
	assert_non_null(strstr(res.what, "given checkpoint at size 200 is beyond the end"));
	assert_int_equal(res.bad_seq, 150);
	free(kept);
	lia_ledger_destroy(&l);
}

static void test_tamper_checkpoint(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	/* Replace the checkpoint of size 200 by that of size 100. */
	struct lia_ledger *l = tamper(f, "UPDATE ledger_checkpoint SET note = "
					 "(SELECT note FROM ledger_checkpoint WHERE size = 100) "
					 "WHERE size = 200");
	expect_bad(f, l, false, 0, true, 200, "holds a checkpoint of size 100");
	lia_ledger_destroy(&l);
	/* Replace it by a well-formed one signed with another key. */
	struct lia_secret *k2 = fixture_key(10);
	struct lia_checkpoint c = {.origin = FIXTURE_ORIGIN, .size = 200};
	char *note = NULL;
	size_t len = 0;
	assert_int_equal(lia_checkpoint_sign(&note, &len, &c, k2->sk, err), 0);
	char sql[1024];
	snprintf(sql, sizeof sql, "UPDATE ledger_checkpoint SET note = '%s' WHERE size = 200", note);
	teardown(state);
	setup(state);
	f = *state;
	l = tamper(f, sql);
	expect_bad(f, l, false, 0, true, 200, "no signature by key");
	lia_ledger_destroy(&l);
	free(note);
	lia_secret_destroy(&k2);
}

static void test_tamper_rewrite(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	/* A careful forger rewrites record 120 and recomputes every stored
	 * hash: only the signed checkpoints can tell, and they bracket it. */
	struct lia_ledger *l = make(f, 250, true);
	lia_ledger_destroy(&l);
	char forged[160];
	snprintf(forged, sizeof forged, "%s/forged.db", f->dir);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(forged, &db), SQLITE_OK);
	l = lia_ledger_open(db, FIXTURE_ORIGIN, err);
	assert_non_null(l);
	struct lia_record recs[50];
	for (uint64_t i = 0; i < 250; i += 50) {
		for (unsigned k = 0; k < 50; k++) {
			fixture_record(&recs[k], i + k);
			if (i + k == 120)
				snprintf(recs[k].justification, LIA_TEXT_MAX, "never happened");
		}
		assert_int_equal(lia_ledger_append_all(l, recs, 50, err), 0);
	}
	char attach[256];
	snprintf(attach, sizeof attach,
		 "ATTACH '%s' AS real; INSERT INTO ledger_checkpoint SELECT * FROM real.ledger_checkpoint;"
		 "DETACH real",
		 f->path);
	exec_ok(l, attach);
	expect_bad(f, l, true, 100, true, 200, "records 100..199");
	lia_ledger_destroy(&l);
	sqlite3_close(db);
	unlink(forged);
}

/* Flip one byte of the stored bytes of record seq (the triggers dropped
 * first), as someone with the file could while the broker runs. */
static void edit_record(struct lia_ledger *l, uint64_t seq)
{
	char err[LIA_ERR_MAX];
	exec_ok(l, "DROP TRIGGER IF EXISTS ledger_record_no_update");
	uint8_t *b = NULL;
	size_t n = 0;
	assert_int_equal(lia_ledger_get_encoded(l, seq, &b, &n, err), 0);
	b[n - 3] ^= 0x01;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(lia_ledger_db(l),
					    "UPDATE ledger_record SET record = ?1 WHERE seq = ?2", -1, &st,
					    NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, b, (int)n, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(b);
}

static void test_checkpoint_over_edit(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	/* Records 250..299 are added after the last checkpoint; one of them
	 * is edited behind the ledger (its stored hashes left as they were).
	 * The next checkpoint recomputes the root from those records' bytes:
	 * refused, and nothing is stored. */
	struct lia_ledger *l = make(f, 250, true);
	assert_int_equal(fixture_append(l, 250, 300, 37, err), 0);
	edit_record(l, 271);
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1796000000, NULL, err), -1);
	if (strstr(err, "record 271: stored leaf hash does not match") == NULL ||
	    strstr(err, "refusing to sign") == NULL)
		fail_msg("%s", err);
	bool issued = true;
	assert_int_equal(lia_ledger_checkpoint_maybe(l, f->key, 1796000000, 1, 0, &issued, err), -1);
	assert_false(issued);
	uint64_t latest = 0;
	char *note = NULL;
	size_t len = 0;
	assert_int_equal(lia_ledger_checkpoint_latest(l, &latest, &note, &len, err), 0);
	free(note);
	assert_int_equal(latest, 250);
	lia_ledger_destroy(&l);
	/* A record before the last checkpoint edited: its stored hashes
	 * still give that checkpoint's root, and only the full verify can
	 * tell (the broker runs it at start). */
	unlink(f->path);
	l = make(f, 250, true);
	assert_int_equal(fixture_append(l, 250, 260, 37, err), 0);
	edit_record(l, 120);
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1796000000, NULL, err), 0);
	struct lia_ledger_verify_result res;
	assert_int_equal(verify(f, l, &res), LIA_LEDGER_INVALID);
	assert_int_equal(res.bad_seq, 120);
	lia_ledger_destroy(&l);
}

/* The broker's way (broker/maint.h): the checkpoint is rehashed and
 * signed on a second connection, in a read transaction beside the
 * writer, and stored by the writer's connection. The same checks hold
 * on both sides. */
static void test_checkpoint_prepare_adopt(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_ledger *w = make(f, 200, true); /* the writer: checkpoints at 100, 200 */
	struct lia_ledger *side = lia_ledger_open_file(f->path, FIXTURE_ORIGIN, 0, err);
	assert_non_null(side);
	struct lia_checkpoint pin, c;
	assert_int_equal(lia_ledger_checkpoint(w, f->key, 1796000000, &pin, err), 0);
	lia_ledger_pin(w, &pin);
	char *note = NULL;
	size_t len = 0;
	/* Nothing new: nothing signed. */
	assert_int_equal(lia_ledger_checkpoint_prepare(side, f->key, 1796000001, &pin, &note, &len, &c, err), 0);
	assert_null(note);
	assert_int_equal(fixture_append(w, 200, 260, 37, err), 0);
	/* The writer holds its write transaction open meanwhile: the side
	 * reads the committed log beside it and never waits for it. */
	assert_int_equal(lia_ledger_begin(w, err), 0);
	assert_int_equal(lia_ledger_checkpoint_prepare(side, f->key, 1796000002, &pin, &note, &len, &c, err), 1);
	lia_ledger_rollback(w);
	assert_int_equal(c.size, 260);
	uint8_t root[32];
	assert_int_equal(lia_ledger_root(w, 260, root, err), 0);
	assert_memory_equal(root, c.root, 32);
	/* A forged root is not stored, nor a note covering more than is stored. */
	struct lia_checkpoint bad = c;
	bad.root[0] ^= 1;
	assert_int_equal(lia_ledger_checkpoint_adopt(w, note, len, &bad, 1796000003, err), -1);
	if (strstr(err, "not the stored tree's at size 260") == NULL)
		fail_msg("%s", err);
	bad = c;
	bad.size = 261;
	assert_int_equal(lia_ledger_checkpoint_adopt(w, note, len, &bad, 1796000003, err), -1);
	assert_int_equal(lia_ledger_checkpoint_adopt(w, note, len, &c, 1796000003, err), 0);
	struct lia_checkpoint now_pinned;
	assert_true(lia_ledger_pinned(w, &now_pinned));
	assert_int_equal(now_pinned.size, 260);
	/* Stored once: the same again is refused (not newer). */
	assert_int_equal(lia_ledger_checkpoint_adopt(w, note, len, &c, 1796000004, err), -1);
	if (strstr(err, "stored already") == NULL)
		fail_msg("%s", err);
	free(note);
	note = NULL;
	int64_t at = 0;
	assert_int_equal(lia_ledger_checkpoint_issued(w, &at, err), 0);
	assert_int_equal(at, 1796000003);
	struct lia_ledger_verify_result res;
	assert_int_equal(verify(f, w, &res), LIA_LEDGER_VALID);
	assert_int_equal(res.checkpoints, 3); /* 100, 200 and the one adopted */
	/* An edit of a record added since: the side refuses to sign it. */
	assert_int_equal(fixture_append(w, 260, 300, 37, err), 0);
	edit_record(w, 277);
	assert_int_equal(lia_ledger_checkpoint_prepare(side, f->key, 1796000005, &now_pinned, &note, &len, &c, err), -1);
	if (strstr(err, "record 277: stored leaf hash does not match") == NULL || strstr(err, "refusing to sign") == NULL)
		fail_msg("%s", err);
	assert_null(note);
	/* A pin the log no longer extends: refused on the side as well. */
	struct lia_checkpoint forged = now_pinned;
	forged.root[5] ^= 1;
	assert_int_equal(lia_ledger_checkpoint_prepare(side, f->key, 1796000006, &forged, &note, &len, &c, err), -1);
	if (strstr(err, "refusing to sign a fork") == NULL)
		fail_msg("%s", err);
	lia_ledger_destroy(&side);
	lia_ledger_destroy(&w);
}

static void test_checkpoint_pin(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_ledger *l = make(f, 150, false);
	struct lia_checkpoint pin;
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1796000000, &pin, err), 0);
	assert_int_equal(pin.size, 150);
	lia_ledger_destroy(&l);

	/* The same file rebuilt with 120 records (the checkpoint table goes
	 * with it, as in a restore of an older copy): pinned at 150, no
	 * checkpoint is signed over fewer records... */
	unlink(f->path);
	l = make(f, 120, false);
	lia_ledger_pin(l, &pin);
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1796000001, NULL, err), -1);
	if (strstr(err, "ledger has 120 records but the last checkpoint signed covers 150") == NULL)
		fail_msg("%s", err);
	/* ...nor over other records at or past its size (a fork). */
	struct lia_record recs[40];
	for (unsigned k = 0; k < 40; k++) {
		fixture_record(&recs[k], 120 + k);
		snprintf(recs[k].justification, LIA_TEXT_MAX, "another history %u", k);
	}
	assert_int_equal(lia_ledger_append_all(l, recs, 40, err), 0);
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1796000002, NULL, err), -1);
	if (strstr(err, "no longer matches the last checkpoint signed (size 150)") == NULL)
		fail_msg("%s", err);
	/* Unpinned, the same log is signed; pinned to its own checkpoint it
	 * may grow, and each new checkpoint becomes the pin. */
	lia_ledger_pin(l, NULL);
	struct lia_checkpoint own, next;
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1796000003, &own, err), 0);
	lia_ledger_pin(l, &own);
	assert_int_equal(fixture_append(l, 160, 170, 37, err), 0);
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1796000004, &next, err), 0);
	assert_int_equal(next.size, 170);
	/* The checkpoint at 170 deleted from the file and record 165 edited:
	 * the pin (170) still holds by the stored hashes, but the root is
	 * recomputed from the bytes after the file's latest (160): refused. */
	edit_record(l, 165);
	assert_int_equal(fixture_append(l, 170, 171, 37, err), 0);
	exec_ok(l, "DROP TRIGGER IF EXISTS ledger_checkpoint_no_delete;"
		   "DELETE FROM ledger_checkpoint WHERE size = 170");
	assert_int_equal(lia_ledger_checkpoint(l, f->key, 1796000005, NULL, err), -1);
	if (strstr(err, "record 165: stored leaf hash does not match") == NULL)
		fail_msg("%s", err);
	lia_ledger_destroy(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_root_proofs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triggers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_truncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_truncate_hidden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_checkpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_over_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_prepare_adopt, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
