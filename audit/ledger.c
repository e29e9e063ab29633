/*
 * ledger.c — the Merkle log in SQLite (see ledger.h for the storage
 * layout and the transaction rules).
 *
 * In memory we keep only prepared statements and, during a batch, the
 * frontier (the right edge of the tree, at most 63 hashes). Everything
 * else is read on demand: a complete aligned subtree (level L, index k)
 * is stored in the row of its last leaf, seq = (k + 1) * 2^L - 1, at
 * offset (L - 1) * 32 of the nodes column (level 0 is the leaf column).
 *
 * Cost: an append is one protobuf pack, one SHA-256 of the record, one
 * node hash on average and one INSERT. A proof is at most ~2 log2(n)
 * primary-key reads. A full verify is one sequential scan.
 */
#include "ledger.h"

#include <assert.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct lia_ledger {
	sqlite3 *db;
	bool owns_db;
	char origin[LIA_NOTE_NAME_MAX];
	sqlite3_stmt *st[ST_COUNT];
	bool in_batch;
	struct lia_merkle_frontier frontier; /* valid while in_batch */
	char cb_err[LIA_ERR_MAX];            /* failure inside a merkle callback */
	uint8_t enc[LIA_RECORD_MAX_BYTES];   /* the record being appended, encoded */
};

static int db_errf(struct lia_ledger *l, char err[static LIA_ERR_MAX], const char *what)
{
	return lia_errf(err, "ledger: %s: %s", what, sqlite3_errmsg(l->db));
}

static void stmt_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Run SQL without results. */
static int exec(struct lia_ledger *l, const char *sql, char err[static LIA_ERR_MAX])
{
	char *msg = NULL;
	if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		lia_errf(err, "ledger: %s", msg ? msg : sqlite3_errmsg(l->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int table_exists(struct lia_ledger *l, const char *name, bool *exists,
			char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return db_errf(l, err, "cannot read the schema");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_errf(l, err, "cannot read the schema");
	*exists = rc == SQLITE_ROW;
	return 0;
}

static int meta_get(struct lia_ledger *l, const char *key, char *out, size_t cap,
		    char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT value FROM ledger_meta WHERE key = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_errf(l, err, "cannot read ledger_meta");
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc == SQLITE_DONE)
			return lia_errf(err, "ledger: ledger_meta has no \"%s\"", key);
		return db_errf(l, err, "cannot read ledger_meta");
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

static int create_schema(struct lia_ledger *l, const char *origin, char err[static LIA_ERR_MAX])
{
	/* A savepoint works both inside and outside the caller's transaction. */
	if (exec(l, "SAVEPOINT lia_ledger_create", err) != 0)
		return -1;
	if (exec(l, schema_sql, err) != 0)
		goto fail;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(l->db,
			       "INSERT OR IGNORE INTO ledger_meta(key, value) VALUES "
			       "('schema', ?1), ('origin', ?2)",
			       -1, &s, NULL) != SQLITE_OK) {
		db_errf(l, err, "cannot write ledger_meta");
		goto fail;
	}
	sqlite3_bind_int(s, 1, LIA_LEDGER_SCHEMA_VERSION);
	sqlite3_bind_text(s, 2, origin, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		db_errf(l, err, "cannot write ledger_meta");
		goto fail;
	}
	return exec(l, "RELEASE lia_ledger_create", err);
fail:;
	char ignore[LIA_ERR_MAX];
	(void)exec(l, "ROLLBACK TO lia_ledger_create; RELEASE lia_ledger_create", ignore);
	return -1;
}

struct lia_ledger *lia_ledger_open(sqlite3 *db, const char *origin, char err[static LIA_ERR_MAX])
{
	if (origin != NULL && !lia_note_name_valid(origin)) {
		lia_errf(err, "ledger origin \"%.64s\" is not valid: want 1-255 printable "
			      "characters without space or '+'", origin);
		return NULL;
	}
	struct lia_ledger *l = calloc(1, sizeof *l);
	if (l == NULL) {
		lia_errf(err, "ledger: out of memory");
		return NULL;
	}
	l->db = db;
	bool exists = false;
	if (table_exists(l, "ledger_record", &exists, err) != 0)
		goto fail;
	if (!exists) {
		if (origin == NULL) {
			lia_errf(err, "not a liaison ledger: no table ledger_record");
			goto fail;
		}
		if (create_schema(l, origin, err) != 0)
			goto fail;
	}
	char schema[16];
	if (meta_get(l, "schema", schema, sizeof schema, err) != 0 ||
	    meta_get(l, "origin", l->origin, sizeof l->origin, err) != 0)
		goto fail;
	if (strcmp(schema, "1") != 0) {
		lia_errf(err, "ledger schema version \"%s\" is not supported (want %d)", schema,
			 LIA_LEDGER_SCHEMA_VERSION);
		goto fail;
	}
	if (!lia_note_name_valid(l->origin)) {
		lia_errf(err, "ledger origin stored in ledger_meta is not valid");
		goto fail;
	}
	if (origin != NULL && strcmp(origin, l->origin) != 0) {
		lia_errf(err, "ledger has origin \"%.64s\", not \"%.64s\"", l->origin, origin);
		goto fail;
	}
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &l->st[i],
				       NULL) != SQLITE_OK) {
			db_errf(l, err, "cannot prepare a statement (is the schema damaged?)");
			goto fail;
		}
	}
	return l;
