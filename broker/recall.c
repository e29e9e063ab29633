/* recall.c — see recall.h. */
#include "recall.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "delivery.h"
#include "record.h"
#include "turn.h"
#include "util.h"

#define HOLDER_VIA "holder" /* the deliveries' via: reached for holding the original */

bool lia_recall_applies(const struct lia_header *h)
{
	return h->has_supersedes && h->kind != LIA_KIND_VERIFICATION_ANSWER;
}

static bool verification_kind(enum lia_kind k)
{
	return k == LIA_KIND_VERIFICATION_REQUEST || k == LIA_KIND_VERIFICATION_ANSWER;
}

/* May sender supersede a message by originator? Its originator may; a
 * liaison officer of its agency may when the policy says so. */
static bool may_supersede(const struct lia_broker *b, const struct lia_cert *sender, const char *originator)
{
	if (strcmp(sender->subject, originator) == 0)
		return true;
	return b->policy->recall_liaison && lia_cert_has_role(sender, LIA_ROLE_LIAISON) &&
	       lia_subject_in_agency(originator, sender->agency);
}

static void add(struct lia_broker *b, size_t *nc, const struct lia_directory_entry *e, const char *via)
{
	for (size_t i = 0; i < *nc; i++)
		if (b->cand[i].who == e)
			return;
	if (*nc >= CANDIDATES_MAX)
		return;
	b->cand[*nc].who = e;
	snprintf(b->cand[*nc].via, sizeof b->cand[*nc].via, "%s", via);
	(*nc)++;
}

/* The checks on the original, in the order a sender can act on them. */
static int check_original(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
			  const struct lia_store_message *orig, int found, int64_t now,
			  char rule[static LIA_RULE_ID_MAX], char why[static LIA_DETAIL_MAX])
{
	const char *what = h->kind == LIA_KIND_RECALL ? "recall" : "correct";
	char idh[2 * LIA_ID_BYTES + 1], ts[32];
	lia_id_hex(idh, h->supersedes);
	/* The same words whether the message does not exist or is another's
	 * to supersede: nobody learns of a message by recalling it. */
	if (found == 0 || !may_supersede(b, sender, orig->originator))
		return lia_cand_refuse(rule, "recall.not-yours", why,
				       "you may not %s %s: no message of yours%s has that id", what, idh,
				       b->policy->recall_liaison && lia_cert_has_role(sender, LIA_ROLE_LIAISON)
					       ? " or your agency's"
					       : "");
	if (verification_kind(orig->kind) || verification_kind(h->kind))
		return lia_cand_refuse(rule, "recall.verification", why,
				       "%s is a verification %s: a request is withdrawn with 'liaison erase', "
				       "an answer corrected with 'liaison verification answer'",
				       idh, orig->kind == LIA_KIND_VERIFICATION_ANSWER ? "answer" : "request");
	if (orig->kind == LIA_KIND_RECALL)
		return lia_cand_refuse(rule, "recall.of-recall", why,
				       "%s is itself a recall: a recall is neither recalled nor corrected", idh);
	struct lia_supersession was;
	int rc = lia_store_superseded(b->store, orig->seq, &was);
	if (rc < 0)
		return lia_cand_refuse(rule, "", why, "the broker cannot read the message now; publish again");
	if (rc == 1) {
		char by[2 * LIA_ID_BYTES + 1];
		lia_id_hex(by, was.by);
		lia_time_format(was.at, ts);
		return lia_cand_refuse(rule, "recall.superseded", why,
				       was.recall ? "%s was recalled at %s by %s (recall %s): nothing more to %s"
						  : "%s was corrected at %s by %s (correction %s): %s that one instead",
				       idh, ts, was.actor, by, what);
	}
	if (h->restrictions.embargo_until != 0)
		return lia_cand_refuse(rule, "recall.embargo", why,
				       "a recall or correction takes effect at once: leave out the embargo");
	/* Nobody has an embargoed original yet: a recall withdraws it
	 * before its release (lia_recall_commit); a correction would reach
	 * its holders before the original does. */
	if (orig->embargo_until > now && h->kind != LIA_KIND_RECALL) {
		if (orig->erased)
			return lia_cand_refuse(rule, "recall.embargoed", why,
					       "%s was withdrawn before its embargo ended and reached nobody: "
					       "publish a new message instead",
					       idh);
		lia_time_format(orig->embargo_until, ts);
		return lia_cand_refuse(rule, "recall.embargoed", why,
				       "%s is under embargo until %s and has reached nobody: recall it and "
				       "publish the corrected message instead",
				       idh, ts);
	}
	return 0;
}

