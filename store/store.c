/*
 * store.c — SQLite implementation of the broker's store.
 *
 * Statements are prepared once and reused: the ingest path runs a few
 * inserts per message, and preparing them each time would cost more
 * than the inserts.
 */
#include "store.h"
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum {
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_MSG_FIND,
	Q_MSG_ADD,
	Q_MSG_ENV,
	Q_EXPIRED,
	Q_ERASE,
	Q_DEL_ADD,
	Q_PENDING,
	Q_PENDING_COUNT,
	Q_ACK_GET,
	Q_ACK_SET,
	Q_INBOX,
	Q_DELIVERY_OF,
	Q_ERASE_DUE,
	Q_ERASURES,
	Q_ERASE_DONE,
	Q_MSG_ENV_SET,
	Q_CONSENT_ADD,
	Q_CONSENT_GET,
	Q_CONSENT_SAME,
	Q_CONSENTS_OF,
	Q_CONSENTS_GRANTED,
	Q_CONSENT_RECENT,
	Q_CONSENT_ANSWER,
	Q_CONSENT_WAITING,
	Q_CONSENTS_PENDING_OF,
	Q_LEDGER_RANGES,
	Q_FEED_PUT,
	Q_FEED_DEL,
	Q_FEEDS_ALL,
	Q_FEEDS_ONE,
	Q_COUNT
};

#define CONSENT_COLS                                                                            \
	"SELECT id, message_id, originator, requested_by, grantee, purpose, state, requested_at, " \
	"answered_at, reason, disclosed, withheld, message_seq, signed FROM consents "

