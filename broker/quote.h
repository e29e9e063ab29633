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
 * every candidate the new message's own decision permits is held to X
 * and to everything X quotes or corrects in turn (the chain): decided on
 * each message's header on the onward path with its consents, a DENY (H2
 * without consent, TLP:RED to someone not named, an agreement of its
 * originator that does not cover it...) withholds it with that rule. A
 * candidate that holds a message the sender holds too needs nothing
 * further of it, nor of what it names; whether a candidate holds a
 * message the sender does not hold is never asked, so the outcome tells
 * the sender nothing of it. So a forward of a forward is judged by the
 * original's rules too, a correction by what the corrected message
 * quoted, and a consent to a forward or correction (onward.c) lets no one
 * in whom the original's rules refuse. A chain of more than
 * LIA_QUOTE_CHAIN_MAX messages is refused (quote.depth). A verification
 * answer's in_reply_to names its request and is verify.h's.
 *
 * Owns nothing beyond the call. Trusts the verified header. May call the
 * store, the policy, the envelope cache. Errors: check -1 with the
 * refusal, its rule and reason.
 */
#ifndef LIA_BROKER_QUOTE_H
#define LIA_BROKER_QUOTE_H

#include "broker_int.h"
#include "decide.h"
#include "thread.h"

#define LIA_QUOTE_CHAIN_MAX LIA_THREAD_DEPTH_MAX /* messages of one chain, at most */

/* One message of a quote chain. */
struct lia_quoted {
	struct lia_store_message m;          /* as stored */
	struct lia_header h;                 /* its signed header (kept after an erase) */
	bool readable;                       /* neither erased nor expired: its rules may let someone new in */
	bool replaced;                       /* reached as what a correction replaces: its own rules not asked */
	bool sender_holds;                   /* the sender holds it: so may its holders have it again */
	const struct lia_cert *originator;   /* NULL: no longer in the directory */
	struct lia_consent *cons;            /* its granted consents */
	size_t n_cons;
	uint8_t quotes[2];                   /* the entries it names (in_reply_to, supersedes) */
	uint8_t n_quotes;
};

/* What a message quotes, as a graph walked breadth first: the message
 * it names in in_reply_to and the one it corrects in supersedes (not a
 * recall's), what each of those names in turn, each message once. */
struct lia_quote_chain {
	struct lia_quoted *v;
	size_t n;
};

void lia_quote_chain_free(struct lia_quote_chain *c);

/* Does h quote a message this module judges (a verification answer's
 * in_reply_to is verify.h's)? */
bool lia_quote_applies(const struct lia_header *h);

/* The chain of what h (from sender) names, as of now, in *c (free it
 * either way). 0, 1 when it has more than LIA_QUOTE_CHAIN_MAX messages,
 * -1 when the store could not be read. */
int lia_quote_chain_of(struct lia_broker *b, const struct lia_header *h, const char *sender, int64_t now,
		       struct lia_quote_chain *c) __attribute__((warn_unused_result));

/* A reply or forward h from sender: its chain in *c (as _of) and the
 * quoted message checked. 0, or -1 with *code, rule ("" when the broker
 * could not look) and why. */
int lia_quote_check(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h, int64_t now,
		    struct lia_quote_chain *c, enum lia_refusal *code, char rule[static LIA_RULE_ID_MAX],
		    char why[static LIA_DETAIL_MAX]) __attribute__((warn_unused_result));

/* The earliest expiry of c's messages but the replaced ones, 0 none. */
int64_t lia_quote_expiry(const struct lia_quote_chain *c);

/* After lia_cand_decide() of b->cand[0..nc): each candidate permitted
 * is held to every message of the chain except those it may have for
 * holding something that quotes them: a message the sender holds and
 * the candidate holds too (its originator, or a recipient of it, as of
 * now) lets the candidate through with all it names. Each other message
 * but a replaced one decides it on its header on the onward path with
 * its consents, as of at; a DENY withholds it with that decision. A
 * message erased or expired, or whose originator left the directory,
 * lets nobody new in. *permitted is how many remain; *first the first
 * candidate the chain withheld, nc when none. 0, or -1 when the store
 * could not say who holds what (nothing is changed then). */
int lia_quote_decide(struct lia_broker *b, const struct lia_quote_chain *c, size_t nc, bool *permit,
		     struct lia_decision *decs, int64_t at, int64_t now, size_t *permitted, size_t *first)
	__attribute__((warn_unused_result));

#endif
