/*
 * admit.h — publish admission: may this Publish enter the exchange at
 * all? The first stage of the publish pipeline (publish.h), before any
 * recipient is considered.
 *
 *     struct lia_admit_input in = {.policy = p, .crl = &dir.crl,
 *             .store = store, .sender = &session_cert,
 *             .rate = lia_rate_of(...), .now = now};
 *     struct lia_admission a;
 *     switch (lia_admit(&a, &in, envelope, envelope_len)) {
 *     case LIA_ADMIT_ACCEPT:    ...candidates, commit, then lia_rate_spend()
 *     case LIA_ADMIT_DUPLICATE: ...answer with a.original's acknowledgement
 *     case LIA_ADMIT_REFUSE:    ...PublishAck{refusal = a.refusal, a.rule, a.reason}
 *     }
 *     lia_admission_clear(&a);
 *
 * The checks run cheapest and least trusting first, and nothing needs
 * the store before the envelope is known to be the sender's: decode
 * (malformed, too large), originator (the envelope names the principal
 * this connection authenticated as), signature and certificate
 * (verification), then the duplicate-id lookup in the store (a repeated
 * id returns the original acknowledgement; another originator's id is
 * refused exactly as a forged publish is, VERIFICATION "originator
 * signature does not verify", so that it tells nothing of the message),
 * then the publish rate budget, the clock skew, the policy's
 * admissible(), and last the wraps: one for a principal of the directory
 * whom the envelope's own restrictions exclude is refused (POLICY, rule
 * envelope.over-wrapped, naming the principal).
 *
 * Pure: no write, no clock (the caller passes now), no log. In
 * particular the rate budget is only read here; the caller spends it
 * with lia_rate_spend() once the message is accepted and stored, so a
 * refused message never costs its sender a publication. Trusts the
 * sender certificate (ZAP authenticated it) and the policy; trusts
 * nothing in the envelope bytes. May call the envelope decoder and
 * verifier, policy's admissible() and the store's message lookup.
 */
#ifndef LIA_BROKER_ADMIT_H
#define LIA_BROKER_ADMIT_H

#include <stdint.h>

#include "directory.h"
#include "envelope.h"
#include "budget.h"
#include "policy.h"
#include "store.h"
#include "wire.h"

struct lia_admit_input {
	const struct lia_policy *policy;
	const struct lia_crl *crl;
	struct lia_store *store;        /* read only: the duplicate-id lookup */
	const struct lia_cert *sender;  /* as the ZAP handler authenticated it */
	const struct lia_directory *dir; /* whose wraps to judge; NULL: not judged */
	const struct lia_rate *rate;    /* the sender's publish budget (budget.h); NULL: none */
	int64_t now;
};

enum lia_admit_verdict {
	LIA_ADMIT_ACCEPT,    /* a.env, a.h are the message, verified */
	LIA_ADMIT_DUPLICATE, /* a.original is the sender's message stored under
			      * that id */
	LIA_ADMIT_REFUSE,    /* a.refusal, a.rule and a.reason say why */
};

struct lia_admission {
	struct lia_envelope *env;        /* owned; NULL when it did not decode */
	const struct lia_header *h;      /* borrowed from env; NULL likewise */
	enum lia_refusal refusal;        /* LIA_REFUSAL_NONE unless refused */
	char rule[LIA_RULE_ID_MAX];      /* the policy rule, "" when none */
	char reason[LIA_DETAIL_MAX];
	struct lia_store_message original; /* LIA_ADMIT_DUPLICATE only */
};

/* Admit the envelope bytes env[0..len) from in->sender; see above.
 * Always fills *a; release it with lia_admission_clear. */
enum lia_admit_verdict lia_admit(struct lia_admission *a, const struct lia_admit_input *in,
				 const uint8_t *env, size_t len);
/* Free the decoded envelope (a->env may have been taken: then NULL). */
void lia_admission_clear(struct lia_admission *a);

#endif
