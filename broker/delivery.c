/* delivery.c — see delivery.h. */
#include "delivery.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "blog.h"
#include "onward.h"
#include "record.h"
#include "session.h"
#include "turn.h"
#include "util.h"

/* Delivery seq has left for s: from now on it may be acknowledged
 * (issue 10, item 4). The mark goes into a transaction of its own
 * turn's end (broker.c commits after the pushes). A mark lost to a
 * store error only refuses that acknowledgement: the delivery stays
 * owed and is pushed again on the next connection. */
void lia_deliver_sent(struct lia_broker *b, const struct lia_session *s, uint64_t seq)
{
	if (lia_turn_need(b) != 0 ||
	    lia_store_delivery_sent(b->store, s->cert.subject, seq, lia_now()) != 0)
		lia_blog("store-error", "cannot mark delivery %" PRIu64 " to %s sent", seq, s->cert.subject);
}

/* Push stored deliveries to one session, in order, within its window. */
void lia_deliver_pending(struct lia_broker *b, struct lia_session *s)
{
	struct lia_store_delivery d[64];
	while (s->maybe_pending && s->inflight < s->window) {
		size_t want = s->window - s->inflight, n = 0;
		if (want > 64)
			want = 64;
		if (lia_store_pending(b->store, s->cert.subject, s->cursor, lia_now(), d, want, &n) != 0) {
			lia_blog("store-error", "pending deliveries for %s", s->cert.subject);
			return;
		}
		if (n < want)
			s->maybe_pending = false;
		for (size_t i = 0; i < n; i++) {
			const struct lia_envelope *e = lia_envcache_get(b, d[i].message_seq);
			uint8_t *one = NULL;
			size_t one_len = 0;
			s->cursor = d[i].seq;
			if (e == NULL || lia_envelope_encode_for(e, s->cert.box_kid, &one, &one_len) != LIA_ENV_OK) {
				lia_blog("deliver-skipped", "delivery=%" PRIu64 " to=%s reason=\"envelope unavailable\"",
					 d[i].seq, s->cert.subject);
				continue;
			}
			/* Its peer has not read what it was sent: later (issue
			 * 11, item 1), from this point. */
			if (!lia_session_room(b, s, one_len + 1024)) {
				free(one);
				s->cursor = d[i].seq - 1;
				s->maybe_pending = true;
				return;
			}
			struct lia_frame f;
			lia_frame_init(&f, LIA_FRAME_DELIVER, 0);
			f.u.deliver.sequence = d[i].seq;
			f.u.deliver.envelope = (struct lia_bytes){one, one_len};
			memcpy(f.u.deliver.originator, d[i].originator, LIA_NAME_MAX);
			f.u.deliver.received_at = d[i].received_at;
			memcpy(f.u.deliver.via, d[i].via, LIA_FEED_NAME_MAX);
			int rc = lia_send_frame(b, s->rid, s->rid_len, &f);
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
			lia_deliver_sent(b, s, d[i].seq);
		}
		if (n == 0)
			break;
	}
}

/* Push the erase notices a session is owed, in order; each stays owed
 * until the recipient confirms the purge (Ack with erased set). */
