/*
 * store_consent.c — the store's consent requests (onward dissemination):
 * asking, finding, listing by requester, originator and message, and the
 * originator's one answer.
 */
#include "store.h"
#include "store_sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

#define CONSENT_COLS                                                                            \
	"SELECT ref, message_id, originator, requested_by, grantee, purpose, state, requested_at, " \
	"answered_at, reason, disclosed, withheld, message_seq, signed FROM consents "

const struct lia_store_sql lia_store_sql_consent[] = {
	{Q_CONSENT_ADD, "INSERT INTO consents (message_seq, message_id, originator, requested_by, "
			  "grantee, purpose, state, requested_at, ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8)"},
	{Q_CONSENT_GET, CONSENT_COLS "WHERE ref = ?1"},
	{Q_CONSENT_SAME, CONSENT_COLS "WHERE message_seq = ?1 AND requested_by = ?2 AND grantee = ?3"},
	/* Newest first: what a principal asked, and what it must answer. */
	/* A page starts below a request the caller may see: older than it
	 * (the numbers themselves are random and say nothing of order). */
	/* One ordered index range per way of seeing a request (asked it,
	 * originated its message, audits), each at most a page, merged:
	 * an OR over both columns would sort the principal's whole history
	 * for every page (issue 11, item 5). */
	{Q_CONSENTS_OF, "WITH c(below) AS (SELECT CASE WHEN ?4 = 0 THEN 9223372036854775807 ELSE "
			  "coalesce((SELECT id FROM consents WHERE ref = ?4 AND (requested_by = ?1 OR "
			  "originator = ?1 OR ?1 IS NULL)), 0) END) "
			  CONSENT_COLS "WHERE id IN ("
			  "SELECT id FROM (SELECT id FROM consents WHERE ?2 = 0 AND ?1 IS NOT NULL AND requested_by = ?1 "
			  "AND id < (SELECT below FROM c) ORDER BY id DESC LIMIT ?3) "
			  "UNION ALL SELECT id FROM (SELECT id FROM consents WHERE ?2 = 0 AND ?1 IS NOT NULL AND originator = ?1 "
			  "AND id < (SELECT below FROM c) ORDER BY id DESC LIMIT ?3) "
			  "UNION ALL SELECT id FROM (SELECT id FROM consents WHERE ?2 = 0 AND ?1 IS NULL "
			  "AND id < (SELECT below FROM c) ORDER BY id DESC LIMIT ?3) "
			  "UNION ALL SELECT id FROM consents WHERE ?2 <> 0 AND ref = ?2 AND (requested_by = ?1 OR "
			  "originator = ?1 OR ?1 IS NULL) AND id < (SELECT below FROM c)) "
			  "ORDER BY id DESC LIMIT ?3"},
	{Q_CONSENT_WAITING, "SELECT count(*) FROM consents WHERE requested_by = ?1 AND state = 1"},
	{Q_CONSENTS_GRANTED, CONSENT_COLS "WHERE message_seq = ?1 AND state = 2 ORDER BY id LIMIT ?2"},
	{Q_CONSENTS_PENDING_OF, CONSENT_COLS "WHERE message_seq = ?1 AND state = 1 ORDER BY id LIMIT ?2"},
	{Q_CONSENT_RECENT, "SELECT count(*) FROM consents WHERE requested_by = ?1 AND requested_at > ?2"},
	{Q_CONSENT_ANSWER, "UPDATE consents SET state = ?2, answered_at = ?3, reason = ?4, signed = ?5, "
			     "disclosed = ?6, withheld = ?7, ledger_from = ?8, ledger_to = ?9 "
			     "WHERE ref = ?1 AND state = 1"},
};
const size_t lia_store_sql_consent_n = sizeof lia_store_sql_consent / sizeof lia_store_sql_consent[0];

static int row_consent(struct lia_consent_request *c, uint64_t *message_seq, sqlite3_stmt *st)
{
	memset(c, 0, sizeof *c);
	c->request = (uint64_t)sqlite3_column_int64(st, 0);
	if (col_id(c->message_id, st, 1) != 0 || col_name(c->originator, sizeof c->originator, st, 2) != 0 ||
	    col_name(c->requested_by, sizeof c->requested_by, st, 3) != 0 ||
	    col_name(c->grantee, sizeof c->grantee, st, 4) != 0 ||
	    col_name(c->purpose, sizeof c->purpose, st, 5) != 0 ||
	    col_name(c->reason, sizeof c->reason, st, 9) != 0)
		return -1;
	c->state = (enum lia_consent_state)sqlite3_column_int(st, 6);
	c->requested_at = sqlite3_column_int64(st, 7);
	c->answered_at = sqlite3_column_int64(st, 8);
	c->disclosed = (uint32_t)sqlite3_column_int64(st, 10);
	c->withheld = (uint32_t)sqlite3_column_int64(st, 11);
	if (message_seq != NULL)
		*message_seq = (uint64_t)sqlite3_column_int64(st, 12);
	int n = sqlite3_column_bytes(st, 13);
	if (n < 0 || (size_t)n > sizeof c->consent)
		return -1;
	if (n > 0)
		memcpy(c->consent, sqlite3_column_blob(st, 13), (size_t)n);
	c->consent_len = (size_t)n;
	return 0;
}

