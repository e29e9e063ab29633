/*
 * cert.c — certificates, requests and revocation lists.
 *
 * Each signed object carries its body as bytes; we verify the signature
 * over those exact bytes before decoding them, then validate every field
 * into a plain struct. Encoding is the authority's side only.
 */
#include "cert.h"
#include "json.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cert.pb-c.h"
#include "pb_int.h"
#include "sig.h"
#include "util.h"

const char *lia_cert_status_str(enum lia_cert_status st)
{
	switch (st) {
	case LIA_CERT_OK: return "valid";
	case LIA_CERT_MALFORMED: return "malformed";
	case LIA_CERT_WRONG_AUTHORITY: return "issued by another authority";
	case LIA_CERT_BAD_SIGNATURE: return "authority signature does not verify";
	case LIA_CERT_NOT_YET_VALID: return "not yet valid";
	case LIA_CERT_EXPIRED: return "expired";
	case LIA_CERT_REVOKED: return "revoked";
	case LIA_CERT_TOO_LARGE: return "too large";
	}
	return "unknown status";
}

bool lia_cert_has_role(const struct lia_cert *c, enum lia_role r)
{
	return (c->roles & LIA_ROLE_BIT(r)) != 0;
}

/* Validate a cert struct as a verifier would; used on both sides. */
static bool cert_fields_valid(const struct lia_cert *c)
{
	char agency[LIA_NAME_MAX];
	if (c->serial == 0 || (c->kind != LIA_CERT_PRINCIPAL && c->kind != LIA_CERT_BROKER))
		return false;
	if (!lia_name_is_agency(c->agency) || !lia_name_is_country(c->country))
		return false;
	if (c->kind == LIA_CERT_PRINCIPAL) {
		if (!lia_name_is_subject(c->subject))
			return false;
		lia_subject_agency(c->subject, agency);
		if (strcmp(agency, c->agency) != 0)
			return false;
		if (c->roles == 0 || (c->roles & ~(uint32_t)LIA_ROLE_ALL) != 0 ||
		    lia_cert_has_role(c, LIA_ROLE_BROKER))
			return false;
	} else {
		/* A broker is named like a principal of the agency running it. */
		if (!lia_name_is_subject(c->subject))
			return false;
		if (c->roles != LIA_ROLE_BIT(LIA_ROLE_BROKER))
			return false;
	}
	for (size_t i = 0; i < c->regions.n; i++) {
		if (!lia_name_is_region(c->regions.v[i]))
			return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->regions.v[i], c->regions.v[j]) == 0)
				return false;
	}
	if (c->not_before >= c->not_after)
		return false;
	if (memcmp(c->sign_pk, c->box_pk, 32) == 0 || memcmp(c->sign_pk, c->transport_pk, 32) == 0 ||
	    memcmp(c->box_pk, c->transport_pk, 32) == 0)
		return false;
	return true;
}

static int copy_names(struct lia_names *out, char **v, size_t n)
{
	out->n = 0;
	if (n > LIA_LIST_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (lia_pb_str(out->v[i], LIA_NAME_MAX, v[i]) != 0)
			return -1;
		out->n++;
	}
	return 0;
}

static enum lia_cert_status body_to_cert(struct lia_cert *c, const Liaison__V1__CertificateBody *b)
{
	memset(c, 0, sizeof *c);
	if (b->version != 1 || b->sign_key.len != 32 || b->box_key.len != 32 ||
	    b->transport_key.len != 32 || b->issuer_key_id.len != LIA_KEYID_BYTES)
		return LIA_CERT_MALFORMED;
	c->serial = b->serial;
	c->kind = (enum lia_cert_kind)b->kind;
	if (lia_pb_str(c->subject, sizeof c->subject, b->subject) != 0 ||
	    lia_pb_str(c->agency, sizeof c->agency, b->agency) != 0 ||
	    lia_pb_str(c->country, sizeof c->country, b->country) != 0 ||
	    copy_names(&c->regions, b->regions, b->n_regions) != 0)
		return LIA_CERT_MALFORMED;
	if (lia_pb_enum_set(&c->roles, (const int *)b->roles, b->n_roles, 8, LIA_ROLE_LIAISON,
			    LIA_ROLE_BROKER) != 0)
		return LIA_CERT_MALFORMED;
	c->not_before = b->not_before;
	c->not_after = b->not_after;
	c->issued_at = b->issued_at;
	memcpy(c->sign_pk, b->sign_key.data, 32);
	memcpy(c->box_pk, b->box_key.data, 32);
	memcpy(c->transport_pk, b->transport_key.data, 32);
	memcpy(c->issuer_kid, b->issuer_key_id.data, LIA_KEYID_BYTES);
	lia_keyid(c->sign_kid, c->sign_pk);
	lia_keyid(c->box_kid, c->box_pk);
	lia_keyid(c->transport_kid, c->transport_pk);
	return cert_fields_valid(c) ? LIA_CERT_OK : LIA_CERT_MALFORMED;
}

