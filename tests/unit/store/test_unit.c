/* The unit of work (store/unit.h), as its usage example: one object owns
 * the connection and the turn's transaction, so a message and the ledger
 * record that says it was published are durable together or not at all.
 *
 *     u = lia_unit_open(path, origin, err);
 *     lia_unit_begin(u, err);
 *     lia_store_message_add(lia_unit_store(u), ...);
 *     lia_ledger_append(lia_unit_ledger(u), &rec, err);
 *     lia_unit_commit(u, err);      -- or lia_unit_rollback(u)
 */
#define _XOPEN_SOURCE 700
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_fixture.h"
#include "backup.h"
#include "ledger.h"
#include "store.h"
#include "store_int.h"
#include "unit.h"

#include "store_fixture.h"

/* One turn's writes: message idbyte in the store and its publication in
 * the ledger, inside the unit's open transaction. */
static void turn_writes(struct lia_unit *u, uint8_t idbyte)
{
	char err[LIA_ERR_MAX];
	(void)add_msg(lia_unit_store(u), idbyte, 0);
	struct lia_record r;
	fixture_record(&r, 0);
	memset(r.message_id, idbyte, LIA_ID_BYTES);
	if (lia_ledger_append(lia_unit_ledger(u), &r, err) != 0)
		fail_msg("%s", err);
}

/* After reopening: whether message idbyte is stored, and how many
 * records the ledger holds. */
static void reopen_and_count(uint8_t idbyte, int *found, uint64_t *records)
{
	char err[LIA_ERR_MAX];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	uint8_t id[LIA_ID_BYTES];
	memset(id, idbyte, sizeof id);
	struct lia_store_message m;
	*found = lia_store_message_find(lia_unit_store(u), id, &m);
	assert_int_equal(lia_ledger_size(lia_unit_ledger(u), records, err), 0);
	lia_unit_destroy(&u);
	assert_null(u);
}

/* --- WAL checkpoints off the committing thread (unit.h, "side") --- */

static void count_wanted(void *ctx)
{
	(*(int *)ctx)++;
}

/* Frames in the WAL now (a passive checkpoint that copies nothing new
 * reports them); the unit's connection, between turns. */
static int wal_frames(struct lia_unit *u)
{
	int log = -1, done = -1;
	assert_int_equal(sqlite3_wal_checkpoint_v2(lia_store_sqlite(lia_unit_store(u)), NULL,
						   SQLITE_CHECKPOINT_PASSIVE, &log, &done),
			 SQLITE_OK);
	return log;
}

static void one_turn(struct lia_unit *u, int k)
{
	char err[LIA_ERR_MAX];
	assert_int_equal(lia_unit_begin(u, err), 0);
	turn_writes(u, (uint8_t)(k % 250 + 1));
	if (lia_unit_commit(u, err) != 0)
		fail_msg("%s", err);
}

static void test_wal_deferred_to_side(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	int wanted = 0;
	lia_unit_wal_defer(u, 40, count_wanted, &wanted);
	/* The commits no longer checkpoint: the WAL passes 40 pages and
	 * the side is asked, once a commit. */
	int k = 0;
	while (wanted == 0 && k < 2000)
		one_turn(u, k++);
	assert_true(wanted > 0);
	struct lia_unit_side *side = lia_unit_side_open(u, err);
	if (side == NULL)
		fail_msg("%s", err);
	/* The side copies every frame committed, even with the unit's write
	 * transaction open beside it (a passive checkpoint never waits). */
	int left = -1;
	assert_int_equal(lia_unit_begin(u, err), 0);
	turn_writes(u, 251);
	assert_int_equal(lia_unit_side_wal_checkpoint(side, &left, err), 0);
	assert_int_equal(left, 0);
	/* Inside a transaction the unit does not catch up. */
	assert_int_equal(lia_unit_wal_catch_up(u, err), -1);
	if (strstr(err, "a transaction is open") == NULL)
		fail_msg("%s", err);
	assert_int_equal(lia_unit_commit(u, err), 0);
	/* After its catch-up, the next transaction starts the WAL over. */
	int before = wal_frames(u);
	assert_true(before >= 40);
	assert_int_equal(lia_unit_wal_catch_up(u, err), 0);
	one_turn(u, k++);
	int after = wal_frames(u);
	if (after >= 40)
		fail_msg("the WAL did not start over: %d frames before, %d after", before, after);
	/* With no side at work, the commits keep the WAL under 16 x 40
	 * pages themselves. */
	uint64_t inline_before = lia_unit_wal_inline(u);
	for (int n = 0; n < 3000 && lia_unit_wal_inline(u) == inline_before; n++)
		one_turn(u, k++);
	assert_true(lia_unit_wal_inline(u) > inline_before);
	one_turn(u, k++);
	assert_true(wal_frames(u) < 16 * 40);
	lia_unit_side_close(&side);
	assert_null(side);
	/* Everything committed is there after a reopen. */
	lia_unit_destroy(&u);
	int found = 0;
	uint64_t records = 0;
	reopen_and_count(251, &found, &records);
	assert_int_equal(found, 1);
	assert_int_equal(records, (uint64_t)k + 1);
}

