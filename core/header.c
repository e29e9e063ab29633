/*
 * header.c — Header protobuf <-> struct lia_header.
 *
 * Parsing is the edge: after lia_header_parse() every name has its
 * documented shape, every enum is in range, every list is bounded and
 * free of duplicates, and every fixed-size field has its size. Semantic
 * rules (RED needs named principals, ...) belong to the policy engine.
 */
#include "header_int.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.pb-c.h"
#include "pb_int.h"
#include "sig.h"
#include "util.h"

static int names_in(struct lia_names *out, char **v, size_t n, bool (*valid)(const char *),
		    const char **why, const char *what)
{
	out->n = 0;
	if (n > LIA_LIST_MAX) {
		*why = what;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (lia_pb_str(out->v[i], LIA_NAME_MAX, v[i]) != 0 || !valid(out->v[i]) ||
		    lia_names_has(out, out->v[i])) {
			*why = what;
			return -1;
		}
		out->n++;
	}
	return 0;
}

static int id_in(bool *has, uint8_t out[static LIA_ID_BYTES], const ProtobufCBinaryData *d)
{
	*has = d->len != 0;
	if (d->len == 0)
		return 0;
	if (d->len != LIA_ID_BYTES)
		return -1;
	memcpy(out, d->data, LIA_ID_BYTES);
	return 0;
}

