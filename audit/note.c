/*
 * note.c — C2SP signed notes and tlog checkpoints (see note.h).
 *
 * Parsing is one pass over a bounded buffer: check the whole note's bytes
 * (UTF-8, control characters), split text from signatures at the last
 * blank line, then walk the signature lines. Nothing is allocated while
 * reading untrusted input.
 */
#include "note.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_int.h"
#include "util.h"

#define EM_DASH "\xe2\x80\x94"
#define SIG_PREFIX EM_DASH " "
#define SIG_PREFIX_LEN 4
#define SIG_BYTES 68              /* key id (4) || Ed25519 signature (64) */
#define SIG_B64_MAX 256           /* longest signature we bother decoding */

const char *lia_note_status_str(enum lia_note_status st)
{
	switch (st) {
	case LIA_NOTE_OK: return "ok";
	case LIA_NOTE_MALFORMED: return "malformed note";
	case LIA_NOTE_TOO_LARGE: return "note too large";
	case LIA_NOTE_UNKNOWN_KEY: return "no signature by the expected key";
	case LIA_NOTE_BAD_SIGNATURE: return "signature does not verify";
	case LIA_NOTE_WRONG_ORIGIN: return "checkpoint of another log";
	}
	return "unknown note status";
}

bool lia_note_name_valid(const char *name)
{
	size_t n = strnlen(name, LIA_NOTE_NAME_MAX);
	if (n == 0 || n >= LIA_NOTE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c <= 0x20 || c >= 0x7f || c == '+')
			return false;
	}
	return true;
}

uint32_t lia_note_key_id(const char *name, const uint8_t pk[static 32])
{
	static const uint8_t sep[2] = {0x0a, 0x01};
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
	crypto_hash_sha256_update(&st, sep, sizeof sep);
	crypto_hash_sha256_update(&st, pk, 32);
	crypto_hash_sha256_final(&st, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

int lia_note_verifier_init(struct lia_note_verifier *v, const char *name,
			   const uint8_t pk[static 32], char err[static LIA_ERR_MAX])
{
	memset(v, 0, sizeof *v);
	if (!lia_note_name_valid(name))
		return lia_errf(err, "invalid note key name \"%.64s\": want 1-255 printable "
				     "characters without space or '+'", name);
	memcpy(v->name, name, strlen(name) + 1);
	memcpy(v->pk, pk, 32);
	v->key_id = lia_note_key_id(name, pk);
	return 0;
}

static int b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *s, size_t len)
{
	return lia_b64_decode(out, cap, out_len, s, len);
}

int lia_note_verifier_parse(struct lia_note_verifier *v, const char *vkey,
			    char err[static LIA_ERR_MAX])
{
	memset(v, 0, sizeof *v);
	size_t len = strnlen(vkey, LIA_NOTE_VKEY_MAX);
	if (len >= LIA_NOTE_VKEY_MAX)
		return lia_errf(err, "verifier key too long");
	const char *p1 = memchr(vkey, '+', len);
	const char *p2 = p1 ? memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - vkey)) : NULL;
	if (p1 == NULL || p2 == NULL)
		return lia_errf(err, "verifier key is not NAME+KEYID+KEY");
	size_t name_len = (size_t)(p1 - vkey);
	if (name_len == 0 || name_len >= LIA_NOTE_NAME_MAX)
		return lia_errf(err, "verifier key has an empty or too long name");
	char name[LIA_NOTE_NAME_MAX];
	memcpy(name, vkey, name_len);
	name[name_len] = '\0';
	if (p2 - p1 - 1 != 8)
		return lia_errf(err, "verifier key id is not 8 hex digits");
	uint8_t id[4];
	char idhex[9];
	memcpy(idhex, p1 + 1, 8);
	idhex[8] = '\0';
	for (int i = 0; i < 8; i++) {
		char c = idhex[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return lia_errf(err, "verifier key id is not 8 lower-case hex digits");
	}
	if (lia_unhex(id, 4, idhex) != 0)
		return lia_errf(err, "verifier key id is not 8 hex digits");
	uint8_t key[33];
	size_t key_len = 0;
	const char *b64 = p2 + 1;
	if (b64_decode(key, sizeof key, &key_len, b64, strlen(b64)) != 0 || key_len != 33)
		return lia_errf(err, "verifier key is not base64 of 33 bytes");
	if (key[0] != 0x01)
		return lia_errf(err, "verifier key type %u is not Ed25519 (1)", key[0]);
	if (lia_note_verifier_init(v, name, key + 1, err) != 0)
		return -1;
	uint32_t want = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
	if (want != v->key_id) {
		memset(v, 0, sizeof *v);
		return lia_errf(err, "verifier key id %s does not match its key", idhex);
	}
	return 0;
}

