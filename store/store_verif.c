/*
 * store_verif.c — the store's document verification requests: adding,
 * finding, answering, the deadlines that come due, and the lists each
 * side may see.
 */
#include "store.h"
#include "store_sql_int.h"

#include <stdio.h>
#include <string.h>

#define VERIF_COLS                                                                          \
	"SELECT request_id, requester, office, issuing_state, urgency, state, requested_at, " \
	"deadline, answered_at, answered_by, answer_id, answers, late FROM verifications "

/* Each way of seeing a request is one ordered index range, filtered and
 * cut to a page before the ranges are merged (as consents_of). */
#define VERIF_PAGE "AND (?5 = 0 OR state = ?5) AND (?6 = 0 OR requested_at < ?6) " \
		   "ORDER BY message_seq DESC LIMIT ?7"

const struct lia_store_sql lia_store_sql_verif[] = {
	{Q_VERIF_ADD, "INSERT INTO verifications (message_seq, request_id, requester, office, "
		      "office_agency, issuing_state, urgency, state, requested_at, deadline) "
		      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9)"},
	{Q_VERIF_GET, VERIF_COLS "WHERE request_id = ?1"},
	{Q_VERIF_ANSWERED, "UPDATE verifications SET state = 2, answered_at = ?3, answered_by = ?2, "
			   "answer_id = ?4, answers = answers + 1, "
			   "late = late OR (answers = 0 AND ?3 > deadline) "
			   "WHERE request_id = ?1 AND state IN (1, 2, 3)"},
	{Q_VERIFS_DUE, VERIF_COLS "WHERE state = 1 AND deadline <= ?1 AND (?2 = 0 OR reminded = 0) "
			      "ORDER BY deadline LIMIT ?3"},
	{Q_VERIF_OVERDUE, "UPDATE verifications SET state = 3, late = 1 WHERE request_id = ?1 AND state = 1"},
	{Q_VERIF_REMINDED, "UPDATE verifications SET reminded = 1 WHERE request_id = ?1"},
	{Q_VERIF_WITHDRAW, "UPDATE verifications SET state = 4 WHERE request_id = ?1 AND state <> 4"},
	{Q_VERIFS_OF, VERIF_COLS "WHERE message_seq IN ("
		      "SELECT message_seq FROM (SELECT message_seq FROM verifications WHERE ?1 IS NOT NULL "
		      "AND requester = ?1 " VERIF_PAGE ") "
		      "UNION ALL SELECT message_seq FROM (SELECT message_seq FROM verifications WHERE "
		      "?1 IS NOT NULL AND office = ?1 " VERIF_PAGE ") "
		      "UNION ALL SELECT message_seq FROM (SELECT message_seq FROM verifications WHERE "
		      "?1 IS NOT NULL AND ?3 AND office_agency = ?2 AND (office = ?2 OR ?4) " VERIF_PAGE ") "
		      "UNION ALL SELECT message_seq FROM (SELECT message_seq FROM verifications WHERE "
		      "?1 IS NULL " VERIF_PAGE ")) "
		      "ORDER BY message_seq DESC LIMIT ?7"},
};
const size_t lia_store_sql_verif_n = sizeof lia_store_sql_verif / sizeof lia_store_sql_verif[0];

static int row_verif(struct lia_verification *v, sqlite3_stmt *st)
{
	memset(v, 0, sizeof *v);
	if (col_id(v->request_id, st, 0) != 0 || col_name(v->requester, sizeof v->requester, st, 1) != 0 ||
	    col_name(v->office, sizeof v->office, st, 2) != 0 ||
	    col_name(v->issuing_state, sizeof v->issuing_state, st, 3) != 0 ||
	    col_name(v->answered_by, sizeof v->answered_by, st, 9) != 0)
		return -1;
	int u = sqlite3_column_int(st, 4), state = sqlite3_column_int(st, 5);
	if (u < LIA_URGENCY_URGENT || u > LIA_URGENCY_MAX || state < 1 || state > LIA_VERIF_STATE_MAX)
		return -1;
	v->urgency = (enum lia_urgency)u;
	v->state = (enum lia_verif_state)state;
	v->requested_at = sqlite3_column_int64(st, 6);
	v->deadline = sqlite3_column_int64(st, 7);
	v->answered_at = sqlite3_column_int64(st, 8);
	if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
		if (col_id(v->answer_id, st, 10) != 0)
			return -1;
		v->has_answer = true;
	}
	v->answers = (uint32_t)sqlite3_column_int64(st, 11);
	v->late = sqlite3_column_int(st, 12) != 0;
	return 0;
}

