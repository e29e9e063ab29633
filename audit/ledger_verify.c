/*
 * ledger_verify.c — lia_ledger_verify: everything recomputed from the
 * record bytes alone, in one ordered walk over the backend's rows, with
 * every stored checkpoint and every given one checked on the way (see
 * ledger.h for what it promises, ledger_storage.h for the rows).
 */
#include "ledger.h"
#include "ledger_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* --- verification --- */

/* A checkpoint to check during the scan, stored or extra. */
struct vcp {
	uint64_t size;
	uint8_t root[32];
	bool extra;
};

static int vcp_cmp(const void *a, const void *b)
{
	const struct vcp *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return (int)x->extra - (int)y->extra;
}

#define VERIFY_FAIL(...)                                                                  \
	do {                                                                              \
		lia_errf(res->what, __VA_ARGS__);                                         \
		verdict = LIA_LEDGER_INVALID;                                             \
		goto done;                                                                \
	} while (0)

/* Check one checkpoint's signature and add it to the list. row_size is
 * the stored row's key (stored) or 0 with index i_extra (given). */
static enum lia_ledger_verdict add_checkpoint(struct vcp **cps, size_t *n, size_t *cap,
					      const char *note, size_t len, bool is_extra,
					      uint64_t row_size, size_t i_extra,
					      const struct lia_note_verifier *v,
					      struct lia_ledger_verify_result *res)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;
		struct vcp *nv = realloc(*cps, ncap * sizeof *nv);
		if (nv == NULL) {
			lia_errf(res->what, "ledger: out of memory");
			return LIA_LEDGER_ERROR;
		}
		*cps = nv;
		*cap = ncap;
	}
	struct lia_checkpoint c;
	char why[LIA_ERR_MAX];
	if (lia_checkpoint_open(&c, note, len, v, why) != LIA_NOTE_OK) {
		res->has_bad_checkpoint = !is_extra;
		res->bad_checkpoint = row_size;
		if (is_extra)
			lia_errf(res->what, "given checkpoint %zu: %s", i_extra + 1, why);
		else
			lia_errf(res->what, "checkpoint at size %" PRIu64 ": %s", row_size, why);
		return LIA_LEDGER_INVALID;
	}
	if (!is_extra && c.size != row_size) {
		res->has_bad_checkpoint = true;
		res->bad_checkpoint = row_size;
		lia_errf(res->what, "checkpoint row at size %" PRIu64 " holds a checkpoint of size "
				    "%" PRIu64, row_size, c.size);
		return LIA_LEDGER_INVALID;
	}
	(*cps)[*n].size = c.size;
	memcpy((*cps)[*n].root, c.root, 32);
	(*cps)[*n].extra = is_extra;
	(*n)++;
	return LIA_LEDGER_VALID;
}

/* The list load_checkpoints grows, walked over the stored rows. */
struct cp_load {
	struct vcp *cps;
	size_t n, cap;
	const struct lia_note_verifier *v;
	struct lia_ledger_verify_result *res;
	enum lia_ledger_verdict verdict;
};

static int cp_load_one(void *ctx, int64_t size, const char *note, size_t len)
{
	struct cp_load *c = ctx;
	if (size < 0 || note == NULL || len == 0) {
		c->res->has_bad_checkpoint = true;
		c->res->bad_checkpoint = (uint64_t)size;
		lia_errf(c->res->what, "checkpoint row at size %lld is empty or damaged",
			 (long long)size);
		c->verdict = LIA_LEDGER_INVALID;
		return 1;
	}
	c->verdict = add_checkpoint(&c->cps, &c->n, &c->cap, note, len, false, (uint64_t)size, 0,
				    c->v, c->res);
	return c->verdict != LIA_LEDGER_VALID;
}

/* Load every checkpoint, stored and given, check its signature, and sort
 * them by size. */
static enum lia_ledger_verdict load_checkpoints(struct lia_ledger *l,
						const struct lia_note_verifier *v,
						const struct lia_ledger_note *extra, size_t n_extra,
						struct vcp **out, size_t *n_out,
						struct lia_ledger_verify_result *res)
{
	struct cp_load c = {.v = v, .res = res, .verdict = LIA_LEDGER_VALID};
	char why[LIA_ERR_MAX];
	if (l->ops->cp_each(l->impl, cp_load_one, &c, why) != 0) {
		lia_errf(res->what, "%s", why);
		c.verdict = LIA_LEDGER_ERROR;
	}
	for (size_t i = 0; c.verdict == LIA_LEDGER_VALID && i < n_extra; i++)
		c.verdict = add_checkpoint(&c.cps, &c.n, &c.cap, extra[i].note, extra[i].len, true,
					   0, i, v, res);
	if (c.verdict != LIA_LEDGER_VALID) {
		free(c.cps);
		c.cps = NULL;
		c.n = 0;
	} else if (c.n > 1) {
		qsort(c.cps, c.n, sizeof *c.cps, vcp_cmp);
	}
	*out = c.cps;
	*n_out = c.n;
	return c.verdict;
}

