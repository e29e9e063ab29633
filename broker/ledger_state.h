/*
 * ledger_state.h — what the broker knows about its ledger outside the
 * database, and the start-up check of the database and ledger against it
 * (issue 12, items 4 and 5).
 *
 * Why outside. A database can lose its tail and not know it: a restore
 * from an older copy, a WAL deleted or truncated, a bit flipped in the
 * middle of the WAL (SQLite then drops that frame and every later one,
 * by design). The checkpoints stored in the database roll back with it.
 * So the broker keeps two small files in its data folder, beside
 * liaison.db, both 0600 and never followed through a symbolic link:
 *
 *   ledger.checkpoint  the last checkpoint the broker signed: the signed
 *                      note itself (so it proves itself), replaced
 *                      atomically and fsynced after each one is signed;
 *   ledger.size        "liaison-ledger-size 1 <20 digits>\n": that many
 *                      ledger records were committed. Rewritten in place
 *                      after every commit that appended, before any
 *                      reply of that turn leaves, and not fsynced: it
 *                      survives the process (kill -9 included); after a
 *                      power loss it can only be older, never larger than
 *                      what was durable. So every acknowledged record is
 *                      counted in it.
 *
 * The start-up check (lia_ledger_state_open) refuses (LIA_STATE_REFUSED,
 * with what is wrong in err and what to do in todo) when:
 *   - PRAGMA quick_check finds the database file damaged;
 *   - the ledger does not verify with the broker's own key: every record,
 *     leaf and subtree hash and every stored checkpoint is recomputed
 *     (lia_ledger_verify; ~1 s per 10^6 records). The first bad record is
 *     named. Nothing overrides this: the broker never runs, and so never
 *     signs, over a damaged ledger;
 *   - the ledger holds fewer records than the state says were committed
 *     (rolled back: "N acknowledged records are missing"), its first
 *     records no longer have the root of the last checkpoint signed
 *     (forked), a state file is unreadable or not signed by the broker,
 *     or there is no state although the ledger has records (deleted, or
 *     a store from before this check). These the operator may accept,
 *     once, by naming the ledger's present size (--accept-ledger SIZE):
 *     the state is then rewritten from the ledger as it is.
 * Otherwise, and after an acceptance, the last checkpoint signed is
 * pinned (lia_ledger_pin): no checkpoint is signed that does not extend
 * it.
 *
 * Owns the two files and the descriptor of ledger.size. Trusts nothing
 * it reads from them: sizes and layout are checked, the checkpoint's
 * signature is verified. Errors: 0 / -1 (or LIA_STATE_REFUSED) with err.
 */
#ifndef LIA_BROKER_LEDGER_STATE_H
#define LIA_BROKER_LEDGER_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "ledger.h"
#include "note.h"
#include "unit.h"

#define LIA_STATE_REFUSED 1
/* What to do about a damaged database file. */
#define LIA_STATE_TODO_DAMAGED \
	"keep the damaged files for the investigation and restore the last good backup " \
	"(docs/operations.md, Failures)"

struct lia_ledger_state {
	char cp_path[PATH_MAX];
	char size_path[PATH_MAX];
	bool open;                 /* size_fd is open: commits are recorded */
	int size_fd;               /* ledger.size */
	uint64_t size_written;     /* the size it holds */
	const struct lia_note_verifier *v;
};

/* How the start-up check may end. */
struct lia_ledger_state_opts {
	bool check_only;           /* check and report; write nothing */
	bool has_accept;           /* --accept-ledger SIZE */
	uint64_t accept;
};

/* What the check found, for the start-up log and --check. */
struct lia_ledger_state_report {
	uint64_t records;          /* records verified */
	uint64_t checkpoints;      /* stored checkpoints verified */
	bool has_signed;
	uint64_t signed_size;      /* the last checkpoint signed, per ledger.checkpoint */
	uint64_t committed;        /* per ledger.size */
	bool accepted;             /* a mismatch was accepted (--accept-ledger) */
	uint64_t missing;          /* records the accepted state had beyond the ledger */
};

/* Check the database and ledger of unit u against the state in folder
 * data (see above) with v, the broker's own checkpoint key; then, unless
 * check_only, open the state for writing and pin the last checkpoint.
 * 0; LIA_STATE_REFUSED with err (what) and todo (what to do); -1 with
 * err on an I/O failure. st is usable (and must be closed) either way. */
int lia_ledger_state_open(struct lia_ledger_state *st, const char *data, struct lia_unit *u,
			  const struct lia_note_verifier *v, const struct lia_ledger_state_opts *o,
			  struct lia_ledger_state_report *rep, char err[static LIA_ERR_MAX],
			  char todo[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* After a commit: record the ledger's size when it grew. 0, or -1 with
 * err (the broker logs it and goes on: the signed checkpoint still
 * guards what it covers). */
int lia_ledger_state_grown(struct lia_ledger_state *st, struct lia_ledger *l,
			   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* After a checkpoint was signed: keep it (the ledger's latest). */
int lia_ledger_state_signed(struct lia_ledger_state *st, struct lia_ledger *l,
			    char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Close the descriptor; accepts a state never opened (all zero). */
void lia_ledger_state_close(struct lia_ledger_state *st);

#endif
