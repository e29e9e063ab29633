/*
 * bench_ledger.c — what the disclosure ledger costs, beside what SQLite
 * alone costs for the same rows, measured in the same run.
 *
 *   bench_ledger [--records N] [--sample M] [--dir DIR] [--keep]
 *
 * 1. Append throughput with synchronous=FULL in WAL mode, in
 *    transactions of 100 and of 1000 records: lia_ledger_append (validate,
 *    encode, hash, store leaf and subtree hashes) against a plain INSERT
 *    of the same encoded record bytes into a table (seq, record), M
 *    records each (default 20 000), alternating, 7 times, medians
 *    compared. Target: ledger >= 50 % of plain.
 * 2. The ledger is grown to N records (default 1 000 000) and signed.
 * 3. Inclusion and consistency proofs at N: generation from the stored
 *    subtrees and verification, averaged over 1000 random choices.
 *    Target: < 1 ms each.
 * 4. Full verify of N records (every record decoded and re-encoded,
 *    every hash recomputed, the checkpoint checked), beside a plain scan
 *    of the same rows. Target: <= 10 s.
 *
 * Not a test: run it by hand (it writes ~0.5 GB and takes a minute).
 */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keyfile.h"
#include "ledger.h"
#include "ledger_sqlite.h"
#include "record.h"
#include "util.h"

#define ORIGIN "bench.liaison/ledger"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "bench_ledger: %s: %s\n", what, why);
	exit(1);
}

/* A realistic disclosure record: names, ids, markings, rule, reason. */
static void record_for(struct lia_record *r, uint64_t i)
{
	static const char *const to[] = {"FR-PAF/nice", "ES-GC/algeciras", "GR-HCG/piraeus",
					 "MT-AFM/valletta", "DE-BPOL/munich"};
	lia_record_init(r);
	r->op = i % 5 == 0 ? LIA_OP_PUBLISH : LIA_OP_DISCLOSE;
	r->time = 1795000000 + (int64_t)(i / 10);
	snprintf(r->actor.subject, LIA_NAME_MAX, "IT-GDF/ventimiglia");
	snprintf(r->actor.agency, LIA_NAME_MAX, "IT-GDF");
	r->actor.has_key_id = true;
	memset(r->actor.key_id, 0xa1, LIA_KEYID_BYTES);
	r->has_message_id = true;
	uint64_t msg = i / 5;
	memcpy(r->message_id, &msg, sizeof msg);
	memset(r->message_id + 8, 0x5f, 8);
	snprintf(r->originator, LIA_NAME_MAX, "IT-GDF/ventimiglia");
	r->kind = 1 + (int)(msg % 7);
	r->has_restrictions = true;
	r->restrictions.tlp = LIA_TLP_AMBER;
	r->restrictions.handling = LIA_HANDLING_H2;
	snprintf(r->restrictions.release_regions.v[0], LIA_NAME_MAX, "MED-CENTRAL");
	r->restrictions.release_regions.n = 1;
	r->has_policy_hash = true;
	memset(r->policy_hash, 0x42, LIA_POLICY_HASH_BYTES);
	if (r->op == LIA_OP_DISCLOSE) {
		const char *t = to[i % 5];
		snprintf(r->recipient.subject, LIA_NAME_MAX, "%s", t);
		size_t slash = strcspn(t, "/");
		memcpy(r->recipient.agency, t, slash);
		r->decision = LIA_RECORD_PERMIT;
		snprintf(r->rule, LIA_NAME_MAX, "agreement.med-central");
		snprintf(r->justification, LIA_TEXT_MAX, "feed subscription MED-CENTRAL, kind route");
	}
}

static void exec_or_die(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die(sql, msg ? msg : sqlite3_errmsg(db));
}

static void remove_db(const char *path)
{
	char p[4200];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
}

/* Records [0, m) encoded once, for the plain baseline. */
struct encoded {
	uint8_t **b;
	size_t *n;
	size_t total;
};

