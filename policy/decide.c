/*
 * decide.c — the disclosure decision and the publish-side admissibility
 * check, as ordered lists of rules (docs/policy.md, "Decision order").
 *
 * Shape of both functions: consult the rules in a fixed order, append
 * each to the trail, and stop at the first one that denies. The only
 * exception is the group of audience rules in lia_decide (release lists,
 * TLP, H1, H2): an originator's consent can lift those, so they are all
 * consulted, and a consent is looked for only when one of them denies.
 * Rules a consent can never lift (certificates, roles, time, H3 deny
 * lists, personal data, agreements) come first, so a consent is never
 * even considered for a recipient they exclude.
 *
 * Cost: every lookup is a binary search or a scan of a list of at most
 * LIA_LIST_MAX names; the reason is formatted once, for the deciding
 * rule. Nothing allocates.
 */
#include "decide.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "combine.h"
#include "util.h"

#define SECONDS_PER_DAY INT64_C(86400)
#define MIGRANT LIA_SUBJECT_BIT(LIA_SUBJECT_SMUGGLED_MIGRANT)

static const struct {
	const char *id;
	const char *summary;
} rules[LIA_RULE_COUNT] = {
	[LIA_RULE_INPUT_HEADER] = {"input.header", "the header is well-formed"},
	[LIA_RULE_RECIPIENT_BROKER] = {"recipient.broker", "brokers never receive content"},
	[LIA_RULE_RECIPIENT_AUDITOR] = {"recipient.auditor", "auditors never receive content"},
	[LIA_RULE_RECIPIENT_CERT] = {"recipient.cert",
				     "the recipient's certificate is valid now and not revoked"},
	[LIA_RULE_RECIPIENT_MEMBER] = {"recipient.member",
				       "the recipient's agency is a member of the exchange"},
	[LIA_RULE_ORIGINATOR_MATCH] = {"originator.match",
				       "the originator certificate is the header's signer"},
	[LIA_RULE_ORIGINATOR_CERT] = {"originator.cert",
				      "the originator's certificate was valid and unrevoked when the "
				      "message was created (at publish: is valid now)"},
	[LIA_RULE_ORIGINATOR_MEMBER] = {"originator.member",
					"the originator's agency is a member of the exchange"},
	[LIA_RULE_TIME_EMBARGO] = {"time.embargo", "nothing is disclosed before embargo_until"},
	[LIA_RULE_TIME_EXPIRY] = {"time.expiry", "nothing is disclosed once the message expired"},
	[LIA_RULE_ROLE_RECEIVE] = {"role.receive",
				   "the recipient holds a role that may receive this kind"},
	[LIA_RULE_H3_AGENCY] = {"h3.deny-agencies", "H3: never to the agencies listed"},
	[LIA_RULE_H3_COUNTRY] = {"h3.deny-countries",
				 "H3: never to agencies of the countries listed"},
	[LIA_RULE_H3_ROLE] = {"h3.allowed-roles", "H3: only to principals holding a role listed"},
	[LIA_RULE_PD_AGENCY] = {"pd.agency",
				"personal data only to agencies that may receive it"},
	[LIA_RULE_AGREEMENT_KIND] = {"agreement.kind",
				     "between two agencies, an agreement covers this kind"},
	[LIA_RULE_AGREEMENT_PD] = {"agreement.personal-data",
				   "personal data between two agencies needs an agreement that "
				   "allows it"},
	[LIA_RULE_RELEASE_AGENCY] = {"release.agencies", "only to the agencies named"},
	[LIA_RULE_RELEASE_PRINCIPAL] = {"release.principals", "only to the principals named"},
	[LIA_RULE_RELEASE_REGION] = {"release.regions", "only to members of the regions named"},
	[LIA_RULE_TLP_CLEAR] = {"tlp.clear", "TLP:CLEAR: no limit within the exchange"},
	[LIA_RULE_TLP_GREEN] = {"tlp.green.community", "TLP:GREEN: any member of the exchange"},
	[LIA_RULE_TLP_AMBER] = {"tlp.amber.addressed",
				"TLP:AMBER: only to the audience named, by default the "
				"originator's own agency"},
	[LIA_RULE_TLP_AMBER_STRICT] = {"tlp.amber-strict.agency",
				       "TLP:AMBER+STRICT: only to the agencies addressed, by "
				       "default the originator's own"},
	[LIA_RULE_TLP_RED] = {"tlp.red.named-only", "TLP:RED: only to the principals named"},
	[LIA_RULE_H1_JUDICIAL] = {"h1.judicial",
				  "H1: not to judicial authorities without the originator's consent"},
	[LIA_RULE_H2_ONWARD] = {"h2.onward",
				"H2: no onward dissemination without the originator's consent"},
	[LIA_RULE_CONSENT_PRINCIPAL] = {"consent.principal",
					"a consent for this principal lifts audience, H1 and H2 "
					"limits"},
	[LIA_RULE_CONSENT_AGENCY] = {"consent.agency",
				     "a consent for this agency lifts them, except TLP:RED"},
	[LIA_RULE_ROLE_PUBLISH] = {"role.publish",
				   "the originator holds a role that may publish this kind"},
	[LIA_RULE_TIME_SKEW] = {"time.skew", "created_at is within the skew window of now"},
	[LIA_RULE_EVALUATION] = {"evaluation.scheme",
				 "the evaluation uses the exchange's scheme, present if required"},
	[LIA_RULE_NAMES] = {"names.defined",
			    "every region, agency and principal named is defined in the policy"},
	[LIA_RULE_MARKING_H3] = {"marking.h3", "H3 carries text, and H3 fields only come with H3"},
	[LIA_RULE_MARKING_CONSISTENT] = {"marking.consistent",
					 "audience and deny lists do not contradict each other"},
	[LIA_RULE_PD_TLP] = {"pd.min-tlp", "personal data is marked at least personal_data.min_tlp"},
	[LIA_RULE_PROTECTED_TLP] = {"protected.min-tlp",
				    "smuggled-migrant data is marked at least "
				    "protected_persons.min_tlp"},
	[LIA_RULE_PROTECTED_HANDLING] = {"protected.handling",
					 "smuggled-migrant data carries protected_persons.handling"},
	[LIA_RULE_TIME_ORDER] = {"time.order",
				 "expiry after creation, embargo before expiry"},
	[LIA_RULE_RETENTION] = {"retention.ceiling",
				"expiry and H3 retention within the exchange's ceiling"},
	[LIA_RULE_PUBLISH_OK] = {"publish.admissible", "every publish-side rule passed"},
};

