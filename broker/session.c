/* session.c — see session.h. */
#include "session.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_bytes_acked (glibc's lacks it) */

#include "blog.h"
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
			s->q.fd = -1;
			return s;
		}
	return NULL;
}

/* The session to drop is the least recently heard one that does not
 * receive: one-shot commands leave sessions behind for IDLE_SECONDS, and
 * a principal's `listen` must not be pushed out by its own scripts. Only
 * when every one of them receives is the oldest receiver dropped. */
bool lia_session_make_room(struct lia_broker *b, const uint8_t key[static 32])
{
	struct lia_session *oldest = NULL, *oldest_idle = NULL;
	unsigned held = 0;
	for (uint32_t i = 0; i < b->n_sessions; i++) {
		struct lia_session *s = &b->sessions[i];
		if (!s->used || memcmp(s->cert.transport_pk, key, 32) != 0)
			continue;
		held++;
		/* Forgotten, its unread bytes would stay in libzmq uncounted
		 * while a new session got a budget of its own. */
		if (lia_session_queued(s, lia_now()) > 0)
			continue;
		if (oldest == NULL || s->last_seen < oldest->last_seen)
			oldest = s;
		if (!s->receive && (oldest_idle == NULL || s->last_seen < oldest_idle->last_seen))
			oldest_idle = s;
	}
	if (held < LIA_SESSIONS_PER_KEY)
		return true;
	if (oldest == NULL) /* every one has bytes queued */
		return false;
	(oldest_idle != NULL ? oldest_idle : oldest)->used = false;
	return true;
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

uint64_t lia_peer_outstanding(uint64_t sent, uint64_t acked_base, uint64_t acked, bool measured)
{
	uint64_t credit = measured && acked > acked_base ? acked - acked_base : 0;
	return credit >= sent ? 0 : sent - credit;
}

enum tcp_reading { TCP_READ, TCP_GONE, TCP_UNKNOWN };

/* fd's acknowledged bytes, and whether its send queue is empty. GONE:
 * fd is not the connection named by peer (closed, or reused). */
static enum tcp_reading tcp_read(int fd, const uint8_t *peer, uint32_t peer_len, uint64_t *acked, bool *empty)
{
	uint8_t addr[sizeof ((struct lia_peer_queue *)0)->peer];
	socklen_t alen = sizeof addr;
	if (fd < 0 || getpeername(fd, (struct sockaddr *)addr, &alen) != 0)
		return TCP_GONE;
	if (peer != NULL && (alen != peer_len || memcmp(addr, peer, alen) != 0))
		return TCP_GONE;
	struct tcp_info ti;
	socklen_t len = sizeof ti;
	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_acked) + sizeof ti.tcpi_bytes_acked)
		return TCP_UNKNOWN;
	*acked = ti.tcpi_bytes_acked;
	*empty = ti.tcpi_unacked == 0 &&
		 len >= offsetof(struct tcp_info, tcpi_notsent_bytes) + sizeof ti.tcpi_notsent_bytes &&
		 ti.tcpi_notsent_bytes == 0;
	return TCP_READ;
}

static void baseline(struct lia_peer_queue *q, uint64_t acked, bool measured)
{
	q->sent = 0;
	q->acked_base = acked;
	q->measured = measured;
}

void lia_session_note_fd(struct lia_session *s, int fd)
{
	struct lia_peer_queue *q = &s->q;
	if (fd == q->fd)
		return;
	uint64_t acked = 0;
	bool empty = false;
	socklen_t alen = sizeof q->peer;
	q->fd = fd;
	q->peer_len = fd >= 0 && getpeername(fd, (struct sockaddr *)q->peer, &alen) == 0 ? alen : 0;
	baseline(q, 0, false);
	if (q->peer_len > 0 && tcp_read(fd, q->peer, q->peer_len, &acked, &empty) == TCP_READ)
		baseline(q, acked, true);
}

void lia_session_sent(struct lia_broker *b, const uint8_t *rid, size_t len, size_t bytes)
{
	struct lia_session *s = lia_session_find(b, rid, len);
	if (s == NULL)
		return;
	s->q.sent += bytes + LIA_PEER_FRAME_OVERHEAD;
	s->q.last_send = lia_now();
}

uint64_t lia_session_queued(struct lia_session *s, int64_t now)
{
	struct lia_peer_queue *q = &s->q;
	if (q->sent == 0)
		return 0;
	uint64_t acked = 0;
	bool empty = false;
	switch (tcp_read(q->fd, q->peer_len > 0 ? q->peer : NULL, q->peer_len, &acked, &empty)) {
	case TCP_GONE: /* libzmq dropped that connection's queue with it */
		if (q->fd >= 0 || q->peer_len > 0) {
			q->fd = -1;
			q->peer_len = 0;
			baseline(q, 0, false);
			return 0;
		}
		return q->sent; /* never knew its connection: no credit */
	case TCP_UNKNOWN:
		return q->sent;
	case TCP_READ:
		break;
	}
	if (!q->measured || acked < q->acked_base) { /* first reading, or another socket */
		q->acked_base = acked; /* sent is kept: no credit for what came before */
		q->measured = true;
	} else if (empty && now - q->last_send >= LIA_PEER_RESYNC_SECONDS)
		baseline(q, acked, true);
	return lia_peer_outstanding(q->sent, q->acked_base, acked, true);
}

bool lia_session_room(struct lia_broker *b, struct lia_session *s, size_t more)
{
	/* What was sent bounds what is queued: while that fits, no need to
	 * ask the kernel (two system calls on every frame). */
	if (s->q.sent + more <= b->cfg.peer_queue_bytes)
		return true;
	uint64_t queued = lia_session_queued(s, lia_now());
	return queued + more <= b->cfg.peer_queue_bytes;
}
