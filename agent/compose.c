/*
 * compose.c — message header and body from flags.
 */
#include "compose.h"

#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "check.h"
#include "util.h"

enum {
	O_KIND = LIA_COMPOSE_OPT_BASE,
	O_BODY,
	O_SET,
	O_TITLE,
	O_SUMMARY,
	O_TEXT,
	O_REGION,
	O_TOPIC,
	O_TLP,
	O_HANDLING,
	O_H3_TEXT,
	O_H3_DENY_AGENCY,
	O_H3_DENY_COUNTRY,
	O_H3_ROLE,
	O_H3_RETENTION,
	O_REL_AGENCY,
	O_REL_PRINCIPAL,
	O_REL_REGION,
	O_EMBARGO,
	O_EXPIRES,
	O_EVALUATION,
	O_SUBJECT,
	O_IN_REPLY_TO,
	O_SUPERSEDES,
};

/* The flags of a message, in the two groups `--help` shows. */
static const struct lia_opt message_opts[] = {
	{"kind", "KIND", "route, carrier, network, document, concealment,\n"
			 "legislation, technical, verification-request,\n"
			 "verification-answer, note, recall", O_KIND, 0},
	{"body", "FILE", "the body as JSON (see docs/formats.md; - reads the standard\n"
			 "input), or build it with:", O_BODY, 0},
	{"title", "TEXT", "the body's title", O_TITLE, 0},
	{"summary", "TEXT", "the body's summary", O_SUMMARY, 0},
	{"text", "TEXT", "the text of a note (- reads it from the standard input)", O_TEXT, 0},
	{"set", "FIELD=VALUE", "any body field by its schema name, e.g.\n"
			       "--set mode=sea --set embarkation[0].name=Zuwara\n"
			       "--set embarkation[0].country=LY --set capacity=80", O_SET, 0},
	{"region", "REGION", "regions the content concerns (repeatable)", O_REGION, 0},
	{"topic", "TEXT", "short routing topic (never content)", O_TOPIC, 0},
	{"data-subject", "CAT", "personal data present: suspect, victim, witness,\n"
				"contact, smuggled-migrant (repeatable)", O_SUBJECT, 0},
	{"evaluation", "CODE", "B2 (Europol 4x4), 4x4:B2 or 6x6:C3 (Admiralty)", O_EVALUATION, 0},
	{"in-reply-to", "ID", "the message this one answers", O_IN_REPLY_TO, 0},
	{"supersedes", "ID", "the message this one corrects or replaces", O_SUPERSEDES, 0},
	{NULL, NULL, NULL, 0, 0},
};

static const struct lia_opt restriction_opts[] = {
	{"tlp", "LEVEL", "CLEAR, GREEN, AMBER, AMBER+STRICT, RED (required)", O_TLP, 0},
	{"handling", "CODES", "H1 (no judicial use), H2 (no onward dissemination),\n"
			      "H3 (other: needs --h3-text); H0 is always implied", O_HANDLING, 0},
	{"h3-text", "TEXT", "H3: the other restrictions, in words", O_H3_TEXT, 0},
	{"h3-deny-agency", "AGENCY", "H3: never to this agency (repeatable)", O_H3_DENY_AGENCY, 0},
	{"h3-deny-country", "CC", "H3: never to agencies of this country (repeatable)",
	 O_H3_DENY_COUNTRY, 0},
	{"h3-role", "ROLE", "H3: only to these roles (repeatable)", O_H3_ROLE, 0},
	{"h3-retention-days", "N", "H3: keep at most N days", O_H3_RETENTION, 0},
	{"release-agency", "AGENCY", "releasable to this agency (repeatable)", O_REL_AGENCY, 0},
	{"release-principal", "AGENCY/name", "releasable to this principal (repeatable)",
	 O_REL_PRINCIPAL, 0},
	{"release-region", "REGION", "releasable to members of this region (repeatable)",
	 O_REL_REGION, 0},
	{"embargo-until", "TIME", "not before TIME (2026-11-28T10:00:00Z, or +12h from now)", O_EMBARGO, 0},
	{"expires-at", "TIME", "not after TIME (2026-11-28T10:00:00Z, or +7d from now)", O_EXPIRES, 0},
	{NULL, NULL, NULL, 0, 0},
};

