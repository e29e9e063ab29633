/* turn.c — see turn.h. */
#include "turn.h"
#include "session.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "blog.h"
#include "feeds.h"
#include "util.h"

int lia_turn_need(struct lia_broker *b)
{
	if (b->in_txn) {
		/* SQLite rolls a transaction back by itself on some I/O errors;
		 * then later statements would run outside it. */
		if (lia_unit_active(b->unit))
			return 0;
		lia_turn_abort(b, "the store's transaction ended unexpectedly");
		return -1;
	}
	char err[LIA_ERR_MAX];
	if (lia_unit_begin(b->unit, err) != 0) {
		lia_blog("store-error", "%s", err);
		return -1;
	}
	b->in_txn = true;
	return 0;
}

int lia_turn_queue(struct lia_broker *b, const uint8_t *rid, size_t rid_len,
		   const struct lia_frame *f, const struct lia_frame *fallback)
{
	if (b->n_out == b->cap_out) {
		size_t ncap = b->cap_out ? 2 * b->cap_out : 64;
		if (ncap > OUTBOX_MAX)
			return -1;
		struct lia_outmsg *v = realloc(b->out, ncap * sizeof *v);
		if (v == NULL)
			return -1;
		b->out = v;
		b->cap_out = ncap;
	}
	struct lia_outmsg *o = &b->out[b->n_out];
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

/* Every frame leaves here: counted towards its session's queue
 * (session.h). 0, or -1 with errno from libzmq. */
static int send_bytes(struct lia_broker *b, const uint8_t *rid, size_t rid_len, const uint8_t *buf, size_t len)
{
	if (zmq_send(b->router, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(b->router, buf, len, ZMQ_DONTWAIT) < 0)
		return -1;
	lia_session_sent(b, rid, rid_len, len);
	return 0;
}

int lia_send_frame(struct lia_broker *b, const uint8_t *rid, size_t rid_len, const struct lia_frame *f)
{
	uint8_t *buf;
	size_t len;
	if (lia_frame_encode(f, &buf, &len) != 0) {
		errno = EINVAL;
		return -1;
	}
	int rc = send_bytes(b, rid, rid_len, buf, len);
	int e = errno;
	free(buf);
	errno = e;
	return rc;
}

static void send_raw(struct lia_broker *b, const uint8_t *rid, size_t rid_len, const uint8_t *buf,
		     size_t len)
{
	if (send_bytes(b, rid, rid_len, buf, len) != 0) {
		/* EHOSTUNREACH: the peer left; EAGAIN: its queue is full. The
		 * agent retries a request it got no answer to. A peer that
		 * never reads while it keeps asking had one line a dropped
		 * answer, 70,000 lines a second: one a second at most now,
		 * with the count since the last. */
		if (errno != EHOSTUNREACH) {
			b->dropped++;
			int64_t now = lia_now();
			if (now > b->dropped_logged) {
				lia_blog("send-dropped", "dropped=%" PRIu64 " reason=\"%s\"", b->dropped, zmq_strerror(errno));
				b->dropped = 0;
				b->dropped_logged = now;
			}
		} else /* whoever connects with this id next must say Hello */
			lia_session_gone(b, rid, rid_len);
	}
}

/* Send every queued reply: the real one when committed, else the fallback. */
static void out_flush(struct lia_broker *b, bool committed)
{
	for (size_t i = 0; i < b->n_out; i++) {
		struct lia_outmsg *o = &b->out[i];
		if (committed)
			send_raw(b, o->rid, o->rid_len, o->frame, o->len);
		else if (o->fallback != NULL)
			send_raw(b, o->rid, o->rid_len, o->fallback, o->fallback_len);
		free(o->frame);
		free(o->fallback);
	}
	b->n_out = 0;
}

/* Abandon the turn's transaction: nothing of it happened, and every
 * reply waiting for it becomes its fallback (publish: "unavailable,
 * publish again"). Used whenever a write or a ledger append fails. */
void lia_turn_abort(struct lia_broker *b, const char *why)
{
	lia_blog("turn-aborted", "reason=\"%s\"", why);
	if (b->in_txn) {
		lia_unit_rollback(b->unit);
		b->in_txn = false;
	}
	out_flush(b, false);
	lia_envcache_clear(b);
}

int lia_turn_durable(struct lia_broker *b, char err[static LIA_ERR_MAX])
{
	if (b->check_only) {
		lia_unit_rollback(b->unit); /* --check leaves the store as it was */
		return 0;
	}
	if (lia_unit_commit(b->unit, err) != 0)
		return -1;
	char why[LIA_ERR_MAX];
	if (lia_ledger_state_grown(&b->lstate, b->ledger, why) != 0)
		lia_blog("ledger-state-error", "%s", why);
	return 0;
}

void lia_turn_commit(struct lia_broker *b)
{
	char err[LIA_ERR_MAX];
	if (!b->in_txn) {
		out_flush(b, true);
		return;
	}
	b->in_txn = false;
	bool ok = lia_turn_durable(b, err) == 0;
	if (!ok) {
		lia_blog("store-error", "commit failed: %s", err);
		lia_envcache_clear(b);
	}
	if (ok && b->feeds_dirty && lia_feeds_reload(b) != 0)
		lia_blog("store-error", "cannot reload feeds");
	b->feeds_dirty = false;
	out_flush(b, ok);
}

void lia_reply_now(struct lia_broker *b, const uint8_t *rid, size_t rid_len,
		   const struct lia_frame *f)
{
	uint8_t *buf;
	size_t len;
	if (lia_frame_encode(f, &buf, &len) != 0)
		return;
	send_raw(b, rid, rid_len, buf, len);
	free(buf);
}

void lia_reply_error(struct lia_broker *b, const uint8_t *rid, size_t rid_len, uint64_t req,
			enum lia_error_code code, const char *detail)
{
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_ERROR, req);
	f.u.error.code = code;
	snprintf(f.u.error.detail, sizeof f.u.error.detail, "%s", detail);
	lia_reply_now(b, rid, rid_len, &f);
}

const struct lia_envelope *lia_envcache_get(struct lia_broker *b, uint64_t seq)
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

void lia_envcache_put(struct lia_broker *b, uint64_t seq, struct lia_envelope **e)
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

void lia_envcache_clear(struct lia_broker *b)
{
	for (size_t i = 0; i < b->n_cache; i++)
		lia_envelope_destroy(&b->cache[i].env);
	b->n_cache = 0;
}
