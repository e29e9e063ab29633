/*
 * merkle.c — RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their
 * verification (see merkle.h).
 *
 * Proof generation follows the recursive definitions of RFC 9162
 * §2.1.3.1 and §2.1.4.1 literally; the recursion depth is the tree height
 * (at most 63). Every subtree those definitions name is either a complete
 * aligned subtree, read with one callback, or the right edge of the tree,
 * assembled from at most 63 complete ones. Verification is the RFC's
 * iterative algorithm, kept in the RFC's own step order so that a reader
 * can check it line by line.
 */
#include "merkle.h"

#include <assert.h>
#include <sodium.h>
#include <string.h>

const char *lia_merkle_status_str(enum lia_merkle_status st)
{
	switch (st) {
	case LIA_MERKLE_OK: return "ok";
	case LIA_MERKLE_INDEX_RANGE: return "leaf index is not below the tree size";
	case LIA_MERKLE_SIZE_ORDER: return "first tree size is larger than the second";
	case LIA_MERKLE_SIZE_RANGE: return "tree size out of range";
	case LIA_MERKLE_PROOF_NOT_EMPTY: return "proof must be empty for these tree sizes";
	case LIA_MERKLE_PROOF_EMPTY: return "proof is empty but these tree sizes need hashes";
	case LIA_MERKLE_PROOF_TOO_LONG: return "proof has more hashes than the tree needs";
	case LIA_MERKLE_PROOF_TOO_SHORT: return "proof has fewer hashes than the tree needs";
	case LIA_MERKLE_ROOT_MISMATCH: return "proof does not lead to the expected root hash";
	case LIA_MERKLE_OLD_ROOT_MISMATCH:
		return "proof does not lead to the expected root hash of the older tree";
	}
	return "unknown merkle status";
}

/* --- hashing --- */