static const char *const sql[Q_COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_MSG_FIND] = "SELECT seq, originator, kind, created_at, received_at, expires_at, "
		       "recipients, withheld, erased_at FROM messages WHERE id = ?1",
	[Q_MSG_ADD] = "INSERT INTO messages (id, originator, kind, created_at, received_at, "
		      "expires_at, recipients, withheld, header, envelope, embargo_until, ledger_from, "
		      "ledger_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[Q_MSG_ENV] = "SELECT envelope FROM messages WHERE seq = ?1 AND envelope IS NOT NULL",
	[Q_EXPIRED] = "SELECT seq, id, originator, kind, created_at, received_at, expires_at, "
		      "recipients, withheld FROM messages WHERE expires_at > 0 AND expires_at <= ?1 "
		      "AND erased_at = 0 ORDER BY seq LIMIT ?2",
	[Q_ERASE] = "UPDATE messages SET envelope = NULL, erased_at = ?2 WHERE seq = ?1",
	[Q_DEL_ADD] = "INSERT INTO deliveries (message_seq, recipient, via) VALUES (?1, ?2, ?3)",
	[Q_PENDING] = "SELECT d.seq, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
		      "m.created_at, m.received_at, d.acked_at, m.erased_at, m.expires_at FROM deliveries d "
		      "JOIN messages m ON m.seq = d.message_seq WHERE d.recipient = ?1 AND d.seq > ?2 "
		      "AND d.acked_at = 0 AND m.erased_at = 0 AND (m.expires_at = 0 OR m.expires_at > ?4) "
		      "AND m.embargo_until <= ?4 ORDER BY d.seq LIMIT ?3",
	[Q_PENDING_COUNT] = "SELECT count(*) FROM deliveries d JOIN messages m ON m.seq = d.message_seq "
			    "WHERE d.recipient = ?1 AND d.acked_at = 0 AND m.erased_at = 0 "
			    "AND (m.expires_at = 0 OR m.expires_at > ?2) AND m.embargo_until <= ?2",
	[Q_ACK_GET] = "SELECT d.seq, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
		      "m.created_at, m.received_at, d.acked_at, m.erased_at, m.expires_at FROM deliveries d "
		      "JOIN messages m ON m.seq = d.message_seq WHERE d.seq = ?1 AND d.recipient = ?2",
	/* A copy acknowledged after its message was erased must be purged
	 * too: the erase notice becomes due with the acknowledgement. */
	[Q_ACK_SET] = "UPDATE deliveries SET acked_at = ?2, erase_due = ?3 WHERE seq = ?1 AND acked_at = 0",
	[Q_INBOX] = "SELECT d.seq, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
		    "m.created_at, m.received_at, d.acked_at, "
		    "CASE WHEN m.expires_at > 0 AND m.expires_at <= ?4 THEN 1 ELSE m.erased_at END, m.expires_at "
		    "FROM deliveries d JOIN messages m ON m.seq = d.message_seq WHERE d.recipient = ?1 "
		    "AND d.seq > ?2 AND m.embargo_until <= ?4 ORDER BY d.seq LIMIT ?3",
	[Q_DELIVERY_OF] = "SELECT d.seq, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
			  "m.created_at, m.received_at, d.acked_at, "
			  "CASE WHEN m.expires_at > 0 AND m.expires_at <= ?3 THEN 1 ELSE m.erased_at END, m.expires_at "
			  "FROM deliveries d JOIN messages m ON m.seq = d.message_seq WHERE d.recipient = ?1 "
			  "AND m.id = ?2 AND m.embargo_until <= ?3",
	/* Every recipient may hold a copy (one read with Fetch needs no
	 * acknowledgement): each is owed an erase notice. */
	[Q_ERASE_DUE] = "UPDATE deliveries SET erase_due = 1 WHERE message_seq = ?1",
	[Q_ERASURES] = "SELECT d.seq, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
		       "m.created_at, m.received_at, d.acked_at, m.erased_at, m.expires_at FROM deliveries d "
		       "JOIN messages m ON m.seq = d.message_seq WHERE d.recipient = ?1 AND d.seq > ?2 "
		       "AND d.erase_due = 1 AND ?4 = ?4 ORDER BY d.seq LIMIT ?3",
	[Q_ERASE_DONE] = "UPDATE deliveries SET erase_due = 0 WHERE seq = ?1 AND recipient = ?2 "
			 "AND erase_due = 1",
	[Q_MSG_ENV_SET] = "UPDATE messages SET envelope = ?2 WHERE seq = ?1 AND envelope IS NOT NULL",
	[Q_CONSENT_ADD] = "INSERT INTO consents (message_seq, message_id, originator, requested_by, "
			  "grantee, purpose, state, requested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)",
	[Q_CONSENT_GET] = CONSENT_COLS "WHERE id = ?1",
	[Q_CONSENT_SAME] = CONSENT_COLS "WHERE message_seq = ?1 AND requested_by = ?2 AND grantee = ?3",
	/* Newest first: what a principal asked, and what it must answer. */
	[Q_CONSENTS_OF] = CONSENT_COLS "WHERE (requested_by = ?1 OR originator = ?1 OR ?1 IS NULL) "
			  "AND (?2 = 0 OR id = ?2) AND (?4 = 0 OR id < ?4) ORDER BY id DESC LIMIT ?3",
	[Q_CONSENT_WAITING] = "SELECT count(*) FROM consents WHERE requested_by = ?1 AND state = 1",
	[Q_CONSENTS_GRANTED] = CONSENT_COLS "WHERE message_seq = ?1 AND state = 2 ORDER BY id LIMIT ?2",
	[Q_CONSENTS_PENDING_OF] = CONSENT_COLS "WHERE message_seq = ?1 AND state = 1 ORDER BY id LIMIT ?2",
	[Q_CONSENT_RECENT] = "SELECT count(*) FROM consents WHERE requested_by = ?1 AND requested_at > ?2",
	[Q_CONSENT_ANSWER] = "UPDATE consents SET state = ?2, answered_at = ?3, reason = ?4, signed = ?5, "
			     "disclosed = ?6, withheld = ?7, ledger_from = ?8, ledger_to = ?9 "
			     "WHERE id = ?1 AND state = 1",
	/* Where a message's disclosures are: its publication, and the
	 * answers of the consents granted for it. */
	[Q_LEDGER_RANGES] = "SELECT ledger_from, ledger_to FROM messages WHERE seq = ?1 AND ledger_to > 0 "
			    "UNION ALL SELECT ledger_from, ledger_to FROM consents WHERE message_seq = ?1 "
			    "AND state = 2 AND ledger_to > 0 ORDER BY 1",
	[Q_FEED_PUT] = "INSERT OR REPLACE INTO feeds (subscriber, name, kinds, regions, agencies, "
		       "eval_scheme, eval_source, eval_information, created_at) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[Q_FEED_DEL] = "DELETE FROM feeds WHERE subscriber = ?1 AND name = ?2",
	[Q_FEEDS_ALL] = "SELECT subscriber, name, kinds, regions, agencies, eval_scheme, eval_source, "
			"eval_information, created_at FROM feeds ORDER BY subscriber, name",
	[Q_FEEDS_ONE] = "SELECT subscriber, name, kinds, regions, agencies, eval_scheme, eval_source, "
			"eval_information, created_at FROM feeds WHERE subscriber = ?1 ORDER BY name",
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS messages ("
	" seq INTEGER PRIMARY KEY,"
	" id BLOB NOT NULL UNIQUE CHECK (length(id) = 16),"
	" originator TEXT NOT NULL,"
	" kind INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" received_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" recipients INTEGER NOT NULL,"
	" withheld INTEGER NOT NULL,"
	" header BLOB NOT NULL,"
	" envelope BLOB,"
	" erased_at INTEGER NOT NULL DEFAULT 0,"
	" embargo_until INTEGER NOT NULL DEFAULT 0,"
	/* The ledger records of its publication: [ledger_from, ledger_to). */
	" ledger_from INTEGER NOT NULL DEFAULT 0,"
	" ledger_to INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS messages_expiry ON messages (expires_at) WHERE expires_at > 0 AND erased_at = 0;"
	"CREATE TABLE IF NOT EXISTS deliveries ("
	" seq INTEGER PRIMARY KEY,"
	" message_seq INTEGER NOT NULL REFERENCES messages (seq),"
	" recipient TEXT NOT NULL,"
	" via TEXT NOT NULL,"
	" acked_at INTEGER NOT NULL DEFAULT 0,"
	" erase_due INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (message_seq, recipient));"
	"CREATE INDEX IF NOT EXISTS deliveries_recipient ON deliveries (recipient, seq);"
	"CREATE INDEX IF NOT EXISTS deliveries_erase ON deliveries (recipient, seq) WHERE erase_due = 1;"
	/* Onward dissemination requests; a refused one stays refused (one
	 * request per message, requester and grantee). signed: the
	 * originator's Consent, kept for auditors. */
	"CREATE TABLE IF NOT EXISTS consents ("
	" id INTEGER PRIMARY KEY,"
	" message_seq INTEGER NOT NULL REFERENCES messages (seq),"
	" message_id BLOB NOT NULL CHECK (length(message_id) = 16),"
	" originator TEXT NOT NULL,"
	" requested_by TEXT NOT NULL,"
	" grantee TEXT NOT NULL,"
	" purpose TEXT NOT NULL,"
	" state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 3),"
	" requested_at INTEGER NOT NULL,"
	" answered_at INTEGER NOT NULL DEFAULT 0,"
	" reason TEXT NOT NULL DEFAULT '',"
	" signed BLOB,"
	" disclosed INTEGER NOT NULL DEFAULT 0,"
	" withheld INTEGER NOT NULL DEFAULT 0,"
	" ledger_from INTEGER NOT NULL DEFAULT 0,"   /* the records of its answer */
	" ledger_to INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (message_seq, requested_by, grantee));"
	"CREATE INDEX IF NOT EXISTS consents_requester ON consents (requested_by, id);"
	"CREATE INDEX IF NOT EXISTS consents_originator ON consents (originator, id);"
	"CREATE TABLE IF NOT EXISTS feeds ("
	" subscriber TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" kinds INTEGER NOT NULL,"
	" regions TEXT NOT NULL,"
	" agencies TEXT NOT NULL,"
	" eval_scheme INTEGER NOT NULL,"
	" eval_source TEXT NOT NULL,"
	" eval_information INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" PRIMARY KEY (subscriber, name));";

