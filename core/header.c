/*
 * header.c — Header protobuf <-> struct lia_header.
 *
 * Parsing is the edge: after lia_header_parse() every name has its
 * documented shape, every enum is in range, every list is bounded and
 * free of duplicates, and every fixed-size field has its size. The field
 * checks are core's shared ones (check.h) and the marking is decoded by
 * the one Restrictions codec (marking_pb.h) that ledger records use too.
 * Semantic rules (RED needs named principals, ...) belong to the policy
 * engine.
 */
#include "header_int.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "envelope.pb-c.h"
#include "marking_pb.h"
#include "sig.h"
#include "util.h"

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
	if (lia_pb_fixed(h->id, LIA_ID_BYTES, &p->id) != 0 ||
	    lia_pb_fixed(h->originator_sign_kid, LIA_KEYID_BYTES, &p->originator_sign_key_id) != 0 ||
	    lia_pb_fixed(h->originator_box_kid, LIA_KEYID_BYTES, &p->originator_box_key_id) != 0 ||
	    lia_pb_fixed(h->ciphertext_hash, LIA_HASH_BYTES, &p->ciphertext_hash) != 0 ||
	    lia_pb_fixed(h->key_commitment, LIA_HASH_BYTES, &p->key_commitment) != 0) {
		*why = "a fixed-size header field has the wrong length";
		goto out;
	}
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
	if (!lia_pb_enum_in((int)p->kind, 1, LIA_KIND_MAX)) {
		*why = "message kind missing or unknown";
		goto out;
	}
	h->kind = (enum lia_kind)p->kind;
	if (lia_pb_names(&h->regions, p->regions, p->n_regions, lia_name_is_region, NULL) !=
	    LIA_PB_NAMES_OK) {
		*why = "invalid regions";
		goto out;
	}
	if (lia_pb_str(h->topic, sizeof h->topic, p->topic) != 0) {
		*why = "topic too long or with control characters";
		goto out;
	}
	if (lia_pb_fixed_opt(&h->has_in_reply_to, h->in_reply_to, LIA_ID_BYTES, &p->in_reply_to) != 0 ||
	    lia_pb_fixed_opt(&h->has_supersedes, h->supersedes, LIA_ID_BYTES, &p->supersedes) != 0) {
		*why = "in_reply_to or supersedes is not a message id";
		goto out;
	}
	if (lia_restrictions_from_pb(&h->restrictions, p->restrictions, why) != 0 ||
	    lia_evaluation_from_pb(&h->evaluation, p->evaluation, why) != 0)
		goto out;
	if (!lia_pb_count_ok(p->n_data_subjects, 5)) {
		*why = "too many data-subject categories";
		goto out;
	}
	if (lia_pb_enum_set(&h->subjects, (const int *)p->data_subjects, p->n_data_subjects, 5, 1,
			    5) != 0) {
		*why = "data-subject category out of range or repeated";
		goto out;
	}
	if (p->body_length == 0 || p->body_length > LIA_BODY_MAX) {
		*why = "declared body length is zero or over the limit";
		goto out;
	}
	h->body_len = p->body_length;
	/* The route of a verification request is what the broker reads to
	 * send it to the issuing state's office; no other kind has one, and
	 * an answer names its request (docs/protocol.md, verification). */
	if ((p->verification != NULL) != (h->kind == LIA_KIND_VERIFICATION_REQUEST)) {
		*why = p->verification != NULL
			       ? "only a verification request carries a verification route"
			       : "a verification request needs its verification route (issuing state, urgency)";
		goto out;
	}
	if (p->verification != NULL) {
		if (lia_pb_str(h->verification.issuing_state, sizeof h->verification.issuing_state,
			       p->verification->issuing_state) != 0 ||
		    !lia_name_is_country(h->verification.issuing_state)) {
			*why = "verification route: the issuing state is not an ISO alpha-2 code";
			goto out;
		}
		if (!lia_pb_enum_in((int)p->verification->urgency, LIA_URGENCY_URGENT,
				    LIA_URGENCY_MAX)) {
			*why = "verification route: urgency missing or unknown";
			goto out;
		}
		h->verification.urgency = (enum lia_urgency)p->verification->urgency;
		h->has_verification = true;
	}
	if (h->kind == LIA_KIND_VERIFICATION_ANSWER && !h->has_in_reply_to) {
		*why = "a verification answer names its request in in_reply_to";
		goto out;
	}
	rc = 0;
