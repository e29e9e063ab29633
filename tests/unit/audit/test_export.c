/*
 * test_export.c — exports: a JSON-lines export loads back into a ledger
 * that verifies with the broker's key; an edited export (record bytes,
 * readable fields, order, checkpoint, truncation) is refused or fails
 * verification; CSV is RFC 4180 and inert in spreadsheets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "export.h"

struct fx {
	struct lia_ledger *l;
	struct lia_secret *key;
	struct lia_note_verifier v;
	char *jsonl;
	size_t jsonl_len;
};

static int setup(void **state)
{
	char err[LIA_ERR_MAX];
	struct fx *f = calloc(1, sizeof *f);
	f->l = lia_ledger_open_file(":memory:", FIXTURE_ORIGIN, LIA_LEDGER_CREATE, err);
	f->key = fixture_key(9);
	if (f->l == NULL || f->key == NULL ||
	    lia_note_verifier_init(&f->v, FIXTURE_ORIGIN, f->key->pk, err) != 0 ||
	    fixture_append(f->l, 0, 60, 64, err) != 0 ||
	    lia_ledger_checkpoint(f->l, f->key, 1, NULL, err) != 0 ||
	    fixture_append(f->l, 60, 64, 64, err) != 0)
		return -1;
	FILE *out = open_memstream(&f->jsonl, &f->jsonl_len);
	uint64_t count = 0;
	if (lia_export_write(f->l, LIA_EXPORT_JSONL, out, NULL, &count, NULL, NULL, err) != 0 ||
	    count != 60)
		return -1;
	fclose(out);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	lia_ledger_destroy(&f->l);
	lia_secret_destroy(&f->key);
	free(f->jsonl);
	free(f);
	return 0;
}

static struct lia_ledger *load(const char *text, char err[static LIA_ERR_MAX])
{
	FILE *in = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	struct lia_ledger *l = lia_export_load(in, NULL, NULL, err);
	fclose(in);
	return l;
}

/* text with the first occurrence of from replaced by to (malloc'd). */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	assert_non_null(at);
	size_t n = strlen(text) - strlen(from) + strlen(to);
	char *out = malloc(n + 1);
	size_t pre = (size_t)(at - text);
	memcpy(out, text, pre);
	memcpy(out + pre, to, strlen(to));
	memcpy(out + pre + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
	return out;
}

static void test_roundtrip(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	const char *hdr = "{\"format\":\"liaison-ledger-export/1\",\"origin\":\"" FIXTURE_ORIGIN
			  "\",\"size\":60}\n";
	assert_int_equal(strncmp(f->jsonl, hdr, strlen(hdr)), 0);
	struct lia_ledger *l = load(f->jsonl, err);
	if (l == NULL)
		fail_msg("%s", err);
	struct lia_ledger_verify_result res;
	assert_int_equal(lia_ledger_verify(l, &f->v, NULL, 0, NULL, NULL, &res), LIA_LEDGER_VALID);
	assert_int_equal(res.size, 60);
	assert_int_equal(res.checkpoints, 1);
	/* Exporting the import gives the same bytes. */
	char *again = NULL;
	size_t again_len = 0;
	FILE *out = open_memstream(&again, &again_len);
	uint64_t count = 0;
	assert_int_equal(lia_export_write(l, LIA_EXPORT_JSONL, out, NULL, &count, NULL, NULL, err), 0);
	fclose(out);
	assert_int_equal(again_len, f->jsonl_len);
	assert_memory_equal(again, f->jsonl, again_len);
	free(again);
	lia_ledger_destroy(&l);
	/* Every line parses on its own. */
	const char *p = f->jsonl;
	while (*p) {
		const char *eol = strchr(p, '\n');
		assert_int_equal(lia_export_parse_line(p, (size_t)(eol - p), err), 0);
		p = eol + 1;
	}
}

static void test_edited(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	/* A readable field edited, record bytes intact: refused at load. */
	char *m = replace(f->jsonl, "\"recipient\":{\"subject\":\"ES-GC/algeciras\"",
			  "\"recipient\":{\"subject\":\"ES-GC/cadiz\"");
	assert_null(load(m, err));
	assert_non_null(strstr(err, "readable fields do not match"));
	free(m);
	/* A record line removed: the sequence breaks. */
	char *line = strstr(f->jsonl, "{\"seq\":7,");
	char *next = strchr(line, '\n') + 1;
	m = malloc(f->jsonl_len);
	size_t pre = (size_t)(line - f->jsonl);
	memcpy(m, f->jsonl, pre);
	memcpy(m + pre, next, strlen(next) + 1);
	assert_null(load(m, err));
	assert_non_null(strstr(err, "record 8 where record 7 was expected"));
	free(m);
	/* Cut short: no checkpoint line. */
	m = strdup(f->jsonl);
	*strstr(m, "{\"checkpoint\"") = '\0';
	assert_null(load(m, err));
	assert_non_null(strstr(err, "no checkpoint"));
	free(m);
	/* The checkpoint replaced by one of another key: loads, fails verify. */
	struct lia_secret *k2 = fixture_key(12);
	struct lia_ledger *l = load(f->jsonl, err);
	assert_non_null(l);
	struct lia_note_verifier v2;
	assert_int_equal(lia_note_verifier_init(&v2, FIXTURE_ORIGIN, k2->pk, err), 0);
	struct lia_ledger_verify_result res;
	assert_int_equal(lia_ledger_verify(l, &v2, NULL, 0, NULL, NULL, &res), LIA_LEDGER_INVALID);
	assert_true(res.has_bad_checkpoint);
	lia_ledger_destroy(&l);
	lia_secret_destroy(&k2);
	/* Not an export at all. */
	assert_null(load("{\"hello\":1}\n", err));
	assert_null(load("", err));
	assert_null(load("[1,2]\n", err));
}

static void test_csv(void **state)
{
	struct fx *f = *state;
	char err[LIA_ERR_MAX];
	/* A record whose text a spreadsheet would run. */
	struct lia_record r;
	fixture_record(&r, 60);
	snprintf(r.justification, sizeof r.justification, "=HYPERLINK(\"http://x\",\"a, b\")");
	assert_int_equal(lia_ledger_append_all(f->l, &r, 1, err), 0);
	assert_int_equal(lia_ledger_checkpoint(f->l, f->key, 2, NULL, err), 0);
	char *csv = NULL, *cp = NULL;
	size_t csv_len = 0, cp_len = 0;
	FILE *out = open_memstream(&csv, &csv_len);
	FILE *cpo = open_memstream(&cp, &cp_len);
	uint64_t count = 0;
	assert_int_equal(lia_export_write(f->l, LIA_EXPORT_CSV, out, NULL, &count, NULL, NULL, err), -1);
	assert_int_equal(lia_export_write(f->l, LIA_EXPORT_CSV, out, cpo, &count, NULL, NULL, err), 0);
	fclose(out);
	fclose(cpo);
	assert_int_equal(count, 65);
	assert_int_equal(strncmp(csv, "seq,time,operation,actor_subject,", 33), 0);
	assert_non_null(strstr(csv, "\"'=HYPERLINK(\"\"http://x\"\",\"\"a, b\"\")\""));
	size_t rows = 0;
	for (const char *p = csv; (p = strstr(p, "\r\n")) != NULL; p += 2)
		rows++;
	assert_int_equal(rows, 66);
	struct lia_checkpoint c;
	assert_int_equal(lia_checkpoint_open(&c, cp, cp_len, &f->v, err), LIA_NOTE_OK);
	assert_int_equal(c.size, 65);
	free(csv);
	free(cp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
