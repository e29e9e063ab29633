/* The ledger's storage seam (audit/ledger_storage.h), as the usage example
 * of a second backend: a small in-memory one, written here against the
 * ops table alone, drives the whole ledger logic (append, roots, proofs,
 * checkpoints, query, verify, export). Its trees must equal those of the
 * SQLite backend record for record, and tampering and failures behind it
 * must be found and reported exactly as over SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "export.h"
#include "ledger.h"
#include "ledger_storage.h"
#include "util.h"

#define MEM_RECORDS 512
#define MEM_CPS 16

/* The rows, owned by the test so that a ledger can be reopened over them. */
struct mem_rows {
	uint8_t *rec[MEM_RECORDS];
	size_t rec_len[MEM_RECORDS];
	uint8_t leaf[MEM_RECORDS][32];
	uint8_t nodes[MEM_RECORDS][63 * 32];
	size_t nodes_len[MEM_RECORDS];
	size_t n;
	uint64_t cp_size[MEM_CPS];
	int64_t cp_at[MEM_CPS];
	char *cp_note[MEM_CPS];
	size_t cp_len[MEM_CPS];
	size_t n_cp;
	bool created;
	char origin[LIA_NOTE_NAME_MAX];
	/* the transaction: what to cut back to on rollback */
	bool in_tx;
	size_t tx_n, tx_n_cp;
	/* fault injection and call counts */
	int64_t fail_insert_at; /* -1: never */
	unsigned inserts, hash_reads, cursors;
};

/* The backend object: a view of the rows (the ledger destroys this). */
struct mem {
	struct mem_rows *rows;
};

struct mem_cursor {
	struct mem_rows *rows;
	size_t at, end;
};

static void mem_cut(struct mem_rows *r, size_t n, size_t n_cp)
{
	while (r->n > n)
		free(r->rec[--r->n]);
	while (r->n_cp > n_cp)
		free(r->cp_note[--r->n_cp]);
}

static void mem_destroy(void *impl) { free(impl); }

static int mem_exists(void *impl, bool *exists, char err[static LIA_ERR_MAX])
{
	(void)err;
	*exists = ((struct mem *)impl)->rows->created;
	return 0;
}

static int mem_create(void *impl, int schema, const char *origin, char err[static LIA_ERR_MAX])
{
	struct mem_rows *r = ((struct mem *)impl)->rows;
	assert_int_equal(schema, LIA_LEDGER_SCHEMA_VERSION);
	if (snprintf(r->origin, sizeof r->origin, "%s", origin) >= (int)sizeof r->origin)
		return lia_errf(err, "ledger: origin too long");
	r->created = true;
	return 0;
}

