/*
 * marking.c — names of the exchange's enums, validation of names, and
 * the audience rule. Everything here is pure and table-driven.
 */
#include "marking.h"

#include "cert.h"

#include <string.h>
#include <strings.h>

static const char *const tlp_names[] = {
	[LIA_TLP_CLEAR] = "CLEAR", [LIA_TLP_GREEN] = "GREEN", [LIA_TLP_AMBER] = "AMBER",
	[LIA_TLP_AMBER_STRICT] = "AMBER+STRICT", [LIA_TLP_RED] = "RED",
};

static const char *const kind_names[] = {
	[LIA_KIND_ROUTE] = "route",
	[LIA_KIND_CARRIER] = "carrier",
	[LIA_KIND_NETWORK] = "network",
	[LIA_KIND_DOCUMENT] = "document",
	[LIA_KIND_CONCEALMENT] = "concealment",
	[LIA_KIND_LEGISLATION] = "legislation",
	[LIA_KIND_TECHNICAL] = "technical",
	[LIA_KIND_VERIFICATION_REQUEST] = "verification-request",
	[LIA_KIND_VERIFICATION_ANSWER] = "verification-answer",
	[LIA_KIND_NOTE] = "note",
	[LIA_KIND_RECALL] = "recall",
};

static const char *const role_names[] = {
	[LIA_ROLE_LIAISON] = "liaison",
	[LIA_ROLE_ANALYST] = "analyst",
	[LIA_ROLE_AUDITOR] = "auditor",
	[LIA_ROLE_BROKER] = "broker",
};

static const char *const subject_names[] = {
	[LIA_SUBJECT_SUSPECT] = "suspect",
	[LIA_SUBJECT_VICTIM] = "victim",
	[LIA_SUBJECT_WITNESS] = "witness",
	[LIA_SUBJECT_CONTACT] = "contact",
	[LIA_SUBJECT_SMUGGLED_MIGRANT] = "smuggled-migrant",
};

static const char *const scheme_names[] = {
	[LIA_EVAL_NONE] = "none",
	[LIA_EVAL_EUROPOL_4X4] = "4x4",
	[LIA_EVAL_ADMIRALTY_6X6] = "6x6",
};

static const char *const urgency_names[] = {
	[LIA_URGENCY_URGENT] = "urgent",
	[LIA_URGENCY_NORMAL] = "normal",
	[LIA_URGENCY_ROUTINE] = "routine",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *table_str(const char *const *t, size_t n, int v)
{
	if (v < 0 || (size_t)v >= n)
		return NULL;
	return t[v];
}

static int table_parse(const char *const *t, size_t n, const char *s, int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i] != NULL && strcmp(t[i], s) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -1;
}

const char *lia_tlp_str(enum lia_tlp v) { return table_str(tlp_names, NELEM(tlp_names), (int)v); }
const char *lia_kind_str(enum lia_kind v) { return table_str(kind_names, NELEM(kind_names), (int)v); }
const char *lia_role_str(enum lia_role v) { return table_str(role_names, NELEM(role_names), (int)v); }
const char *lia_subject_str(enum lia_subject v)
{
	return table_str(subject_names, NELEM(subject_names), (int)v);
}
const char *lia_urgency_str(enum lia_urgency v)
{
	return table_str(urgency_names, NELEM(urgency_names), (int)v);
}
int lia_urgency_parse(const char *s, enum lia_urgency *out)
{
	int v;
	if (table_parse(urgency_names, NELEM(urgency_names), s, &v) != 0)
		return -1;
	*out = (enum lia_urgency)v;
	return 0;
}
const char *lia_eval_scheme_str(enum lia_eval_scheme v)
{
	return table_str(scheme_names, NELEM(scheme_names), (int)v);
}

int lia_tlp_parse(const char *s, enum lia_tlp *out)
{
	for (size_t i = 0; i < NELEM(tlp_names); i++) {
		if (tlp_names[i] != NULL && strcasecmp(tlp_names[i], s) == 0) {
			*out = (enum lia_tlp)i;
			return 0;
		}
	}
	return -1;
}

int lia_kind_parse(const char *s, enum lia_kind *out)
{
	int v;
	if (table_parse(kind_names, NELEM(kind_names), s, &v) != 0)
		return -1;
	*out = (enum lia_kind)v;
	return 0;
}

int lia_role_parse(const char *s, enum lia_role *out)
{
	int v;
	if (table_parse(role_names, NELEM(role_names), s, &v) != 0)
		return -1;
	*out = (enum lia_role)v;
	return 0;
}

int lia_subject_parse(const char *s, enum lia_subject *out)
{
	int v;
	if (table_parse(subject_names, NELEM(subject_names), s, &v) != 0)
		return -1;
	*out = (enum lia_subject)v;
	return 0;
}

int lia_handling_parse(const char *s, uint32_t *bit)
{
	if (strcmp(s, "H1") == 0)
		*bit = LIA_HANDLING_H1;
	else if (strcmp(s, "H2") == 0)
		*bit = LIA_HANDLING_H2;
	else if (strcmp(s, "H3") == 0)
		*bit = LIA_HANDLING_H3;
	else
		return -1;
	return 0;
}

