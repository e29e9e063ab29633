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
	uint8_t enc[LIA_RECORD_MAX_BYTES];   /* the record being appended or read */
};

#endif