/* Step st into out[0..max): 0 with *n, or -1. */
static int verif_rows(sqlite3_stmt *st, struct lia_verification *out, size_t max, size_t *n)
{
	*n = 0;
	int rc;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row_verif(&out[*n], st) != 0) {
			sqlite3_reset(st);
			return -1;
		}
		(*n)++;
	}
	return rows_end(st, rc, *n, max);
}

int lia_store_verif_add(struct lia_store *s, uint64_t message_seq, const struct lia_verification *v,
			const char *office_agency, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_VERIF_ADD);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_blob(st, 2, v->request_id, LIA_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v->requester, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, v->office, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, office_agency, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, v->issuing_state, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, (int)v->urgency);
	sqlite3_bind_int64(st, 8, v->requested_at);
	sqlite3_bind_int64(st, 9, v->deadline);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, err, "insert verification request");
}

int lia_store_verif_get(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			struct lia_verification *out)
{
	sqlite3_stmt *st = q(s, Q_VERIF_GET);
	sqlite3_bind_blob(st, 1, id, LIA_ID_BYTES, SQLITE_STATIC);
	size_t n = 0;
	if (verif_rows(st, out, 1, &n) != 0)
		return -1;
	return n == 1 ? 1 : 0;
}

/* One UPDATE of one request: 1 changed, 0 not, -1 error. */
static int update_one(struct lia_store *s, sqlite3_stmt *st, char err[static LIA_ERR_MAX],
		      const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, what);
	return sqlite3_changes(s->db) == 1 ? 1 : 0;
}

int lia_store_verif_answered(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			     const char *answered_by, const uint8_t answer_id[static LIA_ID_BYTES],
			     int64_t now, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_VERIF_ANSWERED);
	sqlite3_bind_blob(st, 1, id, LIA_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, answered_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_blob(st, 4, answer_id, LIA_ID_BYTES, SQLITE_STATIC);
	int rc = update_one(s, st, err, "answer verification request");
	if (rc == 0)
		return lia_errf(err, "store: the verification request cannot be answered in its state");
	return rc == 1 ? 0 : -1;
}

int lia_store_verifs_due(struct lia_store *s, int64_t at, bool unreminded,
			 struct lia_verification *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = q(s, Q_VERIFS_DUE);
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int(st, 2, unreminded ? 1 : 0);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	return verif_rows(st, out, max, n);
}

int lia_store_verif_overdue(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			    char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_VERIF_OVERDUE);
	sqlite3_bind_blob(st, 1, id, LIA_ID_BYTES, SQLITE_STATIC);
	return update_one(s, st, err, "mark verification request overdue");
}

int lia_store_verif_withdraw(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			     char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_VERIF_WITHDRAW);
	sqlite3_bind_blob(st, 1, id, LIA_ID_BYTES, SQLITE_STATIC);
	return update_one(s, st, err, "withdraw verification request");
}

int lia_store_verif_reminded(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			     char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_VERIF_REMINDED);
	sqlite3_bind_blob(st, 1, id, LIA_ID_BYTES, SQLITE_STATIC);
	return update_one(s, st, err, "mark verification request reminded") < 0 ? -1 : 0;
}

int lia_store_verifs_of(struct lia_store *s, const char *subject, const char *agency,
			bool liaison_officer, bool any_liaison_officer, enum lia_verif_state state,
			int64_t before, struct lia_verification *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = q(s, Q_VERIFS_OF);
	if (subject != NULL)
		sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, agency != NULL ? agency : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, liaison_officer ? 1 : 0);
	sqlite3_bind_int(st, 4, any_liaison_officer ? 1 : 0);
	sqlite3_bind_int(st, 5, (int)state);
	sqlite3_bind_int64(st, 6, before);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)max);
	return verif_rows(st, out, max, n);
}