const struct lia_opt_group lia_compose_groups[] = {
	{"message options:", message_opts},
	{"restrictions (Article 10(2)):", restriction_opts},
	{NULL, NULL},
};

void lia_compose_init(struct lia_compose *c)
{
	memset(c, 0, sizeof *c);
}

void lia_compose_clear(struct lia_compose *c)
{
	json_decref(c->body);
	memset(c, 0, sizeof *c);
}

static int add_name(struct lia_names *l, const char *v, bool (*valid)(const char *),
		    const char *flag, const char *shape, char err[static LIA_ERR_MAX])
{
	if (!valid(v))
		return lia_errf(err, "--%s \"%s\": expected %s", flag, v, shape);
	if (lia_names_has(l, v))
		return lia_errf(err, "--%s \"%s\" given twice", flag, v);
	if (lia_names_add(l, v) != 0)
		return lia_errf(err, "--%s: at most %d values", flag, LIA_LIST_MAX);
	return 0;
}

/* "4x4:B2", "6x6:A1" or plain "B2" (4x4). */
static int parse_evaluation(struct lia_evaluation *e, const char *s, char err[static LIA_ERR_MAX])
{
	enum lia_eval_scheme scheme = LIA_EVAL_EUROPOL_4X4;
	if (strncmp(s, "4x4:", 4) == 0) {
		s += 4;
	} else if (strncmp(s, "6x6:", 4) == 0) {
		scheme = LIA_EVAL_ADMIRALTY_6X6;
		s += 4;
	}
	if (strlen(s) != 2 || s[1] < '1' || s[1] > '6')
		return lia_errf(err, "--evaluation \"%s\": expected e.g. B2, 4x4:B2 or 6x6:C3", s);
	char src = s[0];
	unsigned info = (unsigned)(s[1] - '0');
	bool ok = scheme == LIA_EVAL_EUROPOL_4X4
			  ? ((src == 'A' || src == 'B' || src == 'C' || src == 'X') && info <= 4)
			  : (src >= 'A' && src <= 'F' && info <= 6);
	if (!ok)
		return lia_errf(err, "--evaluation \"%s\": out of range for %s (4x4: A,B,C,X and 1-4; "
				     "6x6: A-F and 1-6)", s, lia_eval_scheme_str(scheme));
	e->scheme = scheme;
	e->source = src;
	e->information = (uint8_t)info;
	return 0;
}

static int set_field(struct lia_compose *c, const char *path, const char *value,
		     char err[static LIA_ERR_MAX])
{
	c->have_fields = 1;
	return lia_body_set(&c->body, path, value, err);
}

int lia_compose_field(struct lia_compose *c, const char *path, const char *value,
		      char err[static LIA_ERR_MAX])
{
	return set_field(c, path, value, err);
}

/* --set route.mode=sea is relative to the Body; "mode=sea" is taken as
 * a field of the kind's content when the kind is already known. */
static int set_from_flag(struct lia_compose *c, const char *arg, char err[static LIA_ERR_MAX])
{
	const char *eq = strchr(arg, '=');
	if (eq == NULL || eq == arg)
		return lia_errf(err, "--set \"%s\": expected FIELD=VALUE", arg);
	char path[256];
	size_t n = (size_t)(eq - arg);
	if (n >= sizeof path)
		return lia_errf(err, "--set: field path too long");
	memcpy(path, arg, n);
	path[n] = '\0';
	char err2[LIA_ERR_MAX];
	if (lia_body_set(&c->body, path, eq + 1, err2) == 0) {
		c->have_fields = 1;
		return 0;
	}
	const char *content = lia_body_content_field(c->hdr.kind);
	if (content != NULL) {
		char full[300], err3[LIA_ERR_MAX];
		int w = snprintf(full, sizeof full, "%s.%s", content, path);
		if (w > 0 && (size_t)w < sizeof full) {
			if (lia_body_set(&c->body, full, eq + 1, err3) == 0) {
				c->have_fields = 1;
				return 0;
			}
			/* Not a field of the Body itself: what the kind's content
			 * said of it ("route.capacity: expected an integer") is the
			 * reason, not "no field here" (issue 16). */
			if (strstr(err2, "no field") != NULL)
				return lia_errf(err, "--set %s", err3);
		}
	}
	return lia_errf(err, "--set %s", err2);
}

