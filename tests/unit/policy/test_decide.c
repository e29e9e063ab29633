/*
 * lia_decide(): one row per situation — marking, originator, recipient,
 * policy, consents, path and time — and the decision and deciding rule
 * expected (docs/policy.md explains each rule). The policies are the
 * example exchange (EX) and a stricter variant (ALT, pfix.c); the
 * principals and the notation are in pfix.h. Times are seconds after
 * PFIX_T0, when every fixture message is created.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "pfix.h"
#include "util.h"

#define DAY PFIX_DAY
#define DIRECT LIA_PATH_DIRECT
#define ONWARD LIA_PATH_ONWARD
#define ROME "IT-PS/rome"

struct row {
	const char *name;
	enum pfix_policy policy;
	const char *orig;
	const char *rcpt;
	const char *marking;
	const char *consents;
	enum lia_path path;
	int64_t now; /* seconds after PFIX_T0 */
	enum lia_verdict want;
	const char *rule;
};

#define P(name, pol, orig, rcpt, marking, consents, path, now, rule) \
	{name, pol, orig, rcpt, marking, consents, path, now, LIA_PERMIT, rule}
#define D(name, pol, orig, rcpt, marking, consents, path, now, rule) \
	{name, pol, orig, rcpt, marking, consents, path, now, LIA_DENY, rule}