struct lia_store {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
};

static int db_err(struct lia_store *s, char err[static LIA_ERR_MAX], const char *what)
{
	return lia_errf(err, "store: %s: %s", what, sqlite3_errmsg(s->db));
}

#define LIA_STR_(x) #x
#define LIA_STR(x) LIA_STR_(x)

/* One integer from a one-row query. */
static int scalar(struct lia_store *s, const char *query, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, query, -1, &st, NULL) != SQLITE_OK)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

struct lia_store *lia_store_open(const char *path, char err[static LIA_ERR_MAX])
{
	struct lia_store *s = calloc(1, sizeof *s);
	if (s == NULL) {
		lia_errf(err, "out of memory");
		return NULL;
	}
	/* Create the file 0600 ourselves: sqlite would use the umask. */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		lia_errf(err, "cannot open store \"%s\": %s", path, strerror(errno));
		free(s);
		return NULL;
	}
	close(fd);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		lia_errf(err, "cannot open store \"%s\": %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	char *msg = NULL;
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			 /* 64 MiB of page cache: the hot end of the message,
			  * delivery and ledger tables stays in memory instead of
			  * being read back through the kernel on every turn. */
			 "PRAGMA cache_size=-65536;",
			 NULL, NULL, &msg) != SQLITE_OK) {
		lia_errf(err, "cannot set up store \"%s\": %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	/* A store of another schema version is refused by name, never
	 * half-used: CREATE TABLE IF NOT EXISTS adds no columns. */
	int64_t version = -1, tables = -1;
	if (scalar(s, "PRAGMA user_version", &version) != 0 ||
	    scalar(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'messages'",
		   &tables) != 0) {
		db_err(s, err, "read the schema version");
		goto fail;
	}
	if (tables > 0 && version != LIA_STORE_VERSION) {
		lia_errf(err, "store \"%s\" has schema version %lld; this broker uses version %d "
			      "(start from an empty data directory, or use the broker that made it)",
			 path, (long long)version, LIA_STORE_VERSION);
		goto fail;
	}
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, "PRAGMA user_version = " LIA_STR(LIA_STORE_VERSION), NULL, NULL, &msg) != SQLITE_OK) {
		lia_errf(err, "cannot set up store \"%s\": %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	for (int i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL) != SQLITE_OK) {
			db_err(s, err, sql[i]);
			goto fail;
		}
	return s;
fail:
	lia_store_destroy(&s);
	return NULL;
}

