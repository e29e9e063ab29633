/*
 * envelope.h — seal and open end-to-end envelopes (DESIGN §3,
 * docs/formats.md).
 *
 * Seal: serialize nothing by hand; the caller gives the serialized Body
 * (see body.h) and a header template; we compress with lz4, encrypt with
 * XChaCha20-Poly1305 under a fresh data key (AAD = id || originator sign
 * key id), hash the ciphertext into the header, commit to the data key,
 * sign the header bytes, and wrap (id || data key) for each recipient
 * with crypto_box under precomputed shared keys.
 *
 * Open, in this order, each failure with its own status: certificate of
 * the originator (valid when the message was created, not revoked
 * before), signature, ciphertext hash, own wrap, id and key commitment,
 * decryption, decompression under the declared (bounded) length, body
 * decoding. Nothing of the body is returned from a failed open.
 *
 * The broker uses the middle layer: decode + verify without opening, and
 * re-encode an envelope with only one recipient's wrap.
 *
 * Untrusted input: every size is bounded before allocation (LIA_ENVELOPE_MAX,
 * LIA_HEADER_MAX, LIA_WRAPS_MAX, LIA_BODY_MAX). Thread safety: a sealer or
 * opener belongs to one thread; envelopes are read-only after decode.
 */
#ifndef LIA_ENVELOPE_H
#define LIA_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cert.h"
#include "keyfile.h"
#include "marking.h"

#define LIA_HEADER_MAX (32u * 1024)
#define LIA_WRAPS_MAX 1024
#define LIA_ENVELOPE_MAX (LIA_BODY_MAX + LIA_BODY_MAX / 2 + LIA_HEADER_MAX)
#define LIA_DATA_KEY_BYTES 32

enum lia_env_status {
	LIA_ENV_OK = 0,
	LIA_ENV_TOO_LARGE,            /* over a size limit; nothing was allocated for it */
	LIA_ENV_MALFORMED,            /* not an envelope */
	LIA_ENV_HEADER_INVALID,       /* header decodes but a field is out of range */
	LIA_ENV_ORIGINATOR_MISMATCH,  /* header names another originator or key */
	LIA_ENV_CERT_NOT_YET_VALID,   /* originator cert not valid when created */
	LIA_ENV_CERT_EXPIRED,         /* originator cert expired when created */
	LIA_ENV_CERT_REVOKED,         /* originator cert revoked before creation */
	LIA_ENV_BAD_SIGNATURE,
	LIA_ENV_CIPHERTEXT_HASH,      /* ciphertext does not match the signed hash */
	LIA_ENV_NO_WRAP,              /* no wrap for this recipient */
	LIA_ENV_WRAP_INVALID,         /* own wrap does not authenticate */
	LIA_ENV_WRAP_ID,              /* own wrap belongs to another message */
	LIA_ENV_KEY_COMMITMENT,       /* data key does not match the signed commitment */
	LIA_ENV_DECRYPT,              /* ciphertext does not authenticate */
	LIA_ENV_DECOMPRESS,           /* lz4 data invalid or not the declared length */
	LIA_ENV_BODY_INVALID,         /* body does not decode */
	LIA_ENV_BODY_MISMATCH,        /* body kind or personal data differ from the header */
	LIA_ENV_NOMEM,
};
const char *lia_env_status_str(enum lia_env_status st);
/* A short stable token for the status ("bad-signature"), for JSON. */
const char *lia_env_status_code(enum lia_env_status st);

/* --- sealing --- */

struct lia_sealer;

/* A sealer for one originator: its certificate (borrowed; must outlive
 * the sealer) and its sign and box keys (borrowed). Caches crypto_box
 * shared keys per recipient in guarded memory. NULL on failure. */
struct lia_sealer *lia_sealer_new(const struct lia_cert *self, const struct lia_secret *sign,
				  const struct lia_secret *box);
void lia_sealer_destroy(struct lia_sealer **s);

/* Seal body (a serialized Body, <= LIA_BODY_MAX) for recipients.
 * hdr supplies kind, regions, topic, in_reply_to, supersedes,
 * restrictions, evaluation and subjects; id, originator, key ids,
 * ciphertext hash, commitment and body length are set by the sealer and
 * written back into *hdr; created_at is taken from hdr (0 = now).
 * The body must decode and agree with hdr (kind, personal data).
 * *out is malloc'd. */
