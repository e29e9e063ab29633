/*
 * recall.h — recall and correction at the broker: who may supersede a
 * message, who the recall or correction goes to, and what is kept and
 * recorded of it (docs/protocol.md "Recall and correction").
 *
 * A recall is a publish of kind recall, a correction a publish of any
 * other kind but the verification ones; each names the original in
 * header.supersedes. Only the original's originator may send it (or,
 * with the policy's recall.liaison_officers, a liaison officer of the
 * originator's agency); a message is superseded once. It goes to every
 * principal that received the original (from the delivery records:
 * feed matches, addressees, consent grantees alike), and to the
 * originator when another sent it; a correction also goes where any
 * publish would. Each candidate is then decided and recorded like any
 * publish, and delivered durably until acknowledged: the recipient's
 * acknowledgement is its confirmation, recorded.
 *
 * Owns nothing in memory. Trusts the session and the verified header.
 * May call the store, the policy, the candidates and record modules.
 * Errors: gather -1 with the refusal, its rule and reason; commit -1
 * aborted the turn.
 */
#ifndef LIA_BROKER_RECALL_H
#define LIA_BROKER_RECALL_H

#include "broker_int.h"

/* Does publish h supersede a message this module handles (a recall or
 * a correction; a verification answer's correction is verify.h's)? */
bool lia_recall_applies(const struct lia_header *h);

/* The candidates of recall or correction h from sender, in
 * b->cand[0..*nc), and the original in *orig, as of now (the
 * publish's clock, which the commit uses too). 0, or -1 with *code,
 * rule (empty when the broker could not look) and why. */
int lia_recall_gather(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		      const struct lia_names *to, int64_t now, size_t *nc, struct lia_store_message *orig,
		      enum lia_refusal *code, char rule[static LIA_RULE_ID_MAX],
		      char why[static LIA_DETAIL_MAX]) __attribute__((warn_unused_result));

/* After the publication of h (message m) by sender is recorded, inside
 * the turn: the original marked superseded by m and its recall or
 * correction record. 0, or -1 with the turn aborted. */
int lia_recall_commit(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		      const struct lia_store_message *m, const struct lia_store_message *orig, int64_t now)
	__attribute__((warn_unused_result));

#endif
