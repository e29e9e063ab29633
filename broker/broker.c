/*
 * broker.c — the broker's event loop (see broker.h for the pipeline).
 */
#include "broker.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "decide.h"
#include "directory.h"
#include "envelope.h"
#include "ledger.h"
#include "load.h"
#include "policy.h"
#include "sig.h"
#include "store.h"
#include "unit.h"
#include "util.h"
#include "wire.h"

#define RID_MAX 256
#define IDLE_SECONDS 120        /* a session silent this long is forgotten */
#define CANDIDATES_MAX 4096
#define ENV_CACHE_MAX 1024
#define OUTBOX_MAX 100000
#define FEEDS_PER_SUBSCRIBER 32
#define CONSENTS_PER_MESSAGE 64 /* granted consents for one message, at most */
/* Refused handshakes cost an attacker almost nothing: the ledger and the
 * log record the first refusal of a key in each minute and at most
 * REFUSALS_PER_SECOND in all; the others are counted, and the count goes
 * into the next record. */
#define REFUSED_KEYS 256
#define REFUSED_KEY_SECONDS 60
#define REFUSALS_PER_SECOND 20

struct session {
	bool used;
	uint8_t rid[RID_MAX];
	size_t rid_len;
	struct lia_cert cert;      /* as authenticated; refreshed on reload */
	bool receive;
	uint32_t window;
	uint32_t inflight;
	uint64_t cursor;           /* last delivery number sent */
	bool maybe_pending;        /* look in the store for deliveries */
	uint64_t erase_cursor;     /* last erase notice sent */
	bool maybe_erase;          /* look in the store for erase notices owed */
	int64_t last_seen;
};

struct outmsg {
	uint8_t rid[RID_MAX];
	size_t rid_len;
	uint8_t *frame;            /* encoded reply */
	size_t len;
	uint8_t *fallback;         /* sent instead when the turn's commit fails */
	size_t fallback_len;
};

struct candidate {
	const struct lia_directory_entry *who;
	char via[LIA_FEED_NAME_MAX];
};

struct lia_broker {
	struct lia_broker_config cfg;
	void *zctx, *router, *zap;
	int sigfd;
	struct lia_identity_keys {
		struct lia_cert cert;
		uint8_t *cert_bytes;
		size_t cert_len;
		struct lia_secret *sign, *transport;
	} me;
	uint8_t authority_pk[32];
	struct lia_directory dir;
	struct lia_policy *policy;
	struct lia_unit *unit;     /* owns the connection and the turn's transaction */
	struct lia_store *store;   /* borrowed from unit */
	struct lia_ledger *ledger; /* borrowed from unit */
	struct lia_store_feed *feeds;
	size_t n_feeds;
	/* Publish rate per principal (policy publish_per_hour), indexed like
	 * dir.v; fixed one-hour windows, reset when certificates reload. */
	struct rate {
		int64_t window_start;
		uint32_t count;
	} *rates;
	struct session *sessions;
	bool feeds_dirty;          /* a subscribe or unsubscribe is in the turn */
	uint32_t n_sessions;       /* sessions[0..n_sessions) may be in use */
	bool in_txn;
	struct outmsg *out;
	size_t n_out, cap_out;
	struct {
		uint64_t seq;
		struct lia_envelope *env;
	} cache[ENV_CACHE_MAX];
	size_t n_cache;
	struct candidate *cand;
	struct {
		struct refused_key {
			uint8_t kid[LIA_KEYID_BYTES];
			int64_t at;
		} recent[REFUSED_KEYS]; /* by the key id's first byte */
		int64_t second;
		uint32_t in_second;
		uint64_t suppressed;
		int64_t suppressed_since;
	} refusals;
	int64_t next_expiry;
	bool stop;
};

/* --- operational log: one event a line on stderr, never secrets --- */

