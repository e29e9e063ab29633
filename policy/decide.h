/*
 * decide.h — may this message be disclosed to this recipient, and may
 * this originator publish it? (DESIGN §4, docs/policy.md)
 *
 * lia_decide() is the function the broker calls once for every candidate
 * recipient of every message; lia_admissible() is the publish-side check
 * it calls once per message at ingest, before any lia_decide(). Both are
 * pure: no I/O, no allocation, no clock (the caller passes now), no
 * state; the same inputs give the same answer on every machine. Both fail
 * closed: anything they cannot show to be allowed is denied.
 *
 * Each answer names the deciding rule by a short stable id
 * ("tlp.red.named-only") that the broker stores in the ledger, a reason
 * for people, and the trail of every rule consulted in order. The rule
 * ids, their order and their meaning are documented in docs/policy.md;
 * changing what an id means is a protocol change.
 *
 * Inputs are trusted to be validated structs (a struct lia_header from
 * the envelope decoder, struct lia_cert whose authority signature was
 * verified, consents whose signatures the broker verified). Inconsistent
 * values are still refused (rule input.header), never trusted.
 * Thread safety: reentrant; the policy is only read.
 */
#ifndef LIA_DECIDE_H
#define LIA_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "marking.h"
#include "policy.h"

enum lia_verdict {
	LIA_DENY = 0,
	LIA_PERMIT = 1,
};
const char *lia_verdict_str(enum lia_verdict v); /* "DENY", "PERMIT" */

/* Every rule, in the order lia_decide() and then lia_admissible() consult
 * them. lia_rule_id() gives the stable id, lia_rule_summary() one line. */
enum lia_rule {
	LIA_RULE_NONE = 0,
	LIA_RULE_INPUT_HEADER,         /* input.header */
	/* lia_decide */
	LIA_RULE_RECIPIENT_BROKER,     /* recipient.broker */
	LIA_RULE_RECIPIENT_AUDITOR,    /* recipient.auditor */
	LIA_RULE_RECIPIENT_CERT,       /* recipient.cert */
	LIA_RULE_RECIPIENT_MEMBER,     /* recipient.member */
	LIA_RULE_ORIGINATOR_MATCH,     /* originator.match */
	LIA_RULE_ORIGINATOR_CERT,      /* originator.cert */
	LIA_RULE_ORIGINATOR_MEMBER,    /* originator.member */
	LIA_RULE_TIME_EMBARGO,         /* time.embargo */
	LIA_RULE_TIME_EXPIRY,          /* time.expiry */
	LIA_RULE_ROLE_RECEIVE,         /* role.receive */
	LIA_RULE_H3_AGENCY,            /* h3.deny-agencies */
	LIA_RULE_H3_COUNTRY,           /* h3.deny-countries */
	LIA_RULE_H3_ROLE,              /* h3.allowed-roles */
	LIA_RULE_PD_AGENCY,            /* pd.agency */
	LIA_RULE_AGREEMENT_KIND,       /* agreement.kind */
	LIA_RULE_AGREEMENT_PD,         /* agreement.personal-data */
	LIA_RULE_TLP_CLEAR,            /* tlp.clear */
	LIA_RULE_TLP_GREEN,            /* tlp.green.community */
	LIA_RULE_TLP_AMBER,            /* tlp.amber.addressed */
	LIA_RULE_TLP_AMBER_STRICT,     /* tlp.amber-strict.agency */
	LIA_RULE_TLP_RED,              /* tlp.red.named-only */
	LIA_RULE_RELEASE_AGENCY,       /* release.agencies */
	LIA_RULE_RELEASE_PRINCIPAL,    /* release.principals */
	LIA_RULE_RELEASE_REGION,       /* release.regions */
	LIA_RULE_H1_JUDICIAL,          /* h1.judicial */
	LIA_RULE_H2_ONWARD,            /* h2.onward */
	LIA_RULE_CONSENT_PRINCIPAL,    /* consent.principal */
	LIA_RULE_CONSENT_AGENCY,       /* consent.agency */
	/* lia_admissible */
	LIA_RULE_ROLE_PUBLISH,         /* role.publish */
	LIA_RULE_TIME_SKEW,            /* time.skew */
	LIA_RULE_EVALUATION,           /* evaluation.scheme */
	LIA_RULE_NAMES,                /* names.defined */
	LIA_RULE_MARKING_H3,           /* marking.h3 */
	LIA_RULE_MARKING_CONSISTENT,   /* marking.consistent */
	LIA_RULE_PD_TLP,               /* pd.min-tlp */
	LIA_RULE_PROTECTED_TLP,        /* protected.min-tlp */
	LIA_RULE_PROTECTED_HANDLING,   /* protected.handling */
	LIA_RULE_TIME_ORDER,           /* time.order */
	LIA_RULE_RETENTION,            /* retention.ceiling */
	LIA_RULE_PUBLISH_OK,           /* publish.admissible */
	LIA_RULE_COUNT
};
const char *lia_rule_id(enum lia_rule r);      /* NULL outside the enum */
const char *lia_rule_summary(enum lia_rule r); /* NULL outside the enum */
/* The rule with this id; 0 and *out set, or -1. */
int lia_rule_parse(const char *id, enum lia_rule *out);

