/*
 * test_merkle.c — RFC 6962 / 9162 hashing, proofs and verification.
 *
 * Known answers: the public RFC 6962 test vectors used by the Certificate
 * Transparency implementations (transparency-dev/merkle testonly and
 * proof tests): eight leaves, the roots of every size 0..8, every
 * complete subtree, and the inclusion and consistency proofs they list.
 * Then exhaustive self-consistency: for every tree size up to 300, every
 * inclusion proof and every consistency proof verifies, matches a naive
 * recursive implementation of the RFC's definitions (up to 64), and each
 * mutation of it (a flipped bit in any hash, a hash removed, added or
 * prepended, a wrong index or size, a swapped root) fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "merkle.h"
#include "util.h"

static void unhex(uint8_t *out, size_t n, const char *hex)
{
	assert_int_equal(lia_unhex(out, n, hex), 0);
}

/* The eight leaf inputs of the vectors. */
static const char *const leaf_hex[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

static const char *const root_hex[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Every complete subtree of the 8-leaf tree, by level. */
static const char *const node_hex[4][8] = {
	{"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	 "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	 "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	 "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	 "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	 "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	 "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"},
	{"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	 "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	 "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"},
	{"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"},
	{"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"},
};

struct vector {
	uint64_t a, size; /* leaf index (inclusion) or first size (consistency) */
	size_t n;
	const char *hex[3];
};

/* Inclusion vectors: {leaf index, tree size, proof}. */
static const struct vector inclusion_vectors[] = {
	{0, 8, 3, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{5, 8, 3, {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
	{1, 5, 3, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

/* Consistency vectors: {first size, second size, proof}. */
static const struct vector consistency_vectors[] = {
	{1, 1, 0, {NULL}},
	{1, 8, 3, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{6, 8, 3, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{2, 5, 2, {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
	{6, 7, 3, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		   "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
		   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

/* An in-memory tree: every complete subtree precomputed, level by level.
 * get() refuses subtrees beyond the current size, so a generator that
 * reads a node it should not need is caught. */
#define MAXN 300
struct tree {
	uint64_t size;          /* the size proofs are being made for */
	uint64_t n;             /* leaves available */
	lia_merkle_hash level[10][MAXN];
	unsigned reads;
};

static int tree_get(void *ctx, unsigned level, uint64_t index, lia_merkle_hash out)
{
	struct tree *t = ctx;
	if (level >= 10 || ((index + 1) << level) > t->size)
		return -1;
	memcpy(out, t->level[level][index], 32);
	t->reads++;
	return 0;
}

static void tree_build(struct tree *t, uint64_t n, const uint8_t *const *data, const size_t *len)
{
	memset(t, 0, sizeof *t);
	t->n = n;
	for (uint64_t i = 0; i < n; i++)
		lia_merkle_leaf_hash(t->level[0][i], data[i], len[i]);
	for (unsigned l = 1; l < 10; l++)
		for (uint64_t k = 0; ((k + 1) << l) <= n; k++)
			lia_merkle_node_hash(t->level[l][k], t->level[l - 1][2 * k],
					     t->level[l - 1][2 * k + 1]);
}

/* MTH(D[a:b]) straight from RFC 9162 §2.1.1. */
static void naive_mth(const struct tree *t, uint64_t a, uint64_t b, lia_merkle_hash out)
{
	if (b - a == 1) {
		memcpy(out, t->level[0][a], 32);
		return;
	}
	uint64_t k = 1;
	while (k * 2 < b - a)
		k *= 2;
	lia_merkle_hash l, r;
	naive_mth(t, a, a + k, l);
	naive_mth(t, a + k, b, r);
	lia_merkle_node_hash(out, l, r);
}

static void naive_path(const struct tree *t, uint64_t m, uint64_t a, uint64_t b,
		       struct lia_merkle_proof *p)
{
	if (b - a == 1)
		return;
	uint64_t k = 1;
	while (k * 2 < b - a)
		k *= 2;
	if (m < k) {
		naive_path(t, m, a, a + k, p);
		naive_mth(t, a + k, b, p->h[p->n++]);
	} else {
		naive_path(t, m - k, a + k, b, p);
		naive_mth(t, a, a + k, p->h[p->n++]);
	}
}

static void naive_subproof(const struct tree *t, uint64_t m, uint64_t a, uint64_t b, int flag,
			   struct lia_merkle_proof *p)
{
	if (m == b - a) {
		if (!flag)
			naive_mth(t, a, b, p->h[p->n++]);
		return;
	}
	uint64_t k = 1;
	while (k * 2 < b - a)
		k *= 2;
	if (m <= k) {
		naive_subproof(t, m, a, a + k, flag, p);
		naive_mth(t, a + k, b, p->h[p->n++]);
	} else {
		naive_subproof(t, m - k, a + k, b, 0, p);
		naive_mth(t, a, a + k, p->h[p->n++]);
	}
}

static struct tree *vector_tree(void)
{
	static uint8_t bufs[8][16];
	const uint8_t *data[8];
	size_t len[8];
	for (int i = 0; i < 8; i++) {
		len[i] = strlen(leaf_hex[i]) / 2;
		if (len[i])
			unhex(bufs[i], len[i], leaf_hex[i]);
		data[i] = bufs[i];
	}
	struct tree *t = malloc(sizeof *t);
	assert_non_null(t);
	tree_build(t, 8, data, len);
	return t;
}

static void test_known_roots_and_nodes(void **state)
{
	(void)state;
	struct tree *t = vector_tree();
	uint8_t want[32];
	lia_merkle_hash got;
	for (unsigned l = 0; l < 4; l++) {
		for (unsigned k = 0; k < (8u >> l); k++) {
			unhex(want, 32, node_hex[l][k]);
			assert_memory_equal(t->level[l][k], want, 32);
		}
	}
	for (uint64_t n = 0; n <= 8; n++) {
		unhex(want, 32, root_hex[n]);
		t->size = n;
		assert_int_equal(lia_merkle_root(got, n, tree_get, t), 0);
		assert_memory_equal(got, want, 32);
		/* The frontier gives the same root, appending one leaf at a time. */
		struct lia_merkle_frontier f;
		lia_merkle_frontier_init(&f);
		for (uint64_t i = 0; i < n; i++) {
			lia_merkle_hash done[63];
			unsigned nd;
			lia_merkle_frontier_push(&f, t->level[0][i], done, &nd);
			/* Leaf i completes ctz(i + 1) subtrees, the ones ending at i. */
			for (unsigned j = 0; j < nd; j++)
				assert_memory_equal(done[j], t->level[j + 1][(i + 1) / (2u << j) - 1],
						    32);
		}
		lia_merkle_frontier_root(&f, got);
		assert_memory_equal(got, want, 32);
	}
	free(t);
}

static void load_vector(const struct vector *v, struct lia_merkle_proof *p)
{
	memset(p, 0, sizeof *p);
	p->n = v->n;
	for (size_t i = 0; i < v->n; i++)
		unhex(p->h[i], 32, v->hex[i]);
}

static void test_known_inclusion(void **state)
{
	(void)state;
	struct tree *t = vector_tree();
	for (size_t i = 0; i < sizeof inclusion_vectors / sizeof inclusion_vectors[0]; i++) {
		const struct vector *v = &inclusion_vectors[i];
		struct lia_merkle_proof want, got;
		uint8_t root[32];
		load_vector(v, &want);
		unhex(root, 32, root_hex[v->size]);
		t->size = v->size;
		assert_int_equal(lia_merkle_inclusion_proof(&got, v->a, v->size, tree_get, t), 0);
		assert_int_equal(got.n, want.n);
		assert_memory_equal(got.h, want.h, want.n * 32);
		assert_int_equal(lia_merkle_verify_inclusion(t->level[0][v->a], v->a, v->size, &want,
							     root),
				 LIA_MERKLE_OK);
	}
	free(t);
}

static void test_known_consistency(void **state)
{
	(void)state;
	struct tree *t = vector_tree();
	for (size_t i = 0; i < sizeof consistency_vectors / sizeof consistency_vectors[0]; i++) {
		const struct vector *v = &consistency_vectors[i];
		struct lia_merkle_proof want, got;
		uint8_t r1[32], r2[32];
		load_vector(v, &want);
		unhex(r1, 32, root_hex[v->a]);
		unhex(r2, 32, root_hex[v->size]);
		t->size = v->size;
		assert_int_equal(lia_merkle_consistency_proof(&got, v->a, v->size, tree_get, t), 0);
		assert_int_equal(got.n, want.n);
		if (want.n)
			assert_memory_equal(got.h, want.h, want.n * 32);
		assert_int_equal(lia_merkle_verify_consistency(v->a, v->size, &want, r1, r2),
				 LIA_MERKLE_OK);
	}
	free(t);
}

/* The edge cases RFC 9162 leaves to the implementer. */
static void test_edge_cases(void **state)
{
	(void)state;
	uint8_t empty[32], some[32], r1[32];
	lia_merkle_empty_root(empty);
	unhex(empty + 0, 32, root_hex[0]);
	memset(some, 0xab, sizeof some);
	unhex(r1, 32, root_hex[1]);
	struct lia_merkle_proof none = {0}, one = {0};
	one.n = 1;
	memcpy(one.h[0], empty, 32);

	/* Inclusion: index >= size, empty tree, trailing hashes. */
	assert_int_equal(lia_merkle_verify_inclusion(some, 0, 0, &none, empty), LIA_MERKLE_INDEX_RANGE);
	assert_int_equal(lia_merkle_verify_inclusion(some, 1, 1, &none, some), LIA_MERKLE_INDEX_RANGE);
	assert_int_equal(lia_merkle_verify_inclusion(some, 2, 1, &none, some), LIA_MERKLE_INDEX_RANGE);
	assert_int_equal(lia_merkle_verify_inclusion(some, 0, 1, &none, some), LIA_MERKLE_OK);
	assert_int_equal(lia_merkle_verify_inclusion(some, 0, 1, &one, some),
			 LIA_MERKLE_PROOF_TOO_LONG);
	assert_int_equal(lia_merkle_verify_inclusion(some, 0, 1, &none, empty),
			 LIA_MERKLE_ROOT_MISMATCH);
	assert_int_equal(lia_merkle_verify_inclusion(some, 0, 2, &none, some),
			 LIA_MERKLE_PROOF_TOO_SHORT);
	assert_int_equal(lia_merkle_verify_inclusion(some, 0, (uint64_t)INT64_MAX + 1, &none, some),
			 LIA_MERKLE_SIZE_RANGE);

	/* Consistency: m > n, m == 0 and m == n need empty proofs, empty proof otherwise. */
	assert_int_equal(lia_merkle_verify_consistency(1, 0, &none, some, some), LIA_MERKLE_SIZE_ORDER);
	assert_int_equal(lia_merkle_verify_consistency(2, 1, &none, some, some), LIA_MERKLE_SIZE_ORDER);
	assert_int_equal(lia_merkle_verify_consistency(0, 0, &none, empty, empty), LIA_MERKLE_OK);
	assert_int_equal(lia_merkle_verify_consistency(0, 0, &one, empty, empty),
			 LIA_MERKLE_PROOF_NOT_EMPTY);
	assert_int_equal(lia_merkle_verify_consistency(0, 0, &none, some, some),
			 LIA_MERKLE_OLD_ROOT_MISMATCH);
	assert_int_equal(lia_merkle_verify_consistency(0, 1, &none, empty, some), LIA_MERKLE_OK);
	assert_int_equal(lia_merkle_verify_consistency(0, 1, &one, empty, some),
			 LIA_MERKLE_PROOF_NOT_EMPTY);
	assert_int_equal(lia_merkle_verify_consistency(0, 1, &none, some, some),
			 LIA_MERKLE_OLD_ROOT_MISMATCH);
	assert_int_equal(lia_merkle_verify_consistency(1, 1, &none, r1, r1), LIA_MERKLE_OK);
	assert_int_equal(lia_merkle_verify_consistency(1, 1, &none, r1, some),
			 LIA_MERKLE_ROOT_MISMATCH);
	assert_int_equal(lia_merkle_verify_consistency(1, 1, &one, r1, r1),
			 LIA_MERKLE_PROOF_NOT_EMPTY);
	assert_int_equal(lia_merkle_verify_consistency(1, 2, &none, r1, some), LIA_MERKLE_PROOF_EMPTY);
	struct lia_merkle_proof big = {0};
	big.n = LIA_MERKLE_PROOF_MAX + 1;
	assert_int_equal(lia_merkle_verify_inclusion(some, 0, 2, &big, some),
			 LIA_MERKLE_PROOF_TOO_LONG);
	assert_int_equal(lia_merkle_verify_consistency(1, 2, &big, some, some),
			 LIA_MERKLE_PROOF_TOO_LONG);

	/* Generators refuse what has no proof. */
	struct lia_merkle_proof p;
	assert_int_equal(lia_merkle_inclusion_proof(&p, 3, 3, tree_get, NULL), -1);
	assert_int_equal(lia_merkle_consistency_proof(&p, 4, 3, tree_get, NULL), -1);
	assert_int_equal(lia_merkle_consistency_proof(&p, 0, 3, tree_get, NULL), 0);
	assert_int_equal(p.n, 0);
	assert_string_not_equal(lia_merkle_status_str(LIA_MERKLE_ROOT_MISMATCH), "ok");
}

/* Every mutation of a valid inclusion proof must fail. */
static void check_inclusion_mutations(const lia_merkle_hash leaf, uint64_t i, uint64_t n,
				      const struct lia_merkle_proof *p, const lia_merkle_hash root)
{
	struct lia_merkle_proof q;
	lia_merkle_hash bad;
	for (size_t k = 0; k < p->n; k++) {
		q = *p;
		q.h[k][k % 32] ^= (uint8_t)(1u << (k % 8));
		assert_int_not_equal(lia_merkle_verify_inclusion(leaf, i, n, &q, root), LIA_MERKLE_OK);
	}
	if (p->n > 0) {
		q = *p;
		q.n--;
		assert_int_not_equal(lia_merkle_verify_inclusion(leaf, i, n, &q, root), LIA_MERKLE_OK);
	}
	q = *p;
	memcpy(q.h[q.n++], root, 32);
	assert_int_not_equal(lia_merkle_verify_inclusion(leaf, i, n, &q, root), LIA_MERKLE_OK);
	q = *p;
	memmove(q.h[1], q.h[0], 32 * q.n);
	memcpy(q.h[0], leaf, 32);
	q.n++;
	assert_int_not_equal(lia_merkle_verify_inclusion(leaf, i, n, &q, root), LIA_MERKLE_OK);
	assert_int_not_equal(lia_merkle_verify_inclusion(leaf, i + 1, n, p, root), LIA_MERKLE_OK);
	if (i > 0)
		assert_int_not_equal(lia_merkle_verify_inclusion(leaf, i - 1, n, p, root),
				     LIA_MERKLE_OK);
	assert_int_not_equal(lia_merkle_verify_inclusion(leaf, i, n * 2, p, root), LIA_MERKLE_OK);
	if (n / 2 > i)
		assert_int_not_equal(lia_merkle_verify_inclusion(leaf, i, n / 2, p, root),
				     LIA_MERKLE_OK);
	memcpy(bad, leaf, 32);
	bad[31] ^= 1;
	assert_int_not_equal(lia_merkle_verify_inclusion(bad, i, n, p, root), LIA_MERKLE_OK);
	memcpy(bad, root, 32);
	bad[0] ^= 0x80;
	assert_int_not_equal(lia_merkle_verify_inclusion(leaf, i, n, p, bad), LIA_MERKLE_OK);
}

static void check_consistency_mutations(uint64_t m, uint64_t n, const struct lia_merkle_proof *p,
					const lia_merkle_hash r1, const lia_merkle_hash r2)
{
	struct lia_merkle_proof q;
	for (size_t k = 0; k < p->n; k++) {
		q = *p;
		q.h[k][(k * 7) % 32] ^= (uint8_t)(1u << (k % 8));
		assert_int_not_equal(lia_merkle_verify_consistency(m, n, &q, r1, r2), LIA_MERKLE_OK);
	}
	q = *p;
	q.n--;
	assert_int_not_equal(lia_merkle_verify_consistency(m, n, &q, r1, r2), LIA_MERKLE_OK);
	q = *p;
	memcpy(q.h[q.n++], r2, 32);
	assert_int_not_equal(lia_merkle_verify_consistency(m, n, &q, r1, r2), LIA_MERKLE_OK);
	q = *p;
	memmove(q.h[1], q.h[0], 32 * q.n);
	memcpy(q.h[0], r1, 32);
	q.n++;
	assert_int_not_equal(lia_merkle_verify_consistency(m, n, &q, r1, r2), LIA_MERKLE_OK);
	assert_int_not_equal(lia_merkle_verify_consistency(m, n, p, r2, r1), LIA_MERKLE_OK);
	assert_int_not_equal(lia_merkle_verify_consistency(m - 1, n, p, r1, r2), LIA_MERKLE_OK);
	assert_int_not_equal(lia_merkle_verify_consistency(m + 1, n, p, r1, r2), LIA_MERKLE_OK);
	assert_int_not_equal(lia_merkle_verify_consistency(m, n * 2, p, r1, r2), LIA_MERKLE_OK);
	q.n = 0;
	assert_int_not_equal(lia_merkle_verify_consistency(m, n, &q, r1, r2), LIA_MERKLE_OK);
}

static void test_exhaustive_300(void **state)
{
	(void)state;
	static uint8_t bufs[MAXN][8];
	const uint8_t *data[MAXN];
	size_t len[MAXN];
	for (unsigned i = 0; i < MAXN; i++) {
		for (unsigned j = 0; j < 8; j++)
			bufs[i][j] = (uint8_t)(i * 31 + j * 7);
		data[i] = bufs[i];
		len[i] = 1 + i % 8;
	}
	struct tree *t = malloc(sizeof *t);
	assert_non_null(t);
	tree_build(t, MAXN, data, len);
	static lia_merkle_hash roots[MAXN + 1];
	for (uint64_t n = 0; n <= MAXN; n++) {
		t->size = n;
		assert_int_equal(lia_merkle_root(roots[n], n, tree_get, t), 0);
		if (n > 0 && n <= 64) {
			lia_merkle_hash naive;
			naive_mth(t, 0, n, naive);
			assert_memory_equal(roots[n], naive, 32);
		}
	}
	unsigned long proofs = 0;
	for (uint64_t n = 1; n <= MAXN; n++) {
		t->size = n;
		for (uint64_t i = 0; i < n; i++) {
			struct lia_merkle_proof p;
			t->reads = 0;
			assert_int_equal(lia_merkle_inclusion_proof(&p, i, n, tree_get, t), 0);
			/* O(log n) reads: at most two per level. */
			assert_true(t->reads <= 2 * 10);
			if (n <= 64) {
				struct lia_merkle_proof want = {0};
				naive_path(t, i, 0, n, &want);
				assert_int_equal(p.n, want.n);
				assert_memory_equal(p.h, want.h, 32 * p.n);
			}
			assert_int_equal(lia_merkle_verify_inclusion(t->level[0][i], i, n, &p, roots[n]),
					 LIA_MERKLE_OK);
			check_inclusion_mutations(t->level[0][i], i, n, &p, roots[n]);
			proofs++;
		}
		for (uint64_t m = 0; m <= n; m++) {
			struct lia_merkle_proof p;
			t->reads = 0;
			assert_int_equal(lia_merkle_consistency_proof(&p, m, n, tree_get, t), 0);
			assert_true(t->reads <= 3 * 10);
			if (n <= 64 && m > 0 && m < n) {
				struct lia_merkle_proof want = {0};
				naive_subproof(t, m, 0, n, 1, &want);
				assert_int_equal(p.n, want.n);
				assert_memory_equal(p.h, want.h, 32 * p.n);
			}
			assert_int_equal(lia_merkle_verify_consistency(m, n, &p, roots[m], roots[n]),
					 LIA_MERKLE_OK);
			if (m > 0 && m < n)
				check_consistency_mutations(m, n, &p, roots[m], roots[n]);
			proofs++;
		}
	}
	assert_int_equal(proofs, MAXN * (MAXN + 1) / 2 + (MAXN + 1) * (MAXN + 2) / 2 - 1);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_roots_and_nodes),
		cmocka_unit_test(test_known_inclusion),
		cmocka_unit_test(test_known_consistency),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_exhaustive_300),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
