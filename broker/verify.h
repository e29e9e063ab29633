/*
 * verify.h — document verification requests (Protocol Art. 13) at the
 * broker: where a request goes, who may answer it, its deadline by the
 * broker's clock, reminders and the overdue record, and the lists each
 * side sees (docs/protocol.md "Document verification").
 *
 * A request is a publish of kind verification-request: its candidates
 * are the principals of the office the policy names for the header's
 * issuing state, nobody else (no feed, no other addressee). An answer is
 * a publish of kind verification-answer naming the request in
 * in_reply_to: only the office may send it, to the requester alone; a
 * second answer is a correction and must name the answer it corrects in
 * supersedes. Both are then decided and recorded like any publish; a
 * request or answer that nobody may receive is refused whole.
 *
 * States (core/verification.h): open -> answered | overdue, overdue ->
 * answered (late); the state is in the store, so a restart changes
 * nothing but the clock. Owns nothing in memory. Trusts the session and
 * the verified header. May call the store, the policy, the record, turn
 * and session modules. Errors: gather returns -1 with the refusal's rule
 * and reason; commit -1 aborted the turn.
 */
#ifndef LIA_BROKER_VERIFY_H
#define LIA_BROKER_VERIFY_H

#include "broker_int.h"

/* Pure (for admission, admit.h): -1 with rule and why when h is a
 * verification request whose issuing state has no office in policy p;
 * else 0. */
int lia_verif_no_office(const struct lia_policy *p, const struct lia_header *h,
			char rule[static LIA_RULE_ID_MAX], char why[static LIA_DETAIL_MAX]);

/* The candidates of verification request or answer h from sender, in
 * b->cand[0..*nc); *req is, for an answer, its request, for a request,
 * its office (the rest of it is the commit's). 0, or -1 with
 * rule and why saying why it is refused (REFUSAL_POLICY). */
int lia_verif_gather(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		     const struct lia_names *to, size_t *nc, struct lia_verification *req,
		     char rule[static LIA_RULE_ID_MAX], char why[static LIA_DETAIL_MAX]);

/* After the publication of h (message m) by sender is recorded, inside
 * the turn: the request's row and verification-requested record, or the
 * answer's update of req and verification-answered record, with the
 * requester's notice queued. 0, or -1 with the turn aborted. */
int lia_verif_commit(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		     const struct lia_store_message *m, const struct lia_verification *req, int64_t now);

/* VerificationQuery: the requests s made or must answer (auditors: all). */
void lia_verif_query(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);

/* Once a second: reminders of deadlines that approach, and the overdue
 * record (once) of those that passed, each pushed to whoever is online. */
void lia_verif_tick(struct lia_broker *b, int64_t now);

/* A receiving session said Hello: the requests it must answer whose
 * deadline approaches or has passed, pushed after the Welcome. */
void lia_verif_hello(struct lia_broker *b, struct lia_session *s, int64_t now);

#endif
