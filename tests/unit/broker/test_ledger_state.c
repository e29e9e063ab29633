/*
 * test_ledger_state.c — the ledger's state beside the store
 * (broker/ledger_state.h): the start-up check of a real SQLite store
 * against ledger.checkpoint and ledger.size, each refusal and what it
 * says, acceptance with --accept-ledger, --check writing nothing, and
 * the files kept current after commits and checkpoints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "audit/audit_fixture.h"
#include "ledger_sqlite.h"
#include "ledger_state.h"
#include "unit.h"

struct fx {
	char dir[64];
	char db[128], cp[128], size[128];
	struct lia_secret *key;
	struct lia_note_verifier v;
	struct lia_unit *u;
	struct lia_ledger_state st;
	struct lia_ledger_state_report rep;
	char err[LIA_ERR_MAX], todo[LIA_ERR_MAX];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/lia-lstate-XXXXXX");
	if (f == NULL || mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->db, sizeof f->db, "%s/liaison.db", f->dir);
	snprintf(f->cp, sizeof f->cp, "%s/ledger.checkpoint", f->dir);
	snprintf(f->size, sizeof f->size, "%s/ledger.size", f->dir);
	f->key = fixture_key(9);
	char err[LIA_ERR_MAX];
	if (f->key == NULL || lia_note_verifier_init(&f->v, FIXTURE_ORIGIN, f->key->pk, err) != 0)
		return -1;
	*state = f;
	return 0;
}

static void unit_close(struct fx *f)
{
	lia_ledger_state_close(&f->st);
	lia_unit_destroy(&f->u);
}

static void remove_store(struct fx *f)
{
	char p[160];
	const char *sfx[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", f->db, sfx[i]);
		unlink(p);
	}
}

static int teardown(void **state)
{
	struct fx *f = *state;
	unit_close(f);
	remove_store(f);
	unlink(f->cp);
	unlink(f->size);
	rmdir(f->dir);
	lia_secret_destroy(&f->key);
	free(f);
	return 0;
}

static struct lia_ledger *ledger(struct fx *f) { return lia_unit_ledger(f->u); }

/* Open the unit and run the check; the result of lia_ledger_state_open. */
static int check(struct fx *f, bool check_only, bool has_accept, uint64_t accept)
{
	unit_close(f);
	f->u = lia_unit_open(f->db, FIXTURE_ORIGIN, f->err);
	if (f->u == NULL)
		fail_msg("unit: %s", f->err);
	struct lia_ledger_state_opts o = {check_only, has_accept, accept};
	f->err[0] = f->todo[0] = '\0';
	return lia_ledger_state_open(&f->st, f->dir, f->u, &f->v, &o, &f->rep, f->err, f->todo);
}

