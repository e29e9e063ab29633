/* budget.c — see budget.h. */
#include "budget.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "blog.h"
#include "broker_int.h"
#include "record.h"
#include "turn.h"
#include "util.h"

static const struct {
	const char *name;
	int64_t window;
} classes[LIA_LIMIT_CLASSES] = {
	[LIA_LIMIT_PUBLISH] = {"publish_per_hour", 3600},
	[LIA_LIMIT_AUDIT_QUERY] = {"audit_queries_per_hour", 3600},
	[LIA_LIMIT_CONSENT_REQUEST] = {"onward_requests_per_day", 86400},
};

uint32_t lia_limit_of(const struct lia_policy *p, enum lia_limit_class c)
{
	switch (c) {
	case LIA_LIMIT_PUBLISH: return p->publish_per_hour;
	case LIA_LIMIT_AUDIT_QUERY: return p->audit_queries_per_hour;
	case LIA_LIMIT_CONSENT_REQUEST: return p->onward_requests_per_day;
	default: return 0;
	}
}

int64_t lia_limit_window(enum lia_limit_class c)
{
	return classes[c].window;
}

const char *lia_limit_name(enum lia_limit_class c)
{
	return classes[c].name;
}

bool lia_rate_allows(const struct lia_rate *r, const struct lia_policy *p, enum lia_limit_class c,
		     int64_t now)
{
	uint32_t limit = lia_limit_of(p, c);
	if (r == NULL || limit == 0)
		return true;
	uint32_t used = now - r->window_start >= classes[c].window ? 0 : r->count;
	return used < limit;
}

void lia_rate_spend(struct lia_rate *r, enum lia_limit_class c, int64_t now)
{
	if (r == NULL)
		return;
	if (now - r->window_start >= classes[c].window) {
		r->window_start = now;
		r->count = 0;
	}
	if (r->count < UINT32_MAX)
		r->count++;
}

bool lia_rate_refuse(struct lia_rate *r, const struct lia_policy *p, enum lia_limit_class c,
		     int64_t now, char *detail, size_t cap)
{
	int64_t w = classes[c].window;
	/* A window that closed is no longer what refuses: a durable count
	 * kept elsewhere did, and a new window would start now. */
	int64_t until = now - r->window_start >= w ? now + w : r->window_start + w;
	char t[32];
	lia_time_format(until, t);
	uint32_t limit = lia_limit_of(p, c);
	snprintf(detail, cap, "rate limit %s=%u reached; retry after %s", classes[c].name, limit, t);
	bool first = r->refused == 0;
	if (first) {
		r->refused_at = now;
		r->refused_until = until;
		r->refused_limit = limit;
	}
	if (r->refused < UINT32_MAX)
		r->refused++;
	r->refused_last = now;
	return first;
}

struct lia_budget *lia_budget_of(struct lia_broker *b, const char *subject)
{
	if (b->budgets == NULL)
		return NULL;
	const struct lia_directory_entry *me = lia_directory_find(&b->dir, subject);
	return me != NULL ? &b->budgets[me - b->dir.v] : NULL;
}

bool lia_limit_check(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
		     enum lia_limit_class c, int64_t now, bool over)
{
	struct lia_budget *g = lia_budget_of(b, s->cert.subject);
	if (g == NULL || (!over && lia_rate_allows(&g->rate[c], b->policy, c, now)))
		return true;
	char detail[LIA_DETAIL_MAX];
	if (lia_rate_refuse(&g->rate[c], b->policy, c, now, detail, sizeof detail)) {
		char t[32];
		lia_time_format(g->rate[c].refused_until, t);
		lia_blog("rate-limited", "by=%s limit=%s=%u until=%s (further refusals counted, not logged)",
			 s->cert.subject, classes[c].name, g->rate[c].refused_limit, t);
	}
	lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_LIMIT, detail);
	return false;
}

void lia_limit_spend(struct lia_broker *b, struct lia_session *s, enum lia_limit_class c, int64_t now)
{
	struct lia_budget *g = lia_budget_of(b, s->cert.subject);
	if (g != NULL)
		lia_rate_spend(&g->rate[c], c, now);
}

/* The refusals of r as one record: an audit-query record, the one
 * operation whose record needs no message (a refused request may name
 * none that exists), the justification naming the limit. */
