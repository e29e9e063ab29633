/*
 * scenario.c — JSON headers and command-line principals for explain.
 */
#include "scenario.h"

#include <stdint.h>
#include <string.h>

#include "util.h"

static bool known_key(const char *key, const char *const *keys)
{
	for (size_t i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

static int check_keys(const json_t *obj, const char *where, const char *const *keys,
		      char err[static LIA_ERR_MAX])
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)(uintptr_t)obj, key, v) {
		(void)v;
		if (!known_key(key, keys))
			return lia_errf(err, "unknown key \"%s\" in %s", key, where);
	}
	return 0;
}

static int get_string(const json_t *obj, const char *key, bool need, const char **out,
		      char err[static LIA_ERR_MAX])
{
	const json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (need)
			return lia_errf(err, "the header has no \"%s\"", key);
		return 0;
	}
	if (!json_is_string(v))
		return lia_errf(err, "\"%s\" must be a string", key);
	*out = json_string_value(v);
	return 0;
}

static int copy_name(char *out, size_t cap, const char *s, bool (*valid)(const char *),
		     const char *what, char err[static LIA_ERR_MAX])
{
	size_t n = strlen(s);
	if (n >= cap || (valid != NULL && !valid(s)))
		return lia_errf(err, "\"%s\" is not a valid %s", s, what);
	memcpy(out, s, n + 1);
	return 0;
}

static int get_names(struct lia_names *l, const json_t *obj, const char *key,
		     bool (*valid)(const char *), const char *what, char err[static LIA_ERR_MAX])
{
	const json_t *a = json_object_get(obj, key);
	l->n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return lia_errf(err, "\"%s\" must be a list of names", key);
	if (json_array_size(a) > LIA_LIST_MAX)
		return lia_errf(err, "\"%s\" has more than %d names", key, LIA_LIST_MAX);
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *v = json_array_get(a, i);
		if (!json_is_string(v))
			return lia_errf(err, "\"%s\" must be a list of names", key);
		const char *s = json_string_value(v);
		if (!valid(s))
			return lia_errf(err, "\"%s\" in \"%s\" is not a valid %s", s, key, what);
		if (lia_names_has(l, s))
			return lia_errf(err, "\"%s\" is listed twice in \"%s\"", s, key);
		if (lia_names_add(l, s) != 0)
			return lia_errf(err, "\"%s\" in \"%s\" is too long", s, key);
	}
	return 0;
}

/* A time as "2026-11-28T10:00:00Z", "@SECONDS", a number, or null (0). */
static int get_time(const json_t *obj, const char *key, int64_t *out, char err[static LIA_ERR_MAX])
{
	const json_t *v = json_object_get(obj, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return 0;
	}
	if (!json_is_string(v) || lia_time_parse(json_string_value(v), out) != 0)
		return lia_errf(err, "\"%s\" must be a time such as \"2026-11-28T10:00:00Z\"", key);
	return 0;
}

static int get_evaluation(struct lia_evaluation *e, const json_t *obj,
			  char err[static LIA_ERR_MAX])
{
	const char *s;
	memset(e, 0, sizeof *e);
	if (get_string(obj, "evaluation", false, &s, err) != 0)
		return -1;
	if (s == NULL || strcmp(s, "none") == 0)
		return 0;
	/* "4x4 B2" / "6x6 D5" */
	if (strlen(s) != 6 || s[3] != ' ' || s[5] < '1' || s[5] > '6')
		return lia_errf(err, "\"evaluation\" must look like \"4x4 B2\" or be \"none\"");
	if (strncmp(s, "4x4", 3) == 0)
		e->scheme = LIA_EVAL_EUROPOL_4X4;
	else if (strncmp(s, "6x6", 3) == 0)
		e->scheme = LIA_EVAL_ADMIRALTY_6X6;
	else
		return lia_errf(err, "\"evaluation\" must use scheme 4x4 or 6x6");
	e->source = s[4];
	e->information = (uint8_t)(s[5] - '0');
	return 0;
}

