/*
 * store_message.c — the store's messages and their deliveries: adding a
 * message, finding it, its envelope, expiry and erasure; the deliveries
 * of each recipient in commit order, acknowledgements, erase notices; and
 * where the ledger holds a message's disclosures (lia_store_ledger_ranges).
 */
#include "store.h"
#include "store_sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* How a delivered message was superseded, as far as its recipient may
 * know: only by a message that recipient received too (a holder that
 * was withheld the recall or correction learns nothing of it). */
#define SUPERSEDED_COLS ", sm.id, ss.recall, ss.at, ss.actor "
#define SUPERSEDED_JOIN                                                                          \
	"LEFT JOIN supersessions ss ON ss.message_seq = d.message_seq AND EXISTS (SELECT 1 FROM " \
	"deliveries x WHERE x.message_seq = ss.by_seq AND x.recipient = d.recipient) "           \
	"LEFT JOIN messages sm ON sm.seq = ss.by_seq "

const struct lia_store_sql lia_store_sql_message[] = {
	{Q_MSG_FIND, "SELECT seq, originator, kind, created_at, received_at, expires_at, "
		       "recipients, withheld, erased_at, number, embargo_until FROM messages WHERE id = ?1"},
	/* The originator's next number; the writer holds the database's
	 * one write lock (BEGIN IMMEDIATE), so max + 1 cannot race. */
	{Q_MSG_ADD, "INSERT INTO messages (id, originator, kind, created_at, received_at, "
		      "expires_at, recipients, withheld, header, envelope, embargo_until, ledger_from, "
		      "ledger_to, number) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
		      "coalesce(max(number), 0) + 1 FROM messages WHERE originator = ?2 RETURNING seq, number"},
	{Q_MSG_ENV, "SELECT envelope FROM messages WHERE seq = ?1 AND envelope IS NOT NULL"},
	{Q_MSG_HEADER, "SELECT header FROM messages WHERE seq = ?1"},
	{Q_EXPIRED, "SELECT seq, id, originator, kind, created_at, received_at, expires_at, "
		      "recipients, withheld FROM messages WHERE expires_at > 0 AND expires_at <= ?1 "
		      "AND erased_at = 0 ORDER BY seq LIMIT ?2"},
	/* Erased before its embargo ends, a message is never released: its
	 * waiting recipients never learn of it (no notice either). */
	{Q_ERASE, "UPDATE messages SET envelope = NULL, erased_at = ?2, embargo_until = CASE WHEN "
		    "embargo_until > ?2 THEN 9223372036854775807 ELSE embargo_until END WHERE seq = ?1"},
	{Q_DEL_ADD, "INSERT INTO deliveries (message_seq, recipient, via, number) SELECT ?1, ?2, ?3, "
		      "coalesce(max(number), 0) + 1 FROM deliveries WHERE recipient = ?2 RETURNING number"},
	{Q_PENDING, "SELECT d.number, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
		      "m.created_at, m.received_at, d.acked_at, m.erased_at, m.expires_at FROM deliveries d "
		      "JOIN messages m ON m.seq = d.message_seq WHERE d.recipient = ?1 AND d.number > ?2 "
		      "AND d.acked_at = 0 AND m.erased_at = 0 AND (m.expires_at = 0 OR m.expires_at > ?4) "
		      "AND m.embargo_until <= ?4 ORDER BY d.number LIMIT ?3"},
	/* Bounded: the oldest LIA_STORE_PENDING_COUNT_MAX unacknowledged
	 * deliveries (an index range) are looked at, never the recipient's
	 * whole history (issue 11, item 5); the caller says "at least". */
	{Q_PENDING_COUNT, "SELECT count(*) FROM (SELECT message_seq FROM deliveries WHERE recipient = ?1 "
			    "AND acked_at = 0 ORDER BY number LIMIT ?3) d JOIN messages m ON m.seq = d.message_seq "
			    "WHERE m.erased_at = 0 AND (m.expires_at = 0 OR m.expires_at > ?2) AND m.embargo_until <= ?2"},
	{Q_ACK_GET, "SELECT d.number, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
		      "m.created_at, m.received_at, d.acked_at, m.erased_at, m.expires_at FROM deliveries d "
		      "JOIN messages m ON m.seq = d.message_seq WHERE d.number = ?1 AND d.recipient = ?2"},
	/* A copy acknowledged after its message was erased must be purged
	 * too: the erase notice becomes due with the acknowledgement. */
	{Q_ACK_SET, "UPDATE deliveries SET acked_at = ?2, erase_due = ?3 WHERE number = ?1 AND recipient = ?4 "
		      "AND acked_at = 0 AND sent_at > 0"},
	{Q_DEL_SENT, "UPDATE deliveries SET sent_at = ?2 WHERE number = ?1 AND recipient = ?3 AND sent_at = 0"},
	{Q_INBOX, "SELECT d.number, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
		    "m.created_at, m.received_at, d.acked_at, "
		    "CASE WHEN m.expires_at > 0 AND m.expires_at <= ?4 THEN 1 ELSE m.erased_at END, m.expires_at"
		    SUPERSEDED_COLS "FROM deliveries d JOIN messages m ON m.seq = d.message_seq " SUPERSEDED_JOIN
		    "WHERE d.recipient = ?1 AND d.number > ?2 AND m.embargo_until <= ?4 ORDER BY d.number LIMIT ?3"},
	{Q_DELIVERY_OF, "SELECT d.number, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
			  "m.created_at, m.received_at, d.acked_at, "
			  "CASE WHEN m.expires_at > 0 AND m.expires_at <= ?3 THEN 1 ELSE m.erased_at END, m.expires_at"
			  SUPERSEDED_COLS "FROM deliveries d JOIN messages m ON m.seq = d.message_seq "
			  SUPERSEDED_JOIN "WHERE d.recipient = ?1 AND m.id = ?2 AND m.embargo_until <= ?3"},
	/* Every recipient may hold a copy (one read with Fetch needs no
	 * acknowledgement): each is owed an erase notice. */
	{Q_ERASE_DUE, "UPDATE deliveries SET erase_due = 1 WHERE message_seq = ?1 AND "
			"(SELECT embargo_until FROM messages WHERE seq = ?1) <= ?2"},
	{Q_ERASURES, "SELECT d.number, d.message_seq, m.id, d.recipient, m.originator, d.via, m.kind, "
		       "m.created_at, m.received_at, d.acked_at, m.erased_at, m.expires_at FROM deliveries d "
		       "JOIN messages m ON m.seq = d.message_seq WHERE d.recipient = ?1 AND d.number > ?2 "
		       "AND d.erase_due = 1 AND ?4 = ?4 ORDER BY d.number LIMIT ?3"},
	{Q_ERASE_DONE, "UPDATE deliveries SET erase_due = 0 WHERE number = ?1 AND recipient = ?2 "
			 "AND erase_due = 1"},
	{Q_MSG_ENV_SET, "UPDATE messages SET envelope = ?2 WHERE seq = ?1 AND envelope IS NOT NULL"},
	{Q_SUPERSEDE, "INSERT INTO supersessions (message_seq, by_seq, recall, at, actor) "
		      "VALUES (?1, ?2, ?3, ?4, ?5)"},
	{Q_SUPERSEDED, "SELECT m.id, ss.recall, ss.at, ss.actor FROM supersessions ss "
		       "JOIN messages m ON m.seq = ss.by_seq WHERE ss.message_seq = ?1"},
	{Q_HOLDERS, "SELECT recipient FROM deliveries WHERE message_seq = ?1 ORDER BY seq LIMIT ?2"},
	{Q_REPLY_ADD, "INSERT INTO replies (message_seq, in_reply_to) VALUES (?1, ?2)"},
	/* Up to the first message (ids are unique and a reply comes after
	 * what it names, so no cycle), then down; depth bounded both ways. */
	{Q_THREAD, "WITH RECURSIVE up(id, depth) AS (SELECT ?1, 0 UNION ALL "
		   "SELECT r.in_reply_to, up.depth + 1 FROM up JOIN messages m ON m.id = up.id "
		   "JOIN replies r ON r.message_seq = m.seq WHERE up.depth < ?4), "
		   "root(id) AS (SELECT up.id FROM up JOIN messages m ON m.id = up.id "
		   "ORDER BY up.depth DESC LIMIT 1), "
		   "down(seq, depth) AS (SELECT m.seq, 0 FROM messages m JOIN root ON m.id = root.id "
		   "UNION ALL SELECT r.message_seq, down.depth + 1 FROM down JOIN messages p ON p.seq = down.seq "
		   "JOIN replies r ON r.in_reply_to = p.id WHERE down.depth < ?4 LIMIT " LIA_STR(LIA_THREAD_WALK_MAX) "), "
		   "walk(seq, number) AS (SELECT down.seq, (SELECT min(d.number) FROM deliveries d "
		   "WHERE d.message_seq = down.seq AND d.recipient = ?2) FROM down) "
		   "SELECT m.seq, coalesce(pm.seq, 0), m.id, m.originator, m.kind, m.created_at, "
		   "coalesce(w.number, 0), m.erased_at <> 0 OR (m.expires_at > 0 AND m.expires_at <= ?3), "
		   "m.originator = ?2 OR (w.number IS NOT NULL AND m.embargo_until <= ?3) "
		   "FROM walk w JOIN messages m ON m.seq = w.seq LEFT JOIN replies r ON r.message_seq = m.seq "
		   "LEFT JOIN messages pm ON pm.id = r.in_reply_to ORDER BY m.seq"},
	/* Where a message's disclosures are: its publication, and the
	 * answers of the consents granted for it. */
	{Q_LEDGER_RANGES, "SELECT ledger_from, ledger_to FROM messages WHERE seq = ?1 AND ledger_to > 0 "
			    "UNION ALL SELECT ledger_from, ledger_to FROM consents WHERE message_seq = ?1 "
			    "AND state = 2 AND ledger_to > 0 ORDER BY 1"},
};
const size_t lia_store_sql_message_n = sizeof lia_store_sql_message / sizeof lia_store_sql_message[0];

