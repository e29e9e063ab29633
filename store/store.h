/*
 * store.h — the broker's durable state in SQLite: messages, deliveries
 * (one row per permitted recipient, numbered per recipient in commit
 * order), feeds.
 * The ledger (audit/ledger.h) lives in the same database file, so that
 * one transaction makes a message deliverable and records its
 * disclosures: no disclosure without a record.
 *
 * The database runs in WAL mode with synchronous=FULL: a commit returns
 * only when it is durable, and the broker acknowledges a publish only
 * after its commit. All writes happen between lia_store_begin() and
 * lia_store_commit() (group commit: one transaction per loop turn).
 *
 * Input trust: rows were validated before they were written; values read
 * back are still bounded (names re-validated, blobs size-checked).
 * Thread safety: one store per thread.
 *
 * The broker reaches the store through a unit of work (unit.h), which
 * owns the connection and the turn's transaction. A PostgreSQL backend
 * for several broker nodes (DESIGN §9) would implement this same
 * interface; nothing outside store/ sees SQL or a database type.
 */
#ifndef LIA_STORE_H
#define LIA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consent.h"
#include "feed.h"
#include "keyfile.h"
#include "marking.h"
#include "supersession.h"
#include "thread.h"
#include "verification.h"

struct lia_store;

/* The store's schema version (PRAGMA user_version); a database of
 * another version is refused when opened. */
#define LIA_STORE_VERSION 5   /* 4 added verifications, 5 supersessions; a 3 or 4 is upgraded */

/* Open or create the database at path (0600), set WAL and FULL sync,
 * create the schema. NULL with err on failure. */
struct lia_store *lia_store_open(const char *path, char err[static LIA_ERR_MAX]);
void lia_store_destroy(struct lia_store **s);

