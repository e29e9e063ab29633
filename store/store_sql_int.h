/*
 * store_sql_int.h — what the store's own files share: the statement ids,
 * the store object, and the few helpers every query uses. Included only
 * by store/store*.c; everyone else sees store.h (and unit.c, store_int.h).
 *
 * Each family file (messages and deliveries, consents, feeds) owns the
 * SQL of its statements, in a table of (id, SQL) that lia_store_open()
 * prepares once; a statement is then reset and reused on every call.
 * Errors: as store.h (0 / -1 with err, "store: <what>: <sqlite's reason>").
 */
#ifndef LIA_STORE_SQL_INT_H
#define LIA_STORE_SQL_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store.h"
#include "util.h"

/* Every prepared statement, by family (the file that owns its SQL). */
enum {
	/* store.c */
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	/* store_message.c: messages and deliveries */
	Q_MSG_FIND,
	Q_MSG_ADD,
	Q_MSG_ENV,
	Q_MSG_HEADER,
	Q_EXPIRED,
	Q_ERASE,
	Q_DEL_ADD,
	Q_PENDING,
	Q_PENDING_COUNT,
	Q_ACK_GET,
	Q_ACK_SET,
	Q_DEL_SENT,
	Q_INBOX,
	Q_DELIVERY_OF,
	Q_ERASE_DUE,
	Q_ERASURES,
	Q_ERASE_DONE,
	Q_MSG_ENV_SET,
	Q_SUPERSEDE,
	Q_SUPERSEDED,
	Q_HOLDERS,
	Q_REPLY_ADD,
	Q_THREAD,
	/* store_consent.c */
	Q_CONSENT_ADD,
	Q_CONSENT_GET,
	Q_CONSENT_SAME,
	Q_CONSENTS_OF,
	Q_CONSENTS_GRANTED,
	Q_CONSENT_RECENT,
	Q_CONSENT_ANSWER,
	Q_CONSENT_WAITING,
	Q_CONSENTS_PENDING_OF,
	Q_LEDGER_RANGES,
	/* store_feed.c */
	Q_FEED_PUT,
	Q_FEED_DEL,
	Q_FEEDS_ALL,
	Q_FEEDS_ONE,
	/* store_trust.c */
	Q_CRL_GET,
	Q_CRL_SET,
	Q_REVOKED_ADD,
	/* store_verif.c */
	Q_VERIF_ADD,
	Q_VERIF_GET,
	Q_VERIF_ANSWERED,
	Q_VERIFS_DUE,
	Q_VERIF_OVERDUE,
	Q_VERIF_REMINDED,
	Q_VERIF_WITHDRAW,
	Q_VERIFS_OF,
	Q_COUNT
};

struct lia_store {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
};

/* One family's statements: which id, which SQL. */
struct lia_store_sql {
	int id;
	const char *sql;
};

extern const struct lia_store_sql lia_store_sql_message[];
extern const size_t lia_store_sql_message_n;
extern const struct lia_store_sql lia_store_sql_consent[];
extern const size_t lia_store_sql_consent_n;
extern const struct lia_store_sql lia_store_sql_feed[];
extern const size_t lia_store_sql_feed_n;
extern const struct lia_store_sql lia_store_sql_trust[];
extern const size_t lia_store_sql_trust_n;
extern const struct lia_store_sql lia_store_sql_verif[];
extern const size_t lia_store_sql_verif_n;

/* The end of a loop that stepped st into at most max rows, n of them
 * kept (rc the last step's result): reset; -1 when it stopped on an
 * error before max. */
static inline int rows_end(sqlite3_stmt *st, int rc, size_t n, size_t max)
{
	sqlite3_reset(st);
	return n < max && rc != SQLITE_DONE ? -1 : 0;
}

/* A number's digits in SQL text. */
#define LIA_STR_(x) #x
#define LIA_STR(x) LIA_STR_(x)

/* The helpers below have short names: they are on almost every line of
 * the store's files, and nothing outside them sees this header. */

static inline int db_err(struct lia_store *s, char err[static LIA_ERR_MAX], const char *what)
{
	return lia_errf(err, "store: %s: %s", what, sqlite3_errmsg(s->db));
}

/* Reset a statement for reuse and return it. */
static inline sqlite3_stmt *q(struct lia_store *s, int which)
{
	sqlite3_stmt *st = s->q[which];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

/* Copy a text column into a bounded, validated name. */
static inline int col_name(char *out, size_t cap, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	if (t == NULL || n < 0 || (size_t)n >= cap)
		return -1;
	memcpy(out, t, (size_t)n);
	out[n] = '\0';
	return 0;
}

static inline int col_id(uint8_t out[static LIA_ID_BYTES], sqlite3_stmt *st, int col)
{
	if (sqlite3_column_bytes(st, col) != LIA_ID_BYTES)
		return -1;
	memcpy(out, sqlite3_column_blob(st, col), LIA_ID_BYTES);
	return 0;
}

#endif
