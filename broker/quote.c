/* quote.c — see quote.h. */
#include "quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "combine.h"
#include "envelope.h"
#include "holds.h"
#include "marking_combine.h"
#include "thread.h"
#include "turn.h"
#include "util.h"

bool lia_quote_applies(const struct lia_header *h)
{
	return h->has_in_reply_to && h->kind != LIA_KIND_VERIFICATION_ANSWER;
}

void lia_quote_chain_free(struct lia_quote_chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].cons);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

/* Message m appended to c: its header (when the envelope is readable),
 * originator and consents. 0, or -1 (store, memory). */
static int chain_add(struct lia_broker *b, struct lia_quote_chain *c, const struct lia_store_message *m)
{
	if (c->v == NULL && (c->v = calloc(LIA_THREAD_DEPTH_MAX, sizeof *c->v)) == NULL)
		return -1;
	struct lia_quoted *q = &c->v[c->n];
	memset(q, 0, sizeof *q);
	q->m = *m;
	/* From the stored header, not the envelope cache: the chain must
	 * not hold envelopes (or evict those a caller holds). An erased
	 * message is judged as having nobody new to reach. */
	uint8_t *hb = NULL;
	size_t hlen = 0;
	const char *bad;
	int got = lia_store_message_header(b->store, m->seq, &hb, &hlen);
	if (got < 0)
		return -1;
	q->readable = got == 1 && !m->erased && lia_header_parse(&q->h, hb, hlen, &bad) == 0;
	free(hb);
	const struct lia_directory_entry *o = lia_directory_find(&b->dir, m->originator);
	q->originator = o != NULL ? &o->cert : NULL;
	if (lia_cand_consents(b, m->seq, &q->cons, &q->n_cons) != 0)
		return -1;
	c->n++;
	return 0;
}

/* From c's last message on, what it quotes in turn (from the store's
 * record of what each names, so an erased message still leads on);
 * *deep when the chain would grow past LIA_THREAD_DEPTH_MAX. 0, or -1
 * (store, memory). */
static int chain_walk(struct lia_broker *b, struct lia_quote_chain *c, bool *deep)
{
	*deep = false;
	while (c->n > 0) {
		const struct lia_quoted *last = &c->v[c->n - 1];
		/* A verification answer names its request, it does not quote it. */
		uint8_t parent[LIA_ID_BYTES];
		int names = last->m.kind == LIA_KIND_VERIFICATION_ANSWER ? 0
									: lia_store_reply_of(b->store, last->m.seq, parent);
		if (names <= 0)
			return names;
		if (c->n == LIA_THREAD_DEPTH_MAX) {
			*deep = true;
			return 0;
		}
		struct lia_store_message m;
		/* Checked when it was published: a quoted message that is not
		 * in the store means the store cannot be trusted now. */
		if (lia_store_message_find(b->store, parent, &m) != 1 || chain_add(b, c, &m) != 0)
			return -1;
	}
	return 0;
}

int lia_quote_chain_load(struct lia_broker *b, const uint8_t id[static LIA_ID_BYTES], struct lia_quote_chain *c)
{
	memset(c, 0, sizeof *c);
	struct lia_store_message m;
	int found = lia_store_message_find(b->store, id, &m);
	bool deep;
	return found != 1 || chain_add(b, c, &m) != 0 || chain_walk(b, c, &deep) != 0 ? -1 : 0;
}