static const struct row rows[] = {
	/* --- every TLP level --- */
	P("clear to another member", PFIX_EX, ROME, "HR-MUP/zagreb", "CLEAR", NULL, DIRECT, 60,
	  "tlp.clear"),
	P("green to the community", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN", NULL, DIRECT, 60,
	  "tlp.green.community"),
	P("green to an agency without personal-data rights", PFIX_EX, ROME, "MT-AFM/valletta",
	  "GREEN", NULL, DIRECT, 60, "tlp.green.community"),
	P("green to a member by agency listing", PFIX_EX, ROME, "DE-BPOL/potsdam", "GREEN", NULL,
	  DIRECT, 60, "tlp.green.community"),
	P("green to the originator itself", PFIX_EX, ROME, ROME, "GREEN", NULL, DIRECT, 60,
	  "tlp.green.community"),
	D("amber naming no audience", PFIX_EX, ROME, "HR-MUP/zagreb", "AMBER", NULL, DIRECT, 60,
	  "tlp.amber.addressed"),
	P("amber naming no audience, own agency", PFIX_EX, ROME, "IT-PS/milano", "AMBER", NULL,
	  DIRECT, 60, "tlp.amber.addressed"),
	P("amber to a named agency", PFIX_EX, ROME, "HR-MUP/zagreb", "AMBER ra=HR-MUP", NULL,
	  DIRECT, 60, "tlp.amber.addressed"),
	D("amber to an agency not named", PFIX_EX, ROME, "RS-MUP/belgrade", "AMBER ra=HR-MUP", NULL,
	  DIRECT, 60, "release.agencies"),
	P("amber to a region, member by country", PFIX_EX, ROME, "RS-MUP/belgrade",
	  "AMBER rr=WESTERN-BALKANS", NULL, DIRECT, 60, "tlp.amber.addressed"),
	D("amber to a region, non-member", PFIX_EX, ROME, "GR-HCG/piraeus",
	  "AMBER rr=WESTERN-BALKANS", NULL, DIRECT, 60, "release.regions"),
	P("amber to a region, member by agency", PFIX_EX, ROME, "DE-BPOL/potsdam",
	  "AMBER rr=WESTERN-BALKANS", NULL, DIRECT, 60, "tlp.amber.addressed"),
	P("amber to two regions", PFIX_EX, ROME, "GR-HCG/piraeus",
	  "AMBER rr=MED-CENTRAL,MED-EASTERN", NULL, DIRECT, 60, "tlp.amber.addressed"),
	D("amber to an undefined region", PFIX_EX, ROME, "GR-HCG/piraeus", "AMBER rr=ATLANTIS",
	  NULL, DIRECT, 60, "release.regions"),
	P("amber to a named principal", PFIX_EX, ROME, "HR-MUP/zagreb", "AMBER rp=HR-MUP/zagreb",
	  NULL, DIRECT, 60, "tlp.amber.addressed"),
	D("amber to a colleague of the named principal", PFIX_EX, ROME, "HR-MUP/split",
	  "AMBER rp=HR-MUP/zagreb", NULL, DIRECT, 60, "release.principals"),
	P("amber+strict, nothing named, own agency", PFIX_EX, ROME, "IT-PS/milano", "AMBER+STRICT",
	  NULL, DIRECT, 60, "tlp.amber-strict.agency"),
	D("amber+strict, nothing named, same country other agency", PFIX_EX, ROME,
	  "IT-GDF/ventimiglia", "AMBER+STRICT", NULL, DIRECT, 60, "tlp.amber-strict.agency"),
	P("amber+strict inside the named agency", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "AMBER+STRICT ra=HR-MUP", NULL, DIRECT, 60, "tlp.amber-strict.agency"),
	D("amber+strict outside the named agency", PFIX_EX, ROME, "GR-HCG/piraeus",
	  "AMBER+STRICT ra=HR-MUP", NULL, DIRECT, 60, "tlp.amber-strict.agency"),
	D("amber+strict, own agency not named", PFIX_EX, ROME, "IT-PS/milano",
	  "AMBER+STRICT ra=HR-MUP", NULL, DIRECT, 60, "tlp.amber-strict.agency"),
	P("amber+strict addressed by principal", PFIX_EX, ROME, "RS-MUP/belgrade",
	  "AMBER+STRICT rp=RS-MUP/belgrade", NULL, DIRECT, 60, "tlp.amber-strict.agency"),
	D("amber+strict, agency addressed but principal not named", PFIX_EX, ROME,
	  "RS-MUP/novisad", "AMBER+STRICT rp=RS-MUP/belgrade", NULL, DIRECT, 60,
	  "release.principals"),
	P("amber+strict with a region only stays in own agency", PFIX_EX, ROME, "IT-PS/milano",
	  "AMBER+STRICT rr=MED-CENTRAL", NULL, DIRECT, 60, "tlp.amber-strict.agency"),
	D("amber+strict with a region only, other agency of it", PFIX_EX, ROME, "MT-AFM/valletta",
	  "AMBER+STRICT rr=MED-CENTRAL", NULL, DIRECT, 60, "tlp.amber-strict.agency"),
	P("red to a named principal", PFIX_EX, ROME, "RS-MUP/belgrade",
	  "RED rp=RS-MUP/belgrade,HR-MUP/zagreb kind=network", NULL, DIRECT, 60,
	  "tlp.red.named-only"),
	P("red to the other named principal", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "RED rp=RS-MUP/belgrade,HR-MUP/zagreb kind=network", NULL, DIRECT, 60,
	  "tlp.red.named-only"),
	D("red to a colleague of a named principal", PFIX_EX, ROME, "RS-MUP/novisad",
	  "RED rp=RS-MUP/belgrade,HR-MUP/zagreb kind=network", NULL, DIRECT, 60,
	  "tlp.red.named-only"),
	D("red to the originator's own agency", PFIX_EX, ROME, "IT-PS/milano",
	  "RED rp=RS-MUP/belgrade", NULL, DIRECT, 60, "tlp.red.named-only"),
	D("red naming nobody", PFIX_EX, ROME, "HR-MUP/zagreb", "RED", NULL, DIRECT, 60,
	  "tlp.red.named-only"),
	D("red: a consent for the agency does not lift it", PFIX_EX, ROME, "HR-MUP/split",
	  "RED rp=HR-MUP/zagreb", "HR-MUP@IT-PS/rome", DIRECT, 60, "tlp.red.named-only"),
	P("red: a consent for the principal lifts it", PFIX_EX, ROME, "HR-MUP/split",
	  "RED rp=HR-MUP/zagreb", "HR-MUP/split@IT-PS/rome", DIRECT, 60, "consent.principal"),
	P("red onward to a named principal", PFIX_EX, ROME, "HR-MUP/zagreb", "RED rp=HR-MUP/zagreb",
	  NULL, ONWARD, 60, "tlp.red.named-only"),

	/* --- handling codes --- */
	D("H1 to a judicial authority", PFIX_EX, ROME, "IT-DNAA/roma", "GREEN H1", NULL, DIRECT, 60,
	  "h1.judicial"),
	P("H1 to a judicial authority with its consent", PFIX_EX, ROME, "IT-DNAA/roma", "GREEN H1",
	  "IT-DNAA@IT-PS/rome", DIRECT, 60, "consent.agency"),
	P("H1 to a police agency", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN H1", NULL, DIRECT, 60,
	  "tlp.green.community"),
	P("no H1, judicial authority", PFIX_EX, ROME, "IT-DNAA/roma", "GREEN", NULL, DIRECT, 60,
	  "tlp.green.community"),
	P("H2 first-hand", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN H2", NULL, DIRECT, 60,
	  "tlp.green.community"),
	D("H2 onward without consent", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN H2", NULL, ONWARD, 60,
	  "h2.onward"),
	P("H2 onward with the principal's consent", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN H2",
	  "HR-MUP/zagreb@IT-PS/rome", ONWARD, 60, "consent.principal"),
	D("H2 onward, consent for another recipient only", PFIX_EX, ROME, "GR-HCG/piraeus",
	  "GREEN H2", "HR-MUP/zagreb@IT-PS/rome", ONWARD, 60, "h2.onward"),
	P("H2 onward with an agency consent", PFIX_EX, ROME, "GR-HCG/piraeus", "GREEN H2",
	  "HR-MUP/zagreb@IT-PS/rome,GR-HCG@IT-PS/rome", ONWARD, 60, "consent.agency"),
	P("no H2, onward within the audience", PFIX_EX, ROME, "GR-HCG/piraeus", "GREEN", NULL,
	  ONWARD, 60, "tlp.green.community"),
	D("clear with H2, onward", PFIX_EX, ROME, "GR-HCG/piraeus", "CLEAR H2", NULL, ONWARD, 60,
	  "h2.onward"),
	P("amber+strict onward to own agency without H2", PFIX_EX, ROME, "IT-PS/milano",
	  "AMBER+STRICT", NULL, ONWARD, 60, "tlp.amber-strict.agency"),
	D("H3 excluded agency", PFIX_EX, ROME, "RS-MUP/belgrade", "GREEN da=RS-MUP", NULL, DIRECT, 60,
	  "h3.deny-agencies"),
	P("H3 excluded agency, another agency", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN da=RS-MUP",
	  NULL, DIRECT, 60, "tlp.green.community"),
	D("H3 excluded country", PFIX_EX, ROME, "RS-MUP/novisad", "GREEN dc=RS", NULL, DIRECT, 60,
	  "h3.deny-countries"),
	D("H3 roles: analyst not allowed", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN roles=liaison",
	  NULL, DIRECT, 60, "h3.allowed-roles"),
	P("H3 roles: liaison allowed", PFIX_EX, ROME, "RS-MUP/novisad", "GREEN roles=liaison", NULL,
	  DIRECT, 60, "tlp.green.community"),
	D("H3 exclusion is not lifted by consent", PFIX_EX, ROME, "RS-MUP/belgrade",
	  "GREEN da=RS-MUP", "RS-MUP/belgrade@IT-PS/rome", DIRECT, 60, "h3.deny-agencies"),
	P("H3 retention: last second", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN keep=1", NULL, DIRECT,
	  DAY - 1, "tlp.green.community"),
	D("H3 retention: elapsed", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN keep=1", NULL, DIRECT, DAY,
	  "time.expiry"),

	/* --- embargo and expiry, one second either side --- */
	D("embargo: one second before", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN emb=+3600", NULL,
	  DIRECT, 3599, "time.embargo"),
	P("embargo: at the second", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN emb=+3600", NULL, DIRECT,
	  3600, "tlp.green.community"),
	P("embargo: one second after", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN emb=+3600", NULL,
	  DIRECT, 3601, "tlp.green.community"),
	D("embargo is not lifted by consent", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN emb=+3600",
	  "HR-MUP/zagreb@IT-PS/rome", DIRECT, 3599, "time.embargo"),
	P("expiry: one second before", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN exp=+7200", NULL,
	  DIRECT, 7199, "tlp.green.community"),
	D("expiry: at the second", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN exp=+7200", NULL, DIRECT,
	  7200, "time.expiry"),
	D("expiry: one second after", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN exp=+7200", NULL,
	  DIRECT, 7201, "time.expiry"),
	P("route ceiling: last second", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN", NULL, DIRECT,
	  365 * DAY - 1, "tlp.green.community"),
	D("route ceiling: reached", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN", NULL, DIRECT, 365 * DAY,
	  "time.expiry"),
	P("network ceiling outlives the route one", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "GREEN kind=network", NULL, DIRECT, 365 * DAY, "tlp.green.community"),
	D("personal data shortens the network ceiling", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "GREEN kind=network subj=suspect", NULL, DIRECT, 365 * DAY, "time.expiry"),
	P("personal data ceiling: last second", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "GREEN kind=network subj=suspect", NULL, DIRECT, 365 * DAY - 1, "tlp.green.community"),
	P("protected persons: last second of 90 days", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "AMBER ra=HR-MUP H2 subj=smuggled-migrant", NULL, DIRECT, 90 * DAY - 1,
	  "tlp.amber.addressed"),
	D("protected persons: 90 days reached", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "AMBER ra=HR-MUP H2 subj=smuggled-migrant", NULL, DIRECT, 90 * DAY, "time.expiry"),

	/* --- certificates --- */
	D("recipient certificate expired", PFIX_EX, ROME, "HR-MUP/expired", "GREEN", NULL, DIRECT, 60,
	  "recipient.cert"),
	D("recipient certificate not yet valid", PFIX_EX, ROME, "HR-MUP/future", "GREEN", NULL,
	  DIRECT, 60, "recipient.cert"),
	D("recipient certificate revoked", PFIX_EX, ROME, "HR-MUP/revoked", "GREEN", NULL, DIRECT, 60,
	  "recipient.cert"),
	P("recipient certificate: last valid second", PFIX_EX, ROME, "HR-MUP/shortlived", "GREEN",
	  NULL, DIRECT, 119, "tlp.green.community"),
	D("recipient certificate: first invalid second", PFIX_EX, ROME, "HR-MUP/shortlived", "GREEN",
	  NULL, DIRECT, 120, "recipient.cert"),
	D("recipient certificate revoked, consent or not", PFIX_EX, ROME, "HR-MUP/revoked", "GREEN",
	  "HR-MUP/revoked@IT-PS/rome", DIRECT, 60, "recipient.cert"),
	D("originator revoked before it signed", PFIX_EX, "IT-PS/revoked-before", "HR-MUP/zagreb",
	  "GREEN from=IT-PS/revoked-before", NULL, DIRECT, 60, "originator.cert"),
	P("originator revoked after it signed", PFIX_EX, "IT-PS/revoked-later", "HR-MUP/zagreb",
	  "GREEN from=IT-PS/revoked-later", NULL, DIRECT, 60, "tlp.green.community"),
	D("originator not yet valid when it signed", PFIX_EX, "IT-PS/late", "HR-MUP/zagreb",
	  "GREEN from=IT-PS/late", NULL, DIRECT, 60, "originator.cert"),
	D("originator certificate is someone else's", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "GREEN from=IT-GDF/ventimiglia", NULL, DIRECT, 60, "originator.match"),
	D("originator certificate is a broker's", PFIX_EX, "BROKER-HUB/broker", "HR-MUP/zagreb",
	  "GREEN from=BROKER-HUB/broker", NULL, DIRECT, 60, "originator.match"),

	/* --- who may never receive --- */
	D("auditor", PFIX_EX, ROME, "IT-PS/audit", "CLEAR", NULL, DIRECT, 60, "recipient.auditor"),
	D("analyst who is also an auditor", PFIX_EX, ROME, "IT-PS/both", "CLEAR", NULL, DIRECT, 60,
	  "recipient.auditor"),
	D("auditor with a consent", PFIX_EX, ROME, "IT-PS/audit", "GREEN H2",
	  "IT-PS/audit@IT-PS/rome", ONWARD, 60, "recipient.auditor"),
	D("broker certificate", PFIX_EX, ROME, "BROKER-HUB/broker", "CLEAR", NULL, DIRECT, 60,
	  "recipient.broker"),
	D("principal holding the broker role", PFIX_EX, ROME, "IT-PS/brokerrole", "CLEAR", NULL,
	  DIRECT, 60, "recipient.broker"),
	D("agency outside the exchange", PFIX_EX, ROME, "XX-NOPE/someone", "CLEAR", NULL, DIRECT, 60,
	  "recipient.member"),
	D("certificate country contradicts the policy", PFIX_EX, ROME, "HR-MUP/wrongcountry", "CLEAR",
	  NULL, DIRECT, 60, "recipient.member"),

	/* --- personal data and agreements --- */
	D("personal data to an agency that may not receive it", PFIX_EX, ROME, "MT-AFM/valletta",
	  "GREEN subj=suspect", NULL, DIRECT, 60, "pd.agency"),
	D("personal data refusal is not lifted by consent", PFIX_EX, ROME, "MT-AFM/valletta",
	  "GREEN subj=suspect", "MT-AFM@IT-PS/rome", DIRECT, 60, "pd.agency"),
	P("personal data under a multilateral agreement", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "GREEN subj=suspect", NULL, DIRECT, 60, "tlp.green.community"),
	P("personal data under the bilateral agreement", PFIX_EX, ROME, "RS-MUP/belgrade",
	  "GREEN subj=suspect", NULL, DIRECT, 60, "tlp.green.community"),
	P("bilateral agreement, amber to the partner", PFIX_EX, ROME, "RS-MUP/belgrade",
	  "AMBER ra=RS-MUP kind=network subj=suspect", NULL, DIRECT, 60, "tlp.amber.addressed"),
	D("bilateral agreement does not cover the kind", PFIX_EX, ROME, "RS-MUP/belgrade",
	  "GREEN kind=carrier subj=suspect", NULL, DIRECT, 60, "agreement.personal-data"),
	D("bilateral agreement absent for this originator", PFIX_EX, "IT-GDF/ventimiglia",
	  "RS-MUP/belgrade", "GREEN subj=suspect from=IT-GDF/ventimiglia", NULL, DIRECT, 60,
	  "agreement.personal-data"),
	P("without personal data the founding agreement suffices", PFIX_EX, "IT-GDF/ventimiglia",
	  "RS-MUP/belgrade", "GREEN from=IT-GDF/ventimiglia", NULL, DIRECT, 60,
	  "tlp.green.community"),
	D("no agreement at all", PFIX_ALT, ROME, "HR-MUP/zagreb", "GREEN ev6=B2", NULL, DIRECT, 60,
	  "agreement.kind"),
	D("no agreement, consent or not", PFIX_ALT, ROME, "HR-MUP/zagreb", "GREEN ev6=B2",
	  "HR-MUP@IT-PS/rome", DIRECT, 60, "agreement.kind"),
	P("regional agreement covers both", PFIX_ALT, ROME, "IT-GDF/ventimiglia", "GREEN ev6=B2", NULL,
	  DIRECT, 60, "tlp.green.community"),
	P("same agency needs no agreement", PFIX_ALT, ROME, "IT-PS/milano", "GREEN ev6=B2", NULL,
	  DIRECT, 60, "tlp.green.community"),
	D("originator agency outside the policy", PFIX_ALT, "GR-HCG/piraeus", "IT-PS/milano",
	  "GREEN from=GR-HCG/piraeus", NULL, DIRECT, 60, "originator.member"),

	/* --- protected persons --- */
	D("smuggled migrants raise green to amber, nobody named", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "GREEN subj=smuggled-migrant", NULL, DIRECT, 60, "tlp.amber.addressed"),
	P("smuggled migrants, first-hand to the named agency", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "AMBER ra=HR-MUP subj=smuggled-migrant", NULL, DIRECT, 60, "tlp.amber.addressed"),
	D("smuggled migrants: H2 forced even when not marked", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "AMBER ra=HR-MUP subj=smuggled-migrant", NULL, ONWARD, 60, "h2.onward"),
	P("smuggled migrants onward with consent", PFIX_EX, ROME, "HR-MUP/zagreb",
	  "AMBER ra=HR-MUP subj=smuggled-migrant", "HR-MUP/zagreb@IT-PS/rome", ONWARD, 60,
	  "consent.principal"),
	D("smuggled migrants to an agency without personal-data rights", PFIX_EX, ROME,
	  "MT-AFM/valletta", "AMBER ra=HR-MUP,MT-AFM subj=smuggled-migrant", NULL, DIRECT, 60,
	  "pd.agency"),
	P("stricter floor: amber raised to amber+strict, agency named", PFIX_ALT, ROME,
	  "IT-GDF/genova", "AMBER ra=IT-GDF subj=smuggled-migrant ev6=B2", NULL, DIRECT, 60,
	  "tlp.amber-strict.agency"),
	D("stricter floor: amber+strict by region alone stays in own agency", PFIX_ALT, ROME,
	  "IT-GDF/genova", "AMBER rr=SOUTH subj=smuggled-migrant ev6=B2", NULL, DIRECT, 60,
	  "tlp.amber-strict.agency"),
	D("stricter floor: personal data raises green to amber", PFIX_ALT, ROME, "IT-GDF/genova",
	  "GREEN subj=suspect ev6=B2", NULL, DIRECT, 60, "tlp.amber.addressed"),
	D("stricter floor: protected persons' short retention", PFIX_ALT, ROME, "IT-GDF/genova",
	  "AMBER ra=IT-GDF subj=smuggled-migrant ev6=B2", NULL, DIRECT, 10 * DAY, "time.expiry"),

	/* --- roles --- */
	D("analyst may not receive this kind", PFIX_ALT, ROME, "IT-GDF/genova",
	  "GREEN kind=legislation ev6=B2", NULL, DIRECT, 60, "role.receive"),
	P("analyst may receive routes", PFIX_ALT, ROME, "IT-GDF/genova", "GREEN ev6=B2", NULL, DIRECT,
	  60, "tlp.green.community"),
	P("liaison officer may receive every kind", PFIX_ALT, ROME, "IT-GDF/ventimiglia",
	  "GREEN kind=legislation ev6=B2", NULL, DIRECT, 60, "tlp.green.community"),

	/* --- consents --- */
	P("agency consent lifts release.agencies", PFIX_EX, ROME, "GR-HCG/piraeus",
	  "AMBER+STRICT ra=HR-MUP", "GR-HCG@IT-PS/rome", DIRECT, 60, "consent.agency"),
	P("consent by a colleague of the originator", PFIX_EX, ROME, "GR-HCG/piraeus",
	  "AMBER+STRICT ra=HR-MUP", "GR-HCG@IT-PS/milano", DIRECT, 60, "consent.agency"),
	D("consent recorded for another message", PFIX_EX, ROME, "GR-HCG/piraeus",
	  "AMBER+STRICT ra=HR-MUP", "!GR-HCG@IT-PS/rome", DIRECT, 60, "tlp.amber-strict.agency"),
	D("consent granted by another agency", PFIX_EX, ROME, "GR-HCG/piraeus",
	  "AMBER+STRICT ra=HR-MUP", "GR-HCG@HR-MUP/zagreb", DIRECT, 60, "tlp.amber-strict.agency"),
	D("consent granted after now", PFIX_EX, ROME, "GR-HCG/piraeus", "AMBER+STRICT ra=HR-MUP",
	  "GR-HCG@IT-PS/rome+120", DIRECT, 60, "tlp.amber-strict.agency"),
	P("consent granted at now", PFIX_EX, ROME, "GR-HCG/piraeus", "AMBER+STRICT ra=HR-MUP",
	  "GR-HCG@IT-PS/rome+60", DIRECT, 60, "consent.agency"),
	D("consent approved by its own requester", PFIX_EX, ROME, "GR-HCG/piraeus",
	  "AMBER+STRICT ra=HR-MUP", "GR-HCG@IT-PS/milano>IT-PS/milano", DIRECT, 60,
	  "tlp.amber-strict.agency"),
	D("consent for one recipient, not its colleague", PFIX_EX, ROME, "HR-MUP/split",
	  "AMBER rp=HR-MUP/zagreb", "HR-MUP/zagreb@IT-PS/rome", DIRECT, 60, "release.principals"),

	/* --- malformed input and evaluation --- */
	D("TLP out of range", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN bad-tlp", NULL, DIRECT, 60,
	  "input.header"),
	D("H3 without its text", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN H3-no-text", NULL, DIRECT, 60,
	  "input.header"),
	P("evaluation does not decide disclosure", PFIX_EX, ROME, "HR-MUP/zagreb", "GREEN ev=X4",
	  NULL, DIRECT, 60, "tlp.green.community"),
};

