/*
 * feed.h — feed filters: which published messages a subscription wants.
 * A filter is a conjunction of criteria over the signed header; an empty
 * criterion matches everything. Matching says nothing about permission:
 * the broker runs decide() on every match. Pure functions.
 */
#ifndef LIA_FEED_H
#define LIA_FEED_H

#include <stdbool.h>

#include "marking.h"

#define LIA_FEED_NAME_MAX 33 /* [a-z0-9-]{1,32} + NUL */

struct lia_feed_filter {
	uint32_t kinds;                  /* bit (1u << kind); 0 = any */
	struct lia_names regions;        /* the message concerns one of these; empty = any */
	struct lia_names agencies;       /* originator agencies; empty = any */
	struct lia_evaluation min_eval;  /* scheme NONE = any */
};

/* Does a message header match a filter? */
bool lia_feed_filter_match(const struct lia_feed_filter *f, const struct lia_header *h);

/* Feed names: [a-z0-9-]{1,32}. */
bool lia_feed_name_valid(const char *s);

#endif