out:
	liaison__v1__header__free_unpacked(p, &budget.alloc);
	if (rc != 0)
		memset(h, 0, sizeof *h);
	return rc;
}

int lia_header_encode(const struct lia_header *h, uint8_t **out, size_t *out_len, const char **why)
{
	Liaison__V1__Header p = LIAISON__V1__HEADER__INIT;
	struct lia_restrictions_pb r;
	Liaison__V1__Evaluation ev;
	Liaison__V1__DataSubject subjects[5];
	Liaison__V1__VerificationRoute route = LIAISON__V1__VERIFICATION_ROUTE__INIT;
	char *regions[LIA_LIST_MAX];

	p.version = 1;
	p.id = (ProtobufCBinaryData){LIA_ID_BYTES, (uint8_t *)h->id};
	p.originator = (char *)h->originator;
	p.originator_sign_key_id = (ProtobufCBinaryData){LIA_KEYID_BYTES, (uint8_t *)h->originator_sign_kid};
	p.originator_box_key_id = (ProtobufCBinaryData){LIA_KEYID_BYTES, (uint8_t *)h->originator_box_kid};
	p.created_at = h->created_at;
	p.kind = (Liaison__V1__MessageKind)h->kind;
	p.regions = lia_names_to_pb(regions, &h->regions, &p.n_regions);
	p.topic = (char *)h->topic;
	if (h->has_in_reply_to)
		p.in_reply_to = (ProtobufCBinaryData){LIA_ID_BYTES, (uint8_t *)h->in_reply_to};
	if (h->has_supersedes)
		p.supersedes = (ProtobufCBinaryData){LIA_ID_BYTES, (uint8_t *)h->supersedes};
	p.restrictions = lia_restrictions_to_pb(&r, &h->restrictions);
	p.evaluation = lia_evaluation_to_pb(&ev, &h->evaluation);
	for (int s = 1; s <= 5; s++)
		if (h->subjects & LIA_SUBJECT_BIT(s))
			subjects[p.n_data_subjects++] = (Liaison__V1__DataSubject)s;
	p.data_subjects = subjects;
	p.ciphertext_hash = (ProtobufCBinaryData){LIA_HASH_BYTES, (uint8_t *)h->ciphertext_hash};
	p.key_commitment = (ProtobufCBinaryData){LIA_HASH_BYTES, (uint8_t *)h->key_commitment};
	p.body_length = h->body_len;
	if (h->has_verification) {
		route.issuing_state = (char *)h->verification.issuing_state;
		route.urgency = (Liaison__V1__Urgency)h->verification.urgency;
		p.verification = &route;
	}

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
	if (j != NULL && h->has_verification)
		json_object_set_new(j, "verification",
				    json_pack("{s:s, s:s}", "issuing_state", h->verification.issuing_state,
					      "urgency", lia_urgency_str(h->verification.urgency)));
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
	if (h->has_verification)
		fprintf(f, "  verification  document of %s, %s\n", h->verification.issuing_state,
			lia_urgency_str(h->verification.urgency));
	if (h->has_in_reply_to) {
		lia_id_hex(id, h->in_reply_to);
		fprintf(f, "  in reply to   %s\n", id);
	}
	if (h->has_supersedes) {
		lia_id_hex(id, h->supersedes);
		fprintf(f, "  %s %s\n",
			h->kind == LIA_KIND_VERIFICATION_ANSWER ? "corrects     " : "supersedes   ", id);
	}
}
