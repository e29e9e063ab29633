/*
 * verification.h — a document verification request (Protocol Art. 13)
 * as the broker keeps it and the wire carries it: who asked, which
 * office must answer, for which issuing state, by when, and where it
 * stands (docs/protocol.md "Document verification").
 *
 * States: open -> answered (corrections keep it answered, counting the
 * answers), open -> overdue when the deadline passes (recorded once),
 * overdue -> answered (late); withdrawn is final. Only metadata: the
 * document and its holder stay in the encrypted bodies.
 * Thread safety: plain values and pure functions.
 */
#ifndef LIA_VERIFICATION_H
#define LIA_VERIFICATION_H

#include <stdbool.h>
#include <stdint.h>

#include "keyfile.h"
#include "marking.h"

enum lia_verif_state {
	LIA_VERIF_OPEN = 1,
	LIA_VERIF_ANSWERED = 2,
	LIA_VERIF_OVERDUE = 3,
	LIA_VERIF_WITHDRAWN = 4,
};
#define LIA_VERIF_STATE_MAX 4
const char *lia_verif_state_str(enum lia_verif_state s); /* "open", ... */
int lia_verif_state_parse(const char *s, enum lia_verif_state *out);

/* Why the broker pushed a VerificationList (0: it answers a query). */
enum lia_verif_notice {
	LIA_VERIF_NOTICE_NONE = 0,
	LIA_VERIF_NOTICE_DUE_SOON = 1, /* to the office: the deadline approaches */
	LIA_VERIF_NOTICE_OVERDUE = 2,  /* to both sides: it has passed */
	LIA_VERIF_NOTICE_ANSWERED = 3, /* to the requester: an answer arrived */
};
#define LIA_VERIF_NOTICE_MAX 3
const char *lia_verif_notice_str(enum lia_verif_notice n); /* "due-soon", ... */

struct lia_verification {
	uint8_t request_id[LIA_ID_BYTES];
	char requester[LIA_NAME_MAX];
	char office[LIA_NAME_MAX];          /* an agency or a subject */
	char issuing_state[3];
	enum lia_urgency urgency;
	enum lia_verif_state state;
	int64_t requested_at;
	int64_t deadline;
	int64_t answered_at;                /* the latest answer; 0 none */
	char answered_by[LIA_NAME_MAX];     /* "" none */
	bool has_answer;
	uint8_t answer_id[LIA_ID_BYTES];    /* the latest answer */
	uint32_t answers;                   /* > 1: corrected */
	bool late;                          /* the deadline passed before the first answer */
};

/* Is subject (of agency, holding the role liaison or not) the office of
 * v or one of its officers: the office itself, a liaison officer of an
 * agency office, or (any_liaison_officer: the policy's
 * liaison_officers_answer) a liaison officer of the office's agency? */
bool lia_verif_is_office(const struct lia_verification *v, const char *subject,
			 bool liaison_officer, bool any_liaison_officer);

#endif