fail:
	lia_ledger_destroy(&l);
	return NULL;
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
	struct lia_ledger *l = lia_ledger_open(db, (flags & LIA_LEDGER_CREATE) ? origin : NULL, err);
	if (l == NULL) {
		sqlite3_close(db);
		return NULL;
	}
	if (origin != NULL && strcmp(origin, l->origin) != 0) {
		lia_errf(err, "ledger \"%s\" has origin \"%.64s\", not \"%.64s\"", path, l->origin,
			 origin);
		lia_ledger_destroy(&l);
		sqlite3_close(db);
		return NULL;
	}
	l->owns_db = true;
	return l;
}

void lia_ledger_destroy(struct lia_ledger **lp)
{
	if (lp == NULL || *lp == NULL)
		return;
	struct lia_ledger *l = *lp;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(l->st[i]);
	if (l->owns_db)
		sqlite3_close(l->db);
	free(l);
	*lp = NULL;
}

sqlite3 *lia_ledger_db(struct lia_ledger *l) { return l->db; }
const char *lia_ledger_origin(const struct lia_ledger *l) { return l->origin; }

/* --- reading subtrees --- */

/* lia_merkle_get_fn over the ledger_record table. */
static int node_get(void *ctx, unsigned level, uint64_t index, lia_merkle_hash out)
{
	struct lia_ledger *l = ctx;
	if (level > 62 || index > ((uint64_t)INT64_MAX >> level)) {
		lia_errf(l->cb_err, "ledger: subtree (%u, %" PRIu64 ") out of range", level, index);
		return -1;
	}
	uint64_t last = ((index + 1) << level) - 1;
	sqlite3_stmt *s = l->st[ST_NODE];
	sqlite3_bind_int64(s, 1, (sqlite3_int64)last);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			lia_errf(l->cb_err, "ledger: record %" PRIu64 " is missing", last);
		else
			lia_errf(l->cb_err, "ledger: cannot read record %" PRIu64 ": %s", last,
				 sqlite3_errmsg(l->db));
		stmt_done(s);
		return -1;
	}
	int col = level == 0 ? 0 : 1;
	const uint8_t *b = sqlite3_column_blob(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	size_t off = level == 0 ? 0 : (size_t)(level - 1) * LIA_MERKLE_HASH_BYTES;
	if (b == NULL || n < off + LIA_MERKLE_HASH_BYTES) {
		lia_errf(l->cb_err, "ledger: stored hashes of record %" PRIu64 " are damaged", last);
		stmt_done(s);
		return -1;
	}
	memcpy(out, b + off, LIA_MERKLE_HASH_BYTES);
	stmt_done(s);
	return 0;
}

int lia_ledger_size(struct lia_ledger *l, uint64_t *size, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *s = l->st[ST_SIZE];
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		db_errf(l, err, "cannot count records");
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

int lia_ledger_root(struct lia_ledger *l, uint64_t size, uint8_t root[static 32],
		    char err[static LIA_ERR_MAX])
{
	uint64_t have = 0;
	if (lia_ledger_size(l, &have, err) != 0)
		return -1;
	if (size > have)
		return lia_errf(err, "ledger has %" PRIu64 " records, not %" PRIu64, have, size);
	if (lia_merkle_root(root, size, node_get, l) != 0)
		return lia_errf(err, "%s", l->cb_err);
	return 0;
}

/* --- appending --- */

uint64_t lia_ledger_next_seq(const struct lia_ledger *l)
{
	assert(l->in_batch);
	return l->frontier.size;
}

int lia_ledger_batch_begin(struct lia_ledger *l, char err[static LIA_ERR_MAX])
{
	l->in_batch = false;
	if (sqlite3_get_autocommit(l->db))
		return lia_errf(err, "ledger: appends must run inside the caller's transaction");
	uint64_t size = 0;
	if (lia_ledger_size(l, &size, err) != 0)
		return -1;
	if (lia_merkle_frontier_load(&l->frontier, size, node_get, l) != 0)
		return lia_errf(err, "%s", l->cb_err);
	l->in_batch = true;
	return 0;
}

static int insert_leaf(struct lia_ledger *l, const uint8_t *rec, size_t len,
		       char err[static LIA_ERR_MAX])
{
	lia_merkle_hash leaf;
	lia_merkle_hash done[63];
	unsigned n_done = 0;
	uint64_t seq = l->frontier.size;
	if (seq >= LIA_MERKLE_SIZE_MAX)
		return lia_errf(err, "ledger is full");
	lia_merkle_leaf_hash(leaf, rec, len);
	lia_merkle_frontier_push(&l->frontier, leaf, done, &n_done);

	sqlite3_stmt *s = l->st[ST_INSERT];
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	sqlite3_bind_blob(s, 2, rec, (int)len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, leaf, sizeof leaf, SQLITE_STATIC);
	/* A zero-length blob, not NULL, for leaves that complete nothing. */
	static const uint8_t none[1] = {0};
	sqlite3_bind_blob(s, 4, n_done ? (const void *)done : none,
			  (int)(n_done * LIA_MERKLE_HASH_BYTES), SQLITE_STATIC);
	int rc = sqlite3_step(s);
	/* Every parameter is bound again on the next append: reset only. */
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		/* The frontier is now ahead of the table: end the batch, so that
		 * nothing appends until batch_begin reloads it. */
		l->in_batch = false;
		return lia_errf(err, "ledger: cannot append record %" PRIu64 ": %s", seq,
				sqlite3_errmsg(l->db));
	}
	return 0;
}

