/* quote.c — see quote.h. */
#include "quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "combine.h"
#include "marking_combine.h"
#include "turn.h"
#include "util.h"

bool lia_quote_applies(const struct lia_header *h)
{
	return h->has_in_reply_to && h->kind != LIA_KIND_VERIFICATION_ANSWER;
}

/* Does subject hold message m: its originator, or delivered to it? */
static int holds(struct lia_broker *b, const struct lia_store_message *m, const char *subject, int64_t now)
{
	if (strcmp(m->originator, subject) == 0)
		return 1;
	struct lia_store_delivery d;
	return lia_store_delivery_of(b->store, subject, m->id, now, &d);
}

int lia_quote_check(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		    struct lia_quoted *q, enum lia_refusal *code, char rule[static LIA_RULE_ID_MAX],
		    char why[static LIA_DETAIL_MAX])
{
	memset(q, 0, sizeof *q);
	*code = LIA_REFUSAL_POLICY;
	rule[0] = '\0';
	char idh[2 * LIA_ID_BYTES + 1], err[LIA_ERR_MAX];
	lia_id_hex(idh, h->in_reply_to);
	int64_t now = lia_now();
	int found = lia_store_message_find(b->store, h->in_reply_to, &q->m);
	int held = found == 1 ? holds(b, &q->m, sender->subject, now) : 0;
	if (found < 0 || held < 0) {
		*code = LIA_REFUSAL_UNAVAILABLE;
		return lia_cand_refuse(rule, "", why, "the broker cannot read the quoted message now; publish again");
	}
	/* Never existed, not the sender's to see, erased, expired: all the
	 * same to the sender, who learns nothing of a message by quoting it. */
	const struct lia_envelope *e = held ? lia_envcache_get(b, q->m.seq) : NULL;
	if (!held || q->m.erased || (q->m.expires_at != 0 && q->m.expires_at <= now) || e == NULL)
		return lia_cand_refuse(rule, "quote.unknown", why,
				       "you hold no message %s to reply to or forward (in_reply_to); an "
				       "erased or expired one may no longer be quoted",
				       idh);
	q->h = lia_envelope_header(e);
	const struct lia_directory_entry *o = lia_directory_find(&b->dir, q->m.originator);
	q->originator = o != NULL ? &o->cert : NULL;
	/* Compared explicit to explicit: the implicit meanings of a marking
	 * shift with a new originator (combine.h). */
	struct lia_restrictions mine, theirs;
	lia_marking_explicit(&mine, b->policy, h);
	lia_marking_explicit(&theirs, b->policy, q->h);
	lia_restrictions_allow(&theirs, q->m.originator);
	if (lia_restrictions_cover(&mine, &theirs, err) != 0)
		return lia_cand_refuse(rule, "quote.marking", why,
				       "a message naming %s must carry at least its marking, but %s", idh, err);
	struct lia_consent_request *c = calloc(CONSENTS_PER_MESSAGE, sizeof *c);
	size_t n = 0;
	if (c == NULL || lia_store_consents_granted(b->store, q->m.seq, c, CONSENTS_PER_MESSAGE, &n) != 0) {
		free(c);
		*code = LIA_REFUSAL_UNAVAILABLE;
		return lia_cand_refuse(rule, "", why, "the broker cannot read the quoted message's consents now");
	}
	for (size_t i = 0; i < n; i++) {
		struct lia_consent *k = &q->cons[i];
		memcpy(k->message_id, c[i].message_id, LIA_ID_BYTES);
		memcpy(k->grantee, c[i].grantee, LIA_NAME_MAX);
		memcpy(k->requested_by, c[i].requested_by, LIA_NAME_MAX);
		memcpy(k->granted_by, c[i].originator, LIA_NAME_MAX);
		k->granted_at = c[i].answered_at;
	}
	q->n_cons = n;
	free(c);
	return 0;
}

size_t lia_quote_decide(struct lia_broker *b, const struct lia_quoted *q, size_t nc, bool *permit,
			struct lia_decision *decs, int64_t at, size_t *first)
{
	size_t permitted = 0;
	*first = nc;
	char idh[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idh, q->m.id);
	for (size_t i = 0; i < nc; i++) {
		if (!permit[i])
			continue;
		const struct lia_cert *rc = &b->cand[i].who->cert;
		int held = holds(b, &q->m, rc->subject, at);
		if (held == 1) {
			permitted++;
			continue;
		}
		struct lia_decision d;
		struct lia_decide_input in = {
			.header = q->h, .originator = q->originator, .recipient = rc, .crl = &b->dir.crl,
			.path = LIA_PATH_ONWARD, .consents = q->cons, .n_consents = q->n_cons, .now = at,
		};
		/* Its originator gone from the directory, nobody new may
		 * have what it wrote: the store error alike. */
		if (held == 0 && q->originator != NULL && lia_decide(&d, b->policy, &in) == LIA_PERMIT) {
			permitted++;
			continue;
		}
		if (held < 0 || q->originator == NULL) {
			memset(&d, 0, sizeof d);
			d.verdict = LIA_DENY;
			snprintf(d.reason, sizeof d.reason, "%s", held < 0 ? "the broker could not tell who holds it"
									   : "its originator is no longer in the directory");
		}
		permit[i] = false;
		decs[i] = d;
		char r[LIA_DECISION_REASON_MAX];
		snprintf(r, sizeof r, "quotes %s: ", idh);
		size_t used = strlen(r);
		snprintf(r + used, sizeof r - used, "%.*s", (int)(sizeof r - used - 1), d.reason);
		memcpy(decs[i].reason, r, sizeof r);
		if (*first == nc)
			*first = i;
	}
	return permitted;
}
