/* admit.c — see admit.h. */
#include "admit.h"
#include "verify.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "decide.h"

static enum lia_admit_verdict refuse(struct lia_admission *a, enum lia_refusal code,
				     const char *rule, const char *reason)
{
	a->refusal = code;
	snprintf(a->rule, sizeof a->rule, "%s", rule != NULL ? rule : "");
	snprintf(a->reason, sizeof a->reason, "%s", reason);
	return LIA_ADMIT_REFUSE;
}

/* The checks that need no store: who signed it, and is it intact. */
static enum lia_admit_verdict check_sender(struct lia_admission *a, const struct lia_admit_input *in)
{
	const struct lia_header *h = a->h;
	/* The originator is who the ZAP handler authenticated, not a field. */
	if (strcmp(h->originator, in->sender->subject) != 0 ||
	    memcmp(h->originator_sign_kid, in->sender->sign_kid, LIA_KEYID_BYTES) != 0)
		return refuse(a, LIA_REFUSAL_NOT_ORIGINATOR, NULL,
			      "the envelope is signed by another principal than this connection's");
	enum lia_env_status st = lia_envelope_verify(a->env, in->sender, in->crl);
	if (st != LIA_ENV_OK)
		return refuse(a, LIA_REFUSAL_VERIFICATION, NULL, lia_env_status_str(st));
	return LIA_ADMIT_ACCEPT;
}

/* A repeated id: the original's acknowledgement when it is the
 * sender's own. Another originator's id gets exactly the answer of a
 * forged publish (refusal, reason, no duplicate flag): an answer of its
 * own would tell a principal the policy may have refused that the
 * message exists (issue 10, item 3). */
static enum lia_admit_verdict check_duplicate(struct lia_admission *a, const struct lia_admit_input *in)
{
	int found = lia_store_message_find(in->store, a->h->id, &a->original);
	if (found < 0)
		return refuse(a, LIA_REFUSAL_UNAVAILABLE, NULL, "store error");
	if (found == 0)
		return LIA_ADMIT_ACCEPT;
	if (strcmp(a->original.originator, in->sender->subject) != 0) {
		memset(&a->original, 0, sizeof a->original);
		return refuse(a, LIA_REFUSAL_VERIFICATION, NULL, lia_env_status_str(LIA_ENV_BAD_SIGNATURE));
	}
	return LIA_ADMIT_DUPLICATE;
}

/* The exchange's limits: rate, clock, policy. */
static enum lia_admit_verdict check_limits(struct lia_admission *a, const struct lia_admit_input *in)
{
	const struct lia_policy *p = in->policy;
	const struct lia_header *h = a->h;
	char why[LIA_DETAIL_MAX];
	if (!lia_rate_allows(in->rate, p, LIA_LIMIT_PUBLISH, in->now)) {
		snprintf(why, sizeof why, "at most %u publications per hour for each principal",
			 p->publish_per_hour);
		return refuse(a, LIA_REFUSAL_RATE, NULL, why);
	}
	int64_t skew = p->skew_seconds;
	if (h->created_at < in->now - skew || h->created_at > in->now + skew) {
		snprintf(why, sizeof why, "created_at is %" PRId64 " s from the broker clock; at most %" PRId64,
			 h->created_at - in->now, skew);
		return refuse(a, LIA_REFUSAL_SKEW, NULL, why);
	}
	/* Where a request would go is the first thing its sender must hear
	 * about: before its marking is judged for an office that is not. */
	char rule[LIA_RULE_ID_MAX];
	if (lia_verif_no_office(p, h, rule, why) != 0)
		return refuse(a, LIA_REFUSAL_POLICY, rule, why);
	struct lia_decision dec;
	if (lia_admissible(&dec, p, h, in->sender, in->crl, in->now) != LIA_PERMIT)
		return refuse(a, LIA_REFUSAL_POLICY, lia_rule_id(dec.rule), dec.reason);
	return LIA_ADMIT_ACCEPT;
}

/* The wraps against the envelope's own signed restrictions: a wrap for
 * a principal of the directory whom the audience rule refuses is a
 * misbehaving agent's (an honest one never makes it, agent/publish.c),
 * and refused. Region membership is the policy's, which the agent cannot
 * know, so here, as there, a principal counts as inside the released
 * regions: a wrap the policy alone excludes is dropped at commit
 * (publish.c), not refused. Wraps for key ids outside the directory are
 * dropped there too. Costs wraps x directory key comparisons; an index by
 * box key id is not needed at the directory sizes of an exchange. */
static enum lia_admit_verdict check_wraps(struct lia_admission *a, const struct lia_admit_input *in)
{
	const struct lia_header *h = a->h;
	if (in->dir == NULL)
		return LIA_ADMIT_ACCEPT;
	const struct lia_audience aud = {&h->restrictions, h->restrictions.tlp,
					 h->restrictions.handling, in->sender->agency};
	for (size_t i = 0; i < lia_envelope_wrap_count(a->env); i++) {
		const uint8_t *kid = lia_envelope_wrap_kid(a->env, i);
		for (size_t k = 0; k < in->dir->n; k++) {
			const struct lia_cert *c = &in->dir->v[k].cert;
			/* A revoked or expired certificate receives nothing, and
			 * the agent wraps for none (agent/publish.c); its box key
			 * may be a valid principal's (an impostor revoked for
			 * carrying it), so it must not make an honest wrap look
			 * like an over-wrap. */
			if (memcmp(c->box_kid, kid, LIA_KEYID_BYTES) != 0 ||
			    strcmp(c->subject, in->sender->subject) == 0 ||
			    lia_cert_check(c, in->crl, in->now) != LIA_CERT_OK)
				continue;
			if (lia_audience_refusals(&aud, c, true) != 0) {
				char why[LIA_DETAIL_MAX];
				snprintf(why, sizeof why,
					 "the data key is wrapped for \"%s\", whom the message's own "
					 "restrictions exclude",
					 c->subject);
				return refuse(a, LIA_REFUSAL_POLICY, "envelope.over-wrapped", why);
			}
		}
	}
	return LIA_ADMIT_ACCEPT;
}

enum lia_admit_verdict lia_admit(struct lia_admission *a, const struct lia_admit_input *in,
				 const uint8_t *env, size_t len)
{
	memset(a, 0, sizeof *a);
	enum lia_env_status st = lia_envelope_decode(&a->env, env, len);
	if (st != LIA_ENV_OK) {
		lia_envelope_destroy(&a->env);
		return refuse(a, st == LIA_ENV_TOO_LARGE ? LIA_REFUSAL_TOO_LARGE : LIA_REFUSAL_MALFORMED,
			      NULL, lia_env_status_str(st));
	}
	a->h = lia_envelope_header(a->env);
	enum lia_admit_verdict v = check_sender(a, in);
	if (v == LIA_ADMIT_ACCEPT)
		v = check_duplicate(a, in);
	if (v == LIA_ADMIT_ACCEPT)
		v = check_limits(a, in);
	if (v == LIA_ADMIT_ACCEPT)
		v = check_wraps(a, in);
	return v;
}

void lia_admission_clear(struct lia_admission *a)
{
	lia_envelope_destroy(&a->env);
	a->h = NULL;
}
