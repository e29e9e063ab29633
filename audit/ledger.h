/*
 * ledger.h — the disclosure ledger: an append-only RFC 6962 Merkle log of
 * lia_record leaves, with signed checkpoints and proofs (DESIGN §6,
 * docs/ledger.md).
 *
 * Storage. Three append-only tables (SQLite today: ledger_sqlite.h; a
 * backend implements ledger_storage.h, and nothing here names it):
 *   ledger_record(seq, record, leaf, nodes)  one row per leaf:
 *     the exact record bytes, SHA-256(0x00 || record), and the hashes of
 *     the complete subtrees this leaf completes (level 1 first, 32 bytes
 *     each; ctz(seq + 1) of them, one on average). Any complete aligned
 *     subtree is therefore one primary-key read, so appends cost one
 *     INSERT and proofs O(log n) reads, without a second table.
 *   ledger_checkpoint(size, issued_at, note)  every checkpoint issued.
 *   ledger_meta(key, value)  schema version and origin.
 * Triggers refuse UPDATE and DELETE on all three: belt and braces. The real guarantee is lia_ledger_verify(), which trusts
 * no stored hash and finds tampering done behind SQLite's back.
 *
 * Transactions. The broker appends ledger records in the same
 * transaction as the deliveries they describe, so the append path never
 * begins or commits anything itself:
 *
 *     BEGIN IMMEDIATE;                      -- the caller's transaction
 *     lia_ledger_batch_begin(l, err);
 *     lia_ledger_append(l, &rec, err);      -- as many as needed
 *     ...the caller's own inserts...
 *     lia_ledger_batch_end(l);
 *     COMMIT;                               -- or ROLLBACK: nothing to undo here
 *
 * lia_ledger_batch_begin() reloads the tree's right edge from the
 * database (O(log n) reads), so a rolled-back batch leaves no trace in
 * memory. lia_ledger_append_all() is the standalone form with its own
 * transaction. Checkpoints are signed only outside any transaction, over
 * committed records, so the log never signs a tree that a rollback could
 * take back (lia_ledger_checkpoint refuses otherwise).
 *
 * One writer: a ledger has one appending connection (the broker). Readers
 * may open the same file read-only at any time (WAL).
 *
 * Errors: 0 / -1 with err naming what and why; lia_ledger_verify returns
 * a verdict. Thread safety: a struct lia_ledger belongs to one thread, as
 * does the connection under it.
 */
#ifndef LIA_LEDGER_H
#define LIA_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"
#include "merkle.h"
#include "note.h"
#include "record.h"

#define LIA_LEDGER_SCHEMA_VERSION 1

struct lia_ledger;

/* --- opening --- */

enum {
	LIA_LEDGER_READONLY = 1, /* open an existing file read-only (auditors) */
	LIA_LEDGER_CREATE = 2,   /* create the file and the tables if absent */
};

/* Open (and own) a database file: WAL, synchronous=FULL, busy timeout
 * 5 s. flags: LIA_LEDGER_READONLY or LIA_LEDGER_CREATE (or 0). With
 * LIA_LEDGER_CREATE and origin, create the tables when absent; with
 * origin non-NULL, refuse a ledger of another origin. The origin is the
 * checkpoint origin line and note key name, e.g.
 * "liaison.example/eu-central/ledger" (see lia_note_name_valid). The
 * broker does not open its ledger here but through its unit of work
 * (store/unit.h), which shares one connection with the store. */
struct lia_ledger *lia_ledger_open_file(const char *path, const char *origin, unsigned flags,
					char err[static LIA_ERR_MAX]);

/* Finalize statements, close the database if owned, free; accepts NULL;
 * sets *l to NULL. */
void lia_ledger_destroy(struct lia_ledger **l);

const char *lia_ledger_origin(const struct lia_ledger *l);

/* --- appending --- */

/* Start a batch inside the caller's open transaction (refused outside
 * one): reload the tree's right edge from the database. */