/* Unpack the outer Certificate and, when authority_pk is given, verify
 * issuer and signature; then decode and validate the body. */
static enum lia_cert_status cert_decode(struct lia_cert *out, const uint8_t *buf, size_t len,
					const uint8_t *authority_pk)
{
	if (len > LIA_CERT_MAX_BYTES)
		return LIA_CERT_TOO_LARGE;
	struct lia_pb_budget budget;
	lia_pb_budget_init(&budget, LIA_PB_BUDGET(len));
	Liaison__V1__Certificate *outer = liaison__v1__certificate__unpack(&budget.alloc, len, buf);
	if (outer == NULL)
		return LIA_CERT_MALFORMED;
	enum lia_cert_status st = LIA_CERT_MALFORMED;
	Liaison__V1__CertificateBody *b = NULL;
	if (outer->signature.len != LIA_SIG_BYTES)
		goto out;
	b = liaison__v1__certificate_body__unpack(&budget.alloc, outer->body.len, outer->body.data);
	if (b == NULL)
		goto out;
	if (authority_pk != NULL) {
		uint8_t kid[LIA_KEYID_BYTES];
		lia_keyid(kid, authority_pk);
		if (b->issuer_key_id.len != LIA_KEYID_BYTES ||
		    memcmp(kid, b->issuer_key_id.data, LIA_KEYID_BYTES) != 0) {
			st = LIA_CERT_WRONG_AUTHORITY;
			goto out;
		}
		if (lia_verify(outer->signature.data, LIA_CTX_CERT, outer->body.data,
			       outer->body.len, authority_pk) != 0) {
			st = LIA_CERT_BAD_SIGNATURE;
			goto out;
		}
	}
	st = body_to_cert(out, b);
out:
	if (b != NULL)
		liaison__v1__certificate_body__free_unpacked(b, &budget.alloc);
	liaison__v1__certificate__free_unpacked(outer, &budget.alloc);
	if (st != LIA_CERT_OK)
		memset(out, 0, sizeof *out);
	return st;
}

enum lia_cert_status lia_cert_decode(struct lia_cert *out, const uint8_t *buf, size_t len,
				     const uint8_t authority_pk[static 32])
{
	return cert_decode(out, buf, len, authority_pk);
}

enum lia_cert_status lia_cert_decode_unverified(struct lia_cert *out, const uint8_t *buf,
						size_t len)
{
	return cert_decode(out, buf, len, NULL);
}

enum lia_cert_status lia_cert_check(const struct lia_cert *c, const struct lia_crl *crl,
				    int64_t now)
{
	if (crl != NULL && lia_crl_find(crl, c->serial) != NULL)
		return LIA_CERT_REVOKED;
	if (now < c->not_before)
		return LIA_CERT_NOT_YET_VALID;
	if (now >= c->not_after)
		return LIA_CERT_EXPIRED;
	return LIA_CERT_OK;
}