int lia_store_message_find(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			   struct lia_store_message *m)
{
	sqlite3_stmt *st = q(s, Q_MSG_FIND);
	sqlite3_bind_blob(st, 1, id, LIA_ID_BYTES, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	memset(m, 0, sizeof *m);
	m->seq = (uint64_t)sqlite3_column_int64(st, 0);
	memcpy(m->id, id, LIA_ID_BYTES);
	if (col_name(m->originator, sizeof m->originator, st, 1) != 0) {
		sqlite3_reset(st);
		return -1;
	}
	m->kind = (enum lia_kind)sqlite3_column_int(st, 2);
	m->created_at = sqlite3_column_int64(st, 3);
	m->received_at = sqlite3_column_int64(st, 4);
	m->expires_at = sqlite3_column_int64(st, 5);
	m->recipients = (uint32_t)sqlite3_column_int64(st, 6);
	m->withheld = (uint32_t)sqlite3_column_int64(st, 7);
	m->erased = sqlite3_column_int64(st, 8) != 0;
	m->number = (uint64_t)sqlite3_column_int64(st, 9);
	m->embargo_until = sqlite3_column_int64(st, 10);
	sqlite3_reset(st);
	return 1;
}

int lia_store_message_add(struct lia_store *s, struct lia_store_message *m, const uint8_t *header,
			  size_t header_len, const uint8_t *envelope, size_t envelope_len,
			  char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_MSG_ADD);
	sqlite3_bind_blob(st, 1, m->id, LIA_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->originator, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)m->kind);
	sqlite3_bind_int64(st, 4, m->created_at);
	sqlite3_bind_int64(st, 5, m->received_at);
	sqlite3_bind_int64(st, 6, m->expires_at);
	sqlite3_bind_int64(st, 7, m->recipients);
	sqlite3_bind_int64(st, 8, m->withheld);
	sqlite3_bind_blob(st, 9, header, (int)header_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, envelope, (int)envelope_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, m->embargo_until);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)m->ledger_from);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)m->ledger_to);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		m->seq = (uint64_t)sqlite3_column_int64(st, 0);
		m->number = (uint64_t)sqlite3_column_int64(st, 1);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE) {
		(void)db_err(s, err, "insert message");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

/* One blob column of message message_seq by query id: 1 (*out
 * malloc'd), 0 none or empty, -1 error. */
static int message_blob(struct lia_store *s, int id, uint64_t message_seq, uint8_t **out, size_t *len)
{
	sqlite3_stmt *st = q(s, id);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : -1;
	}
	int n = sqlite3_column_bytes(st, 0);
	if (n <= 0) {
		sqlite3_reset(st);
		return 0;
	}
	*out = malloc((size_t)n);
	if (*out == NULL) {
		sqlite3_reset(st);
		return -1;
	}
	memcpy(*out, sqlite3_column_blob(st, 0), (size_t)n);
	*len = (size_t)n;
	sqlite3_reset(st);
	return 1;
}