static void blog(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void blog(const char *event, const char *fmt, ...)
{
	char ts[32];
	lia_time_format(lia_now(), ts);
	fprintf(stderr, "%s %s ", ts, event);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Copy text into a fixed field, cutting it when longer (ledger
 * justifications and reasons are bounded by design). */
static void copy_text(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* dir "/" name into out, or -1 when it does not fit. */
static int path_in(char out[static PATH_MAX], const char *dir, const char *name, char err[static LIA_ERR_MAX])
{
	int w = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	if (w < 0 || w >= PATH_MAX)
		return lia_errf(err, "path too long: \"%s/%s\"", dir, name);
	return 0;
}

static void hexid(char out[static 2 * LIA_ID_BYTES + 1], const uint8_t id[static LIA_ID_BYTES])
{
	lia_id_hex(out, id);
}

/* --- transactions and the ledger --- */

static void turn_abort(struct lia_broker *b, const char *why);
static void turn_commit(struct lia_broker *b);

static int txn_need(struct lia_broker *b)
{
	if (b->in_txn) {
		/* SQLite rolls a transaction back by itself on some I/O errors;
		 * then later statements would run outside it. */
		if (lia_unit_active(b->unit))
			return 0;
		turn_abort(b, "the store's transaction ended unexpectedly");
		return -1;
	}
	char err[LIA_ERR_MAX];
	if (lia_unit_begin(b->unit, err) != 0) {
		blog("store-error", "%s", err);
		return -1;
	}
	b->in_txn = true;
	return 0;
}

static void party_of(struct lia_record_party *p, const struct lia_cert *c)
{
	memset(p, 0, sizeof *p);
	memcpy(p->subject, c->subject, LIA_NAME_MAX);
	memcpy(p->agency, c->agency, LIA_NAME_MAX);
	p->has_key_id = true;
	memcpy(p->key_id, c->sign_kid, LIA_KEYID_BYTES);
}

static void record_init(struct lia_broker *b, struct lia_record *r, enum lia_record_op op)
{
	lia_record_init(r);
	r->op = op;
	r->time = lia_now();
	r->has_policy_hash = true;
	memcpy(r->policy_hash, b->policy->hash, 32);
}

static void record_message(struct lia_record *r, const struct lia_header *h)
{
	r->has_message_id = true;
	memcpy(r->message_id, h->id, LIA_ID_BYTES);
	memcpy(r->originator, h->originator, LIA_NAME_MAX);
	r->kind = (int)h->kind;
	r->has_restrictions = true;
	r->restrictions = h->restrictions;
}

/* Append inside the turn's transaction. -1 aborts the turn's work. */
static int record_append(struct lia_broker *b, struct lia_record *r)
{
	char err[LIA_ERR_MAX];
	if (txn_need(b) != 0)
		return -1;
	if (lia_ledger_append(b->ledger, r, err) != 0) {
		blog("ledger-error", "%s", err);
		turn_abort(b, "ledger append failed");
		return -1;
	}
	return 0;
}

/* A record outside the loop's turns (start, reload): its own transaction. */
static int record_now(struct lia_broker *b, struct lia_record *r)
{
	char err[LIA_ERR_MAX];
	if (b->in_txn)
		turn_commit(b); /* never mix with a turn's work */
	if (record_append(b, r) != 0)
		return -1;
	b->in_txn = false;
	if (lia_unit_commit(b->unit, err) != 0) {
		blog("store-error", "%s", err);
		return -1;
	}
	return 0;
}

/* --- replies --- */

static int out_push(struct lia_broker *b, const uint8_t *rid, size_t rid_len,
		    const struct lia_frame *f, const struct lia_frame *fallback)
{
	if (b->n_out == b->cap_out) {
		size_t ncap = b->cap_out ? 2 * b->cap_out : 64;
		if (ncap > OUTBOX_MAX)
			return -1;
		struct outmsg *v = realloc(b->out, ncap * sizeof *v);
		if (v == NULL)
			return -1;
		b->out = v;
		b->cap_out = ncap;
	}
	struct outmsg *o = &b->out[b->n_out];
	memset(o, 0, sizeof *o);
	memcpy(o->rid, rid, rid_len);
	o->rid_len = rid_len;
	if (lia_frame_encode(f, &o->frame, &o->len) != 0)
		return -1;
	if (fallback != NULL && lia_frame_encode(fallback, &o->fallback, &o->fallback_len) != 0) {
		free(o->frame);
		return -1;
	}
	b->n_out++;
	return 0;
}

static void send_raw(struct lia_broker *b, const uint8_t *rid, size_t rid_len, const uint8_t *buf,
		     size_t len)
{
	if (zmq_send(b->router, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(b->router, buf, len, ZMQ_DONTWAIT) < 0) {
		/* EHOSTUNREACH: the peer left; EAGAIN: its queue is full. The
		 * agent retries a request it got no answer to. */
		if (errno != EHOSTUNREACH)
			blog("send-dropped", "reason=\"%s\"", zmq_strerror(errno));
	}
}

/* Send every queued reply: the real one when committed, else the fallback. */
static void out_flush(struct lia_broker *b, bool committed)
{
	for (size_t i = 0; i < b->n_out; i++) {
		struct outmsg *o = &b->out[i];
		if (committed)
			send_raw(b, o->rid, o->rid_len, o->frame, o->len);
		else if (o->fallback != NULL)
			send_raw(b, o->rid, o->rid_len, o->fallback, o->fallback_len);
		free(o->frame);
		free(o->fallback);
	}
	b->n_out = 0;
}

static void cache_clear(struct lia_broker *b);

/* Abandon the turn's transaction: nothing of it happened, and every
 * reply waiting for it becomes its fallback (publish: "unavailable,
 * publish again"). Used whenever a write or a ledger append fails. */
static void turn_abort(struct lia_broker *b, const char *why)
{
	blog("turn-aborted", "reason=\"%s\"", why);
	if (b->in_txn) {
		lia_unit_rollback(b->unit);
		b->in_txn = false;
	}
	out_flush(b, false);
	cache_clear(b);
}

static void reply_now(struct lia_broker *b, const uint8_t *rid, size_t rid_len,
		      const struct lia_frame *f)
{
	uint8_t *buf;
	size_t len;
	if (lia_frame_encode(f, &buf, &len) != 0)
		return;
	send_raw(b, rid, rid_len, buf, len);
	free(buf);
}

static void reply_error(struct lia_broker *b, const uint8_t *rid, size_t rid_len, uint64_t req,
			enum lia_error_code code, const char *detail)
{
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_ERROR, req);
	f.u.error.code = code;
	snprintf(f.u.error.detail, sizeof f.u.error.detail, "%s", detail);
	reply_now(b, rid, rid_len, &f);
}

/* --- sessions --- */

static struct session *session_find(struct lia_broker *b, const uint8_t *rid, size_t len)
{
	for (uint32_t i = 0; i < b->n_sessions; i++)
		if (b->sessions[i].used && b->sessions[i].rid_len == len &&
		    memcmp(b->sessions[i].rid, rid, len) == 0)
			return &b->sessions[i];
	return NULL;
}

static struct session *session_new(struct lia_broker *b, const uint8_t *rid, size_t len)
{
	for (uint32_t i = 0; i < b->cfg.max_sessions; i++) /* a free slot */
		if (!b->sessions[i].used) {
			struct session *s = &b->sessions[i];
			if (i >= b->n_sessions)
				b->n_sessions = i + 1;
			memset(s, 0, sizeof *s);
			s->used = true;
			memcpy(s->rid, rid, len);
			s->rid_len = len;
			return s;
		}
	return NULL;
}

/* --- envelope cache for one turn --- */

static const struct lia_envelope *cache_get(struct lia_broker *b, uint64_t seq)
{
	for (size_t i = 0; i < b->n_cache; i++)
		if (b->cache[i].seq == seq)
			return b->cache[i].env;
	uint8_t *buf;
	size_t len;
	if (lia_store_message_envelope(b->store, seq, &buf, &len) != 1)
		return NULL;
	struct lia_envelope *e = NULL;
	enum lia_env_status st = lia_envelope_decode(&e, buf, len);
	free(buf);
	if (st != LIA_ENV_OK)
		return NULL;
	if (b->n_cache == ENV_CACHE_MAX) {
		lia_envelope_destroy(&b->cache[0].env);
		memmove(&b->cache[0], &b->cache[1], (ENV_CACHE_MAX - 1) * sizeof b->cache[0]);
		b->n_cache--;
	}
	b->cache[b->n_cache].seq = seq;
	b->cache[b->n_cache].env = e;
	b->n_cache++;
	return e;
}

static void cache_put(struct lia_broker *b, uint64_t seq, struct lia_envelope **e)
{
	if (b->n_cache == ENV_CACHE_MAX) {
		lia_envelope_destroy(e);
		return;
	}
	b->cache[b->n_cache].seq = seq;
	b->cache[b->n_cache].env = *e;
	*e = NULL;
	b->n_cache++;
}

static void cache_clear(struct lia_broker *b)
{
	for (size_t i = 0; i < b->n_cache; i++)
		lia_envelope_destroy(&b->cache[i].env);
	b->n_cache = 0;
}

/* --- deliveries --- */

static void mark_pending(struct lia_broker *b, const char *subject)
{
	for (uint32_t i = 0; i < b->n_sessions; i++)
		if (b->sessions[i].used && b->sessions[i].receive &&
		    strcmp(b->sessions[i].cert.subject, subject) == 0)
			b->sessions[i].maybe_pending = true;
}

/* Push stored deliveries to one session, in order, within its window. */
static void deliver_pending(struct lia_broker *b, struct session *s)
{
	struct lia_store_delivery d[64];
	while (s->maybe_pending && s->inflight < s->window) {
		size_t want = s->window - s->inflight, n = 0;
		if (want > 64)
			want = 64;
		if (lia_store_pending(b->store, s->cert.subject, s->cursor, lia_now(), d, want, &n) != 0) {
			blog("store-error", "pending deliveries for %s", s->cert.subject);
			return;
		}
		if (n < want)
			s->maybe_pending = false;
		for (size_t i = 0; i < n; i++) {
			const struct lia_envelope *e = cache_get(b, d[i].message_seq);
			uint8_t *one = NULL;
			size_t one_len = 0;
			s->cursor = d[i].seq;
			if (e == NULL || lia_envelope_encode_for(e, s->cert.box_kid, &one, &one_len) != LIA_ENV_OK) {
				blog("deliver-skipped", "delivery=%" PRIu64 " to=%s reason=\"envelope unavailable\"",
				     d[i].seq, s->cert.subject);
				continue;
			}
			struct lia_frame f;
			lia_frame_init(&f, LIA_FRAME_DELIVER, 0);
			f.u.deliver.sequence = d[i].seq;
			f.u.deliver.envelope = (struct lia_bytes){one, one_len};
			memcpy(f.u.deliver.originator, d[i].originator, LIA_NAME_MAX);
			f.u.deliver.received_at = d[i].received_at;
			memcpy(f.u.deliver.via, d[i].via, LIA_FEED_NAME_MAX);
			int rc = lia_wire_send(b->router, &(struct lia_bytes){s->rid, s->rid_len}, &f, ZMQ_DONTWAIT);
			free(one);
			if (rc != 0) {
				if (errno == EHOSTUNREACH) {
					s->used = false; /* gone: it catches up after reconnecting */
					return;
				}
				/* Queue full: try again next turn from this point. */
				s->cursor = d[i].seq - 1;
				s->maybe_pending = true;
				return;
			}
			s->inflight++;
		}
		if (n == 0)
			break;
	}
}

/* Push the erase notices a session is owed, in order; each stays owed
 * until the recipient confirms the purge (Ack with erased set). */
static void send_erasures(struct lia_broker *b, struct session *s)
{
	struct lia_store_delivery d[64];
	size_t n = 0;
	/* One batch a turn, like deliveries: a principal that never confirms
	 * costs the loop at most 64 small frames a turn. */
	if (s->maybe_erase) {
		if (lia_store_erasures(b->store, s->cert.subject, s->erase_cursor, d, 64, &n) != 0) {
			blog("store-error", "erase notices for %s", s->cert.subject);
			return;
		}
		if (n < 64)
			s->maybe_erase = false;
		for (size_t i = 0; i < n; i++) {
			struct lia_frame f;
			lia_frame_init(&f, LIA_FRAME_ERASE, 0);
			memcpy(f.u.erase.message_id, d[i].message_id, LIA_ID_BYTES);
			f.u.erase.sequence = d[i].seq;
			f.u.erase.expired_at = d[i].expires_at;
			if (lia_wire_send(b->router, &(struct lia_bytes){s->rid, s->rid_len}, &f, ZMQ_DONTWAIT) != 0) {
				if (errno == EHOSTUNREACH)
					s->used = false;
				else
					s->maybe_erase = true; /* queue full: go on next turn */
				return;
			}
			s->erase_cursor = d[i].seq;
		}
	}
}

/* --- ZAP: who may connect --- */

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

/* Whether this refusal gets its own ledger record and log line (see
 * REFUSED_KEYS); if not, it is counted for the next one. */
static bool refusal_worth_recording(struct lia_broker *b, const uint8_t *key)
{
	int64_t now = lia_now();
	bool ok = true;
	if (now != b->refusals.second) {
		b->refusals.second = now;
		b->refusals.in_second = 0;
	}
	if (b->refusals.in_second >= REFUSALS_PER_SECOND)
		ok = false;
	if (ok && key != NULL) {
		uint8_t kid[LIA_KEYID_BYTES];
		lia_keyid(kid, key);
		struct refused_key *slot = &b->refusals.recent[kid[0] % REFUSED_KEYS];
		if (memcmp(slot->kid, kid, LIA_KEYID_BYTES) == 0 && now - slot->at < REFUSED_KEY_SECONDS)
			ok = false;
		else {
			memcpy(slot->kid, kid, LIA_KEYID_BYTES);
			slot->at = now;
		}
	}
	if (ok) {
		b->refusals.in_second++;
		return true;
	}
	if (b->refusals.suppressed++ == 0)
		b->refusals.suppressed_since = now;
	return false;
}

static void zap_handle(struct lia_broker *b)
{
	/* version, request id, domain, address, identity, mechanism, credentials */
	zmq_msg_t part[8];
	int n = 0, more = 1;
	while (more && n < 8) {
		zmq_msg_init(&part[n]);
		if (zmq_msg_recv(&part[n], b->zap, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part[n]);
			break;
		}
		more = zmq_msg_more(&part[n]);
		n++;
	}
	while (more) { /* drain a malformed request */
		zmq_msg_t junk;
		zmq_msg_init(&junk);
		if (zmq_msg_recv(&junk, b->zap, 0) < 0)
			more = 0;
		else
			more = zmq_msg_more(&junk);
		zmq_msg_close(&junk);
	}
	if (n < 2)
		goto done;
	const char *reqid = zmq_msg_data(&part[1]);
	size_t reqid_len = zmq_msg_size(&part[1]);
	char why[128] = "malformed ZAP request";
	const struct lia_directory_entry *e = NULL;
	uint8_t key[32];
	bool have_key = false;
	if (n == 7 && zmq_msg_size(&part[5]) == 5 && memcmp(zmq_msg_data(&part[5]), "CURVE", 5) == 0 &&
	    zmq_msg_size(&part[6]) == 32) {
		memcpy(key, zmq_msg_data(&part[6]), 32);
		have_key = true;
		e = lia_directory_by_transport(&b->dir, key);
		int64_t now = lia_now();
		if (e == NULL)
			snprintf(why, sizeof why, "unknown transport key");
		else if (e->cert.kind != LIA_CERT_PRINCIPAL)
			snprintf(why, sizeof why, "not a principal certificate");
		else if (lia_cert_check(&e->cert, &b->dir.crl, now) != LIA_CERT_OK)
			snprintf(why, sizeof why, "certificate %s",
				 lia_cert_status_str(lia_cert_check(&e->cert, &b->dir.crl, now)));
		else {
			/* The User-Id names the key, not the subject: a subject may
			 * have had other keys, and a revoked one must stay out. */
			char user[65];
			lia_hex(user, key, 32);
			zap_reply(b->zap, "1.0", reqid, reqid_len, "200", "OK", user);
			goto done;
		}
	}
	zap_reply(b->zap, "1.0", reqid, reqid_len, "400", why, "");
	if (!refusal_worth_recording(b, have_key ? key : NULL))
		goto done;
	{
		char kid[LIA_KEYID_HEX] = "-";
		struct lia_record r;
		record_init(b, &r, LIA_OP_AUTHENTICATION_REFUSED);
		if (have_key) {
			r.actor.has_key_id = true;
			lia_keyid(r.actor.key_id, key);
			lia_keyid_hex(kid, r.actor.key_id);
		}
		if (e != NULL) {
			memcpy(r.actor.subject, e->cert.subject, LIA_NAME_MAX);
			memcpy(r.actor.agency, e->cert.agency, LIA_NAME_MAX);
			r.cert_serial = e->cert.serial;
		}
		if (!have_key)
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
		if (have_key || e != NULL)
			(void)record_append(b, &r);
		blog("auth-refused", "transport_key=%s subject=%s reason=\"%s\" unrecorded_before=%" PRIu64, kid,
		     e ? e->cert.subject : "-", why, b->refusals.suppressed);
		b->refusals.suppressed = 0;
	}
done:
	for (int i = 0; i < n; i++)
		zmq_msg_close(&part[i]);
}

/* --- deciding and recording disclosures --- */

/* Decide each candidate b->cand[0..nc) for the message with header h by
 * originator, on path with consents, as of decide_at. A permitted one
 * also needs its wrap in env, or it is withheld (rule envelope.no-wrap).
 * Fills permit[] and decs[]; returns how many were permitted. */
static size_t decide_candidates(struct lia_broker *b, const struct lia_header *h,
				const struct lia_cert *originator, const struct lia_envelope *env,
				enum lia_path path, const struct lia_consent *cons, size_t n_cons,
				int64_t decide_at, size_t nc, bool *permit, struct lia_decision *decs)
{
	size_t permitted = 0;
	for (size_t i = 0; i < nc; i++) {
		const struct lia_cert *rc = &b->cand[i].who->cert;
		struct lia_decide_input in = {
			.header = h, .originator = originator, .recipient = rc, .crl = &b->dir.crl,
			.path = path, .consents = cons, .n_consents = n_cons, .now = decide_at,
		};
		permit[i] = lia_decide(&decs[i], b->policy, &in) == LIA_PERMIT;
		if (permit[i] && !lia_envelope_has_wrap(env, rc->box_kid)) {
			permit[i] = false;
			decs[i].verdict = LIA_DENY;
			decs[i].rule = LIA_RULE_NONE;
			snprintf(decs[i].reason, sizeof decs[i].reason,
				 "permitted, but the originator did not wrap the data key for this recipient");
		}
		if (permit[i])
			permitted++;
	}
	return permitted;
}

/* One disclose or withhold record per decision, by actor, and a delivery
 * (via the candidate's feed, "direct" or "consent") for each permitted
 * one, inside the turn's transaction. The justification reads "via
 * LABEL: reason", LABEL the candidate's via unless label is given, with
 * the embargo's end when embargo_until is set. *ledger_to becomes one
 * past the last record appended. 0, or -1 with the turn aborted. */
static int record_decisions(struct lia_broker *b, const struct lia_header *h,
			    const struct lia_cert *actor, uint64_t message_seq, int64_t embargo_until,
			    const char *label, size_t nc, const bool *permit,
			    const struct lia_decision *decs, uint64_t *ledger_to)
{
	char err[LIA_ERR_MAX];
	for (size_t i = 0; i < nc; i++) {
		const struct lia_cert *rc = &b->cand[i].who->cert;
		const char *via = label != NULL ? label : b->cand[i].via;
		struct lia_record r;
		record_init(b, &r, permit[i] ? LIA_OP_DISCLOSE : LIA_OP_WITHHOLD);
		record_message(&r, h);
		party_of(&r.actor, actor);
		party_of(&r.recipient, rc);
		r.decision = permit[i] ? LIA_RECORD_PERMIT : LIA_RECORD_DENY;
		snprintf(r.rule, sizeof r.rule, "%s",
			 decs[i].rule == LIA_RULE_NONE ? "envelope.no-wrap" : lia_rule_id(decs[i].rule));
		if (embargo_until != 0 && permit[i]) {
			char ts[32];
			lia_time_format(embargo_until, ts);
			snprintf(r.justification, sizeof r.justification, "via %s (embargoed until %s): %s", via,
				 ts, decs[i].reason);
		} else {
			snprintf(r.justification, sizeof r.justification, "via %s: %s", via, decs[i].reason);
		}
		if (record_append(b, &r) != 0)
			return -1;
		*ledger_to = r.seq + 1;
		if (permit[i]) {
			uint64_t dseq;
			if (lia_store_delivery_add(b->store, message_seq, rc->subject, b->cand[i].via, &dseq,
						   err) != 0) {
				blog("store-error", "%s", err);
				turn_abort(b, "a delivery could not be stored");
				return -1;
			}
			mark_pending(b, rc->subject);
		}
	}
	return 0;
}

/* --- publish --- */

static void ack_refusal(struct lia_frame *f, uint64_t req, const uint8_t *id, enum lia_refusal code,
			const char *rule, const char *reason)
{
	lia_frame_init(f, LIA_FRAME_PUBLISH_ACK, req);
	f->u.publish_ack.accepted = false;
	if (id != NULL)
		memcpy(f->u.publish_ack.message_id, id, LIA_ID_BYTES);
	f->u.publish_ack.refusal = code;
	snprintf(f->u.publish_ack.rule, sizeof f->u.publish_ack.rule, "%s", rule ? rule : "");
	snprintf(f->u.publish_ack.reason, sizeof f->u.publish_ack.reason, "%s", reason);
}

static void refuse_publish(struct lia_broker *b, struct session *s, uint64_t req, const uint8_t *id,
			   enum lia_refusal code, const char *rule, const char *reason)
{
	struct lia_frame f;
	ack_refusal(&f, req, id, code, rule, reason);
	char idh[2 * LIA_ID_BYTES + 1] = "-";
	if (id != NULL)
		hexid(idh, id);
	blog("publish-refused", "from=%s id=%s refusal=\"%s\" rule=%s reason=\"%s\"", s->cert.subject,
	     idh, lia_refusal_str(code), rule ? rule : "-", reason);
	reply_now(b, s->rid, s->rid_len, &f);
}

static bool feed_seen(const struct candidate *c, size_t n, const char *subject)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].who->cert.subject, subject) == 0)
			return true;
	return false;
}