static bool is_upper_digit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
static bool is_lower_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* [A-Z0-9][A-Z0-9-]{1,31}: the shape of agency and region names. */
static bool is_upper_name(const char *s, size_t len)
{
	if (len < 2 || len > 32 || !is_upper_digit(s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_upper_digit(s[i]) && s[i] != '-')
			return false;
	return true;
}

bool lia_name_is_agency(const char *s) { return is_upper_name(s, strlen(s)); }
bool lia_name_is_region(const char *s) { return is_upper_name(s, strlen(s)); }

bool lia_name_is_country(const char *s)
{
	return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

bool lia_name_is_subject(const char *s)
{
	const char *slash = strchr(s, '/');
	if (slash == NULL || !is_upper_name(s, (size_t)(slash - s)))
		return false;
	const char *local = slash + 1;
	size_t n = strlen(local);
	if (n < 1 || n > 31 || !is_lower_digit(local[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_lower_digit(local[i]) && local[i] != '.' && local[i] != '_' && local[i] != '-')
			return false;
	return true;
}

void lia_subject_agency(const char *subject, char out[static LIA_NAME_MAX])
{
	size_t n = strcspn(subject, "/");
	if (n >= LIA_NAME_MAX)
		n = LIA_NAME_MAX - 1;
	memcpy(out, subject, n);
	out[n] = '\0';
}

bool lia_names_has(const struct lia_names *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return true;
	return false;
}

int lia_names_add(struct lia_names *l, const char *name)
{
	size_t len = strlen(name);
	if (l->n >= LIA_LIST_MAX || len >= LIA_NAME_MAX)
		return -1;
	memcpy(l->v[l->n], name, len + 1);
	l->n++;
	return 0;
}

/* Rank of a source letter: lower is more reliable; X ranks last. */
static int source_rank(char c)
{
	if (c >= 'A' && c <= 'F')
		return c - 'A';
	if (c == 'X')
		return 6;
	return 7;
}

bool lia_evaluation_meets(const struct lia_evaluation *e, const struct lia_evaluation *min)
{
	if (min->scheme == LIA_EVAL_NONE)
		return true;
	if (e->scheme != min->scheme)
		return false;
	return source_rank(e->source) <= source_rank(min->source) &&
	       e->information <= min->information;
}

bool lia_names_meet(const struct lia_names *a, const struct lia_names *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (lia_names_has(b, a->v[i]))
			return true;
	return false;
}

bool lia_subject_in_agency(const char *subject, const char *agency)
{
	size_t n = strlen(agency);
	return strncmp(subject, agency, n) == 0 && subject[n] == '/';
}

/* AMBER+STRICT: the agencies addressed are release_agencies if named,
 * else the agencies of the principals named, else the originator's. */
static bool strict_admits(const struct lia_restrictions *r, const char *agency,
			  const char *orig_agency)
{
	if (r->release_agencies.n > 0)
		return lia_names_has(&r->release_agencies, agency);
	if (r->release_principals.n > 0) {
		for (size_t i = 0; i < r->release_principals.n; i++)
			if (lia_subject_in_agency(r->release_principals.v[i], agency))
				return true;
		return false;
	}
	return strcmp(agency, orig_agency) == 0;
}

static bool tlp_admits(const struct lia_audience *a, const struct lia_cert *c)
{
	const struct lia_restrictions *r = a->restrictions;
	switch (a->tlp) {
	case LIA_TLP_CLEAR:
	case LIA_TLP_GREEN:
		return true;
	case LIA_TLP_AMBER:
		/* With no audience named nobody outside the originator's
		 * agency has a known need to know. Anything wider would make
		 * AMBER looser than AMBER+STRICT for the same lists. */
		return r->release_agencies.n > 0 || r->release_principals.n > 0 ||
		       r->release_regions.n > 0 || strcmp(c->agency, a->originator_agency) == 0;
	case LIA_TLP_AMBER_STRICT:
		return strict_admits(r, c->agency, a->originator_agency);
	case LIA_TLP_RED:
		return lia_names_has(&r->release_principals, c->subject);
	}
	return false; /* fail closed on a value outside the enum */
}

uint32_t lia_audience_refusals(const struct lia_audience *a, const struct lia_cert *c,
			       bool in_released_region)
{
	const struct lia_restrictions *r = a->restrictions;
	uint32_t no = 0;
	if (c->kind != LIA_CERT_PRINCIPAL || lia_cert_has_role(c, LIA_ROLE_BROKER))
		no |= LIA_AUDIENCE_BROKER;
	if (lia_cert_has_role(c, LIA_ROLE_AUDITOR))
		no |= LIA_AUDIENCE_AUDITOR;
	if (a->handling & LIA_HANDLING_H3) {
		if (lia_names_has(&r->h3.deny_agencies, c->agency))
			no |= LIA_AUDIENCE_H3_AGENCY;
		if (lia_names_has(&r->h3.deny_countries, c->country))
			no |= LIA_AUDIENCE_H3_COUNTRY;
		if (r->h3.allowed_roles != 0 && (c->roles & r->h3.allowed_roles) == 0)
			no |= LIA_AUDIENCE_H3_ROLE;
	}
	if (!tlp_admits(a, c))
		no |= LIA_AUDIENCE_TLP;
	if (r->release_agencies.n > 0 && !lia_names_has(&r->release_agencies, c->agency))
		no |= LIA_AUDIENCE_RELEASE_AGENCY;
	if (r->release_principals.n > 0 && !lia_names_has(&r->release_principals, c->subject))
		no |= LIA_AUDIENCE_RELEASE_PRINCIPAL;
	if (r->release_regions.n > 0 && !in_released_region)
		no |= LIA_AUDIENCE_RELEASE_REGION;
	return no;
}