void lia_merkle_leaf_hash(lia_merkle_hash out, const uint8_t *data, size_t len)
{
	static const uint8_t prefix = 0x00;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	if (len > 0)
		crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

void lia_merkle_node_hash(lia_merkle_hash out, const lia_merkle_hash left,
			  const lia_merkle_hash right)
{
	/* One buffer, one update: node hashing is the inner loop of verify. */
	uint8_t buf[1 + 2 * LIA_MERKLE_HASH_BYTES];
	buf[0] = 0x01;
	memcpy(buf + 1, left, LIA_MERKLE_HASH_BYTES);
	memcpy(buf + 1 + LIA_MERKLE_HASH_BYTES, right, LIA_MERKLE_HASH_BYTES);
	crypto_hash_sha256(out, buf, sizeof buf);
}

void lia_merkle_empty_root(lia_merkle_hash out)
{
	crypto_hash_sha256(out, NULL, 0);
}

/* --- frontier --- */

void lia_merkle_frontier_init(struct lia_merkle_frontier *f)
{
	memset(f, 0, sizeof *f);
}

void lia_merkle_frontier_push(struct lia_merkle_frontier *f, const lia_merkle_hash leaf,
			      lia_merkle_hash completed[63], unsigned *n_completed)
{
	assert(f->size < LIA_MERKLE_SIZE_MAX);
	lia_merkle_hash h;
	memcpy(h, leaf, sizeof h);
	unsigned k = 0;
	/* Each trailing one bit of the old size is a subtree of the same
	 * height as the one being carried: merge them, like binary addition. */
	for (uint64_t s = f->size; s & 1; s >>= 1) {
		assert(f->n > 0);
		f->n--;
		lia_merkle_node_hash(completed[k], f->hash[f->n], h);
		memcpy(h, completed[k], sizeof h);
		k++;
	}
	memcpy(f->hash[f->n], h, sizeof h);
	f->n++;
	f->size++;
	*n_completed = k;
}

void lia_merkle_frontier_root(const struct lia_merkle_frontier *f, lia_merkle_hash root)
{
	if (f->n == 0) {
		lia_merkle_empty_root(root);
		return;
	}
	lia_merkle_hash r;
	memcpy(r, f->hash[f->n - 1], sizeof r);
	for (unsigned i = f->n - 1; i-- > 0;)
		lia_merkle_node_hash(r, f->hash[i], r);
	memcpy(root, r, sizeof r);
}

/* --- reading stored subtrees --- */

int lia_merkle_frontier_load(struct lia_merkle_frontier *f, uint64_t size,
			     lia_merkle_get_fn get, void *ctx)
{
	if (size > LIA_MERKLE_SIZE_MAX)
		return -1;
	lia_merkle_frontier_init(f);
	uint64_t start = 0;
	for (unsigned level = 63; level-- > 0;) {
		uint64_t width = (uint64_t)1 << level;
		if (!(size & width))
			continue;
		if (get(ctx, level, start >> level, f->hash[f->n]) != 0)
			return -1;
		f->n++;
		start += width;
	}
	f->size = size;
	return 0;
}

int lia_merkle_root(lia_merkle_hash root, uint64_t size, lia_merkle_get_fn get, void *ctx)
{
	struct lia_merkle_frontier f;
	if (lia_merkle_frontier_load(&f, size, get, ctx) != 0)
		return -1;
	lia_merkle_frontier_root(&f, root);
	return 0;
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	assert(n >= 2);
	uint64_t k = 1;
	while (k << 1 < n)
		k <<= 1;
	return k;
}

static int is_pow2(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

static unsigned log2_exact(uint64_t n)
{
	unsigned l = 0;
	while (((uint64_t)1 << l) < n)
		l++;
	return l;
}

/* MTH(D[start:start+len]) for a range that is a subtree in the RFC's
 * recursive split: start is a multiple of the smallest power of two >=
 * len. A complete range is one read; otherwise it is the fold, from the
 * right, of its decomposition into complete aligned subtrees. */
static int range_hash(lia_merkle_hash out, uint64_t start, uint64_t len, lia_merkle_get_fn get,
		      void *ctx)
{
	assert(len > 0);
	if (is_pow2(len)) {
		unsigned level = log2_exact(len);
		return get(ctx, level, start >> level, out);
	}
	lia_merkle_hash parts[64];
	unsigned n = 0;
	uint64_t at = start;
	for (unsigned level = 63; level-- > 0;) {
		uint64_t width = (uint64_t)1 << level;
		if (!(len & width))
			continue;
		if (get(ctx, level, at >> level, parts[n]) != 0)
			return -1;
		n++;
		at += width;
	}
	for (unsigned i = n - 1; i-- > 0;)
		lia_merkle_node_hash(parts[n - 1], parts[i], parts[n - 1]);
	memcpy(out, parts[n - 1], LIA_MERKLE_HASH_BYTES);
	return 0;
}

static int proof_add(struct lia_merkle_proof *p, uint64_t start, uint64_t len,
		     lia_merkle_get_fn get, void *ctx)
{
	if (p->n >= LIA_MERKLE_PROOF_MAX)
		return -1;
	if (range_hash(p->h[p->n], start, len, get, ctx) != 0)
		return -1;
	p->n++;
	return 0;
}

/* PATH(m, D[start:start+size]) of RFC 9162 §2.1.3.1. */
static int inclusion_path(struct lia_merkle_proof *p, uint64_t m, uint64_t start, uint64_t size,
			  lia_merkle_get_fn get, void *ctx)
{
	if (size == 1)
		return 0;
	uint64_t k = split_point(size);
	if (m < k) {
		if (inclusion_path(p, m, start, k, get, ctx) != 0)
			return -1;
		return proof_add(p, start + k, size - k, get, ctx);
	}
	if (inclusion_path(p, m - k, start + k, size - k, get, ctx) != 0)
		return -1;
	return proof_add(p, start, k, get, ctx);
}

int lia_merkle_inclusion_proof(struct lia_merkle_proof *proof, uint64_t index, uint64_t size,
			       lia_merkle_get_fn get, void *ctx)
{
	proof->n = 0;
	if (size > LIA_MERKLE_SIZE_MAX || index >= size)
		return -1;
	return inclusion_path(proof, index, 0, size, get, ctx);
}

/* SUBPROOF(m, D[start:start+n], b) of RFC 9162 §2.1.4.1. */
static int subproof(struct lia_merkle_proof *p, uint64_t m, uint64_t start, uint64_t n, int b,
		    lia_merkle_get_fn get, void *ctx)
{
	if (m == n)
		return b ? 0 : proof_add(p, start, n, get, ctx);
	uint64_t k = split_point(n);
	if (m <= k) {
		if (subproof(p, m, start, k, b, get, ctx) != 0)
			return -1;
		return proof_add(p, start + k, n - k, get, ctx);
	}
	if (subproof(p, m - k, start + k, n - k, 0, get, ctx) != 0)
		return -1;
	return proof_add(p, start, k, get, ctx);
}

int lia_merkle_consistency_proof(struct lia_merkle_proof *proof, uint64_t m, uint64_t n,
				 lia_merkle_get_fn get, void *ctx)
{
	proof->n = 0;
	if (n > LIA_MERKLE_SIZE_MAX || m > n)
		return -1;
	if (m == 0 || m == n)
		return 0;
	return subproof(proof, m, 0, n, 1, get, ctx);
}

/* --- verification --- */

static int hash_eq(const lia_merkle_hash a, const lia_merkle_hash b)
{
	return memcmp(a, b, LIA_MERKLE_HASH_BYTES) == 0;
}

enum lia_merkle_status lia_merkle_verify_inclusion(const lia_merkle_hash leaf, uint64_t index,
						   uint64_t size,
						   const struct lia_merkle_proof *proof,
						   const lia_merkle_hash root)
{
	if (size > LIA_MERKLE_SIZE_MAX)
		return LIA_MERKLE_SIZE_RANGE;
	/* 1. */
	if (index >= size)
		return LIA_MERKLE_INDEX_RANGE;
	if (proof->n > LIA_MERKLE_PROOF_MAX)
		return LIA_MERKLE_PROOF_TOO_LONG;
	/* 2., 3. */
	uint64_t fn = index, sn = size - 1;
	lia_merkle_hash r;
	memcpy(r, leaf, sizeof r);
	/* 4. */
	for (size_t i = 0; i < proof->n; i++) {
		const uint8_t *p = proof->h[i];
		if (sn == 0) /* a. */
			return LIA_MERKLE_PROOF_TOO_LONG;
		if ((fn & 1) || fn == sn) { /* b. */
			lia_merkle_node_hash(r, p, r);
			if (!(fn & 1)) {
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
			}
		} else {
			lia_merkle_node_hash(r, r, p);
		}
		fn >>= 1; /* c. */
		sn >>= 1;
	}
	/* 5. */
	if (sn != 0)
		return LIA_MERKLE_PROOF_TOO_SHORT;
	return hash_eq(r, root) ? LIA_MERKLE_OK : LIA_MERKLE_ROOT_MISMATCH;
}

enum lia_merkle_status lia_merkle_verify_consistency(uint64_t m, uint64_t n,
						     const struct lia_merkle_proof *proof,
						     const lia_merkle_hash root1,
						     const lia_merkle_hash root2)
{
	if (n > LIA_MERKLE_SIZE_MAX)
		return LIA_MERKLE_SIZE_RANGE;
	if (m > n)
		return LIA_MERKLE_SIZE_ORDER;
	if (proof->n > LIA_MERKLE_PROOF_MAX)
		return LIA_MERKLE_PROOF_TOO_LONG;
	/* Cases the RFC leaves open: nothing to prove, so nothing may be sent.
	 * The empty tree has one root, SHA-256(""), and we insist on it. */
	if (m == 0 || m == n) {
		if (proof->n != 0)
			return LIA_MERKLE_PROOF_NOT_EMPTY;
		if (m == 0) {
			lia_merkle_hash empty;
			lia_merkle_empty_root(empty);
			if (!hash_eq(root1, empty))
				return LIA_MERKLE_OLD_ROOT_MISMATCH;
			if (n == 0 && !hash_eq(root2, empty))
				return LIA_MERKLE_ROOT_MISMATCH;
			return LIA_MERKLE_OK;
		}
		return hash_eq(root1, root2) ? LIA_MERKLE_OK : LIA_MERKLE_ROOT_MISMATCH;
	}
	/* 1. */
	if (proof->n == 0)
		return LIA_MERKLE_PROOF_EMPTY;
	/* 2. Prepending first_hash is done by reading it as element 0. */
	int prepend = is_pow2(m);
	size_t total = proof->n + (prepend ? 1 : 0);
#define PATH(i) (prepend ? ((i) == 0 ? root1 : proof->h[(i) - 1]) : proof->h[(i)])
	/* 3. */
	uint64_t fn = m - 1, sn = n - 1;
	/* 4. */
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* 5. */
	lia_merkle_hash fr, sr;
	memcpy(fr, PATH(0), sizeof fr);
	memcpy(sr, PATH(0), sizeof sr);
	/* 6. */
	for (size_t i = 1; i < total; i++) {
		const uint8_t *c = PATH(i);
		if (sn == 0) /* a. */
			return LIA_MERKLE_PROOF_TOO_LONG;
		if ((fn & 1) || fn == sn) { /* b. */
			lia_merkle_node_hash(fr, c, fr);
			lia_merkle_node_hash(sr, c, sr);
			if (!(fn & 1)) {
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
			}
		} else {
			lia_merkle_node_hash(sr, sr, c);
		}
		fn >>= 1; /* c. */
		sn >>= 1;
	}
#undef PATH
	/* 7. */
	if (sn != 0)
		return LIA_MERKLE_PROOF_TOO_SHORT;
	if (!hash_eq(fr, root1))
		return LIA_MERKLE_OLD_ROOT_MISMATCH;
	if (!hash_eq(sr, root2))
		return LIA_MERKLE_ROOT_MISMATCH;
	return LIA_MERKLE_OK;
}