int lia_ledger_append(struct lia_ledger *l, struct lia_record *r, char err[static LIA_ERR_MAX])
{
	if (!l->in_batch)
		return lia_errf(err, "ledger: append outside a batch (or after a failed append)");
	r->seq = l->frontier.size;
	size_t len = 0;
	if (lia_record_encode_buf(r, l->enc, sizeof l->enc, &len, err) != 0) {
		l->in_batch = false;
		return -1;
	}
	return insert_leaf(l, l->enc, len, err);
}

int lia_ledger_append_encoded(struct lia_ledger *l, const uint8_t *rec, size_t len,
			      char err[static LIA_ERR_MAX])
{
	if (!l->in_batch)
		return lia_errf(err, "ledger: append outside a batch (or after a failed append)");
	uint64_t seq = 0;
	bool has_mid = false;
	uint8_t mid[LIA_ID_BYTES];
	char why[LIA_ERR_MAX];
	if (lia_record_check(rec, len, &seq, &has_mid, mid, why) != 0) {
		l->in_batch = false;
		return lia_errf(err, "record %" PRIu64 ": %s", l->frontier.size, why);
	}
	if (seq != l->frontier.size) {
		l->in_batch = false;
		return lia_errf(err, "record %" PRIu64 " carries sequence number %" PRIu64,
				l->frontier.size, seq);
	}
	return insert_leaf(l, rec, len, err);
}

void lia_ledger_batch_end(struct lia_ledger *l)
{
	l->in_batch = false;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_reset(l->st[i]);
}

int lia_ledger_append_all(struct lia_ledger *l, struct lia_record *recs, size_t n,
			  char err[static LIA_ERR_MAX])
{
	if (exec(l, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	if (lia_ledger_batch_begin(l, err) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (lia_ledger_append(l, &recs[i], err) != 0)
			goto fail;
	}
	lia_ledger_batch_end(l);
	if (exec(l, "COMMIT", err) != 0)
		goto fail;
	return 0;
fail:
	lia_ledger_batch_end(l);
	char ignore[LIA_ERR_MAX];
	(void)exec(l, "ROLLBACK", ignore);
	return -1;
}

/* --- reading records --- */

int lia_ledger_get_encoded(struct lia_ledger *l, uint64_t seq, uint8_t **out, size_t *len,
			   char err[static LIA_ERR_MAX])
{
	*out = NULL;
	*len = 0;
	if (seq > (uint64_t)INT64_MAX)
		return lia_errf(err, "ledger: sequence number out of range");
	sqlite3_stmt *s = l->st[ST_GET];
	sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			lia_errf(err, "ledger has no record %" PRIu64, seq);
		else
			db_errf(l, err, "cannot read a record");
		stmt_done(s);
		return -1;
	}
	const void *b = sqlite3_column_blob(s, 0);
	int n = sqlite3_column_bytes(s, 0);
	if (n <= 0 || (size_t)n > LIA_RECORD_MAX_BYTES || b == NULL) {
		stmt_done(s);
		return lia_errf(err, "ledger record %" PRIu64 " is empty or too large", seq);
	}
	uint8_t *buf = malloc((size_t)n);
	if (buf == NULL) {
		stmt_done(s);
		return lia_errf(err, "ledger: out of memory");
	}
	memcpy(buf, b, (size_t)n);
	stmt_done(s);
	*out = buf;
	*len = (size_t)n;
	return 0;
}

int lia_ledger_get(struct lia_ledger *l, uint64_t seq, struct lia_record *out,
		   char err[static LIA_ERR_MAX])
{
	uint8_t *b = NULL;
	size_t n = 0;
	if (lia_ledger_get_encoded(l, seq, &b, &n, err) != 0)
		return -1;
	char why[LIA_ERR_MAX];
	int rc = lia_record_decode(out, b, n, why);
	free(b);
	if (rc != 0)
		return lia_errf(err, "ledger record %" PRIu64 " cannot be read: %s", seq, why);
	if (out->seq != seq)
		return lia_errf(err, "ledger record %" PRIu64 " carries sequence number %" PRIu64, seq,
				out->seq);
	return 0;
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
	for (size_t i = 0; i + k <= n; i++) {
		if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0)
			return true;
	}
	return false;
}

