/*
 * maint.h — the broker's background work, off the loop thread: copying
 * the WAL into the database file, and rehashing and signing the
 * ledger's periodic checkpoints (issue 11: neither may hold the loop).
 *
 * Measured before, under a publish flood (bench_noisy): SQLite's own WAL
 * checkpoint, run inside the commit that reaches 1,000 pages, made one
 * commit in ten take 8-13 ms instead of 1-2; and a checkpoint's rehash of
 * the 10,000 records added since the last one held the loop 43-46 ms
 * every two seconds. Every other peer waited through both.
 *
 * One thread, with its own connection to the store (unit.h, "side"):
 *   - WAL: the unit's commits no longer checkpoint; a commit that leaves
 *     the WAL at WAL_PAGES pages or more wakes the thread, which runs a
 *     passive checkpoint (it never waits for the loop's writer, nor
 *     blocks it). Past 16 x WAL_PAGES the commit checkpoints itself.
 *   - Ledger checkpoints: when one is due (checkpoint_records records or
 *     checkpoint_seconds since the last), the loop hands the thread the
 *     pinned checkpoint; the thread, in a read transaction of its own,
 *     makes exactly the checks lia_ledger_checkpoint makes (the latest
 *     stored checkpoint and the pin still hold, every record added since
 *     is rehashed from its bytes), and signs. The loop then stores it
 *     (lia_ledger_checkpoint_adopt: refused unless it is newer than the
 *     latest stored, the log still extends the pin, and the stored tree
 *     has its root) and keeps it beside the store (ledger_state.h).
 *     A refusal is logged (checkpoint-error) and tried again after
 *     CP_RETRY_SECONDS, not on every turn.
 * The last checkpoint at a clean stop is signed on the loop thread, after
 * the thread has stopped, as before.
 *
 * Under --check none of this starts (nothing is written). Owns b->maint.
 * Errors: 0 / -1 with err at start; later failures are logged.
 */
#ifndef LIA_BROKER_MAINT_H
#define LIA_BROKER_MAINT_H

#include "broker_int.h"

#define MAINT_WAL_PAGES 1000
#define CP_RETRY_SECONDS 10

/* Open the second connection and start the thread. */
int lia_maint_start(struct lia_broker *b, char err[static LIA_ERR_MAX]);
/* Once a loop iteration, outside any transaction: store a checkpoint the
 * thread signed, or hand it one to sign when due. Without the thread
 * (--check), the checkpoint is signed here, in the loop, as before. */
void lia_maint_tick(struct lia_broker *b, int64_t now);
/* The clean stop: the thread stops (what it signed and the loop did not
 * store yet is dropped: the last checkpoint covers it), and the last
 * checkpoint of the ledger is signed here. */
void lia_maint_finish(struct lia_broker *b, int64_t now);
/* Stop the thread and close its connection; accepts a broker without
 * one. */
void lia_maint_stop(struct lia_broker *b);

#endif