static void test_commit_makes_both_durable(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	assert_false(lia_unit_active(u));
	assert_int_equal(lia_unit_begin(u, err), 0);
	assert_true(lia_unit_active(u));
	turn_writes(u, 7);
	assert_int_equal(lia_unit_commit(u, err), 0);
	assert_false(lia_unit_active(u));
	lia_unit_destroy(&u);

	int found = -1;
	uint64_t records = 0;
	reopen_and_count(7, &found, &records);
	assert_int_equal(found, 1);
	assert_int_equal(records, 1);
}

static void test_rollback_leaves_neither(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	assert_int_equal(lia_unit_begin(u, err), 0);
	turn_writes(u, 8);
	lia_unit_rollback(u);
	assert_false(lia_unit_active(u));
	lia_unit_rollback(u); /* a no-op now */
	/* The next turn starts from the rolled-back state: record 0 again. */
	assert_int_equal(lia_unit_begin(u, err), 0);
	assert_int_equal(lia_ledger_next_seq(lia_unit_ledger(u)), 0);
	lia_unit_rollback(u);
	lia_unit_destroy(&u);

	int found = -1;
	uint64_t records = 99;
	reopen_and_count(8, &found, &records);
	assert_int_equal(found, 0);
	assert_int_equal(records, 0);
}

static void test_begin_twice_refused(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	assert_int_equal(lia_unit_begin(u, err), 0);
	err[0] = '\0';
	assert_int_equal(lia_unit_begin(u, err), -1);
	assert_non_null(strstr(err, "already open"));
	/* The refusal did not end the open transaction. */
	assert_true(lia_unit_active(u));
	assert_int_equal(lia_unit_commit(u, err), 0);
	lia_unit_destroy(&u);
}

static void test_commit_without_begin_refused(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	err[0] = '\0';
	assert_int_equal(lia_unit_commit(u, err), -1);
	assert_non_null(strstr(err, "no transaction"));
	/* Nor a second commit after a real one. */
	assert_int_equal(lia_unit_begin(u, err), 0);
	assert_int_equal(lia_unit_commit(u, err), 0);
	assert_int_equal(lia_unit_commit(u, err), -1);
	lia_unit_destroy(&u);
	lia_unit_destroy(&u); /* accepts NULL */
}

static void test_destroy_rolls_back(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	assert_int_equal(lia_unit_begin(u, err), 0);
	turn_writes(u, 9);
	lia_unit_destroy(&u);
	assert_null(u);

	int found = -1;
	uint64_t records = 99;
	reopen_and_count(9, &found, &records);
	assert_int_equal(found, 0);
	assert_int_equal(records, 0);
}

