/*
 * quote.h — replies and forwards at the broker: a message that names
 * another in header.in_reply_to (a reply that quotes it, or a forward of
 * it) must carry at least that message's marking, and reaches no one the
 * quoted message's own rules would refuse (DESIGN §4, docs/policy.md §8,
 * docs/protocol.md "Replies and forwards").
 *
 * The quoted message X must be one the sender holds (its own, or
 * delivered to it) and not erased; anything else is refused in the same
 * words, so nobody learns of a message by quoting it. The new message's
 * explicit marking must cover X's (lia_restrictions_cover), X's
 * originator being always allowed; its expiry is capped at X's. Then
 * every candidate the new message's own decision permits, other than X's
 * originator and X's holders, is decided on X's header on the onward
 * path with X's consents: a DENY (H2 without consent, TLP:RED to someone
 * not named, an agreement of X's originator that does not cover it...)
 * withholds it with X's rule. A verification answer's in_reply_to names
 * its request and is verify.h's.
 *
 * Owns nothing beyond the call. Trusts the verified header. May call the
 * store, the policy, the envelope cache. Errors: check -1 with the
 * refusal, its rule and reason.
 */
#ifndef LIA_BROKER_QUOTE_H
#define LIA_BROKER_QUOTE_H

#include "broker_int.h"
#include "decide.h"

struct lia_quoted {
	struct lia_store_message m;          /* the quoted message as stored */
	const struct lia_header *h;          /* its header (envelope cache) */
	const struct lia_cert *originator;   /* its originator's certificate, NULL: not in the directory */
	struct lia_consent cons[CONSENTS_PER_MESSAGE];
	size_t n_cons;
};

/* Does h quote a message this module judges? */
bool lia_quote_applies(const struct lia_header *h);

/* The quoted message of h from sender, checked, in *q. 0, or -1 with
 * *code, rule ("" when the broker could not look) and why. */
int lia_quote_check(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		    struct lia_quoted *q, enum lia_refusal *code, char rule[static LIA_RULE_ID_MAX],
		    char why[static LIA_DETAIL_MAX]) __attribute__((warn_unused_result));

/* After lia_cand_decide() of b->cand[0..nc): each candidate permitted
 * that neither originated nor holds q's message is decided on it, as of
 * at; a DENY withholds it with that decision. Returns how many remain
 * permitted; *first is the first candidate the quoted message's rules
 * withheld, nc when none. */
size_t lia_quote_decide(struct lia_broker *b, const struct lia_quoted *q, size_t nc, bool *permit,
			struct lia_decision *decs, int64_t at, size_t *first);

#endif