static void handle_publish(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	int64_t now = lia_now();
	struct lia_envelope *e = NULL;
	enum lia_env_status st = lia_envelope_decode(&e, f->u.publish.envelope.p, f->u.publish.envelope.len);
	if (st != LIA_ENV_OK) {
		refuse_publish(b, s, f->request_id, NULL,
			       st == LIA_ENV_TOO_LARGE ? LIA_REFUSAL_TOO_LARGE : LIA_REFUSAL_MALFORMED,
			       NULL, lia_env_status_str(st));
		return;
	}
	const struct lia_header *h = lia_envelope_header(e);
	/* The originator is who the ZAP handler authenticated, not a field. */
	if (strcmp(h->originator, s->cert.subject) != 0 ||
	    memcmp(h->originator_sign_kid, s->cert.sign_kid, LIA_KEYID_BYTES) != 0) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_NOT_ORIGINATOR, NULL,
			       "the envelope is signed by another principal than this connection's");
		goto out;
	}
	/* A repeated id returns the original acknowledgement. */
	struct lia_store_message m;
	int found = lia_store_message_find(b->store, h->id, &m);
	if (found < 0) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "store error");
		goto out;
	}
	if (found == 1) {
		struct lia_frame a;
		lia_frame_init(&a, LIA_FRAME_PUBLISH_ACK, f->request_id);
		bool same = strcmp(m.originator, s->cert.subject) == 0;
		a.u.publish_ack.accepted = same;
		memcpy(a.u.publish_ack.message_id, h->id, LIA_ID_BYTES);
		a.u.publish_ack.duplicate = true;
		if (same) {
			a.u.publish_ack.sequence = m.seq;
			a.u.publish_ack.recipients = m.recipients;
			a.u.publish_ack.withheld = m.withheld;
		} else {
			a.u.publish_ack.refusal = LIA_REFUSAL_MALFORMED;
			snprintf(a.u.publish_ack.reason, sizeof a.u.publish_ack.reason, "message id already used");
		}
		/* The original may still be in this turn's transaction. */
		struct lia_frame fb;
		ack_refusal(&fb, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL,
			    "the broker could not confirm the original; publish it again");
		out_push(b, s->rid, s->rid_len, &a, &fb);
		goto out;
	}
	st = lia_envelope_verify(e, &s->cert, &b->dir.crl);
	if (st != LIA_ENV_OK) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_VERIFICATION, NULL, lia_env_status_str(st));
		goto out;
	}
	if (b->policy->publish_per_hour > 0 && b->rates != NULL) {
		const struct lia_directory_entry *me = lia_directory_find(&b->dir, s->cert.subject);
		struct rate *r = me ? &b->rates[me - b->dir.v] : NULL;
		if (r != NULL && now - r->window_start >= 3600) {
			r->window_start = now;
			r->count = 0;
		}
		if (r != NULL && r->count >= b->policy->publish_per_hour) {
			char why[LIA_DETAIL_MAX];
			snprintf(why, sizeof why, "at most %u publications per hour for each principal",
				 b->policy->publish_per_hour);
			refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_RATE, NULL, why);
			goto out;
		}
		if (r != NULL)
			r->count++;
	}
	int64_t skew = b->policy->skew_seconds;
	if (h->created_at < now - skew || h->created_at > now + skew) {
		char why[LIA_DETAIL_MAX];
		snprintf(why, sizeof why, "created_at is %" PRId64 " s from the broker clock; at most %" PRId64,
			 h->created_at - now, skew);
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_SKEW, NULL, why);
		goto out;
	}
	struct lia_decision dec;
	if (lia_admissible(&dec, b->policy, h, &s->cert, &b->dir.crl, now) != LIA_PERMIT) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_POLICY, lia_rule_id(dec.rule), dec.reason);
		goto out;
	}
	/* Candidates: principals addressed directly, then feed subscribers. */
	size_t nc = 0;
	for (size_t i = 0; i < f->u.publish.to.n; i++) {
		const struct lia_directory_entry *who = lia_directory_find(&b->dir, f->u.publish.to.v[i]);
		if (who == NULL) {
			char why[LIA_DETAIL_MAX];
			snprintf(why, sizeof why, "\"%s\" is not in the directory", f->u.publish.to.v[i]);
			refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNKNOWN_RECIPIENT, NULL, why);
			goto out;
		}
		if (strcmp(who->cert.subject, s->cert.subject) == 0 || feed_seen(b->cand, nc, who->cert.subject))
			continue;
		b->cand[nc].who = who;
		memcpy(b->cand[nc].via, "direct", 7);
		nc++;
	}
	for (size_t i = 0; i < b->n_feeds && nc < CANDIDATES_MAX; i++) {
		const struct lia_store_feed *fd = &b->feeds[i];
		if (strcmp(fd->subscriber, s->cert.subject) == 0 || feed_seen(b->cand, nc, fd->subscriber) ||
		    !lia_feed_filter_match(&fd->filter, h))
			continue;
		const struct lia_directory_entry *who = lia_directory_find(&b->dir, fd->subscriber);
		if (who == NULL)
			continue;
		b->cand[nc].who = who;
		memcpy(b->cand[nc].via, fd->name, LIA_FEED_NAME_MAX);
		nc++;
	}
	if (txn_need(b) != 0) {
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "store unavailable");
		goto out;
	}
	/* Decide for every candidate; the records and deliveries go into
	 * this turn's transaction, and nothing is sent before its commit. */
	char err[LIA_ERR_MAX] = "ledger append failed (see above)";
	struct lia_record r;
	memset(&m, 0, sizeof m);
	memcpy(m.id, h->id, LIA_ID_BYTES);
	memcpy(m.originator, h->originator, LIA_NAME_MAX);
	m.kind = h->kind;
	m.created_at = h->created_at;
	m.received_at = now;
	m.expires_at = lia_policy_expiry(b->policy, h);
	/* An embargoed message is decided as of its release: the delivery
	 * rows wait in the store until then (lia_store_pending), so nothing
	 * is disclosed early and nothing is withheld for being early. */
	m.embargo_until = h->restrictions.embargo_until > now ? h->restrictions.embargo_until : 0;
	int64_t decide_at = m.embargo_until ? m.embargo_until : now;
	bool *permit = calloc(nc ? nc : 1, sizeof *permit);
	struct lia_decision *decs = calloc(nc ? nc : 1, sizeof *decs);
	if (permit == NULL || decs == NULL) {
		free(permit);
		free(decs);
		refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "out of memory");
		goto out;
	}
	m.recipients = (uint32_t)decide_candidates(b, h, &s->cert, e, LIA_PATH_DIRECT, NULL, 0, decide_at, nc,
						    permit, decs);
	m.withheld = (uint32_t)(nc - m.recipients);
	/* Its publish, disclose and withhold records follow one another
	 * from the ledger's next position: where "who received it" will be
	 * read later, without scanning the ledger. */
	m.ledger_from = lia_ledger_next_seq(b->ledger);
	m.ledger_to = m.ledger_from + 1 + nc;
	size_t hlen;
	const uint8_t *hb = lia_envelope_header_bytes(e, &hlen);
	if (lia_store_message_add(b->store, &m, hb, hlen, f->u.publish.envelope.p,
				  f->u.publish.envelope.len, err) != 0)
		goto fail;
	record_init(b, &r, LIA_OP_PUBLISH);
	record_message(&r, h);
	party_of(&r.actor, &s->cert);
	snprintf(r.justification, sizeof r.justification, "%u disclosed, %u withheld", m.recipients, m.withheld);
	if (record_append(b, &r) != 0)
		goto fail;
	uint64_t ledger_to = r.seq + 1;
	if (record_decisions(b, h, &s->cert, m.seq, m.embargo_until, NULL, nc, permit, decs, &ledger_to) != 0)
		goto fail;
	assert(r.seq == m.ledger_from && ledger_to == m.ledger_to);
	free(permit);
	free(decs);
	struct lia_frame a, fb;
	lia_frame_init(&a, LIA_FRAME_PUBLISH_ACK, f->request_id);
	a.u.publish_ack.accepted = true;
	memcpy(a.u.publish_ack.message_id, h->id, LIA_ID_BYTES);
	a.u.publish_ack.sequence = m.seq;
	a.u.publish_ack.recipients = m.recipients;
	a.u.publish_ack.withheld = m.withheld;
	ack_refusal(&fb, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL,
		    "the broker could not make the message durable; publish it again");
	if (out_push(b, s->rid, s->rid_len, &a, &fb) != 0)
		goto fail_nofree;
	char idh[2 * LIA_ID_BYTES + 1];
	hexid(idh, h->id);
	blog("publish", "id=%s from=%s kind=%s tlp=%s seq=%" PRIu64 " disclosed=%u withheld=%u", idh,
	     s->cert.subject, lia_kind_str(h->kind), lia_tlp_str(h->restrictions.tlp), m.seq,
	     m.recipients, m.withheld);
	cache_put(b, m.seq, &e);
	goto out;
fail:
	free(permit);
	free(decs);
fail_nofree:
	/* The transaction is now suspect: abort the whole turn. */
	blog("store-error", "%s", err);
	turn_abort(b, "a publish could not be stored");
	refuse_publish(b, s, f->request_id, h->id, LIA_REFUSAL_UNAVAILABLE, NULL, "store error");
