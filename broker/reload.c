/* reload.c — see reload.h. */
#include "reload.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "record.h"
#include "turn.h"
#include "load.h"
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

int lia_reload_directory(struct lia_broker *b, bool reload)
{
	struct lia_directory d;
	char err[LIA_ERR_MAX];
	if (lia_directory_load(&d, b->authority_pk, b->cfg.certificates, b->cfg.revocation_list, stderr, err) != 0) {
		lia_blog(reload ? "reload-refused" : "directory-error", "reason=\"%s\"%s", err,
			 reload ? " keeping the certificates in force" : "");
		return -1;
	}
	if (reload && d.crl.number < b->dir.crl.number) {
		lia_blog("reload-refused", "reason=\"revocation list number %llu is older than the %llu in force\"",
			 (unsigned long long)d.crl.number, (unsigned long long)b->dir.crl.number);
		lia_directory_clear(&d);
		return -1;
	}
	/* Newly revoked certificates: ledger record, sessions dropped. */
	for (size_t i = 0; i < d.crl.n; i++) {
		if (lia_crl_find(&b->dir.crl, d.crl.v[i].serial) != NULL || !reload)
			continue;
		struct lia_record r;
		lia_rec_init(b, &r, LIA_OP_CERTIFICATE_REVOKED);
		r.cert_serial = d.crl.v[i].serial;
		snprintf(r.justification, sizeof r.justification, "%s", d.crl.v[i].reason);
		(void)lia_rec_now(b, &r);
		lia_blog("certificate-revoked", "serial=%" PRIu64 " reason=\"%s\"", d.crl.v[i].serial, d.crl.v[i].reason);
	}
	lia_directory_clear(&b->dir);
	b->dir = d;
	free(b->rates);
	b->rates = calloc(b->dir.n ? b->dir.n : 1, sizeof *b->rates);
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
