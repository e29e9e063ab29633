/*
 * ledger_sqlite.c — the ledger's rows in SQLite: the backend of
 * ledger_storage.h (see docs/ledger.md for the tables, ledger.h for the
 * transaction rules).
 *
 * Statements on the hot paths (append, subtree reads, record reads,
 * checkpoint lookups) are prepared once, persistent, and reset after
 * each use so that no statement holds a read transaction open between
 * calls. Walks (cursors, checkpoint lists) prepare their own statement:
 * they run once per query, verify or export, and their cost is the scan.
 */
#include "ledger_sqlite.h"
#include "ledger_storage.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "note.h"
#include "util.h"

enum stmt_id {
	ST_SIZE,
	ST_NODE,
	ST_INSERT,
	ST_GET,
	ST_CP_LATEST,
	ST_CP_GET,
	ST_CP_INSERT,
	ST_COUNT,
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_SIZE] = "SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_record",
	[ST_NODE] = "SELECT leaf, nodes FROM ledger_record WHERE seq = ?1",
	[ST_INSERT] = "INSERT INTO ledger_record(seq, record, leaf, nodes) VALUES (?1, ?2, ?3, ?4)",
	[ST_GET] = "SELECT record FROM ledger_record WHERE seq = ?1",
	[ST_CP_LATEST] = "SELECT size, note FROM ledger_checkpoint ORDER BY size DESC LIMIT 1",
	[ST_CP_GET] = "SELECT note FROM ledger_checkpoint WHERE size = ?1",
	[ST_CP_INSERT] = "INSERT INTO ledger_checkpoint(size, issued_at, note) VALUES (?1, ?2, ?3)",
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS ledger_meta("
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS ledger_record("
	"  seq INTEGER PRIMARY KEY,"   /* leaf index, from 0 */
	"  record BLOB NOT NULL,"      /* exact leaf bytes: a canonical LedgerRecord */
	"  leaf BLOB NOT NULL,"        /* SHA-256(0x00 || record) */
	"  nodes BLOB NOT NULL);"      /* subtrees completed by this leaf, level 1 first */
	"CREATE TABLE IF NOT EXISTS ledger_checkpoint("
	"  size INTEGER PRIMARY KEY, issued_at INTEGER NOT NULL, note TEXT NOT NULL);"
	"CREATE TRIGGER IF NOT EXISTS ledger_record_no_update BEFORE UPDATE ON ledger_record"
	"  BEGIN SELECT RAISE(ABORT, 'ledger records are append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS ledger_record_no_delete BEFORE DELETE ON ledger_record"
	"  BEGIN SELECT RAISE(ABORT, 'ledger records are append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS ledger_checkpoint_no_update BEFORE UPDATE ON ledger_checkpoint"
	"  BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS ledger_checkpoint_no_delete BEFORE DELETE ON ledger_checkpoint"
	"  BEGIN SELECT RAISE(ABORT, 'ledger checkpoints are append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS ledger_meta_no_update BEFORE UPDATE ON ledger_meta"
	"  BEGIN SELECT RAISE(ABORT, 'ledger metadata is append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS ledger_meta_no_delete BEFORE DELETE ON ledger_meta"
	"  BEGIN SELECT RAISE(ABORT, 'ledger metadata is append-only'); END;";

struct sql_ledger {
	sqlite3 *db;
	bool owns_db;
	sqlite3_stmt *st[ST_COUNT];
};

struct sql_cursor {
	sqlite3 *db;
	sqlite3_stmt *st;
};

static const struct lia_ledger_storage_ops sql_ops;

static int db_errf(struct sql_ledger *q, char err[static LIA_ERR_MAX], const char *what)
{
	return lia_errf(err, "ledger: %s: %s", what, sqlite3_errmsg(q->db));
}

static void stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Run SQL without results. */
static int exec(struct sql_ledger *q, const char *sql, char err[static LIA_ERR_MAX])
{
	char *msg = NULL;
	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		lia_errf(err, "ledger: %s", msg ? msg : sqlite3_errmsg(q->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void sql_destroy(void *impl)
{
	struct sql_ledger *q = impl;
	if (q == NULL)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(q->st[i]);
	if (q->owns_db)
		sqlite3_close(q->db);
	free(q);
}

/* --- schema --- */

static int sql_exists(void *impl, bool *exists, char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(q->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return db_errf(q, err, "cannot read the schema");
	sqlite3_bind_text(s, 1, "ledger_record", -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_errf(q, err, "cannot read the schema");
	*exists = rc == SQLITE_ROW;
	return 0;
}

static int sql_meta_get(void *impl, const char *key, char *out, size_t cap,
			char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(q->db, "SELECT value FROM ledger_meta WHERE key = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_errf(q, err, "cannot read ledger_meta");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return lia_errf(err, "ledger: ledger_meta has no \"%s\"", key);
		return db_errf(q, err, "cannot read ledger_meta");
	}
	const unsigned char *v = sqlite3_column_text(s, 0);
	int n = sqlite3_column_bytes(s, 0);
	if (v == NULL || n < 0 || (size_t)n >= cap) {
		sqlite3_finalize(s);
		return lia_errf(err, "ledger: ledger_meta \"%s\" is missing or too long", key);
	}
	memcpy(out, v, (size_t)n);
	out[n] = '\0';
	sqlite3_finalize(s);
	return 0;
}

static int sql_create(void *impl, int schema, const char *origin, char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	/* A savepoint works both inside and outside the caller's transaction. */
	if (exec(q, "SAVEPOINT lia_ledger_create", err) != 0)
		return -1;
	if (exec(q, schema_sql, err) != 0)
		goto fail;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(q->db,
			       "INSERT OR IGNORE INTO ledger_meta(key, value) VALUES "
			       "('schema', ?1), ('origin', ?2)",
			       -1, &s, NULL) != SQLITE_OK) {
		db_errf(q, err, "cannot write ledger_meta");
		goto fail;
	}
	sqlite3_bind_int(s, 1, schema);
	sqlite3_bind_text(s, 2, origin, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		db_errf(q, err, "cannot write ledger_meta");
		goto fail;
	}
	return exec(q, "RELEASE lia_ledger_create", err);
fail:;
	char ignore[LIA_ERR_MAX];
	(void)exec(q, "ROLLBACK TO lia_ledger_create; RELEASE lia_ledger_create", ignore);
	return -1;
}

static int sql_ready(void *impl, char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(q->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->st[i],
				       NULL) != SQLITE_OK)
			return db_errf(q, err, "cannot prepare a statement (is the schema damaged?)");
	}
	return 0;
}

/* --- records --- */

/* Step the keyed statement s at key: 0 on its row (the caller reads it,
 * then stmt_done), 1 when there is none, -1 with err naming what. */
static int row_at(struct sql_ledger *q, sqlite3_stmt *s, uint64_t key, const char *what,
		  char err[static LIA_ERR_MAX])
{
	sqlite3_bind_int64(s, 1, (sqlite3_int64)key);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		lia_errf(err, "ledger: cannot read %s %" PRIu64 ": %s", what, key,
			 sqlite3_errmsg(q->db));
	stmt_done(s);
	return rc == SQLITE_DONE ? 1 : -1;
}

static int sql_size(void *impl, uint64_t *size, char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = q->st[ST_SIZE];
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		db_errf(q, err, "cannot count records");
		stmt_done(s);
		return -1;
	}
	sqlite3_int64 n = sqlite3_column_int64(s, 0);
	stmt_done(s);
	if (n < 0)
		return lia_errf(err, "ledger: negative record count");
	*size = (uint64_t)n;
	return 0;
}

static int sql_hash_get(void *impl, uint64_t seq, unsigned level, uint8_t out[static 32],
			char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = q->st[ST_NODE];
	int rc = row_at(q, s, seq, "record", err);
	if (rc != 0)
		return rc;
	int col = level == 0 ? 0 : 1;
	const uint8_t *b = sqlite3_column_blob(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	size_t off = level == 0 ? 0 : (size_t)(level - 1) * 32;
	if (b == NULL || n < off + 32) {
		lia_errf(err, "ledger: stored hashes of record %" PRIu64 " are damaged", seq);
		stmt_done(s);
		return -1;
	}
	memcpy(out, b + off, 32);
	stmt_done(s);
	return 0;
}

static int sql_insert(void *impl, uint64_t seq, const uint8_t *rec, size_t len,
		      const uint8_t leaf[static 32], const uint8_t *nodes, size_t nodes_len,
		      char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = q->st[ST_INSERT];
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	sqlite3_bind_blob(s, 2, rec, (int)len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, leaf, 32, SQLITE_STATIC);
	/* A zero-length blob, not NULL, for leaves that complete nothing. */
	static const uint8_t none[1] = {0};
	sqlite3_bind_blob(s, 4, nodes_len ? (const void *)nodes : none, (int)nodes_len,
			  SQLITE_STATIC);
	int rc = sqlite3_step(s);
	/* Every parameter is bound again on the next append: reset only. */
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return lia_errf(err, "ledger: cannot append record %" PRIu64 ": %s", seq,
				sqlite3_errmsg(q->db));
	return 0;
}

static int sql_record_get(void *impl, uint64_t seq, uint8_t *buf, size_t cap, size_t *len,
			  char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = q->st[ST_GET];
	int rc = row_at(q, s, seq, "record", err);
	if (rc != 0)
		return rc;
	const void *b = sqlite3_column_blob(s, 0);
	int n = sqlite3_column_bytes(s, 0);
	*len = b == NULL || n < 0 ? 0 : (size_t)n;
	if (*len <= cap && *len > 0)
		memcpy(buf, b, *len);
	stmt_done(s);
	return 0;
}

static int sql_cursor_open(void *impl, uint64_t from, uint64_t to, void **curp,
			   char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	*curp = NULL;
	struct sql_cursor *c = calloc(1, sizeof *c);
	if (c == NULL)
		return lia_errf(err, "out of memory");
	c->db = q->db;
	/* With a range, only those rows, by primary key; else one scan. */
	const char *sql = to > 0 ? "SELECT seq, record, leaf, nodes FROM ledger_record "
				   "WHERE seq >= ?1 AND seq < ?2 ORDER BY seq"
				 : "SELECT seq, record, leaf, nodes FROM ledger_record ORDER BY seq";
	if (sqlite3_prepare_v2(q->db, sql, -1, &c->st, NULL) != SQLITE_OK) {
		lia_errf(err, "%s", sqlite3_errmsg(q->db));
		free(c);
		return -1;
	}
	if (to > 0) {
		sqlite3_bind_int64(c->st, 1, (sqlite3_int64)(from & INT64_MAX));
		sqlite3_bind_int64(c->st, 2, (sqlite3_int64)(to & INT64_MAX));
	}
	*curp = c;
	return 0;
}

static int sql_cursor_next(void *cur, struct lia_ledger_row *row, char err[static LIA_ERR_MAX])
{
	struct sql_cursor *c = cur;
	int rc = sqlite3_step(c->st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return lia_errf(err, "%s", sqlite3_errmsg(c->db));
	row->seq = sqlite3_column_int64(c->st, 0);
	row->record = sqlite3_column_blob(c->st, 1);
	int n = sqlite3_column_bytes(c->st, 1);
	row->record_len = n > 0 ? (size_t)n : 0;
	row->leaf = sqlite3_column_blob(c->st, 2);
	n = sqlite3_column_bytes(c->st, 2);
	row->leaf_len = n > 0 ? (size_t)n : 0;
	row->nodes = sqlite3_column_blob(c->st, 3);
	n = sqlite3_column_bytes(c->st, 3);
	row->nodes_len = n > 0 ? (size_t)n : 0;
	return 1;
}

static void sql_cursor_close(void *cur)
{
	struct sql_cursor *c = cur;
	if (c == NULL)
		return;
	sqlite3_finalize(c->st);
	free(c);
}

/* --- checkpoints --- */

/* Copy a checkpoint note read from s (n bytes, already bounded) into a
 * NUL-terminated malloc'd string, and finish the statement. */
static int note_copy(sqlite3_stmt *s, const unsigned char *t, int n, char **note, size_t *len,
		     char err[static LIA_ERR_MAX])
{
	char *buf = malloc((size_t)n + 1);
	if (buf == NULL) {
		stmt_done(s);
		return lia_errf(err, "ledger: out of memory");
	}
	memcpy(buf, t, (size_t)n);
	buf[n] = '\0';
	stmt_done(s);
	*note = buf;
	*len = (size_t)n;
	return 0;
}

static int sql_cp_latest(void *impl, uint64_t *size, char **note, size_t *len,
			 char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = q->st[ST_CP_LATEST];
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		stmt_done(s);
		return 1;
	}
	if (rc != SQLITE_ROW) {
		stmt_done(s);
		return db_errf(q, err, "cannot read checkpoints");
	}
	sqlite3_int64 sz = sqlite3_column_int64(s, 0);
	const unsigned char *t = sqlite3_column_text(s, 1);
	int n = sqlite3_column_bytes(s, 1);
	if (sz < 0 || t == NULL || n <= 0 || n > LIA_NOTE_MAX_BYTES) {
		stmt_done(s);
		return lia_errf(err, "ledger: latest checkpoint row is damaged");
	}
	*size = (uint64_t)sz;
	return note_copy(s, t, n, note, len, err);
}

static int sql_cp_get(void *impl, uint64_t size, char **note, size_t *len,
		      char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	if (size > (uint64_t)INT64_MAX)
		return 1;
	sqlite3_stmt *s = q->st[ST_CP_GET];
	int rc = row_at(q, s, size, "checkpoint", err);
	if (rc != 0)
		return rc;
	const unsigned char *t = sqlite3_column_text(s, 0);
	int n = sqlite3_column_bytes(s, 0);
	if (t == NULL || n <= 0 || n > LIA_NOTE_MAX_BYTES) {
		stmt_done(s);
		return lia_errf(err, "ledger: checkpoint row %" PRIu64 " is damaged", size);
	}
	return note_copy(s, t, n, note, len, err);
}

static int sql_cp_put(void *impl, uint64_t size, int64_t issued_at, const char *note, size_t len,
		      char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = q->st[ST_CP_INSERT];
	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	sqlite3_bind_int64(s, 2, issued_at);
	sqlite3_bind_text(s, 3, note, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE)
		return db_errf(q, err, "cannot store checkpoint");
	return 0;
}

static int sql_cp_each(void *impl, lia_ledger_cp_fn fn, void *ctx, char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(q->db, "SELECT size, note FROM ledger_checkpoint ORDER BY size", -1,
			       &s, NULL) != SQLITE_OK)
		return db_errf(q, err, "cannot read checkpoints");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *note = (const char *)sqlite3_column_text(s, 1);
		int n = sqlite3_column_bytes(s, 1);
		if (fn(ctx, sqlite3_column_int64(s, 0), note, n > 0 ? (size_t)n : 0) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	int ret = rc == SQLITE_DONE ? 0 : db_errf(q, err, "cannot read checkpoints");
	sqlite3_finalize(s);
	return ret;
}

static int sql_cp_last_issued(void *impl, int64_t *at, char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = impl;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(q->db, "SELECT COALESCE(MAX(issued_at), 0) FROM ledger_checkpoint",
			       -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_errf(q, err, "cannot read checkpoints");
	}
	*at = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/* --- transactions --- */

static bool sql_in_tx(void *impl)
{
	struct sql_ledger *q = impl;
	return sqlite3_get_autocommit(q->db) == 0;
}

static int sql_tx_begin(void *impl, char err[static LIA_ERR_MAX])
{
	return exec(impl, "BEGIN IMMEDIATE", err);
}

static int sql_tx_read(void *impl, char err[static LIA_ERR_MAX])
{
	/* Deferred: the snapshot is taken by the first read (WAL mode). */
	return exec(impl, "BEGIN DEFERRED", err);
}

static int sql_tx_commit(void *impl, char err[static LIA_ERR_MAX])
{
	return exec(impl, "COMMIT", err);
}

static void sql_tx_rollback(void *impl)
{
	char ignore[LIA_ERR_MAX];
	(void)exec(impl, "ROLLBACK", ignore);
}

static void sql_batch_end(void *impl)
{
	struct sql_ledger *q = impl;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_reset(q->st[i]);
}

static const struct lia_ledger_storage_ops sql_ops = {
	.destroy = sql_destroy,
	.exists = sql_exists,
	.create = sql_create,
	.meta_get = sql_meta_get,
	.ready = sql_ready,
	.size = sql_size,
	.hash_get = sql_hash_get,
	.insert = sql_insert,
	.record_get = sql_record_get,
	.cursor_open = sql_cursor_open,
	.cursor_next = sql_cursor_next,
	.cursor_close = sql_cursor_close,
	.cp_latest = sql_cp_latest,
	.cp_get = sql_cp_get,
	.cp_put = sql_cp_put,
	.cp_each = sql_cp_each,
	.cp_last_issued = sql_cp_last_issued,
	.in_tx = sql_in_tx,
	.tx_begin = sql_tx_begin,
	.tx_read = sql_tx_read,
	.tx_commit = sql_tx_commit,
	.tx_rollback = sql_tx_rollback,
	.batch_end = sql_batch_end,
};

/* --- opening --- */

static struct lia_ledger *open_db(sqlite3 *db, bool owns_db, const char *origin,
				  char err[static LIA_ERR_MAX])
{
	struct sql_ledger *q = calloc(1, sizeof *q);
	if (q == NULL) {
		if (owns_db)
			sqlite3_close(db);
		lia_errf(err, "ledger: out of memory");
		return NULL;
	}
	q->db = db;
	q->owns_db = owns_db;
	return lia_ledger_open_storage(&sql_ops, q, origin, err);
}

struct lia_ledger *lia_ledger_open(sqlite3 *db, const char *origin, char err[static LIA_ERR_MAX])
{
	return open_db(db, false, origin, err);
}

struct lia_ledger *lia_ledger_open_file(const char *path, const char *origin, unsigned flags,
					char err[static LIA_ERR_MAX])
{
	sqlite3 *db = NULL;
	int oflags = (flags & LIA_LEDGER_READONLY) ? SQLITE_OPEN_READONLY
						   : SQLITE_OPEN_READWRITE |
							     ((flags & LIA_LEDGER_CREATE)
								      ? SQLITE_OPEN_CREATE
								      : 0);
	oflags |= SQLITE_OPEN_NOFOLLOW;
	if (sqlite3_open_v2(path, &db, oflags, NULL) != SQLITE_OK) {
		lia_errf(err, "cannot open ledger \"%s\": %s", path,
			 db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	sqlite3_extended_result_codes(db, 1);
	if (!(flags & LIA_LEDGER_READONLY)) {
		char *msg = NULL;
		if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
				 &msg) != SQLITE_OK) {
			lia_errf(err, "cannot set up ledger \"%s\": %s", path,
				 msg ? msg : sqlite3_errmsg(db));
			sqlite3_free(msg);
			sqlite3_close(db);
			return NULL;
		}
	}
	struct lia_ledger *l = open_db(db, true, (flags & LIA_LEDGER_CREATE) ? origin : NULL, err);
	if (l == NULL)
		return NULL;
	if (origin != NULL && strcmp(origin, lia_ledger_origin(l)) != 0) {
		lia_errf(err, "ledger \"%s\" has origin \"%.64s\", not \"%.64s\"", path,
			 lia_ledger_origin(l), origin);
		lia_ledger_destroy(&l);
		return NULL;
	}
	return l;
}

sqlite3 *lia_ledger_db(struct lia_ledger *l)
{
	struct sql_ledger *q = lia_ledger_storage(l, &sql_ops);
	return q ? q->db : NULL;
}
