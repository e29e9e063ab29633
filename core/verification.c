/* verification.c — see verification.h. */
#include "verification.h"

#include <string.h>

static const char *const state_names[] = {
	[LIA_VERIF_OPEN] = "open",
	[LIA_VERIF_ANSWERED] = "answered",
	[LIA_VERIF_OVERDUE] = "overdue",
	[LIA_VERIF_WITHDRAWN] = "withdrawn",
};

static const char *const notice_names[] = {
	[LIA_VERIF_NOTICE_NONE] = "none",
	[LIA_VERIF_NOTICE_DUE_SOON] = "due-soon",
	[LIA_VERIF_NOTICE_OVERDUE] = "overdue",
	[LIA_VERIF_NOTICE_ANSWERED] = "answered",
};

const char *lia_verif_state_str(enum lia_verif_state s)
{
	return (int)s >= 1 && (int)s <= LIA_VERIF_STATE_MAX ? state_names[s] : NULL;
}

int lia_verif_state_parse(const char *s, enum lia_verif_state *out)
{
	for (int i = 1; i <= LIA_VERIF_STATE_MAX; i++)
		if (strcmp(state_names[i], s) == 0) {
			*out = (enum lia_verif_state)i;
			return 0;
		}
	return -1;
}

const char *lia_verif_notice_str(enum lia_verif_notice n)
{
	return (int)n >= 0 && (int)n <= LIA_VERIF_NOTICE_MAX ? notice_names[n] : NULL;
}

bool lia_verif_is_office(const struct lia_verification *v, const char *subject,
			 bool liaison_officer, bool any_liaison_officer)
{
	if (strcmp(v->office, subject) == 0)
		return true;
	if (!liaison_officer)
		return false;
	if (lia_subject_in_agency(subject, v->office))
		return true; /* an agency office: its liaison officers */
	char agency[LIA_NAME_MAX];
	if (!any_liaison_officer || !lia_name_is_subject(v->office))
		return false;
	lia_subject_agency(v->office, agency);
	return lia_subject_in_agency(subject, agency);
}