int lia_store_message_envelope(struct lia_store *s, uint64_t message_seq, uint8_t **out, size_t *len)
{
	return message_blob(s, Q_MSG_ENV, message_seq, out, len);
}

int lia_store_message_header(struct lia_store *s, uint64_t message_seq, uint8_t **out, size_t *len)
{
	return message_blob(s, Q_MSG_HEADER, message_seq, out, len);
}

int lia_store_expired(struct lia_store *s, int64_t now, struct lia_store_message *out, size_t max,
		      size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = q(s, Q_EXPIRED);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct lia_store_message *m = &out[*n];
		memset(m, 0, sizeof *m);
		m->seq = (uint64_t)sqlite3_column_int64(st, 0);
		if (col_id(m->id, st, 1) != 0 || col_name(m->originator, sizeof m->originator, st, 2) != 0)
			continue;
		m->kind = (enum lia_kind)sqlite3_column_int(st, 3);
		m->created_at = sqlite3_column_int64(st, 4);
		m->received_at = sqlite3_column_int64(st, 5);
		m->expires_at = sqlite3_column_int64(st, 6);
		m->recipients = (uint32_t)sqlite3_column_int64(st, 7);
		m->withheld = (uint32_t)sqlite3_column_int64(st, 8);
		(*n)++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int lia_store_erase(struct lia_store *s, uint64_t message_seq, int64_t now, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_ERASE);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_int64(st, 2, now > 0 ? now : 1);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "erase");
	st = q(s, Q_ERASE_DUE);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_int64(st, 2, now > 0 ? now : 1);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, err, "erase notices");
}