int lia_ledger_batch_begin(struct lia_ledger *l, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Validate r, set r->seq to the next sequence number, encode it and
 * insert it with its leaf and subtree hashes. After a failure the batch
 * is over: the caller rolls back its transaction. */
int lia_ledger_append(struct lia_ledger *l, struct lia_record *r, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Append already encoded record bytes, exactly as given (imports of an
 * export): they must decode canonically and carry the next sequence. */
int lia_ledger_append_encoded(struct lia_ledger *l, const uint8_t *rec, size_t len,
			      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* End the batch (resets statements). The caller then commits. */
void lia_ledger_batch_end(struct lia_ledger *l);

/* Standalone: append recs[0..n) in one transaction of our own (BEGIN
 * IMMEDIATE ... COMMIT; rolled back on any failure). Sets each seq. */
int lia_ledger_append_all(struct lia_ledger *l, struct lia_record *recs, size_t n,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The ledger's own write transaction, for writers that are not inside
 * a unit of work (imports of an export; lia_ledger_append_all): begin
 * with the write lock taken (refused while any transaction is open),
 * then batch_begin, appends, batch_end, and commit or roll back.
 * Rollback accepts a ledger with no open transaction. */
int lia_ledger_begin(struct lia_ledger *l, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
int lia_ledger_commit(struct lia_ledger *l, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
void lia_ledger_rollback(struct lia_ledger *l);

/* --- reading --- */

/* Inside a batch: the sequence number the next append will get. */
uint64_t lia_ledger_next_seq(const struct lia_ledger *l);

/* Number of records visible to this connection. */
int lia_ledger_size(struct lia_ledger *l, uint64_t *size, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Root hash of the first size records (size <= current size), from the
 * stored subtree hashes: popcount(size) reads. */
int lia_ledger_root(struct lia_ledger *l, uint64_t size, uint8_t root[static 32],
		    char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The record at seq, decoded and validated. */
int lia_ledger_get(struct lia_ledger *l, uint64_t seq, struct lia_record *out,
		   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The exact stored bytes of the record at seq (*out malloc'd). */
int lia_ledger_get_encoded(struct lia_ledger *l, uint64_t seq, uint8_t **out, size_t *len,
			   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Which records lia_ledger_query passes on; zero fields match anything. */
struct lia_ledger_filter {
	bool has_message_id;
	uint8_t message_id[LIA_ID_BYTES];
	const char *originator; /* subject */
	const char *actor;      /* subject */
	const char *recipient;  /* subject */
	const char *agency;     /* actor's, recipient's or originator's agency */
	uint32_t ops;           /* bit (1u << op) per operation; 0 = all */
	bool has_decision;
	enum lia_record_decision decision;
	int64_t since;          /* time >= since; 0 = open */
	int64_t until;          /* time < until; 0 = open */
	uint64_t limit;         /* 0 = no limit */
	uint64_t seq_from;      /* with seq_to > 0: only records */
	uint64_t seq_to;        /* seq_from <= seq < seq_to, read by key */
};

/* Called for each matching record in sequence order; a non-zero return
 * stops the query (and is not an error). The record is borrowed. */
typedef int (*lia_ledger_each_fn)(void *ctx, const struct lia_record *r);

/* Records matching f, by one sequential scan (or, with seq_to, by key
 * over that range only). A record that does not decode is an error
 * naming its sequence number. Cost of a scan: ~1 s per 10^6 records; by
 * message id ~0.1 s, since records without the id's bytes are skipped
 * undecoded. An index on message_id would make that O(log n) but costs
 * every append a random B-tree insert (measured: ledger appends 17-30 %
 * slower, broker deliveries ~12 % at k=10). The broker instead keeps, in
 * its store, the record ranges of each publication and consent answer
 * (lia_store_ledger_ranges) and reads them by range. */
int lia_ledger_query(struct lia_ledger *l, const struct lia_ledger_filter *f,
		     lia_ledger_each_fn fn, void *ctx, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* An ordered walk over the stored record bytes, every row in sequence
 * order, with no decoding (exports; callers that check each record
 * themselves). Rows are reported as stored: a damaged store may skip or
 * repeat a number, which the caller must check (lia_ledger_verify does). */
struct lia_ledger_iter;
int lia_ledger_iter_new(struct lia_ledger *l, struct lia_ledger_iter **it,
			char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* 1 with the next row (*rec borrowed until the next call; *seq is the
 * stored key, negative only in a tampered store), 0 at the end, -1 with
 * err on a read failure. */
int lia_ledger_iter_next(struct lia_ledger_iter *it, int64_t *seq, const uint8_t **rec,
			 size_t *len, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* Accepts NULL; nulls *it. */
void lia_ledger_iter_destroy(struct lia_ledger_iter **it);

/* --- checkpoints --- */

/* Sign and store a checkpoint of every committed record with key (an
 * LIA_KEY_SIGN secret), key name = origin. Refused inside a transaction,
 * on an empty log, when the log no longer matches its latest checkpoint
 * or the pinned one (never sign a fork), and when a record added since
 * the latest checkpoint does not match its stored hashes: the new root
 * is recomputed from those records' bytes, not read from stored hashes
 * (one ordered read of the new records). When the latest checkpoint
 * already covers every record it is returned, not re-signed. out may be
 * NULL. */
int lia_ledger_checkpoint(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
			  struct lia_checkpoint *out, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Pin c (NULL: unpin): from now on a checkpoint is signed only if the
 * first c->size records still have c's root, and each one signed
 * becomes the pin. The broker pins the last checkpoint it signed, kept
 * outside the database (broker/ledger_state.h), so that a log rolled
 * back or rewritten under it is never signed over. */
void lia_ledger_pin(struct lia_ledger *l, const struct lia_checkpoint *c);
/* The pin, if any: true with *c. */
bool lia_ledger_pinned(const struct lia_ledger *l, struct lia_checkpoint *c);

/* When the latest checkpoint was issued (0 when none). */
int lia_ledger_checkpoint_issued(struct lia_ledger *l, int64_t *at, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* The periodic form, for the broker's loop: checkpoint when at least
 * every_records records (0 = never by count) or every_seconds seconds
 * (0 = never by time, and only if there are new records) have passed
 * since the latest checkpoint. *issued says whether it signed one. */
int lia_ledger_checkpoint_maybe(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
				uint64_t every_records, int64_t every_seconds, bool *issued,
				char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The checkpoint lia_ledger_checkpoint would issue, signed but not
 * stored, in a read transaction of l: for another connection to the
 * same database than the one that stores it (the broker signs off its
 * loop thread, broker/maint.h). pin: the checkpoint the log must extend
 * (lia_ledger_pin's, NULL for none). 1 with *note (malloc'd) and *out;
 * 0 when the latest stored checkpoint already covers every record; -1
 * with err, refused as lia_ledger_checkpoint refuses. */
int lia_ledger_checkpoint_prepare(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
				  const struct lia_checkpoint *pin, char **note, size_t *len,
				  struct lia_checkpoint *out, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Store c, prepared on another connection by lia_ledger_checkpoint_prepare
 * (note is its signed text), as issued at now, and make it the pin if l
 * has one. Refused unless it is newer than the latest stored checkpoint,
 * which still holds, the log extends the pin, and the first c->size
 * records stored have c's root (never store a checkpoint of a fork). */
int lia_ledger_checkpoint_adopt(struct lia_ledger *l, const char *note, size_t len,
				const struct lia_checkpoint *c, int64_t now, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Store a signed checkpoint note received from elsewhere (an import).
 * Its text is parsed, not verified: lia_ledger_verify checks it. */
int lia_ledger_checkpoint_store(struct lia_ledger *l, const char *note, size_t len,
				int64_t issued_at, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* The stored note of the checkpoint at exactly size (*note malloc'd,
 * NUL-terminated). Returns 1 when there is none. */
int lia_ledger_checkpoint_get(struct lia_ledger *l, uint64_t size, char **note, size_t *len,
			      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The latest checkpoint: its size and note. Returns 1 when there is none. */
int lia_ledger_checkpoint_latest(struct lia_ledger *l, uint64_t *size, char **note, size_t *len,
				 char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Sizes of all stored checkpoints, ascending (*sizes malloc'd). */
int lia_ledger_checkpoint_list(struct lia_ledger *l, uint64_t **sizes, size_t *n,
			       char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* --- proofs --- */

/* Inclusion proof of record index in the tree of size records. */
int lia_ledger_inclusion_proof(struct lia_ledger *l, uint64_t index, uint64_t size,
			       struct lia_merkle_proof *proof, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Consistency proof from size m to size n (m <= n <= current size). */
int lia_ledger_consistency_proof(struct lia_ledger *l, uint64_t m, uint64_t n,
				 struct lia_merkle_proof *proof, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* --- verification --- */

enum lia_ledger_verdict {
	LIA_LEDGER_VALID = 0,
	LIA_LEDGER_INVALID,  /* tampered or inconsistent: see the result */
	LIA_LEDGER_ERROR,    /* could not read the ledger at all */
};

struct lia_ledger_verify_result {
	uint64_t size;              /* records read */
	uint64_t checkpoints;       /* checkpoints verified (stored and extra) */
	bool has_bad_seq;
	uint64_t bad_seq;           /* first record found bad (or first of a bad range) */
	bool has_bad_checkpoint;
	uint64_t bad_checkpoint;    /* size of the first bad checkpoint */
	char what[LIA_ERR_MAX];     /* the first failure, in words */
};

/* A checkpoint the auditor holds independently of the ledger file. */
struct lia_ledger_note {
	const char *note;
	size_t len;
};

typedef void (*lia_ledger_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Recompute everything from the record bytes alone: every record decodes
 * canonically and carries its own sequence number, no sequence number is
 * missing, every stored leaf and subtree hash matches, every stored
 * checkpoint and every extra one is signed by v and its root matches the
 * recomputed tree at its size, and no checkpoint lies beyond the end of
 * the log (truncation). Stops at the first failure and names it.
 * progress (may be NULL) is called every few thousand records. */
enum lia_ledger_verdict lia_ledger_verify(struct lia_ledger *l, const struct lia_note_verifier *v,
					  const struct lia_ledger_note *extra, size_t n_extra,
					  lia_ledger_progress_fn progress, void *progress_ctx,
					  struct lia_ledger_verify_result *res);

#endif
