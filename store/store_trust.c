/*
 * store_trust.c — what the broker must remember about the authority's
 * revocation lists across restarts: the highest list it has put in
 * force (number and hash), and the serials whose revocation it has
 * recorded in the ledger. Without them a restart with an older, validly
 * signed list would silently un-revoke a certificate (issue 10, item 5).
 *
 * Serials are unsigned 64-bit; SQLite integers are signed, so a serial
 * is stored as the int64 with the same bits and read back the same way.
 */
#include "store.h"
#include "store_sql_int.h"

#include <string.h>

#include "util.h"

const struct lia_store_sql lia_store_sql_trust[] = {
	{Q_CRL_GET, "SELECT number, hash FROM crl_in_force WHERE id = 1"},
	{Q_CRL_SET, "INSERT OR REPLACE INTO crl_in_force (id, number, hash, loaded_at) VALUES (1, ?1, ?2, ?3)"},
	{Q_REVOKED_ADD, "INSERT OR IGNORE INTO revocations_recorded (serial, recorded_at) VALUES (?1, ?2)"},
};
const size_t lia_store_sql_trust_n = sizeof lia_store_sql_trust / sizeof lia_store_sql_trust[0];

int lia_store_crl_get(struct lia_store *s, uint64_t *number, uint8_t hash[static LIA_STORE_CRL_HASH_BYTES])
{
	sqlite3_stmt *st = q(s, Q_CRL_GET);
	int rc = sqlite3_step(st), found = 0;
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == LIA_STORE_CRL_HASH_BYTES) {
		*number = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(hash, sqlite3_column_blob(st, 1), LIA_STORE_CRL_HASH_BYTES);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		found = -1; /* an error, or a damaged row */
	}
	sqlite3_reset(st); /* on every path: an active statement holds a read snapshot */
	return found;
}

int lia_store_crl_set(struct lia_store *s, uint64_t number, const uint8_t hash[static LIA_STORE_CRL_HASH_BYTES],
		      int64_t now, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_CRL_SET);
	sqlite3_bind_int64(st, 1, (int64_t)number);
	sqlite3_bind_blob(st, 2, hash, LIA_STORE_CRL_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, err, "keep the revocation list in force");
}

int lia_store_revoked_add(struct lia_store *s, uint64_t serial, int64_t now, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_REVOKED_ADD);
	sqlite3_bind_int64(st, 1, (int64_t)serial);
	sqlite3_bind_int64(st, 2, now);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "remember a recorded revocation");
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
}