static bool agency_of(const char *subject, const char *agency)
{
	size_t n = strlen(agency);
	return strncmp(subject, agency, n) == 0 && subject[n] == '/';
}

static bool filter_match(const struct lia_ledger_filter *f, const struct lia_record *r)
{
	if (f->has_message_id &&
	    (!r->has_message_id || memcmp(f->message_id, r->message_id, LIA_ID_BYTES) != 0))
		return false;
	if (f->originator && strcmp(f->originator, r->originator) != 0)
		return false;
	if (f->actor && strcmp(f->actor, r->actor.subject) != 0)
		return false;
	if (f->recipient && strcmp(f->recipient, r->recipient.subject) != 0)
		return false;
	if (f->agency && strcmp(f->agency, r->actor.agency) != 0 &&
	    strcmp(f->agency, r->recipient.agency) != 0 && !agency_of(r->originator, f->agency) &&
	    !agency_of(r->actor.subject, f->agency) && !agency_of(r->recipient.subject, f->agency))
		return false;
	if (f->ops && !(f->ops & (1u << r->op)))
		return false;
	if (f->has_decision && f->decision != r->decision)
		return false;
	if (f->since && r->time < f->since)
		return false;
	if (f->until && r->time >= f->until)
		return false;
	return true;
}

int lia_ledger_query(struct lia_ledger *l, const struct lia_ledger_filter *f,
		     lia_ledger_each_fn fn, void *ctx, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *s = NULL;
	/* With a range, only those rows, by primary key; else one scan. */
	const char *sql = f->seq_to > 0 ? "SELECT seq, record FROM ledger_record "
					  "WHERE seq >= ?1 AND seq < ?2 ORDER BY seq"
					: "SELECT seq, record FROM ledger_record ORDER BY seq";
	if (sqlite3_prepare_v2(l->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_errf(l, err, "cannot query records");
	if (f->seq_to > 0) {
		sqlite3_bind_int64(s, 1, (sqlite3_int64)(f->seq_from & INT64_MAX));
		sqlite3_bind_int64(s, 2, (sqlite3_int64)(f->seq_to & INT64_MAX));
	}
	struct lia_record *r = malloc(sizeof *r);
	if (r == NULL) {
		sqlite3_finalize(s);
		return lia_errf(err, "ledger: out of memory");
	}
	int ret = 0;
	uint64_t matched = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 seq = sqlite3_column_int64(s, 0);
		const uint8_t *b = sqlite3_column_blob(s, 1);
		int n = sqlite3_column_bytes(s, 1);
		char why[LIA_ERR_MAX];
		/* A record that lacks the 16 bytes of the wanted id cannot match:
		 * skip it without decoding (a chance match is decoded and
		 * filtered like any other record). */
		if (f->has_message_id && b != NULL && n > 0 &&
		    !contains(b, (size_t)n, f->message_id, LIA_ID_BYTES))
			continue;
		if (b == NULL || n <= 0 || lia_record_decode(r, b, (size_t)n, why) != 0) {
			ret = lia_errf(err, "ledger record %lld cannot be read (run verify): %s",
				       (long long)seq, b == NULL ? "empty" : why);
			break;
		}
		if (!filter_match(f, r))
			continue;
		if (fn(ctx, r) != 0)
			break;
		if (f->limit && ++matched >= f->limit)
			break;
	}
	if (ret == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = db_errf(l, err, "cannot query records");
	free(r);
	sqlite3_finalize(s);
	return ret;
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

static int cp_latest(struct lia_ledger *l, uint64_t *size, char **note, size_t *len,
		     char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *s = l->st[ST_CP_LATEST];
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		stmt_done(s);
		return 1;
	}
	if (rc != SQLITE_ROW) {
		stmt_done(s);
		return db_errf(l, err, "cannot read checkpoints");
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

int lia_ledger_checkpoint_latest(struct lia_ledger *l, uint64_t *size, char **note, size_t *len,
				 char err[static LIA_ERR_MAX])
{
	*note = NULL;
	*len = 0;
	*size = 0;
	return cp_latest(l, size, note, len, err);
}

int lia_ledger_checkpoint_get(struct lia_ledger *l, uint64_t size, char **note, size_t *len,
			      char err[static LIA_ERR_MAX])
{
	*note = NULL;
	*len = 0;
	if (size > (uint64_t)INT64_MAX)
		return 1;
	sqlite3_stmt *s = l->st[ST_CP_GET];
	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		stmt_done(s);
		return 1;
	}
	if (rc != SQLITE_ROW) {
		stmt_done(s);
		return db_errf(l, err, "cannot read checkpoints");
	}
	const unsigned char *t = sqlite3_column_text(s, 0);
	int n = sqlite3_column_bytes(s, 0);
	if (t == NULL || n <= 0 || n > LIA_NOTE_MAX_BYTES) {
		stmt_done(s);
		return lia_errf(err, "ledger: checkpoint row %" PRIu64 " is damaged", size);
	}
	return note_copy(s, t, n, note, len, err);
}

int lia_ledger_checkpoint_list(struct lia_ledger *l, uint64_t **sizes, size_t *n,
			       char err[static LIA_ERR_MAX])
{
	*sizes = NULL;
	*n = 0;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT size FROM ledger_checkpoint ORDER BY size", -1, &s,
			       NULL) != SQLITE_OK)
		return db_errf(l, err, "cannot read checkpoints");
	size_t cap = 0, len = 0;
	uint64_t *v = NULL;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (len == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			uint64_t *nv = realloc(v, ncap * sizeof *v);
			if (nv == NULL) {
				free(v);
				sqlite3_finalize(s);
				return lia_errf(err, "ledger: out of memory");
			}
			v = nv;
			cap = ncap;
		}
		v[len++] = (uint64_t)sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return db_errf(l, err, "cannot read checkpoints");
	}
	*sizes = v;
	*n = len;
	return 0;
}