enum lia_ledger_verdict lia_ledger_check_row(const struct lia_ledger_row *row, uint64_t e,
					 struct lia_merkle_frontier *f,
					 struct lia_ledger_verify_result *res)
{
	enum lia_ledger_verdict verdict = LIA_LEDGER_VALID;
	char why[LIA_ERR_MAX];
	res->has_bad_seq = true;
	res->bad_seq = e;
	if (row->seq < 0 || (uint64_t)row->seq != e)
		VERIFY_FAIL("record %" PRIu64 " is missing (the next stored record is %lld)", e,
			    (long long)row->seq);
	const uint8_t *rec = row->record;
	if (rec == NULL || row->record_len == 0)
		VERIFY_FAIL("record %" PRIu64 " is empty", e);
	uint64_t rec_seq = 0;
	bool has_mid = false;
	uint8_t mid[LIA_ID_BYTES];
	if (lia_record_check(rec, row->record_len, &rec_seq, &has_mid, mid, why) != 0)
		VERIFY_FAIL("record %" PRIu64 " is not a valid record: %s", e, why);
	if (rec_seq != e)
		VERIFY_FAIL("record %" PRIu64 " carries sequence number %" PRIu64
			    " (records moved or swapped)", e, rec_seq);
	lia_merkle_hash leaf;
	lia_merkle_leaf_hash(leaf, rec, row->record_len);
	if (row->leaf_len != LIA_MERKLE_HASH_BYTES || row->leaf == NULL ||
	    memcmp(row->leaf, leaf, LIA_MERKLE_HASH_BYTES) != 0)
		VERIFY_FAIL("record %" PRIu64 ": stored leaf hash does not match the record "
			    "bytes (the record was altered)", e);
	lia_merkle_hash done[63];
	unsigned n_done = 0;
	lia_merkle_frontier_push(f, leaf, done, &n_done);
	if (row->nodes_len != n_done * LIA_MERKLE_HASH_BYTES ||
	    (n_done && (row->nodes == NULL || memcmp(row->nodes, done, row->nodes_len) != 0)))
		VERIFY_FAIL("record %" PRIu64 ": stored subtree hashes do not match the "
			    "records before it", e);
	res->has_bad_seq = false;
done:
	return verdict;
}

enum lia_ledger_verdict lia_ledger_verify(struct lia_ledger *l, const struct lia_note_verifier *v,
					  const struct lia_ledger_note *extra, size_t n_extra,
					  lia_ledger_progress_fn progress, void *progress_ctx,
					  struct lia_ledger_verify_result *res)
{
	memset(res, 0, sizeof *res);
	if (strcmp(v->name, l->origin) != 0) {
		lia_errf(res->what, "the key is for log \"%.64s\" but the ledger's origin is "
				    "\"%.64s\"", v->name, l->origin);
		return LIA_LEDGER_INVALID;
	}
	struct vcp *cps = NULL;
	size_t n_cps = 0, next_cp = 0;
	enum lia_ledger_verdict verdict = load_checkpoints(l, v, extra, n_extra, &cps, &n_cps, res);
	if (verdict != LIA_LEDGER_VALID)
		return verdict;

	uint64_t total = 0;
	char why[LIA_ERR_MAX];
	if (lia_ledger_size(l, &total, why) != 0) {
		lia_errf(res->what, "%s", why);
		free(cps);
		return LIA_LEDGER_ERROR;
	}
	void *cur = NULL;
	if (l->ops->cursor_open(l->impl, 0, 0, &cur, why) != 0) {
		lia_errf(res->what, "ledger: cannot read records: %s", why);
		free(cps);
		return LIA_LEDGER_ERROR;
	}
	struct lia_merkle_frontier f;
	lia_merkle_frontier_init(&f);
	uint64_t good_until = 0; /* records covered by a checkpoint that matched */
	uint64_t e = 0;
	struct lia_ledger_row row;
	int rc;
	for (;;) {
		/* Checkpoints at the current size: the tree of the first e records. */
		while (next_cp < n_cps && cps[next_cp].size == e) {
			lia_merkle_hash root;
			lia_merkle_frontier_root(&f, root);
			if (memcmp(root, cps[next_cp].root, 32) != 0) {
				res->has_bad_checkpoint = true;
				res->bad_checkpoint = e;
				res->has_bad_seq = true;
				res->bad_seq = good_until;
				VERIFY_FAIL("%s checkpoint at size %" PRIu64 " does not match the "
					    "records: one of records %" PRIu64 "..%" PRIu64
					    " was altered, or hashes were rewritten",
					    cps[next_cp].extra ? "given" : "stored", e, good_until,
					    e ? e - 1 : 0);
			}
			good_until = e;
			res->checkpoints++;
			next_cp++;
		}
		rc = l->ops->cursor_next(cur, &row, why);
		if (rc != 1)
			break;
		verdict = lia_ledger_check_row(&row, e, &f, res);
		if (verdict != LIA_LEDGER_VALID)
			goto done;
		e++;
		if (progress && (e & 8191) == 0)
			progress(progress_ctx, e, total);
	}
	if (rc != 0) {
		lia_errf(res->what, "ledger: cannot read records: %s", why);
		verdict = LIA_LEDGER_ERROR;
		goto done;
	}
	if (next_cp < n_cps) {
		res->has_bad_checkpoint = true;
		res->bad_checkpoint = cps[next_cp].size;
		res->has_bad_seq = true;
		res->bad_seq = e;
		VERIFY_FAIL("%s checkpoint at size %" PRIu64 " is beyond the end of the log (%" PRIu64
			    " records): records %" PRIu64 "..%" PRIu64 " were removed",
			    cps[next_cp].extra ? "given" : "stored", cps[next_cp].size, e, e,
			    cps[next_cp].size - 1);
	}
	if (progress)
		progress(progress_ctx, e, total);
done:
	res->size = e;
	l->ops->cursor_close(cur);
	free(cps);
	return verdict;
}