int lia_store_begin(struct lia_store *s, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
int lia_store_commit(struct lia_store *s, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
void lia_store_rollback(struct lia_store *s);

/* --- messages --- */

struct lia_store_message {
	uint64_t seq;                   /* commit order (global: stays in the broker) */
	uint64_t number;                /* the originator's publication number */
	uint8_t id[LIA_ID_BYTES];
	char originator[LIA_NAME_MAX];
	enum lia_kind kind;
	int64_t created_at;
	int64_t received_at;
	int64_t expires_at;             /* 0 = never */
	int64_t embargo_until;          /* not delivered before; 0 = none */
	uint32_t recipients;            /* disclosed to */
	uint32_t withheld;              /* refused */
	bool erased;
	uint64_t ledger_from;           /* its publication's ledger records: */
	uint64_t ledger_to;             /* [ledger_from, ledger_to) (written by add) */
};

/* Look a message up by id: 1 found (*out filled), 0 not found, -1 error. */
int lia_store_message_find(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			   struct lia_store_message *out);

/* Insert a message (inside a transaction); sets m->seq and m->number
 * (one more than the originator's last). */
int lia_store_message_add(struct lia_store *s, struct lia_store_message *m, const uint8_t *header,
			  size_t header_len, const uint8_t *envelope, size_t envelope_len,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The stored envelope of a message; *out malloc'd. 1 found, 0 erased or
 * unknown, -1 error. */
int lia_store_message_envelope(struct lia_store *s, uint64_t message_seq, uint8_t **out,
			       size_t *len);

/* The signed header bytes of a message, kept after it is erased; *out
 * malloc'd. 1 found, 0 unknown, -1 error. */
int lia_store_message_header(struct lia_store *s, uint64_t message_seq, uint8_t **out, size_t *len);

/* Messages whose expiry has passed and that are not erased yet, oldest
 * first, at most max. */
int lia_store_expired(struct lia_store *s, int64_t now, struct lia_store_message *out, size_t max,
		      size_t *n);
/* Delete a message's ciphertext (the metadata stays). */
int lia_store_erase(struct lia_store *s, uint64_t message_seq, int64_t now,
		    char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* --- deliveries --- */

struct lia_store_delivery {
	uint64_t seq;                   /* the recipient's delivery number, commit order */
	uint64_t message_seq;
	uint8_t message_id[LIA_ID_BYTES];
	char recipient[LIA_NAME_MAX];
	char originator[LIA_NAME_MAX];
	char via[LIA_FEED_NAME_MAX];    /* "direct" or a feed name */
	enum lia_kind kind;
	int64_t created_at;
	int64_t received_at;
	int64_t acked_at;               /* 0 = not yet */
	bool erased;
	int64_t erased_at;              /* when its ciphertext was deleted; 0 = not */
	int64_t expires_at;             /* of the message; 0 = never */
	/* Recalled or corrected by a message this recipient also received
	 * (lia_store_inbox and lia_store_delivery_of only; else absent). */
	struct lia_supersession superseded;
};

/* Deliveries are numbered per recipient: 1, 2, ... in commit order, so
 * a number counts only what was delivered to that recipient. Every
 * function below that takes or returns a delivery number (`seq`,
 * `after`) means the recipient's number, never a row of the table. */

/* Insert a delivery (inside a transaction); *seq is the recipient's
 * number for it. */
int lia_store_delivery_add(struct lia_store *s, uint64_t message_seq, const char *recipient,
			   const char *via, uint64_t *seq, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Deliveries of recipient after delivery number `after`, in order, at
 * most max (bounded by the caller's window), that are due at `now`: not
 * acknowledged, not erased, not expired, out of embargo. */
int lia_store_pending(struct lia_store *s, const char *recipient, uint64_t after, int64_t now,
		      struct lia_store_delivery *out, size_t max, size_t *n);
/* How many of the recipient's oldest LIA_STORE_PENDING_COUNT_MAX
 * unacknowledged deliveries are due at now: the exact count while fewer
 * wait, otherwise a lower bound (the Welcome's "at least"). Its cost is
 * that many index rows, whatever the history (issue 11, item 5). */
#define LIA_STORE_PENDING_COUNT_MAX 1000
int lia_store_pending_count(struct lia_store *s, const char *recipient, int64_t now, uint64_t *n);

/* The broker sent delivery seq to recipient now (pushed or fetched), if
 * it had not before: only a delivery sent can be acknowledged. 0 / -1.
 * Inside a transaction. */
int lia_store_delivery_sent(struct lia_store *s, const char *recipient, uint64_t seq, int64_t now)
	__attribute__((warn_unused_result));

/* Record an acknowledgement: 1 newly acknowledged (*d filled), 0 already
 * acknowledged, not recipient's or never sent to it (still embargoed,
 * not yet pushed: nothing is recorded), -1 error. Inside a
 * transaction. */
int lia_store_ack(struct lia_store *s, const char *recipient, uint64_t seq, int64_t now,
		  struct lia_store_delivery *d);

/* Deliveries of recipient after `after`, acknowledged or not, out of
 * embargo at `now`, at most max; expired ones are marked erased. */
int lia_store_inbox(struct lia_store *s, const char *recipient, uint64_t after, int64_t now,
		    struct lia_store_delivery *out, size_t max, size_t *n);

/* The delivery of message id to recipient, out of embargo at `now`
 * (marked erased when expired): 1 found, 0 none, -1 error. */
int lia_store_delivery_of(struct lia_store *s, const char *recipient,
			  const uint8_t id[static LIA_ID_BYTES], int64_t now, struct lia_store_delivery *d);

/* Erase notices owed to recipient after delivery number `after`, in
 * order, at most max: its deliveries whose message was erased (it may
 * hold a copy, fetched or delivered), until it confirms the purge. */
int lia_store_erasures(struct lia_store *s, const char *recipient, uint64_t after,
		       struct lia_store_delivery *out, size_t max, size_t *n);
/* The recipient confirmed it purged delivery seq: 1 done (*d filled),
 * 0 nothing was owed, -1 error. Inside a transaction. */
int lia_store_erasure_done(struct lia_store *s, const char *recipient, uint64_t seq,
			   struct lia_store_delivery *d);

/* --- consents (onward dissemination) --- */

/* Replace a message's stored envelope (the same message with wraps
 * added for consented recipients). Fails if it was erased meanwhile. */
int lia_store_message_envelope_set(struct lia_store *s, uint64_t message_seq, const uint8_t *env,
				   size_t len, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* A new pending request (message_id, originator, requested_by, grantee,
 * purpose, requested_at from c); sets c->request, a random number in
 * 1 .. 2^53 - 1 that counts nothing, and c->state. Inside a transaction;
 * fails when the same request exists (see _same). */
int lia_store_consent_add(struct lia_store *s, uint64_t message_seq, struct lia_consent_request *c,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* One request by number (and its message's seq): 1, 0 none, -1 error. */
int lia_store_consent_get(struct lia_store *s, uint64_t request, struct lia_consent_request *out,
			  uint64_t *message_seq);
/* The request this requester made for this message and grantee. */
int lia_store_consent_same(struct lia_store *s, uint64_t message_seq, const char *requested_by,
			   const char *grantee, struct lia_consent_request *out);
/* Requests subject made or must answer (as originator), newest first
 * (subject NULL: every request, for auditors); request != 0: only that
 * one; before != 0: only those older than request `before`, which the
 * subject must see (none otherwise). At most max. */
int lia_store_consents_of(struct lia_store *s, const char *subject, uint64_t request,
			  uint64_t before, struct lia_consent_request *out, size_t max, size_t *n);
/* Granted requests of a message, oldest first, at most max. */
int lia_store_consents_granted(struct lia_store *s, uint64_t message_seq,
			       struct lia_consent_request *out, size_t max, size_t *n);
/* Requests about one message that still wait for an answer, oldest
 * first, at most max. */
int lia_store_consents_pending_of(struct lia_store *s, uint64_t message_seq,
				  struct lia_consent_request *out, size_t max, size_t *n);
/* How many of requested_by's requests wait for an answer. */
int lia_store_consents_waiting(struct lia_store *s, const char *requested_by, uint64_t *n);
/* How many requests requested_by made after `since` (rate limit). */
int lia_store_consents_since(struct lia_store *s, const char *requested_by, int64_t since,
			     uint64_t *n);
/* Record the answer (c->state, answered_at, reason, disclosed, withheld)
 * of a pending request, with the signed consent when granted. Inside a
 * transaction; fails if it was not pending. */
int lia_store_consent_answer(struct lia_store *s, const struct lia_consent_request *c,
			     const uint8_t *signed_consent, size_t signed_len, uint64_t ledger_from,
			     uint64_t ledger_to, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* --- recall and correction (store_message.c) --- */

/* Message message_seq is superseded by message by_seq (a recall, or a
 * correction), accepted at from actor; inside a transaction. A message
 * is superseded at most once: a second time fails. 0 / -1 with err. */
int lia_store_supersede(struct lia_store *s, uint64_t message_seq, uint64_t by_seq, bool recall,
			int64_t at, const char *actor, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
/* How message message_seq was superseded, whoever may know it: 1 with
 * *out filled, 0 never, -1 store error. */
int lia_store_superseded(struct lia_store *s, uint64_t message_seq, struct lia_supersession *out)
	__attribute__((warn_unused_result));
/* The principals that received message message_seq (a delivery row
 * each, erased or not, embargoed or not), in delivery order, at most
 * max into out; *n how many. 0 / -1. */
int lia_store_holders(struct lia_store *s, uint64_t message_seq, char (*out)[LIA_NAME_MAX], size_t max,
		      size_t *n) __attribute__((warn_unused_result));

/* --- threads (store_message.c) --- */

/* Message message_seq names in_reply_to (inside a transaction). */
int lia_store_reply_add(struct lia_store *s, uint64_t message_seq, const uint8_t in_reply_to[static LIA_ID_BYTES],
			char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* The thread of message id as viewer may see it (its own messages and
 * those delivered to it, not embargoed as of now): the first message
 * found by following in_reply_to up (at most LIA_THREAD_DEPTH_MAX steps),
 * then every message below it (as deep again, LIA_THREAD_WALK_MAX
 * looked at), in commit order, at most max. Each entry's in_reply_to
 * and depth run over the entries the viewer sees: the nearest of them
 * it descends from, and how many of them are above it. 0 / -1. */
int lia_store_thread(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES], const char *viewer,
		     int64_t now, struct lia_thread_entry *out, size_t max, size_t *n)
	__attribute__((warn_unused_result));

/* --- document verification requests (store_verif.c) --- */

/* A new open request (v's fields; state, answers and answer ignored),
 * for message message_seq; office_agency is the office's agency. Inside
 * a transaction; fails if the request id is known. */
int lia_store_verif_add(struct lia_store *s, uint64_t message_seq, const struct lia_verification *v,
			const char *office_agency, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
/* One request by its id: 1 found, 0 none, -1 error. */
int lia_store_verif_get(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			struct lia_verification *out);
/* An answer (or a correction) arrived at now: the request becomes
 * answered, its latest answer this one, late if first answered after
 * the deadline. Inside a transaction; fails unless it was open, overdue
 * or answered. */
int lia_store_verif_answered(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			     const char *answered_by, const uint8_t answer_id[static LIA_ID_BYTES],
			     int64_t now, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* The requester erased its request (on demand): an open, overdue or
 * answered request becomes withdrawn. Inside a transaction: 1 changed,
 * 0 nothing to withdraw, -1 error. */
int lia_store_verif_withdraw(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			     char err[static LIA_ERR_MAX]);
/* Open requests whose deadline is at or before `at`, earliest deadline
 * first, at most max; with unreminded, only those not yet reminded. */
int lia_store_verifs_due(struct lia_store *s, int64_t at, bool unreminded,
			 struct lia_verification *out, size_t max, size_t *n);
/* An open request's deadline passed: it becomes overdue (once). Inside
 * a transaction: 1 changed, 0 it was not open, -1 error. */
int lia_store_verif_overdue(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			    char err[static LIA_ERR_MAX]);
/* The office was reminded of it (the reminder before the deadline is
 * pushed once). Inside a transaction. */
int lia_store_verif_reminded(struct lia_store *s, const uint8_t id[static LIA_ID_BYTES],
			     char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* Requests subject asked or must answer, newest first, at most max:
 * subject's own requests, those whose office is subject, and, when
 * liaison_officer, those of an office of agency (an agency office, or
 * with any_liaison_officer any office of that agency). subject NULL:
 * every request (auditors). state 0: any state; before 0: no bound,
 * else only those requested before it. */
int lia_store_verifs_of(struct lia_store *s, const char *subject, const char *agency,
			bool liaison_officer, bool any_liaison_officer, enum lia_verif_state state,
			int64_t before, struct lia_verification *out, size_t max, size_t *n);

/* --- where the ledger holds a message's disclosures --- */

/* The ledger records [from, to) of one publication or consent answer. */
struct lia_store_range {
	uint64_t from, to;
};

/* The ranges holding a message's disclose and withhold records: its
 * publication, then each granted consent's answer, in ledger order. So
 * the broker answers "who received it" by reading those records by key,
 * never by scanning the ledger in its event loop. */
int lia_store_ledger_ranges(struct lia_store *s, uint64_t message_seq, struct lia_store_range *out,
			    size_t max, size_t *n);

/* --- feeds --- */

struct lia_store_feed {
	char subscriber[LIA_NAME_MAX];
	char name[LIA_FEED_NAME_MAX];
	struct lia_feed_filter filter;
	int64_t created_at;
};

/* Create or replace a subscriber's feed of that name. */
int lia_store_feed_put(struct lia_store *s, const struct lia_store_feed *f,
		       char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* 1 removed, 0 there was none, -1 error. */
int lia_store_feed_remove(struct lia_store *s, const char *subscriber, const char *name);
/* All feeds (subscriber "" ) or one subscriber's; *out malloc'd. */
int lia_store_feeds(struct lia_store *s, const char *subscriber, struct lia_store_feed **out,
		    size_t *n);

/* --- the revocation list in force (store_trust.c) --- */

#define LIA_STORE_CRL_HASH_BYTES 32

/* The highest revocation list the broker put in force: its number and
 * the hash of its bytes. 1 found, 0 none yet (a new store), -1 error. */
int lia_store_crl_get(struct lia_store *s, uint64_t *number,
		      uint8_t hash[static LIA_STORE_CRL_HASH_BYTES]);
/* Replace it (inside a transaction). The caller refuses a list older
 * than the one kept, or of the same number and another hash. */
int lia_store_crl_set(struct lia_store *s, uint64_t number,
		      const uint8_t hash[static LIA_STORE_CRL_HASH_BYTES], int64_t now,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* Remember that serial's revocation is recorded in the ledger (inside a
 * transaction): 1 newly remembered, 0 it already was, -1 error. */
int lia_store_revoked_add(struct lia_store *s, uint64_t serial, int64_t now,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