/* Step a consent query to its single row: 1 found, 0 none, -1 error. */
static int consent_one(sqlite3_stmt *st, struct lia_consent_request *out, uint64_t *message_seq)
{
	int rc = sqlite3_step(st);
	int found = rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW && row_consent(out, message_seq, st) == 0 ? 1 : -1;
	sqlite3_reset(st);
	return found;
}

int lia_store_consent_add(struct lia_store *s, uint64_t message_seq, struct lia_consent_request *c,
			  char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_CONSENT_ADD);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_blob(st, 2, c->message_id, LIA_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->originator, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->requested_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->grantee, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, c->requested_at);
	/* A random number in 1 .. 2^53 - 1 (exact in any JSON reader). Two
	 * requests drawing the same one (about n^2 / 2^54 for n requests)
	 * fail the UNIQUE constraint: the asker is told to try again. */
	uint64_t ref = 0;
	while (ref == 0) {
		randombytes_buf(&ref, sizeof ref);
		ref &= (UINT64_C(1) << 53) - 1;
	}
	sqlite3_bind_int64(st, 8, (sqlite3_int64)ref);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "insert consent request");
	c->request = ref;
	c->state = LIA_CONSENT_PENDING;
	return 0;
}

int lia_store_consent_get(struct lia_store *s, uint64_t request, struct lia_consent_request *out,
			  uint64_t *message_seq)
{
	sqlite3_stmt *st = q(s, Q_CONSENT_GET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)request);
	return consent_one(st, out, message_seq);
}

int lia_store_consent_same(struct lia_store *s, uint64_t message_seq, const char *requested_by,
			   const char *grantee, struct lia_consent_request *out)
{
	sqlite3_stmt *st = q(s, Q_CONSENT_SAME);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_text(st, 2, requested_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, grantee, -1, SQLITE_STATIC);
	return consent_one(st, out, NULL);
}

static int consent_list(sqlite3_stmt *st, struct lia_consent_request *out, size_t max, size_t *n)
{
	*n = 0;
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row_consent(&out[*n], NULL, st) == 0)
			(*n)++;
	sqlite3_reset(st);
	return *n < max && rc != SQLITE_DONE ? -1 : 0;
}

int lia_store_consents_of(struct lia_store *s, const char *subject, uint64_t request,
			  uint64_t before, struct lia_consent_request *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENTS_OF);
	if (subject != NULL) /* else bound NULL by q(): every request */
		sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(request & INT64_MAX));
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)(before & INT64_MAX));
	return consent_list(st, out, max, n);
}

int lia_store_consents_granted(struct lia_store *s, uint64_t message_seq,
			       struct lia_consent_request *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENTS_GRANTED);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return consent_list(st, out, max, n);
}

int lia_store_consents_pending_of(struct lia_store *s, uint64_t message_seq,
				  struct lia_consent_request *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENTS_PENDING_OF);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	return consent_list(st, out, max, n);
}

int lia_store_consents_waiting(struct lia_store *s, const char *requested_by, uint64_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENT_WAITING);
	sqlite3_bind_text(st, 1, requested_by, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int lia_store_consents_since(struct lia_store *s, const char *requested_by, int64_t since,
			     uint64_t *n)
{
	sqlite3_stmt *st = q(s, Q_CONSENT_RECENT);
	sqlite3_bind_text(st, 1, requested_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int lia_store_consent_answer(struct lia_store *s, const struct lia_consent_request *c,
			     const uint8_t *signed_consent, size_t signed_len, uint64_t ledger_from,
			     uint64_t ledger_to, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_CONSENT_ANSWER);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)c->request);
	sqlite3_bind_int(st, 2, (int)c->state);
	sqlite3_bind_int64(st, 3, c->answered_at);
	sqlite3_bind_text(st, 4, c->reason, -1, SQLITE_STATIC);
	if (signed_consent != NULL)
		sqlite3_bind_blob(st, 5, signed_consent, (int)signed_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, c->disclosed);
	sqlite3_bind_int64(st, 7, c->withheld);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)ledger_from);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)ledger_to);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "answer consent request");
	if (sqlite3_changes(s->db) != 1)
		return lia_errf(err, "store: the consent request was answered already");
	return 0;
}