/* Signed objects are packed by lia_pb_pack_signed (pb.c). */
int lia_cert_issue(uint8_t **out, size_t *out_len, const struct lia_cert *tmpl,
		   const struct lia_secret *authority, char err[static LIA_ERR_MAX])
{
	struct lia_cert c = *tmpl;
	lia_keyid(c.issuer_kid, authority->pk);
	if (!cert_fields_valid(&c))
		return lia_errf(err, "refusing to issue: the certificate fields are inconsistent "
				     "(subject must be AGENCY/name of its agency, roles and kind must "
				     "agree, validity must be a non-empty window, keys distinct)");
	Liaison__V1__CertificateBody b = LIAISON__V1__CERTIFICATE_BODY__INIT;
	char *regions[LIA_LIST_MAX];
	Liaison__V1__Role roles[8];
	b.version = 1;
	b.serial = c.serial;
	b.kind = (Liaison__V1__CertKind)c.kind;
	b.subject = c.subject;
	b.agency = c.agency;
	b.country = c.country;
	for (size_t i = 0; i < c.regions.n; i++)
		regions[i] = c.regions.v[i];
	b.regions = regions;
	b.n_regions = c.regions.n;
	for (int r = LIA_ROLE_LIAISON; r <= LIA_ROLE_BROKER; r++)
		if (c.roles & LIA_ROLE_BIT(r))
			roles[b.n_roles++] = (Liaison__V1__Role)r;
	b.roles = roles;
	b.not_before = c.not_before;
	b.not_after = c.not_after;
	b.issued_at = c.issued_at;
	b.sign_key = (ProtobufCBinaryData){32, c.sign_pk};
	b.box_key = (ProtobufCBinaryData){32, c.box_pk};
	b.transport_key = (ProtobufCBinaryData){32, c.transport_pk};
	b.issuer_key_id = (ProtobufCBinaryData){LIA_KEYID_BYTES, c.issuer_kid};
	size_t blen = liaison__v1__certificate_body__get_packed_size(&b);
	uint8_t *body = malloc(blen);
	if (body == NULL)
		return lia_errf(err, "out of memory");
	liaison__v1__certificate_body__pack(&b, body);
	int rc = lia_pb_pack_signed(out, out_len, body, blen, LIA_CTX_CERT, authority->sk, err);
	free(body);
	return rc;
}

int lia_cert_load(struct lia_cert *out, const char *path, const uint8_t authority_pk[static 32],
		  char err[static LIA_ERR_MAX])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (lia_file_read(path, LIA_CERT_MAX_BYTES, &buf, &len, err) != 0)
		return -1;
	enum lia_cert_status st = lia_cert_decode(out, buf, len, authority_pk);
	free(buf);
	if (st != LIA_CERT_OK)
		return lia_errf(err, "certificate \"%s\": %s", path, lia_cert_status_str(st));
	return 0;
}

/* --- requests --- */

int lia_request_make(uint8_t **out, size_t *out_len, const char *subject,
		     const struct lia_secret *sign, const struct lia_secret *box,
		     const struct lia_secret *transport, int64_t now, char err[static LIA_ERR_MAX])
{
	if (!lia_name_is_subject(subject))
		return lia_errf(err, "invalid subject \"%s\": expected AGENCY/name, e.g. IT-GDF/ventimiglia",
				subject);
	Liaison__V1__CertificateRequestBody b = LIAISON__V1__CERTIFICATE_REQUEST_BODY__INIT;
	b.version = 1;
	b.subject = (char *)subject;
	b.sign_key = (ProtobufCBinaryData){32, (uint8_t *)sign->pk};
	b.box_key = (ProtobufCBinaryData){32, (uint8_t *)box->pk};
	b.transport_key = (ProtobufCBinaryData){32, (uint8_t *)transport->pk};
	b.created_at = now;
	size_t blen = liaison__v1__certificate_request_body__get_packed_size(&b);
	uint8_t *body = malloc(blen);
	if (body == NULL)
		return lia_errf(err, "out of memory");
	liaison__v1__certificate_request_body__pack(&b, body);
	int rc = lia_pb_pack_signed(out, out_len, body, blen, LIA_CTX_REQUEST, sign->sk, err);
	free(body);
	return rc;
}

