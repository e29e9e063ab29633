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

/* addr as sampled: an IP address in text, else "?" (the request is
 * untrusted, the sample goes into a record). */
static void sample_address(char out[static LIA_ZAP_ADDRESS_MAX], const char *addr)
{
	size_t n = addr != NULL ? strnlen(addr, LIA_ZAP_ADDRESS_MAX) : 0;
	if (n == 0 || n >= LIA_ZAP_ADDRESS_MAX || strspn(addr, "0123456789abcdefABCDEF.:") != n)
		addr = "?";
	snprintf(out, LIA_ZAP_ADDRESS_MAX, "%s", addr);
}

/* Whether kid is one of the n ids of v; if not and there is room (cap),
 * it is added. Returns true when it was already there. */
static bool kid_seen(uint8_t (*v)[LIA_KEYID_BYTES], size_t *n, size_t cap, const uint8_t *kid, bool *added)
{
	*added = false;
	for (size_t i = 0; i < *n; i++)
		if (memcmp(v[i], kid, LIA_KEYID_BYTES) == 0)
			return true;
	if (*n < cap) {
		memcpy(v[(*n)++], kid, LIA_KEYID_BYTES);
		*added = true;
	}
	return false;
}

bool lia_zap_refusal_count(struct lia_zap_refusals *r, const uint8_t *key, bool known, const char *address,
			   int64_t now)
{
	if (r->since == 0)
		r->since = now > 0 ? now : 1;
	r->count[key == NULL ? LIA_ZAP_MALFORMED : known ? LIA_ZAP_KNOWN_KEY : LIA_ZAP_UNKNOWN_KEY]++;
	char a[LIA_ZAP_ADDRESS_MAX];
	sample_address(a, address);
	bool have = false;
	for (size_t i = 0; i < r->n_addresses && !have; i++)
		have = strcmp(r->addresses[i], a) == 0;
	if (!have && r->n_addresses < LIA_ZAP_SAMPLE_ADDRESSES)
		memcpy(r->addresses[r->n_addresses++], a, sizeof a);
	if (key == NULL)
		return false;
	uint8_t kid[LIA_KEYID_BYTES];
	bool added;
	lia_keyid(kid, key);
	(void)kid_seen(r->keys, &r->n_keys, LIA_ZAP_SAMPLE_KEYS, kid, &added);
	if (!known || kid_seen(r->known, &r->n_known, LIA_ZAP_KNOWN_MAX, kid, &added) || !added)
		return false;
	r->recorded++;
	return true;
}

static uint64_t counted(const struct lia_zap_refusals *r)
{
	uint64_t n = 0;
	for (int i = 0; i < LIA_ZAP_REASONS; i++)
		n += r->count[i];
	return n;
}

bool lia_zap_summary_due(const struct lia_zap_refusals *r, int64_t now)
{
	return r->since != 0 && now - r->since >= r->interval;
}

void lia_zap_summary_text(const struct lia_zap_refusals *r, int64_t now, char text[static LIA_TEXT_MAX],
			  bool *has_key, uint8_t first_key[static LIA_KEYID_BYTES])
{
	char from[32], to[32];
	lia_time_format(r->since, from);
	lia_time_format(now, to);
	int w = snprintf(text, LIA_TEXT_MAX,
			 "%" PRIu64 " refused handshakes from %s to %s: %" PRIu64 " unknown transport key, %" PRIu64
			 " known key not admitted (%" PRIu64 " recorded one by one), %" PRIu64 " malformed; sample keys:",
			 counted(r), from, to, r->count[LIA_ZAP_UNKNOWN_KEY], r->count[LIA_ZAP_KNOWN_KEY], r->recorded,
			 r->count[LIA_ZAP_MALFORMED]);
	/* The sample's bounds keep the text under LIA_TEXT_MAX: 6 ids of 16
	 * digits and 4 addresses of at most 45 characters. */
	for (size_t i = 0; i < r->n_keys && w > 0 && w < LIA_TEXT_MAX; i++) {
		char kid[LIA_KEYID_HEX];
		lia_keyid_hex(kid, r->keys[i]);
		w += snprintf(text + w, LIA_TEXT_MAX - (size_t)w, " %s", kid);
	}
	if (w > 0 && w < LIA_TEXT_MAX)
		w += snprintf(text + w, LIA_TEXT_MAX - (size_t)w, "; addresses:");
	for (size_t i = 0; i < r->n_addresses && w > 0 && w < LIA_TEXT_MAX; i++)
		w += snprintf(text + w, LIA_TEXT_MAX - (size_t)w, " %s", r->addresses[i]);
	*has_key = r->n_keys > 0;
	if (*has_key)
		memcpy(first_key, r->keys[0], LIA_KEYID_BYTES);
}