static int get_h3(struct lia_h3 *h3, const json_t *r, char err[static LIA_ERR_MAX])
{
	static const char *const keys[] = {"text",          "deny_agencies",      "deny_countries",
					   "allowed_roles", "max_retention_days", NULL};
	const json_t *j = json_object_get(r, "h3");
	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return lia_errf(err, "\"h3\" must be an object");
	if (check_keys(j, "h3", keys, err) != 0)
		return -1;
	const char *text;
	if (get_string(j, "text", false, &text, err) != 0)
		return -1;
	if (text != NULL && copy_name(h3->text, sizeof h3->text, text, NULL, "H3 text", err) != 0)
		return -1;
	if (get_names(&h3->deny_agencies, j, "deny_agencies", lia_name_is_agency, "agency", err) != 0 ||
	    get_names(&h3->deny_countries, j, "deny_countries", lia_name_is_country, "country",
		      err) != 0)
		return -1;
	const json_t *roles = json_object_get(j, "allowed_roles");
	if (roles != NULL && !json_is_array(roles))
		return lia_errf(err, "\"allowed_roles\" must be a list of roles");
	for (size_t i = 0; roles != NULL && i < json_array_size(roles); i++) {
		const json_t *v = json_array_get(roles, i);
		enum lia_role role;
		if (!json_is_string(v) || lia_role_parse(json_string_value(v), &role) != 0)
			return lia_errf(err, "\"allowed_roles\" holds an unknown role");
		h3->allowed_roles |= LIA_ROLE_BIT(role);
	}
	const json_t *days = json_object_get(j, "max_retention_days");
	if (days != NULL && !json_is_null(days)) {
		if (!json_is_integer(days) || json_integer_value(days) < 0 ||
		    json_integer_value(days) > UINT32_MAX)
			return lia_errf(err, "\"max_retention_days\" must be a whole number of days");
		h3->max_retention_days = (uint32_t)json_integer_value(days);
	}
	return 0;
}

static int get_restrictions(struct lia_restrictions *r, const json_t *h,
			    char err[static LIA_ERR_MAX])
{
	static const char *const keys[] = {"tlp",          "handling",        "h3",
					   "release_agencies", "release_principals", "release_regions",
					   "embargo_until",    "expires_at",         NULL};
	const json_t *j = json_object_get(h, "restrictions");
	if (j == NULL || !json_is_object(j))
		return lia_errf(err, "the header has no \"restrictions\" object");
	if (check_keys(j, "restrictions", keys, err) != 0)
		return -1;
	const char *tlp;
	if (get_string(j, "tlp", true, &tlp, err) != 0)
		return -1;
	if (lia_tlp_parse(tlp, &r->tlp) != 0)
		return lia_errf(err, "\"%s\" is not a TLP (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)", tlp);
	const json_t *handling = json_object_get(j, "handling");
	if (handling != NULL && !json_is_array(handling))
		return lia_errf(err, "\"handling\" must be a list such as [\"H2\"]");
	for (size_t i = 0; handling != NULL && i < json_array_size(handling); i++) {
		const json_t *v = json_array_get(handling, i);
		uint32_t bit;
		if (!json_is_string(v))
			return lia_errf(err, "\"handling\" must be a list such as [\"H2\"]");
		if (strcmp(json_string_value(v), "H0") == 0)
			continue; /* always implied */
		if (lia_handling_parse(json_string_value(v), &bit) != 0)
			return lia_errf(err, "\"%s\" is not a handling code (H0-H3)",
					json_string_value(v));
		r->handling |= bit;
	}
	if (get_h3(&r->h3, j, err) != 0)
		return -1;
	if (get_names(&r->release_agencies, j, "release_agencies", lia_name_is_agency, "agency",
		      err) != 0 ||
	    get_names(&r->release_principals, j, "release_principals", lia_name_is_subject,
		      "principal", err) != 0 ||
	    get_names(&r->release_regions, j, "release_regions", lia_name_is_region, "region",
		      err) != 0)
		return -1;
	if (get_time(j, "embargo_until", &r->embargo_until, err) != 0 ||
	    get_time(j, "expires_at", &r->expires_at, err) != 0)
		return -1;
	return 0;
}