out:
	lia_envelope_destroy(&e);
}

/* --- acknowledgements --- */

/* The recipient confirms it purged the copies named in Erase notices;
 * the ledger keeps that confirmation beside the erase record. */
static void handle_erase_ack(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	for (size_t i = 0; i < f->u.ack.n; i++) {
		if (txn_need(b) != 0)
			return;
		struct lia_store_delivery d;
		int rc = lia_store_erasure_done(b->store, s->cert.subject, f->u.ack.v[i], &d);
		if (rc < 0) {
			turn_abort(b, "an erase confirmation could not be stored");
			return;
		}
		if (rc == 0)
			continue;
		struct lia_record r;
		record_init(b, &r, LIA_OP_ACKNOWLEDGE);
		r.has_message_id = true;
		memcpy(r.message_id, d.message_id, LIA_ID_BYTES);
		memcpy(r.originator, d.originator, LIA_NAME_MAX);
		r.kind = (int)d.kind;
		party_of(&r.actor, &s->cert);
		party_of(&r.recipient, &s->cert);
		snprintf(r.justification, sizeof r.justification,
			 "erase notice for delivery %" PRIu64 ": every copy purged", d.seq);
		if (record_append(b, &r) != 0)
			return;
	}
}

static void handle_ack(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	if (f->u.ack.erased) {
		handle_erase_ack(b, s, f);
		return;
	}
	int64_t now = lia_now();
	for (size_t i = 0; i < f->u.ack.n; i++) {
		if (txn_need(b) != 0)
			return;
		struct lia_store_delivery d;
		int rc = lia_store_ack(b->store, s->cert.subject, f->u.ack.v[i], now, &d);
		if (rc < 0) {
			turn_abort(b, "an acknowledgement could not be stored");
			return;
		}
		if (s->inflight > 0 && f->u.ack.v[i] <= s->cursor)
			s->inflight--;
		s->maybe_pending = true;
		if (rc == 0)
			continue;
		if (d.erased) /* acknowledged after the erase: owed a notice */
			s->maybe_erase = true;
		struct lia_record r;
		record_init(b, &r, LIA_OP_ACKNOWLEDGE);
		r.has_message_id = true;
		memcpy(r.message_id, d.message_id, LIA_ID_BYTES);
		memcpy(r.originator, d.originator, LIA_NAME_MAX);
		r.kind = (int)d.kind;
		party_of(&r.actor, &s->cert);
		party_of(&r.recipient, &s->cert);
		snprintf(r.justification, sizeof r.justification, "delivery %" PRIu64, d.seq);
		if (record_append(b, &r) != 0)
			return;
	}
}

/* --- feeds, inbox, fetch, directory --- */

static int reload_feeds(struct lia_broker *b)
{
	struct lia_store_feed *v;
	size_t n;
	if (lia_store_feeds(b->store, "", &v, &n) != 0)
		return -1;
	free(b->feeds);
	b->feeds = v;
	b->n_feeds = n;
	return 0;
}

static void handle_subscribe(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	char err[LIA_ERR_MAX];
	if (!lia_cert_has_role(&s->cert, LIA_ROLE_ANALYST) && !lia_cert_has_role(&s->cert, LIA_ROLE_LIAISON)) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
			    "only liaison officers and analysts subscribe to feeds");
		return;
	}
	/* A bounded number of feeds per subscriber: every publish walks them. */
	size_t mine = 0;
	bool replacing = false;
	for (size_t i = 0; i < b->n_feeds; i++)
		if (strcmp(b->feeds[i].subscriber, s->cert.subject) == 0) {
			mine++;
			replacing |= strcmp(b->feeds[i].name, f->u.subscribe.name) == 0;
		}
	if (mine >= FEEDS_PER_SUBSCRIBER && !replacing) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
			    "at most 32 feeds per subscriber; remove one first");
		return;
	}
	struct lia_store_feed fd;
	memset(&fd, 0, sizeof fd);
	memcpy(fd.subscriber, s->cert.subject, LIA_NAME_MAX);
	memcpy(fd.name, f->u.subscribe.name, LIA_FEED_NAME_MAX);
	fd.filter = f->u.subscribe.filter;
	fd.created_at = lia_now();
	if (txn_need(b) != 0 || lia_store_feed_put(b->store, &fd, err) != 0) {
		if (b->in_txn)
			turn_abort(b, "a feed could not be stored");
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	b->feeds_dirty = true;
	struct lia_frame ok, fb;
	lia_frame_init(&ok, LIA_FRAME_OK, f->request_id);
	lia_frame_init(&fb, LIA_FRAME_ERROR, f->request_id);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	out_push(b, s->rid, s->rid_len, &ok, &fb);
	blog("subscribe", "subscriber=%s feed=%s", s->cert.subject, fd.name);
}

static void handle_unsubscribe(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	if (txn_need(b) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	int rc = lia_store_feed_remove(b->store, s->cert.subject, f->u.unsubscribe.name);
	if (rc < 0)
		turn_abort(b, "a feed could not be removed");
	else if (rc > 0)
		b->feeds_dirty = true;
	if (rc <= 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, rc == 0 ? LIA_ERROR_NOT_FOUND : LIA_ERROR_UNAVAILABLE,
			    rc == 0 ? "you have no feed of that name" : "store error");
		return;
	}
	struct lia_frame ok, fb;
	lia_frame_init(&ok, LIA_FRAME_OK, f->request_id);
	lia_frame_init(&fb, LIA_FRAME_ERROR, f->request_id);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	out_push(b, s->rid, s->rid_len, &ok, &fb);
}

static void handle_feed_list(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	struct lia_store_feed *v;
	size_t n;
	if (lia_store_feeds(b->store, s->cert.subject, &v, &n) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_FEED_LIST, f->request_id);
	struct lia_feed *feeds = calloc(n ? n : 1, sizeof *feeds);
	if (feeds != NULL) {
		for (size_t i = 0; i < n && i < LIA_LIST_REPLY_MAX; i++) {
			memcpy(feeds[i].name, v[i].name, LIA_FEED_NAME_MAX);
			feeds[i].filter = v[i].filter;
			feeds[i].created_at = v[i].created_at;
			r.u.feed_list.n = i + 1;
		}
		r.u.feed_list.v = feeds;
		reply_now(b, s->rid, s->rid_len, &r);
	}
	free(feeds);
	free(v);
}

static void handle_inbox(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	size_t max = f->u.inbox.limit, n = 0;
	struct lia_store_delivery *d = calloc(max, sizeof *d);
	struct lia_inbox_entry *v = calloc(max, sizeof *v);
	if (d == NULL || v == NULL ||
	    lia_store_inbox(b->store, s->cert.subject, f->u.inbox.after, lia_now(), d, max, &n) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		v[i].sequence = d[i].seq;
		memcpy(v[i].message_id, d[i].message_id, LIA_ID_BYTES);
		memcpy(v[i].originator, d[i].originator, LIA_NAME_MAX);
		v[i].kind = d[i].kind;
		v[i].created_at = d[i].created_at;
		v[i].acknowledged = d[i].acked_at != 0;
		v[i].erased = d[i].erased;
		memcpy(v[i].via, d[i].via, LIA_FEED_NAME_MAX);
	}
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_INBOX_LIST, f->request_id);
	r.u.inbox_list.n = n;
	r.u.inbox_list.v = v;
	reply_now(b, s->rid, s->rid_len, &r);
out:
	free(d);
	free(v);
}

/* The originator's own message, as a delivery of its own wrap (to
 * answer a consent request it needs the data key back): 1 found. */
static int own_message(struct lia_broker *b, struct session *s, const uint8_t id[static LIA_ID_BYTES],
		       struct lia_store_delivery *d)
{
	struct lia_store_message m;
	int64_t now = lia_now();
	if (lia_store_message_find(b->store, id, &m) != 1 || strcmp(m.originator, s->cert.subject) != 0 ||
	    m.erased || (m.expires_at != 0 && m.expires_at <= now))
		return 0;
	memset(d, 0, sizeof *d);
	d->message_seq = m.seq;
	memcpy(d->message_id, m.id, LIA_ID_BYTES);
	memcpy(d->originator, m.originator, LIA_NAME_MAX);
	memcpy(d->via, "own", 4);
	d->received_at = m.received_at;
	return 1;
}

static void handle_fetch(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	struct lia_store_delivery d;
	/* Only a message delivered to the asker (or its own) exists for it:
	 * the same answer for "never existed" and "not yours", so ids do not
	 * leak. */
	int found = lia_store_delivery_of(b->store, s->cert.subject, f->u.fetch.message_id, lia_now(), &d);
	if (found != 1)
		found = own_message(b, s, f->u.fetch.message_id, &d);
	if (found != 1 || d.erased) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
			    "no message with that id was delivered to you (or it expired)");
		return;
	}
	const struct lia_envelope *e = cache_get(b, d.message_seq);
	uint8_t *one = NULL;
	size_t len = 0;
	if (e == NULL || lia_envelope_encode_for(e, s->cert.box_kid, &one, &len) != LIA_ENV_OK) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "envelope unavailable");
		return;
	}
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_DELIVER, f->request_id);
	r.u.deliver.sequence = d.seq;
	r.u.deliver.envelope = (struct lia_bytes){one, len};
	memcpy(r.u.deliver.originator, d.originator, LIA_NAME_MAX);
	r.u.deliver.received_at = d.received_at;
	memcpy(r.u.deliver.via, d.via, LIA_FEED_NAME_MAX);
	reply_now(b, s->rid, s->rid_len, &r);
	free(one);
}

static void handle_directory(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_DIRECTORY, f->request_id);
	struct lia_bytes *certs = calloc(b->dir.n ? b->dir.n : 1, sizeof *certs);
	if (certs == NULL)
		return;
	for (size_t i = 0; i < b->dir.n; i++)
		certs[i] = (struct lia_bytes){b->dir.v[i].bytes, b->dir.v[i].len};
	r.u.directory.n = b->dir.n;
	r.u.directory.certs = certs;
	r.u.directory.crl = (struct lia_bytes){b->dir.crl_bytes, b->dir.crl_len};
	r.u.directory.broker_cert = (struct lia_bytes){b->me.cert_bytes, b->me.cert_len};
	reply_now(b, s->rid, s->rid_len, &r);
	free(certs);
}

/* --- audit queries --- */

struct disc_ctx {
	struct lia_disclosure *v;
	size_t n, cap;
};

static int collect_disclosure(void *p, const struct lia_record *r)
{
	struct disc_ctx *c = p;
	if (c->n >= c->cap)
		return 0;
	struct lia_disclosure *d = &c->v[c->n];
	memset(d, 0, sizeof *d);
	memcpy(d->recipient, r->recipient.subject, LIA_NAME_MAX);
	d->disclosed = r->op == LIA_OP_DISCLOSE;
	copy_text(d->rule, sizeof d->rule, r->rule);
	copy_text(d->reason, sizeof d->reason, r->justification);
	d->at = r->time;
	c->n++;
	return 0;
}