void lia_zap_summary_reset(struct lia_zap_refusals *r)
{
	int64_t interval = r->interval;
	memset(r, 0, sizeof *r);
	r->interval = interval;
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

/* The record and log line of a known key's first refusal in the interval. */
static void record_refusal(struct lia_broker *b, const char *why, const uint8_t key[static 32],
			   const struct lia_directory_entry *e)
{
	char kid[LIA_KEYID_HEX];
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_AUTHENTICATION_REFUSED);
	r.actor.has_key_id = true;
	lia_keyid(r.actor.key_id, key);
	lia_keyid_hex(kid, r.actor.key_id);
	memcpy(r.actor.subject, e->cert.subject, LIA_NAME_MAX);
	memcpy(r.actor.agency, e->cert.agency, LIA_NAME_MAX);
	r.cert_serial = e->cert.serial;
	snprintf(r.justification, sizeof r.justification, "%s", why);
	(void)lia_rec_append(b, &r);
	lia_blog("auth-refused", "transport_key=%s subject=%s reason=\"%s\"", kid, e->cert.subject, why);
}

void lia_zap_flush(struct lia_broker *b, int64_t now, bool force)
{
	struct lia_zap_refusals *z = &b->refusals;
	if (!lia_zap_summary_due(z, now) && !(force && z->since != 0))
		return;
	if (counted(z) == z->recorded) { /* each had its own record */
		lia_zap_summary_reset(z);
		return;
	}
	struct lia_record r;
	bool has_key;
	lia_rec_init(b, &r, LIA_OP_AUTHENTICATION_REFUSED);
	lia_zap_summary_text(z, now, r.justification, &has_key, r.actor.key_id);
	/* A request without a key (libzmq sends none to a CURVE server) has
	 * no party to name: such an interval is logged only. */
	r.actor.has_key_id = has_key;
	if (has_key)
		(void)lia_rec_append(b, &r);
	lia_blog("auth-refused-summary", "count=%" PRIu64 " unknown_key=%" PRIu64 " known_key=%" PRIu64
		 " malformed=%" PRIu64 " seconds=%" PRId64 " summary=\"%s\"",
		 counted(z), z->count[LIA_ZAP_UNKNOWN_KEY], z->count[LIA_ZAP_KNOWN_KEY], z->count[LIA_ZAP_MALFORMED],
		 now - z->since, r.justification);
	lia_zap_summary_reset(z);
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
	char address[LIA_ZAP_ADDRESS_MAX] = "";
	if (n >= 4 && zmq_msg_size(&part[3]) < sizeof address)
		memcpy(address, zmq_msg_data(&part[3]), zmq_msg_size(&part[3]));
	int64_t now = lia_now();
	lia_zap_flush(b, now, false); /* an interval that ended counts apart */
	if (lia_zap_refusal_count(&b->refusals, have_key ? key : NULL, e != NULL, address, now))
		record_refusal(b, why, key, e);
done:
	for (int i = 0; i < n; i++)
		zmq_msg_close(&part[i]);
}
