/* inbox.c — see inbox.h. */
#include "inbox.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery.h"
#include "holds.h"
#include "turn.h"
#include "util.h"

void lia_inbox_list(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	size_t max = f->u.inbox.limit, n = 0;
	struct lia_store_delivery *d = calloc(max, sizeof *d);
	struct lia_inbox_entry *v = calloc(max, sizeof *v);
	if (d == NULL || v == NULL ||
	    lia_store_inbox(b->store, s->cert.subject, f->u.inbox.after, lia_now(), d, max, &n) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
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
		v[i].superseded = d[i].superseded;
	}
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_INBOX_LIST, f->request_id);
	r.u.inbox_list.n = n;
	r.u.inbox_list.v = v;
	lia_reply_now(b, s->rid, s->rid_len, &r);
out:
	free(d);
	free(v);
}

/* The answer to an id the asker does not hold (found 0) or the store
 * could not look up (-1). */
static void not_held(struct lia_broker *b, const struct lia_session *s, const struct lia_frame *f, int found)
{
	lia_reply_error(b, s->rid, s->rid_len, f->request_id, found < 0 ? LIA_ERROR_UNAVAILABLE : LIA_ERROR_NOT_FOUND,
			found < 0 ? "store error" : "no message with that id was delivered to you");
}

void lia_inbox_fetch(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	struct lia_store_delivery d;
	/* Only a message delivered to the asker (or its own) exists for it:
	 * the same answer for "never existed" and "not yours", so ids do not
	 * leak. */
	int found = lia_holds(b, s->cert.subject, f->u.fetch.message_id, lia_now(), &d);
	/* The originator's own copy is read back to answer consent
	 * requests (it needs the data key): not once erased. */
	if (found == 1 && d.seq == 0 && d.erased)
		found = 0;
	if (found != 1) {
		not_held(b, s, f, found);
		return;
	}
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_DELIVER, f->request_id);
	r.u.deliver.sequence = d.seq;
	memcpy(r.u.deliver.originator, d.originator, LIA_NAME_MAX);
	r.u.deliver.received_at = d.received_at;
	memcpy(r.u.deliver.via, d.via, LIA_FEED_NAME_MAX);
	r.u.deliver.superseded = d.superseded;
	/* Expired or erased: what is left to say of it, without content
	 * (an expiry not yet swept reads 1 in the store). */
	if (d.erased) {
		r.u.deliver.erased_at = d.erased_at > 1 ? d.erased_at : d.expires_at;
		lia_reply_now(b, s->rid, s->rid_len, &r);
		return;
	}
	const struct lia_envelope *e = lia_envcache_get(b, d.message_seq);
	uint8_t *one = NULL;
	size_t len = 0;
	if (e == NULL || lia_envelope_encode_for(e, s->cert.box_kid, &one, &len) != LIA_ENV_OK) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "envelope unavailable");
		return;
	}
	r.u.deliver.envelope = (struct lia_bytes){one, len};
	/* Fetched is sent: it may be acknowledged now (not the own copy,
	 * which is no delivery). */
	if (d.seq != 0) {
		lia_deliver_sent(b, s, d.seq);
		/* Durable before the reply: a later frame of this turn that
		 * aborts it must not take the mark back, or the recipient's
		 * acknowledgement would be ignored. The loop committed the turn
		 * before this read, so the commit holds the mark alone. */
		lia_turn_commit(b);
	}
	lia_reply_now(b, s->rid, s->rid_len, &r);
	free(one);
}

void lia_inbox_thread(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	int64_t now = lia_now();
	struct lia_store_delivery d;
	const uint8_t *id = f->u.thread_query.message_id;
	/* A thread is asked of a message the asker holds, in the words
	 * Fetch uses for any other id. */
	int found = lia_holds(b, s->cert.subject, id, now, &d);
	if (found != 1) {
		not_held(b, s, f, found);
		return;
	}
	size_t n = 0;
	struct lia_thread_entry *v = calloc(LIA_THREAD_MAX, sizeof *v);
	if (v == NULL || lia_store_thread(b->store, id, s->cert.subject, now, v, LIA_THREAD_MAX, &n) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		free(v);
		return;
	}
	struct lia_frame r;
	lia_frame_init(&r, LIA_FRAME_THREAD_LIST, f->request_id);
	r.u.thread_list.n = n;
	r.u.thread_list.v = v;
	lia_reply_now(b, s->rid, s->rid_len, &r);
	free(v);
}

void lia_inbox_directory(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
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
	lia_reply_now(b, s->rid, s->rid_len, &r);
	free(certs);
}