static void handle_audit(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	char err[LIA_ERR_MAX];
	bool auditor = lia_cert_has_role(&s->cert, LIA_ROLE_AUDITOR);
	const struct lia_frame *q = f;
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_AUDIT_ANSWER, f->request_id);
	struct lia_record rec;
	record_init(b, &rec, LIA_OP_AUDIT_QUERY);
	party_of(&rec.actor, &s->cert);
	struct disc_ctx dc = {0};
	char *note = NULL;
	struct lia_merkle_proof proof;
	struct lia_bytes *recs = NULL;
	uint8_t **rec_bufs = NULL;
	size_t n_recs = 0;

	if (q->u.audit_query.kind == LIA_AUDIT_DISCLOSURES) {
		struct lia_store_message m;
		if (!q->u.audit_query.has_message_id) {
			reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, "message_id is required");
			return;
		}
		int found = lia_store_message_find(b->store, q->u.audit_query.message_id, &m);
		/* Originators ask about their own messages; auditors about any. */
		if (found != 1 || (!auditor && strcmp(m.originator, s->cert.subject) != 0)) {
			reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
				    "you published no message with that id");
			return;
		}
		dc.cap = LIA_LIST_REPLY_MAX;
		dc.v = calloc(dc.cap, sizeof *dc.v);
		/* The publication's records and each granted consent's, read by
		 * key: never a ledger scan in the event loop. */
		struct lia_store_range ranges[1 + CONSENTS_PER_MESSAGE];
		size_t n_ranges = 0;
		struct lia_ledger_filter lf = {0};
		lf.has_message_id = true;
		memcpy(lf.message_id, m.id, LIA_ID_BYTES);
		lf.ops = (1u << LIA_OP_DISCLOSE) | (1u << LIA_OP_WITHHOLD);
		bool ok = dc.v != NULL &&
			  lia_store_ledger_ranges(b->store, m.seq, ranges, 1 + CONSENTS_PER_MESSAGE, &n_ranges) == 0;
		for (size_t i = 0; ok && i < n_ranges; i++) {
			lf.seq_from = ranges[i].from;
			lf.seq_to = ranges[i].to;
			ok = lia_ledger_query(b->ledger, &lf, collect_disclosure, &dc, err) == 0;
		}
		if (!ok) {
			reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger error");
			goto out;
		}
		for (size_t i = 0; i < dc.n; i++) {
			struct lia_store_delivery d;
			dc.v[i].acknowledged = dc.v[i].disclosed &&
					       lia_store_delivery_of(b->store, dc.v[i].recipient, m.id, INT64_MAX, &d) == 1 &&
					       d.acked_at != 0;
		}
		r.u.audit_answer.disclosures = dc.v;
		r.u.audit_answer.n_disclosures = dc.n;
		rec.has_message_id = true;
		memcpy(rec.message_id, m.id, LIA_ID_BYTES);
		memcpy(rec.originator, m.originator, LIA_NAME_MAX);
		snprintf(rec.justification, sizeof rec.justification, "%s asked who received the message",
			 auditor && strcmp(m.originator, s->cert.subject) != 0 ? "auditor" : "originator");
	} else {
		if (!auditor) {
			reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
				    "only auditors read the ledger, checkpoints and proofs");
			return;
		}
		uint64_t size = 0;
		size_t note_len = 0;
		if (lia_ledger_checkpoint_latest(b->ledger, &size, &note, &note_len, err) != 0) {
			reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "no checkpoint yet");
			return;
		}
		r.u.audit_answer.checkpoint = (struct lia_bytes){(const uint8_t *)note, note_len};
		switch (q->u.audit_query.kind) {
		case LIA_AUDIT_CHECKPOINT:
			snprintf(rec.justification, sizeof rec.justification, "checkpoint at size %" PRIu64, size);
			break;
		case LIA_AUDIT_RECORDS: {
			uint64_t from = q->u.audit_query.from, to = q->u.audit_query.to;
			if (to > size || from > to || to - from > LIA_LIST_REPLY_MAX) {
				reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID,
					    "records from..to must lie within the latest checkpoint, at most 1000");
				goto out;
			}
			n_recs = (size_t)(to - from);
			recs = calloc(n_recs ? n_recs : 1, sizeof *recs);
			rec_bufs = calloc(n_recs ? n_recs : 1, sizeof *rec_bufs);
			if (recs == NULL || rec_bufs == NULL)
				goto out;
			for (size_t i = 0; i < n_recs; i++) {
				size_t len;
				if (lia_ledger_get_encoded(b->ledger, from + i, &rec_bufs[i], &len, err) != 0)
					goto out;
				recs[i] = (struct lia_bytes){rec_bufs[i], len};
			}
			r.u.audit_answer.records = recs;
			r.u.audit_answer.n_records = n_recs;
			r.u.audit_answer.first = from;
			snprintf(rec.justification, sizeof rec.justification, "records %" PRIu64 "..%" PRIu64, from, to);
			break;
		}
		case LIA_AUDIT_INCLUSION:
		case LIA_AUDIT_CONSISTENCY: {
			int rc = q->u.audit_query.kind == LIA_AUDIT_INCLUSION
					 ? lia_ledger_inclusion_proof(b->ledger, q->u.audit_query.from, q->u.audit_query.to, &proof, err)
					 : lia_ledger_consistency_proof(b->ledger, q->u.audit_query.from, q->u.audit_query.to, &proof, err);
			if (rc != 0) {
				reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
				goto out;
			}
			r.u.audit_answer.proof = (uint8_t(*)[32])proof.h;
			r.u.audit_answer.n_proof = proof.n;
			snprintf(rec.justification, sizeof rec.justification, "%s proof %" PRIu64 " in %" PRIu64,
				 q->u.audit_query.kind == LIA_AUDIT_INCLUSION ? "inclusion" : "consistency",
				 q->u.audit_query.from, q->u.audit_query.to);
			break;
		}
		default:
			goto out;
		}
	}
	/* The query is itself a record, committed before the answer leaves. */
	if (record_append(b, &rec) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger error");
		goto out;
	}
	r.u.audit_answer.query_record = rec.seq;
	struct lia_frame fb;
	lia_frame_init(&fb, LIA_FRAME_ERROR, f->request_id);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	out_push(b, s->rid, s->rid_len, &r, &fb);
	blog("audit-query", "by=%s what=\"%s\"", s->cert.subject, rec.justification);
out:
	if (rec_bufs != NULL)
		for (size_t i = 0; i < n_recs; i++)
			free(rec_bufs[i]);
	free(rec_bufs);
	free(recs);
	free(note);
	free(dc.v);
}

/* --- frames --- */

/* --- onward dissemination: the consent workflow (DESIGN §4) --- */

#define CONSENT_LIST_MAX 200     /* requests in one ConsentList */
#define CONSENTS_WAITING_MAX 32  /* unanswered requests per requester */

/* The grantee as a ledger party: the principal's certificate when it is
 * one in the directory, else the agency name alone. */
static void grantee_party(struct lia_broker *b, struct lia_record_party *p, const char *grantee)
{
	const struct lia_directory_entry *who =
		lia_name_is_subject(grantee) ? lia_directory_find(&b->dir, grantee) : NULL;
	if (who != NULL) {
		party_of(p, &who->cert);
		return;
	}
	memset(p, 0, sizeof *p);
	if (lia_name_is_subject(grantee)) {
		copy_text(p->subject, sizeof p->subject, grantee);
		lia_subject_agency(grantee, p->agency);
	} else {
		copy_text(p->agency, sizeof p->agency, grantee);
	}
}

/* What a request shows to this viewer: how many received the message
 * through it only to the originator (recipients do not learn who else
 * holds a message, DESIGN §3). */
static void consent_for_viewer(struct lia_consent_request *c, const struct lia_cert *viewer)
{
	if (strcmp(c->originator, viewer->subject) != 0 && !lia_cert_has_role(viewer, LIA_ROLE_AUDITOR))
		c->disclosed = c->withheld = 0;
}

/* Queue ConsentList{c} for session s, as s may see it, to be sent after
 * the commit (fallback instead if the commit fails). 0 or -1. */
static int push_consent(struct lia_broker *b, const struct session *s, uint64_t req,
			const struct lia_consent_request *c, const struct lia_frame *fallback)
{
	struct lia_consent_request *shown = malloc(sizeof *shown);
	if (shown == NULL)
		return -1;
	*shown = *c;
	consent_for_viewer(shown, &s->cert);
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_CONSENT_LIST, req);
	f.u.consent_list.v = shown; /* built by hand: freed here, not by clear */
	f.u.consent_list.n = 1;
	int rc = out_push(b, s->rid, s->rid_len, &f, fallback);
	free(shown);
	return rc;
}

/* Tell subject's receiving sessions about the request, once this turn's
 * transaction is durable: the originator when a request arrives, the
 * requester when it is answered. Best effort: the state is in the store
 * and `consent list` shows it. */
static void notify_consent(struct lia_broker *b, const char *subject,
			   const struct lia_consent_request *c)
{
	for (uint32_t i = 0; i < b->n_sessions; i++) {
		struct session *s = &b->sessions[i];
		if (s->used && s->receive && strcmp(s->cert.subject, subject) == 0)
			(void)push_consent(b, s, 0, c, NULL);
	}
}

/* Answer with the one request, once this turn's transaction is durable. */
static void reply_consent(struct lia_broker *b, struct session *s, uint64_t req,
			  const struct lia_consent_request *c)
{
	struct lia_frame fb;
	lia_frame_init(&fb, LIA_FRAME_ERROR, req);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	copy_text(fb.u.error.detail, sizeof fb.u.error.detail,
		  "the broker could not make this durable; send it again");
	if (push_consent(b, s, req, c, &fb) != 0) {
		turn_abort(b, "a reply could not be queued");
		reply_now(b, s->rid, s->rid_len, &fb);
	}
}

/* A message erased before its originator answered: its waiting
 * requests can never be granted. Close them as refused, recorded, and
 * tell the requesters, so that none waits (or counts) forever. Inside
 * the turn's transaction; -1 aborted it. */
static int close_consents(struct lia_broker *b, const struct lia_store_message *m, int64_t now)
{
	struct lia_consent_request *v = calloc(64, sizeof *v);
	if (v == NULL) {
		turn_abort(b, "out of memory");
		return -1;
	}
	char err[LIA_ERR_MAX];
	size_t n = 0;
	int rc = 0;
	do {
		if (lia_store_consents_pending_of(b->store, m->seq, v, 64, &n) != 0) {
			turn_abort(b, "cannot read the consent requests of an erased message");
			rc = -1;
			break;
		}
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct lia_consent_request *c = &v[i];
			c->state = LIA_CONSENT_REFUSED;
			c->answered_at = now;
			copy_text(c->reason, sizeof c->reason, "the message expired before an answer");
			if (lia_store_consent_answer(b->store, c, NULL, 0, 0, 0, err) != 0) {
				turn_abort(b, err);
				rc = -1;
				break;
			}
			struct lia_record r;
			record_init(b, &r, LIA_OP_CONSENT_REFUSED);
			r.has_message_id = true;
			memcpy(r.message_id, m->id, LIA_ID_BYTES);
			memcpy(r.originator, m->originator, LIA_NAME_MAX);
			r.kind = (int)m->kind;
			grantee_party(b, &r.recipient, c->grantee);
			snprintf(r.justification, sizeof r.justification, "request %" PRIu64 " by %s: %s",
				 c->request, c->requested_by, c->reason);
			if (record_append(b, &r) != 0) {
				rc = -1;
				break;
			}
			notify_consent(b, c->requested_by, c);
		}
	} while (rc == 0 && n == 64);
	free(v);
	return rc;
}

