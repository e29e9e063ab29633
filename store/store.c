/*
 * store.c — SQLite implementation of the broker's store: opening, the
 * schema of every table, transactions. The queries live with their
 * tables: store_message.c (messages and deliveries, and where the ledger
 * holds a message's disclosures), store_consent.c, store_feed.c,
 * store_trust.c (the revocation list in force).
 *
 * Statements are prepared once and reused: the ingest path runs a few
 * inserts per message, and preparing them each time would cost more
 * than the inserts.
 */
#include "store.h"
#include "store_int.h"
#include "store_sql_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const struct lia_store_sql lia_store_sql_core[] = {
	{Q_BEGIN, "BEGIN IMMEDIATE"},
	{Q_COMMIT, "COMMIT"},
	{Q_ROLLBACK, "ROLLBACK"},
};
static const size_t lia_store_sql_core_n = sizeof lia_store_sql_core / sizeof lia_store_sql_core[0];

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
	" ledger_to INTEGER NOT NULL DEFAULT 0,"
	/* Its originator's publication number (1, 2, ...): what the
	 * publish ack shows, so that an originator counts only its own
	 * publications, never the exchange's (issue 10, item 6). */
	" number INTEGER NOT NULL,"
	" UNIQUE (originator, number));"
	"CREATE INDEX IF NOT EXISTS messages_expiry ON messages (expires_at) WHERE expires_at > 0 AND erased_at = 0;"
	"CREATE TABLE IF NOT EXISTS deliveries ("
	" seq INTEGER PRIMARY KEY,"
	" message_seq INTEGER NOT NULL REFERENCES messages (seq),"
	" recipient TEXT NOT NULL,"
	" via TEXT NOT NULL,"
	" acked_at INTEGER NOT NULL DEFAULT 0,"
	/* When the broker first sent it to its recipient (pushed or
	 * fetched): only a delivery sent can be acknowledged (issue 10,
	 * item 4). 0 = never. */
	" sent_at INTEGER NOT NULL DEFAULT 0,"
	" erase_due INTEGER NOT NULL DEFAULT 0,"
	/* The recipient's delivery number (1, 2, ... in commit order):
	 * the only number of a delivery that leaves the broker. seq, the
	 * row's global order, stays inside: it would let a recipient count
	 * the deliveries made to others meanwhile (issue 10, item 6). */
	" number INTEGER NOT NULL,"
	" UNIQUE (message_seq, recipient),"
	" UNIQUE (recipient, number));"
	"CREATE INDEX IF NOT EXISTS deliveries_erase ON deliveries (recipient, number) WHERE erase_due = 1;"
	/* What a recipient has not acknowledged yet, in order: the pushes
	 * and the Hello's pending count walk these rows only, never the
	 * recipient's whole history (issue 11, item 5). */
	"CREATE INDEX IF NOT EXISTS deliveries_unacked ON deliveries (recipient, number) WHERE acked_at = 0;"
	/* Onward dissemination requests; a refused one stays refused (one
	 * request per message, requester and grantee). signed: the
	 * originator's Consent, kept for auditors. */
	"CREATE TABLE IF NOT EXISTS consents ("
	" id INTEGER PRIMARY KEY,"
	/* The request's number on the wire: random, so that the requester
	 * and the originator who see it cannot count the exchange's other
	 * requests by it (issue 10, item 6). id keeps the order. */
	" ref INTEGER NOT NULL UNIQUE CHECK (ref BETWEEN 1 AND 9007199254740991),"
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
	/* The per-day and waiting limits count a requester's recent and
	 * unanswered requests: a range of an index each, not its history. */
	"CREATE INDEX IF NOT EXISTS consents_requester_time ON consents (requested_by, requested_at);"
	"CREATE INDEX IF NOT EXISTS consents_waiting ON consents (requested_by) WHERE state = 1;"
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
	" PRIMARY KEY (subscriber, name));"
	/* The highest revocation list put in force, and the serials whose
	 * revocation is in the ledger (store_trust.c): a restart can neither
	 * roll revocations back nor forget to record one. */
	"CREATE TABLE IF NOT EXISTS crl_in_force ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" number INTEGER NOT NULL,"
	" hash BLOB NOT NULL CHECK (length(hash) = 32),"
	" loaded_at INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS revocations_recorded ("
	" serial INTEGER PRIMARY KEY,"
	" recorded_at INTEGER NOT NULL);"
	/* Document verification requests (store_verif.c): the broker's
	 * state of each, by its own clock; metadata only. */
	"CREATE TABLE IF NOT EXISTS verifications ("
	" message_seq INTEGER PRIMARY KEY REFERENCES messages (seq),"
	" request_id BLOB NOT NULL UNIQUE CHECK (length(request_id) = 16),"
	" requester TEXT NOT NULL,"
	" office TEXT NOT NULL,"
	" office_agency TEXT NOT NULL,"
	" issuing_state TEXT NOT NULL,"
	" urgency INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 3),"
	" state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 4),"
	" requested_at INTEGER NOT NULL,"
	" deadline INTEGER NOT NULL,"
	" reminded INTEGER NOT NULL DEFAULT 0,"
	" answered_at INTEGER NOT NULL DEFAULT 0,"
	" answered_by TEXT NOT NULL DEFAULT '',"
	" answer_id BLOB CHECK (answer_id IS NULL OR length(answer_id) = 16),"
	" answers INTEGER NOT NULL DEFAULT 0,"
	" late INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS verifications_due ON verifications (deadline) WHERE state = 1;"
	"CREATE INDEX IF NOT EXISTS verifications_requester ON verifications (requester, message_seq);"
	"CREATE INDEX IF NOT EXISTS verifications_office ON verifications (office, message_seq);"
	"CREATE INDEX IF NOT EXISTS verifications_agency ON verifications (office_agency, message_seq);";
