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

/* The entry of c holding message id, -1 none. */
static long chain_find(const struct lia_quote_chain *c, const uint8_t id[static LIA_ID_BYTES])
{
	for (size_t i = 0; i < c->n; i++)
		if (memcmp(c->v[i].m.id, id, LIA_ID_BYTES) == 0)
			return (long)i;
	return -1;
}

/* Message id named by entry from (-1: by the new message) added to c,
 * once: its header, originator, consents, whether sender holds it. 0, 1
 * when c is full, -1 (store, memory, a named message not stored). */
static int chain_push(struct lia_broker *b, struct lia_quote_chain *c, long from,
		      const uint8_t id[static LIA_ID_BYTES], bool replaced, const char *sender, int64_t now)
{
	long at = chain_find(c, id);
	if (at < 0) {
		if (c->n == LIA_QUOTE_CHAIN_MAX)
			return 1;
		if (c->v == NULL && (c->v = calloc(LIA_QUOTE_CHAIN_MAX, sizeof *c->v)) == NULL)
			return -1;
		struct lia_quoted *q = &c->v[c->n];
		memset(q, 0, sizeof *q);
		/* Checked when the naming message was published: one not in the
		 * store means the store cannot be trusted now. */
		if (lia_store_message_find(b->store, id, &q->m) != 1)
			return -1;
		/* From the stored header, not the envelope cache: the chain
		 * must not hold envelopes (or evict those a caller holds). */
		uint8_t *hb = NULL;
		size_t hlen = 0;
		const char *bad;
		int got = lia_store_message_header(b->store, q->m.seq, &hb, &hlen);
		int parsed = got == 1 ? lia_header_parse(&q->h, hb, hlen, &bad) : -1;
		free(hb);
		if (parsed != 0)
			return -1;
		q->readable = !q->m.erased && (q->m.expires_at == 0 || q->m.expires_at > now);
		q->replaced = replaced;
		const struct lia_directory_entry *o = lia_directory_find(&b->dir, q->m.originator);
		q->originator = o != NULL ? &o->cert : NULL;
		struct lia_store_delivery d;
		int held = lia_holds(b, sender, id, now, &d);
		if (held < 0 || lia_cand_consents(b, q->m.seq, &q->cons, &q->n_cons) != 0)
			return -1;
		q->sender_holds = held == 1;
		at = (long)c->n++;
	}
	/* Quoted as well as replaced somewhere: its rules are asked. */
	if (!replaced)
		c->v[at].replaced = false;
	if (from >= 0 && c->v[from].n_quotes < 2)
		c->v[from].quotes[c->v[from].n_quotes++] = (uint8_t)at;
	return 0;
}

/* What h names, pushed from entry from: its in_reply_to (a verification
 * answer's too when deeper in the chain, the request being restated in
 * the answer) and what it corrects (not a recall: it carries only its
 * reason). 0, 1, -1 as chain_push. */
static int chain_edges(struct lia_broker *b, struct lia_quote_chain *c, long from, const struct lia_header *h,
		       const char *sender, int64_t now)
{
	int rc = 0;
	if (h->has_in_reply_to && (from >= 0 || lia_quote_applies(h)))
		rc = chain_push(b, c, from, h->in_reply_to, false, sender, now);
	if (rc == 0 && h->has_supersedes && h->kind != LIA_KIND_RECALL &&
	    (from >= 0 || h->kind != LIA_KIND_VERIFICATION_ANSWER))
		rc = chain_push(b, c, from, h->supersedes, true, sender, now);
	return rc;
}

int lia_quote_chain_of(struct lia_broker *b, const struct lia_header *h, const char *sender, int64_t now,
		       struct lia_quote_chain *c)
{
	memset(c, 0, sizeof *c);
	int rc = chain_edges(b, c, -1, h, sender, now);
	for (size_t i = 0; rc == 0 && i < c->n; i++)
		rc = chain_edges(b, c, (long)i, &c->v[i].h, sender, now);
	return rc;
}

int64_t lia_quote_expiry(const struct lia_quote_chain *c)
{
	int64_t cap = 0;
	for (size_t i = 0; i < c->n; i++) {
		int64_t x = c->v[i].m.expires_at;
		if (!c->v[i].replaced && x != 0 && (cap == 0 || x < cap))
			cap = x;
	}
	return cap;
}