void lia_store_destroy(struct lia_store **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	struct lia_store *s = *sp;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s);
	*sp = NULL;
}

sqlite3 *lia_store_sqlite(struct lia_store *s) { return s->db; }

/* Reset a statement for reuse and return it. */
static sqlite3_stmt *q(struct lia_store *s, int which)
{
	sqlite3_stmt *st = s->q[which];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static int exec1(struct lia_store *s, int which, char err[static LIA_ERR_MAX], const char *what)
{
	sqlite3_stmt *st = q(s, which);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, err, what);
}

int lia_store_begin(struct lia_store *s, char err[static LIA_ERR_MAX])
{
	return exec1(s, Q_BEGIN, err, "begin");
}

int lia_store_commit(struct lia_store *s, char err[static LIA_ERR_MAX])
{
	return exec1(s, Q_COMMIT, err, "commit");
}

void lia_store_rollback(struct lia_store *s)
{
	char err[LIA_ERR_MAX];
	if (sqlite3_get_autocommit(s->db) == 0)
		(void)exec1(s, Q_ROLLBACK, err, "rollback");
}

/* Copy a text column into a bounded, validated name. */
static int col_name(char *out, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	if (t == NULL || n < 0 || (size_t)n >= cap)
		return -1;
	memcpy(out, t, (size_t)n);
	out[n] = '\0';
	return 0;
}

static int col_id(uint8_t out[static LIA_ID_BYTES], sqlite3_stmt *st, int col)
{
	if (sqlite3_column_bytes(st, col) != LIA_ID_BYTES)
		return -1;
	memcpy(out, sqlite3_column_blob(st, col), LIA_ID_BYTES);
	return 0;
}