static void has(const char *text, const char *needle)
{
	if (strstr(text, needle) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", text, needle);
}

/* Append [from, to) as the broker does: commit, then record the size. */
static void grow(struct fx *f, uint64_t from, uint64_t to)
{
	assert_int_equal(fixture_append(ledger(f), from, to, 37, f->err), 0);
	assert_int_equal(lia_ledger_state_grown(&f->st, ledger(f), f->err), 0);
}

static void sign(struct fx *f)
{
	assert_int_equal(lia_ledger_checkpoint(ledger(f), f->key, 1796000000, NULL, f->err), 0);
	assert_int_equal(lia_ledger_state_signed(&f->st, ledger(f), f->err), 0);
}

static uint64_t size_file(struct fx *f)
{
	FILE *fp = fopen(f->size, "r");
	assert_non_null(fp);
	unsigned long long n = 0;
	assert_int_equal(fscanf(fp, "liaison-ledger-size 1 %llu", &n), 1);
	fclose(fp);
	return n;
}

static void write_file(const char *path, const char *text)
{
	unlink(path);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(path, 0600);
}

/* A store of n records with a checkpoint at signed (0: none), its
 * state kept as the broker keeps it. */
static void store_of(struct fx *f, uint64_t signed_at, uint64_t n)
{
	assert_int_equal(check(f, false, false, 0), 0);
	grow(f, 0, signed_at);
	if (signed_at > 0)
		sign(f);
	grow(f, signed_at, n);
	unit_close(f);
}

static void test_fresh_and_kept(void **state)
{
	struct fx *f = *state;
	store_of(f, 100, 130);
	struct stat sb;
	assert_int_equal(stat(f->cp, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(f->size, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(size_file(f), 130);
	/* Reopened: sound, and the report says what was checked. */
	assert_int_equal(check(f, false, false, 0), 0);
	assert_int_equal(f->rep.records, 130);
	assert_int_equal(f->rep.checkpoints, 1);
	assert_true(f->rep.has_signed);
	assert_int_equal(f->rep.signed_size, 100);
	assert_int_equal(f->rep.committed, 130);
	assert_false(f->rep.accepted);
	/* A checkpoint signed later moves ledger.checkpoint; the pin follows. */
	grow(f, 130, 140);
	sign(f);
	assert_int_equal(check(f, false, false, 0), 0);
	assert_int_equal(f->rep.signed_size, 140);
	/* Nothing to accept is refused: the flag must not linger. */
	assert_int_equal(check(f, false, true, 140), LIA_STATE_REFUSED);
	has(f->err, "nothing to accept, the ledger (140 records) matches its state");
}

static void test_rolled_back(void **state)
{
	struct fx *f = *state;
	store_of(f, 100, 130);
	/* The store replaced by one of 90 records (an older copy, a lost WAL). */
	remove_store(f);
	/* Empty: refused by --check too, which writes nothing. */
	assert_int_equal(check(f, true, false, 0), LIA_STATE_REFUSED);
	has(f->err, "it holds 0 records, but 130 were committed");
	assert_int_equal(size_file(f), 130);
	assert_int_equal(fixture_append(ledger(f), 0, 90, 37, f->err), 0);
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "the ledger was rolled back: it holds 90 records, but 130 were committed "
		    "(ledger.size): 40 acknowledged records are missing");
	has(f->todo, "start once with --accept-ledger 90");
	assert_int_equal(check(f, true, false, 0), LIA_STATE_REFUSED); /* --check says the same */
	assert_int_equal(check(f, false, true, 91), LIA_STATE_REFUSED);
	has(f->err, "--accept-ledger 91: the ledger holds 90 records");
	assert_int_equal(size_file(f), 130); /* refusals write nothing */
	/* Accepted: the state is rebuilt from the ledger as it is. */
	assert_int_equal(check(f, false, true, 90), 0);
	assert_true(f->rep.accepted);
	assert_int_equal(f->rep.missing, 40);
	assert_int_equal(size_file(f), 90);
	assert_int_equal(access(f->cp, F_OK), -1); /* no checkpoint in the file yet */
	assert_int_equal(check(f, false, false, 0), 0);
}

static void test_rolled_below_signed(void **state)
{
	struct fx *f = *state;
	store_of(f, 100, 100);
	remove_store(f);
	assert_int_equal(check(f, true, false, 0), LIA_STATE_REFUSED);
	assert_int_equal(fixture_append(ledger(f), 0, 60, 37, f->err), 0);
	unlink(f->size); /* only the signed checkpoint left: it is enough */
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "it holds 60 records, but 100 were committed (ledger.checkpoint): 40 acknowledged");
	/* Grown past it with other records: a rewrite, not a rollback. */
	struct lia_record recs[50];
	for (unsigned k = 0; k < 50; k++) {
		fixture_record(&recs[k], 60 + k);
		snprintf(recs[k].justification, LIA_TEXT_MAX, "another history %u", k);
	}
	assert_int_equal(lia_ledger_append_all(ledger(f), recs, 50, f->err), 0);
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "the ledger was rewritten: its first 100 records no longer have the root");
	has(f->todo, "--accept-ledger 110");
}

static void test_state_untrusted(void **state)
{
	struct fx *f = *state;
	store_of(f, 50, 60);
	/* Missing altogether beside a ledger with records. */
	rename(f->cp, "/tmp/lia-lstate-cp.keep");
	rename(f->size, "/tmp/lia-lstate-size.keep");
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "no ledger state (ledger.checkpoint, ledger.size) beside a ledger of 60 records");
	rename("/tmp/lia-lstate-size.keep", f->size);
	/* A checkpoint another key signed, and one that is no note at all. */
	struct lia_secret *other = fixture_key(10);
	char *note = NULL;
	size_t len = 0;
	struct lia_checkpoint c = {.size = 60};
	snprintf(c.origin, sizeof c.origin, "%s", FIXTURE_ORIGIN);
	assert_int_equal(lia_checkpoint_sign(&note, &len, &c, other->sk, f->err), 0);
	write_file(f->cp, note);
	free(note);
	lia_secret_destroy(&other);
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "ledger.checkpoint is not a checkpoint signed by this broker");
	write_file(f->cp, "EU-EXCH/broker\n60\n");
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "ledger.checkpoint is not a checkpoint signed by this broker");
	rename("/tmp/lia-lstate-cp.keep", f->cp);
	assert_int_equal(check(f, false, false, 0), 0);
	unit_close(f);
	/* ledger.size: the wrong layout, too large, readable by others. */
	write_file(f->size, "liaison-ledger-size 1 60\n");
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "ledger.size is not a ledger size file");
	write_file(f->size, "liaison-ledger-size 1 0000000000000000006x\n");
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	char big[200];
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	write_file(f->size, big);
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "too large");
	write_file(f->size, "liaison-ledger-size 1 00000000000000000060\n");
	chmod(f->size, 0644);
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "mode 0644");
	chmod(f->size, 0600);
	assert_int_equal(check(f, false, false, 0), 0);
	/* Accepted over a bad file: it is rewritten. */
	unit_close(f);
	write_file(f->size, "garbage");
	assert_int_equal(check(f, false, true, 60), 0);
	assert_int_equal(size_file(f), 60);
}

static void test_damage_not_accepted(void **state)
{
	struct fx *f = *state;
	store_of(f, 100, 120);
	/* Record 42 edited, its hashes left: the full verify names it. */
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER ledger_record_no_update;"
					  "UPDATE ledger_record SET record = CAST(record AS BLOB) || x'00'"
					  " WHERE seq = 42", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(check(f, false, false, 0), LIA_STATE_REFUSED);
	has(f->err, "the ledger is damaged from record 42: record 42");
	has(f->todo, "restore the last good backup");
	assert_int_equal(check(f, false, true, 120), LIA_STATE_REFUSED);
	has(f->err, "the ledger is damaged from record 42");
	assert_int_equal(check(f, true, false, 0), LIA_STATE_REFUSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_and_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rolled_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rolled_below_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_untrusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damage_not_accepted, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