enum lia_outcome {
	LIA_OUTCOME_PASS = 1,   /* the rule allows it */
	LIA_OUTCOME_DENY = 2,   /* the rule forbids it */
	LIA_OUTCOME_WAIVED = 3, /* the rule forbids it, and a consent lifts that */
};
const char *lia_outcome_str(enum lia_outcome o); /* "pass", "deny", "waived" */

/* How the candidate reaches the message. DIRECT: the originator's own
 * publication reaches it (addressed, or through a feed). ONWARD: a
 * recipient asks to pass the message on (DESIGN §4 consent workflow). */
enum lia_path {
	LIA_PATH_DIRECT = 1,
	LIA_PATH_ONWARD = 2,
};
const char *lia_path_str(enum lia_path p); /* "direct", "onward" */

/* One consent for onward dissemination, as recorded by the broker after
 * it verified the originator agency's signature over it. grantee is a
 * principal subject ("RS-MUP/belgrade") or an agency ("RS-MUP"). */
struct lia_consent {
	uint8_t message_id[LIA_ID_BYTES];
	char grantee[LIA_NAME_MAX];
	char requested_by[LIA_NAME_MAX]; /* subject that asked */
	char granted_by[LIA_NAME_MAX];   /* subject that approved */
	int64_t granted_at;
};

struct lia_decide_input {
	const struct lia_header *header;
	const struct lia_cert *originator;  /* the certificate that signed header */
	const struct lia_cert *recipient;   /* the candidate */
	const struct lia_crl *crl;          /* NULL: nothing is revoked */
	enum lia_path path;
	const struct lia_consent *consents; /* those recorded for this message */
	size_t n_consents;
	int64_t now;
};

#define LIA_TRAIL_MAX 48
#define LIA_DECISION_REASON_MAX 256

struct lia_trail_entry {
	enum lia_rule rule;
	enum lia_outcome outcome;
};

struct lia_decision {
	enum lia_verdict verdict;
	enum lia_rule rule;                  /* the deciding rule */
	char reason[LIA_DECISION_REASON_MAX];
	size_t n_trail;
	struct lia_trail_entry trail[LIA_TRAIL_MAX]; /* rules consulted, in order */
	/* The marking as enforced: the originator's, raised to the exchange's
	 * floors for personal data and protected persons. */
	enum lia_tlp tlp;
	uint32_t handling;
	int64_t expires_at;                  /* lia_policy_expiry() */
};

/* Decide whether in->header may be disclosed to in->recipient at in->now.
 * Fills *out completely and returns out->verdict. The broker records
 * out->rule and out->reason with the policy hash. Costs well under a
 * microsecond (bench/bench_policy.c). */
enum lia_verdict lia_decide(struct lia_decision *out, const struct lia_policy *p,
			    const struct lia_decide_input *in);

/* Decide whether originator may publish h at now: the originator's
 * certificate and role, the marking's own consistency, and the rule that
 * originator restrictions only tighten the exchange's floors and
 * ceilings. crl may be NULL. Same result struct; PERMIT has rule
 * publish.admissible. */
enum lia_verdict lia_admissible(struct lia_decision *out, const struct lia_policy *p,
				const struct lia_header *h, const struct lia_cert *originator,
				const struct lia_crl *crl, int64_t now);

#endif
