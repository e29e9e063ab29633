/* candidates.c — see candidates.h. */
#include "candidates.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "record.h"
#include "session.h"
#include "turn.h"
#include "decide.h"
#include "util.h"

int lia_cand_refuse(char rule[static LIA_RULE_ID_MAX], const char *id, char why[static LIA_DETAIL_MAX],
		    const char *fmt, ...)
{
	snprintf(rule, LIA_RULE_ID_MAX, "%s", id);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, LIA_DETAIL_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

static bool seen(const struct lia_candidate *c, size_t n, const char *subject)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].who->cert.subject, subject) == 0)
			return true;
	return false;
}

int lia_cand_gather(struct lia_candidate *out, size_t max, size_t *n, const struct lia_directory *dir,
		    const struct lia_store_feed *feeds, size_t n_feeds, const struct lia_cert *sender,
		    const struct lia_header *h, const struct lia_names *to, char why[static LIA_DETAIL_MAX])
{
	size_t nc = 0;
	for (size_t i = 0; i < to->n && nc < max; i++) {
		const struct lia_directory_entry *who = lia_directory_find(dir, to->v[i]);
		if (who == NULL) {
			snprintf(why, LIA_DETAIL_MAX, "\"%s\" is not in the directory", to->v[i]);
			*n = 0;
			return -1;
		}
		if (strcmp(who->cert.subject, sender->subject) == 0 || seen(out, nc, who->cert.subject))
			continue;
		out[nc].who = who;
		memcpy(out[nc].via, "direct", 7);
		nc++;
	}
	for (size_t i = 0; i < n_feeds && nc < max; i++) {
		const struct lia_store_feed *fd = &feeds[i];
		if (strcmp(fd->subscriber, sender->subject) == 0 || seen(out, nc, fd->subscriber) ||
		    !lia_feed_filter_match(&fd->filter, h))
			continue;
		const struct lia_directory_entry *who = lia_directory_find(dir, fd->subscriber);
		if (who == NULL)
			continue;
		out[nc].who = who;
		memcpy(out[nc].via, fd->name, LIA_FEED_NAME_MAX);
		nc++;
	}
	*n = nc;
	return 0;
}

size_t lia_cand_decide(const struct lia_policy *p, const struct lia_crl *crl,
		       const struct lia_candidate *cand, size_t nc, const struct lia_header *h,
		       const struct lia_cert *originator, const struct lia_envelope *env,
		       enum lia_path path, const struct lia_consent *cons, size_t n_cons,
		       int64_t decide_at, bool *permit, struct lia_decision *decs)
{
	size_t permitted = 0;
	for (size_t i = 0; i < nc; i++) {
		const struct lia_cert *rc = &cand[i].who->cert;
		struct lia_decide_input in = {
			.header = h, .originator = originator, .recipient = rc, .crl = crl,
			.path = path, .consents = cons, .n_consents = n_cons, .now = decide_at,
		};
		permit[i] = lia_decide(&decs[i], p, &in) == LIA_PERMIT;
		if (permit[i] && !lia_envelope_has_wrap(env, rc->box_kid)) {
			permit[i] = false;
			decs[i].verdict = LIA_DENY;
			decs[i].rule = LIA_RULE_NONE;
			snprintf(decs[i].reason, sizeof decs[i].reason,
				 "permitted, but the originator did not wrap the data key for this recipient");
		}
		if (permit[i])
			permitted++;
	}
	return permitted;
}

int lia_cand_record(struct lia_broker *b, const struct lia_header *h,
			    const struct lia_cert *actor, uint64_t message_seq, int64_t embargo_until,
			    const char *label, size_t nc, const bool *permit,
			    const struct lia_decision *decs, uint64_t *ledger_to)
{
	char err[LIA_ERR_MAX];
	for (size_t i = 0; i < nc; i++) {
		const struct lia_cert *rc = &b->cand[i].who->cert;
		const char *via = label != NULL ? label : b->cand[i].via;
		struct lia_record r;
		lia_rec_init(b, &r, permit[i] ? LIA_OP_DISCLOSE : LIA_OP_WITHHOLD);
		lia_rec_message(&r, h);
		lia_rec_party(&r.actor, actor);
		lia_rec_party(&r.recipient, rc);
		r.decision = permit[i] ? LIA_RECORD_PERMIT : LIA_RECORD_DENY;
		snprintf(r.rule, sizeof r.rule, "%s",
			 decs[i].rule == LIA_RULE_NONE ? "envelope.no-wrap" : lia_rule_id(decs[i].rule));
		if (embargo_until != 0 && permit[i]) {
			char ts[32];
			lia_time_format(embargo_until, ts);
			snprintf(r.justification, sizeof r.justification, "via %s (embargoed until %s): %s", via,
				 ts, decs[i].reason);
		} else {
			snprintf(r.justification, sizeof r.justification, "via %s: %s", via, decs[i].reason);
		}
		if (lia_rec_append(b, &r) != 0)
			return -1;
		*ledger_to = r.seq + 1;
		if (permit[i]) {
			uint64_t dseq;
			if (lia_store_delivery_add(b->store, message_seq, rc->subject, b->cand[i].via, &dseq,
						   err) != 0) {
				lia_blog("store-error", "%s", err);
				lia_turn_abort(b, "a delivery could not be stored");
				return -1;
			}
			lia_session_mark_pending(b, rc->subject);
		}
	}
	return 0;
}

void lia_cand_consent(struct lia_consent *k, const struct lia_consent_request *c, int64_t granted_at)
{
	memcpy(k->message_id, c->message_id, LIA_ID_BYTES);
	memcpy(k->grantee, c->grantee, LIA_NAME_MAX);
	memcpy(k->requested_by, c->requested_by, LIA_NAME_MAX);
	memcpy(k->granted_by, c->originator, LIA_NAME_MAX);
	k->granted_at = granted_at;
}

int lia_cand_consents(struct lia_broker *b, uint64_t message_seq, struct lia_consent **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct lia_consent_request *c = calloc(CONSENTS_PER_MESSAGE, sizeof *c);
	size_t got = 0;
	if (c == NULL || lia_store_consents_granted(b->store, message_seq, c, CONSENTS_PER_MESSAGE, &got) != 0) {
		free(c);
		return -1;
	}
	if (got > 0 && (*out = calloc(got, sizeof **out)) == NULL) {
		free(c);
		return -1;
	}
	for (size_t i = 0; i < got; i++)
		lia_cand_consent(&(*out)[i], &c[i], c[i].answered_at);
	*n = got;
	free(c);
	return 0;
}