int lia_store_delivery_add(struct lia_store *s, uint64_t message_seq, const char *recipient,
			   const char *via, uint64_t *seq, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_DEL_ADD);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, via, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE) {
		(void)db_err(s, err, "insert delivery");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

/* Columns from..from+3: the superseding message's id, recall, at, actor. */
static int row_superseded(struct lia_supersession *o, sqlite3_stmt *st, int from)
{
	memset(o, 0, sizeof *o);
	if (col_id(o->by, st, from) != 0 || col_name(o->actor, sizeof o->actor, st, from + 3) != 0)
		return -1;
	o->present = true;
	o->recall = sqlite3_column_int(st, from + 1) != 0;
	o->at = sqlite3_column_int64(st, from + 2);
	return 0;
}

static int row_delivery(struct lia_store_delivery *d, sqlite3_stmt *st)
{
	memset(d, 0, sizeof *d);
	d->seq = (uint64_t)sqlite3_column_int64(st, 0);
	d->message_seq = (uint64_t)sqlite3_column_int64(st, 1);
	if (col_id(d->message_id, st, 2) != 0 || col_name(d->recipient, sizeof d->recipient, st, 3) != 0 ||
	    col_name(d->originator, sizeof d->originator, st, 4) != 0 ||
	    col_name(d->via, sizeof d->via, st, 5) != 0)
		return -1;
	d->kind = (enum lia_kind)sqlite3_column_int(st, 6);
	d->created_at = sqlite3_column_int64(st, 7);
	d->received_at = sqlite3_column_int64(st, 8);
	d->acked_at = sqlite3_column_int64(st, 9);
	d->erased_at = sqlite3_column_int64(st, 10);
	d->erased = d->erased_at != 0;
	d->expires_at = sqlite3_column_int64(st, 11);
	return sqlite3_column_count(st) > 12 && sqlite3_column_type(st, 12) != SQLITE_NULL
		       ? row_superseded(&d->superseded, st, 12)
		       : 0;
}

static int list_deliveries(struct lia_store *s, int which, const char *recipient, uint64_t key,
			   int64_t now, struct lia_store_delivery *out, size_t max, size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = q(s, which);
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)key);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	sqlite3_bind_int64(st, 4, now);
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (row_delivery(&out[*n], st) == 0)
			(*n)++;
	return rows_end(st, rc, *n, max);
}