static int mem_meta_get(void *impl, const char *key, char *out, size_t cap,
			char err[static LIA_ERR_MAX])
{
	struct mem_rows *r = ((struct mem *)impl)->rows;
	const char *v = strcmp(key, "schema") == 0 ? "1" : strcmp(key, "origin") == 0 ? r->origin
											: NULL;
	if (v == NULL || strlen(v) >= cap)
		return lia_errf(err, "ledger: ledger_meta has no \"%s\"", key);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int mem_ready(void *impl, char err[static LIA_ERR_MAX])
{
	(void)impl;
	(void)err;
	return 0;
}

static int mem_size(void *impl, uint64_t *size, char err[static LIA_ERR_MAX])
{
	(void)err;
	*size = ((struct mem *)impl)->rows->n;
	return 0;
}

static int mem_hash_get(void *impl, uint64_t seq, unsigned level, uint8_t out[static 32],
			char err[static LIA_ERR_MAX])
{
	struct mem_rows *r = ((struct mem *)impl)->rows;
	r->hash_reads++;
	if (seq >= r->n)
		return 1;
	if (level == 0) {
		memcpy(out, r->leaf[seq], 32);
		return 0;
	}
	if (r->nodes_len[seq] < (size_t)level * 32)
		return lia_errf(err, "ledger: stored hashes of record %llu are damaged",
				(unsigned long long)seq);
	memcpy(out, r->nodes[seq] + (level - 1) * 32, 32);
	return 0;
}

static int mem_insert(void *impl, uint64_t seq, const uint8_t *rec, size_t len,
		      const uint8_t leaf[static 32], const uint8_t *nodes, size_t nodes_len,
		      char err[static LIA_ERR_MAX])
{
	struct mem_rows *r = ((struct mem *)impl)->rows;
	r->inserts++;
	if ((int64_t)seq == r->fail_insert_at)
		return lia_errf(err, "ledger: cannot append record %llu: injected",
				(unsigned long long)seq);
	assert_true(r->in_tx);
	assert_int_equal(seq, r->n); /* the logic appends in order */
	assert_true(seq < MEM_RECORDS && nodes_len <= sizeof r->nodes[0]);
	r->rec[seq] = malloc(len);
	assert_non_null(r->rec[seq]);
	memcpy(r->rec[seq], rec, len);
	r->rec_len[seq] = len;
	memcpy(r->leaf[seq], leaf, 32);
	if (nodes_len)
		memcpy(r->nodes[seq], nodes, nodes_len);
	r->nodes_len[seq] = nodes_len;
	r->n++;
	return 0;
}

static int mem_record_get(void *impl, uint64_t seq, uint8_t *buf, size_t cap, size_t *len,
			  char err[static LIA_ERR_MAX])
{
	(void)err;
	struct mem_rows *r = ((struct mem *)impl)->rows;
	if (seq >= r->n)
		return 1;
	*len = r->rec_len[seq];
	if (*len <= cap)
		memcpy(buf, r->rec[seq], *len);
	return 0;
}

static int mem_cursor_open(void *impl, uint64_t from, uint64_t to, void **cur,
			   char err[static LIA_ERR_MAX])
{
	(void)err;
	struct mem_rows *r = ((struct mem *)impl)->rows;
	struct mem_cursor *c = calloc(1, sizeof *c);
	assert_non_null(c);
	r->cursors++;
	c->rows = r;
	c->at = to > 0 ? (size_t)(from < r->n ? from : r->n) : 0;
	c->end = to > 0 && to < r->n ? (size_t)to : r->n;
	*cur = c;
	return 0;
}

static int mem_cursor_next(void *cur, struct lia_ledger_row *row, char err[static LIA_ERR_MAX])
{
	(void)err;
	struct mem_cursor *c = cur;
	if (c->at >= c->end)
		return 0;
	size_t i = c->at++;
	row->seq = (int64_t)i;
	row->record = c->rows->rec[i];
	row->record_len = c->rows->rec_len[i];
	row->leaf = c->rows->leaf[i];
	row->leaf_len = 32;
	row->nodes = c->rows->nodes[i];
	row->nodes_len = c->rows->nodes_len[i];
	return 1;
}

static void mem_cursor_close(void *cur) { free(cur); }

static int note_dup(const struct mem_rows *r, size_t i, char **note, size_t *len)
{
	*note = malloc(r->cp_len[i] + 1);
	assert_non_null(*note);
	memcpy(*note, r->cp_note[i], r->cp_len[i] + 1);
	*len = r->cp_len[i];
	return 0;
}

static int mem_cp_latest(void *impl, uint64_t *size, char **note, size_t *len,
			 char err[static LIA_ERR_MAX])
{
	(void)err;
	struct mem_rows *r = ((struct mem *)impl)->rows;
	if (r->n_cp == 0)
		return 1;
	*size = r->cp_size[r->n_cp - 1]; /* stored in ascending size */
	return note_dup(r, r->n_cp - 1, note, len);
}

static int mem_cp_get(void *impl, uint64_t size, char **note, size_t *len,
		      char err[static LIA_ERR_MAX])
{
	(void)err;
	struct mem_rows *r = ((struct mem *)impl)->rows;
	for (size_t i = 0; i < r->n_cp; i++)
		if (r->cp_size[i] == size)
			return note_dup(r, i, note, len);
	return 1;
}

static int mem_cp_put(void *impl, uint64_t size, int64_t issued_at, const char *note, size_t len,
		      char err[static LIA_ERR_MAX])
{
	struct mem_rows *r = ((struct mem *)impl)->rows;
	if (r->n_cp == MEM_CPS || (r->n_cp > 0 && r->cp_size[r->n_cp - 1] >= size))
		return lia_errf(err, "ledger: cannot store checkpoint: out of order or full");
	r->cp_note[r->n_cp] = malloc(len + 1);
	assert_non_null(r->cp_note[r->n_cp]);
	memcpy(r->cp_note[r->n_cp], note, len);
	r->cp_note[r->n_cp][len] = '\0';
	r->cp_len[r->n_cp] = len;
	r->cp_size[r->n_cp] = size;
	r->cp_at[r->n_cp] = issued_at;
	r->n_cp++;
	return 0;
}

static int mem_cp_each(void *impl, lia_ledger_cp_fn fn, void *ctx, char err[static LIA_ERR_MAX])
{
	(void)err;
	struct mem_rows *r = ((struct mem *)impl)->rows;
	for (size_t i = 0; i < r->n_cp; i++)
		if (fn(ctx, (int64_t)r->cp_size[i], r->cp_note[i], r->cp_len[i]) != 0)
			break;
	return 0;
}

static int mem_cp_last_issued(void *impl, int64_t *at, char err[static LIA_ERR_MAX])
{
	(void)err;
	struct mem_rows *r = ((struct mem *)impl)->rows;
	*at = 0;
	for (size_t i = 0; i < r->n_cp; i++)
		if (r->cp_at[i] > *at)
			*at = r->cp_at[i];
	return 0;
}

static bool mem_in_tx(void *impl) { return ((struct mem *)impl)->rows->in_tx; }

static int mem_tx_begin(void *impl, char err[static LIA_ERR_MAX])
{
	struct mem_rows *r = ((struct mem *)impl)->rows;
	if (r->in_tx)
		return lia_errf(err, "ledger: cannot start a transaction within a transaction");
	r->in_tx = true;
	r->tx_n = r->n;
	r->tx_n_cp = r->n_cp;
	return 0;
}

static int mem_tx_commit(void *impl, char err[static LIA_ERR_MAX])
{
	(void)err;
	((struct mem *)impl)->rows->in_tx = false;
	return 0;
}

static void mem_tx_rollback(void *impl)
{
	struct mem_rows *r = ((struct mem *)impl)->rows;
	mem_cut(r, r->tx_n, r->tx_n_cp);
	r->in_tx = false;
}

static void mem_batch_end(void *impl) { (void)impl; }

static const struct lia_ledger_storage_ops mem_ops = {
	.destroy = mem_destroy,
	.exists = mem_exists,
	.create = mem_create,
	.meta_get = mem_meta_get,
	.ready = mem_ready,
	.size = mem_size,
	.hash_get = mem_hash_get,
	.insert = mem_insert,
	.record_get = mem_record_get,
	.cursor_open = mem_cursor_open,
	.cursor_next = mem_cursor_next,
	.cursor_close = mem_cursor_close,
	.cp_latest = mem_cp_latest,
	.cp_get = mem_cp_get,
	.cp_put = mem_cp_put,
	.cp_each = mem_cp_each,
	.cp_last_issued = mem_cp_last_issued,
	.in_tx = mem_in_tx,
	.tx_begin = mem_tx_begin,
	.tx_read = mem_tx_begin, /* one connection: a read is a transaction like any */
	.tx_commit = mem_tx_commit,
	.tx_rollback = mem_tx_rollback,
	.batch_end = mem_batch_end,
};

static struct lia_ledger *mem_open(struct mem_rows *rows, const char *origin,
				   char err[static LIA_ERR_MAX])
{
	struct mem *m = calloc(1, sizeof *m);
	assert_non_null(m);
	m->rows = rows;
	return lia_ledger_open_storage(&mem_ops, m, origin, err);
}

struct fx {
	struct mem_rows rows;
	struct lia_secret *key;
	struct lia_note_verifier v;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	f->rows.fail_insert_at = -1;
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
	mem_cut(&f->rows, 0, 0);
	lia_secret_destroy(&f->key);
	free(f);
	return 0;
}

/* The same records over both backends: equal roots and proofs at every
 * size, and a proof from one verifies against the other's root. */
static void test_same_tree_as_sqlite(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_ledger *m = mem_open(&f->rows, FIXTURE_ORIGIN, err);
	struct lia_ledger *s = lia_ledger_open_file(":memory:", FIXTURE_ORIGIN, LIA_LEDGER_CREATE, err);
	assert_non_null(m);
	assert_non_null(s);
	assert_string_equal(lia_ledger_origin(m), FIXTURE_ORIGIN);
	assert_int_equal(fixture_append(m, 0, 300, 37, err), 0);
	assert_int_equal(fixture_append(s, 0, 300, 37, err), 0);
	assert_int_equal(f->rows.inserts, 300);
	assert_false(f->rows.in_tx);
	uint64_t n = 0;
	assert_int_equal(lia_ledger_size(m, &n, err), 0);
	assert_int_equal(n, 300);
	for (uint64_t size = 0; size <= 300; size += 23) {
		uint8_t rm[32], rs[32];
		assert_int_equal(lia_ledger_root(m, size, rm, err), 0);
		assert_int_equal(lia_ledger_root(s, size, rs, err), 0);
		assert_memory_equal(rm, rs, 32);
		if (size == 0)
			continue;
		struct lia_merkle_proof p;
		uint64_t i = size / 3;
		assert_int_equal(lia_ledger_inclusion_proof(m, i, size, &p, err), 0);
		lia_merkle_hash leaf;
		lia_merkle_leaf_hash(leaf, f->rows.rec[i], f->rows.rec_len[i]);
		assert_int_equal(lia_merkle_verify_inclusion(leaf, i, size, &p, rs), LIA_MERKLE_OK);
	}
	assert_true(f->rows.hash_reads > 0);
	/* Records read back are the bytes appended. */
	struct lia_record r;
	assert_int_equal(lia_ledger_get(m, 299, &r, err), 0);
	assert_int_equal(r.seq, 299);
	assert_int_equal(lia_ledger_get(m, 300, &r, err), -1);
	assert_non_null(strstr(err, "no record 300"));
	lia_ledger_destroy(&s);
	lia_ledger_destroy(&m);
	assert_null(m);
}

static int count_one(void *ctx, const struct lia_record *r)
{
	(void)r;
	(*(unsigned *)ctx)++;
	return 0;
}

/* Checkpoints, a query by range and a full verify, over the ops alone;
 * then the export written from this backend loads and verifies. */
static void test_checkpoint_query_verify_export(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_ledger *m = mem_open(&f->rows, FIXTURE_ORIGIN, err);
	assert_non_null(m);
	assert_int_equal(fixture_append(m, 0, 100, 64, err), 0);
	assert_int_equal(lia_ledger_checkpoint(m, f->key, 1795000100, NULL, err), 0);
	assert_int_equal(fixture_append(m, 100, 150, 64, err), 0);
	struct lia_checkpoint cp;
	assert_int_equal(lia_ledger_checkpoint(m, f->key, 1795000150, &cp, err), 0);
	assert_int_equal(cp.size, 150);
	bool issued = true;
	assert_int_equal(lia_ledger_checkpoint_maybe(m, f->key, 1795000151, 10, 0, &issued, err), 0);
	assert_false(issued); /* nothing new since the last one */
	uint64_t *sizes = NULL;
	size_t n = 0;
	assert_int_equal(lia_ledger_checkpoint_list(m, &sizes, &n, err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sizes[0], 100);
	assert_int_equal(sizes[1], 150);
	free(sizes);

	unsigned seen = 0;
	struct lia_ledger_filter q = {.seq_from = 10, .seq_to = 20};
	assert_int_equal(lia_ledger_query(m, &q, count_one, &seen, err), 0);
	assert_int_equal(seen, 10);

	struct lia_ledger_verify_result res;
	assert_int_equal(lia_ledger_verify(m, &f->v, NULL, 0, NULL, NULL, &res), LIA_LEDGER_VALID);
	assert_int_equal(res.size, 150);
	assert_int_equal(res.checkpoints, 2);

	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	uint64_t count = 0;
	assert_int_equal(lia_export_write(m, LIA_EXPORT_JSONL, tmp, NULL, &count, NULL, NULL, err),
			 0);
	assert_int_equal(count, 150);
	rewind(tmp);
	struct lia_ledger *back = lia_export_load(tmp, NULL, NULL, err);
	fclose(tmp);
	assert_non_null(back);
	assert_int_equal(lia_ledger_verify(back, &f->v, NULL, 0, NULL, NULL, &res),
			 LIA_LEDGER_VALID);
	assert_int_equal(res.size, 150);
	lia_ledger_destroy(&back);
	lia_ledger_destroy(&m);
}

/* Tampering behind the backend is found by the logic, which trusts no
 * stored hash; checkpoints beyond the end are truncation. */
static void test_tampering_found(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_ledger *m = mem_open(&f->rows, FIXTURE_ORIGIN, err);
	assert_non_null(m);
	assert_int_equal(fixture_append(m, 0, 64, 64, err), 0);
	assert_int_equal(lia_ledger_checkpoint(m, f->key, 1795000064, NULL, err), 0);
	struct lia_ledger_verify_result res;

	f->rows.rec[17][f->rows.rec_len[17] - 1] ^= 1;
	assert_int_equal(lia_ledger_verify(m, &f->v, NULL, 0, NULL, NULL, &res),
			 LIA_LEDGER_INVALID);
	assert_true(res.has_bad_seq);
	assert_int_equal(res.bad_seq, 17);
	f->rows.rec[17][f->rows.rec_len[17] - 1] ^= 1;

	f->rows.nodes[31][0] ^= 1; /* a stored subtree hash, not the record */
	assert_int_equal(lia_ledger_verify(m, &f->v, NULL, 0, NULL, NULL, &res),
			 LIA_LEDGER_INVALID);
	assert_int_equal(res.bad_seq, 31);
	assert_non_null(strstr(res.what, "subtree"));
	f->rows.nodes[31][0] ^= 1;

	mem_cut(&f->rows, 60, f->rows.n_cp); /* truncation */
	assert_int_equal(lia_ledger_verify(m, &f->v, NULL, 0, NULL, NULL, &res),
			 LIA_LEDGER_INVALID);
	assert_true(res.has_bad_checkpoint);
	assert_int_equal(res.bad_checkpoint, 64);
	assert_int_equal(lia_ledger_checkpoint(m, f->key, 1795000065, NULL, err), -1);
	assert_non_null(strstr(err, "truncated"));
	lia_ledger_destroy(&m);
}

/* A failing insert ends the batch and the ledger's own transaction is
 * rolled back; the rules on transactions hold over any backend. */
static void test_failures_and_transaction_rules(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_ledger *m = mem_open(&f->rows, FIXTURE_ORIGIN, err);
	assert_non_null(m);
	assert_int_equal(fixture_append(m, 0, 10, 10, err), 0);
	f->rows.fail_insert_at = 15;
	assert_int_equal(fixture_append(m, 10, 20, 10, err), -1);
	assert_non_null(strstr(err, "injected"));
	assert_false(f->rows.in_tx);
	assert_int_equal(f->rows.n, 10); /* all ten of the batch rolled back */
	f->rows.fail_insert_at = -1;
	assert_int_equal(fixture_append(m, 10, 20, 10, err), 0);

	/* Appends only inside a transaction; checkpoints only outside. */
	assert_int_equal(lia_ledger_batch_begin(m, err), -1);
	assert_int_equal(lia_ledger_begin(m, err), 0);
	assert_int_equal(lia_ledger_batch_begin(m, err), 0);
	assert_int_equal(lia_ledger_next_seq(m), 20);
	assert_int_equal(lia_ledger_checkpoint(m, f->key, 1, NULL, err), -1);
	struct lia_record r;
	fixture_record(&r, 20);
	assert_int_equal(lia_ledger_append(m, &r, err), 0);
	lia_ledger_batch_end(m);
	assert_int_equal(lia_ledger_append(m, &r, err), -1); /* batch over */
	lia_ledger_rollback(m);
	lia_ledger_rollback(m); /* none open: a no-op */
	assert_int_equal(f->rows.n, 20);
	lia_ledger_destroy(&m);

	/* Reopening over the same rows: another origin is refused, and an
	 * empty backend is no ledger without an origin to create it. */
	assert_null(mem_open(&f->rows, "liaison.test/other/ledger", err));
	assert_non_null(strstr(err, "origin"));
	struct mem_rows empty = {.fail_insert_at = -1};
	assert_null(mem_open(&empty, NULL, err));
	assert_non_null(strstr(err, "not a liaison ledger"));
	assert_null(mem_open(&empty, "no spaces allowed", err));
	m = mem_open(&f->rows, NULL, err);
	assert_non_null(m);
	assert_string_equal(lia_ledger_origin(m), FIXTURE_ORIGIN);
	lia_ledger_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_tree_as_sqlite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_query_verify_export, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampering_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_and_transaction_rules, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
