/*
 * envelope.c — seal, verify and open envelopes.
 *
 * Costs (1 KiB body): the sign (~20 µs) and verify (~50 µs) dominate;
 * each wrap is one crypto_box_easy_afternm over 48 bytes (~1 µs) because
 * shared keys are computed once per peer (crypto_box_beforenm, an X25519
 * scalar multiplication of ~30 µs) and cached. The caches are small
 * open-addressed tables in guarded memory; when one fills up it is
 * wiped and refilled, which costs a few scalar multiplications, not
 * correctness.
 */
#include "envelope.h"

#include <assert.h>
#include <lz4.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "envelope.pb-c.h"
#include "header_int.h"
#include "pb_int.h"
#include "sig.h"
#include "util.h"

#define WRAP_PLAIN_BYTES (LIA_ID_BYTES + LIA_DATA_KEY_BYTES)
#define WRAP_BOX_BYTES (WRAP_PLAIN_BYTES + crypto_box_MACBYTES)
#define AEAD_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KEYCACHE_SLOTS 256
#define COMMIT_CTX "liaison/v1/key-commitment"

static const char *const status_text[] = {
	[LIA_ENV_OK] = "ok",
	[LIA_ENV_TOO_LARGE] = "envelope over a size limit",
	[LIA_ENV_MALFORMED] = "not a well-formed envelope",
	[LIA_ENV_HEADER_INVALID] = "header field out of range",
	[LIA_ENV_ORIGINATOR_MISMATCH] = "header names another originator or key than the certificate",
	[LIA_ENV_CERT_NOT_YET_VALID] = "originator certificate was not yet valid when the message was created",
	[LIA_ENV_CERT_EXPIRED] = "originator certificate had expired when the message was created",
	[LIA_ENV_CERT_REVOKED] = "originator certificate was revoked before the message was created",
	[LIA_ENV_BAD_SIGNATURE] = "originator signature does not verify",
	[LIA_ENV_CIPHERTEXT_HASH] = "ciphertext does not match the signed hash",
	[LIA_ENV_NO_WRAP] = "no key wrap for this recipient",
	[LIA_ENV_WRAP_INVALID] = "key wrap does not authenticate",
	[LIA_ENV_WRAP_ID] = "key wrap belongs to another message",
	[LIA_ENV_KEY_COMMITMENT] = "data key does not match the signed key commitment",
	[LIA_ENV_DECRYPT] = "ciphertext does not authenticate",
	[LIA_ENV_DECOMPRESS] = "compressed body is invalid or not the declared length",
	[LIA_ENV_BODY_INVALID] = "body does not decode",
	[LIA_ENV_BODY_MISMATCH] = "body kind or personal data differ from the signed header",
	[LIA_ENV_NOMEM] = "out of memory",
};

static const char *const status_code[] = {
	[LIA_ENV_OK] = "ok",
	[LIA_ENV_TOO_LARGE] = "too-large",
	[LIA_ENV_MALFORMED] = "malformed",
	[LIA_ENV_HEADER_INVALID] = "header-invalid",
	[LIA_ENV_ORIGINATOR_MISMATCH] = "originator-mismatch",
	[LIA_ENV_CERT_NOT_YET_VALID] = "cert-not-yet-valid",
	[LIA_ENV_CERT_EXPIRED] = "cert-expired",
	[LIA_ENV_CERT_REVOKED] = "cert-revoked",
	[LIA_ENV_BAD_SIGNATURE] = "bad-signature",
	[LIA_ENV_CIPHERTEXT_HASH] = "ciphertext-hash",
	[LIA_ENV_NO_WRAP] = "no-wrap",
	[LIA_ENV_WRAP_INVALID] = "wrap-invalid",
	[LIA_ENV_WRAP_ID] = "wrap-id",
	[LIA_ENV_KEY_COMMITMENT] = "key-commitment",
	[LIA_ENV_DECRYPT] = "decrypt",
	[LIA_ENV_DECOMPRESS] = "decompress",
	[LIA_ENV_BODY_INVALID] = "body-invalid",
	[LIA_ENV_BODY_MISMATCH] = "body-mismatch",
	[LIA_ENV_NOMEM] = "out-of-memory",
};

const char *lia_env_status_str(enum lia_env_status st)
{
	if ((size_t)st >= sizeof status_text / sizeof status_text[0])
		return "unknown envelope status";
	return status_text[st];
}