int lia_store_message_find(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			   struct lia_store_message *m)
{
	sqlite3_stmt *st = q(s, Q_MSG_FIND);
	sqlite3_bind_blob(st, 1, id, LIA_ID_BYTES, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	memset(m, 0, sizeof *m);
	m->seq = (uint64_t)sqlite3_column_int64(st, 0);
	memcpy(m->id, id, LIA_ID_BYTES);
	if (col_name(m->originator, sizeof m->originator, st, 1) != 0)
		return -1;
	m->kind = (enum lia_kind)sqlite3_column_int(st, 2);
	m->created_at = sqlite3_column_int64(st, 3);
	m->received_at = sqlite3_column_int64(st, 4);
	m->expires_at = sqlite3_column_int64(st, 5);
	m->recipients = (uint32_t)sqlite3_column_int64(st, 6);
	m->withheld = (uint32_t)sqlite3_column_int64(st, 7);
	m->erased = sqlite3_column_int64(st, 8) != 0;
	sqlite3_reset(st);
	return 1;
}

int lia_store_message_add(struct lia_store *s, struct lia_store_message *m, const uint8_t *header,
			  size_t header_len, const uint8_t *envelope, size_t envelope_len,
			  char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_MSG_ADD);
	sqlite3_bind_blob(st, 1, m->id, LIA_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->originator, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)m->kind);
	sqlite3_bind_int64(st, 4, m->created_at);
	sqlite3_bind_int64(st, 5, m->received_at);
	sqlite3_bind_int64(st, 6, m->expires_at);
	sqlite3_bind_int64(st, 7, m->recipients);
	sqlite3_bind_int64(st, 8, m->withheld);
	sqlite3_bind_blob(st, 9, header, (int)header_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, envelope, (int)envelope_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, m->embargo_until);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)m->ledger_from);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)m->ledger_to);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "insert message");
	m->seq = (uint64_t)sqlite3_last_insert_rowid(s->db);
	return 0;
}

int lia_store_message_envelope(struct lia_store *s, uint64_t message_seq, uint8_t **out, size_t *len)
{
	sqlite3_stmt *st = q(s, Q_MSG_ENV);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	int n = sqlite3_column_bytes(st, 0);
	if (n <= 0) {
		sqlite3_reset(st);
		return 0;
	}
	*out = malloc((size_t)n);
	if (*out == NULL) {
		sqlite3_reset(st);
		return -1;
	}
	memcpy(*out, sqlite3_column_blob(st, 0), (size_t)n);
	*len = (size_t)n;
	sqlite3_reset(st);
	return 1;
}

int lia_store_expired(struct lia_store *s, int64_t now, struct lia_store_message *out, size_t max,
		      size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = q(s, Q_EXPIRED);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct lia_store_message *m = &out[*n];
		memset(m, 0, sizeof *m);
		m->seq = (uint64_t)sqlite3_column_int64(st, 0);
		if (col_id(m->id, st, 1) != 0 || col_name(m->originator, sizeof m->originator, st, 2) != 0)
			continue;
		m->kind = (enum lia_kind)sqlite3_column_int(st, 3);
		m->created_at = sqlite3_column_int64(st, 4);
		m->received_at = sqlite3_column_int64(st, 5);
		m->expires_at = sqlite3_column_int64(st, 6);
		m->recipients = (uint32_t)sqlite3_column_int64(st, 7);
		m->withheld = (uint32_t)sqlite3_column_int64(st, 8);
		(*n)++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int lia_store_erase(struct lia_store *s, uint64_t message_seq, int64_t now, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_ERASE);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_int64(st, 2, now > 0 ? now : 1);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "erase");
	st = q(s, Q_ERASE_DUE);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, err, "erase notices");
}

int lia_store_delivery_add(struct lia_store *s, uint64_t message_seq, const char *recipient,
			   const char *via, uint64_t *seq, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_DEL_ADD);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, via, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "insert delivery");
	*seq = (uint64_t)sqlite3_last_insert_rowid(s->db);
	return 0;
}

static int row_delivery(struct lia_store_delivery *d, sqlite3_stmt *st)
{
	memset(d, 0, sizeof *d);
	d->seq = (uint64_t)sqlite3_column_int64(st, 0);
	d->message_seq = (uint64_t)sqlite3_column_int64(st, 1);
	if (col_id(d->message_id, st, 2) != 0 || col_name(d->recipient, sizeof d->recipient, st, 3) != 0 ||
	    col_name(d->originator, sizeof d->originator, st, 4) != 0 ||
	    col_name(d->via, sizeof d->via, st, 5) != 0)
		return -1;
	d->kind = (enum lia_kind)sqlite3_column_int(st, 6);
	d->created_at = sqlite3_column_int64(st, 7);
	d->received_at = sqlite3_column_int64(st, 8);
	d->acked_at = sqlite3_column_int64(st, 9);
	d->erased = sqlite3_column_int64(st, 10) != 0;
	d->expires_at = sqlite3_column_int64(st, 11);
	return 0;
}

