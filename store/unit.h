/*
 * unit.h — the broker's unit of work: one object owns the database
 * connection and the transaction of a loop turn, and hands out the
 * store's and the ledger's writers over it.
 *
 * Why one object. A publish is deliverable and recorded in the same
 * transaction (DESIGN §5: no disclosure without a record), so the store
 * and the ledger must write through one connection and one transaction.
 * Nothing outside store/ (and the ledger's own storage code in audit/)
 * sees the connection: the broker asks this object to begin, commit or
 * roll back, and never names a database type. A second backend (the
 * PostgreSQL one of DESIGN §9) implements lia_unit_open() and the
 * store/ledger storage behind it without changing any caller.
 *
 *     struct lia_unit *u = lia_unit_open(path, origin, err);
 *     lia_unit_begin(u, err);                  -- store txn + ledger batch
 *     lia_store_message_add(lia_unit_store(u), ...);
 *     lia_ledger_append(lia_unit_ledger(u), &rec, err);
 *     lia_unit_commit(u, err);                 -- durable on return, or
 *     lia_unit_rollback(u);                    -- nothing of it happened
 *
 * Durability: lia_unit_commit() returns 0 only once the turn is durable
 * (WAL, synchronous=FULL); only then may the broker acknowledge or send.
 * Errors: 0 / -1 with err saying what failed. Thread safety: one unit per
 * thread; the store and ledger it hands out are borrowed and die with it.
 */
#ifndef LIA_UNIT_H
#define LIA_UNIT_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct lia_unit;
struct lia_store;
struct lia_ledger;

/* Open or create the database at path (0600): the store's tables and the
 * ledger's, the ledger with this origin (a ledger of another origin is
 * refused). NULL with err on failure. */
struct lia_unit *lia_unit_open(const char *path, const char *origin, char err[static LIA_ERR_MAX]);
/* Roll back an open transaction, close, free; accepts NULL; nulls *u. */
void lia_unit_destroy(struct lia_unit **u);

/* PRAGMA quick_check over the whole file (store and ledger): 0 when
 * SQLite finds it sound, -1 with err quoting the first problem it
 * reports. Reads every page: O(size of the file), ~1 s a GB. */
int lia_unit_check(struct lia_unit *u, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* When lia_unit_open failed: whether the file at path is damaged
 * (opened read-only, quick_check). 1 damaged, with err quoting SQLite;
 * 0 it looks sound (the failure was something else); -1 cannot tell. */
int lia_unit_damaged(const char *path, char err[static LIA_ERR_MAX]);

/* The writers over the unit's connection (borrowed). */
struct lia_store *lia_unit_store(struct lia_unit *u);
struct lia_ledger *lia_unit_ledger(struct lia_unit *u);

/* Begin the turn's transaction and the ledger's batch inside it. Refused
 * (-1) while one is open. */
int lia_unit_begin(struct lia_unit *u, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* True while a transaction begun here is really open. False after a
 * commit or rollback, and also when the database ended it by itself
 * (SQLite rolls back on some I/O errors): the caller must then abandon
 * the turn, since later statements would run outside any transaction. */
bool lia_unit_active(struct lia_unit *u);
/* End the ledger batch and commit; durable when it returns 0. On -1 the
 * transaction is rolled back and nothing of the turn happened. */
int lia_unit_commit(struct lia_unit *u, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* End the ledger batch and roll back; a no-op when none is open. */
void lia_unit_rollback(struct lia_unit *u);

/* --- background work, from one other thread ---
 *
 * A turn's commit must not also copy the WAL into the database file:
 * SQLite does that in the committing thread once the WAL reaches 1,000
 * pages, a stall of several milliseconds (up to ~10 under load) in the
 * middle of the loop every few hundred publishes (issue 11). Nor may a
 * ledger checkpoint's rehash of thousands of records hold the loop. Both
 * run on a second connection to the same database, in WAL mode beside
 * the unit's writer: a reader never blocks it, a passive WAL checkpoint
 * never waits for it. */
struct lia_unit_side;

/* Stop checkpointing the WAL in the unit's commits: instead call
 * wanted(ctx), from the committing thread, after each commit that
 * leaves the WAL at pages pages or more. Past 16 x pages (the side is
 * not keeping up) the commit checkpoints after all, so the WAL stays
 * bounded; lia_unit_wal_inline counts those. wanted NULL: the commits
 * checkpoint again at pages (SQLite's own checkpoints). */
void lia_unit_wal_defer(struct lia_unit *u, int pages, void (*wanted)(void *ctx), void *ctx);
uint64_t lia_unit_wal_inline(const struct lia_unit *u);
/* After the side copied the WAL: copy what was committed since (a few
 * pages) on the unit's own connection, outside any transaction, so that
 * its next transaction starts the WAL over. SQLite restarts a WAL only
 * when a writer begins with every frame copied, which a checkpoint on
 * another connection, racing the writer's next commit, almost never
 * leaves it: the WAL grew to 10,000 pages and more. 0, or -1 with err. */
int lia_unit_wal_catch_up(struct lia_unit *u, char err[static LIA_ERR_MAX]);

/* A second connection to the unit's database, for one other thread; it
 * reads the ledger (lia_ledger_checkpoint_prepare) in transactions of
 * its own. NULL with err. */
struct lia_unit_side *lia_unit_side_open(struct lia_unit *u, char err[static LIA_ERR_MAX]);
struct lia_ledger *lia_unit_side_ledger(struct lia_unit_side *s);
/* Copy the committed WAL into the database file (passive: never waits
 * for the unit's writer, nor blocks it); *left: WAL pages it could not
 * copy yet. 0, or -1 with err. */
int lia_unit_side_wal_checkpoint(struct lia_unit_side *s, int *left, char err[static LIA_ERR_MAX]);
/* Close; accepts NULL; nulls *s. */
void lia_unit_side_close(struct lia_unit_side **s);

#endif