/* --text -: the note's text from the standard input (one final newline
 * dropped), which can be read once. */
static int text_from_stdin(struct lia_compose *c, char err[static LIA_ERR_MAX])
{
	if (c->stdin_used)
		return lia_errf(err, "--text -: the standard input is already read (--body -)");
	c->stdin_used = true;
	uint8_t *buf = NULL;
	size_t len = 0;
	if (lia_stdin_read(LIA_BODY_MAX, &buf, &len, err) != 0)
		return -1;
	if (memchr(buf, '\0', len) != NULL) {
		free(buf);
		return lia_errf(err, "--text -: the standard input holds a NUL byte");
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	char *text = malloc(len + 1);
	if (text == NULL) {
		free(buf);
		return lia_errf(err, "out of memory");
	}
	memcpy(text, buf, len);
	text[len] = '\0';
	free(buf);
	int rc = set_field(c, "note.text", text, err);
	free(text);
	return rc;
}

int lia_compose_option(struct lia_compose *c, int code, const char *arg,
		       char err[static LIA_ERR_MAX])
{
	struct lia_restrictions *r = &c->hdr.restrictions;
	uint32_t bit;
	enum lia_role role;
	enum lia_subject subj;
	uint64_t u;
	switch (code) {
	case O_KIND:
		if (lia_kind_parse(arg, &c->hdr.kind) != 0)
			return lia_errf(err, "--kind \"%s\": expected route, carrier, network, document, "
					     "concealment, legislation, technical, verification-request, "
					     "verification-answer, note or recall", arg);
		return 1;
	case O_BODY:
		if (strcmp(arg, "-") == 0 && c->stdin_used)
			return lia_errf(err, "--body -: the standard input is already read (--text -)");
		c->stdin_used = c->stdin_used || strcmp(arg, "-") == 0;
		c->body_file = arg;
		return 1;
	case O_SET:
		if (c->n_sets >= sizeof c->sets / sizeof c->sets[0])
			return lia_errf(err, "--set: at most %zu fields", sizeof c->sets / sizeof c->sets[0]);
		c->sets[c->n_sets++] = arg;
		c->have_fields = 1;
		return 1;
	case O_TITLE: return set_field(c, "title", arg, err) == 0 ? 1 : -1;
	case O_SUMMARY: return set_field(c, "summary", arg, err) == 0 ? 1 : -1;
	case O_TEXT:
		if (strcmp(arg, "-") == 0)
			return text_from_stdin(c, err) == 0 ? 1 : -1;
		return set_field(c, "note.text", arg, err) == 0 ? 1 : -1;
	case O_REGION:
		return add_name(&c->hdr.regions, arg, lia_name_is_region, "region", "a region like MED-CENTRAL", err) == 0 ? 1 : -1;
	case O_TOPIC: {
		uint32_t cp = 0;
		if (strlen(arg) >= LIA_TOPIC_MAX)
			return lia_errf(err, "--topic: at most %d bytes", LIA_TOPIC_MAX - 1);
		switch (lia_text_scan(arg, strlen(arg), 0, &cp)) {
		case LIA_TEXT_VALID: break;
		case LIA_TEXT_NOT_UTF8: return lia_errf(err, "--topic: not valid UTF-8");
		case LIA_TEXT_REFUSED:
			return lia_errf(err, "--topic: contains a control or invisible character (U+%04X)",
					(unsigned)cp);
		}
		memcpy(c->hdr.topic, arg, strlen(arg) + 1);
		return 1;
	}
	case O_TLP:
		if (lia_tlp_parse(arg, &r->tlp) != 0)
			return lia_errf(err, "--tlp \"%s\": expected CLEAR, GREEN, AMBER, AMBER+STRICT or RED", arg);
		return 1;
	case O_HANDLING: {
		/* "H1,H2" or repeated flags. H0 is implied and accepted. */
		char buf[32];
		if (strlen(arg) >= sizeof buf)
			return lia_errf(err, "--handling \"%s\": expected H1, H2, H3 or a list", arg);
		memcpy(buf, arg, strlen(arg) + 1);
		for (char *tok = buf, *next; tok != NULL; tok = next) {
			next = strchr(tok, ',');
			if (next != NULL)
				*next++ = '\0';
			if (strcmp(tok, "H0") == 0)
				continue;
			if (lia_handling_parse(tok, &bit) != 0)
				return lia_errf(err, "--handling \"%s\": expected H0, H1, H2 or H3", tok);
			r->handling |= bit;
		}
		return 1;
	}
	case O_H3_TEXT:
		if (strlen(arg) == 0 || strlen(arg) >= LIA_TEXT_MAX)
			return lia_errf(err, "--h3-text: 1 to %d characters", LIA_TEXT_MAX - 1);
		memcpy(r->h3.text, arg, strlen(arg) + 1);
		r->handling |= LIA_HANDLING_H3;
		return 1;
	case O_H3_DENY_AGENCY:
		r->handling |= LIA_HANDLING_H3;
		return add_name(&r->h3.deny_agencies, arg, lia_name_is_agency, "h3-deny-agency", "an agency like IT-GDF", err) == 0 ? 1 : -1;
	case O_H3_DENY_COUNTRY:
		r->handling |= LIA_HANDLING_H3;
		return add_name(&r->h3.deny_countries, arg, lia_name_is_country, "h3-deny-country", "a country code like IT", err) == 0 ? 1 : -1;
	case O_H3_ROLE:
		if (lia_role_parse(arg, &role) != 0 || role == LIA_ROLE_BROKER)
			return lia_errf(err, "--h3-role \"%s\": expected liaison, analyst or auditor", arg);
		r->h3.allowed_roles |= LIA_ROLE_BIT(role);
		r->handling |= LIA_HANDLING_H3;
		return 1;
	case O_H3_RETENTION:
		if (lia_parse_u64(arg, &u) != 0 || u == 0 || u > 36500)
			return lia_errf(err, "--h3-retention-days: 1 to 36500");
		r->h3.max_retention_days = (uint32_t)u;
		r->handling |= LIA_HANDLING_H3;
		return 1;
	case O_REL_AGENCY:
		return add_name(&r->release_agencies, arg, lia_name_is_agency, "release-agency", "an agency like IT-GDF", err) == 0 ? 1 : -1;
	case O_REL_PRINCIPAL:
		return add_name(&r->release_principals, arg, lia_name_is_subject, "release-principal", "a principal like IT-GDF/ventimiglia", err) == 0 ? 1 : -1;
	case O_REL_REGION:
		return add_name(&r->release_regions, arg, lia_name_is_region, "release-region", "a region like MED-CENTRAL", err) == 0 ? 1 : -1;
	case O_EMBARGO:
		if (lia_time_parse(arg, &r->embargo_until) != 0)
			return lia_errf(err, "--embargo-until \"%s\": expected 2026-11-28T10:00:00Z or +12h", arg);
		return 1;
	case O_EXPIRES:
		if (lia_time_parse(arg, &r->expires_at) != 0)
			return lia_errf(err, "--expires-at \"%s\": expected 2026-11-28T10:00:00Z or +7d", arg);
		return 1;
	case O_EVALUATION:
		return parse_evaluation(&c->hdr.evaluation, arg, err) == 0 ? 1 : -1;
	case O_SUBJECT:
		if (lia_subject_parse(arg, &subj) != 0)
			return lia_errf(err, "--data-subject \"%s\": expected suspect, victim, witness, "
					     "contact or smuggled-migrant", arg);
		if (c->hdr.subjects & LIA_SUBJECT_BIT(subj))
			return lia_errf(err, "--data-subject \"%s\" given twice", arg);
		c->hdr.subjects |= LIA_SUBJECT_BIT(subj);
		return set_field(c, "data_subjects", arg, err) == 0 ? 1 : -1;
	case O_IN_REPLY_TO:
		if (lia_unhex(c->hdr.in_reply_to, LIA_ID_BYTES, arg) != 0)
			return lia_errf(err, "--in-reply-to: expected a message id (32 hex digits)");
		c->hdr.has_in_reply_to = true;
		return 1;
	case O_SUPERSEDES:
		if (lia_unhex(c->hdr.supersedes, LIA_ID_BYTES, arg) != 0)
			return lia_errf(err, "--supersedes: expected a message id (32 hex digits)");
		c->hdr.has_supersedes = true;
		return 1;
	default:
		return 0;
	}
}

/* Personal data categories the body declares, as header bits. */
static int body_subjects(const json_t *body, uint32_t *bits, char err[static LIA_ERR_MAX])
{
	*bits = 0;
	json_t *a = json_object_get(body, "data_subjects");
	if (a == NULL)
		return 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		enum lia_subject s;
		if (!json_is_string(v) || lia_subject_parse(json_string_value(v), &s) != 0)
			return lia_errf(err, "body.data_subjects: unknown category");
		*bits |= LIA_SUBJECT_BIT(s);
	}
	return 0;
}