static int cp_insert(struct lia_ledger *l, uint64_t size, int64_t issued_at, const char *note,
		     size_t len, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *s = l->st[ST_CP_INSERT];
	sqlite3_bind_int64(s, 1, (sqlite3_int64)size);
	sqlite3_bind_int64(s, 2, issued_at);
	sqlite3_bind_text(s, 3, note, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	stmt_done(s);
	if (rc != SQLITE_DONE)
		return db_errf(l, err, "cannot store checkpoint");
	return 0;
}

int lia_ledger_checkpoint_store(struct lia_ledger *l, const char *note, size_t len,
				int64_t issued_at, char err[static LIA_ERR_MAX])
{
	size_t split = lia_note_split(note, len);
	if (split != len)
		return lia_errf(err, "checkpoint is not one signed note");
	/* The text is everything before the first blank line. */
	const char *blank = NULL;
	for (size_t i = 0; i + 1 < len; i++) {
		if (note[i] == '\n' && note[i + 1] == '\n') {
			blank = note + i;
			break;
		}
	}
	struct lia_checkpoint c;
	if (blank == NULL || lia_checkpoint_parse(&c, note, (size_t)(blank - note) + 1, err) != 0)
		return -1;
	if (strcmp(c.origin, l->origin) != 0)
		return lia_errf(err, "checkpoint is for log \"%.64s\", not \"%.64s\"", c.origin,
				l->origin);
	return cp_insert(l, c.size, issued_at, note, len, err);
}

static int cp_root_of_note(const char *note, size_t len, struct lia_checkpoint *c,
			   char err[static LIA_ERR_MAX])
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (note[i] == '\n' && note[i + 1] == '\n')
			return lia_checkpoint_parse(c, note, i + 1, err);
	}
	return lia_errf(err, "stored checkpoint is not a signed note");
}

/* Sign and store a checkpoint of the committed log. Runs in a
 * transaction of its own, refused if the caller holds one. */