int lia_seal(struct lia_sealer *s, struct lia_header *hdr, const uint8_t *body, size_t body_len,
	     const struct lia_cert *const *recipients, size_t n_recipients, uint8_t **out,
	     size_t *out_len, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Add a wrap for one more recipient to an existing envelope of ours
 * (onward dissemination after consent). Needs the data key, which only
 * a recipient or the originator can recover: opened->data_key. */
int lia_envelope_add_wrap(struct lia_sealer *s, const uint8_t *env, size_t env_len,
			  const uint8_t data_key[static LIA_DATA_KEY_BYTES],
			  const struct lia_cert *recipient, uint8_t **out, size_t *out_len,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* --- decoding and verification (broker and agent) --- */

struct lia_envelope;

/* Decode and validate the structure of buf (sizes, header fields). The
 * envelope keeps its own copy of what it needs. */
enum lia_env_status lia_envelope_decode(struct lia_envelope **out, const uint8_t *buf, size_t len)
	__attribute__((warn_unused_result));
void lia_envelope_destroy(struct lia_envelope **e);

/* Parse and validate header bytes (a stored message's, already verified
 * with its envelope when it was admitted); 0 or -1 (with a reason in
 * why). */
int lia_header_parse(struct lia_header *out, const uint8_t *buf, size_t len, const char **why);

/* The validated header (not yet authenticated before _verify). */
const struct lia_header *lia_envelope_header(const struct lia_envelope *e);
/* The exact signed header bytes (for hashing, storage). */
const uint8_t *lia_envelope_header_bytes(const struct lia_envelope *e, size_t *len);

/* Check originator certificate (at created_at; revocation before
 * created_at), signature over the header bytes, and ciphertext hash. */
enum lia_env_status lia_envelope_verify(const struct lia_envelope *e,
					const struct lia_cert *originator,
					const struct lia_crl *crl)
	__attribute__((warn_unused_result));

size_t lia_envelope_wrap_count(const struct lia_envelope *e);
/* The recipient key id of wrap i (< lia_envelope_wrap_count), borrowed. */
const uint8_t *lia_envelope_wrap_kid(const struct lia_envelope *e, size_t i);
bool lia_envelope_has_wrap(const struct lia_envelope *e, const uint8_t kid[static LIA_KEYID_BYTES]);

/* Encode a copy of e carrying only the wrap for kid (a recipient learns
 * nothing of the others). LIA_ENV_NO_WRAP when there is none. */
enum lia_env_status lia_envelope_encode_for(const struct lia_envelope *e,
					    const uint8_t kid[static LIA_KEYID_BYTES],
					    uint8_t **out, size_t *out_len)
	__attribute__((warn_unused_result));

/* Encode a copy of e carrying only the wraps for the key ids in
 * kids[0..n_kids) that it has, in e's order (the broker stores no wrap
 * for a principal it withheld the message from; the wraps are not under
 * the signature, so dropping some leaves the envelope verifiable).
 * *kept counts them. */
enum lia_env_status lia_envelope_encode_keeping(const struct lia_envelope *e,
						const uint8_t (*kids)[LIA_KEYID_BYTES], size_t n_kids,
						uint8_t **out, size_t *out_len, size_t *kept)
	__attribute__((warn_unused_result));

/* Onward dissemination, broker side: encode base (the stored message)
 * with the wraps extra carries for the key ids in kids that base lacks.
 * extra must be the same message: identical header bytes, signature and
 * ciphertext (the originator returned it with wraps added, see
 * lia_envelope_add_wrap); wraps for other keys are ignored. The wraps
 * themselves are authenticated only by their recipients, as at publish.
 * *added counts the wraps taken. -1 with err when extra differs. */
int lia_envelope_take_wraps(const struct lia_envelope *base, const struct lia_envelope *extra,
			    const uint8_t (*kids)[LIA_KEYID_BYTES], size_t n_kids, uint8_t **out,
			    size_t *out_len, size_t *added, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* --- opening (recipient) --- */

struct lia_opener;

/* An opener for one recipient (cert and box key borrowed). Caches
 * shared keys per originator. */
struct lia_opener *lia_opener_new(const struct lia_cert *self, const struct lia_secret *box);
void lia_opener_destroy(struct lia_opener **o);

struct lia_opened {
	struct lia_header header;
	uint8_t *body;                 /* serialized Body, malloc'd; NULL on failure */
	size_t body_len;
	uint8_t data_key[LIA_DATA_KEY_BYTES]; /* for onward wraps; wiped by lia_opened_clear */
	int64_t originator_revoked_at; /* >0: signed by a key revoked at this time (after creation) */
};
void lia_opened_clear(struct lia_opened *o);

/* Open an envelope already verified with lia_envelope_verify (the
 * originator certificate must be the one it was verified against). */
enum lia_env_status lia_envelope_open(struct lia_opener *o, const struct lia_envelope *e,
				      const struct lia_cert *originator, struct lia_opened *out)
	__attribute__((warn_unused_result));

/* Decode, verify and open in one call, in the documented order. */
enum lia_env_status lia_open(struct lia_opener *o, const uint8_t *buf, size_t len,
			     const struct lia_cert *originator, const struct lia_crl *crl,
			     struct lia_opened *out) __attribute__((warn_unused_result));

/* --- presentation --- */

/* The header as JSON: id (hex), originator, kind, regions, topic,
 * restrictions {tlp, handling, h3, release_*, embargo_until, expires_at},
 * evaluation ("4x4 B2"), data_subjects, created_at. */
json_t *lia_header_to_json(const struct lia_header *h);

/* The restrictions and evaluation as a banner a reader cannot miss,
 * several lines, coloured by TLP when color is set. */
void lia_header_print_banner(FILE *f, const struct lia_header *h, bool color);

/* A message id as 32 hex digits, and back. */
void lia_id_hex(char out[static 2 * LIA_ID_BYTES + 1], const uint8_t id[static LIA_ID_BYTES]);
int lia_id_parse(uint8_t id[static LIA_ID_BYTES], const char *hex) __attribute__((warn_unused_result));

#endif