static int restrictions_in(struct lia_restrictions *r, const Liaison__V1__Restrictions *p,
			   const char **why)
{
	if (p == NULL) {
		*why = "restrictions missing";
		return -1;
	}
	if ((int)p->tlp < LIA_TLP_CLEAR || (int)p->tlp > LIA_TLP_RED) {
		*why = "TLP missing or out of range";
		return -1;
	}
	r->tlp = (enum lia_tlp)p->tlp;
	if (p->n_handling > 3) {
		*why = "too many handling codes";
		return -1;
	}
	for (size_t i = 0; i < p->n_handling; i++) {
		int c = (int)p->handling[i];
		if (c < 1 || c > 3 || (r->handling & (1u << c))) {
			*why = "handling code out of range or repeated";
			return -1;
		}
		r->handling |= 1u << c;
	}
	bool h3 = (r->handling & LIA_HANDLING_H3) != 0;
	if (h3 != (p->h3 != NULL)) {
		*why = "H3 conditions present without H3, or H3 without conditions";
		return -1;
	}
	if (p->h3 != NULL) {
		const Liaison__V1__H3Conditions *c = p->h3;
		if (lia_pb_str(r->h3.text, sizeof r->h3.text, c->text) != 0 || r->h3.text[0] == '\0') {
			*why = "H3 text missing, too long or with control characters";
			return -1;
		}
		if (names_in(&r->h3.deny_agencies, c->deny_agencies, c->n_deny_agencies,
			     lia_name_is_agency, why, "invalid H3 deny_agencies") != 0 ||
		    names_in(&r->h3.deny_countries, c->deny_countries, c->n_deny_countries,
			     lia_name_is_country, why, "invalid H3 deny_countries") != 0)
			return -1;
		if (c->n_allowed_roles > 4) {
			*why = "too many H3 allowed roles";
			return -1;
		}
		for (size_t i = 0; i < c->n_allowed_roles; i++) {
			int role = (int)c->allowed_roles[i];
			if (role < LIA_ROLE_LIAISON || role > LIA_ROLE_AUDITOR ||
			    (r->h3.allowed_roles & LIA_ROLE_BIT(role))) {
				*why = "H3 allowed role out of range or repeated";
				return -1;
			}
			r->h3.allowed_roles |= LIA_ROLE_BIT(role);
		}
		r->h3.max_retention_days = c->max_retention_days;
	}
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

static int evaluation_in(struct lia_evaluation *e, const Liaison__V1__Evaluation *p,
			 const char **why)
{
	memset(e, 0, sizeof *e);
	if (p == NULL)
		return 0;
	*why = "evaluation out of range for its scheme";
	int src = (int)p->source;
	if (p->scheme == LIAISON__V1__EVALUATION_SCHEME__EVALUATION_SCHEME_EUROPOL_4X4) {
		if (!(src == 1 || src == 2 || src == 3 || src == 7) || p->information < 1 ||
		    p->information > 4)
			return -1;
	} else if (p->scheme == LIAISON__V1__EVALUATION_SCHEME__EVALUATION_SCHEME_ADMIRALTY_6X6) {
		if (src < 1 || src > 6 || p->information < 1 || p->information > 6)
			return -1;
	} else {
		return -1;
	}
	e->scheme = (enum lia_eval_scheme)p->scheme;
	e->source = src == 7 ? 'X' : (char)('A' + src - 1);
	e->information = (uint8_t)p->information;
	return 0;
}

int lia_header_parse(struct lia_header *h, const uint8_t *buf, size_t len, const char **why)
{
	memset(h, 0, sizeof *h);
	*why = "header does not decode";
	if (len > LIA_HEADER_MAX) {
		*why = "header too large";
		return -1;
	}
	struct lia_pb_budget budget;
	lia_pb_budget_init(&budget, LIA_PB_BUDGET(len));
	Liaison__V1__Header *p = liaison__v1__header__unpack(&budget.alloc, len, buf);
	if (p == NULL)
		return -1;
	int rc = -1;
	if (p->version != 1) {
		*why = "unsupported header version";
		goto out;
	}
	if (p->id.len != LIA_ID_BYTES || p->originator_sign_key_id.len != LIA_KEYID_BYTES ||
	    p->originator_box_key_id.len != LIA_KEYID_BYTES ||
	    p->ciphertext_hash.len != LIA_HASH_BYTES || p->key_commitment.len != LIA_HASH_BYTES) {
		*why = "a fixed-size header field has the wrong length";
		goto out;
	}
	memcpy(h->id, p->id.data, LIA_ID_BYTES);
	memcpy(h->originator_sign_kid, p->originator_sign_key_id.data, LIA_KEYID_BYTES);
	memcpy(h->originator_box_kid, p->originator_box_key_id.data, LIA_KEYID_BYTES);
	memcpy(h->ciphertext_hash, p->ciphertext_hash.data, LIA_HASH_BYTES);
	memcpy(h->key_commitment, p->key_commitment.data, LIA_HASH_BYTES);
	if (lia_pb_str(h->originator, sizeof h->originator, p->originator) != 0 ||
	    !lia_name_is_subject(h->originator)) {
		*why = "invalid originator";
		goto out;
	}
	if (p->created_at <= 0) {
		*why = "creation time missing";
		goto out;
	}
	h->created_at = p->created_at;
	if (p->kind < 1 || p->kind > LIA_KIND_MAX) {
		*why = "message kind missing or unknown";
		goto out;
	}
	h->kind = (enum lia_kind)p->kind;
	if (names_in(&h->regions, p->regions, p->n_regions, lia_name_is_region, why,
		     "invalid regions") != 0)
		goto out;
	if (lia_pb_str(h->topic, sizeof h->topic, p->topic) != 0) {
		*why = "topic too long or with control characters";
		goto out;
	}
	if (id_in(&h->has_in_reply_to, h->in_reply_to, &p->in_reply_to) != 0 ||
	    id_in(&h->has_supersedes, h->supersedes, &p->supersedes) != 0) {
		*why = "in_reply_to or supersedes is not a message id";
		goto out;
	}
	if (restrictions_in(&h->restrictions, p->restrictions, why) != 0 ||
	    evaluation_in(&h->evaluation, p->evaluation, why) != 0)
		goto out;
	if (p->n_data_subjects > 5) {
		*why = "too many data-subject categories";
		goto out;
	}
	for (size_t i = 0; i < p->n_data_subjects; i++) {
		int s = (int)p->data_subjects[i];
		if (s < 1 || s > 5 || (h->subjects & LIA_SUBJECT_BIT(s))) {
			*why = "data-subject category out of range or repeated";
			goto out;
		}
		h->subjects |= LIA_SUBJECT_BIT(s);
	}
	if (p->body_length == 0 || p->body_length > LIA_BODY_MAX) {
		*why = "declared body length is zero or over the limit";
		goto out;
	}
	h->body_len = p->body_length;
	rc = 0;
out:
	liaison__v1__header__free_unpacked(p, &budget.alloc);
	if (rc != 0)
		memset(h, 0, sizeof *h);
	return rc;
}

/* Pointers into a struct lia_names, for protobuf repeated strings. */
struct strv {
	char *v[LIA_LIST_MAX];
};

static char **names_out(struct strv *sv, const struct lia_names *l, size_t *n)
{
	for (size_t i = 0; i < l->n; i++)
		sv->v[i] = (char *)l->v[i];
	*n = l->n;
	return sv->v;
}

int lia_header_encode(const struct lia_header *h, uint8_t **out, size_t *out_len, const char **why)
{
	Liaison__V1__Header p = LIAISON__V1__HEADER__INIT;
	Liaison__V1__Restrictions r = LIAISON__V1__RESTRICTIONS__INIT;
	Liaison__V1__H3Conditions h3 = LIAISON__V1__H3_CONDITIONS__INIT;
	Liaison__V1__Evaluation ev = LIAISON__V1__EVALUATION__INIT;
	Liaison__V1__HandlingCode handling[3];
	Liaison__V1__Role roles[4];
	Liaison__V1__DataSubject subjects[5];
	struct strv regions, ra, rp, rr, da, dc;
	const struct lia_restrictions *hr = &h->restrictions;

	p.version = 1;
	p.id = (ProtobufCBinaryData){LIA_ID_BYTES, (uint8_t *)h->id};
	p.originator = (char *)h->originator;
	p.originator_sign_key_id = (ProtobufCBinaryData){LIA_KEYID_BYTES, (uint8_t *)h->originator_sign_kid};
	p.originator_box_key_id = (ProtobufCBinaryData){LIA_KEYID_BYTES, (uint8_t *)h->originator_box_kid};
	p.created_at = h->created_at;
	p.kind = (Liaison__V1__MessageKind)h->kind;
	p.regions = names_out(&regions, &h->regions, &p.n_regions);
	p.topic = (char *)h->topic;
	if (h->has_in_reply_to)
		p.in_reply_to = (ProtobufCBinaryData){LIA_ID_BYTES, (uint8_t *)h->in_reply_to};
	if (h->has_supersedes)
		p.supersedes = (ProtobufCBinaryData){LIA_ID_BYTES, (uint8_t *)h->supersedes};

	r.tlp = (Liaison__V1__Tlp)hr->tlp;
	for (int c = 1; c <= 3; c++)
		if (hr->handling & (1u << c))
			handling[r.n_handling++] = (Liaison__V1__HandlingCode)c;
	r.handling = handling;
	if (hr->handling & LIA_HANDLING_H3) {
		h3.text = (char *)hr->h3.text;
		h3.deny_agencies = names_out(&da, &hr->h3.deny_agencies, &h3.n_deny_agencies);
		h3.deny_countries = names_out(&dc, &hr->h3.deny_countries, &h3.n_deny_countries);
		for (int role = LIA_ROLE_LIAISON; role <= LIA_ROLE_AUDITOR; role++)
			if (hr->h3.allowed_roles & LIA_ROLE_BIT(role))
				roles[h3.n_allowed_roles++] = (Liaison__V1__Role)role;
		h3.allowed_roles = roles;
		h3.max_retention_days = hr->h3.max_retention_days;
		r.h3 = &h3;
	}
	r.release_agencies = names_out(&ra, &hr->release_agencies, &r.n_release_agencies);
	r.release_principals = names_out(&rp, &hr->release_principals, &r.n_release_principals);
	r.release_regions = names_out(&rr, &hr->release_regions, &r.n_release_regions);
	r.embargo_until = hr->embargo_until;
	r.expires_at = hr->expires_at;
	p.restrictions = &r;

	if (h->evaluation.scheme != LIA_EVAL_NONE) {
		ev.scheme = (Liaison__V1__EvaluationScheme)h->evaluation.scheme;
		ev.source = h->evaluation.source == 'X'
				    ? LIAISON__V1__SOURCE_RELIABILITY__SOURCE_RELIABILITY_X
				    : (Liaison__V1__SourceReliability)(h->evaluation.source - 'A' + 1);
		ev.information = h->evaluation.information;
		p.evaluation = &ev;
	}
	for (int s = 1; s <= 5; s++)
		if (h->subjects & LIA_SUBJECT_BIT(s))
			subjects[p.n_data_subjects++] = (Liaison__V1__DataSubject)s;
	p.data_subjects = subjects;
	p.ciphertext_hash = (ProtobufCBinaryData){LIA_HASH_BYTES, (uint8_t *)h->ciphertext_hash};
	p.key_commitment = (ProtobufCBinaryData){LIA_HASH_BYTES, (uint8_t *)h->key_commitment};
	p.body_length = h->body_len;

	size_t len = liaison__v1__header__get_packed_size(&p);
	if (len > LIA_HEADER_MAX) {
		*why = "header too large";
		return -1;
	}
	uint8_t *buf = malloc(len);
	if (buf == NULL) {
		*why = "out of memory";
		return -1;
	}
	liaison__v1__header__pack(&p, buf);
	/* The sealer signs only what a verifier would accept. */
	struct lia_header check;
	if (lia_header_parse(&check, buf, len, why) != 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

/* --- presentation --- */

void lia_id_hex(char out[static 2 * LIA_ID_BYTES + 1], const uint8_t id[static LIA_ID_BYTES])
{
	lia_hex(out, id, LIA_ID_BYTES);
}

int lia_id_parse(uint8_t id[static LIA_ID_BYTES], const char *hex)
{
	return lia_unhex(id, LIA_ID_BYTES, hex);
}

static void handling_text(char out[static 16], uint32_t handling)
{
	size_t n = 0;
	memcpy(out, "H0", 3);
	n = 2;
	for (int c = 1; c <= 3; c++)
		if (handling & (1u << c)) {
			out[n++] = ',';
			out[n++] = 'H';
			out[n++] = (char)('0' + c);
			out[n] = '\0';
		}
}

static void evaluation_text(char out[static 16], const struct lia_evaluation *e)
{
	if (e->scheme == LIA_EVAL_NONE)
		memcpy(out, "none", 5);
	else
		snprintf(out, 16, "%s %c%u", lia_eval_scheme_str(e->scheme), e->source,
			 (unsigned)e->information);
}

json_t *lia_header_to_json(const struct lia_header *h)
{
	const struct lia_restrictions *r = &h->restrictions;
	char id[2 * LIA_ID_BYTES + 1], kid[LIA_KEYID_HEX], ev[16];
	lia_id_hex(id, h->id);
	lia_keyid_hex(kid, h->originator_sign_kid);
	evaluation_text(ev, &h->evaluation);
	json_t *handling = json_array();
	json_array_append_new(handling, json_string("H0"));
	for (int c = 1; c <= 3; c++)
		if (r->handling & (1u << c)) {
			char code[3] = {'H', (char)('0' + c), '\0'};
			json_array_append_new(handling, json_string(code));
		}
	json_t *rj = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "tlp", lia_tlp_str(r->tlp),
			       "handling", handling, "release_agencies",
			       lia_json_names(&r->release_agencies), "release_principals",
			       lia_json_names(&r->release_principals), "release_regions",
			       lia_json_names(&r->release_regions), "embargo_until",
			       lia_json_time_opt(r->embargo_until), "expires_at", lia_json_time_opt(r->expires_at));
	if (r->handling & LIA_HANDLING_H3) {
		json_t *roles = json_array();
		for (int role = LIA_ROLE_LIAISON; role <= LIA_ROLE_AUDITOR; role++)
			if (r->h3.allowed_roles & LIA_ROLE_BIT(role))
				json_array_append_new(roles, json_string(lia_role_str((enum lia_role)role)));
		json_object_set_new(rj, "h3",
				    json_pack("{s:s, s:o, s:o, s:o, s:I}", "text", r->h3.text,
					      "deny_agencies", lia_json_names(&r->h3.deny_agencies),
					      "deny_countries", lia_json_names(&r->h3.deny_countries),
					      "allowed_roles", roles, "max_retention_days",
					      (json_int_t)r->h3.max_retention_days));
	}
	json_t *subjects = json_array();
	for (int s = 1; s <= 5; s++)
		if (h->subjects & LIA_SUBJECT_BIT(s))
			json_array_append_new(subjects, json_string(lia_subject_str((enum lia_subject)s)));
	json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:s, s:o, s:I}", "id", id,
			      "originator", h->originator, "originator_key_id", kid, "created_at",
			      lia_json_time_opt(h->created_at), "kind", lia_kind_str(h->kind), "regions",
			      lia_json_names(&h->regions), "topic", h->topic, "restrictions", rj,
			      "evaluation", ev, "data_subjects", subjects, "body_length",
			      (json_int_t)h->body_len);
	if (j != NULL && h->has_in_reply_to) {
		lia_id_hex(id, h->in_reply_to);
		json_object_set_new(j, "in_reply_to", json_string(id));
	}
	if (j != NULL && h->has_supersedes) {
		lia_id_hex(id, h->supersedes);
		json_object_set_new(j, "supersedes", json_string(id));
	}
	return j;
}