const char *lia_env_status_code(enum lia_env_status st)
{
	if ((size_t)st >= sizeof status_code / sizeof status_code[0])
		return "unknown";
	return status_code[st];
}

/* --- shared-key cache --- */

struct keyslot {
	uint8_t used;
	uint8_t pk[32];
	uint8_t k[crypto_box_BEFORENMBYTES];
};

struct keycache {
	struct keyslot *slots; /* sodium_malloc'd: the shared keys are secrets */
	size_t used;
};

static int keycache_init(struct keycache *c)
{
	c->slots = sodium_allocarray(KEYCACHE_SLOTS, sizeof *c->slots);
	if (c->slots == NULL)
		return -1;
	sodium_memzero(c->slots, KEYCACHE_SLOTS * sizeof *c->slots);
	c->used = 0;
	return 0;
}

static void keycache_free(struct keycache *c)
{
	if (c->slots != NULL)
		sodium_free(c->slots);
	c->slots = NULL;
}

/* The shared key with peer_pk, computed on first use. NULL when the
 * peer key is degenerate (crypto_box_beforenm refuses it). */
static const uint8_t *keycache_get(struct keycache *c, const uint8_t peer_pk[static 32],
				   const uint8_t *sk)
{
	if (c->used >= KEYCACHE_SLOTS / 2) {
		sodium_memzero(c->slots, KEYCACHE_SLOTS * sizeof *c->slots);
		c->used = 0;
	}
	size_t i = ((size_t)peer_pk[0] | (size_t)peer_pk[1] << 8) % KEYCACHE_SLOTS;
	for (;; i = (i + 1) % KEYCACHE_SLOTS) {
		struct keyslot *s = &c->slots[i];
		if (!s->used) {
			if (crypto_box_beforenm(s->k, peer_pk, sk) != 0) {
				sodium_memzero(s->k, sizeof s->k);
				return NULL;
			}
			memcpy(s->pk, peer_pk, 32);
			s->used = 1;
			c->used++;
			return s->k;
		}
		if (memcmp(s->pk, peer_pk, 32) == 0)
			return s->k;
	}
}

static void key_commitment(uint8_t out[static LIA_HASH_BYTES],
			   const uint8_t dk[static LIA_DATA_KEY_BYTES],
			   const uint8_t id[static LIA_ID_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, dk, LIA_DATA_KEY_BYTES, LIA_HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)COMMIT_CTX, sizeof COMMIT_CTX - 1);
	crypto_generichash_update(&st, id, LIA_ID_BYTES);
	crypto_generichash_final(&st, out, LIA_HASH_BYTES);
}

static void aead_ad(uint8_t ad[static LIA_ID_BYTES + LIA_KEYID_BYTES], const struct lia_header *h)
{
	memcpy(ad, h->id, LIA_ID_BYTES);
	memcpy(ad + LIA_ID_BYTES, h->originator_sign_kid, LIA_KEYID_BYTES);
}

/* The data key is fresh for every message and encrypts exactly one
 * plaintext, so a constant (zero) nonce is safe and saves carrying one. */
static const uint8_t zero_nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];

/* --- sealing --- */

struct lia_sealer {
	const struct lia_cert *self;
	const struct lia_secret *sign;
	const struct lia_secret *box;
	struct keycache cache;
};

struct lia_sealer *lia_sealer_new(const struct lia_cert *self, const struct lia_secret *sign,
				  const struct lia_secret *box)
{
	if (sodium_init() < 0 || sign->purpose != LIA_KEY_SIGN || box->purpose != LIA_KEY_BOX ||
	    memcmp(self->sign_pk, sign->pk, 32) != 0 || memcmp(self->box_pk, box->pk, 32) != 0)
		return NULL;
	struct lia_sealer *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	if (keycache_init(&s->cache) != 0) {
		free(s);
		return NULL;
	}
	s->self = self;
	s->sign = sign;
	s->box = box;
	return s;
}

void lia_sealer_destroy(struct lia_sealer **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	keycache_free(&(*sp)->cache);
	free(*sp);
	*sp = NULL;
}