#define NROWS (sizeof rows / sizeof rows[0])

static void run_row(const struct row *r, struct lia_decision *d)
{
	struct lia_header h;
	struct lia_consent consents[PFIX_MAX_CONSENTS];
	pfix_header(&h, r->marking);
	size_t n = pfix_consents(consents, r->consents, &h);
	struct lia_decide_input in = {
		.header = &h,
		.originator = pfix_cert(r->orig),
		.recipient = pfix_cert(r->rcpt),
		.crl = pfix_crl(),
		.path = r->path,
		.consents = consents,
		.n_consents = n,
		.now = PFIX_T0 + r->now,
	};
	enum lia_verdict v = lia_decide(d, pfix_policy(r->policy), &in);
	assert_int_equal(v, d->verdict);
}

static void test_table(void **state)
{
	(void)state;
	int failures = 0;
	struct lia_decision d;
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		run_row(r, &d);
		if (d.verdict != r->want || strcmp(lia_rule_id(d.rule), r->rule) != 0) {
			fprintf(stderr, "row %zu \"%s\": want %s %s, got %s %s (%s)\n", i, r->name,
				lia_verdict_str(r->want), r->rule, lia_verdict_str(d.verdict),
				lia_rule_id(d.rule), d.reason);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
	assert_true(NROWS >= 80);
}

/* Every decision explains itself: a reason, a trail ending in the
 * deciding rule, and for DENY a trail that says which rule denied. */
static void test_trail_and_reason(void **state)
{
	(void)state;
	struct lia_decision d;
	for (size_t i = 0; i < NROWS; i++) {
		run_row(&rows[i], &d);
		assert_true(d.reason[0] != '\0');
		assert_true(d.n_trail > 0 && d.n_trail <= LIA_TRAIL_MAX);
		assert_int_equal(d.trail[0].rule, LIA_RULE_INPUT_HEADER);
		bool found = false;
		for (size_t t = 0; t < d.n_trail; t++) {
			assert_non_null(lia_rule_id(d.trail[t].rule));
			assert_non_null(lia_outcome_str(d.trail[t].outcome));
			if (d.trail[t].rule == d.rule)
				found = true;
		}
		assert_true(found);
		if (d.verdict == LIA_DENY) {
			bool denied = false;
			for (size_t t = 0; t < d.n_trail; t++)
				denied |= d.trail[t].rule == d.rule &&
					  d.trail[t].outcome == LIA_OUTCOME_DENY;
			assert_true(denied);
		}
	}
}

/* A consent that lifts a rule leaves it in the trail as "waived". */
static void test_waived_in_trail(void **state)
{
	(void)state;
	struct lia_header h;
	struct lia_consent c[PFIX_MAX_CONSENTS];
	pfix_header(&h, "GREEN H2");
	size_t n = pfix_consents(c, "HR-MUP/zagreb@IT-PS/rome", &h);
	struct lia_decide_input in = {&h, pfix_cert(ROME), pfix_cert("HR-MUP/zagreb"), NULL,
				      LIA_PATH_ONWARD, c, n, PFIX_T0 + 60};
	struct lia_decision d;
	assert_int_equal(lia_decide(&d, pfix_policy(PFIX_EX), &in), LIA_PERMIT);
	assert_int_equal(d.rule, LIA_RULE_CONSENT_PRINCIPAL);
	bool waived = false;
	for (size_t t = 0; t < d.n_trail; t++)
		if (d.trail[t].rule == LIA_RULE_H2_ONWARD)
			waived = d.trail[t].outcome == LIA_OUTCOME_WAIVED;
	assert_true(waived);
	assert_non_null(strstr(d.reason, "IT-PS/rome"));
	assert_non_null(strstr(d.reason, "h2.onward"));
}

/* The decision reports the marking as enforced: floors applied. */
static void test_effective_marking(void **state)
{
	(void)state;
	struct lia_header h;
	pfix_header(&h, "AMBER ra=HR-MUP subj=smuggled-migrant kind=network");
	struct lia_decide_input in = {&h,  pfix_cert(ROME), pfix_cert("HR-MUP/zagreb"), NULL,
				      LIA_PATH_DIRECT, NULL, 0, PFIX_T0 + 60};
	struct lia_decision d;
	assert_int_equal(lia_decide(&d, pfix_policy(PFIX_EX), &in), LIA_PERMIT);
	assert_int_equal(d.tlp, LIA_TLP_AMBER);
	assert_int_equal(d.handling, LIA_HANDLING_H2);
	assert_int_equal(d.expires_at, PFIX_T0 + 90 * DAY);
	pfix_header(&h, "GREEN subj=smuggled-migrant");
	lia_decide(&d, pfix_policy(PFIX_ALT), &in);
	assert_int_equal(d.tlp, LIA_TLP_AMBER_STRICT);
	assert_int_equal(d.handling, LIA_HANDLING_H1 | LIA_HANDLING_H2);
}

/* Same inputs, same answer, byte for byte; no CRL means nothing revoked. */
static void test_deterministic(void **state)
{
	(void)state;
	for (size_t i = 0; i < NROWS; i++) {
		struct lia_decision a, b;
		memset(&a, 0xa5, sizeof a);
		memset(&b, 0x5a, sizeof b);
		run_row(&rows[i], &a);
		run_row(&rows[i], &b);
		assert_int_equal(a.verdict, b.verdict);
		assert_int_equal(a.rule, b.rule);
		assert_string_equal(a.reason, b.reason);
		assert_int_equal(a.n_trail, b.n_trail);
		assert_memory_equal(a.trail, b.trail, a.n_trail * sizeof a.trail[0]);
	}
	struct lia_header h;
	pfix_header(&h, "GREEN");
	struct lia_decide_input in = {&h,  pfix_cert(ROME), pfix_cert("HR-MUP/revoked"), NULL,
				      LIA_PATH_DIRECT, NULL, 0, PFIX_T0 + 60};
	struct lia_decision d;
	assert_int_equal(lia_decide(&d, pfix_policy(PFIX_EX), &in), LIA_PERMIT);
}

static void test_names(void **state)
{
	(void)state;
	for (int r = 1; r < LIA_RULE_COUNT; r++) {
		enum lia_rule back;
		assert_non_null(lia_rule_id((enum lia_rule)r));
		assert_non_null(lia_rule_summary((enum lia_rule)r));
		assert_int_equal(lia_rule_parse(lia_rule_id((enum lia_rule)r), &back), 0);
		assert_int_equal(back, r);
		for (int s = 1; s < r; s++)
			assert_string_not_equal(lia_rule_id((enum lia_rule)r),
						lia_rule_id((enum lia_rule)s));
	}
	enum lia_rule x;
	assert_int_equal(lia_rule_parse("tlp.purple", &x), -1);
	assert_null(lia_rule_id(LIA_RULE_NONE));
	assert_null(lia_rule_id(LIA_RULE_COUNT));
	assert_string_equal(lia_verdict_str(LIA_PERMIT), "PERMIT");
	assert_string_equal(lia_verdict_str(LIA_DENY), "DENY");
	assert_string_equal(lia_path_str(LIA_PATH_ONWARD), "onward");
	assert_string_equal(lia_outcome_str(LIA_OUTCOME_WAIVED), "waived");
}

/* Every rule id is documented in docs/policy.md, as `id`. */
static void test_documented(void **state)
{
	(void)state;
	uint8_t *doc;
	size_t len;
	char err[LIA_ERR_MAX];
	assert_int_equal(lia_file_read(pfix_source("docs/policy.md"), 1u << 20, &doc, &len, err), 0);
	char *text = malloc(len + 1);
	assert_non_null(text);
	memcpy(text, doc, len);
	text[len] = '\0';
	for (int r = 1; r < LIA_RULE_COUNT; r++) {
		char quoted[64];
		snprintf(quoted, sizeof quoted, "`%s`", lia_rule_id((enum lia_rule)r));
		if (strstr(text, quoted) == NULL)
			fail_msg("rule %s is not documented in docs/policy.md", quoted);
	}
	free(text);
	free(doc);
}

static int teardown(void **state)
{
	(void)state;
	pfix_release();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_trail_and_reason),
		cmocka_unit_test(test_waived_in_trail),
		cmocka_unit_test(test_effective_marking),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_documented),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