void lia_note_verifier_format(const struct lia_note_verifier *v, char out[static LIA_NOTE_VKEY_MAX])
{
	uint8_t key[33];
	key[0] = 0x01;
	memcpy(key + 1, v->pk, 32);
	char b64[sodium_base64_ENCODED_LEN(33, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, key, sizeof key, sodium_base64_VARIANT_ORIGINAL);
	int w = snprintf(out, LIA_NOTE_VKEY_MAX, "%s+%08" PRIx32 "+%s", v->name, v->key_id, b64);
	if (w < 0 || (size_t)w >= LIA_NOTE_VKEY_MAX)
		out[0] = '\0'; /* cannot happen: the name is bounded */
}

/* Core's one text check (check.h), newlines allowed: a note has lines. */
static int text_ok(const char *s, size_t n)
{
	return lia_text_check(s, n, true);
}

int lia_note_sign(char **out, size_t *out_len, const char *text, size_t text_len, const char *name,
		  const uint8_t sk[static 64], char err[static LIA_ERR_MAX])
{
	*out = NULL;
	*out_len = 0;
	if (!lia_note_name_valid(name))
		return lia_errf(err, "cannot sign note: invalid key name");
	if (text_len == 0 || text[text_len - 1] != '\n' || text_ok(text, text_len) != 0)
		return lia_errf(err, "cannot sign note: text must be UTF-8 without control "
				     "characters and end in a newline");
	size_t name_len = strlen(name);
	size_t b64_len = sodium_base64_ENCODED_LEN(SIG_BYTES, sodium_base64_VARIANT_ORIGINAL) - 1;
	size_t total = text_len + 1 + SIG_PREFIX_LEN + name_len + 1 + b64_len + 1;
	if (total > LIA_NOTE_MAX_BYTES)
		return lia_errf(err, "cannot sign note: %zu bytes is over the limit of %u", total,
				LIA_NOTE_MAX_BYTES);
	uint8_t sig[SIG_BYTES];
	uint8_t pk[32];
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	uint32_t id = lia_note_key_id(name, pk);
	sig[0] = (uint8_t)(id >> 24);
	sig[1] = (uint8_t)(id >> 16);
	sig[2] = (uint8_t)(id >> 8);
	sig[3] = (uint8_t)id;
	crypto_sign_detached(sig + 4, NULL, (const uint8_t *)text, text_len, sk);
	char *buf = malloc(total + 1);
	if (buf == NULL)
		return lia_errf(err, "cannot sign note: out of memory");
	size_t at = 0;
	memcpy(buf, text, text_len);
	at += text_len;
	buf[at++] = '\n';
	memcpy(buf + at, SIG_PREFIX, SIG_PREFIX_LEN);
	at += SIG_PREFIX_LEN;
	memcpy(buf + at, name, name_len);
	at += name_len;
	buf[at++] = ' ';
	sodium_bin2base64(buf + at, b64_len + 1, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
	at += b64_len;
	buf[at++] = '\n';
	buf[at] = '\0';
	*out = buf;
	*out_len = at;
	return 0;
}

enum lia_note_status lia_note_open(const char *note, size_t len, const struct lia_note_verifier *v,
				   size_t *text_len, char err[static LIA_ERR_MAX])
{
	*text_len = 0;
	if (len > LIA_NOTE_MAX_BYTES) {
		lia_errf(err, "note of %zu bytes is over the limit of %u", len, LIA_NOTE_MAX_BYTES);
		return LIA_NOTE_TOO_LARGE;
	}
	if (len == 0 || note[len - 1] != '\n') {
		lia_errf(err, "malformed note: does not end in a newline");
		return LIA_NOTE_MALFORMED;
	}
	if (text_ok(note, len) != 0) {
		lia_errf(err, "malformed note: not UTF-8, or a control character other than newline");
		return LIA_NOTE_MALFORMED;
	}
	/* The text ends at the last blank line. */
	size_t split = 0;
	int found = 0;
	for (size_t i = len - 1; i-- > 0;) {
		if (note[i] == '\n' && note[i + 1] == '\n') {
			split = i;
			found = 1;
			break;
		}
	}
	if (!found || split == 0) {
		lia_errf(err, "malformed note: no text followed by a blank line and signatures");
		return LIA_NOTE_MALFORMED;
	}
	size_t tlen = split + 1;
	const char *p = note + split + 2;
	const char *end = note + len;
	if (p >= end) {
		lia_errf(err, "malformed note: no signature lines");
		return LIA_NOTE_MALFORMED;
	}
	unsigned nsig = 0;
	int verified = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		/* eol exists: the note ends in '\n'. */
		if (++nsig > LIA_NOTE_SIGS_MAX) {
			lia_errf(err, "note has more than %u signature lines", LIA_NOTE_SIGS_MAX);
			return LIA_NOTE_TOO_LARGE;
		}
		size_t line_len = (size_t)(eol - p);
		if (line_len < SIG_PREFIX_LEN || memcmp(p, SIG_PREFIX, SIG_PREFIX_LEN) != 0) {
			lia_errf(err, "malformed note: signature line %u does not start with "
				      "an em dash and a space", nsig);
			return LIA_NOTE_MALFORMED;
		}
		const char *name = p + SIG_PREFIX_LEN;
		const char *sp = memchr(name, ' ', (size_t)(eol - name));
		if (sp == NULL || sp == name || sp + 1 >= eol) {
			lia_errf(err, "malformed note: signature line %u is not \"— NAME SIGNATURE\"",
				 nsig);
			return LIA_NOTE_MALFORMED;
		}
		size_t name_len = (size_t)(sp - name);
		const char *b64 = sp + 1;
		size_t b64_len = (size_t)(eol - b64);
		if (memchr(name, '+', name_len) != NULL || memchr(b64, ' ', b64_len) != NULL) {
			lia_errf(err, "malformed note: signature line %u has a bad key name or "
				      "signature", nsig);
			return LIA_NOTE_MALFORMED;
		}
		uint8_t sig[SIG_B64_MAX];
		size_t sig_len = 0;
		if (b64_len > 4 * ((SIG_B64_MAX + 2) / 3) ||
		    b64_decode(sig, sizeof sig, &sig_len, b64, b64_len) != 0 || sig_len < 5) {
			lia_errf(err, "malformed note: signature line %u is not base64 of a key id "
				      "and a signature", nsig);
			return LIA_NOTE_MALFORMED;
		}
		uint32_t id = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 |
			      (uint32_t)sig[2] << 8 | sig[3];
		if (name_len == strlen(v->name) && memcmp(name, v->name, name_len) == 0 &&
		    id == v->key_id) {
			if (verified) {
				lia_errf(err, "malformed note: two signatures by key \"%s\"", v->name);
				return LIA_NOTE_MALFORMED;
			}
			if (sig_len != SIG_BYTES ||
			    crypto_sign_verify_detached(sig + 4, (const uint8_t *)note, tlen, v->pk) !=
				    0) {
				lia_errf(err, "signature by key \"%s\" (id %08" PRIx32
					      ") does not verify", v->name, v->key_id);
				return LIA_NOTE_BAD_SIGNATURE;
			}
			verified = 1;
		}
		p = eol + 1;
	}
	if (!verified) {
		lia_errf(err, "note carries no signature by key \"%s\" (id %08" PRIx32 ")", v->name,
			 v->key_id);
		return LIA_NOTE_UNKNOWN_KEY;
	}
	*text_len = tlen;
	return LIA_NOTE_OK;
}

/* --- checkpoints --- */

int lia_checkpoint_text(char *out, size_t cap, const struct lia_checkpoint *c)
{
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, c->root, 32, sodium_base64_VARIANT_ORIGINAL);
	int w = snprintf(out, cap, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, b64);
	if (w < 0 || (size_t)w >= cap)
		return -1;
	return w;
}