int lia_quote_check(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h, int64_t now,
		    struct lia_quote_chain *c, enum lia_refusal *code, char rule[static LIA_RULE_ID_MAX],
		    char why[static LIA_DETAIL_MAX])
{
	*code = LIA_REFUSAL_POLICY;
	rule[0] = '\0';
	char idh[2 * LIA_ID_BYTES + 1], err[LIA_ERR_MAX];
	lia_id_hex(idh, h->in_reply_to);
	/* Whether the sender holds what it names comes first: only then is
	 * the rest of the chain its business. */
	struct lia_store_delivery d;
	int held = lia_holds(b, sender->subject, h->in_reply_to, now, &d);
	int deep = held == 1 ? lia_quote_chain_of(b, h, sender->subject, now, c) : (memset(c, 0, sizeof *c), 0);
	if (held < 0 || deep < 0) {
		*code = LIA_REFUSAL_UNAVAILABLE;
		return lia_cand_refuse(rule, "", why, "the broker cannot read the quoted message now; publish again");
	}
	/* Never existed, not the sender's to see, erased, expired: all the
	 * same to the sender, who learns nothing of a message by quoting it.
	 * What it names is the chain's first entry. */
	const struct lia_quoted *x = c->n > 0 ? &c->v[0] : NULL;
	if (held != 1 || d.erased || x == NULL || !x->readable)
		return lia_cand_refuse(rule, "quote.unknown", why,
				       "you hold no message %s to reply to or forward (in_reply_to); an "
				       "erased or expired one may no longer be quoted",
				       idh);
	if (deep == 1)
		return lia_cand_refuse(rule, "quote.depth", why,
				       "%s quotes or corrects more than %d messages in turn: start a new message "
				       "instead",
				       idh, LIA_QUOTE_CHAIN_MAX - 1);
	/* Compared explicit to explicit: the implicit meanings of a marking
	 * shift with a new originator (combine.h). What X quotes binds the
	 * candidates through the chain (lia_quote_decide). */
	struct lia_restrictions mine, theirs;
	lia_marking_explicit(&mine, b->policy, h);
	lia_marking_explicit(&theirs, b->policy, &x->h);
	lia_restrictions_allow(&theirs, x->m.originator);
	if (lia_restrictions_cover(&mine, &theirs, err) != 0)
		return lia_cand_refuse(rule, "quote.marking", why,
				       "a message naming %s must carry at least its marking, but %s", idh, err);
	return 0;
}

/* May the candidate with certificate rc have what q holds, as of at:
 * 1 yes, 0 no (*d the decision). */
static int quoted_allows(struct lia_broker *b, const struct lia_quoted *q, const struct lia_cert *rc, int64_t at,
			 struct lia_decision *d)
{
	/* Erased or expired, or its originator gone from the directory:
	 * nobody new may have what it said. */
	if (!q->readable || q->originator == NULL) {
		memset(d, 0, sizeof *d);
		d->verdict = LIA_DENY;
		snprintf(d->reason, sizeof d->reason, "%s",
			 !q->readable ? "it was erased or has expired" : "its originator is no longer in the directory");
		return 0;
	}
	struct lia_decide_input in = {
		.header = &q->h, .originator = q->originator, .recipient = rc, .crl = &b->dir.crl,
		.path = LIA_PATH_ONWARD, .consents = q->cons, .n_consents = q->n_cons, .now = at,
	};
	return lia_decide(d, b->policy, &in) == LIA_PERMIT ? 1 : 0;
}

/* Which entries of c candidate rc may have for holding them (a message
 * the sender holds too) or something that names them: bit k of *free.
 * 0, or -1 store error. */
static int chain_held(struct lia_broker *b, const struct lia_quote_chain *c, const char *rc, int64_t now,
		      uint64_t *free_of)
{
	uint64_t got = 0;
	for (size_t k = 0; k < c->n; k++) {
		if (!c->v[k].sender_holds)
			continue;
		struct lia_store_delivery had;
		int held = strcmp(c->v[k].m.originator, rc) == 0 ? 1 : lia_holds(b, rc, c->v[k].m.id, now, &had);
		if (held < 0)
			return -1;
		if (held == 1)
			got |= UINT64_C(1) << k;
	}
	/* What a held message names is had with it: to a fixed point, the
	 * graph being small and a message named from two places. */
	for (bool more = got != 0; more;) {
		more = false;
		for (size_t k = 0; k < c->n; k++)
			for (size_t j = 0; (got >> k & 1) && j < c->v[k].n_quotes; j++)
				if (!(got >> c->v[k].quotes[j] & 1)) {
					got |= UINT64_C(1) << c->v[k].quotes[j];
					more = true;
				}
	}
	*free_of = got;
	return 0;
}

int lia_quote_decide(struct lia_broker *b, const struct lia_quote_chain *c, size_t nc, bool *permit,
		     struct lia_decision *decs, int64_t at, int64_t now, size_t *permitted, size_t *first)
{
	_Static_assert(LIA_QUOTE_CHAIN_MAX <= 64, "a chain's entries are bits of a uint64_t");
	bool *keep = calloc(nc ? nc : 1, sizeof *keep);
	struct lia_decision *why = calloc(nc ? nc : 1, sizeof *why);
	size_t *by = calloc(nc ? nc : 1, sizeof *by);
	int rc = -1;
	if (keep == NULL || why == NULL || by == NULL)
		goto out;
	/* Every answer first, so that a store error changes nothing. */
	for (size_t i = 0; i < nc; i++) {
		keep[i] = permit[i];
		uint64_t free_of = 0;
		const struct lia_cert *cert = &b->cand[i].who->cert;
		if (keep[i] && chain_held(b, c, cert->subject, now, &free_of) != 0)
			goto out;
		for (size_t k = 0; keep[i] && k < c->n; k++) {
			if ((free_of >> k & 1) || c->v[k].replaced)
				continue;
			keep[i] = quoted_allows(b, &c->v[k], cert, at, &why[i]) == 1;
			by[i] = k;
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