static int checkpoint_issue(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
			    bool only_if_due, uint64_t every_records, int64_t every_seconds,
			    bool *issued, struct lia_checkpoint *out, char err[static LIA_ERR_MAX])
{
	*issued = false;
	if (key == NULL || key->purpose != LIA_KEY_SIGN || key->sk_len != 64 || key->sk == NULL)
		return lia_errf(err, "ledger: checkpoints need an Ed25519 signing key");
	if (!sqlite3_get_autocommit(l->db))
		return lia_errf(err, "ledger: checkpoints are signed outside any transaction, "
				     "over committed records only");
	if (exec(l, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	char *prev = NULL;
	size_t prev_len = 0;
	uint64_t prev_size = 0;
	uint64_t size = 0;
	if (lia_ledger_size(l, &size, err) != 0)
		goto fail;
	int rc = cp_latest(l, &prev_size, &prev, &prev_len, err);
	if (rc < 0)
		goto fail;
	bool have_prev = rc == 0;
	struct lia_checkpoint c;
	memset(&c, 0, sizeof c);
	if (have_prev) {
		struct lia_checkpoint p;
		uint8_t root[32];
		if (cp_root_of_note(prev, prev_len, &p, err) != 0)
			goto fail;
		if (prev_size > size) {
			lia_errf(err, "ledger has %" PRIu64 " records but its latest checkpoint "
				      "covers %" PRIu64 ": the log was truncated; refusing to sign",
				 size, prev_size);
			goto fail;
		}
		if (lia_merkle_root(root, prev_size, node_get, l) != 0) {
			lia_errf(err, "%s", l->cb_err);
			goto fail;
		}
		if (p.size != prev_size || memcmp(root, p.root, 32) != 0) {
			lia_errf(err, "ledger no longer matches its checkpoint at size %" PRIu64
				      "; refusing to sign a fork (run liaison-audit verify)",
				 prev_size);
			goto fail;
		}
		if (prev_size == size) {
			if (out)
				*out = p;
			free(prev);
			return exec(l, "COMMIT", err);
		}
	}
	if (size == 0) {
		lia_errf(err, "ledger is empty: nothing to checkpoint");
		goto fail;
	}
	if (only_if_due) {
		uint64_t grown = size - (have_prev ? prev_size : 0);
		bool by_count = every_records != 0 && grown >= every_records;
		bool by_time = false;
		if (every_seconds > 0) {
			sqlite3_stmt *s = NULL;
			int64_t last = 0;
			if (sqlite3_prepare_v2(l->db,
					       "SELECT COALESCE(MAX(issued_at), 0) FROM ledger_checkpoint",
					       -1, &s, NULL) != SQLITE_OK ||
			    sqlite3_step(s) != SQLITE_ROW) {
				sqlite3_finalize(s);
				db_errf(l, err, "cannot read checkpoints");
				goto fail;
			}
			last = sqlite3_column_int64(s, 0);
			sqlite3_finalize(s);
			by_time = now - last >= every_seconds;
		}
		if (!by_count && !by_time) {
			free(prev);
			return exec(l, "COMMIT", err);
		}
	}
	memcpy(c.origin, l->origin, sizeof c.origin);
	c.size = size;
	if (lia_merkle_root(c.root, size, node_get, l) != 0) {
		lia_errf(err, "%s", l->cb_err);
		goto fail;
	}
	char *note = NULL;
	size_t note_len = 0;
	if (lia_checkpoint_sign(&note, &note_len, &c, key->sk, err) != 0)
		goto fail;
	rc = cp_insert(l, size, now, note, note_len, err);
	free(note);
	if (rc != 0)
		goto fail;
	if (exec(l, "COMMIT", err) != 0)
		goto fail;
	free(prev);
	*issued = true;
	if (out)
		*out = c;
	return 0;
fail:
	free(prev);
	char ignore[LIA_ERR_MAX];
	(void)exec(l, "ROLLBACK", ignore);
	return -1;
}

int lia_ledger_checkpoint(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
			  struct lia_checkpoint *out, char err[static LIA_ERR_MAX])
{
	bool issued = false;
	return checkpoint_issue(l, key, now, false, 0, 0, &issued, out, err);
}

int lia_ledger_checkpoint_maybe(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
				uint64_t every_records, int64_t every_seconds, bool *issued,
				char err[static LIA_ERR_MAX])
{
	uint64_t size = 0;
	*issued = false;
	if (lia_ledger_size(l, &size, err) != 0)
		return -1;
	if (size == 0)
		return 0;
	return checkpoint_issue(l, key, now, true, every_records, every_seconds, issued, NULL, err);
}

/* --- proofs --- */

int lia_ledger_inclusion_proof(struct lia_ledger *l, uint64_t index, uint64_t size,
			       struct lia_merkle_proof *proof, char err[static LIA_ERR_MAX])
{
	proof->n = 0;
	uint64_t have = 0;
	if (lia_ledger_size(l, &have, err) != 0)
		return -1;
	if (size > have)
		return lia_errf(err, "ledger has %" PRIu64 " records, not %" PRIu64, have, size);
	if (index >= size)
		return lia_errf(err, "record %" PRIu64 " is not in a tree of %" PRIu64 " records",
				index, size);
	l->cb_err[0] = '\0';
	if (lia_merkle_inclusion_proof(proof, index, size, node_get, l) != 0)
		return lia_errf(err, "cannot build inclusion proof: %s", l->cb_err);
	return 0;
}

int lia_ledger_consistency_proof(struct lia_ledger *l, uint64_t m, uint64_t n,
				 struct lia_merkle_proof *proof, char err[static LIA_ERR_MAX])
{
	proof->n = 0;
	uint64_t have = 0;
	if (lia_ledger_size(l, &have, err) != 0)
		return -1;
	if (m > n || n > have)
		return lia_errf(err, "no consistency proof from %" PRIu64 " to %" PRIu64
				     " records in a log of %" PRIu64, m, n, have);
	l->cb_err[0] = '\0';
	if (lia_merkle_consistency_proof(proof, m, n, node_get, l) != 0)
		return lia_errf(err, "cannot build consistency proof: %s", l->cb_err);
	return 0;
}

/* --- verification --- */

/* A checkpoint to check during the scan, stored or extra. */
struct vcp {
	uint64_t size;
	uint8_t root[32];
	bool extra;
};

static int vcp_cmp(const void *a, const void *b)
{
	const struct vcp *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return (int)x->extra - (int)y->extra;
}

#define VERIFY_FAIL(...)                                                                  \
	do {                                                                              \
		lia_errf(res->what, __VA_ARGS__);                                         \
		verdict = LIA_LEDGER_INVALID;                                             \
		goto done;                                                                \
	} while (0)

/* Check one checkpoint's signature and add it to the list. row_size is
 * the stored row's key (stored) or 0 with index i_extra (given). */
static enum lia_ledger_verdict add_checkpoint(struct vcp **cps, size_t *n, size_t *cap,
					      const char *note, size_t len, bool is_extra,
					      uint64_t row_size, size_t i_extra,
					      const struct lia_note_verifier *v,
					      struct lia_ledger_verify_result *res)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;
		struct vcp *nv = realloc(*cps, ncap * sizeof *nv);
		if (nv == NULL) {
			lia_errf(res->what, "ledger: out of memory");
			return LIA_LEDGER_ERROR;
		}
		*cps = nv;
		*cap = ncap;
	}
	struct lia_checkpoint c;
	char why[LIA_ERR_MAX];
	if (lia_checkpoint_open(&c, note, len, v, why) != LIA_NOTE_OK) {
		res->has_bad_checkpoint = !is_extra;
		res->bad_checkpoint = row_size;
		if (is_extra)
			lia_errf(res->what, "given checkpoint %zu: %s", i_extra + 1, why);
		else
			lia_errf(res->what, "checkpoint at size %" PRIu64 ": %s", row_size, why);
		return LIA_LEDGER_INVALID;
	}
	if (!is_extra && c.size != row_size) {
		res->has_bad_checkpoint = true;
		res->bad_checkpoint = row_size;
		lia_errf(res->what, "checkpoint row at size %" PRIu64 " holds a checkpoint of size "
				    "%" PRIu64, row_size, c.size);
		return LIA_LEDGER_INVALID;
	}
	(*cps)[*n].size = c.size;
	memcpy((*cps)[*n].root, c.root, 32);
	(*cps)[*n].extra = is_extra;
	(*n)++;
	return LIA_LEDGER_VALID;
}

