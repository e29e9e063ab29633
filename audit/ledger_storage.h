/*
 * ledger_storage.h — the seam under the disclosure ledger: the rows a
 * ledger keeps, as a table of operations that a storage backend
 * implements (SQLite today, ledger_sqlite.c; PostgreSQL later, DESIGN §9).
 *
 * What the logic (ledger.c, ledger_checkpoint.c, ledger_verify.c) owns:
 * the Merkle tree, which subtree hash lives in which row, record
 * validation, checkpoint signing and every verdict. What a backend owns: the three tables of
 * docs/ledger.md (ledger_record, ledger_checkpoint, ledger_meta) and their
 * append-only guarantee, its connection and its transactions. A backend
 * stores and returns bytes; it never decodes a record, hashes or signs,
 * and it trusts nothing it reads back (the logic checks every length).
 *
 * Rows as the logic sees them. A record row is its key (seq), the record
 * bytes, the leaf hash and the nodes blob (the hashes of the complete
 * subtrees the leaf completes, level 1 first, 32 bytes each). A key is
 * signed because a store may hold one a tamperer inserted below 0; the
 * logic reports such rows, the backend just returns them in key order.
 *
 * Errors: every operation returns 0 / -1 with err ("ledger: <what>: <the
 * backend's reason>"); the lookups return 1 for "no such row". The
 * cursor's operations put only the backend's reason in err: its callers
 * (query, verify, export) say what they were reading. Rows and
 * pointers handed to a callback or by cursor_next are borrowed until the
 * next call on the same object. Thread safety: one thread per backend
 * object, like the ledger over it.
 */
#ifndef LIA_LEDGER_STORAGE_H
#define LIA_LEDGER_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ledger.h"

/* One stored record row (borrowed). */
struct lia_ledger_row {
	int64_t seq;
	const uint8_t *record;
	size_t record_len;
	const uint8_t *leaf;
	size_t leaf_len;
	const uint8_t *nodes;
	size_t nodes_len;
};

/* Called per stored checkpoint in ascending size; note may be NULL or
 * empty in a damaged row. A non-zero return stops the walk. */
typedef int (*lia_ledger_cp_fn)(void *ctx, int64_t size, const char *note, size_t len);

struct lia_ledger_storage_ops {
	/* Finalize, close what the backend owns, free impl. */
	void (*destroy)(void *impl);

	/* --- schema --- */
	/* Whether the ledger's tables exist. */
	int (*exists)(void *impl, bool *exists, char err[static LIA_ERR_MAX]);
	/* Create the tables (and their append-only guards) with this schema
	 * version and origin in ledger_meta; works inside or outside the
	 * caller's transaction and leaves nothing behind on failure. */
	int (*create)(void *impl, int schema, const char *origin, char err[static LIA_ERR_MAX]);
	/* The ledger_meta value of key, NUL-terminated in out[0..cap). */
	int (*meta_get)(void *impl, const char *key, char *out, size_t cap,
			char err[static LIA_ERR_MAX]);
	/* The schema is checked: get ready to serve (SQLite prepares its
	 * statements here). */
	int (*ready)(void *impl, char err[static LIA_ERR_MAX]);

	/* --- records --- */
	/* One past the highest key (0 when empty). */
	int (*size)(void *impl, uint64_t *size, char err[static LIA_ERR_MAX]);
	/* The level-0 hash (leaf column) of row seq, or with level L > 0 the
	 * L-th hash of its nodes blob. 1 when there is no row seq; -1 also
	 * when the stored hashes are too short ("damaged"). */
	int (*hash_get)(void *impl, uint64_t seq, unsigned level, uint8_t out[static 32],
			char err[static LIA_ERR_MAX]);
	/* Insert one row; the append path, so: no allocation, no parsing. */
	int (*insert)(void *impl, uint64_t seq, const uint8_t *rec, size_t len,
		      const uint8_t leaf[static 32], const uint8_t *nodes, size_t nodes_len,
		      char err[static LIA_ERR_MAX]);
	/* Copy the record bytes of row seq into buf when they fit in cap;
	 * *len is their real length either way. 1 when there is no row. */
	int (*record_get)(void *impl, uint64_t seq, uint8_t *buf, size_t cap, size_t *len,
			  char err[static LIA_ERR_MAX]);
	/* An ordered walk over the record rows: every row when to == 0, else
	 * the keys from <= seq < to. cursor_next returns 1 with a row, 0 at
	 * the end, -1 on error; cursor_close accepts NULL. */
	int (*cursor_open)(void *impl, uint64_t from, uint64_t to, void **cur,
			   char err[static LIA_ERR_MAX]);
	int (*cursor_next)(void *cur, struct lia_ledger_row *row, char err[static LIA_ERR_MAX]);
	void (*cursor_close)(void *cur);

	/* --- checkpoints --- */
	/* The latest checkpoint (highest size), note malloc'd and
	 * NUL-terminated; 1 when there is none. */
	int (*cp_latest)(void *impl, uint64_t *size, char **note, size_t *len,
			 char err[static LIA_ERR_MAX]);
	/* The checkpoint at exactly size, as cp_latest; 1 when none. */
	int (*cp_get)(void *impl, uint64_t size, char **note, size_t *len,
		      char err[static LIA_ERR_MAX]);
	int (*cp_put)(void *impl, uint64_t size, int64_t issued_at, const char *note, size_t len,
		      char err[static LIA_ERR_MAX]);
	/* Every checkpoint in ascending size (fn may stop the walk). */
	int (*cp_each)(void *impl, lia_ledger_cp_fn fn, void *ctx, char err[static LIA_ERR_MAX]);
	/* The newest issued_at of any checkpoint, 0 when there is none. */
	int (*cp_last_issued)(void *impl, int64_t *at, char err[static LIA_ERR_MAX]);

	/* --- transactions --- */
	/* Whether a transaction is open on the connection (anyone's). */
	bool (*in_tx)(void *impl);
	/* The ledger's own write transaction (standalone appends, imports,
	 * checkpoints): begin with the write lock taken, commit, roll back. */
	int (*tx_begin)(void *impl, char err[static LIA_ERR_MAX]);
	/* A read transaction: every read until tx_rollback sees one
	 * committed state, and no write lock is taken (writers on other
	 * connections go on). */
	int (*tx_read)(void *impl, char err[static LIA_ERR_MAX]);
	int (*tx_commit)(void *impl, char err[static LIA_ERR_MAX]);
	void (*tx_rollback)(void *impl);
	/* A batch ended: drop what the backend held for it (statements). */
	void (*batch_end)(void *impl);
};

/* The ledger over a backend: takes ownership of impl (destroyed through
 * ops on failure too), checks or creates the schema as lia_ledger_open
 * documents for origin. ops must outlive the ledger (a static table). */
struct lia_ledger *lia_ledger_open_storage(const struct lia_ledger_storage_ops *ops, void *impl,
					   const char *origin, char err[static LIA_ERR_MAX]);

/* The backend object under l when l runs over ops, else NULL: lets a
 * backend's own functions (lia_ledger_db) reach their object. */
void *lia_ledger_storage(struct lia_ledger *l, const struct lia_ledger_storage_ops *ops);

#endif
