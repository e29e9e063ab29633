/* session.c — see session.h. */
#include "session.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct lia_session *lia_session_find(struct lia_broker *b, const uint8_t *rid, size_t len)
{
	for (uint32_t i = 0; i < b->n_sessions; i++)
		if (b->sessions[i].used && b->sessions[i].rid_len == len &&
		    memcmp(b->sessions[i].rid, rid, len) == 0)
			return &b->sessions[i];
	return NULL;
}

struct lia_session *lia_session_new(struct lia_broker *b, const uint8_t *rid, size_t len)
{
	for (uint32_t i = 0; i < b->cfg.max_sessions; i++) /* a free slot */
		if (!b->sessions[i].used) {
			struct lia_session *s = &b->sessions[i];
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

/* The session to drop is the least recently heard one that does not
 * receive: one-shot commands leave sessions behind for IDLE_SECONDS, and
 * a principal's `listen` must not be pushed out by its own scripts. Only
 * when every one of them receives is the oldest receiver dropped. */
void lia_session_make_room(struct lia_broker *b, const uint8_t key[static 32])
{
	struct lia_session *oldest = NULL, *oldest_idle = NULL;
	unsigned held = 0;
	for (uint32_t i = 0; i < b->n_sessions; i++) {
		struct lia_session *s = &b->sessions[i];
		if (!s->used || memcmp(s->cert.transport_pk, key, 32) != 0)
			continue;
		held++;
		if (oldest == NULL || s->last_seen < oldest->last_seen)
			oldest = s;
		if (!s->receive && (oldest_idle == NULL || s->last_seen < oldest_idle->last_seen))
			oldest_idle = s;
	}
	if (held >= LIA_SESSIONS_PER_KEY)
		(oldest_idle != NULL ? oldest_idle : oldest)->used = false;
}

void lia_session_gone(struct lia_broker *b, const uint8_t *rid, size_t len)
{
	struct lia_session *s = lia_session_find(b, rid, len);
	if (s != NULL)
		s->used = false;
}

void lia_session_mark_pending(struct lia_broker *b, const char *subject)
{
	for (uint32_t i = 0; i < b->n_sessions; i++)
		if (b->sessions[i].used && b->sessions[i].receive &&
		    strcmp(b->sessions[i].cert.subject, subject) == 0)
			b->sessions[i].maybe_pending = true;
}