int lia_store_pending(struct lia_store *s, const char *recipient, uint64_t after, int64_t now,
		      struct lia_store_delivery *out, size_t max, size_t *n)
{
	return list_deliveries(s, Q_PENDING, recipient, after, now, out, max, n);
}

int lia_store_inbox(struct lia_store *s, const char *recipient, uint64_t after, int64_t now,
		    struct lia_store_delivery *out, size_t max, size_t *n)
{
	return list_deliveries(s, Q_INBOX, recipient, after, now, out, max, n);
}

int lia_store_erasures(struct lia_store *s, const char *recipient, uint64_t after,
		       struct lia_store_delivery *out, size_t max, size_t *n)
{
	return list_deliveries(s, Q_ERASURES, recipient, after, 0, out, max, n);
}

/* The delivery seq of recipient: 1 found (*d filled), 0 none, -1 error. */
static int delivery_get(struct lia_store *s, const char *recipient, uint64_t seq,
			struct lia_store_delivery *d)
{
	sqlite3_stmt *st = q(s, Q_ACK_GET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	rc = rc == SQLITE_ROW && row_delivery(d, st) == 0 ? 1 : -1;
	sqlite3_reset(st);
	return rc;
}

int lia_store_erasure_done(struct lia_store *s, const char *recipient, uint64_t seq,
			   struct lia_store_delivery *d)
{
	int rc = delivery_get(s, recipient, seq, d);
	if (rc != 1)
		return rc;
	sqlite3_stmt *st = q(s, Q_ERASE_DONE);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int lia_store_pending_count(struct lia_store *s, const char *recipient, int64_t now, uint64_t *n)
{
	sqlite3_stmt *st = q(s, Q_PENDING_COUNT);
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, LIA_STORE_PENDING_COUNT_MAX);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	*n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int lia_store_ack(struct lia_store *s, const char *recipient, uint64_t seq, int64_t now,
		  struct lia_store_delivery *d)
{
	int rc = delivery_get(s, recipient, seq, d);
	if (rc != 1)
		return rc;
	if (d->acked_at != 0)
		return 0;
	sqlite3_stmt *st = q(s, Q_ACK_SET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 2, now > 0 ? now : 1);
	sqlite3_bind_int(st, 3, d->erased ? 1 : 0);
	sqlite3_bind_text(st, 4, recipient, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	d->acked_at = now;
	return sqlite3_changes(s->db) == 1 ? 1 : 0;
}

int lia_store_delivery_sent(struct lia_store *s, const char *recipient, uint64_t seq, int64_t now)
{
	sqlite3_stmt *st = q(s, Q_DEL_SENT);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 2, now > 0 ? now : 1);
	sqlite3_bind_text(st, 3, recipient, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int lia_store_delivery_of(struct lia_store *s, const char *recipient,
			  const uint8_t id[static LIA_ID_BYTES], int64_t now, struct lia_store_delivery *d)
{
	sqlite3_stmt *st = q(s, Q_DELIVERY_OF);
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, id, LIA_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	int ok = rc == SQLITE_ROW && row_delivery(d, st) == 0;
	sqlite3_reset(st);
	return ok ? 1 : -1;
}

int lia_store_message_envelope_set(struct lia_store *s, uint64_t message_seq, const uint8_t *env,
				   size_t len, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_MSG_ENV_SET);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_blob(st, 2, env, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(s, err, "update envelope");
	if (sqlite3_changes(s->db) != 1)
		return lia_errf(err, "store: the message was erased meanwhile");
	return 0;
}

/* --- where the ledger holds a message's disclosures --- */

int lia_store_ledger_ranges(struct lia_store *s, uint64_t message_seq, struct lia_store_range *out,
			    size_t max, size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = q(s, Q_LEDGER_RANGES);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		out[*n].from = (uint64_t)sqlite3_column_int64(st, 0);
		out[*n].to = (uint64_t)sqlite3_column_int64(st, 1);
		(*n)++;
	}
	sqlite3_reset(st);
	return *n < max && rc != SQLITE_DONE ? -1 : 0;
}

int lia_store_supersede(struct lia_store *s, uint64_t message_seq, uint64_t by_seq, bool recall,
			int64_t at, const char *actor, char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_SUPERSEDE);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)by_seq);
	sqlite3_bind_int(st, 3, recall);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, err, "record a recall or correction");
}

