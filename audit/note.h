/*
 * note.h — C2SP signed notes (c2sp.org/signed-note) with Ed25519, and the
 * transparency-log checkpoints carried in them (c2sp.org/tlog-checkpoint).
 *
 * A signed note is a UTF-8 text ending in a newline, a blank line, and one
 * or more signature lines "— <key name> <base64(key id || signature)>".
 * The key id is the first four bytes, big-endian, of
 * SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key), and the
 * Ed25519 signature is over the note text (final newline included, blank
 * line excluded). A checkpoint is a note whose text is
 * "<origin>\n<tree size>\n<base64 root hash>\n". The same bytes verify
 * with Go's golang.org/x/mod/sumdb/note and any other C2SP implementation.
 *
 * Liaison's ledgers sign with key name == origin, so a verifier (a key
 * name and a public key, also writable as Go's "vkey" string
 * "<name>+<hex key id>+<base64(0x01 || public key)>") pins both.
 *
 * Notes are untrusted input: sizes are bounded before any work, every
 * byte is checked (UTF-8, no control characters but newline), a
 * signature line by the known key that fails to verify rejects the whole
 * note, lines by unknown keys are ignored as the spec requires.
 * Errors: enum lia_note_status plus a message in err. Thread safety:
 * pure functions.
 */
#ifndef LIA_NOTE_H
#define LIA_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfile.h" /* LIA_ERR_MAX */

#define LIA_NOTE_MAX_BYTES 16384  /* a whole note: text and signatures */
#define LIA_NOTE_SIGS_MAX 64      /* signature lines in one note (spec: >= 16) */
#define LIA_NOTE_NAME_MAX 256     /* key name or origin, with its NUL */
#define LIA_NOTE_VKEY_MAX (LIA_NOTE_NAME_MAX + 64)

enum lia_note_status {
	LIA_NOTE_OK = 0,
	LIA_NOTE_MALFORMED,     /* not a signed note, or a checkpoint text out of shape */
	LIA_NOTE_TOO_LARGE,     /* over LIA_NOTE_MAX_BYTES or LIA_NOTE_SIGS_MAX */
	LIA_NOTE_UNKNOWN_KEY,   /* no signature line by the expected key */
	LIA_NOTE_BAD_SIGNATURE, /* a signature line by the expected key does not verify */
	LIA_NOTE_WRONG_ORIGIN,  /* a checkpoint of another log */
};
const char *lia_note_status_str(enum lia_note_status st);

/* The public half of a note key, with its precomputed key id. */
struct lia_note_verifier {
	char name[LIA_NOTE_NAME_MAX];
	uint8_t pk[32];
	uint32_t key_id;
};

/* Key names (and Liaison origins): 1..255 bytes of printable ASCII
 * without space or '+'. (The spec allows any non-space UTF-8; we write
 * only this subset, and read others' lines without judging their names.) */
bool lia_note_name_valid(const char *name);

/* SHA-256(name || 0x0A || 0x01 || pk)[0:4], big-endian. */
uint32_t lia_note_key_id(const char *name, const uint8_t pk[static 32]);

/* Build a verifier from a name and an Ed25519 public key. */
int lia_note_verifier_init(struct lia_note_verifier *v, const char *name,
			   const uint8_t pk[static 32], char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Parse / format Go's verifier key string "<name>+<8 hex>+<base64(0x01||pk)>".
 * The parser checks that the key id matches the key. */
int lia_note_verifier_parse(struct lia_note_verifier *v, const char *vkey,
			    char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
void lia_note_verifier_format(const struct lia_note_verifier *v, char out[static LIA_NOTE_VKEY_MAX]);

/* Sign text (valid note text ending in '\n') with the Ed25519 secret key
 * sk (libsodium's 64-byte form) under name. *out is the whole note,
 * malloc'd and NUL-terminated; *out_len excludes the NUL. */
int lia_note_sign(char **out, size_t *out_len, const char *text, size_t text_len, const char *name,
		  const uint8_t sk[static 64], char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Check note[0..len) and its signature by v. On LIA_NOTE_OK, *text_len is
 * the length of the signed text, which starts at note[0]. */
enum lia_note_status lia_note_open(const char *note, size_t len, const struct lia_note_verifier *v,
				   size_t *text_len, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* --- checkpoints --- */

struct lia_checkpoint {
	char origin[LIA_NOTE_NAME_MAX];
	uint64_t size;
	uint8_t root[32];
};

/* The note text of c (no extension lines), NUL-terminated in out.
 * Returns its length, or -1 when cap is too small. */
int lia_checkpoint_text(char *out, size_t cap, const struct lia_checkpoint *c)
	__attribute__((warn_unused_result));

/* Parse a checkpoint note text (not a whole note): origin, size with no
 * leading zeros and at most INT64_MAX, canonical base64 of 32 bytes, then
 * optional non-empty extension lines, which are signed but ignored. */
int lia_checkpoint_parse(struct lia_checkpoint *out, const char *text, size_t len,
			 char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Sign a checkpoint with key name == c->origin. *out as lia_note_sign. */
int lia_checkpoint_sign(char **out, size_t *out_len, const struct lia_checkpoint *c,
			const uint8_t sk[static 64], char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Open a signed checkpoint: the note must carry a valid signature by v
 * and its origin must be v->name. */
enum lia_note_status lia_checkpoint_open(struct lia_checkpoint *out, const char *note, size_t len,
					 const struct lia_note_verifier *v,
					 char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Split the first signed note off the front of buf[0..len): the note runs
 * through the end of its signature block (the signature lines after the
 * first blank line that follows a non-blank line). For containers that
 * hold several checkpoints, whose texts never contain a blank line.
 * Returns the note's length, or 0 when buf does not start with one. */
size_t lia_note_split(const char *buf, size_t len);

#endif
