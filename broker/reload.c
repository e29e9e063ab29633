/* reload.c — see reload.h. */
#include "reload.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "blog.h"
#include "record.h"
#include "turn.h"
#include "load.h"
#include "store.h"
#include "util.h"

int lia_reload_policy(struct lia_broker *b, bool reload)
{
	struct lia_policy_error pe;
	struct lia_policy *p = lia_policy_load(b->cfg.policy, &pe);
	if (p == NULL) {
		lia_blog(reload ? "reload-refused" : "policy-error", "policy=\"%s\" line=%u column=%u reason=\"%s\"%s",
			 b->cfg.policy, pe.line, pe.column, pe.msg, reload ? " keeping the policy in force" : "");
		return -1;
	}
	if (b->policy != NULL && memcmp(b->policy->hash, p->hash, 32) == 0) {
		lia_policy_destroy(&p);
		return 0;
	}
	lia_policy_destroy(&b->policy);
	b->policy = p;
	char hex[LIA_POLICY_HASH_HEX];
	lia_hex(hex, p->hash, 32);
	lia_blog("policy-loaded", "exchange=%s hash=%s", p->exchange, hex);
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_POLICY_LOADED);
	lia_rec_text(r.justification, sizeof r.justification, b->cfg.policy);
	return lia_rec_now(b, &r);
}

/* The revocation list d carries against the one the store says is in
 * force: refused when older, or of the same number with other bytes (two
 * lists signed under one number: one of them is not the authority's
 * last word). Taken: each revocation the ledger does not hold yet gets
 * its certificate-revoked record, and the list becomes the one in force,
 * all in one transaction. Kept in the store, not in memory, so that a
 * restart with an older, validly signed list cannot un-revoke anybody
 * (issue 10, item 5). 0, or -1 (logged; nothing changed). */
static int crl_take(struct lia_broker *b, const struct lia_directory *d, bool reload)
{
	const char *refused = reload ? "reload-refused" : "directory-error";
	const char *keeping = reload ? " keeping the certificates in force" : "";
	uint8_t hash[LIA_STORE_CRL_HASH_BYTES], kept_hash[LIA_STORE_CRL_HASH_BYTES];
	crypto_generichash(hash, sizeof hash, d->crl_bytes, d->crl_len, NULL, 0);
	uint64_t kept = 0;
	if (b->in_txn)
		lia_turn_commit(b); /* never mix with a turn's work */
	int have = lia_store_crl_get(b->store, &kept, kept_hash);
	if (have < 0) {
		lia_blog(refused, "reason=\"cannot read the revocation list in force from the store\"%s", keeping);
		return -1;
	}
	if (have == 1 && d->crl.number < kept) {
		lia_blog(refused, "reason=\"revocation list number %" PRIu64 " is older than the %" PRIu64
				  " in force\" list=\"%s\"%s",
			 d->crl.number, kept, b->cfg.revocation_list, keeping);
		return -1;
	}
	if (have == 1 && d->crl.number == kept && memcmp(hash, kept_hash, sizeof hash) != 0) {
		lia_blog(refused, "reason=\"revocation list number %" PRIu64 " differs from the list of that number"
				  " in force\" list=\"%s\"%s",
			 d->crl.number, b->cfg.revocation_list, keeping);
		return -1;
	}
	if (have == 1 && d->crl.number == kept)
		return 0; /* the same list again: its revocations were recorded with it */
	char err[LIA_ERR_MAX];
	if (lia_turn_need(b) != 0)
		return -1;
	int64_t now = lia_now();
	for (size_t i = 0; i < d->crl.n; i++) {
		const struct lia_crl_entry *e = &d->crl.v[i];
		int fresh = lia_store_revoked_add(b->store, e->serial, now, err);
		if (fresh < 0)
			goto fail;
		if (fresh == 0)
			continue;
		struct lia_record r;
		lia_rec_init(b, &r, LIA_OP_CERTIFICATE_REVOKED);
		r.cert_serial = e->serial;
		snprintf(r.justification, sizeof r.justification, "%s", e->reason);
		if (lia_rec_append(b, &r) != 0)
			return -1; /* the turn is aborted */
		lia_blog("certificate-revoked", "serial=%" PRIu64 " reason=\"%s\"%s", e->serial, e->reason,
			 reload ? "" : " first_seen=start");
	}
	if (lia_store_crl_set(b->store, d->crl.number, hash, now, err) != 0)
		goto fail;
	b->in_txn = false;
	if (lia_turn_durable(b, err) != 0) {
		lia_blog("store-error", "%s", err);
		lia_blog(refused, "reason=\"cannot keep the revocation list in force\"%s", keeping);
		return -1;
	}
	return 0;
fail:
	lia_blog("store-error", "%s", err);
	lia_turn_abort(b, "cannot keep the revocation list in force");
	return -1;
}

int lia_reload_directory(struct lia_broker *b, bool reload)
{
	struct lia_directory d;
	char err[LIA_ERR_MAX];
	if (lia_directory_load(&d, b->authority_pk, b->cfg.certificates, b->cfg.revocation_list, stderr, err) != 0) {
		lia_blog(reload ? "reload-refused" : "directory-error", "reason=\"%s\"%s", err,
			 reload ? " keeping the certificates in force" : "");
		return -1;
	}
	if (crl_take(b, &d, reload) != 0) {
		lia_directory_clear(&d);
		return -1;
	}
	/* The budgets restart with the directory: what they owe the
	 * ledger (refusals, repeats) is written first, never dropped. */
	lia_limits_flush(b);
	lia_directory_clear(&b->dir);
	b->dir = d;
	free(b->budgets);
	b->budgets = calloc(b->dir.n ? b->dir.n : 1, sizeof *b->budgets);
	for (uint32_t i = 0; i < b->n_sessions; i++) {
		struct lia_session *s = &b->sessions[i];
		if (!s->used)
			continue;
		const struct lia_directory_entry *e = lia_directory_find(&b->dir, s->cert.subject);
		if (e == NULL || lia_cert_check(&e->cert, &b->dir.crl, lia_now()) != LIA_CERT_OK ||
		    memcmp(e->cert.transport_pk, s->cert.transport_pk, 32) != 0) {
			lia_reply_error(b, s->rid, s->rid_len, 0, LIA_ERROR_REVOKED,
					"your certificate was revoked; the session ends");
			/* Closing the peer's connection needs its routing id on a
			 * socket option that libzmq 4.3 offers only as DRAFT; the
			 * session is forgotten and every later frame is refused. */
			lia_blog("session-dropped", "subject=%s reason=\"certificate no longer valid\"", s->cert.subject);
			s->used = false;
			continue;
		}
		s->cert = e->cert;
	}
	lia_blog("directory-loaded", "certificates=%zu revoked=%zu", b->dir.n, b->dir.crl.n);
	return 0;
}