/* Fill one wrap for a recipient; nonce and box point into caller storage. */
static int make_wrap(struct lia_sealer *s, Liaison__V1__Wrap *w, uint8_t kid[static LIA_KEYID_BYTES],
		     uint8_t nonce[static crypto_box_NONCEBYTES], uint8_t box[static WRAP_BOX_BYTES],
		     const uint8_t plain[static WRAP_PLAIN_BYTES], const struct lia_cert *recipient)
{
	const uint8_t *k = keycache_get(&s->cache, recipient->box_pk, s->box->sk);
	if (k == NULL)
		return -1;
	crypto_box_easy_afternm(box, plain, WRAP_PLAIN_BYTES, nonce, k);
	memcpy(kid, recipient->box_kid, LIA_KEYID_BYTES);
	liaison__v1__wrap__init(w);
	w->recipient_key_id = (ProtobufCBinaryData){LIA_KEYID_BYTES, kid};
	w->nonce = (ProtobufCBinaryData){crypto_box_NONCEBYTES, nonce};
	w->box = (ProtobufCBinaryData){WRAP_BOX_BYTES, box};
	return 0;
}

/* Storage for the wraps of one envelope. */
struct wrapbuf {
	Liaison__V1__Wrap w;
	uint8_t kid[LIA_KEYID_BYTES];
	uint8_t nonce[crypto_box_NONCEBYTES];
	uint8_t box[WRAP_BOX_BYTES];
};

static int pack_envelope(const Liaison__V1__Envelope *e, uint8_t **out, size_t *out_len)
{
	size_t len = liaison__v1__envelope__get_packed_size(e);
	uint8_t *buf = malloc(len);
	if (buf == NULL)
		return -1;
	liaison__v1__envelope__pack(e, buf);
	*out = buf;
	*out_len = len;
	return 0;
}

