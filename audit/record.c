/*
 * record.c — ledger records: validation and canonical protobuf encoding
 * (see record.h).
 *
 * Encoding builds a LedgerRecord that points into the caller's struct
 * (no copies, nothing allocated but the output) and packs it. protobuf-c
 * packs fields in number order and omits proto3 defaults, so packing is
 * deterministic; the only choices left are ours and are fixed here:
 * a submessage is present exactly when it has content, handling codes and
 * roles are written in ascending order.
 *
 * Decoding unpacks with core's capped allocator (check.h), converts into
 * the struct (refusing anything the struct cannot hold; the marking goes
 * through the one Restrictions decoder of core/marking_pb.h, as in the
 * envelope header),
 * validates, re-encodes and compares: bytes that are not the canonical
 * encoding of their own content (unknown fields, duplicates, defaults
 * written out, other orders) are refused.
 */
#include "record.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ledger.pb-c.h"
#include "marking_pb.h"
#include "text_int.h"
#include "util.h"

/* --- names --- */

static const char *const op_names[] = {
	[LIA_OP_PUBLISH] = "publish",
	[LIA_OP_DISCLOSE] = "disclose",
	[LIA_OP_WITHHOLD] = "withhold",
	[LIA_OP_ACKNOWLEDGE] = "acknowledge",
	[LIA_OP_CONSENT_REQUESTED] = "consent-requested",
	[LIA_OP_CONSENT_GRANTED] = "consent-granted",
	[LIA_OP_CONSENT_REFUSED] = "consent-refused",
	[LIA_OP_VERIFICATION_REQUESTED] = "verification-requested",
	[LIA_OP_VERIFICATION_ANSWERED] = "verification-answered",
	[LIA_OP_VERIFICATION_OVERDUE] = "verification-overdue",
	[LIA_OP_RECALL] = "recall",
	[LIA_OP_ERASE] = "erase",
	[LIA_OP_AUTHENTICATION_REFUSED] = "authentication-refused",
	[LIA_OP_CERTIFICATE_REVOKED] = "certificate-revoked",
	[LIA_OP_POLICY_LOADED] = "policy-loaded",
	[LIA_OP_AUDIT_QUERY] = "audit-query",
	[LIA_OP_CORRECTION] = "correction",
};

const char *lia_record_op_str(enum lia_record_op op)
{
	if ((int)op < 1 || (int)op > LIA_OP_MAX)
		return NULL;
	return op_names[op];
}

int lia_record_op_parse(const char *s, enum lia_record_op *out)
{
	for (int i = 1; i <= LIA_OP_MAX; i++) {
		if (strcmp(op_names[i], s) == 0) {
			*out = (enum lia_record_op)i;
			return 0;
		}
	}
	return -1;
}

const char *lia_record_decision_str(enum lia_record_decision d)
{
	switch (d) {
	case LIA_RECORD_NO_DECISION: return "";
	case LIA_RECORD_PERMIT: return "permit";
	case LIA_RECORD_DENY: return "deny";
	}
	return NULL;
}

int lia_record_decision_parse(const char *s, enum lia_record_decision *out)
{
	if (strcmp(s, "permit") == 0)
		*out = LIA_RECORD_PERMIT;
	else if (strcmp(s, "deny") == 0)
		*out = LIA_RECORD_DENY;
	else
		return -1;
	return 0;
}

void lia_record_handling_str(uint32_t handling, char out[static 16])
{
	size_t at = 0;
	out[0] = '\0';
	for (unsigned code = 1; code <= 3; code++) {
		if (!(handling & (1u << code)))
			continue;
		if (at > 0)
			out[at++] = ',';
		out[at++] = 'H';
		out[at++] = (char)('0' + code);
		out[at] = '\0';
	}
}

void lia_record_init(struct lia_record *r)
{
	memset(r, 0, sizeof *r);
}

/* --- validation --- */

static int str_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n >= cap)
		return -1;
	return lia_text_check(s, n, false);
}