static void print_names(FILE *f, const char *label, const struct lia_names *l)
{
	if (l->n == 0)
		return;
	fprintf(f, "  %-14s", label);
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "%s%s", i ? ", " : "", l->v[i]);
	fputc('\n', f);
}

void lia_header_print_banner(FILE *f, const struct lia_header *h, bool color)
{
	static const char *const tlp_color[] = {
		[LIA_TLP_CLEAR] = "\033[1;37m", [LIA_TLP_GREEN] = "\033[1;32m",
		[LIA_TLP_AMBER] = "\033[1;33m", [LIA_TLP_AMBER_STRICT] = "\033[1;33m",
		[LIA_TLP_RED] = "\033[1;31m",
	};
	const struct lia_restrictions *r = &h->restrictions;
	char handling[16], ev[16], id[2 * LIA_ID_BYTES + 1], ts[32];
	handling_text(handling, r->handling);
	evaluation_text(ev, &h->evaluation);
	lia_id_hex(id, h->id);
	lia_time_format(h->created_at, ts);
	fprintf(f, "%s==== TLP:%s  %s  evaluation %s ====%s\n", color ? tlp_color[r->tlp] : "",
		lia_tlp_str(r->tlp), handling, ev, color ? "\033[0m" : "");
	if (r->handling & LIA_HANDLING_H1)
		fprintf(f, "  H1: not for use in judicial proceedings without the provider's permission\n");
	if (r->handling & LIA_HANDLING_H2)
		fprintf(f, "  H2: no further dissemination without the provider's permission\n");
	if (r->handling & LIA_HANDLING_H3)
		fprintf(f, "  H3: %s\n", r->h3.text);
	print_names(f, "release to:", &r->release_agencies);
	print_names(f, "named only:", &r->release_principals);
	print_names(f, "regions only:", &r->release_regions);
	if (r->embargo_until != 0) {
		lia_time_format(r->embargo_until, ts);
		fprintf(f, "  embargo until %s\n", ts);
	}
	if (r->expires_at != 0) {
		lia_time_format(r->expires_at, ts);
		fprintf(f, "  expires       %s\n", ts);
	}
	if (h->subjects != 0) {
		fprintf(f, "  personal data ");
		int first = 1;
		for (int s = 1; s <= 5; s++)
			if (h->subjects & LIA_SUBJECT_BIT(s)) {
				fprintf(f, "%s%s", first ? "" : ", ", lia_subject_str((enum lia_subject)s));
				first = 0;
			}
		fputc('\n', f);
	}
	lia_time_format(h->created_at, ts);
	fprintf(f, "message %s\n  kind %s from %s at %s\n", id, lia_kind_str(h->kind), h->originator,
		ts);
	print_names(f, "regions:", &h->regions);
	if (h->topic[0] != '\0')
		fprintf(f, "  topic         %s\n", h->topic);
}