enum lia_cert_status lia_request_decode(struct lia_request *out, const uint8_t *buf, size_t len)
{
	if (len > LIA_CERT_MAX_BYTES)
		return LIA_CERT_TOO_LARGE;
	struct lia_pb_budget budget;
	lia_pb_budget_init(&budget, LIA_PB_BUDGET(len));
	Liaison__V1__CertificateRequest *outer =
		liaison__v1__certificate_request__unpack(&budget.alloc, len, buf);
	if (outer == NULL)
		return LIA_CERT_MALFORMED;
	enum lia_cert_status st = LIA_CERT_MALFORMED;
	Liaison__V1__CertificateRequestBody *b = NULL;
	memset(out, 0, sizeof *out);
	if (outer->signature.len != LIA_SIG_BYTES)
		goto out;
	b = liaison__v1__certificate_request_body__unpack(&budget.alloc, outer->body.len,
							   outer->body.data);
	if (b == NULL || b->version != 1 || b->sign_key.len != 32 || b->box_key.len != 32 ||
	    b->transport_key.len != 32 || lia_pb_str(out->subject, sizeof out->subject, b->subject) != 0 ||
	    !lia_name_is_subject(out->subject))
		goto out;
	if (lia_verify(outer->signature.data, LIA_CTX_REQUEST, outer->body.data, outer->body.len,
		       b->sign_key.data) != 0) {
		st = LIA_CERT_BAD_SIGNATURE;
		goto out;
	}
	memcpy(out->sign_pk, b->sign_key.data, 32);
	memcpy(out->box_pk, b->box_key.data, 32);
	memcpy(out->transport_pk, b->transport_key.data, 32);
	out->created_at = b->created_at;
	st = LIA_CERT_OK;
out:
	if (b != NULL)
		liaison__v1__certificate_request_body__free_unpacked(b, &budget.alloc);
	liaison__v1__certificate_request__free_unpacked(outer, &budget.alloc);
	if (st != LIA_CERT_OK)
		memset(out, 0, sizeof *out);
	return st;
}

/* --- revocation lists --- */

void lia_crl_clear(struct lia_crl *crl)
{
	free(crl->v);
	memset(crl, 0, sizeof *crl);
}

const struct lia_crl_entry *lia_crl_find(const struct lia_crl *crl, uint64_t serial)
{
	size_t lo = 0, hi = crl->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (crl->v[mid].serial == serial)
			return &crl->v[mid];
		if (crl->v[mid].serial < serial)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static enum lia_cert_status crl_decode(struct lia_crl *out, const uint8_t *buf, size_t len,
				       const uint8_t *authority_pk)
{
	memset(out, 0, sizeof *out);
	if (len > LIA_CRL_MAX_BYTES)
		return LIA_CERT_TOO_LARGE;
	struct lia_pb_budget budget;
	lia_pb_budget_init(&budget, LIA_PB_BUDGET(len));
	Liaison__V1__RevocationList *outer =
		liaison__v1__revocation_list__unpack(&budget.alloc, len, buf);
	if (outer == NULL)
		return LIA_CERT_MALFORMED;
	enum lia_cert_status st = LIA_CERT_MALFORMED;
	Liaison__V1__RevocationListBody *b = NULL;
	if (outer->signature.len != LIA_SIG_BYTES)
		goto out;
	b = liaison__v1__revocation_list_body__unpack(&budget.alloc, outer->body.len,
						       outer->body.data);
	if (b == NULL || b->version != 1 || b->issuer_key_id.len != LIA_KEYID_BYTES)
		goto out;
	if (authority_pk != NULL) {
		uint8_t kid[LIA_KEYID_BYTES];
		lia_keyid(kid, authority_pk);
		if (memcmp(kid, b->issuer_key_id.data, LIA_KEYID_BYTES) != 0) {
			st = LIA_CERT_WRONG_AUTHORITY;
			goto out;
		}
		if (lia_verify(outer->signature.data, LIA_CTX_CRL, outer->body.data,
			       outer->body.len, authority_pk) != 0) {
			st = LIA_CERT_BAD_SIGNATURE;
			goto out;
		}
	}
	if (b->n_revoked > LIA_CRL_MAX_ENTRIES)
		goto out;
	out->v = calloc(b->n_revoked ? b->n_revoked : 1, sizeof *out->v);
	if (out->v == NULL)
		goto out;
	for (size_t i = 0; i < b->n_revoked; i++) {
		const Liaison__V1__RevokedCertificate *r = b->revoked[i];
		if (r->serial == 0 || (i > 0 && r->serial <= out->v[i - 1].serial) ||
		    lia_pb_str(out->v[i].reason, LIA_REASON_MAX, r->reason) != 0) {
			lia_crl_clear(out);
			goto out;
		}
		out->v[i].serial = r->serial;
		out->v[i].revoked_at = r->revoked_at;
		out->n = i + 1;
	}
	out->number = b->number;
	out->issued_at = b->issued_at;
	memcpy(out->issuer_kid, b->issuer_key_id.data, LIA_KEYID_BYTES);
	st = LIA_CERT_OK;
out:
	if (b != NULL)
		liaison__v1__revocation_list_body__free_unpacked(b, &budget.alloc);
	liaison__v1__revocation_list__free_unpacked(outer, &budget.alloc);
	return st;
}

enum lia_cert_status lia_crl_decode(struct lia_crl *out, const uint8_t *buf, size_t len,
				    const uint8_t authority_pk[static 32])
{
	return crl_decode(out, buf, len, authority_pk);
}

enum lia_cert_status lia_crl_decode_unverified(struct lia_crl *out, const uint8_t *buf, size_t len)
{
	return crl_decode(out, buf, len, NULL);
}

int lia_crl_load(struct lia_crl *out, const char *path, const uint8_t authority_pk[static 32],
		 char err[static LIA_ERR_MAX])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	memset(out, 0, sizeof *out);
	if (lia_file_read(path, LIA_CRL_MAX_BYTES, &buf, &len, err) != 0)
		return -1;
	enum lia_cert_status st = lia_crl_decode(out, buf, len, authority_pk);
	free(buf);
	if (st != LIA_CERT_OK)
		return lia_errf(err, "revocation list \"%s\": %s", path, lia_cert_status_str(st));
	return 0;
}