static int name_field(const char *what, const char *s, bool (*valid)(const char *),
		      char err[static LIA_ERR_MAX])
{
	if (strnlen(s, LIA_NAME_MAX) >= LIA_NAME_MAX)
		return lia_errf(err, "record %s is not terminated", what);
	if (s[0] != '\0' && !valid(s))
		return lia_errf(err, "record %s \"%.63s\" is not a valid name", what, s);
	return 0;
}

static int names_field(const char *what, const struct lia_names *l, bool (*valid)(const char *),
		       char err[static LIA_ERR_MAX])
{
	if (l->n > LIA_LIST_MAX)
		return lia_errf(err, "record %s has more than %d entries", what, LIA_LIST_MAX);
	for (size_t i = 0; i < l->n; i++) {
		if (strnlen(l->v[i], LIA_NAME_MAX) >= LIA_NAME_MAX || !valid(l->v[i]))
			return lia_errf(err, "record %s entry %zu is not a valid name", what, i + 1);
	}
	return 0;
}

static int party_valid(const char *subject_what, const char *agency_what,
		       const struct lia_record_party *p, char err[static LIA_ERR_MAX])
{
	if (name_field(subject_what, p->subject, lia_name_is_subject, err) != 0)
		return -1;
	return name_field(agency_what, p->agency, lia_name_is_agency, err);
}

static bool party_empty(const struct lia_record_party *p)
{
	return p->subject[0] == '\0' && p->agency[0] == '\0' && !p->has_key_id;
}

static int restrictions_valid(const struct lia_restrictions *x, char err[static LIA_ERR_MAX])
{
	if ((int)x->tlp < LIA_TLP_CLEAR || (int)x->tlp > LIA_TLP_RED)
		return lia_errf(err, "record restrictions: TLP %d is out of range", (int)x->tlp);
	if (x->handling & ~(uint32_t)LIA_HANDLING_ALL)
		return lia_errf(err, "record restrictions: unknown handling code bits 0x%x",
				(unsigned)(x->handling & ~(uint32_t)LIA_HANDLING_ALL));
	if (names_field("release agencies", &x->release_agencies, lia_name_is_agency, err) != 0 ||
	    names_field("release principals", &x->release_principals, lia_name_is_subject, err) !=
		    0 ||
	    names_field("release regions", &x->release_regions, lia_name_is_region, err) != 0)
		return -1;
	if (x->embargo_until < 0 || x->expires_at < 0)
		return lia_errf(err, "record restrictions: negative time");
	const struct lia_h3 *h = &x->h3;
	if (x->handling & LIA_HANDLING_H3) {
		if (str_ok(h->text, sizeof h->text) != 0 || h->text[0] == '\0')
			return lia_errf(err, "record restrictions: H3 text is empty or not "
					     "printable UTF-8");
		if (names_field("H3 deny agencies", &h->deny_agencies, lia_name_is_agency, err) !=
			    0 ||
		    names_field("H3 deny countries", &h->deny_countries, lia_name_is_country,
				err) != 0)
			return -1;
		if (h->allowed_roles & ~(uint32_t)LIA_ROLE_ALL)
			return lia_errf(err, "record restrictions: unknown H3 role bits");
	} else {
		if (h->text[0] != '\0' || h->deny_agencies.n != 0 || h->deny_countries.n != 0 ||
		    h->allowed_roles != 0 || h->max_retention_days != 0)
			return lia_errf(err, "record restrictions: H3 conditions without code H3");
	}
	return 0;
}