/* The schema is two texts: one C string may not pass 4095 bytes. */
static const char schema_more[] =
	/* A message recalled (recall = 1) or corrected by message by_seq:
	 * once each way (version 5). */
	"CREATE TABLE IF NOT EXISTS supersessions ("
	" message_seq INTEGER PRIMARY KEY REFERENCES messages (seq),"
	" by_seq INTEGER NOT NULL UNIQUE REFERENCES messages (seq),"
	" recall INTEGER NOT NULL,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL);"
	/* Message message_seq names in_reply_to: threads (version 5). */
	"CREATE TABLE IF NOT EXISTS replies ("
	" message_seq INTEGER PRIMARY KEY REFERENCES messages (seq),"
	" in_reply_to BLOB NOT NULL CHECK (length(in_reply_to) = 16));"
	"CREATE INDEX IF NOT EXISTS replies_to ON replies (in_reply_to);";


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

/* Every family's statements, prepared at open. */
static const struct {
	const struct lia_store_sql *t;
	const size_t *n;
} families[] = {
	{lia_store_sql_core, &lia_store_sql_core_n},
	{lia_store_sql_message, &lia_store_sql_message_n},
	{lia_store_sql_consent, &lia_store_sql_consent_n},
	{lia_store_sql_feed, &lia_store_sql_feed_n},
	{lia_store_sql_trust, &lia_store_sql_trust_n},
	{lia_store_sql_verif, &lia_store_sql_verif_n},
};

/* Prepare one family's statements (persistent: they live as long as
 * the store). */
static int prepare(struct lia_store *s, const struct lia_store_sql *t, size_t n,
		   char err[static LIA_ERR_MAX])
{
	for (size_t i = 0; i < n; i++)
		if (sqlite3_prepare_v3(s->db, t[i].sql, -1, SQLITE_PREPARE_PERSISTENT, &s->q[t[i].id],
				       NULL) != SQLITE_OK)
			return db_err(s, err, t[i].sql);
	return 0;
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
	 * half-used: CREATE TABLE IF NOT EXISTS adds no columns. Indexes
	 * are not part of the version: CREATE INDEX IF NOT EXISTS below adds
	 * a missing one to a store of this version (issue 11 added four),
	 * and a broker that does not know an index still opens the store. */
	int64_t version = -1, tables = -1;
	if (scalar(s, "PRAGMA user_version", &version) != 0 ||
	    scalar(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'messages'",
		   &tables) != 0) {
		db_err(s, err, "read the schema version");
		goto fail;
	}
	/* Version 3 lacked the verifications table and 4 the supersessions
	 * table, which the schema below creates: such a store is upgraded
	 * in place. */
	if (tables > 0 && version != LIA_STORE_VERSION && version != 3 && version != 4) {
		lia_errf(err, "store \"%s\" has schema version %lld; this broker uses version %d "
			      "(start from an empty data directory, or use the broker that made it)",
			 path, (long long)version, LIA_STORE_VERSION);
		goto fail;
	}
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema_more, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, "PRAGMA user_version = " LIA_STR(LIA_STORE_VERSION), NULL, NULL, &msg) != SQLITE_OK) {
		lia_errf(err, "cannot set up store \"%s\": %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		goto fail;
	}
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
		if (prepare(s, families[f].t, *families[f].n, err) != 0)
			goto fail;
	for (int i = 0; i < Q_COUNT; i++)
		assert(s->q[i] != NULL); /* every id has its SQL in one family */
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