/* A verification request's header route, from its body: the broker
 * sends it to the issuing state's office by it (the body must agree,
 * lia_body_check). Urgency left out is normal, in both. */
static int verification_route(struct lia_compose *c, json_t *vr, char err[static LIA_ERR_MAX])
{
	const char *state = json_string_value(json_object_get(vr, "issuing_state"));
	if (state == NULL || !lia_name_is_country(state))
		return lia_errf(err, "a verification request names the state that issued the document "
				     "(--set issuing_state=HR, an ISO alpha-2 code)");
	json_t *u = json_object_get(vr, "urgency");
	if (u == NULL)
		json_object_set_new(vr, "urgency", u = json_string("normal"));
	enum lia_urgency urgency;
	if (!json_is_string(u) || lia_urgency_parse(json_string_value(u), &urgency) != 0)
		return lia_errf(err, "urgency: urgent, normal or routine");
	memcpy(c->hdr.verification.issuing_state, state, 3);
	c->hdr.verification.urgency = urgency;
	c->hdr.has_verification = true;
	return 0;
}

int lia_compose_finish(struct lia_compose *c, uint8_t **body, size_t *body_len,
		       char err[static LIA_ERR_MAX])
{
	struct lia_restrictions *r = &c->hdr.restrictions;
	if (c->hdr.kind == 0)
		return lia_errf(err, "--kind is required");
	if (r->tlp == 0)
		return lia_errf(err, "--tlp is required: CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
	if ((r->handling & LIA_HANDLING_H3) && r->h3.text[0] == '\0')
		return lia_errf(err, "H3 needs --h3-text saying what the restriction is");
	for (size_t i = 0; i < c->n_sets; i++)
		if (set_from_flag(c, c->sets[i], err) != 0)
			return -1;
	if (c->body_file != NULL) {
		if (c->have_fields)
			return lia_errf(err, "--body excludes --set, --title, --summary, --text and "
					     "--data-subject (put them in the file)");
		uint8_t *buf = NULL;
		size_t len = 0;
		if ((strcmp(c->body_file, "-") == 0 ? lia_stdin_read(2u * LIA_BODY_MAX, &buf, &len, err)
						     : lia_file_read(c->body_file, 2u * LIA_BODY_MAX, &buf, &len, err)) != 0)
			return -1;
		json_error_t jerr;
		c->body = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
		free(buf);
		if (c->body == NULL)
			return lia_errf(err, "body file \"%s\", line %d column %d: %s", c->body_file,
					jerr.line, jerr.column, jerr.text);
		uint32_t bits;
		if (body_subjects(c->body, &bits, err) != 0)
			return -1;
		/* The header declares at least what the body holds. */
		c->hdr.subjects |= bits;
	}
	if (c->body == NULL)
		return lia_errf(err, "no body: give --body FILE or --title/--set fields");
	const char *content = lia_body_content_field(c->hdr.kind);
	if (json_object_get(c->body, content) == NULL)
		json_object_set_new(c->body, content, json_object());
	/* The route is checked after the personal data below: a holder
	 * named without a category is the first thing to hear about. */
	char route_err[LIA_ERR_MAX] = "";
	if (c->hdr.kind == LIA_KIND_VERIFICATION_REQUEST)
		(void)verification_route(c, json_object_get(c->body, content), route_err);
	if (lia_body_from_json(c->body, body, body_len, err) != 0)
		return -1;
	/* What the fields say of persons must be in the markings, or the
	 * policy's personal-data rules never apply (issue 10, item 11). Both
	 * publish and seal come through here. */
	if (lia_body_subjects_cover(*body, *body_len, c->hdr.subjects, err) != 0 ||
	    (route_err[0] != '\0' && lia_errf(err, "%s", route_err) != 0)) {
		free(*body);
		*body = NULL;
		*body_len = 0;
		return -1;
	}
	return 0;
}