int lia_record_validate(const struct lia_record *r, char err[static LIA_ERR_MAX])
{
	const char *op = lia_record_op_str(r->op);
	if (op == NULL)
		return lia_errf(err, "record operation %d is unknown", (int)r->op);
	if (r->seq > (uint64_t)INT64_MAX)
		return lia_errf(err, "record sequence number out of range");
	if (r->time <= 0)
		return lia_errf(err, "%s record has no time", op);
	if (party_valid("actor subject", "actor agency", &r->actor, err) != 0 ||
	    party_valid("recipient subject", "recipient agency", &r->recipient, err) != 0)
		return -1;
	if (name_field("originator", r->originator, lia_name_is_subject, err) != 0)
		return -1;
	if (r->kind < 0 || r->kind > LIA_KIND_MAX)
		return lia_errf(err, "record message kind %d is unknown", r->kind);
	if (r->has_restrictions && restrictions_valid(&r->restrictions, err) != 0)
		return -1;
	if (lia_record_decision_str(r->decision) == NULL)
		return lia_errf(err, "record decision %d is unknown", (int)r->decision);
	if (str_ok(r->rule, sizeof r->rule) != 0)
		return lia_errf(err, "record rule is not printable UTF-8 of at most %d bytes",
				LIA_NAME_MAX - 1);
	if (str_ok(r->justification, sizeof r->justification) != 0)
		return lia_errf(err, "record justification is not printable UTF-8 of at most "
				     "%d bytes", LIA_TEXT_MAX - 1);

	/* What each operation must say (record.h). */
	switch (r->op) {
	case LIA_OP_DISCLOSE:
	case LIA_OP_WITHHOLD:
		if (!r->has_message_id || r->recipient.subject[0] == '\0')
			return lia_errf(err, "%s record needs a message id and a recipient", op);
		if (r->op == LIA_OP_DISCLOSE && r->decision != LIA_RECORD_PERMIT)
			return lia_errf(err, "disclose record needs decision permit");
		if (r->op == LIA_OP_WITHHOLD && (r->decision != LIA_RECORD_DENY || !r->rule[0]))
			return lia_errf(err, "withhold record needs decision deny and its rule");
		break;
	case LIA_OP_PUBLISH:
	case LIA_OP_ACKNOWLEDGE:
	case LIA_OP_CONSENT_REQUESTED:
	case LIA_OP_CONSENT_GRANTED:
	case LIA_OP_CONSENT_REFUSED:
	case LIA_OP_VERIFICATION_REQUESTED:
	case LIA_OP_VERIFICATION_ANSWERED:
	case LIA_OP_VERIFICATION_OVERDUE:
	case LIA_OP_RECALL:
	case LIA_OP_CORRECTION:
	case LIA_OP_ERASE:
		if (!r->has_message_id)
			return lia_errf(err, "%s record needs a message id", op);
		break;
	case LIA_OP_AUTHENTICATION_REFUSED:
		if (r->actor.subject[0] == '\0' && !r->actor.has_key_id)
			return lia_errf(err, "%s record needs the actor's subject or key id", op);
		break;
	case LIA_OP_CERTIFICATE_REVOKED:
		if (r->cert_serial == 0)
			return lia_errf(err, "%s record needs a certificate serial", op);
		break;
	case LIA_OP_POLICY_LOADED:
		if (!r->has_policy_hash)
			return lia_errf(err, "%s record needs the policy hash", op);
		break;
	case LIA_OP_AUDIT_QUERY:
		if (r->actor.subject[0] == '\0' || r->justification[0] == '\0')
			return lia_errf(err, "%s record needs the actor and the query", op);
		break;
	}
	return 0;
}

/* --- encoding --- */

/* protobuf-c's message structs hold non-const pointers but pack only
 * reads through them; this cast is the one place we say so. */
static char *unconst(const char *s)
{
	return (char *)(uintptr_t)s;
}

static uint8_t *unconst_bytes(const uint8_t *s)
{
	return (uint8_t *)(uintptr_t)s;
}

/* Everything a LedgerRecord points to, on the stack. */
struct pb_scratch {
	Liaison__V1__LedgerRecord rec;
	Liaison__V1__LedgerParty actor, recipient;
	struct lia_restrictions_pb restrictions;
};

static void party_to_pb(Liaison__V1__LedgerParty *m, const struct lia_record_party *p)
{
	liaison__v1__ledger_party__init(m);
	m->subject = unconst(p->subject);
	m->agency = unconst(p->agency);
	if (p->has_key_id) {
		m->key_id.data = unconst_bytes(p->key_id);
		m->key_id.len = LIA_KEYID_BYTES;
	}
}