int lia_crl_add(struct lia_crl *crl, uint64_t serial, int64_t revoked_at, const char *reason,
		char err[static LIA_ERR_MAX])
{
	if (serial == 0)
		return lia_errf(err, "serial 0 is never issued");
	if (lia_crl_find(crl, serial) != NULL)
		return lia_errf(err, "serial %llu is already revoked", (unsigned long long)serial);
	if (crl->n >= LIA_CRL_MAX_ENTRIES)
		return lia_errf(err, "the revocation list is full (%d entries)", LIA_CRL_MAX_ENTRIES);
	struct lia_crl_entry e = {.serial = serial, .revoked_at = revoked_at};
	if (lia_pb_str(e.reason, sizeof e.reason, reason ? reason : "") != 0)
		return lia_errf(err, "reason too long or has control characters (at most %d bytes)",
				LIA_REASON_MAX - 1);
	struct lia_crl_entry *v = realloc(crl->v, (crl->n + 1) * sizeof *v);
	if (v == NULL)
		return lia_errf(err, "out of memory");
	crl->v = v;
	size_t i = crl->n;
	while (i > 0 && v[i - 1].serial > serial) {
		v[i] = v[i - 1];
		i--;
	}
	v[i] = e;
	crl->n++;
	return 0;
}

int lia_crl_encode(uint8_t **out, size_t *out_len, const struct lia_crl *crl,
		   const struct lia_secret *authority, char err[static LIA_ERR_MAX])
{
	Liaison__V1__RevocationListBody b = LIAISON__V1__REVOCATION_LIST_BODY__INIT;
	uint8_t kid[LIA_KEYID_BYTES];
	lia_keyid(kid, authority->pk);
	b.version = 1;
	b.number = crl->number;
	b.issued_at = crl->issued_at;
	b.issuer_key_id = (ProtobufCBinaryData){LIA_KEYID_BYTES, kid};
	Liaison__V1__RevokedCertificate *items = calloc(crl->n ? crl->n : 1, sizeof *items);
	Liaison__V1__RevokedCertificate **ptrs = calloc(crl->n ? crl->n : 1, sizeof *ptrs);
	uint8_t *body = NULL;
	int rc = -1;
	if (items == NULL || ptrs == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < crl->n; i++) {
		liaison__v1__revoked_certificate__init(&items[i]);
		items[i].serial = crl->v[i].serial;
		items[i].revoked_at = crl->v[i].revoked_at;
		items[i].reason = (char *)crl->v[i].reason;
		ptrs[i] = &items[i];
	}
	b.revoked = ptrs;
	b.n_revoked = crl->n;
	size_t blen = liaison__v1__revocation_list_body__get_packed_size(&b);
	body = malloc(blen ? blen : 1);
	if (body == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	liaison__v1__revocation_list_body__pack(&b, body);
	rc = lia_pb_pack_signed(out, out_len, body, blen, LIA_CTX_CRL, authority->sk, err);
out:
	free(body);
	free(items);
	free(ptrs);
	return rc;
}

/* --- presentation --- */

static json_t *roles_json(uint32_t roles)
{
	json_t *a = json_array();
	for (int r = LIA_ROLE_LIAISON; a != NULL && r <= LIA_ROLE_BROKER; r++)
		if (roles & LIA_ROLE_BIT(r))
			json_array_append_new(a, json_string(lia_role_str((enum lia_role)r)));
	return a;
}

json_t *lia_cert_to_json(const struct lia_cert *c)
{
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
			 "s:o, s:o, s:o, s:o}",
			 "type", "certificate", "serial", lia_json_serial(c->serial), "kind",
			 c->kind == LIA_CERT_BROKER ? "broker" : "principal", "subject", c->subject,
			 "agency", c->agency, "country", c->country, "regions",
			 lia_json_names(&c->regions), "roles", roles_json(c->roles), "not_before",
			 lia_json_time(c->not_before), "not_after", lia_json_time(c->not_after),
			 "issued_at", lia_json_time(c->issued_at), "sign_key", lia_json_hex(c->sign_pk, 32),
			 "sign_key_id", lia_json_hex(c->sign_kid, LIA_KEYID_BYTES), "box_key",
			 lia_json_hex(c->box_pk, 32), "box_key_id", lia_json_hex(c->box_kid, LIA_KEYID_BYTES),
			 "transport_key", lia_json_hex(c->transport_pk, 32), "transport_key_id",
			 lia_json_hex(c->transport_kid, LIA_KEYID_BYTES), "issuer_key_id",
			 lia_json_hex(c->issuer_kid, LIA_KEYID_BYTES));
}