static int list_deliveries(struct lia_store *s, int which, const char *recipient, uint64_t key,
			   int64_t now, struct lia_store_delivery *out, size_t max, size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = q(s, which);
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)key);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	sqlite3_bind_int64(st, 4, now);
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row_delivery(&out[*n], st) == 0)
			(*n)++;
	if (*n < max && rc != SQLITE_DONE) {
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

int lia_store_pending(struct lia_store *s, const char *recipient, uint64_t after, int64_t now,
		      struct lia_store_delivery *out, size_t max, size_t *n)
{
	return list_deliveries(s, Q_PENDING, recipient, after, now, out, max, n);
}

int lia_store_inbox(struct lia_store *s, const char *recipient, uint64_t after, int64_t now,
		    struct lia_store_delivery *out, size_t max, size_t *n)
{
	return list_deliveries(s, Q_INBOX, recipient, after, now, out, max, n);
}

int lia_store_erasures(struct lia_store *s, const char *recipient, uint64_t after,
		       struct lia_store_delivery *out, size_t max, size_t *n)
{
	return list_deliveries(s, Q_ERASURES, recipient, after, 0, out, max, n);
}

int lia_store_erasure_done(struct lia_store *s, const char *recipient, uint64_t seq,
			   struct lia_store_delivery *d)
{
	sqlite3_stmt *st = q(s, Q_ACK_GET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW || row_delivery(d, st) != 0) {
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	st = q(s, Q_ERASE_DONE);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int lia_store_pending_count(struct lia_store *s, const char *recipient, int64_t now, uint64_t *n)
{
	sqlite3_stmt *st = q(s, Q_PENDING_COUNT);
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	*n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int lia_store_ack(struct lia_store *s, const char *recipient, uint64_t seq, int64_t now,
		  struct lia_store_delivery *d)
{
	sqlite3_stmt *st = q(s, Q_ACK_GET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW || row_delivery(d, st) != 0) {
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	if (d->acked_at != 0)
		return 0;
	st = q(s, Q_ACK_SET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 2, now > 0 ? now : 1);
	sqlite3_bind_int(st, 3, d->erased ? 1 : 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	d->acked_at = now;
	return sqlite3_changes(s->db) == 1 ? 1 : 0;
}

int lia_store_delivery_of(struct lia_store *s, const char *recipient,
			  const uint8_t id[static LIA_ID_BYTES], int64_t now, struct lia_store_delivery *d)
{
	sqlite3_stmt *st = q(s, Q_DELIVERY_OF);
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id, LIA_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	int ok = rc == SQLITE_ROW && row_delivery(d, st) == 0;
	sqlite3_reset(st);
	return ok ? 1 : -1;
}

/* --- feeds --- */

/* Names joined by ',' (they never contain one). */
static void join_names(char *out, size_t cap, const struct lia_names *l)
{
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		int w = snprintf(out + off, cap - off, "%s%s", i ? "," : "", l->v[i]);
		if (w < 0 || (size_t)w >= cap - off)
			return;
		off += (size_t)w;
	}
}

static int split_names(struct lia_names *l, const char *s, bool (*valid)(const char *))
{
	memset(l, 0, sizeof *l);
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		char name[LIA_NAME_MAX];
		if (n == 0 || n >= sizeof name)
			return -1;
		memcpy(name, s, n);
		name[n] = '\0';
		if (!valid(name) || lia_names_add(l, name) != 0)
			return -1;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

int lia_store_feed_put(struct lia_store *s, const struct lia_store_feed *f, char err[static LIA_ERR_MAX])
{
	char regions[LIA_LIST_MAX * LIA_NAME_MAX], agencies[LIA_LIST_MAX * LIA_NAME_MAX];
	char src[2] = {f->filter.min_eval.source, '\0'};
	join_names(regions, sizeof regions, &f->filter.regions);
	join_names(agencies, sizeof agencies, &f->filter.agencies);
	sqlite3_stmt *st = q(s, Q_FEED_PUT);
	sqlite3_bind_text(st, 1, f->subscriber, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->filter.kinds);
	sqlite3_bind_text(st, 4, regions, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, agencies, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, (int)f->filter.min_eval.scheme);
	sqlite3_bind_text(st, 7, src, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, f->filter.min_eval.information);
	sqlite3_bind_int64(st, 9, f->created_at);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, err, "store feed");
}

int lia_store_feed_remove(struct lia_store *s, const char *subscriber, const char *name)
{
	sqlite3_stmt *st = q(s, Q_FEED_DEL);
	sqlite3_bind_text(st, 1, subscriber, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int lia_store_feeds(struct lia_store *s, const char *subscriber, struct lia_store_feed **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	sqlite3_stmt *st = q(s, subscriber[0] ? Q_FEEDS_ONE : Q_FEEDS_ALL);
	if (subscriber[0])
		sqlite3_bind_text(st, 1, subscriber, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct lia_store_feed *v = realloc(*out, ncap * sizeof *v);
			if (v == NULL)
				goto fail;
			*out = v;
			cap = ncap;
		}
		struct lia_store_feed *f = &(*out)[*n];
		memset(f, 0, sizeof *f);
		const unsigned char *regions = sqlite3_column_text(st, 3);
		const unsigned char *agencies = sqlite3_column_text(st, 4);
		const unsigned char *src = sqlite3_column_text(st, 6);
		if (col_name(f->subscriber, sizeof f->subscriber, st, 0) != 0 ||
		    col_name(f->name, sizeof f->name, st, 1) != 0 || regions == NULL ||
		    agencies == NULL || src == NULL ||
		    split_names(&f->filter.regions, (const char *)regions, lia_name_is_region) != 0 ||
		    split_names(&f->filter.agencies, (const char *)agencies, lia_name_is_agency) != 0)
			continue; /* a row we cannot trust is skipped, never half-used */
		f->filter.kinds = (uint32_t)sqlite3_column_int64(st, 2);
		f->filter.min_eval.scheme = (enum lia_eval_scheme)sqlite3_column_int(st, 5);
		f->filter.min_eval.source = (char)src[0];
		f->filter.min_eval.information = (uint8_t)sqlite3_column_int(st, 7);
		f->created_at = sqlite3_column_int64(st, 8);
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
fail:
	sqlite3_reset(st);
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

/* --- consents --- */

int lia_store_message_envelope_set(struct lia_store *s, uint64_t message_seq, const uint8_t *env,
				   size_t len, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_MSG_ENV_SET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_blob(st, 2, env, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "update envelope");
	if (sqlite3_changes(s->db) != 1)
		return lia_errf(err, "store: the message was erased meanwhile");
	return 0;
}

static int row_consent(struct lia_consent_request *c, uint64_t *message_seq, sqlite3_stmt *st)
{
	memset(c, 0, sizeof *c);
	c->request = (uint64_t)sqlite3_column_int64(st, 0);
	if (col_id(c->message_id, st, 1) != 0 || col_name(c->originator, sizeof c->originator, st, 2) != 0 ||
	    col_name(c->requested_by, sizeof c->requested_by, st, 3) != 0 ||
	    col_name(c->grantee, sizeof c->grantee, st, 4) != 0 ||
	    col_name(c->purpose, sizeof c->purpose, st, 5) != 0 ||
	    col_name(c->reason, sizeof c->reason, st, 9) != 0)
		return -1;
	c->state = (enum lia_consent_state)sqlite3_column_int(st, 6);
	c->requested_at = sqlite3_column_int64(st, 7);
	c->answered_at = sqlite3_column_int64(st, 8);
	c->disclosed = (uint32_t)sqlite3_column_int64(st, 10);
	c->withheld = (uint32_t)sqlite3_column_int64(st, 11);
	if (message_seq != NULL)
		*message_seq = (uint64_t)sqlite3_column_int64(st, 12);
	int n = sqlite3_column_bytes(st, 13);
	if (n < 0 || (size_t)n > sizeof c->consent)
		return -1;
	if (n > 0)
		memcpy(c->consent, sqlite3_column_blob(st, 13), (size_t)n);
	c->consent_len = (size_t)n;
	return 0;
}

/* Step a consent query to its single row: 1 found, 0 none, -1 error. */
static int consent_one(sqlite3_stmt *st, struct lia_consent_request *out, uint64_t *message_seq)
{
	int rc = sqlite3_step(st);
	int found = rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW && row_consent(out, message_seq, st) == 0 ? 1 : -1;
	sqlite3_reset(st);
	return found;
}

int lia_store_consent_add(struct lia_store *s, uint64_t message_seq, struct lia_consent_request *c,
			  char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_CONSENT_ADD);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_blob(st, 2, c->message_id, LIA_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->originator, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->requested_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->grantee, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, c->requested_at);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "insert consent request");
	c->request = (uint64_t)sqlite3_last_insert_rowid(s->db);
	c->state = LIA_CONSENT_PENDING;
	return 0;
}

int lia_store_consent_get(struct lia_store *s, uint64_t request, struct lia_consent_request *out,
			  uint64_t *message_seq)
{
	sqlite3_stmt *st = q(s, Q_CONSENT_GET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)request);
	return consent_one(st, out, message_seq);
}

int lia_store_consent_same(struct lia_store *s, uint64_t message_seq, const char *requested_by,
			   const char *grantee, struct lia_consent_request *out)
{
	sqlite3_stmt *st = q(s, Q_CONSENT_SAME);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_text(st, 2, requested_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, grantee, -1, SQLITE_STATIC);
	return consent_one(st, out, NULL);
}

static int consent_list(sqlite3_stmt *st, struct lia_consent_request *out, size_t max, size_t *n)
{
	*n = 0;
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row_consent(&out[*n], NULL, st) == 0)
			(*n)++;
	sqlite3_reset(st);
	return *n < max && rc != SQLITE_DONE ? -1 : 0;
}

int lia_store_consents_of(struct lia_store *s, const char *subject, uint64_t request,
			  uint64_t before, struct lia_consent_request *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENTS_OF);
	if (subject != NULL) /* else bound NULL by q(): every request */
		sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(request & INT64_MAX));
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)(before & INT64_MAX));
	return consent_list(st, out, max, n);
}

