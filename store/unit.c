/*
 * unit.c — the unit of work over SQLite: the store opens the file and
 * owns the connection; the ledger writes through the same connection, so
 * one BEGIN IMMEDIATE ... COMMIT holds a turn's messages, deliveries and
 * ledger records.
 */
#include "unit.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "ledger_sqlite.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

struct lia_unit {
	struct lia_store *store;
	struct lia_ledger *ledger;
	bool open;                 /* a transaction begun here is open */
	char path[PATH_MAX];
	/* lia_unit_wal_defer */
	int wal_pages;
	void (*wal_wanted)(void *ctx);
	void *wal_ctx;
	uint64_t wal_inline;
};

struct lia_unit_side {
	struct lia_ledger *ledger; /* owns its connection */
};

struct lia_unit *lia_unit_open(const char *path, const char *origin, char err[static LIA_ERR_MAX])
{
	struct lia_unit *u = calloc(1, sizeof *u);
	if (u == NULL) {
		lia_errf(err, "out of memory");
		return NULL;
	}
	if (snprintf(u->path, sizeof u->path, "%s", path) >= (int)sizeof u->path) {
		lia_errf(err, "path too long: \"%.64s...\"", path);
		goto fail;
	}
	u->store = lia_store_open(path, err);
	if (u->store == NULL)
		goto fail;
	u->ledger = lia_ledger_open(lia_store_sqlite(u->store), origin, err);
	if (u->ledger == NULL)
		goto fail;
	return u;
fail:
	lia_unit_destroy(&u);
	return NULL;
}

void lia_unit_destroy(struct lia_unit **up)
{
	if (up == NULL || *up == NULL)
		return;
	struct lia_unit *u = *up;
	lia_unit_rollback(u);
	lia_ledger_destroy(&u->ledger); /* before the connection it borrows */
	lia_store_destroy(&u->store);
	free(u);
	*up = NULL;
}

/* PRAGMA quick_check on db: 0 sound, 1 damaged (err quotes SQLite), -1
 * when it could not run for another reason (err). */
static int quick_check(sqlite3 *db, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	const unsigned char *t = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
	int ret = 1;
	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
		lia_errf(err, "PRAGMA quick_check: %s", sqlite3_errmsg(db));
	else if (rc != SQLITE_ROW)
		ret = lia_errf(err, "PRAGMA quick_check failed: %s", sqlite3_errmsg(db));
	else if (t == NULL || strcmp((const char *)t, "ok") != 0)
		lia_errf(err, "PRAGMA quick_check: %.160s", t != NULL ? (const char *)t : "(no answer)");
	else
		ret = 0;
	sqlite3_finalize(st);
	return ret;
}

int lia_unit_check(struct lia_unit *u, char err[static LIA_ERR_MAX])
{
	return quick_check(lia_store_sqlite(u->store), err) == 0 ? 0 : -1;
}

int lia_unit_damaged(const char *path, char err[static LIA_ERR_MAX])
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	int ret = 1;
	if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB)
		lia_errf(err, "%s", sqlite3_errstr(rc));
	else if (rc != SQLITE_OK)
		ret = lia_errf(err, "%s", db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	else
		ret = quick_check(db, err);
	sqlite3_close(db);
	return ret;
}

struct lia_store *lia_unit_store(struct lia_unit *u)
{
	return u->store;
}

struct lia_ledger *lia_unit_ledger(struct lia_unit *u)
{
	return u->ledger;
}

int lia_unit_begin(struct lia_unit *u, char err[static LIA_ERR_MAX])
{
	if (u->open)
		return lia_errf(err, "unit of work: a transaction is already open");
	if (lia_store_begin(u->store, err) != 0)
		return -1;
	if (lia_ledger_batch_begin(u->ledger, err) != 0) {
		lia_store_rollback(u->store);
		return -1;
	}
	u->open = true;
	return 0;
}

bool lia_unit_active(struct lia_unit *u)
{
	return u->open && sqlite3_get_autocommit(lia_store_sqlite(u->store)) == 0;
}

int lia_unit_commit(struct lia_unit *u, char err[static LIA_ERR_MAX])
{
	if (!u->open)
		return lia_errf(err, "unit of work: no transaction to commit");
	lia_ledger_batch_end(u->ledger);
	u->open = false;
	if (lia_store_commit(u->store, err) != 0) {
		lia_store_rollback(u->store);
		return -1;
	}
	return 0;
}

void lia_unit_rollback(struct lia_unit *u)
{
	if (!u->open)
		return;
	lia_ledger_batch_end(u->ledger);
	lia_store_rollback(u->store);
	u->open = false;
}

/* --- the second connection, for background work --- */

/* After every commit on the unit's connection, with the WAL's size in
 * pages. This replaces SQLite's own hook, which checkpoints in the
 * committing thread once the WAL reaches 1,000 pages. */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	struct lia_unit *u = ctx;
	if (pages >= 16 * u->wal_pages) {
		/* The side is not keeping up: keep the WAL bounded here. */
		(void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		u->wal_inline++;
	} else if (pages >= u->wal_pages) {
		u->wal_wanted(u->wal_ctx);
	}
	return SQLITE_OK;
}

void lia_unit_wal_defer(struct lia_unit *u, int pages, void (*wanted)(void *ctx), void *ctx)
{
	if (wanted == NULL) { /* back to SQLite's own checkpoints */
		sqlite3_wal_autocheckpoint(lia_store_sqlite(u->store), pages);
		return;
	}
	u->wal_pages = pages > 0 ? pages : 1;
	u->wal_wanted = wanted;
	u->wal_ctx = ctx;
	sqlite3_wal_hook(lia_store_sqlite(u->store), wal_hook, u);
}

int lia_unit_wal_catch_up(struct lia_unit *u, char err[static LIA_ERR_MAX])
{
	sqlite3 *db = lia_store_sqlite(u->store);
	if (u->open || sqlite3_get_autocommit(db) == 0)
		return lia_errf(err, "WAL checkpoint: a transaction is open");
	int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return lia_errf(err, "WAL checkpoint: %s", sqlite3_errmsg(db));
	return 0;
}

uint64_t lia_unit_wal_inline(const struct lia_unit *u)
{
	return u->wal_inline;
}

struct lia_unit_side *lia_unit_side_open(struct lia_unit *u, char err[static LIA_ERR_MAX])
{
	struct lia_unit_side *s = calloc(1, sizeof *s);
	if (s == NULL) {
		lia_errf(err, "out of memory");
		return NULL;
	}
	s->ledger = lia_ledger_open_file(u->path, lia_ledger_origin(u->ledger), 0, err);
	if (s->ledger == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

struct lia_ledger *lia_unit_side_ledger(struct lia_unit_side *s)
{
	return s->ledger;
}

int lia_unit_side_wal_checkpoint(struct lia_unit_side *s, int *left, char err[static LIA_ERR_MAX])
{
	sqlite3 *db = lia_ledger_db(s->ledger);
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	*left = log > done ? log - done : 0;
	/* BUSY: another checkpoint runs (the unit's own, past its bound). */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return lia_errf(err, "WAL checkpoint: %s", sqlite3_errmsg(db));
	return 0;
}

void lia_unit_side_close(struct lia_unit_side **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	lia_ledger_destroy(&(*sp)->ledger);
	free(*sp);
	*sp = NULL;
}