int lia_scenario_header(struct lia_header *h, const json_t *j, int64_t now,
			char err[static LIA_ERR_MAX])
{
	static const char *const keys[] = {
		"id",       "originator", "originator_key_id", "created_at", "kind",
		"regions",  "topic",      "restrictions",      "evaluation", "data_subjects",
		"body_length", "in_reply_to", "supersedes",    NULL};
	memset(h, 0, sizeof *h);
	if (!json_is_object(j))
		return lia_errf(err, "a header is a JSON object");
	if (check_keys(j, "the header", keys, err) != 0)
		return -1;
	const char *s;
	if (get_string(j, "id", false, &s, err) != 0)
		return -1;
	if (s != NULL && lia_unhex(h->id, LIA_ID_BYTES, s) != 0)
		return lia_errf(err, "\"id\" must be %d hex digits", 2 * LIA_ID_BYTES);
	if (get_string(j, "originator", true, &s, err) != 0 ||
	    copy_name(h->originator, sizeof h->originator, s, lia_name_is_subject, "principal",
		      err) != 0)
		return -1;
	h->created_at = now;
	if (get_time(j, "created_at", &h->created_at, err) != 0)
		return -1;
	if (get_string(j, "kind", true, &s, err) != 0)
		return -1;
	if (lia_kind_parse(s, &h->kind) != 0)
		return lia_errf(err, "\"%s\" is not a message kind", s);
	if (get_names(&h->regions, j, "regions", lia_name_is_region, "region", err) != 0)
		return -1;
	if (get_string(j, "topic", false, &s, err) != 0)
		return -1;
	if (s != NULL && copy_name(h->topic, sizeof h->topic, s, NULL, "topic", err) != 0)
		return -1;
	if (get_restrictions(&h->restrictions, j, err) != 0 || get_evaluation(&h->evaluation, j, err) != 0)
		return -1;
	const json_t *subjects = json_object_get(j, "data_subjects");
	if (subjects != NULL && !json_is_array(subjects))
		return lia_errf(err, "\"data_subjects\" must be a list such as [\"suspect\"]");
	for (size_t i = 0; subjects != NULL && i < json_array_size(subjects); i++) {
		const json_t *v = json_array_get(subjects, i);
		enum lia_subject sub;
		if (!json_is_string(v) || lia_subject_parse(json_string_value(v), &sub) != 0)
			return lia_errf(err, "\"data_subjects\" holds an unknown category");
		h->subjects |= LIA_SUBJECT_BIT(sub);
	}
	return 0;
}

int lia_scenario_principal(struct lia_cert *c, const char *spec, enum lia_role default_role,
			   const struct lia_policy *p, char err[static LIA_ERR_MAX])
{
	memset(c, 0, sizeof *c);
	const char *colon = strchr(spec, ':');
	size_t n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (n >= sizeof c->subject)
		return lia_errf(err, "\"%s\" is not a principal such as IT-GDF/rome", spec);
	memcpy(c->subject, spec, n);
	c->subject[n] = '\0';
	if (!lia_name_is_subject(c->subject))
		return lia_errf(err, "\"%s\" is not a principal such as IT-GDF/rome", c->subject);
	lia_subject_agency(c->subject, c->agency);
	const struct lia_policy_agency *a = lia_policy_agency(p, c->agency);
	memcpy(c->country, a != NULL ? a->country : "ZZ", 3);
	c->kind = LIA_CERT_PRINCIPAL;
	c->not_before = INT64_MIN;
	c->not_after = INT64_MAX;
	if (colon == NULL) {
		c->roles = LIA_ROLE_BIT(default_role);
		return 0;
	}
	/* ":analyst,auditor" */
	const char *s = colon + 1;
	while (*s != '\0') {
		size_t k = strcspn(s, ",");
		char name[16];
		enum lia_role role;
		if (k == 0 || k >= sizeof name)
			return lia_errf(err, "bad role list in \"%s\"", spec);
		memcpy(name, s, k);
		name[k] = '\0';
		if (lia_role_parse(name, &role) != 0)
			return lia_errf(err, "unknown role \"%s\" (liaison, analyst, auditor, broker)",
					name);
		c->roles |= LIA_ROLE_BIT(role);
		s += k;
		if (*s == ',')
			s++;
	}
	if (c->roles == 0)
		return lia_errf(err, "no role in \"%s\"", spec);
	if (c->roles & LIA_ROLE_BIT(LIA_ROLE_BROKER))
		c->kind = LIA_CERT_BROKER;
	return 0;
}
