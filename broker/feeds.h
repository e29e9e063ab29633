/*
 * feeds.h — feeds: standing subscriptions that make a subscriber a
 * candidate of every matching publish.
 *
 * Owns b->feeds (the store's feeds, read again after a commit that
 * changed them) and b->feeds_dirty. Trusts the session; the frame was
 * validated by wire. May call the store and the turn module. Replies
 * Ok/Error; a change waits for the commit.
 */
#ifndef LIA_BROKER_FEEDS_H
#define LIA_BROKER_FEEDS_H

#include "broker_int.h"

/* Read every feed from the store into b->feeds. 0 or -1. */
int lia_feeds_reload(struct lia_broker *b);
void lia_feeds_subscribe(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
void lia_feeds_unsubscribe(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);
void lia_feeds_list(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f);

#endif