const char *lia_rule_id(enum lia_rule r)
{
	if ((int)r <= 0 || r >= LIA_RULE_COUNT)
		return NULL;
	return rules[r].id;
}

const char *lia_rule_summary(enum lia_rule r)
{
	if ((int)r <= 0 || r >= LIA_RULE_COUNT)
		return NULL;
	return rules[r].summary;
}

int lia_rule_parse(const char *id, enum lia_rule *out)
{
	for (int r = 1; r < LIA_RULE_COUNT; r++)
		if (strcmp(rules[r].id, id) == 0) {
			*out = (enum lia_rule)r;
			return 0;
		}
	return -1;
}

const char *lia_verdict_str(enum lia_verdict v)
{
	return v == LIA_PERMIT ? "PERMIT" : "DENY";
}

const char *lia_outcome_str(enum lia_outcome o)
{
	switch (o) {
	case LIA_OUTCOME_PASS:
		return "pass";
	case LIA_OUTCOME_DENY:
		return "deny";
	case LIA_OUTCOME_WAIVED:
		return "waived";
	}
	return NULL;
}

const char *lia_path_str(enum lia_path p)
{
	switch (p) {
	case LIA_PATH_DIRECT:
		return "direct";
	case LIA_PATH_ONWARD:
		return "onward";
	}
	return NULL;
}

/* --- the result --- */

static void begin(struct lia_decision *d)
{
	d->verdict = LIA_DENY;
	d->rule = LIA_RULE_NONE;
	d->reason[0] = '\0';
	d->n_trail = 0;
	d->tlp = 0;
	d->handling = 0;
	d->expires_at = 0;
}

static void step(struct lia_decision *d, enum lia_rule r, enum lia_outcome o)
{
	/* LIA_TRAIL_MAX exceeds the number of rules either function can
	 * consult in one call; running out would be a bug here. */
	assert(d->n_trail < LIA_TRAIL_MAX);
	d->trail[d->n_trail].rule = r;
	d->trail[d->n_trail].outcome = o;
	d->n_trail++;
}