int lia_recall_gather(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		      const struct lia_names *to, int64_t now, size_t *nc, struct lia_store_message *orig,
		      enum lia_refusal *code, char rule[static LIA_RULE_ID_MAX],
		      char why[static LIA_DETAIL_MAX])
{
	*nc = 0;
	*code = LIA_REFUSAL_POLICY;
	rule[0] = '\0';
	int found = lia_store_message_find(b->store, h->supersedes, orig);
	if (found < 0) {
		*code = LIA_REFUSAL_UNAVAILABLE;
		return lia_cand_refuse(rule, "", why, "the broker cannot read the message now; publish again");
	}
	if (check_original(b, sender, h, orig, found, now, rule, why) != 0) {
		if (rule[0] == '\0')
			*code = LIA_REFUSAL_UNAVAILABLE;
		return -1;
	}
	char(*holders)[LIA_NAME_MAX] = calloc(CANDIDATES_MAX + 1, sizeof *holders);
	size_t n = 0;
	if (holders == NULL || lia_store_holders(b->store, orig->seq, holders, CANDIDATES_MAX + 1, &n) != 0) {
		free(holders);
		*code = LIA_REFUSAL_UNAVAILABLE;
		return lia_cand_refuse(rule, "", why, "the broker cannot list who holds the message now");
	}
	/* An embargoed original has reached nobody: its waiting deliveries
	 * are withdrawn with it, and nobody learns of it. */
	if (orig->embargo_until > now)
		n = 0;
	/* Every holder is told, or none: never a recall that silently
	 * misses some (the originator, told of its agency's recall, counts). */
	bool tell_originator = strcmp(orig->originator, sender->subject) != 0;
	if (n + tell_originator > CANDIDATES_MAX) {
		free(holders);
		*code = LIA_REFUSAL_UNAVAILABLE;
		return lia_cand_refuse(rule, "", why,
				       "the message has %zu holders to tell, more than the %d one recall can "
				       "reach; erase it instead",
				       n + tell_originator, CANDIDATES_MAX);
	}
	/* The originator learns of a recall its agency made for it. */
	const struct lia_directory_entry *e;
	if (tell_originator && (e = lia_directory_find(&b->dir, orig->originator)) != NULL)
		add(b, nc, e, HOLDER_VIA);
	/* A holder no longer in the directory cannot be reached: it holds
	 * no certificate the broker would send to. */
	for (size_t i = 0; i < n; i++)
		if (strcmp(holders[i], sender->subject) != 0 &&
		    (e = lia_directory_find(&b->dir, holders[i])) != NULL)
			add(b, nc, e, HOLDER_VIA);
	free(holders);
	if (h->kind == LIA_KIND_RECALL) {
		/* A recall goes to the holders only. */
		for (size_t i = 0; i < to->n; i++) {
			size_t j = 0;
			while (j < *nc && strcmp(b->cand[j].who->cert.subject, to->v[i]) != 0)
				j++;
			if (j == *nc) {
				*nc = 0;
				return lia_cand_refuse(rule, "recall.to", why,
						       "\"%s\" did not receive the message: a recall goes to its "
						       "holders only; leave out other addressees",
						       to->v[i]);
			}
		}
		return 0;
	}
	/* A correction also goes where a publish of it would. */
	size_t k = *nc, more = 0;
	if (lia_cand_gather(b->cand + k, CANDIDATES_MAX - k, &more, &b->dir, b->feeds, b->n_feeds, sender, h,
			    to, why) != 0) {
		*nc = 0;
		*code = LIA_REFUSAL_UNKNOWN_RECIPIENT;
		return -1;
	}
	for (size_t i = 0; i < more; i++) {
		struct lia_candidate c = b->cand[k + i];
		add(b, nc, c.who, c.via);
	}
	return 0;
}

int lia_recall_commit(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		      const struct lia_store_message *m, const struct lia_store_message *orig, int64_t now)
{
	char err[LIA_ERR_MAX], idh[2 * LIA_ID_BYTES + 1];
	bool recall = h->kind == LIA_KIND_RECALL;
	if (lia_store_supersede(b->store, orig->seq, m->seq, recall, now, sender->subject, err) != 0) {
		lia_turn_abort(b, err);
		return -1;
	}
	struct lia_record r;
	lia_rec_init(b, &r, recall ? LIA_OP_RECALL : LIA_OP_CORRECTION);
	lia_rec_stored(&r, orig->id, orig->originator, orig->kind);
	lia_rec_party(&r.actor, sender);
	lia_id_hex(idh, h->id);
	snprintf(r.justification, sizeof r.justification, "%s by message %s: %u notified, %u withheld",
		 recall ? "recalled" : "corrected", idh, m->recipients, m->withheld);
	if (lia_rec_append(b, &r) != 0)
		return -1;
	/* Recalled before its release: withdrawn, never released. */
	if (recall && orig->embargo_until > now && !orig->erased) {
		snprintf(err, sizeof err, "recalled by message %s before its embargo ended: never released", idh);
		return lia_deliver_erase(b, orig, sender, err, now);
	}
	return 0;
}
