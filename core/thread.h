/*
 * thread.h — one message of a thread as the broker lists it (ThreadList,
 * docs/protocol.md "Replies and forwards"): a thread is a message and
 * every message that names it, directly or through others, in
 * in_reply_to. Thread safety: a plain value.
 */
#ifndef LIA_THREAD_H
#define LIA_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "marking.h"

#define LIA_THREAD_DEPTH_MAX 64    /* in_reply_to steps followed, up or down */
#define LIA_THREAD_DEPTH_STR "64"
#define LIA_THREAD_WALK_MAX 10000  /* messages of one thread looked at, whoever may see them */

struct lia_thread_entry {
	uint8_t message_id[LIA_ID_BYTES];
	bool has_in_reply_to;
	uint8_t in_reply_to[LIA_ID_BYTES];
	char originator[LIA_NAME_MAX];
	enum lia_kind kind;
	int64_t created_at;
	uint32_t depth;    /* <= LIA_THREAD_DEPTH_MAX: the entries above it */
	uint64_t sequence; /* the asker's delivery number; 0: its own message */
	bool erased;
};

#endif
