/*
 * ledger_int.h — the ledger object, shared by the three parts of the
 * ledger's logic (ledger.c: open, append, read, proofs; ledger_checkpoint.c;
 * ledger_verify.c: the full verify). Nothing else includes this: a
 * storage backend sees only ledger_storage.h.
 */
#ifndef LIA_LEDGER_INT_H
#define LIA_LEDGER_INT_H

#include "ledger.h"
#include "ledger_storage.h"

struct lia_ledger {
	const struct lia_ledger_storage_ops *ops;
	void *impl;                          /* the backend's object (owned) */
	char origin[LIA_NOTE_NAME_MAX];
	bool in_batch;
	struct lia_merkle_frontier frontier; /* valid while in_batch */
	char cb_err[LIA_ERR_MAX];            /* failure inside a merkle callback */
	bool has_pin;
	struct lia_checkpoint pin;           /* lia_ledger_pin: the log must extend it */
	uint8_t enc[LIA_RECORD_MAX_BYTES];   /* the record being appended or read */
};

/* Check one stored row against the tree of the records before it (f,
 * holding e records), and push its leaf: the row is record e, decodes
 * canonically, carries its number, and its stored leaf and subtree
 * hashes are those of its bytes. LIA_LEDGER_INVALID with res->what (and
 * res->bad_seq) on a mismatch. ledger_verify.c; the checkpoint signer
 * uses it over the records a new checkpoint adds. */
enum lia_ledger_verdict lia_ledger_check_row(const struct lia_ledger_row *row, uint64_t e,
					     struct lia_merkle_frontier *f,
					     struct lia_ledger_verify_result *res);

/* lia_merkle_get_fn over the backend's rows (ctx: the ledger; failures
 * in l->cb_err). ledger.c. */
int lia_ledger_node_get(void *ctx, unsigned level, uint64_t index, lia_merkle_hash out);

#endif
