/*
 * test_note.c — C2SP signed notes and checkpoints.
 *
 * Interoperability: the example of golang.org/x/mod/sumdb/note (key
 * "PeterNeumann") must verify here, and signing its text with its seed
 * must reproduce the published note byte for byte (Ed25519 is
 * deterministic). Checkpoints: the signature verifies with plain
 * libsodium over the note text; an altered origin, size or root fails;
 * malformed notes are refused with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "note.h"
#include "util.h"

#define GO_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_SEED_B64 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz" /* 0x01 || seed */
#define GO_TEXT                                                    \
	"If you think cryptography is the answer to your problem,\n" \
	"then you don't know what your problem is.\n"
#define GO_NOTE                                                                              \
	GO_TEXT "\n\xe2\x80\x94 PeterNeumann "                                               \
		"x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6K" \
		"E6RyyBwJnAM=\n"

static void test_go_vector(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_note_verifier v;
	assert_int_equal(lia_note_verifier_parse(&v, GO_VKEY, err), 0);
	assert_string_equal(v.name, "PeterNeumann");
	assert_int_equal(v.key_id, 0xc74f20a3u);
	char again[LIA_NOTE_VKEY_MAX];
	lia_note_verifier_format(&v, again);
	assert_string_equal(again, GO_VKEY);

	size_t tlen = 0;
	assert_int_equal(lia_note_open(GO_NOTE, strlen(GO_NOTE), &v, &tlen, err), LIA_NOTE_OK);
	assert_int_equal(tlen, strlen(GO_TEXT));

	/* Same seed, same text: the same bytes as Go. */
	uint8_t seed[33], pk[32], sk[64];
	size_t n = 0;
	assert_int_equal(sodium_base642bin(seed, sizeof seed, GO_SEED_B64, strlen(GO_SEED_B64), NULL,
					   &n, NULL, sodium_base64_VARIANT_ORIGINAL),
			 0);
	assert_int_equal(n, 33);
	crypto_sign_seed_keypair(pk, sk, seed + 1);
	assert_memory_equal(pk, v.pk, 32);
	char *note = NULL;
	size_t note_len = 0;
	assert_int_equal(lia_note_sign(&note, &note_len, GO_TEXT, strlen(GO_TEXT), "PeterNeumann",
				       sk, err),
			 0);
	assert_string_equal(note, GO_NOTE);
	free(note);

	/* One changed letter and the note is refused. */
	char bad[] = GO_NOTE;
	bad[20] ^= 0x20;
	assert_int_equal(lia_note_open(bad, strlen(bad), &v, &tlen, err), LIA_NOTE_BAD_SIGNATURE);
}

