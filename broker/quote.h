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
 * and to everything X quotes in turn (the chain), down to the first of
 * them it holds: decided on that message's header on the onward path
 * with its consents, a DENY (H2 without consent, TLP:RED to someone not
 * named, an agreement of its originator that does not cover it...)
 * withholds it with that rule. So a forward of a forward is judged by
 * the original's rules too, and a consent to a forward (onward.c) lets
 * no one in whom the original's rules refuse. A chain deeper than
 * LIA_THREAD_DEPTH_MAX is refused (quote.depth). A verification
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

/* One message of a quote chain. */
struct lia_quoted {
	struct lia_store_message m;          /* as stored */
	struct lia_header h;                 /* its header, when readable */
	bool readable;                       /* false: erased, so only its holders may have what quotes it */
	const struct lia_cert *originator;   /* NULL: no longer in the directory */
	struct lia_consent *cons;            /* its granted consents */
	size_t n_cons;
};

/* What a message quotes: v[0] the message it names, v[1] what that one
 * names, and so on, at most LIA_THREAD_DEPTH_MAX (a verification answer
 * ends the chain: it names its request, it does not quote it). */
struct lia_quote_chain {
	struct lia_quoted *v;
	size_t n;
	/* v[0] is the message a correction replaces: holding it lets a
	 * candidate through, its own rules are not asked (its originator,
	 * or the agency, rewrites it), what it quotes is. */
	bool replaces;
};

void lia_quote_chain_free(struct lia_quote_chain *c);

/* Does h quote a message this module judges? */
bool lia_quote_applies(const struct lia_header *h);

/* The quoted messages of h from sender, checked, in *c (free it with
 * lia_quote_chain_free either way). 0, or -1 with *code, rule (""
 * when the broker could not look) and why. */
int lia_quote_check(struct lia_broker *b, const struct lia_cert *sender, const struct lia_header *h,
		    struct lia_quote_chain *c, enum lia_refusal *code, char rule[static LIA_RULE_ID_MAX],
		    char why[static LIA_DETAIL_MAX]) __attribute__((warn_unused_result));

/* The chain that starts at message id (a stored message itself, with
 * all it quotes), unchecked. 0, or -1 when the store could not be read
 * (free *c either way). */
int lia_quote_chain_load(struct lia_broker *b, const uint8_t id[static LIA_ID_BYTES], struct lia_quote_chain *c)
	__attribute__((warn_unused_result));

/* After lia_cand_decide() of b->cand[0..nc): each candidate permitted
 * is held to every message of the chain down to the first it holds (a
 * holder has its content already): decided on that message's header on
 * the onward path with its consents, as of at, a DENY withholds it with
 * that decision. *permitted is how many remain; *first the first
 * candidate the chain withheld, nc when none. 0, or -1 when the store
 * could not say who holds what (nothing is decided then). */
int lia_quote_decide(struct lia_broker *b, const struct lia_quote_chain *c, size_t nc, bool *permit,
		     struct lia_decision *decs, int64_t at, size_t *permitted, size_t *first)
	__attribute__((warn_unused_result));

#endif