int lia_seal(struct lia_sealer *s, struct lia_header *hdr, const uint8_t *body, size_t body_len,
	     const struct lia_cert *const *recipients, size_t n, uint8_t **out, size_t *out_len,
	     char err[static LIA_ERR_MAX])
{
	uint8_t plain[WRAP_PLAIN_BYTES]; /* id || data key */
	uint8_t *dk = plain + LIA_ID_BYTES;
	uint8_t *compressed = NULL, *ct = NULL, *hbytes = NULL;
	struct wrapbuf *wb = NULL;
	Liaison__V1__Wrap **wp = NULL;
	size_t hlen = 0;
	int rc = -1, mismatch = 0;

	if (body_len == 0 || body_len > LIA_BODY_MAX)
		return lia_errf(err, "body is empty or larger than %u bytes", LIA_BODY_MAX);
	if (n == 0 || n > LIA_WRAPS_MAX)
		return lia_errf(err, "between 1 and %d recipients are needed, not %zu", LIA_WRAPS_MAX, n);
	if (lia_body_check(body, body_len, hdr, &mismatch, err) != 0)
		return -1;

	compressed = malloc((size_t)LZ4_compressBound((int)body_len));
	ct = malloc((size_t)LZ4_compressBound((int)body_len) + AEAD_TAG);
	wb = calloc(n, sizeof *wb);
	wp = calloc(n, sizeof *wp);
	if (compressed == NULL || ct == NULL || wb == NULL || wp == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	/* All the randomness of a message (id, data key, one nonce per wrap)
	 * is a ChaCha20 expansion of one 256-bit seed from the OS: each
	 * randombytes_buf() is a getrandom() system call, and a call per
	 * wrap nonce cost more than the wraps themselves. */
	uint8_t seed[randombytes_SEEDBYTES];
	uint8_t rnd[WRAP_PLAIN_BYTES + LIA_WRAPS_MAX * crypto_box_NONCEBYTES];
	size_t rnd_len = WRAP_PLAIN_BYTES + n * crypto_box_NONCEBYTES;
	randombytes_buf(seed, sizeof seed);
	randombytes_buf_deterministic(rnd, rnd_len, seed);
	sodium_memzero(seed, sizeof seed);
	memcpy(plain, rnd, WRAP_PLAIN_BYTES); /* id || data key */
	memcpy(hdr->id, plain, LIA_ID_BYTES);
	for (size_t i = 0; i < n; i++)
		memcpy(wb[i].nonce, rnd + WRAP_PLAIN_BYTES + i * crypto_box_NONCEBYTES,
		       crypto_box_NONCEBYTES);
	sodium_memzero(rnd, WRAP_PLAIN_BYTES);
	memcpy(hdr->originator, s->self->subject, LIA_NAME_MAX);
	memcpy(hdr->originator_sign_kid, s->self->sign_kid, LIA_KEYID_BYTES);
	memcpy(hdr->originator_box_kid, s->self->box_kid, LIA_KEYID_BYTES);
	if (hdr->created_at == 0)
		hdr->created_at = lia_now();
	hdr->body_len = (uint32_t)body_len;
	key_commitment(hdr->key_commitment, dk, hdr->id);

	int bound = LZ4_compressBound((int)body_len);
	int clen = LZ4_compress_default((const char *)body, (char *)compressed, (int)body_len, bound);
	if (clen <= 0) {
		lia_errf(err, "lz4 compression failed");
		goto out;
	}
	uint8_t ad[LIA_ID_BYTES + LIA_KEYID_BYTES];
	aead_ad(ad, hdr);
	unsigned long long ct_len = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &ct_len, compressed, (size_t)clen, ad,
						   sizeof ad, NULL, zero_nonce, dk);
	crypto_generichash(hdr->ciphertext_hash, LIA_HASH_BYTES, ct, (size_t)ct_len, NULL, 0);

	const char *why = NULL;
	if (lia_header_encode(hdr, &hbytes, &hlen, &why) != 0) {
		lia_errf(err, "cannot encode the header: %s", why);
		goto out;
	}
	uint8_t sig[LIA_SIG_BYTES];
	lia_sign(sig, LIA_CTX_HEADER, hbytes, hlen, s->sign->sk);

	for (size_t i = 0; i < n; i++) {
		if (make_wrap(s, &wb[i].w, wb[i].kid, wb[i].nonce, wb[i].box, plain,
			      recipients[i]) != 0) {
			lia_errf(err, "recipient \"%s\" has an unusable box key", recipients[i]->subject);
			goto out;
		}
		for (size_t j = 0; j < i; j++)
			if (memcmp(wb[j].kid, wb[i].kid, LIA_KEYID_BYTES) == 0) {
				lia_errf(err, "recipient \"%s\" is listed twice", recipients[i]->subject);
				goto out;
			}
		wp[i] = &wb[i].w;
	}
	Liaison__V1__Envelope env = LIAISON__V1__ENVELOPE__INIT;
	env.header = (ProtobufCBinaryData){hlen, hbytes};
	env.signature = (ProtobufCBinaryData){LIA_SIG_BYTES, sig};
	env.ciphertext = (ProtobufCBinaryData){(size_t)ct_len, ct};
	env.wraps = wp;
	env.n_wraps = n;
	if (pack_envelope(&env, out, out_len) != 0) {
		lia_errf(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(plain, sizeof plain);
	if (compressed != NULL) {
		sodium_memzero(compressed, (size_t)LZ4_compressBound((int)body_len));
		free(compressed);
	}
	free(ct);
	free(hbytes);
	if (wb != NULL) {
		sodium_memzero(wb, n * sizeof *wb);
		free(wb);
	}
	free(wp);
	return rc;
}

/* --- decoding and verification --- */

struct lia_envelope {
	struct lia_pb_budget budget; /* must stay put: p was allocated through it */
	Liaison__V1__Envelope *p;
	struct lia_header header;
};

enum lia_env_status lia_envelope_decode(struct lia_envelope **out, const uint8_t *buf, size_t len)
{
	*out = NULL;
	if (len > LIA_ENVELOPE_MAX)
		return LIA_ENV_TOO_LARGE;
	struct lia_envelope *e = calloc(1, sizeof *e);
	if (e == NULL)
		return LIA_ENV_NOMEM;
	lia_pb_budget_init(&e->budget, LIA_PB_BUDGET(len));
	e->p = liaison__v1__envelope__unpack(&e->budget.alloc, len, buf);
	enum lia_env_status st = LIA_ENV_MALFORMED;
	if (e->p == NULL)
		goto fail;
	const Liaison__V1__Envelope *p = e->p;
	if (p->header.len > LIA_HEADER_MAX || p->n_wraps > LIA_WRAPS_MAX) {
		st = LIA_ENV_TOO_LARGE;
		goto fail;
	}
	if (p->signature.len != LIA_SIG_BYTES || p->ciphertext.len < AEAD_TAG)
		goto fail;
	for (size_t i = 0; i < p->n_wraps; i++) {
		const Liaison__V1__Wrap *w = p->wraps[i];
		if (w->recipient_key_id.len != LIA_KEYID_BYTES ||
		    w->nonce.len != crypto_box_NONCEBYTES || w->box.len != WRAP_BOX_BYTES)
			goto fail;
	}
	const char *why = NULL;
	if (lia_header_parse(&e->header, p->header.data, p->header.len, &why) != 0) {
		st = LIA_ENV_HEADER_INVALID;
		goto fail;
	}
	/* The ciphertext can be no longer than lz4's bound for the
	 * declared body length: checked before anything is allocated for it. */
	if (p->ciphertext.len > (size_t)LZ4_compressBound((int)e->header.body_len) + AEAD_TAG) {
		st = LIA_ENV_TOO_LARGE;
		goto fail;
	}
	*out = e;
	return LIA_ENV_OK;
fail:
	lia_envelope_destroy(&e);
	return st;
}

void lia_envelope_destroy(struct lia_envelope **ep)
{
	if (ep == NULL || *ep == NULL)
		return;
	struct lia_envelope *e = *ep;
	if (e->p != NULL)
		liaison__v1__envelope__free_unpacked(e->p, &e->budget.alloc);
	free(e);
	*ep = NULL;
}

const struct lia_header *lia_envelope_header(const struct lia_envelope *e) { return &e->header; }

const uint8_t *lia_envelope_header_bytes(const struct lia_envelope *e, size_t *len)
{
	*len = e->p->header.len;
	return e->p->header.data;
}

size_t lia_envelope_wrap_count(const struct lia_envelope *e) { return e->p->n_wraps; }

static const Liaison__V1__Wrap *find_wrap(const struct lia_envelope *e,
					  const uint8_t kid[static LIA_KEYID_BYTES])
{
	for (size_t i = 0; i < e->p->n_wraps; i++)
		if (memcmp(e->p->wraps[i]->recipient_key_id.data, kid, LIA_KEYID_BYTES) == 0)
			return e->p->wraps[i];
	return NULL;
}

bool lia_envelope_has_wrap(const struct lia_envelope *e, const uint8_t kid[static LIA_KEYID_BYTES])
{
	return find_wrap(e, kid) != NULL;
}

enum lia_env_status lia_envelope_verify(const struct lia_envelope *e,
					const struct lia_cert *originator,
					const struct lia_crl *crl)
{
	const struct lia_header *h = &e->header;
	if (strcmp(h->originator, originator->subject) != 0 ||
	    memcmp(h->originator_sign_kid, originator->sign_kid, LIA_KEYID_BYTES) != 0 ||
	    memcmp(h->originator_box_kid, originator->box_kid, LIA_KEYID_BYTES) != 0)
		return LIA_ENV_ORIGINATOR_MISMATCH;
	/* The certificate must have been good when the message was made. A
	 * revocation after that leaves the message verifiable (DESIGN §2);
	 * the broker's skew window keeps created_at honest at ingest. */
	if (crl != NULL) {
		const struct lia_crl_entry *r = lia_crl_find(crl, originator->serial);
		if (r != NULL && r->revoked_at <= h->created_at)
			return LIA_ENV_CERT_REVOKED;
	}
	if (h->created_at < originator->not_before)
		return LIA_ENV_CERT_NOT_YET_VALID;
	if (h->created_at >= originator->not_after)
		return LIA_ENV_CERT_EXPIRED;
	if (lia_verify(e->p->signature.data, LIA_CTX_HEADER, e->p->header.data, e->p->header.len,
		       originator->sign_pk) != 0)
		return LIA_ENV_BAD_SIGNATURE;
	uint8_t hash[LIA_HASH_BYTES];
	crypto_generichash(hash, sizeof hash, e->p->ciphertext.data, e->p->ciphertext.len, NULL, 0);
	if (sodium_memcmp(hash, h->ciphertext_hash, sizeof hash) != 0)
		return LIA_ENV_CIPHERTEXT_HASH;
	return LIA_ENV_OK;
}

enum lia_env_status lia_envelope_encode_for(const struct lia_envelope *e,
					    const uint8_t kid[static LIA_KEYID_BYTES],
					    uint8_t **out, size_t *out_len)
{
	const Liaison__V1__Wrap *w = find_wrap(e, kid);
	if (w == NULL)
		return LIA_ENV_NO_WRAP;
	Liaison__V1__Envelope env = *e->p;
	Liaison__V1__Wrap *one = (Liaison__V1__Wrap *)w;
	env.wraps = &one;
	env.n_wraps = 1;
	return pack_envelope(&env, out, out_len) == 0 ? LIA_ENV_OK : LIA_ENV_NOMEM;
}

const uint8_t *lia_envelope_wrap_kid(const struct lia_envelope *e, size_t i)
{
	assert(i < e->p->n_wraps);
	return e->p->wraps[i]->recipient_key_id.data;
}

enum lia_env_status lia_envelope_encode_keeping(const struct lia_envelope *e,
						const uint8_t (*kids)[LIA_KEYID_BYTES], size_t n_kids,
						uint8_t **out, size_t *out_len, size_t *kept)
{
	*kept = 0;
	Liaison__V1__Wrap **wp = calloc(e->p->n_wraps ? e->p->n_wraps : 1, sizeof *wp);
	if (wp == NULL)
		return LIA_ENV_NOMEM;
	size_t n = 0;
	for (size_t i = 0; i < e->p->n_wraps; i++) {
		const uint8_t *kid = e->p->wraps[i]->recipient_key_id.data;
		bool want = false;
		for (size_t k = 0; k < n_kids && !want; k++)
			want = memcmp(kids[k], kid, LIA_KEYID_BYTES) == 0;
		/* The decoder does not refuse two wraps for one key id: keep
		 * the first, the one find_wrap() opens. */
		for (size_t k = 0; k < n && want; k++)
			want = memcmp(wp[k]->recipient_key_id.data, kid, LIA_KEYID_BYTES) != 0;
		if (want)
			wp[n++] = e->p->wraps[i];
	}
	Liaison__V1__Envelope copy = *e->p;
	copy.wraps = wp;
	copy.n_wraps = n;
	enum lia_env_status st = pack_envelope(&copy, out, out_len) == 0 ? LIA_ENV_OK : LIA_ENV_NOMEM;
	free(wp);
	if (st == LIA_ENV_OK)
		*kept = n;
	return st;
}

static bool same_bytes(const ProtobufCBinaryData *a, const ProtobufCBinaryData *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int lia_envelope_take_wraps(const struct lia_envelope *base, const struct lia_envelope *extra,
			    const uint8_t (*kids)[LIA_KEYID_BYTES], size_t n_kids, uint8_t **out,
			    size_t *out_len, size_t *added, char err[static LIA_ERR_MAX])
{
	*added = 0;
	if (!same_bytes(&base->p->header, &extra->p->header) ||
	    !same_bytes(&base->p->signature, &extra->p->signature) ||
	    !same_bytes(&base->p->ciphertext, &extra->p->ciphertext))
		return lia_errf(err, "the envelope is not the stored message: header, signature or "
				     "ciphertext differ");
	size_t cap = base->p->n_wraps + n_kids;
	if (cap > LIA_WRAPS_MAX)
		return lia_errf(err, "the message would carry more than %d wraps", LIA_WRAPS_MAX);
	Liaison__V1__Wrap **wp = calloc(cap ? cap : 1, sizeof *wp);
	Liaison__V1__Wrap *fresh = calloc(n_kids ? n_kids : 1, sizeof *fresh);
	if (wp == NULL || fresh == NULL) {
		free(wp);
		free(fresh);
		return lia_errf(err, "out of memory");
	}
	memcpy(wp, base->p->wraps, base->p->n_wraps * sizeof *wp);
	size_t n = base->p->n_wraps;
	for (size_t i = 0; i < n_kids; i++) {
		const Liaison__V1__Wrap *w = find_wrap(extra, kids[i]);
		if (w == NULL || find_wrap(base, kids[i]) != NULL)
			continue;
		bool dup = false;
		for (size_t k = base->p->n_wraps; k < n && !dup; k++)
			dup = memcmp(wp[k]->recipient_key_id.data, kids[i], LIA_KEYID_BYTES) == 0;
		if (dup)
			continue;
		/* Rebuilt from its three fields (sizes checked by decode): no
		 * unknown field of the originator's copy is kept. */
		Liaison__V1__Wrap *nw = &fresh[n - base->p->n_wraps];
		liaison__v1__wrap__init(nw);
		nw->recipient_key_id = w->recipient_key_id;
		nw->nonce = w->nonce;
		nw->box = w->box;
		wp[n++] = nw;
	}
	*added = n - base->p->n_wraps;
	Liaison__V1__Envelope copy = *base->p;
	copy.wraps = wp;
	copy.n_wraps = n;
	int rc = pack_envelope(&copy, out, out_len) == 0 ? 0 : lia_errf(err, "out of memory");
	if (rc == 0 && *out_len > LIA_ENVELOPE_MAX) {
		free(*out);
		*out = NULL;
		rc = lia_errf(err, "the message would exceed %u bytes", (unsigned)LIA_ENVELOPE_MAX);
	}
	free(fresh);
	free(wp);
	return rc;
}

/* --- opening --- */

struct lia_opener {
	const struct lia_cert *self;
	const struct lia_secret *box;
	struct keycache cache;
};

struct lia_opener *lia_opener_new(const struct lia_cert *self, const struct lia_secret *box)
{
	if (sodium_init() < 0 || box->purpose != LIA_KEY_BOX || memcmp(self->box_pk, box->pk, 32) != 0)
		return NULL;
	struct lia_opener *o = calloc(1, sizeof *o);
	if (o == NULL)
		return NULL;
	if (keycache_init(&o->cache) != 0) {
		free(o);
		return NULL;
	}
	o->self = self;
	o->box = box;
	return o;
}

void lia_opener_destroy(struct lia_opener **op)
{
	if (op == NULL || *op == NULL)
		return;
	keycache_free(&(*op)->cache);
	free(*op);
	*op = NULL;
}

void lia_opened_clear(struct lia_opened *o)
{
	if (o->body != NULL) {
		sodium_memzero(o->body, o->body_len);
		free(o->body);
	}
	sodium_memzero(o, sizeof *o);
}

/* Recover the data key from our wrap: wrap present, authentic, for this
 * message, and matching the signed commitment. */
static enum lia_env_status unwrap(struct lia_opener *o, const struct lia_envelope *e,
				  const struct lia_cert *originator,
				  uint8_t dk[static LIA_DATA_KEY_BYTES])
{
	const Liaison__V1__Wrap *w = find_wrap(e, o->self->box_kid);
	if (w == NULL)
		return LIA_ENV_NO_WRAP;
	const uint8_t *k = keycache_get(&o->cache, originator->box_pk, o->box->sk);
	if (k == NULL)
		return LIA_ENV_WRAP_INVALID;
	uint8_t plain[WRAP_PLAIN_BYTES];
	if (crypto_box_open_easy_afternm(plain, w->box.data, w->box.len, w->nonce.data, k) != 0)
		return LIA_ENV_WRAP_INVALID;
	enum lia_env_status st = LIA_ENV_OK;
	uint8_t commit[LIA_HASH_BYTES];
	if (sodium_memcmp(plain, e->header.id, LIA_ID_BYTES) != 0) {
		st = LIA_ENV_WRAP_ID;
	} else {
		key_commitment(commit, plain + LIA_ID_BYTES, e->header.id);
		if (sodium_memcmp(commit, e->header.key_commitment, LIA_HASH_BYTES) != 0)
			st = LIA_ENV_KEY_COMMITMENT;
		else
			memcpy(dk, plain + LIA_ID_BYTES, LIA_DATA_KEY_BYTES);
	}
	sodium_memzero(plain, sizeof plain);
	return st;
}

enum lia_env_status lia_envelope_open(struct lia_opener *o, const struct lia_envelope *e,
				      const struct lia_cert *originator, struct lia_opened *out)
{
	memset(out, 0, sizeof *out);
	const struct lia_header *h = &e->header;
	uint8_t dk[LIA_DATA_KEY_BYTES];
	enum lia_env_status st = unwrap(o, e, originator, dk);
	if (st != LIA_ENV_OK)
		return st;
	size_t clen = e->p->ciphertext.len - AEAD_TAG;
	uint8_t *compressed = malloc(clen ? clen : 1);
	uint8_t *body = malloc(h->body_len);
	if (compressed == NULL || body == NULL) {
		st = LIA_ENV_NOMEM;
		goto fail;
	}
	uint8_t ad[LIA_ID_BYTES + LIA_KEYID_BYTES];
	aead_ad(ad, h);
	unsigned long long plen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(compressed, &plen, NULL, e->p->ciphertext.data,
						       e->p->ciphertext.len, ad, sizeof ad,
						       zero_nonce, dk) != 0) {
		st = LIA_ENV_DECRYPT;
		goto fail;
	}
	/* The output buffer is exactly the declared (bounded) length; lz4
	 * may not write past it and must fill it. */
	int got = LZ4_decompress_safe((const char *)compressed, (char *)body, (int)plen,
				      (int)h->body_len);
	if (got < 0 || (uint32_t)got != h->body_len) {
		st = LIA_ENV_DECOMPRESS;
		goto fail;
	}
	char err[LIA_ERR_MAX];
	int mismatch = 0;
	if (lia_body_check(body, h->body_len, h, &mismatch, err) != 0) {
		st = mismatch ? LIA_ENV_BODY_MISMATCH : LIA_ENV_BODY_INVALID;
		goto fail;
	}
	sodium_memzero(compressed, clen);
	free(compressed);
	out->header = *h;
	out->body = body;
	out->body_len = h->body_len;
	memcpy(out->data_key, dk, sizeof dk);
	sodium_memzero(dk, sizeof dk);
	return LIA_ENV_OK;
fail:
	sodium_memzero(dk, sizeof dk);
	if (compressed != NULL) {
		sodium_memzero(compressed, clen);
		free(compressed);
	}
	if (body != NULL) {
		sodium_memzero(body, h->body_len);
		free(body);
	}
	return st;
}

enum lia_env_status lia_open(struct lia_opener *o, const uint8_t *buf, size_t len,
			     const struct lia_cert *originator, const struct lia_crl *crl,
			     struct lia_opened *out)
{
	memset(out, 0, sizeof *out);
	struct lia_envelope *e = NULL;
	enum lia_env_status st = lia_envelope_decode(&e, buf, len);
	if (st != LIA_ENV_OK)
		return st;
	st = lia_envelope_verify(e, originator, crl);
	if (st == LIA_ENV_OK)
		st = lia_envelope_open(o, e, originator, out);
	if (st == LIA_ENV_OK && crl != NULL) {
		const struct lia_crl_entry *r = lia_crl_find(crl, originator->serial);
		if (r != NULL)
			out->originator_revoked_at = r->revoked_at;
	}
	lia_envelope_destroy(&e);
	return st;
}

int lia_envelope_add_wrap(struct lia_sealer *s, const uint8_t *env, size_t env_len,
			  const uint8_t data_key[static LIA_DATA_KEY_BYTES],
			  const struct lia_cert *recipient, uint8_t **out, size_t *out_len,
			  char err[static LIA_ERR_MAX])
{
	struct lia_envelope *e = NULL;
	enum lia_env_status st = lia_envelope_decode(&e, env, env_len);
	if (st != LIA_ENV_OK)
		return lia_errf(err, "cannot decode the envelope: %s", lia_env_status_str(st));
	int rc = -1;
	Liaison__V1__Wrap **wp = NULL;
	struct wrapbuf wb;
	uint8_t plain[WRAP_PLAIN_BYTES];
	uint8_t commit[LIA_HASH_BYTES];
	if (lia_envelope_verify(e, s->self, NULL) != LIA_ENV_OK) {
		lia_errf(err, "only the originator can add a wrap, and the envelope must verify");
		goto out;
	}
	key_commitment(commit, data_key, e->header.id);
	if (sodium_memcmp(commit, e->header.key_commitment, LIA_HASH_BYTES) != 0) {
		lia_errf(err, "the data key does not match the envelope's key commitment");
		goto out;
	}
	if (lia_envelope_has_wrap(e, recipient->box_kid)) {
		lia_errf(err, "\"%s\" already has a wrap", recipient->subject);
		goto out;
	}
	if (e->p->n_wraps >= LIA_WRAPS_MAX) {
		lia_errf(err, "the envelope already has %d wraps", LIA_WRAPS_MAX);
		goto out;
	}
	memcpy(plain, e->header.id, LIA_ID_BYTES);
	memcpy(plain + LIA_ID_BYTES, data_key, LIA_DATA_KEY_BYTES);
	randombytes_buf(wb.nonce, sizeof wb.nonce);
	if (make_wrap(s, &wb.w, wb.kid, wb.nonce, wb.box, plain, recipient) != 0) {
		lia_errf(err, "recipient \"%s\" has an unusable box key", recipient->subject);
		goto out;
	}
	wp = calloc(e->p->n_wraps + 1, sizeof *wp);
	if (wp == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	memcpy(wp, e->p->wraps, e->p->n_wraps * sizeof *wp);
	wp[e->p->n_wraps] = &wb.w;
	Liaison__V1__Envelope copy = *e->p;
	copy.wraps = wp;
	copy.n_wraps = e->p->n_wraps + 1;
	if (pack_envelope(&copy, out, out_len) != 0) {
		lia_errf(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(plain, sizeof plain);
	free(wp);
	lia_envelope_destroy(&e);
	return rc;
}
