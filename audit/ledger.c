/*
 * ledger.c — the Merkle log over a storage backend (see ledger.h for the
 * transaction rules, ledger_storage.h for the seam, docs/ledger.md for
 * the tables).
 *
 * In memory we keep only, during a batch, the frontier (the right edge
 * of the tree, at most 63 hashes). Everything else is read on demand: a
 * complete aligned subtree (level L, index k) is stored in the row of its
 * last leaf, seq = (k + 1) * 2^L - 1, as the L-th hash of that row (level
 * 0 is the leaf hash). That addressing is the logic's, not the backend's:
 * a backend only returns the hashes of a row.
 *
 * Cost: an append is one protobuf pack, one SHA-256 of the record, one
 * node hash on average and one insert through the backend. A proof is at
 * most ~2 log2(n) keyed reads. The full verify (ledger_verify.c) is one
 * ordered walk.
 */
#include "ledger.h"
#include "ledger_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* --- opening --- */

struct lia_ledger *lia_ledger_open_storage(const struct lia_ledger_storage_ops *ops, void *impl,
					   const char *origin, char err[static LIA_ERR_MAX])
{
	if (origin != NULL && !lia_note_name_valid(origin)) {
		ops->destroy(impl);
		lia_errf(err, "ledger origin \"%.64s\" is not valid: want 1-255 printable "
			      "characters without space or '+'", origin);
		return NULL;
	}
	struct lia_ledger *l = calloc(1, sizeof *l);
	if (l == NULL) {
		ops->destroy(impl);
		lia_errf(err, "ledger: out of memory");
		return NULL;
	}
	l->ops = ops;
	l->impl = impl;
	bool exists = false;
	if (ops->exists(impl, &exists, err) != 0)
		goto fail;
	if (!exists) {
		if (origin == NULL) {
			lia_errf(err, "not a liaison ledger: no table ledger_record");
			goto fail;
		}
		if (ops->create(impl, LIA_LEDGER_SCHEMA_VERSION, origin, err) != 0)
			goto fail;
	}
	char schema[16];
	if (ops->meta_get(impl, "schema", schema, sizeof schema, err) != 0 ||
	    ops->meta_get(impl, "origin", l->origin, sizeof l->origin, err) != 0)
		goto fail;
	if (strcmp(schema, "1") != 0) {
		lia_errf(err, "ledger schema version \"%s\" is not supported (want %d)", schema,
			 LIA_LEDGER_SCHEMA_VERSION);
		goto fail;
	}
	if (!lia_note_name_valid(l->origin)) {
		lia_errf(err, "ledger origin stored in ledger_meta is not valid");
		goto fail;
	}
	if (origin != NULL && strcmp(origin, l->origin) != 0) {
		lia_errf(err, "ledger has origin \"%.64s\", not \"%.64s\"", l->origin, origin);
		goto fail;
	}
	if (ops->ready(impl, err) != 0)
		goto fail;
	return l;
fail:
	lia_ledger_destroy(&l);
	return NULL;
}

void *lia_ledger_storage(struct lia_ledger *l, const struct lia_ledger_storage_ops *ops)
{
	return l->ops == ops ? l->impl : NULL;
}

void lia_ledger_destroy(struct lia_ledger **lp)
{
	if (lp == NULL || *lp == NULL)
		return;
	struct lia_ledger *l = *lp;
	l->ops->destroy(l->impl);
	free(l);
	*lp = NULL;
}

const char *lia_ledger_origin(const struct lia_ledger *l) { return l->origin; }

/* --- reading subtrees --- */

/* lia_merkle_get_fn over the backend's record rows. */
int lia_ledger_node_get(void *ctx, unsigned level, uint64_t index, lia_merkle_hash out)
{
	struct lia_ledger *l = ctx;
	if (level > 62 || index > ((uint64_t)INT64_MAX >> level)) {
		lia_errf(l->cb_err, "ledger: subtree (%u, %" PRIu64 ") out of range", level, index);
		return -1;
	}
	uint64_t last = ((index + 1) << level) - 1;
	int rc = l->ops->hash_get(l->impl, last, level, out, l->cb_err);
	if (rc == 1)
		lia_errf(l->cb_err, "ledger: record %" PRIu64 " is missing", last);
	return rc == 0 ? 0 : -1;
}