static void handle_consent_ask(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	const char *me = s->cert.subject, *grantee = f->u.consent_ask.grantee;
	int64_t now = lia_now();
	struct lia_store_delivery d;
	/* Only a recipient may ask, and for anyone else the message does not
	 * exist: the same answer as Fetch gives. */
	if (lia_store_delivery_of(b->store, me, f->u.consent_ask.message_id, now, &d) != 1 || d.erased) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
			    "no message with that id was delivered to you (or it expired)");
		return;
	}
	bool principal = lia_name_is_subject(grantee);
	if (principal ? lia_directory_find(&b->dir, grantee) == NULL
		      : lia_policy_agency(b->policy, grantee) == NULL) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID,
			    "grantee: no principal in the directory and no agency of the exchange has that name");
		return;
	}
	char grantee_agency[LIA_NAME_MAX], orig_agency[LIA_NAME_MAX];
	if (principal)
		lia_subject_agency(grantee, grantee_agency);
	else
		copy_text(grantee_agency, sizeof grantee_agency, grantee);
	lia_subject_agency(d.originator, orig_agency);
	if (strcmp(grantee, me) == 0 || strcmp(grantee_agency, orig_agency) == 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID,
			    "grantee: not yourself, and not the originator's own agency (ask the originator directly)");
		return;
	}
	struct lia_consent_request c;
	int same = lia_store_consent_same(b->store, d.message_seq, me, grantee, &c);
	if (same == 1) { /* asked before: the same request, in its state */
		reply_consent(b, s, f->request_id, &c);
		return;
	}
	uint64_t asked = 0;
	if (same < 0 || lia_store_consents_since(b->store, me, now - 86400, &asked) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	uint64_t waiting = 0;
	if (lia_store_consents_waiting(b->store, me, &waiting) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	if (waiting >= CONSENTS_WAITING_MAX) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
			    "32 of your consent requests wait for an answer already");
		return;
	}
	uint32_t limit = b->policy->onward_requests_per_day;
	if (limit > 0 && asked >= limit) {
		char why[LIA_DETAIL_MAX];
		snprintf(why, sizeof why, "at most %u consent requests a day for each principal (policy)", limit);
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN, why);
		return;
	}
	const struct lia_envelope *e = cache_get(b, d.message_seq);
	if (e == NULL || txn_need(b) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store unavailable");
		return;
	}
	memset(&c, 0, sizeof c);
	memcpy(c.message_id, d.message_id, LIA_ID_BYTES);
	memcpy(c.originator, d.originator, LIA_NAME_MAX);
	memcpy(c.requested_by, me, LIA_NAME_MAX);
	copy_text(c.grantee, sizeof c.grantee, grantee);
	copy_text(c.purpose, sizeof c.purpose, f->u.consent_ask.purpose);
	c.requested_at = now;
	char err[LIA_ERR_MAX];
	if (lia_store_consent_add(b->store, d.message_seq, &c, err) != 0) {
		turn_abort(b, err);
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	struct lia_record r;
	record_init(b, &r, LIA_OP_CONSENT_REQUESTED);
	record_message(&r, lia_envelope_header(e));
	party_of(&r.actor, &s->cert);
	grantee_party(b, &r.recipient, grantee);
	snprintf(r.justification, sizeof r.justification, "request %" PRIu64 ": %s", c.request, c.purpose);
	if (record_append(b, &r) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger unavailable");
		return;
	}
	char idh[2 * LIA_ID_BYTES + 1];
	hexid(idh, c.message_id);
	blog("consent-requested", "request=%" PRIu64 " id=%s by=%s grantee=%s originator=%s", c.request,
	     idh, me, grantee, c.originator);
	reply_consent(b, s, f->request_id, &c);
	notify_consent(b, c.originator, &c);
}

static void handle_consent_query(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	struct lia_consent_request *v = calloc(CONSENT_LIST_MAX, sizeof *v);
	size_t n = 0;
	/* Auditors see every request; others theirs and their messages'. */
	const char *who = lia_cert_has_role(&s->cert, LIA_ROLE_AUDITOR) ? NULL : s->cert.subject;
	if (v == NULL || lia_store_consents_of(b->store, who, f->u.consent_query.request,
					       f->u.consent_query.before, v, CONSENT_LIST_MAX, &n) != 0) {
		free(v);
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	if (f->u.consent_query.request != 0 && n == 0) {
		free(v);
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
			    "no consent request with that number concerns you");
		return;
	}
	for (size_t i = 0; i < n; i++)
		consent_for_viewer(&v[i], &s->cert);
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_CONSENT_LIST, f->request_id);
	r.u.consent_list.v = v;
	r.u.consent_list.n = n;
	reply_now(b, s->rid, s->rid_len, &r);
	free(v);
}

/* The refusal: recorded, and the requester sees it in its list. */
static void consent_refuse(struct lia_broker *b, struct session *s, const struct lia_frame *f,
			   struct lia_consent_request *c, const struct lia_header *h)
{
	char err[LIA_ERR_MAX];
	c->state = LIA_CONSENT_REFUSED;
	c->answered_at = lia_now();
	copy_text(c->reason, sizeof c->reason, f->u.consent_answer.reason);
	if (txn_need(b) != 0 || lia_store_consent_answer(b->store, c, NULL, 0, 0, 0, err) != 0) {
		turn_abort(b, "a consent refusal could not be stored");
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	struct lia_record r;
	record_init(b, &r, LIA_OP_CONSENT_REFUSED);
	record_message(&r, h);
	party_of(&r.actor, &s->cert);
	grantee_party(b, &r.recipient, c->grantee);
	snprintf(r.justification, sizeof r.justification, "request %" PRIu64 " by %s: %s", c->request,
		 c->requested_by, c->reason);
	if (record_append(b, &r) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "ledger unavailable");
		return;
	}
	blog("consent-refused", "request=%" PRIu64 " by=%s", c->request, s->cert.subject);
	reply_consent(b, s, f->request_id, c);
	notify_consent(b, c->requested_by, c);
}

/* The signed consent must say exactly what was asked. */
static const char *consent_mismatch(const struct lia_consent_grant *g,
				    const struct lia_consent_request *c, int64_t now, int64_t skew)
{
	if (g->request != c->request)
		return "request number";
	if (memcmp(g->message_id, c->message_id, LIA_ID_BYTES) != 0)
		return "message id";
	if (strcmp(g->grantee, c->grantee) != 0)
		return "grantee";
	if (strcmp(g->requested_by, c->requested_by) != 0)
		return "requester";
	if (strcmp(g->purpose, c->purpose) != 0)
		return "purpose";
	if (g->granted_at < now - skew || g->granted_at > now + skew)
		return "time (outside the skew window)";
	return NULL;
}

static void consent_grant(struct lia_broker *b, struct session *s, const struct lia_frame *f,
			  struct lia_consent_request *c, uint64_t mseq, const struct lia_envelope *e)
{
	const struct lia_header *h = lia_envelope_header(e);
	int64_t now = lia_now();
	char err[LIA_ERR_MAX];
	struct lia_consent_grant g;
	if (lia_consent_verify(f->u.consent_answer.consent.p, f->u.consent_answer.consent.len, &s->cert,
			       &g, err) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
		return;
	}
	const char *bad = consent_mismatch(&g, c, now, b->policy->skew_seconds);
	if (bad != NULL) {
		snprintf(err, sizeof err, "the signed consent does not match request %" PRIu64 ": %s",
			 c->request, bad);
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
		return;
	}
	struct lia_envelope *extra = NULL;
	enum lia_env_status st = lia_envelope_decode(&extra, f->u.consent_answer.envelope.p,
						     f->u.consent_answer.envelope.len);
	if (st != LIA_ENV_OK) {
		snprintf(err, sizeof err, "envelope: %s", lia_env_status_str(st));
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
		return;
	}
	/* The consents decide() weighs: those granted before, and this one. */
	struct lia_consent_request *prior = calloc(CONSENTS_PER_MESSAGE, sizeof *prior);
	struct lia_consent *cons = calloc(CONSENTS_PER_MESSAGE + 1, sizeof *cons);
	size_t cap = b->dir.n < CANDIDATES_MAX ? b->dir.n : CANDIDATES_MAX;
	struct lia_decision *decs = calloc(cap ? cap : 1, sizeof *decs);
	uint8_t(*kids)[LIA_KEYID_BYTES] = calloc(cap ? cap : 1, LIA_KEYID_BYTES);
	bool *permit = calloc(cap ? cap : 1, sizeof *permit);
	uint8_t *merged = NULL;
	size_t n_prior = 0, nc = 0, nk = 0, merged_len = 0, added = 0;
	if (prior == NULL || cons == NULL || decs == NULL || kids == NULL || permit == NULL ||
	    lia_store_consents_granted(b->store, mseq, prior, CONSENTS_PER_MESSAGE, &n_prior) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "out of memory");
		goto out;
	}
	if (n_prior >= CONSENTS_PER_MESSAGE) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID,
			    "this message has 64 granted consents already; publish it anew");
		goto out;
	}
	for (size_t i = 0; i <= n_prior; i++) {
		const struct lia_consent_request *p = i < n_prior ? &prior[i] : c;
		memcpy(cons[i].message_id, p->message_id, LIA_ID_BYTES);
		memcpy(cons[i].grantee, p->grantee, LIA_NAME_MAX);
		memcpy(cons[i].requested_by, p->requested_by, LIA_NAME_MAX);
		memcpy(cons[i].granted_by, p->originator, LIA_NAME_MAX);
		/* Broker time: a signer's clock a little ahead must not make
		 * its consent look granted in the future. */
		cons[i].granted_at = i < n_prior ? p->answered_at : now;
	}
	/* Candidates: the grantee's principals that do not hold the message. */
	int64_t decide_at = h->restrictions.embargo_until > now ? h->restrictions.embargo_until : now;
	for (size_t i = 0; i < b->dir.n && nc < cap; i++) {
		const struct lia_cert *rc = &b->dir.v[i].cert;
		struct lia_store_delivery had;
		if (rc->kind != LIA_CERT_PRINCIPAL || strcmp(rc->subject, s->cert.subject) == 0 ||
		    (strcmp(rc->subject, c->grantee) != 0 && strcmp(rc->agency, c->grantee) != 0) ||
		    lia_store_delivery_of(b->store, rc->subject, h->id, INT64_MAX, &had) != 0)
			continue;
		b->cand[nc].who = &b->dir.v[i];
		memcpy(b->cand[nc].via, "consent", 8);
		nc++;
	}
	/* The wraps are looked for in the originator's copy (extra). */
	c->disclosed = (uint32_t)decide_candidates(b, h, &s->cert, extra, LIA_PATH_ONWARD, cons, n_prior + 1,
						   decide_at, nc, permit, decs);
	c->withheld = (uint32_t)(nc - c->disclosed);
	for (size_t i = 0; i < nc; i++)
		if (permit[i])
			memcpy(kids[nk++], b->cand[i].who->cert.box_kid, LIA_KEYID_BYTES);
	if (lia_envelope_take_wraps(e, extra, (const uint8_t(*)[LIA_KEYID_BYTES])kids, nk, &merged,
				    &merged_len, &added, err) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, err);
		goto out;
	}
	if (txn_need(b) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store unavailable");
		goto out;
	}
	c->state = LIA_CONSENT_GRANTED;
	c->answered_at = now;
	memcpy(c->consent, f->u.consent_answer.consent.p, f->u.consent_answer.consent.len);
	c->consent_len = f->u.consent_answer.consent.len; /* <= LIA_CONSENT_MAX_BYTES (wire) */
	copy_text(c->reason, sizeof c->reason, f->u.consent_answer.reason);
	if (added > 0 && lia_store_message_envelope_set(b->store, mseq, merged, merged_len, err) != 0)
		goto fail;
	struct lia_record r;
	record_init(b, &r, LIA_OP_CONSENT_GRANTED);
	record_message(&r, h);
	party_of(&r.actor, &s->cert);
	grantee_party(b, &r.recipient, c->grantee);
	/* The signed consent, kept in the store, is bound to the ledger by
	 * its hash: an auditor checks the bytes the broker shows it. */
	char digest_hex[LIA_CONSENT_DIGEST_HEX];
	lia_consent_digest_hex(f->u.consent_answer.consent.p, f->u.consent_answer.consent.len, digest_hex);
	snprintf(r.justification, sizeof r.justification,
		 "request %" PRIu64 " by %s: %s; %u disclosed, %u withheld; consent sha256:%s", c->request,
		 c->requested_by, c->purpose, c->disclosed, c->withheld, digest_hex);
	if (record_append(b, &r) != 0)
		goto fail_replied;
	uint64_t ledger_from = r.seq, ledger_to = r.seq + 1;
	char label[32];
	snprintf(label, sizeof label, "consent %" PRIu64, c->request);
	if (record_decisions(b, h, &s->cert, mseq, 0, label, nc, permit, decs, &ledger_to) != 0)
		goto fail_replied;
	if (lia_store_consent_answer(b->store, c, f->u.consent_answer.consent.p,
				     f->u.consent_answer.consent.len, ledger_from, ledger_to, err) != 0)
		goto fail;
	char idh[2 * LIA_ID_BYTES + 1];
	hexid(idh, c->message_id);
	blog("consent-granted", "request=%" PRIu64 " id=%s by=%s grantee=%s disclosed=%u withheld=%u",
	     c->request, idh, s->cert.subject, c->grantee, c->disclosed, c->withheld);
	reply_consent(b, s, f->request_id, c);
	notify_consent(b, c->requested_by, c);
	goto out;
