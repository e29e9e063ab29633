/*
 * consent.c — sign and verify consents to onward dissemination.
 */
#include "consent.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "consent.pb-c.h"
#include "pb_int.h"
#include "sig.h"
#include "util.h"

bool lia_purpose_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= LIA_PURPOSE_MAX)
		return false;
	char tmp[LIA_PURPOSE_MAX];
	return lia_pb_str(tmp, sizeof tmp, s) == 0;
}

const char *lia_consent_state_str(enum lia_consent_state s)
{
	switch (s) {
	case LIA_CONSENT_PENDING: return "pending";
	case LIA_CONSENT_GRANTED: return "granted";
	case LIA_CONSENT_REFUSED: return "refused";
	}
	return "unknown";
}

void lia_consent_digest_hex(const uint8_t *consent, size_t len, char out[static LIA_CONSENT_DIGEST_HEX])
{
	uint8_t digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, consent, len);
	lia_hex(out, digest, sizeof digest);
}

static bool grant_valid(const struct lia_consent_grant *g)
{
	if (memchr(g->grantee, '\0', sizeof g->grantee) == NULL ||
	    memchr(g->requested_by, '\0', sizeof g->requested_by) == NULL ||
	    memchr(g->granted_by, '\0', sizeof g->granted_by) == NULL ||
	    memchr(g->purpose, '\0', sizeof g->purpose) == NULL)
		return false;
	return g->request != 0 && g->granted_at > 0 &&
	       (lia_name_is_subject(g->grantee) || lia_name_is_agency(g->grantee)) &&
	       lia_name_is_subject(g->requested_by) && lia_name_is_subject(g->granted_by) &&
	       strcmp(g->granted_by, g->requested_by) != 0 && strcmp(g->granted_by, g->grantee) != 0 &&
	       lia_purpose_valid(g->purpose);
}

int lia_consent_sign(const struct lia_consent_grant *g, const struct lia_secret *sign,
		     uint8_t **out, size_t *out_len, char err[static LIA_ERR_MAX])
{
	if (sign->purpose != LIA_KEY_SIGN)
		return lia_errf(err, "a consent is signed with a signing key");
	if (!grant_valid(g))
		return lia_errf(err, "refusing to sign: the consent's fields are invalid (grantee a "
				     "principal or agency other than the signer, requester and signer "
				     "distinct principals, purpose 1..%d printable bytes)",
				LIA_PURPOSE_MAX - 1);
	Liaison__V1__ConsentBody b = LIAISON__V1__CONSENT_BODY__INIT;
	b.version = 1;
	b.message_id = (ProtobufCBinaryData){LIA_ID_BYTES, (uint8_t *)g->message_id};
	b.request = g->request;
	b.grantee = (char *)g->grantee;
	b.requested_by = (char *)g->requested_by;
	b.granted_by = (char *)g->granted_by;
	b.granted_at = g->granted_at;
	b.purpose = (char *)g->purpose;
	size_t len = liaison__v1__consent_body__get_packed_size(&b);
	uint8_t *body = malloc(len ? len : 1);
	if (body == NULL)
		return lia_errf(err, "out of memory");
	liaison__v1__consent_body__pack(&b, body);
	int rc = lia_pb_pack_signed(out, out_len, body, len, LIA_CTX_CONSENT, sign->sk, err);
	free(body);
	return rc;
}

int lia_consent_verify(const uint8_t *buf, size_t len, const struct lia_cert *signer,
		       struct lia_consent_grant *out, char err[static LIA_ERR_MAX])
{
	memset(out, 0, sizeof *out);
	if (len > LIA_CONSENT_MAX_BYTES)
		return lia_errf(err, "consent of %zu bytes, at most %d", len, LIA_CONSENT_MAX_BYTES);
	struct lia_pb_budget budget;
	lia_pb_budget_init(&budget, LIA_PB_BUDGET(len));
	Liaison__V1__Consent *outer = liaison__v1__consent__unpack(&budget.alloc, len, buf);
	if (outer == NULL)
		return lia_errf(err, "the consent does not decode");
	Liaison__V1__ConsentBody *b = NULL;
	int rc = -1;
	if (outer->signature.len != LIA_SIG_BYTES) {
		lia_errf(err, "the consent's signature has %zu bytes, not %d", outer->signature.len,
			 LIA_SIG_BYTES);
		goto out;
	}
	if (lia_verify(outer->signature.data, LIA_CTX_CONSENT, outer->body.data, outer->body.len,
		       signer->sign_pk) != 0) {
		lia_errf(err, "the consent's signature does not verify with %s's key", signer->subject);
		goto out;
	}
	b = liaison__v1__consent_body__unpack(&budget.alloc, outer->body.len, outer->body.data);
	if (b == NULL || b->version != 1 || b->message_id.len != LIA_ID_BYTES) {
		lia_errf(err, "the consent's body is malformed");
		goto out;
	}
	memcpy(out->message_id, b->message_id.data, LIA_ID_BYTES);
	out->request = b->request;
	out->granted_at = b->granted_at;
	if (lia_pb_str(out->grantee, sizeof out->grantee, b->grantee) != 0 ||
	    lia_pb_str(out->requested_by, sizeof out->requested_by, b->requested_by) != 0 ||
	    lia_pb_str(out->granted_by, sizeof out->granted_by, b->granted_by) != 0 ||
	    lia_pb_str(out->purpose, sizeof out->purpose, b->purpose) != 0 || !grant_valid(out)) {
		lia_errf(err, "a field of the consent is invalid");
		goto out;
	}
	if (strcmp(out->granted_by, signer->subject) != 0) {
		lia_errf(err, "the consent names %s as its signer, but %s signed it", out->granted_by,
			 signer->subject);
		goto out;
	}
	rc = 0;
out:
	if (b != NULL)
		liaison__v1__consent_body__free_unpacked(b, &budget.alloc);
	liaison__v1__consent__free_unpacked(outer, &budget.alloc);
	if (rc != 0)
		memset(out, 0, sizeof *out);
	return rc;
}