static void to_pb(struct pb_scratch *s, const struct lia_record *r)
{
	Liaison__V1__LedgerRecord *m = &s->rec;
	liaison__v1__ledger_record__init(m);
	m->version = LIA_RECORD_VERSION;
	m->sequence = r->seq;
	m->operation = (Liaison__V1__LedgerOperation)r->op;
	m->time = r->time;
	if (!party_empty(&r->actor)) {
		party_to_pb(&s->actor, &r->actor);
		m->actor = &s->actor;
	}
	if (!party_empty(&r->recipient)) {
		party_to_pb(&s->recipient, &r->recipient);
		m->recipient = &s->recipient;
	}
	if (r->has_message_id) {
		m->message_id.data = unconst_bytes(r->message_id);
		m->message_id.len = LIA_ID_BYTES;
	}
	m->originator = unconst(r->originator);
	m->kind = (Liaison__V1__MessageKind)r->kind;
	if (r->has_restrictions)
		m->restrictions = lia_restrictions_to_pb(&s->restrictions, &r->restrictions);
	m->decision = (Liaison__V1__LedgerDecision)r->decision;
	m->rule = unconst(r->rule);
	m->justification = unconst(r->justification);
	if (r->has_policy_hash) {
		m->policy_hash.data = unconst_bytes(r->policy_hash);
		m->policy_hash.len = LIA_POLICY_HASH_BYTES;
	}
	m->certificate_serial = r->cert_serial;
}

/* Encode an already validated record. */
static int encode_valid(const struct lia_record *r, uint8_t **out, size_t *out_len,
			char err[static LIA_ERR_MAX])
{
	struct pb_scratch s;
	to_pb(&s, r);
	size_t n = liaison__v1__ledger_record__get_packed_size(&s.rec);
	if (n > LIA_RECORD_MAX_BYTES)
		return lia_errf(err, "record of %zu bytes is over the limit of %u", n,
				LIA_RECORD_MAX_BYTES);
	uint8_t *buf = malloc(n ? n : 1);
	if (buf == NULL)
		return lia_errf(err, "cannot encode record: out of memory");
	size_t w = liaison__v1__ledger_record__pack(&s.rec, buf);
	if (w != n) {
		free(buf);
		return lia_errf(err, "cannot encode record: packed %zu of %zu bytes", w, n);
	}
	*out = buf;
	*out_len = n;
	return 0;
}

int lia_record_encode_buf(const struct lia_record *r, uint8_t *buf, size_t cap, size_t *out_len,
			  char err[static LIA_ERR_MAX])
{
	*out_len = 0;
	if (lia_record_validate(r, err) != 0)
		return -1;
	struct pb_scratch s;
	to_pb(&s, r);
	size_t n = liaison__v1__ledger_record__get_packed_size(&s.rec);
	if (n > LIA_RECORD_MAX_BYTES || n > cap)
		return lia_errf(err, "record of %zu bytes is over the limit of %zu", n,
				cap < LIA_RECORD_MAX_BYTES ? cap : (size_t)LIA_RECORD_MAX_BYTES);
	if (liaison__v1__ledger_record__pack(&s.rec, buf) != n)
		return lia_errf(err, "cannot encode record: short pack");
	*out_len = n;
	return 0;
}

int lia_record_encode(const struct lia_record *r, uint8_t **out, size_t *out_len,
		      char err[static LIA_ERR_MAX])
{
	*out = NULL;
	*out_len = 0;
	if (lia_record_validate(r, err) != 0)
		return -1;
	return encode_valid(r, out, out_len, err);
}

/* --- decoding --- */

static int copy_str(char *dst, size_t cap, const char *src, const char *what,
		    char err[static LIA_ERR_MAX])
{
	size_t n = strlen(src);
	if (n >= cap)
		return lia_errf(err, "record %s is longer than %zu bytes", what, cap - 1);
	memcpy(dst, src, n + 1);
	return 0;
}

static int party_from_pb(struct lia_record_party *p, const Liaison__V1__LedgerParty *m,
			 const char *what, char err[static LIA_ERR_MAX])
{
	if (copy_str(p->subject, sizeof p->subject, m->subject, what, err) != 0 ||
	    copy_str(p->agency, sizeof p->agency, m->agency, what, err) != 0)
		return -1;
	if (lia_pb_fixed_opt(&p->has_key_id, p->key_id, LIA_KEYID_BYTES, &m->key_id) != 0)
		return lia_errf(err, "record %s key id is %zu bytes, not %d", what, m->key_id.len,
				LIA_KEYID_BYTES);
	return 0;
}