int lia_store_consents_granted(struct lia_store *s, uint64_t message_seq,
			       struct lia_consent_request *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENTS_GRANTED);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return consent_list(st, out, max, n);
}

int lia_store_consents_pending_of(struct lia_store *s, uint64_t message_seq,
				  struct lia_consent_request *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENTS_PENDING_OF);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return consent_list(st, out, max, n);
}

int lia_store_consents_waiting(struct lia_store *s, const char *requested_by, uint64_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENT_WAITING);
	sqlite3_bind_text(st, 1, requested_by, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int lia_store_consents_since(struct lia_store *s, const char *requested_by, int64_t since,
			     uint64_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENT_RECENT);
	sqlite3_bind_text(st, 1, requested_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int lia_store_consent_answer(struct lia_store *s, const struct lia_consent_request *c,
			     const uint8_t *signed_consent, size_t signed_len, uint64_t ledger_from,
			     uint64_t ledger_to, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_CONSENT_ANSWER);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)c->request);
	sqlite3_bind_int(st, 2, (int)c->state);
	sqlite3_bind_int64(st, 3, c->answered_at);
	sqlite3_bind_text(st, 4, c->reason, -1, SQLITE_STATIC);
	if (signed_consent != NULL)
		sqlite3_bind_blob(st, 5, signed_consent, (int)signed_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, c->disclosed);
	sqlite3_bind_int64(st, 7, c->withheld);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)ledger_from);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)ledger_to);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "answer consent request");
	if (sqlite3_changes(s->db) != 1)
		return lia_errf(err, "store: the consent request was answered already");
	return 0;
}

/* --- where the ledger holds a message's disclosures --- */

int lia_store_ledger_ranges(struct lia_store *s, uint64_t message_seq, struct lia_store_range *out,
			    size_t max, size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = q(s, Q_LEDGER_RANGES);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		out[*n].from = (uint64_t)sqlite3_column_int64(st, 0);
		out[*n].to = (uint64_t)sqlite3_column_int64(st, 1);
		(*n)++;
	}
	sqlite3_reset(st);
	return *n < max && rc != SQLITE_DONE ? -1 : 0;
}