int lia_quote_check(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		    struct lia_quote_chain *c, enum lia_refusal *code, char rule[static LIA_RULE_ID_MAX],
		    char why[static LIA_DETAIL_MAX])
{
	memset(c, 0, sizeof *c);
	*code = LIA_REFUSAL_POLICY;
	rule[0] = '\0';
	char idh[2 * LIA_ID_BYTES + 1], err[LIA_ERR_MAX];
	lia_id_hex(idh, h->in_reply_to);
	int64_t now = lia_now();
	struct lia_store_delivery d;
	struct lia_store_message m;
	int held = lia_holds(b, sender->subject, h->in_reply_to, now, &d);
	int found = held == 1 ? lia_store_message_find(b->store, h->in_reply_to, &m) : 0;
	bool deep = false;
	if (held < 0 || found < 0 || (found == 1 && (chain_add(b, c, &m) != 0 || chain_walk(b, c, &deep) != 0))) {
		*code = LIA_REFUSAL_UNAVAILABLE;
		return lia_cand_refuse(rule, "", why, "the broker cannot read the quoted message now; publish again");
	}
	/* Never existed, not the sender's to see, erased, expired: all the
	 * same to the sender, who learns nothing of a message by quoting it. */
	if (found != 1 || d.erased || !c->v[0].readable || (m.expires_at != 0 && m.expires_at <= now))
		return lia_cand_refuse(rule, "quote.unknown", why,
				       "you hold no message %s to reply to or forward (in_reply_to); an "
				       "erased or expired one may no longer be quoted",
				       idh);
	if (deep)
		return lia_cand_refuse(rule, "quote.depth", why,
				       "%s is at the end of a chain of %d replies and forwards: start a new "
				       "message instead",
				       idh, LIA_THREAD_DEPTH_MAX);
	/* Compared explicit to explicit: the implicit meanings of a marking
	 * shift with a new originator (combine.h). What X quotes was
	 * covered by X when X was published, so X's marking is enough. */
	struct lia_restrictions mine, theirs;
	lia_marking_explicit(&mine, b->policy, h);
	lia_marking_explicit(&theirs, b->policy, &c->v[0].h);
	lia_restrictions_allow(&theirs, m.originator);
	if (lia_restrictions_cover(&mine, &theirs, err) != 0)
		return lia_cand_refuse(rule, "quote.marking", why,
				       "a message naming %s must carry at least its marking, but %s", idh, err);
	return 0;
}

/* May the candidate with certificate rc have what q holds, as of at: 1
 * yes, 0 no (*d the decision), -1 the store could not say. *held when
 * it holds q already (nothing further down the chain is asked then). */
static int quoted_allows(struct lia_broker *b, const struct lia_quoted *q, const struct lia_cert *rc, int64_t at,
			 bool *held, struct lia_decision *d)
{
	struct lia_store_delivery had;
	int rc_holds = strcmp(q->m.originator, rc->subject) == 0 ? 1 : lia_holds(b, rc->subject, q->m.id, at, &had);
	*held = rc_holds == 1;
	if (rc_holds != 0)
		return rc_holds < 0 ? -1 : 1;
	/* Erased, or its originator gone from the directory: nobody new may
	 * have what it said. */
	if (!q->readable || q->originator == NULL) {
		memset(d, 0, sizeof *d);
		d->verdict = LIA_DENY;
		snprintf(d->reason, sizeof d->reason, "%s",
			 !q->readable ? "it was erased" : "its originator is no longer in the directory");
		return 0;
	}
	struct lia_decide_input in = {
		.header = &q->h, .originator = q->originator, .recipient = rc, .crl = &b->dir.crl,
		.path = LIA_PATH_ONWARD, .consents = q->cons, .n_consents = q->n_cons, .now = at,
	};
	return lia_decide(d, b->policy, &in) == LIA_PERMIT ? 1 : 0;
}

int lia_quote_decide(struct lia_broker *b, const struct lia_quote_chain *c, size_t nc, bool *permit,
		     struct lia_decision *decs, int64_t at, size_t *permitted, size_t *first)
{
	bool *keep = calloc(nc ? nc : 1, sizeof *keep);
	struct lia_decision *why = calloc(nc ? nc : 1, sizeof *why);
	size_t *by = calloc(nc ? nc : 1, sizeof *by);
	int rc = -1;
	if (keep == NULL || why == NULL || by == NULL)
		goto out;
	/* Every answer first, so that a store error changes nothing. */
	for (size_t i = 0; i < nc; i++) {
		keep[i] = permit[i];
		for (size_t k = 0; keep[i] && k < c->n; k++) {
			bool held;
			int ok = quoted_allows(b, &c->v[k], &b->cand[i].who->cert, at, &held, &why[i]);
			if (ok < 0)
				goto out;
			if (k == 0 && c->replaces && !held)
				ok = 1;
			keep[i] = ok == 1;
			by[i] = k;
			if (held)
				break;
		}
	}
	*permitted = 0;
	*first = nc;
	for (size_t i = 0; i < nc; i++) {
		if (keep[i])
			(*permitted)++;
		if (keep[i] || !permit[i])
			continue;
		permit[i] = false;
		char idh[2 * LIA_ID_BYTES + 1], r[LIA_DECISION_REASON_MAX];
		lia_id_hex(idh, c->v[by[i]].m.id);
		snprintf(r, sizeof r, "quotes %s: ", idh);
		size_t used = strlen(r);
		snprintf(r + used, sizeof r - used, "%.*s", (int)(sizeof r - used - 1), why[i].reason);
		decs[i] = why[i];
		memcpy(decs[i].reason, r, sizeof r);
		if (*first == nc)
			*first = i;
	}
	rc = 0;
out:
	free(keep);
	free(why);
	free(by);
	return rc;
}