json_t *lia_request_to_json(const struct lia_request *r)
{
	uint8_t kid[LIA_KEYID_BYTES];
	lia_keyid(kid, r->sign_pk);
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "type", "certificate-request",
			 "subject", r->subject, "created_at", lia_json_time(r->created_at), "sign_key",
			 lia_json_hex(r->sign_pk, 32), "sign_key_id", lia_json_hex(kid, LIA_KEYID_BYTES),
			 "box_key", lia_json_hex(r->box_pk, 32), "transport_key",
			 lia_json_hex(r->transport_pk, 32));
}

json_t *lia_crl_to_json(const struct lia_crl *crl)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < crl->n; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:s}", "serial",
						   lia_json_serial(crl->v[i].serial), "revoked_at",
						   lia_json_time(crl->v[i].revoked_at), "reason",
						   crl->v[i].reason));
	return json_pack("{s:s, s:I, s:o, s:o, s:o}", "type", "revocation-list", "number",
			 (json_int_t)crl->number, "issued_at", lia_json_time(crl->issued_at),
			 "issuer_key_id", lia_json_hex(crl->issuer_kid, LIA_KEYID_BYTES), "revoked", a);
}

void lia_cert_print(FILE *f, const struct lia_cert *c)
{
	char nb[32], na[32], ia[32], k1[LIA_KEYID_HEX], k2[LIA_KEYID_HEX], k3[LIA_KEYID_HEX],
		k4[LIA_KEYID_HEX];
	lia_time_format(c->not_before, nb);
	lia_time_format(c->not_after, na);
	lia_time_format(c->issued_at, ia);
	lia_keyid_hex(k1, c->sign_kid);
	lia_keyid_hex(k2, c->box_kid);
	lia_keyid_hex(k3, c->transport_kid);
	lia_keyid_hex(k4, c->issuer_kid);
	fprintf(f, "certificate   %s (%s)\n", c->subject,
		c->kind == LIA_CERT_BROKER ? "broker" : "principal");
	fprintf(f, "  serial      %llu\n", (unsigned long long)c->serial);
	fprintf(f, "  agency      %s (%s)\n", c->agency, c->country);
	fprintf(f, "  regions     ");
	for (size_t i = 0; i < c->regions.n; i++)
		fprintf(f, "%s%s", i ? ", " : "", c->regions.v[i]);
	fprintf(f, "%s\n  roles       ", c->regions.n ? "" : "-");
	int first = 1;
	for (int r = LIA_ROLE_LIAISON; r <= LIA_ROLE_BROKER; r++)
		if (c->roles & LIA_ROLE_BIT(r)) {
			fprintf(f, "%s%s", first ? "" : ", ", lia_role_str((enum lia_role)r));
			first = 0;
		}
	fprintf(f, "\n  valid       %s .. %s\n", nb, na);
	fprintf(f, "  issued      %s by authority key %s\n", ia, k4);
	fprintf(f, "  sign key    %s\n  box key     %s\n  transport   %s\n", k1, k2, k3);
}