int lia_ledger_size(struct lia_ledger *l, uint64_t *size, char err[static LIA_ERR_MAX])
{
	return l->ops->size(l->impl, size, err);
}

int lia_ledger_root(struct lia_ledger *l, uint64_t size, uint8_t root[static 32],
		    char err[static LIA_ERR_MAX])
{
	uint64_t have = 0;
	if (lia_ledger_size(l, &have, err) != 0)
		return -1;
	if (size > have)
		return lia_errf(err, "ledger has %" PRIu64 " records, not %" PRIu64, have, size);
	if (lia_merkle_root(root, size, lia_ledger_node_get, l) != 0)
		return lia_errf(err, "%s", l->cb_err);
	return 0;
}

/* --- appending --- */

uint64_t lia_ledger_next_seq(const struct lia_ledger *l)
{
	assert(l->in_batch);
	return l->frontier.size;
}

int lia_ledger_batch_begin(struct lia_ledger *l, char err[static LIA_ERR_MAX])
{
	l->in_batch = false;
	if (!l->ops->in_tx(l->impl))
		return lia_errf(err, "ledger: appends must run inside the caller's transaction");
	uint64_t size = 0;
	if (lia_ledger_size(l, &size, err) != 0)
		return -1;
	if (lia_merkle_frontier_load(&l->frontier, size, lia_ledger_node_get, l) != 0)
		return lia_errf(err, "%s", l->cb_err);
	l->in_batch = true;
	return 0;
}

static int insert_leaf(struct lia_ledger *l, const uint8_t *rec, size_t len,
		       char err[static LIA_ERR_MAX])
{
	lia_merkle_hash leaf;
	lia_merkle_hash done[63];
	unsigned n_done = 0;
	uint64_t seq = l->frontier.size;
	if (seq >= LIA_MERKLE_SIZE_MAX)
		return lia_errf(err, "ledger is full");
	lia_merkle_leaf_hash(leaf, rec, len);
	lia_merkle_frontier_push(&l->frontier, leaf, done, &n_done);
	if (l->ops->insert(l->impl, seq, rec, len, leaf, n_done ? &done[0][0] : NULL,
			   (size_t)n_done * LIA_MERKLE_HASH_BYTES, err) != 0) {
		/* The frontier is now ahead of the table: end the batch, so that
		 * nothing appends until batch_begin reloads it. */
		l->in_batch = false;
		return -1;
	}
	return 0;
}

int lia_ledger_append(struct lia_ledger *l, struct lia_record *r, char err[static LIA_ERR_MAX])
{
	if (!l->in_batch)
		return lia_errf(err, "ledger: append outside a batch (or after a failed append)");
	r->seq = l->frontier.size;
	size_t len = 0;
	if (lia_record_encode_buf(r, l->enc, sizeof l->enc, &len, err) != 0) {
		l->in_batch = false;
		return -1;
	}
	return insert_leaf(l, l->enc, len, err);
}

int lia_ledger_append_encoded(struct lia_ledger *l, const uint8_t *rec, size_t len,
			      char err[static LIA_ERR_MAX])
{
	if (!l->in_batch)
		return lia_errf(err, "ledger: append outside a batch (or after a failed append)");
	uint64_t seq = 0;
	bool has_mid = false;
	uint8_t mid[LIA_ID_BYTES];
	char why[LIA_ERR_MAX];
	if (lia_record_check(rec, len, &seq, &has_mid, mid, why) != 0) {
		l->in_batch = false;
		return lia_errf(err, "record %" PRIu64 ": %s", l->frontier.size, why);
	}
	if (seq != l->frontier.size) {
		l->in_batch = false;
		return lia_errf(err, "record %" PRIu64 " carries sequence number %" PRIu64,
				l->frontier.size, seq);
	}
	return insert_leaf(l, rec, len, err);
}

void lia_ledger_batch_end(struct lia_ledger *l)
{
	l->in_batch = false;
	l->ops->batch_end(l->impl);
}

int lia_ledger_begin(struct lia_ledger *l, char err[static LIA_ERR_MAX])
{
	return l->ops->tx_begin(l->impl, err);
}

int lia_ledger_commit(struct lia_ledger *l, char err[static LIA_ERR_MAX])
{
	return l->ops->tx_commit(l->impl, err);
}

void lia_ledger_rollback(struct lia_ledger *l)
{
	if (l->ops->in_tx(l->impl))
		l->ops->tx_rollback(l->impl);
}