static int from_pb(struct lia_record *r, const Liaison__V1__LedgerRecord *m,
		   char err[static LIA_ERR_MAX])
{
	if (m->version != LIA_RECORD_VERSION)
		return lia_errf(err, "record version %u is not %d", m->version, LIA_RECORD_VERSION);
	r->seq = m->sequence;
	r->op = (enum lia_record_op)m->operation;
	r->time = m->time;
	if (m->actor != NULL && party_from_pb(&r->actor, m->actor, "actor", err) != 0)
		return -1;
	if (m->recipient != NULL &&
	    party_from_pb(&r->recipient, m->recipient, "recipient", err) != 0)
		return -1;
	if (lia_pb_fixed_opt(&r->has_message_id, r->message_id, LIA_ID_BYTES, &m->message_id) != 0)
		return lia_errf(err, "record message id is %zu bytes, not %d", m->message_id.len,
				LIA_ID_BYTES);
	if (copy_str(r->originator, sizeof r->originator, m->originator, "originator", err) != 0)
		return -1;
	r->kind = (int)m->kind;
	if (m->restrictions != NULL) {
		const char *why = NULL;
		if (lia_restrictions_from_pb(&r->restrictions, m->restrictions, &why) != 0)
			return lia_errf(err, "record restrictions: %s", why);
		r->has_restrictions = true;
	}
	r->decision = (enum lia_record_decision)m->decision;
	if (copy_str(r->rule, sizeof r->rule, m->rule, "rule", err) != 0 ||
	    copy_str(r->justification, sizeof r->justification, m->justification, "justification",
		     err) != 0)
		return -1;
	if (lia_pb_fixed_opt(&r->has_policy_hash, r->policy_hash, LIA_POLICY_HASH_BYTES,
			     &m->policy_hash) != 0)
		return lia_errf(err, "record policy hash is %zu bytes, not %d", m->policy_hash.len,
				LIA_POLICY_HASH_BYTES);
	r->cert_serial = m->certificate_serial;
	return 0;
}

int lia_record_decode(struct lia_record *out, const uint8_t *buf, size_t len,
		      char err[static LIA_ERR_MAX])
{
	lia_record_init(out);
	if (len > LIA_RECORD_MAX_BYTES)
		return lia_errf(err, "record of %zu bytes is over the limit of %u", len,
				LIA_RECORD_MAX_BYTES);
	struct lia_pb_budget budget;
	lia_pb_budget_init(&budget, LIA_PB_BUDGET(len));
	Liaison__V1__LedgerRecord *m = liaison__v1__ledger_record__unpack(&budget.alloc, len, buf);
	if (m == NULL)
		return lia_errf(err, "record is not a valid LedgerRecord encoding");
	int rc = from_pb(out, m, err);
	liaison__v1__ledger_record__free_unpacked(m, &budget.alloc);
	if (rc != 0)
		goto fail;
	if (lia_record_validate(out, err) != 0)
		goto fail;
	uint8_t *again = NULL;
	size_t again_len = 0;
	if (encode_valid(out, &again, &again_len, err) != 0)
		goto fail;
	bool same = again_len == len && memcmp(again, buf, len) == 0;
	free(again);
	if (!same) {
		lia_errf(err, "record is not in canonical encoding (unknown fields, duplicates "
			      "or default values written out)");
		goto fail;
	}
	return 0;
fail:
	lia_record_init(out);
	return -1;
}

int lia_record_check(const uint8_t *buf, size_t len, uint64_t *seq, bool *has_message_id,
		     uint8_t message_id[static LIA_ID_BYTES], char err[static LIA_ERR_MAX])
{
	/* The struct is ~11 KB; keep it off the caller's stack. */
	struct lia_record *r = malloc(sizeof *r);
	if (r == NULL)
		return lia_errf(err, "cannot check record: out of memory");
	int rc = lia_record_decode(r, buf, len, err);
	if (rc == 0) {
		*seq = r->seq;
		*has_message_id = r->has_message_id;
		memcpy(message_id, r->message_id, LIA_ID_BYTES);
	}
	free(r);
	return rc;
}
