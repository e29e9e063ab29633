/*
 * budget.h — the exchange policy's per-principal rate limits, one
 * mechanism for every class of request that costs the exchange a
 * ledger record or a publication (issue 11, item 2):
 *
 *     class            policy key (rate_limits.)   window
 *     publish          publish_per_hour            1 h
 *     audit query      audit_queries_per_hour      1 h
 *     consent request  onward_requests_per_day     1 day
 *
 * Each principal of the directory has one budget (b->budgets, indexed
 * like dir.v) holding a fixed-window rate per class and the last audit
 * query it had recorded. A request over its limit is refused by the
 * caller with LIMIT and the detail lia_limit_refuse writes; nothing is
 * appended for it. The refusal is counted: the first in a window logs
 * one "rate-limited" line, and when the window closes (the loop's
 * once-a-second tick), on reload and at stop one audit-query record per
 * principal and class says how many were refused ("N requests refused
 * by rate limit X=L from T1 to T2"): never left unrecorded, and at most
 * one record per window however hard the principal pushes.
 *
 * Identical audit queries (same principal, kind, message id, from, to)
 * repeated within LIA_REPEAT_SECONDS of the one recorded are answered
 * as usual but not recorded one by one, and spend no budget: their
 * count is written in one record ("repeated N times within 60 s: ...")
 * when another query comes, the 60 s pass, on reload or at stop.
 *
 * Owns b->budgets. The allows/spend pair is pure (the caller passes
 * now); the tick and flush write through record.h. Trusts the session
 * (authenticated) and the policy.
 */
#ifndef LIA_BROKER_BUDGET_H
#define LIA_BROKER_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

#include "policy.h"
#include "ledger.h" /* struct lia_record */
#include "wire.h"

#define LIA_REPEAT_SECONDS 60

enum lia_limit_class {
	LIA_LIMIT_PUBLISH,
	LIA_LIMIT_AUDIT_QUERY,
	LIA_LIMIT_CONSENT_REQUEST,
	LIA_LIMIT_CLASSES
};

/* One class's rate of one principal: a fixed window and what it spent
 * in it; and the refusals not yet written to the ledger, from the first
 * (refused_at) to the last, owed when the window they fell in closes
 * (refused_until). */
struct lia_rate {
	int64_t window_start;
	uint32_t count;
	uint32_t refused;
	int64_t refused_at, refused_last, refused_until;
	uint32_t refused_limit;    /* the limit that refused them */
};

/* The fields that make two audit queries identical. */
struct lia_query_key {
	int kind;
	bool has_message_id;
	uint8_t message_id[16];
	uint64_t from, to;
};

/* The last recorded audit query of a principal and its repeats since. */
struct lia_repeat {
	bool active;
	struct lia_query_key key;
	int64_t first_at;          /* when the recorded one came */
	uint32_t count;            /* repeats not yet written */
	/* Of the recorded one: what its record said (a whole record would
	 * be 12 KB a principal, its restrictions mostly). */
	uint64_t seq;
	bool has_message_id;
	uint8_t message_id[16];
	char originator[LIA_NAME_MAX];
	char what[LIA_DETAIL_MAX];
};

struct lia_budget {
	struct lia_rate rate[LIA_LIMIT_CLASSES];
	struct lia_repeat repeat;
};

/* The limit of class c under p (0: none) and its window in seconds. */
uint32_t lia_limit_of(const struct lia_policy *p, enum lia_limit_class c);
int64_t lia_limit_window(enum lia_limit_class c);
/* The policy key naming class c: "audit_queries_per_hour", ... */
const char *lia_limit_name(enum lia_limit_class c);

/* Whether r has a request of class c left under p at now (no change). */
bool lia_rate_allows(const struct lia_rate *r, const struct lia_policy *p, enum lia_limit_class c,
		     int64_t now);
/* Spend one: the caller does so only for an accepted request. */
void lia_rate_spend(struct lia_rate *r, enum lia_limit_class c, int64_t now);
/* Count one refusal in r; true when it is the first since the last
 * summary (then log it). detail gets "rate limit NAME=L reached; retry
 * after T", T the end of the window. */
bool lia_rate_refuse(struct lia_rate *r, const struct lia_policy *p, enum lia_limit_class c,
		     int64_t now, char *detail, size_t cap);

struct lia_broker;
struct lia_session;
struct lia_frame;

/* The budget of the principal subject, NULL when not in the directory. */
struct lia_budget *lia_budget_of(struct lia_broker *b, const char *subject);
/* Whether s may make one more request of class c now (over: a durable
 * count kept elsewhere says it may not, whatever the budget); when not,
 * the refusal is counted and logged as above and LIMIT is replied to f. */
bool lia_limit_check(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
		     enum lia_limit_class c, int64_t now, bool over);
/* Spend one request of class c of s's budget (accepted). */
void lia_limit_spend(struct lia_broker *b, struct lia_session *s, enum lia_limit_class c, int64_t now);

/* Whether the audit query f of s repeats, within LIA_REPEAT_SECONDS,
 * the one last recorded: then it is counted, and the caller answers
 * without a record. Otherwise the owed count, if any, is written first
 * (-1: the turn failed). 1 repeat, 0 not, -1 error. */
int lia_limit_repeat(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f, int64_t now);
/* The audit query f of s was recorded as rec (appended): the one later
 * identical ones repeat. */
void lia_limit_recorded(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			int64_t now, const struct lia_record *rec);
/* The record seq later repeats of s's last query answer with. */
uint64_t lia_limit_repeat_seq(struct lia_broker *b, struct lia_session *s);

/* Once a second: write what is owed of closed windows and repeats. */
void lia_limits_tick(struct lia_broker *b, int64_t now);
/* Write everything owed now (reload, which resets budgets; stop). */
void lia_limits_flush(struct lia_broker *b);

#endif