int lia_ledger_append_all(struct lia_ledger *l, struct lia_record *recs, size_t n,
			  char err[static LIA_ERR_MAX])
{
	if (lia_ledger_begin(l, err) != 0)
		return -1;
	if (lia_ledger_batch_begin(l, err) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (lia_ledger_append(l, &recs[i], err) != 0)
			goto fail;
	}
	lia_ledger_batch_end(l);
	if (lia_ledger_commit(l, err) != 0)
		goto fail;
	return 0;
fail:
	lia_ledger_batch_end(l);
	lia_ledger_rollback(l);
	return -1;
}

/* --- reading records --- */

int lia_ledger_get_encoded(struct lia_ledger *l, uint64_t seq, uint8_t **out, size_t *len,
			   char err[static LIA_ERR_MAX])
{
	*out = NULL;
	*len = 0;
	if (seq > (uint64_t)INT64_MAX)
		return lia_errf(err, "ledger: sequence number out of range");
	size_t n = 0;
	int rc = l->ops->record_get(l->impl, seq, l->enc, sizeof l->enc, &n, err);
	if (rc == 1)
		return lia_errf(err, "ledger has no record %" PRIu64, seq);
	if (rc != 0)
		return -1;
	if (n == 0 || n > sizeof l->enc)
		return lia_errf(err, "ledger record %" PRIu64 " is empty or too large", seq);
	uint8_t *buf = malloc(n);
	if (buf == NULL)
		return lia_errf(err, "ledger: out of memory");
	memcpy(buf, l->enc, n);
	*out = buf;
	*len = n;
	return 0;
}

int lia_ledger_get(struct lia_ledger *l, uint64_t seq, struct lia_record *out,
		   char err[static LIA_ERR_MAX])
{
	uint8_t *b = NULL;
	size_t n = 0;
	if (lia_ledger_get_encoded(l, seq, &b, &n, err) != 0)
		return -1;
	char why[LIA_ERR_MAX];
	int rc = lia_record_decode(out, b, n, why);
	free(b);
	if (rc != 0)
		return lia_errf(err, "ledger record %" PRIu64 " cannot be read: %s", seq, why);
	if (out->seq != seq)
		return lia_errf(err, "ledger record %" PRIu64 " carries sequence number %" PRIu64, seq,
				out->seq);
	return 0;
}

struct lia_ledger_iter {
	struct lia_ledger *l;
	void *cur;
};

int lia_ledger_iter_new(struct lia_ledger *l, struct lia_ledger_iter **itp,
			char err[static LIA_ERR_MAX])
{
	struct lia_ledger_iter *it = calloc(1, sizeof *it);
	*itp = NULL;
	if (it == NULL)
		return lia_errf(err, "ledger: out of memory");
	it->l = l;
	char why[LIA_ERR_MAX];
	if (l->ops->cursor_open(l->impl, 0, 0, &it->cur, why) != 0) {
		free(it);
		return lia_errf(err, "ledger: cannot read records: %s", why);
	}
	*itp = it;
	return 0;
}

int lia_ledger_iter_next(struct lia_ledger_iter *it, int64_t *seq, const uint8_t **rec,
			 size_t *len, char err[static LIA_ERR_MAX])
{
	struct lia_ledger_row row;
	char why[LIA_ERR_MAX];
	int rc = it->l->ops->cursor_next(it->cur, &row, why);
	if (rc < 0)
		return lia_errf(err, "ledger: cannot read records: %s", why);
	if (rc == 0)
		return 0;
	*seq = row.seq;
	*rec = row.record;
	*len = row.record_len;
	return 1;
}

void lia_ledger_iter_destroy(struct lia_ledger_iter **itp)
{
	if (itp == NULL || *itp == NULL)
		return;
	(*itp)->l->ops->cursor_close((*itp)->cur);
	free(*itp);
	*itp = NULL;
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
	for (size_t i = 0; i + k <= n; i++) {
		if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0)
			return true;
	}
	return false;
}

static bool agency_of(const char *subject, const char *agency)
{
	size_t n = strlen(agency);
	return strncmp(subject, agency, n) == 0 && subject[n] == '/';
}

