/*
 * test_proof.c — proof files: a proof made from a ledger verifies with
 * the broker's key alone; any change to the record, the index, a hash or
 * the checkpoint makes it fail; malformed files are refused with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "proof.h"

struct fx {
	struct lia_ledger *l;
	struct lia_secret *key;
	struct lia_note_verifier v;
};

static int setup(void **state)
{
	char err[LIA_ERR_MAX];
	struct fx *f = calloc(1, sizeof *f);
	f->l = lia_ledger_open_file(":memory:", FIXTURE_ORIGIN, LIA_LEDGER_CREATE, err);
	f->key = fixture_key(9);
	if (f->l == NULL || f->key == NULL ||
	    lia_note_verifier_init(&f->v, FIXTURE_ORIGIN, f->key->pk, err) != 0 ||
	    fixture_append(f->l, 0, 70, 64, err) != 0 ||
	    lia_ledger_checkpoint(f->l, f->key, 1, NULL, err) != 0 ||
	    fixture_append(f->l, 70, 123, 64, err) != 0 ||
	    lia_ledger_checkpoint(f->l, f->key, 2, NULL, err) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	lia_ledger_destroy(&f->l);
	lia_secret_destroy(&f->key);
	free(f);
	return 0;
}

static char *make_inclusion(struct fx *f, uint64_t seq, uint64_t size, size_t *len)
{
	char err[LIA_ERR_MAX];
	struct lia_inclusion_proof p = {0};
	char *text = NULL;
	p.index = seq;
	if (lia_ledger_checkpoint_get(f->l, size, &p.checkpoint, &p.checkpoint_len, err) != 0 ||
	    lia_ledger_get_encoded(f->l, seq, &p.record, &p.record_len, err) != 0 ||
	    lia_ledger_inclusion_proof(f->l, seq, size, &p.path, err) != 0 ||
	    lia_inclusion_proof_format(&text, len, &p, err) != 0)
		fail_msg("%s", err);
	lia_inclusion_proof_clear(&p);
	return text;
}

static enum lia_proof_status check_inclusion(struct fx *f, const char *text, size_t len,
					     struct lia_record *rec)
{
	char err[LIA_ERR_MAX];
	struct lia_inclusion_proof p;
	enum lia_proof_status st = lia_inclusion_proof_parse(&p, text, len, err);
	if (st != LIA_PROOF_OK)
		return st;
	st = lia_inclusion_proof_verify(&p, &f->v, NULL, rec, err);
	lia_inclusion_proof_clear(&p);
	return st;
}

static void test_inclusion(void **state)
{
	struct fx *f = *state;
	struct lia_record *rec = malloc(sizeof *rec), *want = malloc(sizeof *want);
	for (uint64_t seq = 0; seq < 123; seq += 5) {
		size_t len;
		char *text = make_inclusion(f, seq, 123, &len);
		assert_int_equal(strncmp(text, "c2sp.org/tlog-proof@v1\nextra ", 29), 0);
		assert_int_equal(check_inclusion(f, text, len, rec), LIA_PROOF_OK);
		fixture_record(want, seq);
		want->seq = seq;
		assert_memory_equal(rec, want, sizeof *rec);
		free(text);
	}
	/* Against the older checkpoint too. */
	size_t len;
	char *text = make_inclusion(f, 69, 70, &len);
	assert_int_equal(check_inclusion(f, text, len, rec), LIA_PROOF_OK);
	free(text);

	text = make_inclusion(f, 42, 123, &len);
	/* Another index: the path no longer leads to the root. */
	char *m = strdup(text);
	char *idx = strstr(m, "index 42\n");
	idx[7] = '3';
	assert_int_equal(check_inclusion(f, m, len, rec), LIA_PROOF_INVALID);
	free(m);
	/* A changed record (one base64 character of the extra line). */
	m = strdup(text);
	char *extra = strstr(m, "extra ") + 20;
	*extra = *extra == 'A' ? 'Q' : 'A';
	assert_int_not_equal(check_inclusion(f, m, len, rec), LIA_PROOF_OK);
	free(m);
	/* A changed proof hash. */
	m = strdup(text);
	char *h = strstr(m, "index 42\n") + 9;
	h[5] = h[5] == 'A' ? 'Q' : 'A';
	assert_int_not_equal(check_inclusion(f, m, len, rec), LIA_PROOF_OK);
	free(m);
	/* A hash line removed. */
	m = strdup(text);
	char *h2 = strstr(m, "index 42\n") + 9;
	memmove(h2, h2 + 45, strlen(h2 + 45) + 1);
	assert_int_equal(check_inclusion(f, m, strlen(m), rec), LIA_PROOF_INVALID);
	free(m);
	/* The checkpoint's size changed: its signature fails. */
	m = strdup(text);
	char *sz = strstr(m, "\n123\n");
	sz[3] = '4';
	assert_int_equal(check_inclusion(f, m, len, rec), LIA_PROOF_BAD_CHECKPOINT);
	free(m);
	/* Another broker's key. */
	struct lia_note_verifier other;
	struct lia_secret *k2 = fixture_key(11);
	char err[LIA_ERR_MAX];
	assert_int_equal(lia_note_verifier_init(&other, FIXTURE_ORIGIN, k2->pk, err), 0);
	struct lia_inclusion_proof p;
	assert_int_equal(lia_inclusion_proof_parse(&p, text, len, err), LIA_PROOF_OK);
	assert_int_equal(lia_inclusion_proof_verify(&p, &other, NULL, NULL, err),
			 LIA_PROOF_BAD_CHECKPOINT);
	/* Round trip of the text. */
	char *again = NULL;
	size_t again_len = 0;
	assert_int_equal(lia_inclusion_proof_format(&again, &again_len, &p, err), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, text, len);
	free(again);
	lia_inclusion_proof_clear(&p);
	lia_secret_destroy(&k2);
	free(text);
	free(rec);
	free(want);
}