/* Load every checkpoint, stored and given, check its signature, and sort
 * them by size. */
static enum lia_ledger_verdict load_checkpoints(struct lia_ledger *l,
						const struct lia_note_verifier *v,
						const struct lia_ledger_note *extra, size_t n_extra,
						struct vcp **out, size_t *n_out,
						struct lia_ledger_verify_result *res)
{
	enum lia_ledger_verdict verdict = LIA_LEDGER_VALID;
	struct vcp *cps = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT size, note FROM ledger_checkpoint ORDER BY size", -1,
			       &s, NULL) != SQLITE_OK) {
		lia_errf(res->what, "ledger: cannot read checkpoints: %s", sqlite3_errmsg(l->db));
		return LIA_LEDGER_ERROR;
	}
	int rc = SQLITE_DONE;
	while (verdict == LIA_LEDGER_VALID && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 sz = sqlite3_column_int64(s, 0);
		const char *note = (const char *)sqlite3_column_text(s, 1);
		int nb = sqlite3_column_bytes(s, 1);
		if (sz < 0 || note == NULL || nb <= 0) {
			res->has_bad_checkpoint = true;
			res->bad_checkpoint = (uint64_t)sz;
			lia_errf(res->what, "checkpoint row at size %lld is empty or damaged",
				 (long long)sz);
			verdict = LIA_LEDGER_INVALID;
			break;
		}
		verdict = add_checkpoint(&cps, &n, &cap, note, (size_t)nb, false, (uint64_t)sz, 0, v,
					 res);
	}
	if (verdict == LIA_LEDGER_VALID && rc != SQLITE_DONE) {
		lia_errf(res->what, "ledger: cannot read checkpoints: %s", sqlite3_errmsg(l->db));
		verdict = LIA_LEDGER_ERROR;
	}
	sqlite3_finalize(s);
	for (size_t i = 0; verdict == LIA_LEDGER_VALID && i < n_extra; i++)
		verdict = add_checkpoint(&cps, &n, &cap, extra[i].note, extra[i].len, true, 0, i, v,
					 res);
	if (verdict != LIA_LEDGER_VALID) {
		free(cps);
		cps = NULL;
		n = 0;
	} else if (n > 1) {
		qsort(cps, n, sizeof *cps, vcp_cmp);
	}
	*out = cps;
	*n_out = n;
	return verdict;
}

enum lia_ledger_verdict lia_ledger_verify(struct lia_ledger *l, const struct lia_note_verifier *v,
					  const struct lia_ledger_note *extra, size_t n_extra,
					  lia_ledger_progress_fn progress, void *progress_ctx,
					  struct lia_ledger_verify_result *res)
{
	memset(res, 0, sizeof *res);
	if (strcmp(v->name, l->origin) != 0) {
		lia_errf(res->what, "the key is for log \"%.64s\" but the ledger's origin is "
				    "\"%.64s\"", v->name, l->origin);
		return LIA_LEDGER_INVALID;
	}
	struct vcp *cps = NULL;
	size_t n_cps = 0, next_cp = 0;
	enum lia_ledger_verdict verdict = load_checkpoints(l, v, extra, n_extra, &cps, &n_cps, res);
	if (verdict != LIA_LEDGER_VALID)
		return verdict;

