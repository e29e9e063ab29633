/*
 * backup.h — a consistent copy of the broker's database (store and
 * ledger, one file) taken while the broker runs (issue 12, item 6).
 *
 * SQLite's online backup API copies every page of the database inside
 * one read transaction (sqlite3_backup_step with -1): in WAL mode that
 * is a snapshot of the last commit before the copy began, and the
 * broker's writer is never blocked (WAL readers do not block writers;
 * the WAL only cannot be checkpointed past the snapshot until the copy
 * ends). A copy made page range by page range would restart whenever
 * the broker commits, and might never finish under load.
 *
 * The copy is a new file, created here 0600 with O_EXCL|O_NOFOLLOW (an
 * existing file or a symbolic link is refused: a backup never
 * overwrites anything), switched to a rollback journal so that it is
 * one self-contained file (the broker sets WAL again when it opens a
 * restored copy), checked with PRAGMA quick_check, fsynced with its
 * folder, and described: pages, bytes, ledger records and the latest
 * signed checkpoint it holds. A copy that fails any step is removed.
 *
 * Restoring is a rollback of the ledger: docs/operations.md, "Backups
 * and restores".
 *
 * Trusts: the paths (the operator's). The source is opened read-only
 * and never written. Errors: 0 / -1 with err. Thread safety: none needed
 * (its own connections).
 */
#ifndef LIA_STORE_BACKUP_H
#define LIA_STORE_BACKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "note.h" /* LIA_NOTE_MAX_BYTES, struct lia_checkpoint */

/* What a copy holds. */
struct lia_backup_info {
	uint64_t pages;
	uint64_t bytes;
	uint64_t ledger_records;
	bool has_checkpoint;
	struct lia_checkpoint checkpoint; /* the latest signed one, as stored (not verified) */
	char origin[LIA_NOTE_NAME_MAX];
};

/* Copy the database at db_path to the new file out_path (see above). */
int lia_store_backup(const char *db_path, const char *out_path, struct lia_backup_info *info,
		     char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