static void test_verifier_keys(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_note_verifier v;
	const char *bad[] = {
		"", "PeterNeumann", "PeterNeumann+c74f20a3",
		"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* wrong id */
		"PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* upper hex */
		"PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  /* short */
		"PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* type 2 */
		"+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",             /* no name */
		"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(lia_note_verifier_parse(&v, bad[i], err), -1);
	uint8_t pk[32] = {0};
	assert_int_equal(lia_note_verifier_init(&v, "has space", pk, err), -1);
	assert_int_equal(lia_note_verifier_init(&v, "has+plus", pk, err), -1);
	assert_int_equal(lia_note_verifier_init(&v, "", pk, err), -1);
	assert_int_equal(lia_note_verifier_init(&v, "example.com/log", pk, err), 0);
}

struct keypair {
	uint8_t pk[32], sk[64];
};

static void keypair(struct keypair *k, uint8_t b)
{
	uint8_t seed[32];
	memset(seed, b, sizeof seed);
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
}

static void test_checkpoint_roundtrip(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct keypair k;
	keypair(&k, 7);
	struct lia_checkpoint c = {.origin = "liaison.test/broker/ledger", .size = 20852163};
	for (int i = 0; i < 32; i++)
		c.root[i] = (uint8_t)i;
	char *note = NULL;
	size_t len = 0;
	assert_int_equal(lia_checkpoint_sign(&note, &len, &c, k.sk, err), 0);

	/* The signature is plain Ed25519 over the text, checkable with libsodium alone. */
	const char *text_end = strstr(note, "\n\n");
	assert_non_null(text_end);
	size_t tlen = (size_t)(text_end - note) + 1;
	const char *b64 = strrchr(note, ' ') + 1;
	uint8_t sig[68];
	size_t sn = 0;
	assert_int_equal(sodium_base642bin(sig, sizeof sig, b64, strlen(b64) - 1, NULL, &sn, NULL,
					   sodium_base64_VARIANT_ORIGINAL),
			 0);
	assert_int_equal(sn, 68);
	assert_int_equal(crypto_sign_verify_detached(sig + 4, (const uint8_t *)note, tlen, k.pk), 0);
	uint32_t id = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 | sig[3];
	assert_int_equal(id, lia_note_key_id(c.origin, k.pk));
	/* Key id = SHA-256(name || 0x0A || 0x01 || pk)[0:4], computed by hand. */
	uint8_t buf[64], h[32];
	size_t on = strlen(c.origin);
	memcpy(buf, c.origin, on);
	buf[on] = 0x0a;
	buf[on + 1] = 0x01;
	memcpy(buf + on + 2, k.pk, 32);
	crypto_hash_sha256(h, buf, on + 34);
	assert_int_equal(id, (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]);

	struct lia_note_verifier v;
	assert_int_equal(lia_note_verifier_init(&v, c.origin, k.pk, err), 0);
	struct lia_checkpoint got;
	assert_int_equal(lia_checkpoint_open(&got, note, len, &v, err), LIA_NOTE_OK);
	assert_string_equal(got.origin, c.origin);
	assert_int_equal(got.size, c.size);
	assert_memory_equal(got.root, c.root, 32);
	const char *prefix = "liaison.test/broker/ledger\n20852163\n"
			     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n"
			     "\xe2\x80\x94 liaison.test/broker/ledger ";
	assert_int_equal(strncmp(note, prefix, strlen(prefix)), 0);
	free(note);
}

static void test_checkpoint_alterations(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct keypair k, other;
	keypair(&k, 7);
	keypair(&other, 8);
	struct lia_checkpoint c = {.origin = "liaison.test/broker/ledger", .size = 1000};
	memset(c.root, 0x33, 32);
	char *note = NULL;
	size_t len = 0;
	assert_int_equal(lia_checkpoint_sign(&note, &len, &c, k.sk, err), 0);
	struct lia_note_verifier v, vo;
	assert_int_equal(lia_note_verifier_init(&v, c.origin, k.pk, err), 0);
	assert_int_equal(lia_note_verifier_init(&vo, c.origin, other.pk, err), 0);
	struct lia_checkpoint got;

	/* Altered origin, size, root: the signature no longer covers the text. */
	char *m = strdup(note);
	m[0] = 'L';
	assert_int_not_equal(lia_checkpoint_open(&got, m, len, &v, err), LIA_NOTE_OK);
	free(m);
	m = strdup(note);
	char *sz = strstr(m, "\n1000\n");
	sz[1] = '2';
	assert_int_equal(lia_checkpoint_open(&got, m, len, &v, err), LIA_NOTE_BAD_SIGNATURE);
	free(m);
	m = strdup(note);
	char *root = strstr(m, "\n1000\n") + 6;
	root[3] = root[3] == 'A' ? 'B' : 'A';
	assert_int_equal(lia_checkpoint_open(&got, m, len, &v, err), LIA_NOTE_BAD_SIGNATURE);
	free(m);
	/* Another key: its key id differs, so the line is ignored and none is ours. */
	assert_int_equal(lia_checkpoint_open(&got, note, len, &vo, err), LIA_NOTE_UNKNOWN_KEY);
	/* A verifier for another log. */
	struct lia_note_verifier vn;
	assert_int_equal(lia_note_verifier_init(&vn, "other.log", k.pk, err), 0);
	assert_int_equal(lia_checkpoint_open(&got, note, len, &vn, err), LIA_NOTE_UNKNOWN_KEY);

	/* A cosignature by an unknown witness is ignored; ours still counts. */
	char *co = NULL;
	size_t co_len = 0;
	assert_int_equal(lia_note_sign(&co, &co_len, note, (size_t)(strstr(note, "\n\n") - note) + 1,
				       "witness.example", other.sk, err),
			 0);
	size_t wlen = co_len - (size_t)(strstr(co, "\n\n") - co) - 2;
	char *both = malloc(len + wlen + 1);
	memcpy(both, note, len);
	memcpy(both + len, strstr(co, "\n\n") + 2, wlen + 1);
	assert_int_equal(lia_checkpoint_open(&got, both, len + wlen, &v, err), LIA_NOTE_OK);
	/* Our signature twice is refused. */
	char *twice = malloc(2 * len);
	memcpy(twice, note, len);
	const char *sigline = strstr(note, "\n\n") + 2;
	size_t sl = len - (size_t)(sigline - note);
	memcpy(twice + len, sigline, sl);
	assert_int_equal(lia_checkpoint_open(&got, twice, len + sl, &v, err), LIA_NOTE_MALFORMED);
	free(twice);
	free(both);
	free(co);
	free(note);
}

static void test_malformed(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct keypair k;
	keypair(&k, 7);
	struct lia_note_verifier v;
	assert_int_equal(lia_note_verifier_init(&v, "o", k.pk, err), 0);
	size_t tl;
	const char *bad[] = {
		"",
		"text\n",
		"text\n\n",
		"text\n\nno dash line\n",
		"text\n\n\xe2\x80\x94 o\n",
		"text\n\n\xe2\x80\x94 o AAAA\n",                 /* shorter than a key id */
		"text\n\n\xe2\x80\x94 o !!!!\n",                 /* not base64 */
		"text\n\n\xe2\x80\x94 o AAAAAA==\n",             /* non-canonical padding bits */
		"te\x01xt\n\n\xe2\x80\x94 o AAAAAAA=\n",         /* control character */
		"te\xc3xt\n\n\xe2\x80\x94 o AAAAAAA=\n",         /* broken UTF-8 */
		"text\n\n\xe2\x80\x94 o AAAAAAA=",               /* no final newline */
		"\n\n\xe2\x80\x94 o AAAAAAA=\n",                 /* empty text */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(lia_note_open(bad[i], strlen(bad[i]), &v, &tl, err), LIA_NOTE_MALFORMED);
		assert_true(err[0] != '\0');
	}
	/* Too large before anything is parsed. */
	size_t big = LIA_NOTE_MAX_BYTES + 1;
	char *b = malloc(big);
	memset(b, 'a', big);
	assert_int_equal(lia_note_open(b, big, &v, &tl, err), LIA_NOTE_TOO_LARGE);
	free(b);

	/* Checkpoint texts. */
	struct lia_checkpoint c;
	const char *texts[] = {
		"o\n1\n",
		"o\n01\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
		"o\n-1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
		"o\n9223372036854775808\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
		"o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh==\n",
		"o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg\n",
		"\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
		"o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		assert_int_equal(lia_checkpoint_parse(&c, texts[i], strlen(texts[i]), err), -1);
	const char *good = "o\n0\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nextension\n";
	assert_int_equal(lia_checkpoint_parse(&c, good, strlen(good), err), 0);
	assert_int_equal(c.size, 0);

	/* Splitting a container of notes. */
	const char *two = "a\nb\n\n\xe2\x80\x94 o AAAAAAA=\n\nc\n\n\xe2\x80\x94 o AAAAAAA=\n";
	size_t first = lia_note_split(two, strlen(two));
	assert_int_equal(first, strlen("a\nb\n\n\xe2\x80\x94 o AAAAAAA=\n"));
	assert_int_equal(lia_note_split(two + first + 1, strlen(two + first + 1)),
			 strlen(two + first + 1));
	assert_int_equal(lia_note_split("a\n\n", 3), 0);
	assert_int_equal(lia_note_split("\n\xe2\x80\x94 o A\n", 9), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_vector),
		cmocka_unit_test(test_verifier_keys),
		cmocka_unit_test(test_checkpoint_roundtrip),
		cmocka_unit_test(test_checkpoint_alterations),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