fail:
	turn_abort(b, err);
fail_replied:
	reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE,
		    "the broker could not store the consent; send it again");
out:
	/* The stored envelope may have changed: read it afresh. */
	cache_clear(b);
	free(merged);
	free(permit);
	free(kids);
	free(decs);
	free(cons);
	free(prior);
	lia_envelope_destroy(&extra);
}

static void handle_consent_answer(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	const char *me = s->cert.subject;
	struct lia_consent_request c;
	uint64_t mseq = 0;
	if (lia_store_consent_get(b->store, f->u.consent_answer.request, &c, &mseq) != 1 ||
	    (strcmp(c.originator, me) != 0 && strcmp(c.requested_by, me) != 0)) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
			    "no consent request with that number concerns you");
		return;
	}
	if (strcmp(c.originator, me) != 0) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
			    "only the message's originator answers a consent request, never the requester");
		return;
	}
	/* DESIGN §1: consent is a liaison officer's act. */
	if (!lia_cert_has_role(&s->cert, LIA_ROLE_LIAISON)) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
			    "only a liaison officer answers consent requests; ask your agency's liaison office");
		return;
	}
	if (c.state != LIA_CONSENT_PENDING) {
		char why[LIA_DETAIL_MAX];
		snprintf(why, sizeof why, "request %" PRIu64 " was %s already", c.request,
			 lia_consent_state_str(c.state));
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_INVALID, why);
		return;
	}
	const struct lia_envelope *e = cache_get(b, mseq);
	if (e == NULL) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
			    "the message expired and was erased");
		return;
	}
	if (f->u.consent_answer.grant)
		consent_grant(b, s, f, &c, mseq, e);
	else
		consent_refuse(b, s, f, &c, lia_envelope_header(e));
}

static void handle_hello(struct lia_broker *b, struct session *s, const struct lia_frame *f)
{
	if (f->u.hello.protocol < LIA_PROTOCOL_VERSION) {
		reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_VERSION, "protocol version 1 needed");
		return;
	}
	s->receive = f->u.hello.receive;
	s->window = f->u.hello.window < b->cfg.window ? f->u.hello.window : b->cfg.window;
	s->inflight = 0;
	s->cursor = 0; /* resend everything not yet acknowledged, in order */
	s->maybe_pending = s->receive;
	s->erase_cursor = 0; /* and every erase notice not yet confirmed */
	s->maybe_erase = s->receive;
	struct lia_frame w;
	lia_frame_init(&w, LIA_FRAME_WELCOME, f->request_id);
	w.u.welcome.protocol = LIA_PROTOCOL_VERSION;
	memcpy(w.u.welcome.broker, b->me.cert.subject, LIA_NAME_MAX);
	memcpy(w.u.welcome.subject, s->cert.subject, LIA_NAME_MAX);
	(void)lia_store_pending_count(b->store, s->cert.subject, lia_now(), &w.u.welcome.pending);
	memcpy(w.u.welcome.policy_hash, b->policy->hash, 32);
	w.u.welcome.now = lia_now();
	reply_now(b, s->rid, s->rid_len, &w);
	blog("session", "subject=%s client=\"%s\" receive=%d pending=%" PRIu64, s->cert.subject,
	     f->u.hello.client, s->receive, w.u.welcome.pending);
}

static void handle_frame(struct lia_broker *b, const uint8_t *rid, size_t rid_len, const char *user,
			 const uint8_t *buf, size_t len)
{
	/* user is the transport key the handshake authenticated; the agent's
	 * routing id must be that same key (wire.h), so that replies to this
	 * key go to this connection only. */
	uint8_t key[32];
	if (lia_unhex(key, sizeof key, user) != 0 || rid_len != 32 || memcmp(rid, key, 32) != 0) {
		blog("frame-refused", "routing_id_bytes=%zu reason=\"the routing id is not the authenticated transport key\"", rid_len);
		return;
	}
	const struct lia_directory_entry *who = lia_directory_by_transport(&b->dir, key);
	if (who == NULL || who->cert.kind != LIA_CERT_PRINCIPAL ||
	    lia_cert_check(&who->cert, &b->dir.crl, lia_now()) != LIA_CERT_OK) {
		reply_error(b, rid, rid_len, 0, LIA_ERROR_REVOKED, "your certificate is no longer valid");
		struct session *gone = session_find(b, rid, rid_len);
		if (gone != NULL)
			gone->used = false;
		return;
	}
	user = who->cert.subject;
	struct session *s = session_find(b, rid, rid_len);
	if (s != NULL && strcmp(s->cert.subject, user) != 0)
		s->used = false, s = NULL; /* a routing id reused by someone else */
	struct lia_frame f;
	char why[LIA_ERR_MAX];
	if (lia_frame_decode(&f, buf, len, why) != 0) {
		blog("frame-refused", "from=%s bytes=%zu reason=\"%s\"", user, len, why);
		reply_error(b, rid, rid_len, 0,
			    strncmp(why, "protocol version", 16) == 0 ? LIA_ERROR_VERSION : LIA_ERROR_MALFORMED, why);
		return;
	}
	if (s == NULL) {
		if (f.type != LIA_FRAME_HELLO) {
			reply_error(b, rid, rid_len, f.request_id, LIA_ERROR_NO_SESSION, "send hello first");
			goto out;
		}
		s = session_new(b, rid, rid_len);
		if (s == NULL) {
			reply_error(b, rid, rid_len, f.request_id, LIA_ERROR_UNAVAILABLE, "too many sessions");
			goto out;
		}
		s->cert = who->cert;
	}
	s->last_seen = lia_now();
	/* Reads answer from committed state only: a delivery written in this
	 * turn must not be shown before its disclose record is durable. */
	if (b->in_txn && (f.type == LIA_FRAME_HELLO || f.type == LIA_FRAME_INBOX ||
			  f.type == LIA_FRAME_FETCH || f.type == LIA_FRAME_FEED_LIST ||
			  f.type == LIA_FRAME_CONSENT_QUERY))
		turn_commit(b);
	switch (f.type) {
	case LIA_FRAME_HELLO: handle_hello(b, s, &f); break;
	case LIA_FRAME_PUBLISH: handle_publish(b, s, &f); break;
	case LIA_FRAME_ACK: handle_ack(b, s, &f); break;
	case LIA_FRAME_SUBSCRIBE: handle_subscribe(b, s, &f); break;
	case LIA_FRAME_UNSUBSCRIBE: handle_unsubscribe(b, s, &f); break;
	case LIA_FRAME_FEED_LIST: handle_feed_list(b, s, &f); break;
	case LIA_FRAME_INBOX: handle_inbox(b, s, &f); break;
	case LIA_FRAME_FETCH: handle_fetch(b, s, &f); break;
	case LIA_FRAME_DIRECTORY_REQUEST: handle_directory(b, s, &f); break;
	case LIA_FRAME_AUDIT_QUERY: handle_audit(b, s, &f); break;
	case LIA_FRAME_CONSENT_ASK: handle_consent_ask(b, s, &f); break;
	case LIA_FRAME_CONSENT_QUERY: handle_consent_query(b, s, &f); break;
	case LIA_FRAME_CONSENT_ANSWER: handle_consent_answer(b, s, &f); break;
	case LIA_FRAME_PING: {
		struct lia_frame p;
		lia_frame_init(&p, LIA_FRAME_PONG, f.request_id);
		p.u.pong.now = lia_now();
		reply_now(b, rid, rid_len, &p);
		break;
	}
	default:
		reply_error(b, rid, rid_len, f.request_id, LIA_ERROR_INVALID, "agents do not send that frame");
		break;
	}
out:
	lia_frame_clear(&f);
}

/* Read one message from the ROUTER: [routing id][frame]. */
static int router_read(struct lia_broker *b)
{
	zmq_msg_t id, body;
	zmq_msg_init(&id);
	if (zmq_msg_recv(&id, b->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&id);
		return 0;
	}
	if (!zmq_msg_more(&id)) {
		zmq_msg_close(&id);
		return 1;
	}
	zmq_msg_init(&body);
	if (zmq_msg_recv(&body, b->router, 0) < 0) {
		zmq_msg_close(&id);
		zmq_msg_close(&body);
		return 1;
	}
	bool extra = zmq_msg_more(&body);
	while (extra) { /* one frame per message: drop the rest */
		zmq_msg_t junk;
		zmq_msg_init(&junk);
		extra = zmq_msg_recv(&junk, b->router, 0) >= 0 && zmq_msg_more(&junk);
		zmq_msg_close(&junk);
	}
	const char *user = zmq_msg_gets(&body, "User-Id");
	if (zmq_msg_size(&id) <= RID_MAX && user != NULL && strlen(user) == 64)
		handle_frame(b, zmq_msg_data(&id), zmq_msg_size(&id), user, zmq_msg_data(&body),
			     zmq_msg_size(&body));
	zmq_msg_close(&id);
	zmq_msg_close(&body);
	return 1;
}

/* --- commit, timers, reload --- */

static void turn_commit(struct lia_broker *b)
{
	char err[LIA_ERR_MAX];
	if (!b->in_txn) {
		out_flush(b, true);
		return;
	}
	b->in_txn = false;
	bool ok = lia_unit_commit(b->unit, err) == 0;
	if (!ok) {
		blog("store-error", "commit failed: %s", err);
		cache_clear(b);
	}
	if (ok && b->feeds_dirty && reload_feeds(b) != 0)
		blog("store-error", "cannot reload feeds");
	b->feeds_dirty = false;
	out_flush(b, ok);
}

static int close_consents(struct lia_broker *b, const struct lia_store_message *m, int64_t now);

static void expire_messages(struct lia_broker *b, int64_t now)
{
	struct lia_store_message m[64];
	size_t n = 0;
	char err[LIA_ERR_MAX];
	if (lia_store_expired(b->store, now, m, 64, &n) != 0 || n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (txn_need(b) != 0)
			return;
		if (lia_store_erase(b->store, m[i].seq, now, err) != 0) {
			turn_abort(b, err);
			return;
		}
		struct lia_record r;
		record_init(b, &r, LIA_OP_ERASE);
		r.has_message_id = true;
		memcpy(r.message_id, m[i].id, LIA_ID_BYTES);
		memcpy(r.originator, m[i].originator, LIA_NAME_MAX);
		r.kind = (int)m[i].kind;
		snprintf(r.justification, sizeof r.justification, "expired at %" PRId64, m[i].expires_at);
		if (record_append(b, &r) != 0 || close_consents(b, &m[i], now) != 0)
			return;
	}
	turn_commit(b);
	for (size_t i = 0; i < n; i++) {
		char idh[2 * LIA_ID_BYTES + 1];
		hexid(idh, m[i].id);
		blog("erase", "id=%s expired_at=%" PRId64, idh, m[i].expires_at);
	}
	/* The notices are in the store now: every recipient holding a copy
	 * gets one, now if it is online, else when it reconnects. */
	for (uint32_t j = 0; j < b->n_sessions; j++)
		if (b->sessions[j].used && b->sessions[j].receive)
			b->sessions[j].maybe_erase = true;
}