void lia_deliver_erasures(struct lia_broker *b, struct lia_session *s)
{
	struct lia_store_delivery d[64];
	size_t n = 0;
	/* One batch a turn, like deliveries: a principal that never confirms
	 * costs the loop at most 64 small frames a turn. */
	if (s->maybe_erase) {
		if (lia_store_erasures(b->store, s->cert.subject, s->erase_cursor, d, 64, &n) != 0) {
			lia_blog("store-error", "erase notices for %s", s->cert.subject);
			return;
		}
		if (n < 64)
			s->maybe_erase = false;
		for (size_t i = 0; i < n; i++) {
			if (!lia_session_room(b, s, 1024)) { /* unread: later */
				s->maybe_erase = true;
				return;
			}
			struct lia_frame f;
			lia_frame_init(&f, LIA_FRAME_ERASE, 0);
			memcpy(f.u.erase.message_id, d[i].message_id, LIA_ID_BYTES);
			f.u.erase.sequence = d[i].seq;
			f.u.erase.expired_at = d[i].expires_at;
			f.u.erase.erased_at = d[i].erased_at;
			/* Expiry erases at or after expires_at: earlier is its
			 * originator's erasure on demand. */
			f.u.erase.on_demand = d[i].expires_at == 0 || d[i].erased_at < d[i].expires_at;
			if (lia_send_frame(b, s->rid, s->rid_len, &f) != 0) {
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

void lia_deliver_acked(struct lia_session *s, uint64_t seq)
{
	if (s->inflight > 0 && seq <= s->cursor)
		s->inflight--;
	s->maybe_pending = true;
}

/* One acknowledgement of session s: of delivery seq, or (erased) of the
 * purge its erase notice asked for. Stored, then recorded beside the
 * delivery's or the erase's record; an unknown or foreign seq, or one
 * never sent to s (embargoed, not yet pushed), changes nothing and is
 * not recorded. 0, or -1 with the turn aborted. */
static int ack_one(struct lia_broker *b, struct lia_session *s, uint64_t seq, bool erased, int64_t now)
{
	if (lia_turn_need(b) != 0)
		return -1;
	struct lia_store_delivery d;
	int rc = erased ? lia_store_erasure_done(b->store, s->cert.subject, seq, &d)
			: lia_store_ack(b->store, s->cert.subject, seq, now, &d);
	if (rc < 0) {
		lia_turn_abort(b, erased ? "an erase confirmation could not be stored"
					 : "an acknowledgement could not be stored");
		return -1;
	}
	if (!erased)
		lia_deliver_acked(s, seq);
	if (rc == 0) {
		if (!erased)
			lia_blog("ack-ignored", "delivery=%" PRIu64 " from=%s reason=\"not a delivery sent to it, "
				 "or acknowledged already\"", seq, s->cert.subject);
		return 0;
	}
	if (!erased && d.erased) /* acknowledged after the erase: owed a notice */
		s->maybe_erase = true;
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_ACKNOWLEDGE);
	lia_rec_stored(&r, d.message_id, d.originator, d.kind);
	lia_rec_party(&r.actor, &s->cert);
	lia_rec_party(&r.recipient, &s->cert);
	if (erased)
		snprintf(r.justification, sizeof r.justification,
			 "erase notice for delivery %" PRIu64 ": every copy purged", d.seq);
	else
		snprintf(r.justification, sizeof r.justification, "delivery %" PRIu64, d.seq);
	return lia_rec_append(b, &r);
}

void lia_deliver_ack(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	int64_t now = lia_now();
	for (size_t i = 0; i < f->u.ack.n; i++)
		if (ack_one(b, s, f->u.ack.v[i], f->u.ack.erased, now) != 0)
			return;
}

int lia_deliver_erase(struct lia_broker *b, const struct lia_store_message *m,
		     const struct lia_cert *actor, const char *justification, int64_t now)
{
	char err[LIA_ERR_MAX];
	if (lia_turn_need(b) != 0)
		return -1;
	if (lia_store_erase(b->store, m->seq, now, err) != 0 ||
	    (m->kind == LIA_KIND_VERIFICATION_REQUEST && lia_store_verif_withdraw(b->store, m->id, err) < 0)) {
		lia_turn_abort(b, err);
		return -1;
	}
	struct lia_record r;
	lia_rec_init(b, &r, LIA_OP_ERASE);
	lia_rec_stored(&r, m->id, m->originator, m->kind);
	if (actor != NULL)
		lia_rec_party(&r.actor, actor);
	lia_rec_text(r.justification, sizeof r.justification, justification);
	return lia_rec_append(b, &r) != 0 || lia_onward_close(b, m, now) != 0 ? -1 : 0;
}

/* The notices are in the store now: every recipient holding a copy gets
 * one, now if it is online, else when it reconnects. */
static void erasures_owed(struct lia_broker *b)
{
	for (uint32_t j = 0; j < b->n_sessions; j++)
		if (b->sessions[j].used && b->sessions[j].receive)
			b->sessions[j].maybe_erase = true;
}

void lia_deliver_erase_request(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	int64_t now = lia_now();
	struct lia_store_message m;
	int found = lia_store_message_find(b->store, f->u.erase_request.message_id, &m);
	if (found < 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	/* Another's message and no message answer alike: nobody learns of
	 * a message by asking to erase it. */
	if (found == 0 || strcmp(m.originator, s->cert.subject) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_NOT_FOUND,
				"no message of yours has that id");
		return;
	}
	struct lia_frame ok, fb;
	lia_frame_init(&ok, LIA_FRAME_OK, f->request_id);
	if (m.erased) { /* already: nothing more to do or record */
		lia_reply_now(b, s->rid, s->rid_len, &ok);
		return;
	}
	char why[LIA_TEXT_MAX];
	snprintf(why, sizeof why, "erased on demand by its originator before its expiry: %s",
		 f->u.erase_request.reason);
	if (lia_deliver_erase(b, &m, &s->cert, why, now) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE,
				"the broker could not erase it now; ask again");
		return;
	}
	lia_frame_init(&fb, LIA_FRAME_ERROR, f->request_id);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	lia_rec_text(fb.u.error.detail, sizeof fb.u.error.detail,
		     "the broker could not make the erasure durable; ask again");
	if (lia_turn_queue(b, s->rid, s->rid_len, &ok, &fb) != 0) {
		lia_turn_abort(b, "a reply could not be queued");
		lia_reply_now(b, s->rid, s->rid_len, &fb);
		return;
	}
	char idh[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idh, m.id);
	lia_blog("erase", "id=%s by=%s on_demand=1", idh, s->cert.subject);
	erasures_owed(b);
}

void lia_deliver_expire(struct lia_broker *b, int64_t now)
{
	struct lia_store_message m[64];
	size_t n = 0;
	if (lia_store_expired(b->store, now, m, 64, &n) != 0 || n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char why[64];
		snprintf(why, sizeof why, "expired at %" PRId64, m[i].expires_at);
		if (lia_deliver_erase(b, &m[i], NULL, why, now) != 0)
			return;
	}
	lia_turn_commit(b);
	for (size_t i = 0; i < n; i++) {
		char idh[2 * LIA_ID_BYTES + 1];
		lia_id_hex(idh, m[i].id);
		lia_blog("erase", "id=%s expired_at=%" PRId64, idh, m[i].expires_at);
	}
	erasures_owed(b);
}
