/* candidates.c — see candidates.h. */
#include "candidates.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "record.h"
#include "session.h"
#include "turn.h"
#include "decide.h"
#include "util.h"

/* Decide each candidate b->cand[0..nc) for the message with header h by
 * originator, on path with consents, as of decide_at. A permitted one
 * also needs its wrap in env, or it is withheld (rule envelope.no-wrap).
 * Fills permit[] and decs[]; returns how many were permitted. */
size_t lia_cand_decide(struct lia_broker *b, const struct lia_header *h,
				const struct lia_cert *originator, const struct lia_envelope *env,
				enum lia_path path, const struct lia_consent *cons, size_t n_cons,
				int64_t decide_at, size_t nc, bool *permit, struct lia_decision *decs)
{
	size_t permitted = 0;
	for (size_t i = 0; i < nc; i++) {
		const struct lia_cert *rc = &b->cand[i].who->cert;
		struct lia_decide_input in = {
			.header = h, .originator = originator, .recipient = rc, .crl = &b->dir.crl,
			.path = path, .consents = cons, .n_consents = n_cons, .now = decide_at,
		};
		permit[i] = lia_decide(&decs[i], b->policy, &in) == LIA_PERMIT;
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

/* One disclose or withhold record per decision, by actor, and a delivery
 * (via the candidate's feed, "direct" or "consent") for each permitted
 * one, inside the turn's transaction. The justification reads "via
 * LABEL: reason", LABEL the candidate's via unless label is given, with
 * the embargo's end when embargo_until is set. *ledger_to becomes one
 * past the last record appended. 0, or -1 with the turn aborted. */
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