static void vreason(char out[static LIA_DECISION_REASON_MAX], const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void vreason(char out[static LIA_DECISION_REASON_MAX], const char *fmt, va_list ap)
{
	int w = vsnprintf(out, LIA_DECISION_REASON_MAX, fmt, ap);
	if (w < 0)
		out[0] = '\0';
	else if (w >= LIA_DECISION_REASON_MAX)
		memcpy(out + LIA_DECISION_REASON_MAX - 4, "...", 4);
}

static void reason(char out[static LIA_DECISION_REASON_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reason(char out[static LIA_DECISION_REASON_MAX], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreason(out, fmt, ap);
	va_end(ap);
}

/* Append rule r to the trail as the deciding rule with this verdict. */
static enum lia_verdict conclude(struct lia_decision *d, enum lia_verdict v, enum lia_rule r,
				 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum lia_verdict conclude(struct lia_decision *d, enum lia_verdict v, enum lia_rule r,
				 const char *fmt, ...)
{
	step(d, r, v == LIA_PERMIT ? LIA_OUTCOME_PASS : LIA_OUTCOME_DENY);
	d->verdict = v;
	d->rule = r;
	va_list ap;
	va_start(ap, fmt);
	vreason(d->reason, fmt, ap);
	va_end(ap);
	return v;
}

#define DENY(d, r, ...) conclude((d), LIA_DENY, (r), __VA_ARGS__)
#define PASS(d, r) step((d), (r), LIA_OUTCOME_PASS)

/* --- shared checks --- */

static bool names_ok(const struct lia_names *l)
{
	return l->n <= LIA_LIST_MAX;
}

/* The struct came from the envelope decoder, which validated it; these
 * are the facts the code below relies on for memory safety and meaning,
 * checked again because a decision must never rest on an assumption. */
static const char *header_problem(const struct lia_header *h)
{
	const struct lia_restrictions *r = &h->restrictions;
	if (r->tlp < LIA_TLP_CLEAR || r->tlp > LIA_TLP_RED)
		return "TLP out of range";
	if (h->kind < 1 || h->kind > LIA_KIND_MAX)
		return "kind out of range";
	if (r->handling & ~(uint32_t)LIA_HANDLING_ALL)
		return "unknown handling code";
	if (h->subjects & ~(uint32_t)LIA_SUBJECT_ALL)
		return "unknown data-subject category";
	if (!names_ok(&h->regions) || !names_ok(&r->release_agencies) ||
	    !names_ok(&r->release_principals) || !names_ok(&r->release_regions) ||
	    !names_ok(&r->h3.deny_agencies) || !names_ok(&r->h3.deny_countries))
		return "list longer than its bound";
	if ((r->handling & LIA_HANDLING_H3) && r->h3.text[0] == '\0')
		return "H3 without its text";
	if (memchr(h->originator, '\0', sizeof h->originator) == NULL)
		return "originator name not terminated";
	return NULL;
}

static bool has_role_for(const struct lia_policy *p, uint32_t roles, enum lia_kind kind,
			 bool publish)
{
	for (int r = LIA_ROLE_LIAISON; r <= LIA_ROLE_BROKER; r++) {
		if (!(roles & LIA_ROLE_BIT(r)))
			continue;
		uint32_t kinds = publish ? p->roles[r].publish : p->roles[r].receive;
		if (kinds & LIA_KIND_BIT(kind))
			return true;
	}
	return false;
}

static void time_text(int64_t t, char out[static 32])
{
	lia_time_format(t, out);
}

/* --- lia_decide --- */

static bool consent_valid(const struct lia_consent *c, const struct lia_header *h,
			  const char *orig_agency, int64_t now)
{
	if (memchr(c->grantee, '\0', sizeof c->grantee) == NULL ||
	    memchr(c->granted_by, '\0', sizeof c->granted_by) == NULL ||
	    memchr(c->requested_by, '\0', sizeof c->requested_by) == NULL)
		return false;
	if (memcmp(c->message_id, h->id, LIA_ID_BYTES) != 0 || c->granted_at > now)
		return false;
	/* Only the originator's agency speaks for the originator, and
	 * nobody approves their own request or grants to themselves. */
	if (!lia_name_is_subject(c->granted_by) || !lia_subject_in_agency(c->granted_by, orig_agency))
		return false;
	return strcmp(c->granted_by, c->requested_by) != 0 &&
	       strcmp(c->granted_by, c->grantee) != 0;
}

/* The audience group: rules a consent can lift. */
struct audience {
	enum lia_rule first;      /* first rule that denied, or NONE */
	char why[LIA_DECISION_REASON_MAX];
	bool red;                 /* TLP:RED denied: only a principal consent lifts it */
	size_t trail_at[8];       /* trail positions of denying rules */
	size_t n_denied;
};

static void audience_deny(struct lia_decision *d, struct audience *a, enum lia_rule r,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void audience_deny(struct lia_decision *d, struct audience *a, enum lia_rule r,
			  const char *fmt, ...)
{
	assert(a->n_denied < sizeof a->trail_at / sizeof a->trail_at[0]);
	a->trail_at[a->n_denied++] = d->n_trail;
	step(d, r, LIA_OUTCOME_DENY);
	if (a->first != LIA_RULE_NONE)
		return;
	a->first = r;
	va_list ap;
	va_start(ap, fmt);
	vreason(a->why, fmt, ap);
	va_end(ap);
}

/* Consult the TLP rule for the effective TLP; returns the rule that
 * permits when it passes (for the reason of a PERMIT). */
static enum lia_rule tlp_rule(struct lia_decision *d, struct audience *a,
			      const struct lia_restrictions *r, enum lia_tlp tlp, bool refused,
			      const struct lia_cert *rc, const char *orig_agency)
{
	switch (tlp) {
	case LIA_TLP_CLEAR:
		PASS(d, LIA_RULE_TLP_CLEAR);
		return LIA_RULE_TLP_CLEAR;
	case LIA_TLP_GREEN:
		PASS(d, LIA_RULE_TLP_GREEN);
		return LIA_RULE_TLP_GREEN;
	case LIA_TLP_AMBER:
		if (!refused)
			PASS(d, LIA_RULE_TLP_AMBER);
		else
			audience_deny(d, a, LIA_RULE_TLP_AMBER,
				      "TLP:AMBER with no audience named stays within the "
				      "originator's agency %s; %s is another agency",
				      orig_agency, rc->agency);
		return LIA_RULE_TLP_AMBER;
	case LIA_TLP_AMBER_STRICT:
		if (!refused)
			PASS(d, LIA_RULE_TLP_AMBER_STRICT);
		else if (r->release_agencies.n == 0 && r->release_principals.n == 0)
			audience_deny(d, a, LIA_RULE_TLP_AMBER_STRICT,
				      "TLP:AMBER+STRICT with no agency named stays within the "
				      "originator's agency %s; %s is another agency",
				      orig_agency, rc->agency);
		else
			audience_deny(d, a, LIA_RULE_TLP_AMBER_STRICT,
				      "TLP:AMBER+STRICT is for the agencies addressed only, and %s is "
				      "not one of them",
				      rc->agency);
		return LIA_RULE_TLP_AMBER_STRICT;
	case LIA_TLP_RED:
		if (!refused) {
			PASS(d, LIA_RULE_TLP_RED);
		} else {
			a->red = true;
			audience_deny(d, a, LIA_RULE_TLP_RED,
				      "TLP:RED is for named principals only, and %s is not among "
				      "those named (%zu)",
				      rc->subject, r->release_principals.n);
		}
		return LIA_RULE_TLP_RED;
	}
	return LIA_RULE_NONE;
}

enum lia_verdict lia_decide(struct lia_decision *d, const struct lia_policy *p,
			    const struct lia_decide_input *in)
{
	assert(d != NULL && p != NULL && in != NULL && in->header != NULL &&
	       in->originator != NULL && in->recipient != NULL);
	assert(in->n_consents == 0 || in->consents != NULL);
	const struct lia_header *h = in->header;
	const struct lia_restrictions *r = &h->restrictions;
	const struct lia_cert *rc = in->recipient, *oc = in->originator;
	char t1[32];
	begin(d);

	const char *problem = header_problem(h);
	if (problem != NULL)
		return DENY(d, LIA_RULE_INPUT_HEADER, "the header is not well-formed: %s", problem);
	PASS(d, LIA_RULE_INPUT_HEADER);
	enum lia_tlp tlp = lia_policy_effective_tlp(p, h);
	uint32_t handling = lia_policy_effective_handling(p, h);
	int64_t expiry = lia_policy_expiry(p, h);
	d->tlp = tlp;
	d->handling = handling;
	d->expires_at = expiry;
	const struct lia_policy_agency *ra = lia_policy_agency(p, rc->agency);
	/* The marking's own rules (core/marking.h), consulted below in
	 * this function's order. The originator's agency is only compared
	 * by name, so the header's certificate may name it before it is
	 * shown to be a member. */
	const struct lia_audience aud = {r, tlp, handling, oc->agency};
	uint32_t no = lia_audience_refusals(
		&aud, rc, ra != NULL && lia_policy_in_regions(p, ra, &r->release_regions));

	/* Who the recipient is. */
	if (no & LIA_AUDIENCE_BROKER)
		return DENY(d, LIA_RULE_RECIPIENT_BROKER,
			    "%s is a broker, and brokers never receive content", rc->subject);
	PASS(d, LIA_RULE_RECIPIENT_BROKER);
	if (no & LIA_AUDIENCE_AUDITOR)
		return DENY(d, LIA_RULE_RECIPIENT_AUDITOR,
			    "%s holds the auditor role, and auditors never receive content",
			    rc->subject);
	PASS(d, LIA_RULE_RECIPIENT_AUDITOR);
	enum lia_cert_status st = lia_cert_check(rc, in->crl, in->now);
	if (st != LIA_CERT_OK) {
		const struct lia_crl_entry *rev =
			st == LIA_CERT_REVOKED ? lia_crl_find(in->crl, rc->serial) : NULL;
		time_text(rev != NULL ? rev->revoked_at
			  : st == LIA_CERT_NOT_YET_VALID ? rc->not_before : rc->not_after, t1);
		return DENY(d, LIA_RULE_RECIPIENT_CERT, "the certificate of %s (serial %llu) is %s (%s %s)",
			    rc->subject, (unsigned long long)rc->serial, lia_cert_status_str(st),
			    st == LIA_CERT_REVOKED ? "revoked at"
			    : st == LIA_CERT_NOT_YET_VALID ? "valid from" : "valid until",
			    t1);
	}
	PASS(d, LIA_RULE_RECIPIENT_CERT);
	if (ra == NULL)
		return DENY(d, LIA_RULE_RECIPIENT_MEMBER, "agency %s is not a member of exchange %s",
			    rc->agency, p->exchange);
	if (strcmp(ra->country, rc->country) != 0)
		return DENY(d, LIA_RULE_RECIPIENT_MEMBER,
			    "the certificate of %s names country %s, but the policy puts agency %s "
			    "in %s",
			    rc->subject, rc->country, ra->name, ra->country);
	PASS(d, LIA_RULE_RECIPIENT_MEMBER);

	/* Who the originator is. */
	if (strcmp(oc->subject, h->originator) != 0)
		return DENY(d, LIA_RULE_ORIGINATOR_MATCH,
			    "the header names originator %s, but the certificate given is %s's",
			    h->originator, oc->subject);
	if (oc->kind != LIA_CERT_PRINCIPAL)
		return DENY(d, LIA_RULE_ORIGINATOR_MATCH,
			    "%s holds a broker certificate, which never originates content",
			    oc->subject);
	PASS(d, LIA_RULE_ORIGINATOR_MATCH);
	/* Checked at creation, not now: a certificate that expires or is
	 * revoked later does not unsay what was validly signed before
	 * (DESIGN §2); the envelope's own verification agrees. */
	const struct lia_crl_entry *orev = in->crl != NULL ? lia_crl_find(in->crl, oc->serial) : NULL;
	if (h->created_at < oc->not_before || h->created_at >= oc->not_after)
		return DENY(d, LIA_RULE_ORIGINATOR_CERT,
			    "the certificate of %s was not valid when the message was created",
			    oc->subject);
	if (orev != NULL && orev->revoked_at <= h->created_at) {
		time_text(orev->revoked_at, t1);
		return DENY(d, LIA_RULE_ORIGINATOR_CERT,
			    "the certificate of %s was revoked at %s, before the message was created",
			    oc->subject, t1);
	}
	PASS(d, LIA_RULE_ORIGINATOR_CERT);
	int oi = lia_policy_agency_index(p, oc->agency);
	if (oi < 0)
		return DENY(d, LIA_RULE_ORIGINATOR_MEMBER, "agency %s is not a member of exchange %s",
			    oc->agency, p->exchange);
	PASS(d, LIA_RULE_ORIGINATOR_MEMBER);
	const char *orig_agency = p->agencies[oi].name;
	size_t ri = (size_t)(ra - p->agencies);

	/* Time. */
	if (r->embargo_until != 0 && in->now < r->embargo_until) {
		time_text(r->embargo_until, t1);
		return DENY(d, LIA_RULE_TIME_EMBARGO, "the message is under embargo until %s", t1);
	}
	PASS(d, LIA_RULE_TIME_EMBARGO);
	if (in->now >= expiry) {
		time_text(expiry, t1);
		return DENY(d, LIA_RULE_TIME_EXPIRY, "the message expired at %s", t1);
	}
	PASS(d, LIA_RULE_TIME_EXPIRY);

	/* What the recipient may see. */
	if (!has_role_for(p, rc->roles, h->kind, false))
		return DENY(d, LIA_RULE_ROLE_RECEIVE, "no role of %s may receive %s messages",
			    rc->subject, lia_kind_str(h->kind));
	PASS(d, LIA_RULE_ROLE_RECEIVE);
	if (handling & LIA_HANDLING_H3) {
		if (no & LIA_AUDIENCE_H3_AGENCY)
			return DENY(d, LIA_RULE_H3_AGENCY, "H3: the originator excluded agency %s",
				    rc->agency);
		PASS(d, LIA_RULE_H3_AGENCY);
		if (no & LIA_AUDIENCE_H3_COUNTRY)
			return DENY(d, LIA_RULE_H3_COUNTRY,
				    "H3: the originator excluded agencies of country %s", ra->country);
		PASS(d, LIA_RULE_H3_COUNTRY);
		if (no & LIA_AUDIENCE_H3_ROLE)
			return DENY(d, LIA_RULE_H3_ROLE,
				    "H3: the originator allows only some roles, and %s holds none of them",
				    rc->subject);
		PASS(d, LIA_RULE_H3_ROLE);
	}
	if (h->subjects != 0) {
		if (!ra->may_receive_personal_data)
			return DENY(d, LIA_RULE_PD_AGENCY,
				    "the message holds personal data, and agency %s may not receive "
				    "personal data",
				    ra->name);
		PASS(d, LIA_RULE_PD_AGENCY);
	}

	/* Agreements between the two agencies. */
	const struct lia_policy_agreement *via = NULL;
	if ((size_t)oi != ri) {
		uint32_t kbit = LIA_KIND_BIT(h->kind);
		const struct lia_policy_agreement *kind_only = NULL;
		for (size_t i = 0; i < p->n_agreements && via == NULL; i++) {
			const struct lia_policy_agreement *g = &p->agreements[i];
			if (!(g->kinds & kbit) || !lia_agency_set_has(&g->parties, (size_t)oi) ||
			    !lia_agency_set_has(&g->parties, ri))
				continue;
			if (h->subjects == 0 || g->personal_data)
				via = g;
			else if (kind_only == NULL)
				kind_only = g;
		}
		if (via == NULL && kind_only == NULL)
			return DENY(d, LIA_RULE_AGREEMENT_KIND,
				    "no agreement between %s and %s covers %s messages", orig_agency,
				    ra->name, lia_kind_str(h->kind));
		PASS(d, LIA_RULE_AGREEMENT_KIND);
		if (via == NULL)
			return DENY(d, LIA_RULE_AGREEMENT_PD,
				    "agreement %s between %s and %s does not let personal data flow",
				    kind_only->name, orig_agency, ra->name);
		if (h->subjects != 0)
			PASS(d, LIA_RULE_AGREEMENT_PD);
	} else {
		PASS(d, LIA_RULE_AGREEMENT_KIND);
	}

	/* The audience: rules a consent can lift. */
	struct audience a = {.first = LIA_RULE_NONE};
	enum lia_rule tlp_permits = tlp_rule(d, &a, r, tlp, (no & LIA_AUDIENCE_TLP) != 0, rc, orig_agency);
	if (r->release_agencies.n > 0) {
		if (!(no & LIA_AUDIENCE_RELEASE_AGENCY))
			PASS(d, LIA_RULE_RELEASE_AGENCY);
		else
			audience_deny(d, &a, LIA_RULE_RELEASE_AGENCY,
				      "the message is releasable only to the agencies named (%zu), "
				      "and %s is not one of them",
				      r->release_agencies.n, rc->agency);
	}
	if (r->release_principals.n > 0) {
		if (!(no & LIA_AUDIENCE_RELEASE_PRINCIPAL))
			PASS(d, LIA_RULE_RELEASE_PRINCIPAL);
		else
			audience_deny(d, &a, LIA_RULE_RELEASE_PRINCIPAL,
				      "the message is releasable only to the principals named (%zu), "
				      "and %s is not one of them",
				      r->release_principals.n, rc->subject);
	}
	if (r->release_regions.n > 0) {
		if (!(no & LIA_AUDIENCE_RELEASE_REGION))
			PASS(d, LIA_RULE_RELEASE_REGION);
		else
			audience_deny(d, &a, LIA_RULE_RELEASE_REGION,
				      "the message is releasable only to members of the regions "
				      "named (%zu), and %s is a member of none of them",
				      r->release_regions.n, ra->name);
	}
	if (handling & LIA_HANDLING_H1) {
		if (ra->judicial)
			audience_deny(d, &a, LIA_RULE_H1_JUDICIAL,
				      "H1: %s is a judicial authority, and the message may not be used "
				      "in judicial proceedings without the originator's consent",
				      ra->name);
		else
			PASS(d, LIA_RULE_H1_JUDICIAL);
	}
	if (handling & LIA_HANDLING_H2) {
		if (in->path == LIA_PATH_ONWARD)
			audience_deny(d, &a, LIA_RULE_H2_ONWARD,
				      "H2: the message may not be passed on to %s without the "
				      "originator's consent",
				      rc->subject);
		else
			PASS(d, LIA_RULE_H2_ONWARD);
	}

	if (a.first == LIA_RULE_NONE) {
		d->verdict = LIA_PERMIT;
		d->rule = tlp_permits;
		if (via != NULL)
			reason(d->reason, "TLP:%s permits %s, and agreement %s covers %s messages from %s",
			       lia_tlp_str(tlp), rc->subject, via->name, lia_kind_str(h->kind),
			       orig_agency);
		else
			reason(d->reason, "TLP:%s permits %s, within the originator's agency %s",
			       lia_tlp_str(tlp), rc->subject, orig_agency);
		return LIA_PERMIT;
	}

	/* Something in the audience group denied: a consent may lift it. A
	 * consent for the principal beats one for its agency, and TLP:RED
	 * accepts only the former. */
	const struct lia_consent *by_principal = NULL, *by_agency = NULL;
	for (size_t i = 0; i < in->n_consents; i++) {
		const struct lia_consent *c = &in->consents[i];
		/* Cheap tests first: most consents are for other messages or
		 * other recipients. */
		if (memcmp(c->message_id, h->id, LIA_ID_BYTES) != 0)
			continue;
		bool for_principal = strncmp(c->grantee, rc->subject, sizeof c->grantee) == 0;
		bool for_agency = !for_principal &&
				  strncmp(c->grantee, rc->agency, sizeof c->grantee) == 0;
		if ((!for_principal || by_principal != NULL) && (!for_agency || by_agency != NULL))
			continue;
		if (!consent_valid(c, h, orig_agency, in->now))
			continue;
		if (for_principal)
			by_principal = c;
		else
			by_agency = c;
	}
	const struct lia_consent *c = by_principal != NULL ? by_principal : a.red ? NULL : by_agency;
	enum lia_rule cr = by_principal != NULL ? LIA_RULE_CONSENT_PRINCIPAL : LIA_RULE_CONSENT_AGENCY;
	if (c == NULL) {
		step(d, by_agency != NULL ? LIA_RULE_CONSENT_AGENCY : LIA_RULE_CONSENT_PRINCIPAL,
		     LIA_OUTCOME_DENY);
		d->rule = a.first;
		if (by_agency != NULL)
			reason(d->reason, "%s; the consent for agency %s does not lift TLP:RED", a.why,
			       rc->agency);
		else
			memcpy(d->reason, a.why, sizeof d->reason);
		return LIA_DENY;
	}
	for (size_t i = 0; i < a.n_denied; i++)
		d->trail[a.trail_at[i]].outcome = LIA_OUTCOME_WAIVED;
	return conclude(d, LIA_PERMIT, cr, "%s granted consent for %s, lifting %s", c->granted_by,
			c->grantee, lia_rule_id(a.first));
}

/* --- lia_admissible --- */

static const char *evaluation_problem(const struct lia_policy *p, const struct lia_evaluation *e)
{
	if (e->scheme == LIA_EVAL_NONE)
		return p->eval_required ? "the exchange requires an evaluation, and there is none"
					: NULL;
	if (e->scheme != p->eval_scheme)
		return p->eval_scheme == LIA_EVAL_EUROPOL_4X4
			       ? "the exchange evaluates on the Europol 4x4 scheme"
			       : "the exchange evaluates on the Admiralty 6x6 scheme";
	if (e->scheme == LIA_EVAL_EUROPOL_4X4) {
		if (!(e->source == 'A' || e->source == 'B' || e->source == 'C' || e->source == 'X') ||
		    e->information < 1 || e->information > 4)
			return "the evaluation is out of range for 4x4 (source A, B, C or X; "
			       "information 1-4)";
	} else if (e->source < 'A' || e->source > 'F' || e->information < 1 || e->information > 6) {
		return "the evaluation is out of range for 6x6 (source A-F; information 1-6)";
	}
	return NULL;
}

/* The first name of kind what in l that fails defined(), or NULL. */
static const char *first_undefined_agency(const struct lia_policy *p, const struct lia_names *l,
					  bool principals)
{
	for (size_t i = 0; i < l->n; i++) {
		char agency[LIA_NAME_MAX];
		if (principals)
			lia_subject_agency(l->v[i], agency);
		if (lia_policy_agency_index(p, principals ? agency : l->v[i]) < 0)
			return l->v[i];
	}
	return NULL;
}

static const char *first_undefined_region(const struct lia_policy *p, const struct lia_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (lia_policy_region_index(p, l->v[i]) < 0)
			return l->v[i];
	return NULL;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

enum lia_verdict lia_admissible(struct lia_decision *d, const struct lia_policy *p,
				const struct lia_header *h, const struct lia_cert *oc,
				const struct lia_crl *crl, int64_t now)
{
	assert(d != NULL && p != NULL && h != NULL && oc != NULL);
	const struct lia_restrictions *r = &h->restrictions;
	char t1[32], t2[32];
	begin(d);

	const char *problem = header_problem(h);
	if (problem != NULL)
		return DENY(d, LIA_RULE_INPUT_HEADER, "the header is not well-formed: %s", problem);
	PASS(d, LIA_RULE_INPUT_HEADER);
	d->tlp = lia_policy_effective_tlp(p, h);
	d->handling = lia_policy_effective_handling(p, h);
	d->expires_at = lia_policy_expiry(p, h);

	if (strcmp(oc->subject, h->originator) != 0)
		return DENY(d, LIA_RULE_ORIGINATOR_MATCH,
			    "the header names originator %s, but the certificate given is %s's",
			    h->originator, oc->subject);
	PASS(d, LIA_RULE_ORIGINATOR_MATCH);
	enum lia_cert_status st = lia_cert_check(oc, crl, now);
	if (st != LIA_CERT_OK)
		return DENY(d, LIA_RULE_ORIGINATOR_CERT, "the certificate of %s (serial %llu) is %s",
			    oc->subject, (unsigned long long)oc->serial, lia_cert_status_str(st));
	PASS(d, LIA_RULE_ORIGINATOR_CERT);
	const struct lia_policy_agency *oa = lia_policy_agency(p, oc->agency);
	if (oa == NULL)
		return DENY(d, LIA_RULE_ORIGINATOR_MEMBER, "agency %s is not a member of exchange %s",
			    oc->agency, p->exchange);
	if (strcmp(oa->country, oc->country) != 0)
		return DENY(d, LIA_RULE_ORIGINATOR_MEMBER,
			    "the certificate of %s names country %s, but the policy puts agency %s "
			    "in %s",
			    oc->subject, oc->country, oa->name, oa->country);
	PASS(d, LIA_RULE_ORIGINATOR_MEMBER);
	if (oc->kind == LIA_CERT_BROKER || (oc->roles & LIA_ROLE_BIT(LIA_ROLE_BROKER)))
		return DENY(d, LIA_RULE_ROLE_PUBLISH, "%s is a broker, and brokers never publish content",
			    oc->subject);
	if (!has_role_for(p, oc->roles, h->kind, true))
		return DENY(d, LIA_RULE_ROLE_PUBLISH, "no role of %s may publish %s messages",
			    oc->subject, lia_kind_str(h->kind));
	PASS(d, LIA_RULE_ROLE_PUBLISH);
	if (h->created_at < sat_add(now, -p->skew_seconds) ||
	    h->created_at > sat_add(now, p->skew_seconds)) {
		time_text(h->created_at, t1);
		time_text(now, t2);
		return DENY(d, LIA_RULE_TIME_SKEW,
			    "created_at %s is more than %lld s away from the broker's time %s", t1,
			    (long long)p->skew_seconds, t2);
	}
	PASS(d, LIA_RULE_TIME_SKEW);
	if ((problem = evaluation_problem(p, &h->evaluation)) != NULL)
		return DENY(d, LIA_RULE_EVALUATION, "%s", problem);
	PASS(d, LIA_RULE_EVALUATION);

	const char *undef;
	if ((undef = first_undefined_region(p, &h->regions)) != NULL ||
	    (undef = first_undefined_region(p, &r->release_regions)) != NULL)
		return DENY(d, LIA_RULE_NAMES, "region %s is not defined in exchange %s", undef,
			    p->exchange);
	if ((undef = first_undefined_agency(p, &r->release_agencies, false)) != NULL ||
	    ((r->handling & LIA_HANDLING_H3) &&
	     (undef = first_undefined_agency(p, &r->h3.deny_agencies, false)) != NULL))
		return DENY(d, LIA_RULE_NAMES, "agency %s is not defined in exchange %s", undef,
			    p->exchange);
	if ((undef = first_undefined_agency(p, &r->release_principals, true)) != NULL)
		return DENY(d, LIA_RULE_NAMES,
			    "principal %s belongs to no agency of exchange %s", undef, p->exchange);
	PASS(d, LIA_RULE_NAMES);

	bool h3 = (r->handling & LIA_HANDLING_H3) != 0;
	bool h3_fields = r->h3.text[0] != '\0' || r->h3.deny_agencies.n > 0 ||
			 r->h3.deny_countries.n > 0 || r->h3.allowed_roles != 0 ||
			 r->h3.max_retention_days != 0;
	if (!h3 && h3_fields)
		return DENY(d, LIA_RULE_MARKING_H3,
			    "H3 conditions are given without handling code H3: ambiguous marking");
	PASS(d, LIA_RULE_MARKING_H3);
	char err[LIA_ERR_MAX];
	if (lia_marking_check(r, p, err) != 0)
		return DENY(d, LIA_RULE_MARKING_CONSISTENT, "%s", err);
	PASS(d, LIA_RULE_MARKING_CONSISTENT);

	if (h->subjects != 0) {
		if (r->tlp < p->pd_min_tlp)
			return DENY(d, LIA_RULE_PD_TLP,
				    "personal data must be marked at least TLP:%s, not TLP:%s",
				    lia_tlp_str(p->pd_min_tlp), lia_tlp_str(r->tlp));
		PASS(d, LIA_RULE_PD_TLP);
	}
	if (h->subjects & MIGRANT) {
		if (r->tlp < p->protected_min_tlp)
			return DENY(d, LIA_RULE_PROTECTED_TLP,
				    "data on smuggled migrants must be marked at least TLP:%s, not "
				    "TLP:%s",
				    lia_tlp_str(p->protected_min_tlp), lia_tlp_str(r->tlp));
		PASS(d, LIA_RULE_PROTECTED_TLP);
		uint32_t missing = p->protected_handling & ~r->handling;
		if (missing != 0)
			return DENY(d, LIA_RULE_PROTECTED_HANDLING,
				    "data on smuggled migrants must carry %s, which this marking lacks",
				    missing == (LIA_HANDLING_H1 | LIA_HANDLING_H2) ? "H1 and H2"
				    : missing == LIA_HANDLING_H1 ? "H1 (no use in judicial "
								   "proceedings without consent)"
								 : "H2 (no onward dissemination "
								   "without consent)");
		PASS(d, LIA_RULE_PROTECTED_HANDLING);
	}
	if (r->tlp == LIA_TLP_RED) {
		if (r->release_principals.n == 0)
			return DENY(d, LIA_RULE_TLP_RED,
				    "TLP:RED must name its recipients in release_principals");
		PASS(d, LIA_RULE_TLP_RED);
	}
	if (r->tlp == LIA_TLP_AMBER) {
		if (r->release_agencies.n == 0 && r->release_principals.n == 0 &&
		    r->release_regions.n == 0)
			return DENY(d, LIA_RULE_TLP_AMBER,
				    "TLP:AMBER must name its audience: release agencies, principals "
				    "or regions");
		PASS(d, LIA_RULE_TLP_AMBER);
	}

	uint32_t days = lia_policy_retention_days(p, h->kind, h->subjects);
	int64_t ceiling = sat_add(h->created_at, (int64_t)days * SECONDS_PER_DAY);
	if (r->expires_at != 0 && r->expires_at <= h->created_at)
		return DENY(d, LIA_RULE_TIME_ORDER, "expires_at is not after created_at");
	if (r->embargo_until != 0 && r->embargo_until >= d->expires_at) {
		time_text(r->embargo_until, t1);
		time_text(d->expires_at, t2);
		return DENY(d, LIA_RULE_TIME_ORDER,
			    "the embargo (until %s) does not end before the message expires (%s)", t1,
			    t2);
	}
	PASS(d, LIA_RULE_TIME_ORDER);
	if (r->expires_at != 0 && r->expires_at > ceiling) {
		time_text(ceiling, t1);
		return DENY(d, LIA_RULE_RETENTION,
			    "expires_at is later than the exchange allows for this message (%u "
			    "days, until %s)",
			    days, t1);
	}
	if (h3 && r->h3.max_retention_days > days)
		return DENY(d, LIA_RULE_RETENTION,
			    "H3 max_retention_days %u is longer than the exchange's %u days",
			    r->h3.max_retention_days, days);
	PASS(d, LIA_RULE_RETENTION);
	return conclude(d, LIA_PERMIT, LIA_RULE_PUBLISH_OK,
			"%s may publish this %s message under TLP:%s", oc->subject,
			lia_kind_str(h->kind), lia_tlp_str(d->tlp));
}