static void test_consistency(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	struct lia_consistency_proof p = {0};
	assert_int_equal(lia_ledger_checkpoint_get(f->l, 70, &p.old_note, &p.old_len, err), 0);
	assert_int_equal(lia_ledger_checkpoint_get(f->l, 123, &p.new_note, &p.new_len, err), 0);
	assert_int_equal(lia_ledger_consistency_proof(f->l, 70, 123, &p.path, err), 0);
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(lia_consistency_proof_format(&text, &len, &p, err), 0);
	lia_consistency_proof_clear(&p);
	assert_int_equal(lia_consistency_proof_parse(&p, text, len, err), LIA_PROOF_OK);
	struct lia_checkpoint a, b;
	assert_int_equal(lia_consistency_proof_verify(&p, &f->v, &a, &b, err), LIA_PROOF_OK);
	assert_int_equal(a.size, 70);
	assert_int_equal(b.size, 123);
	/* Swapping the checkpoints, or altering a hash, fails. */
	char *t = p.old_note;
	size_t tl = p.old_len;
	p.old_note = p.new_note;
	p.old_len = p.new_len;
	p.new_note = t;
	p.new_len = tl;
	assert_int_not_equal(lia_consistency_proof_verify(&p, &f->v, NULL, NULL, err), LIA_PROOF_OK);
	lia_consistency_proof_clear(&p);
	char *m = strdup(text);
	char *hc = m + strlen(LIA_CONSISTENCY_PROOF_HEADER) + 3;
	*hc = *hc == 'A' ? 'B' : 'A';
	assert_int_equal(lia_consistency_proof_parse(&p, m, len, err), LIA_PROOF_OK);
	assert_int_equal(lia_consistency_proof_verify(&p, &f->v, NULL, NULL, err), LIA_PROOF_INVALID);
	lia_consistency_proof_clear(&p);
	free(m);
	free(text);
}

static void test_malformed(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	size_t len;
	char *good = make_inclusion(f, 3, 123, &len);
	struct lia_inclusion_proof p;
	const char *bad[] = {
		"",
		"c2sp.org/tlog-proof@v1\n",
		"c2sp.org/tlog-proof@v2\nextra AA==\nindex 0\n\n",
		"c2sp.org/tlog-proof@v1\nindex 0\n\n",
		"c2sp.org/tlog-proof@v1\nextra AA==\nindex 01\n\n",
		"c2sp.org/tlog-proof@v1\nextra AA==\nindex -1\n\n",
		"c2sp.org/tlog-proof@v1\nextra AA==\nindex 0\nAAAA\n\n",
		"c2sp.org/tlog-proof@v1\nextra AB==\nindex 0\n\n",
		"c2sp.org/tlog-proof@v1\nextra AA==\nindex 0\n\nnot a note\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(lia_inclusion_proof_parse(&p, bad[i], strlen(bad[i]), err),
				 LIA_PROOF_MALFORMED);
		assert_true(err[0] != '\0');
	}
	/* Text after the checkpoint. */
	char *m = malloc(len + 8);
	memcpy(m, good, len);
	memcpy(m + len, "extra\n", 7);
	assert_int_equal(lia_inclusion_proof_parse(&p, m, len + 6, err), LIA_PROOF_MALFORMED);
	free(m);
	/* More hashes than any tree needs. */
	size_t big_len = 64 + 65 * 45 + len;
	char *big = malloc(big_len + 1);
	size_t at = (size_t)snprintf(big, big_len, "c2sp.org/tlog-proof@v1\nextra AA==\nindex 0\n");
	for (int i = 0; i < 65; i++)
		at += (size_t)snprintf(big + at, big_len - at, "%s\n",
				       "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
	at += (size_t)snprintf(big + at, big_len - at, "\n");
	assert_int_equal(lia_inclusion_proof_parse(&p, big, at, err), LIA_PROOF_MALFORMED);
	assert_non_null(strstr(err, "more proof hashes"));
	free(big);
	assert_int_equal(lia_inclusion_proof_parse(&p, good, LIA_PROOF_MAX_BYTES + 1, err),
			 LIA_PROOF_MALFORMED);
	struct lia_consistency_proof c;
	assert_int_equal(lia_consistency_proof_parse(&c, good, len, err), LIA_PROOF_MALFORMED);
	free(good);
	assert_string_not_equal(lia_proof_status_str(LIA_PROOF_INVALID), "ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inclusion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consistency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