static void encode_all(struct encoded *e, uint64_t m)
{
	char err[LIA_ERR_MAX];
	struct lia_record *r = malloc(sizeof *r);
	e->b = calloc(m, sizeof *e->b);
	e->n = calloc(m, sizeof *e->n);
	if (r == NULL || e->b == NULL || e->n == NULL)
		die("encode", "out of memory");
	e->total = 0;
	for (uint64_t i = 0; i < m; i++) {
		record_for(r, i);
		r->seq = i;
		if (lia_record_encode(r, &e->b[i], &e->n[i], err) != 0)
			die("encode", err);
		e->total += e->n[i];
	}
	free(r);
}

/* Plain SQLite: the same bytes into a two-column table. */
static double plain_insert(const char *path, const struct encoded *e, uint64_t m, size_t batch)
{
	sqlite3 *db = NULL;
	remove_db(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	exec_or_die(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			"CREATE TABLE plain(seq INTEGER PRIMARY KEY, record BLOB NOT NULL)");
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(db, "INSERT INTO plain(seq, record) VALUES (?1, ?2)", -1, &s, NULL) !=
	    SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	double t0 = now_s();
	for (uint64_t i = 0; i < m;) {
		exec_or_die(db, "BEGIN IMMEDIATE");
		for (size_t k = 0; k < batch && i < m; k++, i++) {
			sqlite3_bind_int64(s, 1, (sqlite3_int64)i);
			sqlite3_bind_blob(s, 2, e->b[i], (int)e->n[i], SQLITE_STATIC);
			if (sqlite3_step(s) != SQLITE_DONE)
				die("insert", sqlite3_errmsg(db));
			sqlite3_reset(s);
		}
		exec_or_die(db, "COMMIT");
	}
	double dt = now_s() - t0;
	sqlite3_finalize(s);
	sqlite3_close(db);
	return (double)m / dt;
}

/* The ledger: records [from, to) appended in transactions of batch. The
 * structs of a batch are filled before its clock starts, as the plain
 * baseline's bytes are encoded before its clock starts: both sides time
 * what the database path costs, from the caller's data to the commit. */
static double ledger_append(struct lia_ledger *l, uint64_t from, uint64_t to, size_t batch)
{
	char err[LIA_ERR_MAX];
	struct lia_record *r = malloc(batch * sizeof *r);
	if (r == NULL)
		die("append", "out of memory");
	sqlite3 *db = lia_ledger_db(l);
	double busy = 0;
	for (uint64_t i = from; i < to;) {
		size_t k = 0;
		for (; k < batch && i + k < to; k++)
			record_for(&r[k], i + k);
		double t0 = now_s();
		exec_or_die(db, "BEGIN IMMEDIATE");
		if (lia_ledger_batch_begin(l, err) != 0)
			die("batch", err);
		for (size_t j = 0; j < k; j++) {
			if (lia_ledger_append(l, &r[j], err) != 0)
				die("append", err);
		}
		lia_ledger_batch_end(l);
		exec_or_die(db, "COMMIT");
		busy += now_s() - t0;
		i += k;
	}
	free(r);
	return (double)(to - from) / busy;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static uint64_t rnd(uint64_t n)
{
	return (uint64_t)randombytes_uniform((uint32_t)(n > UINT32_MAX ? UINT32_MAX : n));
}

int main(int argc, char **argv)
{
	uint64_t n = 1000000, m = 20000;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int keep = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--records") == 0 && i + 1 < argc) {
			if (lia_parse_u64(argv[++i], &n) != 0 || n < 1000)
				die("--records", "want a number >= 1000");
		} else if (strcmp(argv[i], "--sample") == 0 && i + 1 < argc) {
			if (lia_parse_u64(argv[++i], &m) != 0 || m < 1000)
				die("--sample", "want a number >= 1000");
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--keep") == 0) {
			keep = 1;
		} else {
			fprintf(stderr, "usage: %s [--records N] [--sample M] [--dir DIR] [--keep]\n",
				argv[0]);
			return 2;
		}
	}
	if (m > n)
		m = n;
	if (sodium_init() < 0)
		die("libsodium", "cannot initialise");
	char plain_path[4096], ledger_path[4096], small_path[4096];
	snprintf(plain_path, sizeof plain_path, "%s/bench-plain.db", dir);
	snprintf(ledger_path, sizeof ledger_path, "%s/bench-ledger.db", dir);
	snprintf(small_path, sizeof small_path, "%s/bench-ledger-small.db", dir);
	char err[LIA_ERR_MAX];

	struct encoded e;
	encode_all(&e, m);
	printf("liaison ledger bench: %" PRIu64 " records, %" PRIu64 " per append sample, "
	       "average record %.0f bytes\n",
	       n, m, (double)e.total / (double)m);
	printf("SQLite %s, WAL, synchronous=FULL, files in %s\n\n", sqlite3_libversion(), dir);

	/* 1. Append throughput. The machine is shared, so plain and ledger
	 * runs alternate, ROUNDS times each on fresh files, and the medians
	 * are compared: a burst of someone else's work hits both sides. */
	enum { ROUNDS = 7 };
	printf("%-30s %18s %18s %8s\n", "append (median of 7 runs)", "plain rec/s", "ledger rec/s",
	       "ratio");
	double ratio_min = 1e9;
	for (size_t batch = 100; batch <= 1000; batch *= 10) {
		double plain[ROUNDS], led[ROUNDS];
		for (int k = 0; k < ROUNDS; k++) {
			plain[k] = plain_insert(plain_path, &e, m, batch);
			remove_db(small_path);
			struct lia_ledger *t = lia_ledger_open_file(small_path, ORIGIN, LIA_LEDGER_CREATE, err);
			if (t == NULL)
				die(small_path, err);
			led[k] = ledger_append(t, 0, m, batch);
			lia_ledger_destroy(&t);
		}
		qsort(plain, ROUNDS, sizeof plain[0], cmp_double);
		qsort(led, ROUNDS, sizeof led[0], cmp_double);
		double ratio = led[ROUNDS / 2] / plain[ROUNDS / 2];
		if (ratio < ratio_min)
			ratio_min = ratio;
		printf("  %4zu records per transaction %9.0f (%6.0f-%6.0f) %9.0f (%6.0f-%6.0f) %6.2fx\n",
		       batch, plain[ROUNDS / 2], plain[0], plain[ROUNDS - 1], led[ROUNDS / 2], led[0],
		       led[ROUNDS - 1], ratio);
	}
	remove_db(plain_path);
	remove_db(small_path);
	printf("  target: ledger >= 0.50x plain: %s\n\n", ratio_min >= 0.5 ? "met" : "NOT MET");

	/* 2. Grow to n and sign. */
	remove_db(ledger_path);
	struct lia_ledger *l = lia_ledger_open_file(ledger_path, ORIGIN, LIA_LEDGER_CREATE, err);
	if (l == NULL)
		die(ledger_path, err);
	double t0 = now_s();
	double grow = ledger_append(l, 0, n, 1000);
	struct lia_secret *key = lia_secret_generate(LIA_KEY_SIGN);
	if (key == NULL)
		die("key", "cannot generate");
	struct lia_checkpoint cp;
	double tc = now_s();
	if (lia_ledger_checkpoint(l, key, lia_now(), &cp, err) != 0)
		die("checkpoint", err);
	double sign_ms = (now_s() - tc) * 1e3;
	printf("grow to %" PRIu64 " records: %.1f s (%.0f rec/s at 1000 per transaction); "
	       "checkpoint %.2f ms\n\n", n, now_s() - t0, grow, sign_ms);

	/* 3. Proofs at n. */
	enum { PROOFS = 1000 };
	double gen = 0, ver = 0, gen_max = 0, cgen = 0, cver = 0, cgen_max = 0;
	size_t hashes = 0, chashes = 0;
	struct lia_merkle_proof p;
	for (int k = 0; k < PROOFS; k++) {
		uint64_t idx = rnd(n);
		double a = now_s();
		if (lia_ledger_inclusion_proof(l, idx, n, &p, err) != 0)
			die("inclusion proof", err);
		double b = now_s();
		uint8_t *rec = NULL;
		size_t len = 0;
		if (lia_ledger_get_encoded(l, idx, &rec, &len, err) != 0)
			die("record", err);
		double c = now_s();
		lia_merkle_hash leaf;
		lia_merkle_leaf_hash(leaf, rec, len);
		if (lia_merkle_verify_inclusion(leaf, idx, n, &p, cp.root) != LIA_MERKLE_OK)
			die("inclusion proof", "does not verify");
		double d = now_s();
		free(rec);
		gen += b - a;
		gen_max = b - a > gen_max ? b - a : gen_max;
		ver += d - c;
		hashes += p.n;

		uint64_t old = 1 + rnd(n - 1);
		uint8_t old_root[32];
		if (lia_ledger_root(l, old, old_root, err) != 0)
			die("root", err);
		a = now_s();
		if (lia_ledger_consistency_proof(l, old, n, &p, err) != 0)
			die("consistency proof", err);
		b = now_s();
		if (lia_merkle_verify_consistency(old, n, &p, old_root, cp.root) != LIA_MERKLE_OK)
			die("consistency proof", "does not verify");
		c = now_s();
		cgen += b - a;
		cgen_max = b - a > cgen_max ? b - a : cgen_max;
		cver += c - b;
		chashes += p.n;
	}
	printf("proofs at %" PRIu64 " records (%d random each)   generate avg (max)    verify avg\n",
	       n, PROOFS);
	printf("  inclusion   (%4.1f hashes)         %7.1f us (%6.1f us)   %7.1f us\n",
	       (double)hashes / PROOFS, gen / PROOFS * 1e6, gen_max * 1e6, ver / PROOFS * 1e6);
	printf("  consistency (%4.1f hashes)         %7.1f us (%6.1f us)   %7.1f us\n",
	       (double)chashes / PROOFS, cgen / PROOFS * 1e6, cgen_max * 1e6, cver / PROOFS * 1e6);
	int proofs_ok = gen_max < 1e-3 && cgen_max < 1e-3 && ver / PROOFS < 1e-3;
	printf("  target: < 1 ms: %s\n\n", proofs_ok ? "met" : "NOT MET");

	/* 4. Full verify, beside a plain scan of the same rows. */
	sqlite3_stmt *s = NULL;
	t0 = now_s();
	if (sqlite3_prepare_v2(lia_ledger_db(l), "SELECT seq, record FROM ledger_record ORDER BY seq",
			       -1, &s, NULL) != SQLITE_OK)
		die("scan", sqlite3_errmsg(lia_ledger_db(l)));
	uint64_t rows = 0, bytes = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		bytes += (uint64_t)sqlite3_column_bytes(s, 1);
		rows++;
	}
	sqlite3_finalize(s);
	double scan = now_s() - t0;
	struct lia_note_verifier v;
	if (lia_note_verifier_init(&v, ORIGIN, key->pk, err) != 0)
		die("verifier", err);
	struct lia_ledger_verify_result res;
	t0 = now_s();
	enum lia_ledger_verdict verdict = lia_ledger_verify(l, &v, NULL, 0, NULL, NULL, &res);
	double full = now_s() - t0;
	if (verdict != LIA_LEDGER_VALID || res.size != n)
		die("verify", res.what);
	printf("full verify of %" PRIu64 " records: %.2f s (%.0f rec/s); plain scan of the same "
	       "%" PRIu64 " rows (%.0f MB): %.2f s; ratio %.1fx\n",
	       n, full, (double)n / full, rows, (double)bytes / 1e6, scan, full / scan);
	printf("  target: <= 10 s: %s\n", full <= 10.0 ? "met" : "NOT MET");

	lia_secret_destroy(&key);
	lia_ledger_destroy(&l);
	if (!keep)
		remove_db(ledger_path);
	for (uint64_t i = 0; i < m; i++)
		free(e.b[i]);
	free(e.b);
	free(e.n);
	return 0;
}