static int write_refusals(struct lia_broker *b, const struct lia_cert *who, struct lia_rate *r,
			  enum lia_limit_class c, bool now_txn)
{
	if (r->refused == 0)
		return 0;
	struct lia_record rec;
	char t1[32], t2[32];
	lia_time_format(r->refused_at, t1);
	lia_time_format(r->refused_last, t2);
	lia_rec_init(b, &rec, LIA_OP_AUDIT_QUERY);
	lia_rec_party(&rec.actor, who);
	snprintf(rec.justification, sizeof rec.justification,
		 "%" PRIu32 " requests refused by rate limit %s=%" PRIu32 " from %s to %s", r->refused,
		 classes[c].name, r->refused_limit, t1, t2);
	lia_blog("rate-limit-recorded", "by=%s limit=%s=%u refused=%u", who->subject, classes[c].name,
		 r->refused_limit, r->refused);
	r->refused = 0;
	return now_txn ? lia_rec_now(b, &rec) : lia_rec_append(b, &rec);
}

/* The repeats of the last recorded query as one record like it. */
static int write_repeats(struct lia_broker *b, const struct lia_cert *who, struct lia_repeat *rp,
			 bool now_txn)
{
	if (!rp->active || rp->count == 0)
		return 0;
	struct lia_record rec;
	lia_rec_init(b, &rec, LIA_OP_AUDIT_QUERY);
	lia_rec_party(&rec.actor, who);
	rec.has_message_id = rp->has_message_id;
	memcpy(rec.message_id, rp->message_id, sizeof rec.message_id);
	memcpy(rec.originator, rp->originator, sizeof rec.originator);
	snprintf(rec.justification, sizeof rec.justification,
		 "repeated %" PRIu32 " times within %d s: %s (record %" PRIu64 ")", rp->count,
		 LIA_REPEAT_SECONDS, rp->what, rp->seq);
	rp->count = 0;
	return now_txn ? lia_rec_now(b, &rec) : lia_rec_append(b, &rec);
}

static void query_key(struct lia_query_key *k, const struct lia_frame *f)
{
	memset(k, 0, sizeof *k);
	k->kind = (int)f->u.audit_query.kind;
	k->has_message_id = f->u.audit_query.has_message_id;
	if (k->has_message_id)
		memcpy(k->message_id, f->u.audit_query.message_id, sizeof k->message_id);
	k->from = f->u.audit_query.from;
	k->to = f->u.audit_query.to;
}

int lia_limit_repeat(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f, int64_t now)
{
	struct lia_budget *g = lia_budget_of(b, s->cert.subject);
	if (g == NULL)
		return 0;
	struct lia_repeat *rp = &g->repeat;
	struct lia_query_key k;
	query_key(&k, f);
	if (rp->active && now - rp->first_at < LIA_REPEAT_SECONDS && memcmp(&k, &rp->key, sizeof k) == 0) {
		if (rp->count < UINT32_MAX)
			rp->count++;
		return 1;
	}
	int rc = write_repeats(b, &s->cert, rp, false);
	rp->active = false;
	return rc;
}

void lia_limit_recorded(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f,
			int64_t now, const struct lia_record *rec)
{
	struct lia_budget *g = lia_budget_of(b, s->cert.subject);
	if (g == NULL)
		return;
	struct lia_repeat *rp = &g->repeat;
	query_key(&rp->key, f);
	rp->active = true;
	rp->first_at = now;
	rp->count = 0;
	rp->seq = rec->seq;
	rp->has_message_id = rec->has_message_id;
	memcpy(rp->message_id, rec->message_id, sizeof rp->message_id);
	memcpy(rp->originator, rec->originator, sizeof rp->originator);
	lia_rec_text(rp->what, sizeof rp->what, rec->justification);
}

uint64_t lia_limit_repeat_seq(struct lia_broker *b, struct lia_session *s)
{
	struct lia_budget *g = lia_budget_of(b, s->cert.subject);
	return g != NULL ? g->repeat.seq : 0;
}

/* What budget i owes: everything (all), or what closed by now. */
static void settle(struct lia_broker *b, size_t i, int64_t now, bool all)
{
	struct lia_budget *g = &b->budgets[i];
	const struct lia_cert *who = &b->dir.v[i].cert;
	for (int c = 0; c < LIA_LIMIT_CLASSES; c++)
		if (g->rate[c].refused > 0 && (all || now >= g->rate[c].refused_until))
			(void)write_refusals(b, who, &g->rate[c], (enum lia_limit_class)c, all);
	if (g->repeat.active && (all || now - g->repeat.first_at >= LIA_REPEAT_SECONDS)) {
		(void)write_repeats(b, who, &g->repeat, all);
		g->repeat.active = false;
	}
}

void lia_limits_tick(struct lia_broker *b, int64_t now)
{
	if (b->budgets == NULL)
		return;
	for (size_t i = 0; i < b->dir.n; i++)
		settle(b, i, now, false);
}

void lia_limits_flush(struct lia_broker *b)
{
	if (b->budgets == NULL)
		return;
	for (size_t i = 0; i < b->dir.n; i++)
		settle(b, i, 0, true);
}