static void test_inactive_after_database_ends_transaction(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	assert_int_equal(lia_unit_begin(u, err), 0);
	turn_writes(u, 10);
	/* What SQLite does by itself on some I/O errors: the transaction is
	 * rolled back under the unit. */
	assert_int_equal(sqlite3_exec(lia_store_sqlite(lia_unit_store(u)), "ROLLBACK", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	assert_false(lia_unit_active(u));
	/* The caller abandons the turn; rolling back is still safe. */
	lia_unit_rollback(u);
	assert_false(lia_unit_active(u));
	assert_int_equal(lia_unit_begin(u, err), 0);
	assert_true(lia_unit_active(u));
	lia_unit_rollback(u);
	lia_unit_destroy(&u);

	int found = -1;
	uint64_t records = 99;
	reopen_and_count(10, &found, &records);
	assert_int_equal(found, 0);
	assert_int_equal(records, 0);
}

static void test_other_origin_refused(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	lia_unit_destroy(&u);
	err[0] = '\0';
	u = lia_unit_open(path, "liaison.test/other/ledger", err);
	assert_null(u);
	assert_non_null(strstr(err, "origin"));
	/* An origin that is no note name is refused before anything opens. */
	assert_null(lia_unit_open(path, "not a name", err));
}

/* The online backup (backup.h): a copy of what is committed, while the
 * unit holds a transaction open; never over an existing file or
 * through a symbolic link. */
static void test_backup_copies_committed_state(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX], out[300], link[300], target[300];
	struct lia_unit *u = lia_unit_open(path, FIXTURE_ORIGIN, err);
	assert_non_null(u);
	for (uint8_t i = 1; i <= 3; i++) {
		assert_int_equal(lia_unit_begin(u, err), 0);
		turn_writes(u, i);
		assert_int_equal(lia_unit_commit(u, err), 0);
	}
	struct lia_secret *key = fixture_key(1);
	assert_non_null(key);
	struct lia_checkpoint cp;
	if (lia_ledger_checkpoint(lia_unit_ledger(u), key, 1000, &cp, err) != 0)
		fail_msg("%s", err);
	lia_secret_destroy(&key);
	/* A turn in progress, as in a running broker: not in the copy. */
	assert_int_equal(lia_unit_begin(u, err), 0);
	turn_writes(u, 4);

	snprintf(out, sizeof out, "%s/copy.db", dir);
	struct lia_backup_info info;
	if (lia_store_backup(path, out, &info, err) != 0)
		fail_msg("%s", err);
	assert_int_equal(info.ledger_records, 3);
	assert_true(info.has_checkpoint);
	assert_int_equal(info.checkpoint.size, 3);
	assert_memory_equal(info.checkpoint.root, cp.root, 32);
	assert_string_equal(info.origin, FIXTURE_ORIGIN);
	assert_true(info.pages > 0 && info.bytes >= info.pages * 512);
	struct stat st;
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	if (lia_unit_commit(u, err) != 0) /* committed after the copy: still not in it */
		fail_msg("%s", err);

	/* Never over an existing file (the copy is unchanged), never
	 * through a link, and a failure leaves nothing. */
	assert_int_equal(lia_store_backup(path, out, &info, err), -1);
	assert_non_null(strstr(err, "refusing to overwrite"));
	snprintf(link, sizeof link, "%s/link.db", dir);
	snprintf(target, sizeof target, "%s/target.db", dir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(lia_store_backup(path, link, &info, err), -1);
	assert_int_not_equal(access(target, F_OK), 0);
	char missing[300];
	snprintf(missing, sizeof missing, "%s/store-none.db", dir);
	snprintf(target, sizeof target, "%s/copy2.db", dir);
	assert_int_equal(lia_store_backup(missing, target, &info, err), -1);
	assert_int_not_equal(access(target, F_OK), 0);
	lia_unit_destroy(&u);

	/* The copy opens as a store: three messages, the fourth was not
	 * committed when it was made. */
	struct lia_unit *c = lia_unit_open(out, FIXTURE_ORIGIN, err);
	assert_non_null(c);
	uint64_t records = 0;
	assert_int_equal(lia_ledger_size(lia_unit_ledger(c), &records, err), 0);
	assert_int_equal(records, 3);
	uint8_t id[LIA_ID_BYTES];
	struct lia_store_message m;
	memset(id, 3, sizeof id);
	assert_int_equal(lia_store_message_find(lia_unit_store(c), id, &m), 1);
	memset(id, 4, sizeof id);
	assert_int_equal(lia_store_message_find(lia_unit_store(c), id, &m), 0);
	lia_unit_destroy(&c);
	char p[320];
	unlink(link);
	unlink(out);
	snprintf(p, sizeof p, "%s-wal", out);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", out);
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_makes_both_durable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_leaves_neither, setup, teardown),
		cmocka_unit_test_setup_teardown(test_begin_twice_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_without_begin_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inactive_after_database_ends_transaction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_origin_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_copies_committed_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_deferred_to_side, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
