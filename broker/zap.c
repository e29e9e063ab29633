/* zap.c — see zap.h. */
#include "zap.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "blog.h"
#include "record.h"
#include "sig.h"
#include "util.h"

static void zap_reply(void *zap, const char *version, const char *reqid, size_t reqid_len,
		      const char *code, const char *text, const char *user)
{
	zmq_send(zap, version, strlen(version), ZMQ_SNDMORE);
	zmq_send(zap, reqid, reqid_len, ZMQ_SNDMORE);
	zmq_send(zap, code, strlen(code), ZMQ_SNDMORE);
	zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(zap, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(zap, "", 0, 0);
}

bool lia_zap_refusal_worth(struct lia_zap_refusals *r, const uint8_t *key, int64_t now)
{
	bool ok = true;
	if (now != r->second) {
		r->second = now;
		r->in_second = 0;
	}
	if (r->in_second >= LIA_ZAP_REFUSALS_PER_SECOND)
		ok = false;
	if (ok && key != NULL) {
		uint8_t kid[LIA_KEYID_BYTES];
		lia_keyid(kid, key);
		struct lia_zap_refused_key *slot = &r->recent[kid[0] % LIA_ZAP_REFUSED_KEYS];
		if (memcmp(slot->kid, kid, LIA_KEYID_BYTES) == 0 && now - slot->at < LIA_ZAP_REFUSED_KEY_SECONDS)
			ok = false;
		else {
			memcpy(slot->kid, kid, LIA_KEYID_BYTES);
			slot->at = now;
		}
	}
	if (ok) {
		r->in_second++;
		return true;
	}
	if (r->suppressed++ == 0)
		r->suppressed_since = now;
	return false;
}

bool lia_zap_decide(const struct lia_directory *dir, const uint8_t key[static 32], int64_t now,
		    const struct lia_directory_entry **e, char why[static LIA_ZAP_WHY_MAX])
{
	*e = lia_directory_by_transport(dir, key);
	enum lia_cert_status st;
	if (*e == NULL)
		snprintf(why, LIA_ZAP_WHY_MAX, "unknown transport key");
	else if ((*e)->cert.kind != LIA_CERT_PRINCIPAL)
		snprintf(why, LIA_ZAP_WHY_MAX, "not a principal certificate");
	else if ((st = lia_cert_check(&(*e)->cert, &dir->crl, now)) != LIA_CERT_OK)
		snprintf(why, LIA_ZAP_WHY_MAX, "certificate %s", lia_cert_status_str(st));
	else
		return true;
	return false;
}

/* Read one request, at most 8 parts (version, request id, domain,
 * address, identity, mechanism, credentials); the rest is drained.
 * Returns how many parts were read into part[]. */
static int zap_read(void *zap, zmq_msg_t part[static 8])
{
	int n = 0, more = 1;
	while (more && n < 8) {
		zmq_msg_init(&part[n]);
		if (zmq_msg_recv(&part[n], zap, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part[n]);
			break;
		}
		more = zmq_msg_more(&part[n]);
		n++;
	}
	while (more) { /* drain a malformed request */
		zmq_msg_t junk;
		zmq_msg_init(&junk);
		if (zmq_msg_recv(&junk, zap, 0) < 0)
			more = 0;
		else
			more = zmq_msg_more(&junk);
		zmq_msg_close(&junk);
	}
	return n;
}

/* The ledger record and log line of a refusal worth recording. */
static void record_refusal(struct lia_broker *b, const char *why, const uint8_t *key,
			   const struct lia_directory_entry *e)
{
	char kid[LIA_KEYID_HEX] = "-";
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_AUTHENTICATION_REFUSED);
	if (key != NULL) {
		r.actor.has_key_id = true;
		lia_keyid(r.actor.key_id, key);
		lia_keyid_hex(kid, r.actor.key_id);
	}
	if (e != NULL) {
		memcpy(r.actor.subject, e->cert.subject, LIA_NAME_MAX);
		memcpy(r.actor.agency, e->cert.agency, LIA_NAME_MAX);
		r.cert_serial = e->cert.serial;
	}
	if (key == NULL)
		memcpy(r.actor.subject, "", 1);
	char since[32] = "";
	if (b->refusals.suppressed > 0)
		lia_time_format(b->refusals.suppressed_since, since);
	if (b->refusals.suppressed > 0)
		snprintf(r.justification, sizeof r.justification,
			 "%s; %" PRIu64 " more refused handshakes since %s not recorded one by one", why,
			 b->refusals.suppressed, since);
	else
		snprintf(r.justification, sizeof r.justification, "%s", why);
	if (key != NULL || e != NULL)
		(void)lia_rec_append(b, &r);
	lia_blog("auth-refused", "transport_key=%s subject=%s reason=\"%s\" unrecorded_before=%" PRIu64, kid,
		 e ? e->cert.subject : "-", why, b->refusals.suppressed);
	b->refusals.suppressed = 0;
}

void lia_zap_handle(struct lia_broker *b)
{
	zmq_msg_t part[8];
	int n = zap_read(b->zap, part);
	if (n < 2)
		goto done;
	const char *reqid = zmq_msg_data(&part[1]);
	size_t reqid_len = zmq_msg_size(&part[1]);
	char why[LIA_ZAP_WHY_MAX] = "malformed ZAP request";
	const struct lia_directory_entry *e = NULL;
	uint8_t key[32];
	bool have_key = false;
	if (n == 7 && zmq_msg_size(&part[5]) == 5 && memcmp(zmq_msg_data(&part[5]), "CURVE", 5) == 0 &&
	    zmq_msg_size(&part[6]) == 32) {
		memcpy(key, zmq_msg_data(&part[6]), 32);
		have_key = true;
		if (lia_zap_decide(&b->dir, key, lia_now(), &e, why)) {
			/* The User-Id names the key, not the subject: a subject may
			 * have had other keys, and a revoked one must stay out. */
			char user[65];
			lia_hex(user, key, 32);
			zap_reply(b->zap, "1.0", reqid, reqid_len, "200", "OK", user);
			goto done;
		}
	}
	zap_reply(b->zap, "1.0", reqid, reqid_len, "400", why, "");
	if (lia_zap_refusal_worth(&b->refusals, have_key ? key : NULL, lia_now()))
		record_refusal(b, why, have_key ? key : NULL, e);
done:
	for (int i = 0; i < n; i++)
		zmq_msg_close(&part[i]);
}