int lia_checkpoint_parse(struct lia_checkpoint *out, const char *text, size_t len,
			 char err[static LIA_ERR_MAX])
{
	memset(out, 0, sizeof *out);
	if (len > LIA_NOTE_MAX_BYTES)
		return lia_errf(err, "checkpoint text too large");
	const char *p = text, *end = text + len;
	const char *line[3];
	size_t line_len[3];
	for (int i = 0; i < 3; i++) {
		const char *eol = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (eol == NULL)
			return lia_errf(err, "checkpoint text has fewer than three lines");
		line[i] = p;
		line_len[i] = (size_t)(eol - p);
		if (line_len[i] == 0)
			return lia_errf(err, "checkpoint line %d is empty", i + 1);
		p = eol + 1;
	}
	/* Extension lines: non-empty, newline-terminated, signed, ignored. */
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL || eol == p)
			return lia_errf(err, "checkpoint has an empty or unterminated extension line");
		p = eol + 1;
	}
	if (line_len[0] >= LIA_NOTE_NAME_MAX)
		return lia_errf(err, "checkpoint origin is longer than %d bytes", LIA_NOTE_NAME_MAX - 1);
	if (text_ok(line[0], line_len[0]) != 0)
		return lia_errf(err, "checkpoint origin is not UTF-8 text");
	memcpy(out->origin, line[0], line_len[0]);
	out->origin[line_len[0]] = '\0';
	if (memchr(out->origin, '\0', line_len[0]) != NULL)
		return lia_errf(err, "checkpoint origin contains a NUL byte");

	const char *s = line[1];
	size_t n = line_len[1];
	if (n > 19 || (n > 1 && s[0] == '0'))
		return lia_errf(err, "checkpoint size is not a decimal without leading zeros");
	uint64_t size = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return lia_errf(err, "checkpoint size is not a decimal number");
		size = size * 10 + (uint64_t)(s[i] - '0');
	}
	if (size > (uint64_t)INT64_MAX)
		return lia_errf(err, "checkpoint size is out of range");
	out->size = size;

	size_t root_len = 0;
	if (line_len[2] != 44 || b64_decode(out->root, 32, &root_len, line[2], 44) != 0 ||
	    root_len != 32)
		return lia_errf(err, "checkpoint root is not canonical base64 of 32 bytes");
	return 0;
}

