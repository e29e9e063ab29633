/* feeds.c — see feeds.h. */
#include "feeds.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "turn.h"
#include "util.h"

int lia_feeds_reload(struct lia_broker *b)
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

void lia_feeds_subscribe(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	char err[LIA_ERR_MAX];
	if (!lia_cert_has_role(&s->cert, LIA_ROLE_ANALYST) && !lia_cert_has_role(&s->cert, LIA_ROLE_LIAISON)) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
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
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_FORBIDDEN,
				"at most 32 feeds per subscriber; remove one first");
		return;
	}
	struct lia_store_feed fd;
	memset(&fd, 0, sizeof fd);
	memcpy(fd.subscriber, s->cert.subject, LIA_NAME_MAX);
	memcpy(fd.name, f->u.subscribe.name, LIA_FEED_NAME_MAX);
	fd.filter = f->u.subscribe.filter;
	fd.created_at = lia_now();
	if (lia_turn_need(b) != 0 || lia_store_feed_put(b->store, &fd, err) != 0) {
		if (b->in_txn)
			lia_turn_abort(b, "a feed could not be stored");
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	b->feeds_dirty = true;
	struct lia_frame ok, fb;
	lia_frame_init(&ok, LIA_FRAME_OK, f->request_id);
	lia_frame_init(&fb, LIA_FRAME_ERROR, f->request_id);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	lia_turn_queue(b, s->rid, s->rid_len, &ok, &fb);
	lia_blog("subscribe", "subscriber=%s feed=%s", s->cert.subject, fd.name);
}

void lia_feeds_unsubscribe(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	if (lia_turn_need(b) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
		return;
	}
	int rc = lia_store_feed_remove(b->store, s->cert.subject, f->u.unsubscribe.name);
	if (rc < 0)
		lia_turn_abort(b, "a feed could not be removed");
	else if (rc > 0)
		b->feeds_dirty = true;
	if (rc <= 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, rc == 0 ? LIA_ERROR_NOT_FOUND : LIA_ERROR_UNAVAILABLE,
				rc == 0 ? "you have no feed of that name" : "store error");
		return;
	}
	struct lia_frame ok, fb;
	lia_frame_init(&ok, LIA_FRAME_OK, f->request_id);
	lia_frame_init(&fb, LIA_FRAME_ERROR, f->request_id);
	fb.u.error.code = LIA_ERROR_UNAVAILABLE;
	lia_turn_queue(b, s->rid, s->rid_len, &ok, &fb);
}

void lia_feeds_list(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	struct lia_store_feed *v;
	size_t n;
	if (lia_store_feeds(b->store, s->cert.subject, &v, &n) != 0) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_UNAVAILABLE, "store error");
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
		lia_reply_now(b, s->rid, s->rid_len, &r);
	}
	free(feeds);
	free(v);
}