static int load_policy(struct lia_broker *b, bool reload)
{
	struct lia_policy_error pe;
	struct lia_policy *p = lia_policy_load(b->cfg.policy, &pe);
	if (p == NULL) {
		blog(reload ? "reload-refused" : "policy-error", "policy=\"%s\" line=%u column=%u reason=\"%s\"%s",
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
	blog("policy-loaded", "exchange=%s hash=%s", p->exchange, hex);
	struct lia_record r;
	record_init(b, &r, LIA_OP_POLICY_LOADED);
	copy_text(r.justification, sizeof r.justification, b->cfg.policy);
	return record_now(b, &r);
}

static int load_directory(struct lia_broker *b, bool reload)
{
	struct lia_directory d;
	char err[LIA_ERR_MAX];
	if (lia_directory_load(&d, b->authority_pk, b->cfg.certificates, b->cfg.revocation_list, stderr, err) != 0) {
		blog(reload ? "reload-refused" : "directory-error", "reason=\"%s\"%s", err,
		     reload ? " keeping the certificates in force" : "");
		return -1;
	}
	if (reload && d.crl.number < b->dir.crl.number) {
		blog("reload-refused", "reason=\"revocation list number %llu is older than the %llu in force\"",
		     (unsigned long long)d.crl.number, (unsigned long long)b->dir.crl.number);
		lia_directory_clear(&d);
		return -1;
	}
	/* Newly revoked certificates: ledger record, sessions dropped. */
	for (size_t i = 0; i < d.crl.n; i++) {
		if (lia_crl_find(&b->dir.crl, d.crl.v[i].serial) != NULL || !reload)
			continue;
		struct lia_record r;
		record_init(b, &r, LIA_OP_CERTIFICATE_REVOKED);
		r.cert_serial = d.crl.v[i].serial;
		snprintf(r.justification, sizeof r.justification, "%s", d.crl.v[i].reason);
		(void)record_now(b, &r);
		blog("certificate-revoked", "serial=%" PRIu64 " reason=\"%s\"", d.crl.v[i].serial, d.crl.v[i].reason);
	}
	lia_directory_clear(&b->dir);
	b->dir = d;
	free(b->rates);
	b->rates = calloc(b->dir.n ? b->dir.n : 1, sizeof *b->rates);
	for (uint32_t i = 0; i < b->n_sessions; i++) {
		struct session *s = &b->sessions[i];
		if (!s->used)
			continue;
		const struct lia_directory_entry *e = lia_directory_find(&b->dir, s->cert.subject);
		if (e == NULL || lia_cert_check(&e->cert, &b->dir.crl, lia_now()) != LIA_CERT_OK ||
		    memcmp(e->cert.transport_pk, s->cert.transport_pk, 32) != 0) {
			reply_error(b, s->rid, s->rid_len, 0, LIA_ERROR_REVOKED,
				    "your certificate was revoked; the session ends");
			/* Closing the peer's connection needs its routing id on a
			 * socket option that libzmq 4.3 offers only as DRAFT; the
			 * session is forgotten and every later frame is refused. */
			blog("session-dropped", "subject=%s reason=\"certificate no longer valid\"", s->cert.subject);
			s->used = false;
			continue;
		}
		s->cert = e->cert;
	}
	blog("directory-loaded", "certificates=%zu revoked=%zu", b->dir.n, b->dir.crl.n);
	return 0;
}

/* --- setup --- */

struct lia_broker *lia_broker_new(const struct lia_broker_config *cfg, char err[static LIA_ERR_MAX])
{
	struct lia_broker *b = calloc(1, sizeof *b);
	if (b == NULL) {
		lia_errf(err, "out of memory");
		return NULL;
	}
	b->cfg = *cfg;
	b->sigfd = -1;
	b->sessions = calloc(cfg->max_sessions, sizeof *b->sessions);
	b->cand = calloc(CANDIDATES_MAX, sizeof *b->cand);
	if (b->sessions == NULL || b->cand == NULL) {
		lia_errf(err, "out of memory");
		goto fail;
	}
	char name[LIA_NAME_MAX], path[PATH_MAX];
	if (lia_pubkey_load(cfg->authority_key, LIA_KEY_AUTHORITY, b->authority_pk, name, err) != 0)
		goto fail;
	const char *pf = cfg->passphrase_file[0] ? cfg->passphrase_file : NULL;
	if (path_in(path, cfg->keys, "cert.crt", err) != 0 ||
	    lia_file_read(path, LIA_CERT_MAX_BYTES, &b->me.cert_bytes, &b->me.cert_len, err) != 0)
		goto fail;
	enum lia_cert_status cst = lia_cert_decode(&b->me.cert, b->me.cert_bytes, b->me.cert_len, b->authority_pk);
	if (cst != LIA_CERT_OK || b->me.cert.kind != LIA_CERT_BROKER) {
		lia_errf(err, "\"%s\": %s", path, cst != LIA_CERT_OK ? lia_cert_status_str(cst) : "not a broker certificate");
		goto fail;
	}
	b->me.sign = path_in(path, cfg->keys, "sign.sec", err) ? NULL : lia_secret_open(path, LIA_KEY_SIGN, pf, err);
	if (b->me.sign == NULL)
		goto fail;
	b->me.transport = path_in(path, cfg->keys, "transport.sec", err) ? NULL : lia_secret_open(path, LIA_KEY_TRANSPORT, pf, err);
	if (b->me.transport == NULL)
		goto fail;
	if (memcmp(b->me.sign->pk, b->me.cert.sign_pk, 32) != 0 ||
	    memcmp(b->me.transport->pk, b->me.cert.transport_pk, 32) != 0) {
		lia_errf(err, "the broker's keys are not the ones its certificate names");
		goto fail;
	}
	lia_directory_init(&b->dir, b->authority_pk);
	b->unit = path_in(path, cfg->data, "liaison.db", err) ? NULL
							       : lia_unit_open(path, b->me.cert.subject, err);
	if (b->unit == NULL)
		goto fail;
	b->store = lia_unit_store(b->unit);
	b->ledger = lia_unit_ledger(b->unit);
	if (load_policy(b, false) != 0) {
		lia_errf(err, "cannot load the policy \"%s\" (see above)", cfg->policy);
		goto fail;
	}
	if (load_directory(b, false) != 0) {
		lia_errf(err, "cannot load certificates from \"%s\" (see above)", cfg->certificates);
		goto fail;
	}
	if (reload_feeds(b) != 0) {
		lia_errf(err, "cannot read feeds from the store");
		goto fail;
	}
	/* Signals become loop events. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	b->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (b->sigfd < 0) {
		lia_errf(err, "signalfd: %s", strerror(errno));
		goto fail;
	}
	b->zctx = zmq_ctx_new();
	if (b->zctx == NULL) {
		lia_errf(err, "cannot create a ZeroMQ context");
		goto fail;
	}
	/* The ZAP handler is bound before the ROUTER: no connection is ever
	 * admitted without it, and if it stops answering, none is admitted. */
	b->zap = zmq_socket(b->zctx, ZMQ_REP);
	if (b->zap == NULL || zmq_bind(b->zap, "inproc://zeromq.zap.01") != 0) {
		lia_errf(err, "cannot install the ZAP handler: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	b->router = lia_wire_server(b->zctx, cfg->listen, b->me.transport, err);
	if (b->router == NULL)
		goto fail;
	char kid[LIA_KEYID_HEX];
	lia_keyid_hex(kid, b->me.cert.sign_kid);
	blog("listening", "endpoint=%s broker=%s sign_key=%s", cfg->listen, b->me.cert.subject, kid);
	return b;
fail:
	lia_broker_destroy(&b);
	return NULL;
}

void lia_broker_destroy(struct lia_broker **bp)
{
	if (bp == NULL || *bp == NULL)
		return;
	struct lia_broker *b = *bp;
	if (b->router != NULL)
		zmq_close(b->router);
	if (b->zap != NULL)
		zmq_close(b->zap);
	if (b->zctx != NULL)
		zmq_ctx_term(b->zctx);
	if (b->sigfd >= 0)
		close(b->sigfd);
	cache_clear(b);
	lia_unit_destroy(&b->unit); /* rolls back an open turn */
	b->store = NULL;
	b->ledger = NULL;
	lia_policy_destroy(&b->policy);
	lia_directory_clear(&b->dir);
	for (size_t i = 0; i < b->n_out; i++) {
		free(b->out[i].frame);
		free(b->out[i].fallback);
	}
	free(b->out);
	free(b->feeds);
	free(b->rates);
	free(b->sessions);
	free(b->cand);
	lia_secret_destroy(&b->me.sign);
	lia_secret_destroy(&b->me.transport);
	free(b->me.cert_bytes);
	free(b);
	*bp = NULL;
}

static void handle_signals(struct lia_broker *b)
{
	struct signalfd_siginfo si;
	while (read(b->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			blog("reload", "policy=\"%s\" certificates=\"%s\"", b->cfg.policy, b->cfg.certificates);
			bool policy = load_policy(b, true) == 0;
			bool directory = load_directory(b, true) == 0;
			blog("reload-done", "policy=%s directory=%s", policy ? "loaded" : "kept",
			     directory ? "loaded" : "kept");
		} else {
			blog("stopping", "signal=%u", si.ssi_signo);
			b->stop = true;
		}
	}
}

int lia_broker_run(struct lia_broker *b, void (*ready)(void))
{
	char err[LIA_ERR_MAX];
	if (ready != NULL)
		ready();
	int64_t last_idle_check = lia_now();
	while (!b->stop) {
		zmq_pollitem_t items[] = {
			{b->zap, 0, ZMQ_POLLIN, 0},
			{b->router, 0, ZMQ_POLLIN, 0},
			{NULL, b->sigfd, ZMQ_POLLIN, 0},
		};
		if (zmq_poll(items, 3, 1000) < 0 && zmq_errno() != EINTR) {
			blog("poll-error", "%s", zmq_strerror(zmq_errno()));
			break;
		}
		if (items[2].revents & ZMQ_POLLIN)
			handle_signals(b);
		while (zmq_poll(items, 1, 0) > 0 && (items[0].revents & ZMQ_POLLIN))
			zap_handle(b);
		for (uint32_t i = 0; i < b->cfg.batch; i++)
			if (router_read(b) == 0)
				break;
		turn_commit(b);
		int64_t now = lia_now();
		if (now >= b->next_expiry) {
			/* Once a second: erase what expired, and look again for
			 * deliveries whose embargo has just ended. */
			expire_messages(b, now);
			b->next_expiry = now + 1;
			for (uint32_t i = 0; i < b->n_sessions; i++)
				if (b->sessions[i].used && b->sessions[i].receive)
					b->sessions[i].maybe_pending = true;
		}
		for (uint32_t i = 0; i < b->n_sessions; i++)
			if (b->sessions[i].used && b->sessions[i].receive && b->sessions[i].maybe_pending)
				deliver_pending(b, &b->sessions[i]);
		for (uint32_t i = 0; i < b->n_sessions; i++)
			if (b->sessions[i].used && b->sessions[i].receive && b->sessions[i].maybe_erase)
				send_erasures(b, &b->sessions[i]);
		cache_clear(b);
		bool issued = false;
		if (lia_ledger_checkpoint_maybe(b->ledger, b->me.sign, now, b->cfg.checkpoint_records,
						b->cfg.checkpoint_seconds, &issued, err) != 0)
			blog("checkpoint-error", "%s", err);
		else if (issued)
			blog("checkpoint", "signed");
		if (now - last_idle_check >= 10) {
			for (uint32_t i = 0; i < b->n_sessions; i++)
				if (b->sessions[i].used && now - b->sessions[i].last_seen > IDLE_SECONDS)
					b->sessions[i].used = false;
			last_idle_check = now;
		}
	}
	/* SIGTERM: what this turn accepted is committed (or refused) above;
	 * a last checkpoint covers it. */
	bool issued;
	if (lia_ledger_checkpoint_maybe(b->ledger, b->me.sign, lia_now(), 1, 0, &issued, err) != 0)
		blog("checkpoint-error", "%s", err);
	blog("stopped", "clean");
	return 0;
}
