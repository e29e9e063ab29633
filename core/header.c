/*
 * header.c — Header protobuf <-> struct lia_header.
 *
 * Parsing is the edge: after lia_header_parse() every name has its
 * documented shape, every enum is in range, every list is bounded and
 * free of duplicates, and every fixed-size field has its size. Semantic
 * rules (RED needs named principals, ...) belong to the policy engine.
 */
#include "header_int.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.pb-c.h"
#include "pb_int.h"

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