int lia_checkpoint_sign(char **out, size_t *out_len, const struct lia_checkpoint *c,
			const uint8_t sk[static 64], char err[static LIA_ERR_MAX])
{
	char text[LIA_NOTE_NAME_MAX + 96];
	if (!lia_note_name_valid(c->origin))
		return lia_errf(err, "cannot sign checkpoint: invalid origin \"%.64s\"", c->origin);
	int n = lia_checkpoint_text(text, sizeof text, c);
	if (n < 0)
		return lia_errf(err, "cannot sign checkpoint: text too long");
	return lia_note_sign(out, out_len, text, (size_t)n, c->origin, sk, err);
}

enum lia_note_status lia_checkpoint_open(struct lia_checkpoint *out, const char *note, size_t len,
					 const struct lia_note_verifier *v,
					 char err[static LIA_ERR_MAX])
{
	memset(out, 0, sizeof *out);
	size_t tlen = 0;
	enum lia_note_status st = lia_note_open(note, len, v, &tlen, err);
	if (st != LIA_NOTE_OK)
		return st;
	if (lia_checkpoint_parse(out, note, tlen, err) != 0)
		return LIA_NOTE_MALFORMED;
	if (strcmp(out->origin, v->name) != 0) {
		lia_errf(err, "checkpoint is for log \"%.64s\", not \"%.64s\"", out->origin, v->name);
		memset(out, 0, sizeof *out);
		return LIA_NOTE_WRONG_ORIGIN;
	}
	return LIA_NOTE_OK;
}

size_t lia_note_split(const char *buf, size_t len)
{
	size_t at = 0;
	unsigned text_lines = 0, sig_lines = 0;
	/* Text: one or more non-empty lines, then a blank line. */
	for (;;) {
		const char *eol = at < len ? memchr(buf + at, '\n', len - at) : NULL;
		if (eol == NULL)
			return 0;
		size_t l = (size_t)(eol - (buf + at));
		at += l + 1;
		if (l == 0)
			break;
		text_lines++;
	}
	if (text_lines == 0)
		return 0;
	/* Signatures: lines that start with the em dash. */
	while (at < len) {
		const char *eol = memchr(buf + at, '\n', len - at);
		if (eol == NULL)
			return 0;
		size_t l = (size_t)(eol - (buf + at));
		if (l < SIG_PREFIX_LEN || memcmp(buf + at, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
			break;
		at += l + 1;
		sig_lines++;
	}
	return sig_lines > 0 ? at : 0;
}