int lia_store_superseded(struct lia_store *s, uint64_t message_seq, struct lia_supersession *out)
{
	sqlite3_stmt *st = q(s, Q_SUPERSEDED);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		memset(out, 0, sizeof *out);
		return 0;
	}
	rc = rc == SQLITE_ROW && row_superseded(out, st, 0) == 0 ? 1 : -1;
	sqlite3_reset(st);
	return rc;
}

int lia_store_holders(struct lia_store *s, uint64_t message_seq, char (*out)[LIA_NAME_MAX], size_t max,
		      size_t *n)
{
	*n = 0;
	sqlite3_stmt *st = q(s, Q_HOLDERS);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	int rc = SQLITE_DONE;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		if (col_name(out[*n], LIA_NAME_MAX, st, 0) == 0)
			(*n)++;
	return rows_end(st, rc, *n, max);
}

int lia_store_reply_add(struct lia_store *s, uint64_t message_seq, const uint8_t in_reply_to[static LIA_ID_BYTES],
			char err[static LIA_ERR_MAX])
{
	sqlite3_stmt *st = q(s, Q_REPLY_ADD);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)message_seq);
	sqlite3_bind_blob(st, 2, in_reply_to, LIA_ID_BYTES, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, err, "record what a message replies to");
}

/* One message of a thread's walk, seen or not by the viewer. */
struct walked {
	uint64_t seq, parent;  /* parent: the message it names, 0 outside the walk */
	uint8_t id[LIA_ID_BYTES];
	long above;            /* the nearest seen message it descends from, -1 none */
	uint32_t depth;        /* seen messages above it */
	bool seen;
};

/* The row of w[0..n) (in seq order) with that seq, -1 none. */
static long walked_find(const struct walked *w, size_t n, uint64_t seq)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w[mid].seq == seq)
			return (long)mid;
		if (w[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int lia_store_thread(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES], const char *viewer,
		     int64_t now, struct lia_thread_entry *out, size_t max, size_t *n)
{
	*n = 0;
	/* The whole walk, seen or not, so that depth and links run over
	 * what the viewer sees and never through what it does not. */
	struct walked *w = calloc(LIA_THREAD_WALK_MAX, sizeof *w);
	if (w == NULL)
		return -1;
	sqlite3_stmt *st = q(s, Q_THREAD);
	sqlite3_bind_blob(st, 1, id, LIA_ID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, viewer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int(st, 4, LIA_THREAD_DEPTH_MAX);
	int rc = SQLITE_DONE;
	size_t nw = 0;
	while (nw < LIA_THREAD_WALK_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct walked *x = &w[nw];
		x->seq = (uint64_t)sqlite3_column_int64(st, 0);
		x->parent = (uint64_t)sqlite3_column_int64(st, 1);
		x->seen = sqlite3_column_int(st, 8) != 0;
		if (col_id(x->id, st, 2) != 0)
			x->seen = false;
		/* A parent comes before its replies: already placed. */
		long p = walked_find(w, nw, x->parent);
		x->above = p < 0 ? -1 : w[p].seen ? p : w[p].above;
		x->depth = x->above < 0 ? 0 : w[x->above].depth + 1;
		nw++;
		if (!x->seen || *n >= max)
			continue;
		struct lia_thread_entry *e = &out[*n];
		memset(e, 0, sizeof *e);
		if (col_name(e->originator, sizeof e->originator, st, 3) != 0) {
			x->seen = false;
			continue;
		}
		memcpy(e->message_id, x->id, LIA_ID_BYTES);
		if (x->above >= 0) {
			memcpy(e->in_reply_to, w[x->above].id, LIA_ID_BYTES);
			e->has_in_reply_to = true;
		}
		e->kind = (enum lia_kind)sqlite3_column_int(st, 4);
		e->created_at = sqlite3_column_int64(st, 5);
		e->depth = x->depth;
		e->sequence = (uint64_t)sqlite3_column_int64(st, 6);
		e->erased = sqlite3_column_int(st, 7) != 0;
		(*n)++;
	}
	free(w);
	/* The walk is bounded by the query; a thread the viewer sees more
	 * of than max is cut at max, in commit order. */
	return rows_end(st, rc, nw, LIA_THREAD_WALK_MAX);
}
