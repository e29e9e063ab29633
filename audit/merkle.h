/*
 * merkle.h — RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their
 * verification, with SHA-256. Pure code: no I/O, no allocation.
 *
 *   leaf hash = SHA-256(0x00 || leaf bytes)
 *   node hash = SHA-256(0x01 || left || right)
 *   empty tree = SHA-256("")
 *
 * Where the hashes live is the caller's business: proof generation reads
 * the hash of a *complete aligned subtree* (level L, index k: the leaves
 * [k*2^L, (k+1)*2^L)) through a callback, and needs O(log n) of them per
 * proof. The ledger answers from SQLite, the tests from memory.
 *
 * A frontier (what transparency-dev calls a compact range [0, n)) holds
 * the roots of the complete subtrees of the binary decomposition of n,
 * largest first: at most 64 hashes that are enough to append and to
 * compute the root. Appending a leaf completes ctz(n+1) new subtrees; the
 * ledger stores each of them beside the leaf that completed it.
 *
 * Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
 * (consistency) step by step, and closes the cases the RFC leaves to the
 * implementer: index >= size, m > n, m == 0 or m == n with a non-empty
 * proof, an empty proof for 0 < m < n, proofs too short or too long.
 * Hashes here are fixed 32-byte arrays, so a hash of the wrong length
 * cannot reach these functions: the parsers in proof.h refuse it.
 *
 * Errors: verifiers return enum lia_merkle_status (lia_merkle_status_str);
 * generators return 0 / -1 (-1 only when the callback fails or the
 * arguments are out of range). Thread safety: pure functions.
 */
#ifndef LIA_MERKLE_H
#define LIA_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define LIA_MERKLE_HASH_BYTES 32
/* No proof for a tree of fewer than 2^63 leaves has more hashes than this;
 * parsers refuse longer ones before doing any work. */
#define LIA_MERKLE_PROOF_MAX 64
/* Largest tree size: sizes travel through SQLite's signed 64-bit integers. */
#define LIA_MERKLE_SIZE_MAX ((uint64_t)INT64_MAX)

typedef uint8_t lia_merkle_hash[LIA_MERKLE_HASH_BYTES];

/* A proof: n hashes, from the leaf's (or the old tree's) side up. */
struct lia_merkle_proof {
	size_t n;
	lia_merkle_hash h[LIA_MERKLE_PROOF_MAX];
};

enum lia_merkle_status {
	LIA_MERKLE_OK = 0,
	LIA_MERKLE_INDEX_RANGE,     /* leaf index >= tree size */
	LIA_MERKLE_SIZE_ORDER,      /* first size > second size */
	LIA_MERKLE_SIZE_RANGE,      /* a size beyond LIA_MERKLE_SIZE_MAX */
	LIA_MERKLE_PROOF_NOT_EMPTY, /* the proof must be empty for these sizes */
	LIA_MERKLE_PROOF_EMPTY,     /* the proof must not be empty for these sizes */
	LIA_MERKLE_PROOF_TOO_LONG,  /* hashes left over after the path was walked */
	LIA_MERKLE_PROOF_TOO_SHORT, /* the path ended before the root */
	LIA_MERKLE_ROOT_MISMATCH,   /* the proof leads to another root */
	LIA_MERKLE_OLD_ROOT_MISMATCH, /* consistency: the first root does not match */
};
const char *lia_merkle_status_str(enum lia_merkle_status st);

/* --- hashing --- */

void lia_merkle_leaf_hash(lia_merkle_hash out, const uint8_t *data, size_t len);
void lia_merkle_node_hash(lia_merkle_hash out, const lia_merkle_hash left,
			  const lia_merkle_hash right);
void lia_merkle_empty_root(lia_merkle_hash out);

/* --- frontier (compact range [0, size)) --- */

struct lia_merkle_frontier {
	uint64_t size;
	unsigned n;                 /* popcount(size) */
	lia_merkle_hash hash[64];   /* subtree roots, largest (leftmost) first */
};

void lia_merkle_frontier_init(struct lia_merkle_frontier *f);

/* Append a leaf hash. The hashes of the subtrees this leaf completes are
 * written to completed[0..*n_completed), level 1 first (at most 63). */
void lia_merkle_frontier_push(struct lia_merkle_frontier *f, const lia_merkle_hash leaf,
			      lia_merkle_hash completed[63], unsigned *n_completed);

/* Root of the tree of f->size leaves (the empty root for size 0). */
void lia_merkle_frontier_root(const struct lia_merkle_frontier *f, lia_merkle_hash root);

/* --- reading stored subtrees --- */

/* Writes the hash of the complete subtree (level, index) into out;
 * returns 0, or -1 when it cannot (the error is the callback's to keep). */
typedef int (*lia_merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
				 lia_merkle_hash out);

/* Fill f with the frontier of a tree of size leaves: popcount(size) reads. */
int lia_merkle_frontier_load(struct lia_merkle_frontier *f, uint64_t size,
			     lia_merkle_get_fn get, void *ctx) __attribute__((warn_unused_result));

/* Root of the tree of the first size leaves: popcount(size) reads. */
int lia_merkle_root(lia_merkle_hash root, uint64_t size, lia_merkle_get_fn get, void *ctx)
	__attribute__((warn_unused_result));

/* Inclusion proof (RFC 9162 §2.1.3.1) of leaf index in a tree of size
 * leaves. O(log n) reads. */
int lia_merkle_inclusion_proof(struct lia_merkle_proof *proof, uint64_t index, uint64_t size,
			       lia_merkle_get_fn get, void *ctx) __attribute__((warn_unused_result));

/* Consistency proof (RFC 9162 §2.1.4.1) from size m to size n (m <= n).
 * Empty when m == 0 or m == n. O(log n) reads. */
int lia_merkle_consistency_proof(struct lia_merkle_proof *proof, uint64_t m, uint64_t n,
				 lia_merkle_get_fn get, void *ctx) __attribute__((warn_unused_result));

/* --- verification --- */

/* RFC 9162 §2.1.3.2: does proof show that leaf is at index in the tree of
 * size leaves whose root is root? */
enum lia_merkle_status lia_merkle_verify_inclusion(const lia_merkle_hash leaf, uint64_t index,
						   uint64_t size,
						   const struct lia_merkle_proof *proof,
						   const lia_merkle_hash root)
	__attribute__((warn_unused_result));

/* RFC 9162 §2.1.4.2: does proof show that the tree of size m with root1
 * is a prefix of the tree of size n with root2? m == 0 and m == n need an
 * empty proof (and, for m == n, equal roots). */
enum lia_merkle_status lia_merkle_verify_consistency(uint64_t m, uint64_t n,
						     const struct lia_merkle_proof *proof,
						     const lia_merkle_hash root1,
						     const lia_merkle_hash root2)
	__attribute__((warn_unused_result));

#endif