static bool filter_match(const struct lia_ledger_filter *f, const struct lia_record *r)
{
	if (f->has_message_id &&
	    (!r->has_message_id || memcmp(f->message_id, r->message_id, LIA_ID_BYTES) != 0))
		return false;
	if (f->originator && strcmp(f->originator, r->originator) != 0)
		return false;
	if (f->actor && strcmp(f->actor, r->actor.subject) != 0)
		return false;
	if (f->recipient && strcmp(f->recipient, r->recipient.subject) != 0)
		return false;
	if (f->agency && strcmp(f->agency, r->actor.agency) != 0 &&
	    strcmp(f->agency, r->recipient.agency) != 0 && !agency_of(r->originator, f->agency) &&
	    !agency_of(r->actor.subject, f->agency) && !agency_of(r->recipient.subject, f->agency))
		return false;
	if (f->ops && !(f->ops & (1u << r->op)))
		return false;
	if (f->has_decision && f->decision != r->decision)
		return false;
	if (f->since && r->time < f->since)
		return false;
	if (f->until && r->time >= f->until)
		return false;
	return true;
}

int lia_ledger_query(struct lia_ledger *l, const struct lia_ledger_filter *f,
		     lia_ledger_each_fn fn, void *ctx, char err[static LIA_ERR_MAX])
{
	void *cur = NULL;
	char why[LIA_ERR_MAX];
	/* With a range, only those rows, by key; else one walk over all. */
	if (l->ops->cursor_open(l->impl, f->seq_from, f->seq_to, &cur, why) != 0)
		return lia_errf(err, "ledger: cannot query records: %s", why);
	struct lia_record *r = malloc(sizeof *r);
	if (r == NULL) {
		l->ops->cursor_close(cur);
		return lia_errf(err, "ledger: out of memory");
	}
	int ret = 0;
	uint64_t matched = 0;
	struct lia_ledger_row row;
	int rc;
	while ((rc = l->ops->cursor_next(cur, &row, why)) == 1) {
		const uint8_t *b = row.record;
		size_t n = row.record_len;
		/* A record that lacks the 16 bytes of the wanted id cannot match:
		 * skip it without decoding (a chance match is decoded and
		 * filtered like any other record). */
		if (f->has_message_id && b != NULL && n > 0 &&
		    !contains(b, n, f->message_id, LIA_ID_BYTES))
			continue;
		if (b == NULL || n == 0 || lia_record_decode(r, b, n, why) != 0) {
			ret = lia_errf(err, "ledger record %lld cannot be read (run verify): %s",
				       (long long)row.seq, b == NULL ? "empty" : why);
			break;
		}
		if (!filter_match(f, r))
			continue;
		if (fn(ctx, r) != 0)
			break;
		if (f->limit && ++matched >= f->limit)
			break;
	}
	if (ret == 0 && rc < 0)
		ret = lia_errf(err, "ledger: cannot query records: %s", why);
	free(r);
	l->ops->cursor_close(cur);
	return ret;
}

/* --- proofs --- */

int lia_ledger_inclusion_proof(struct lia_ledger *l, uint64_t index, uint64_t size,
			       struct lia_merkle_proof *proof, char err[static LIA_ERR_MAX])
{
	proof->n = 0;
	uint64_t have = 0;
	if (lia_ledger_size(l, &have, err) != 0)
		return -1;
	if (size > have)
		return lia_errf(err, "ledger has %" PRIu64 " records, not %" PRIu64, have, size);
	if (index >= size)
		return lia_errf(err, "record %" PRIu64 " is not in a tree of %" PRIu64 " records",
				index, size);
	l->cb_err[0] = '\0';
	if (lia_merkle_inclusion_proof(proof, index, size, lia_ledger_node_get, l) != 0)
		return lia_errf(err, "cannot build inclusion proof: %s", l->cb_err);
	return 0;
}

int lia_ledger_consistency_proof(struct lia_ledger *l, uint64_t m, uint64_t n,
				 struct lia_merkle_proof *proof, char err[static LIA_ERR_MAX])
{
	proof->n = 0;
	uint64_t have = 0;
	if (lia_ledger_size(l, &have, err) != 0)
		return -1;
	if (m > n || n > have)
		return lia_errf(err, "no consistency proof from %" PRIu64 " to %" PRIu64
				     " records in a log of %" PRIu64, m, n, have);
	l->cb_err[0] = '\0';
	if (lia_merkle_consistency_proof(proof, m, n, lia_ledger_node_get, l) != 0)
		return lia_errf(err, "cannot build consistency proof: %s", l->cb_err);
	return 0;
}

