/*
 * marking_pb.c — Restrictions and Evaluation <-> structs (see
 * marking_pb.h).
 */
#include "marking_pb.h"

#include <string.h>

#include "check.h"

char **lia_names_to_pb(char *v[static LIA_LIST_MAX], const struct lia_names *l, size_t *n)
{
	for (size_t i = 0; i < l->n; i++)
		v[i] = (char *)l->v[i];
	*n = l->n;
	return v;
}

static int names_in(struct lia_names *out, char **v, size_t n, bool (*valid)(const char *),
		    const char **why, const char *what)
{
	if (lia_pb_names(out, v, n, valid, NULL) != LIA_PB_NAMES_OK) {
		*why = what;
		return -1;
	}
	return 0;
}

static int h3_in(struct lia_h3 *h, const Liaison__V1__H3Conditions *c, const char **why)
{
	if (lia_pb_str(h->text, sizeof h->text, c->text) != 0 || h->text[0] == '\0') {
		*why = "H3 text missing, too long or with control characters";
		return -1;
	}
	if (names_in(&h->deny_agencies, c->deny_agencies, c->n_deny_agencies, lia_name_is_agency,
		     why, "invalid H3 deny_agencies") != 0 ||
	    names_in(&h->deny_countries, c->deny_countries, c->n_deny_countries,
		     lia_name_is_country, why, "invalid H3 deny_countries") != 0)
		return -1;
	if (!lia_pb_count_ok(c->n_allowed_roles, 4)) {
		*why = "too many H3 allowed roles";
		return -1;
	}
	if (lia_pb_enum_set(&h->allowed_roles, (const int *)c->allowed_roles, c->n_allowed_roles,
			    4, LIA_ROLE_LIAISON, LIA_ROLE_AUDITOR) != 0) {
		*why = "H3 allowed role out of range or repeated";
		return -1;
	}
	h->max_retention_days = c->max_retention_days;
	return 0;
}

int lia_restrictions_from_pb(struct lia_restrictions *r, const Liaison__V1__Restrictions *p,
			     const char **why)
{
	memset(r, 0, sizeof *r);
	if (p == NULL) {
		*why = "restrictions missing";
		return -1;
	}
	if (!lia_pb_enum_in((int)p->tlp, LIA_TLP_CLEAR, LIA_TLP_RED)) {
		*why = "TLP missing or out of range";
		return -1;
	}
	r->tlp = (enum lia_tlp)p->tlp;
	if (!lia_pb_count_ok(p->n_handling, 3)) {
		*why = "too many handling codes";
		return -1;
	}
	if (lia_pb_enum_set(&r->handling, (const int *)p->handling, p->n_handling, 3, 1, 3) != 0) {
		*why = "handling code out of range or repeated";
		return -1;
	}
	bool h3 = (r->handling & LIA_HANDLING_H3) != 0;
	if (h3 != (p->h3 != NULL)) {
		*why = "H3 conditions present without H3, or H3 without conditions";
		return -1;
	}
	if (p->h3 != NULL && h3_in(&r->h3, p->h3, why) != 0)
		return -1;
	if (names_in(&r->release_agencies, p->release_agencies, p->n_release_agencies,
		     lia_name_is_agency, why, "invalid release_agencies") != 0 ||
	    names_in(&r->release_principals, p->release_principals, p->n_release_principals,
		     lia_name_is_subject, why, "invalid release_principals") != 0 ||
	    names_in(&r->release_regions, p->release_regions, p->n_release_regions,
		     lia_name_is_region, why, "invalid release_regions") != 0)
		return -1;
	if (p->embargo_until < 0 || p->expires_at < 0) {
		*why = "negative embargo or expiry";
		return -1;
	}
	r->embargo_until = p->embargo_until;
	r->expires_at = p->expires_at;
	return 0;
}

static void h3_out(struct lia_restrictions_pb *s, const struct lia_h3 *x)
{
	Liaison__V1__H3Conditions *h = &s->h3;
	liaison__v1__h3_conditions__init(h);
	h->text = (char *)x->text;
	h->deny_agencies = lia_names_to_pb(s->deny_agencies, &x->deny_agencies, &h->n_deny_agencies);
	h->deny_countries =
		lia_names_to_pb(s->deny_countries, &x->deny_countries, &h->n_deny_countries);
	for (int role = LIA_ROLE_LIAISON; role <= LIA_ROLE_BROKER; role++)
		if (x->allowed_roles & LIA_ROLE_BIT(role))
			s->roles[h->n_allowed_roles++] = (Liaison__V1__Role)role;
	h->allowed_roles = s->roles;
	h->max_retention_days = x->max_retention_days;
}

Liaison__V1__Restrictions *lia_restrictions_to_pb(struct lia_restrictions_pb *s,
						  const struct lia_restrictions *r)
{
	Liaison__V1__Restrictions *q = &s->msg;
	liaison__v1__restrictions__init(q);
	q->tlp = (Liaison__V1__Tlp)r->tlp;
	for (int c = 1; c <= 3; c++)
		if (r->handling & (1u << c))
			s->handling[q->n_handling++] = (Liaison__V1__HandlingCode)c;
	q->handling = s->handling;
	if (r->handling & LIA_HANDLING_H3) {
		h3_out(s, &r->h3);
		q->h3 = &s->h3;
	}
	q->release_agencies =
		lia_names_to_pb(s->release_agencies, &r->release_agencies, &q->n_release_agencies);
	q->release_principals = lia_names_to_pb(s->release_principals, &r->release_principals,
						&q->n_release_principals);
	q->release_regions =
		lia_names_to_pb(s->release_regions, &r->release_regions, &q->n_release_regions);
	q->embargo_until = r->embargo_until;
	q->expires_at = r->expires_at;
	return q;
}

int lia_evaluation_from_pb(struct lia_evaluation *e, const Liaison__V1__Evaluation *p,
			   const char **why)
{
	memset(e, 0, sizeof *e);
	if (p == NULL)
		return 0;
	int src = (int)p->source;
	bool ok;
	if (p->scheme == LIAISON__V1__EVALUATION_SCHEME__EVALUATION_SCHEME_EUROPOL_4X4)
		ok = (src == 1 || src == 2 || src == 3 || src == 7) &&
		     lia_pb_enum_in((int)p->information, 1, 4);
	else if (p->scheme == LIAISON__V1__EVALUATION_SCHEME__EVALUATION_SCHEME_ADMIRALTY_6X6)
		ok = lia_pb_enum_in(src, 1, 6) && lia_pb_enum_in((int)p->information, 1, 6);
	else
		ok = false;
	if (!ok) {
		*why = "evaluation out of range for its scheme";
		return -1;
	}
	e->scheme = (enum lia_eval_scheme)p->scheme;
	e->source = src == 7 ? 'X' : (char)('A' + src - 1);
	e->information = (uint8_t)p->information;
	return 0;
}

Liaison__V1__Evaluation *lia_evaluation_to_pb(Liaison__V1__Evaluation *pe,
					      const struct lia_evaluation *e)
{
	if (e->scheme == LIA_EVAL_NONE)
		return NULL;
	liaison__v1__evaluation__init(pe);
	pe->scheme = (Liaison__V1__EvaluationScheme)e->scheme;
	pe->source = e->source == 'X' ? LIAISON__V1__SOURCE_RELIABILITY__SOURCE_RELIABILITY_X
				      : (Liaison__V1__SourceReliability)(e->source - 'A' + 1);
	pe->information = e->information;
	return pe;
}