	uint64_t total = 0;
	char why[LIA_ERR_MAX];
	if (lia_ledger_size(l, &total, why) != 0) {
		lia_errf(res->what, "%s", why);
		free(cps);
		return LIA_LEDGER_ERROR;
	}
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(l->db,
			       "SELECT seq, record, leaf, nodes FROM ledger_record "
			       "ORDER BY seq",
			       -1, &s, NULL) != SQLITE_OK) {
		lia_errf(res->what, "ledger: cannot read records: %s", sqlite3_errmsg(l->db));
		free(cps);
		return LIA_LEDGER_ERROR;
	}
	struct lia_merkle_frontier f;
	lia_merkle_frontier_init(&f);
	uint64_t good_until = 0; /* records covered by a checkpoint that matched */
	uint64_t e = 0;
	int rc;
	for (;;) {
		/* Checkpoints at the current size: the tree of the first e records. */
		while (next_cp < n_cps && cps[next_cp].size == e) {
			lia_merkle_hash root;
			lia_merkle_frontier_root(&f, root);
			if (memcmp(root, cps[next_cp].root, 32) != 0) {
				res->has_bad_checkpoint = true;
				res->bad_checkpoint = e;
				res->has_bad_seq = true;
				res->bad_seq = good_until;
				VERIFY_FAIL("%s checkpoint at size %" PRIu64 " does not match the "
					    "records: one of records %" PRIu64 "..%" PRIu64
					    " was altered, or hashes were rewritten",
					    cps[next_cp].extra ? "given" : "stored", e, good_until,
					    e ? e - 1 : 0);
			}
			good_until = e;
			res->checkpoints++;
			next_cp++;
		}
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		sqlite3_int64 seq = sqlite3_column_int64(s, 0);
		res->has_bad_seq = true;
		res->bad_seq = e;
		if (seq < 0 || (uint64_t)seq != e)
			VERIFY_FAIL("record %" PRIu64 " is missing (the next stored record is %lld)",
				    e, (long long)seq);
		const uint8_t *rec = sqlite3_column_blob(s, 1);
		int rec_len = sqlite3_column_bytes(s, 1);
		if (rec == NULL || rec_len <= 0)
			VERIFY_FAIL("record %" PRIu64 " is empty", e);
		uint64_t rec_seq = 0;
		bool has_mid = false;
		uint8_t mid[LIA_ID_BYTES];
		if (lia_record_check(rec, (size_t)rec_len, &rec_seq, &has_mid, mid, why) != 0)
			VERIFY_FAIL("record %" PRIu64 " is not a valid record: %s", e, why);
		if (rec_seq != e)
			VERIFY_FAIL("record %" PRIu64 " carries sequence number %" PRIu64
				    " (records moved or swapped)", e, rec_seq);
		lia_merkle_hash leaf;
		lia_merkle_leaf_hash(leaf, rec, (size_t)rec_len);
		const uint8_t *stored_leaf = sqlite3_column_blob(s, 2);
		if (sqlite3_column_bytes(s, 2) != LIA_MERKLE_HASH_BYTES || stored_leaf == NULL ||
		    memcmp(stored_leaf, leaf, LIA_MERKLE_HASH_BYTES) != 0)
			VERIFY_FAIL("record %" PRIu64 ": stored leaf hash does not match the record "
				    "bytes (the record was altered)", e);
		lia_merkle_hash done[63];
		unsigned n_done = 0;
		lia_merkle_frontier_push(&f, leaf, done, &n_done);
		const uint8_t *nodes = sqlite3_column_blob(s, 3);
		int nodes_len = sqlite3_column_bytes(s, 3);
		if ((size_t)nodes_len != n_done * LIA_MERKLE_HASH_BYTES ||
		    (n_done && (nodes == NULL || memcmp(nodes, done, (size_t)nodes_len) != 0)))
			VERIFY_FAIL("record %" PRIu64 ": stored subtree hashes do not match the "
				    "records before it", e);
		res->has_bad_seq = false;
		e++;
		if (progress && (e & 8191) == 0)
			progress(progress_ctx, e, total);
	}
	if (rc != SQLITE_DONE) {
		lia_errf(res->what, "ledger: cannot read records: %s", sqlite3_errmsg(l->db));
		verdict = LIA_LEDGER_ERROR;
		goto done;
	}
	if (next_cp < n_cps) {
		res->has_bad_checkpoint = true;
		res->bad_checkpoint = cps[next_cp].size;
		res->has_bad_seq = true;
		res->bad_seq = e;
		VERIFY_FAIL("%s checkpoint at size %" PRIu64 " is beyond the end of the log (%" PRIu64
			    " records): records %" PRIu64 "..%" PRIu64 " were removed",
			    cps[next_cp].extra ? "given" : "stored", cps[next_cp].size, e, e,
			    cps[next_cp].size - 1);
	}
	if (progress)
		progress(progress_ctx, e, total);
done:
	res->size = e;
	sqlite3_finalize(s);
	free(cps);
	return verdict;
}
