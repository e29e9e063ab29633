/* intake.c — see intake.h. */
#include "intake.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

enum lia_intake_verdict lia_intake_decide(const struct lia_intake_ask *a, bool *share_used)
{
	/* With no one else waiting for an answer, a peer has no one to share
	 * the turn with: its length is bounded by batch and turn_ms alone. A
	 * peer that only acknowledged deliveries waits for nothing (acks are
	 * not answered), so it does not cut a publisher's turns short: the
	 * exchange's own traffic keeps its large commits. */
	/* Frames parked or refused count as well: a flooder whose frames
	 * only wait (reads behind the open transaction) or are refused
	 * busy costs the turn their reading, and kept a turn going for
	 * 512 of them (8 ms) while others waited for its commit. */
	bool used = a->served + a->parked + a->refused >= a->share || a->served_us >= a->share_us;
	bool over = used && a->others > 0;
	*share_used = over;
	if (!over && a->parked == 0 && !(a->read && a->in_txn))
		return LIA_INTAKE_SERVE;
	return a->room ? LIA_INTAKE_PARK : LIA_INTAKE_BUSY;
}

bool lia_intake_is_read(enum lia_frame_type t)
{
	return t == LIA_FRAME_HELLO || t == LIA_FRAME_INBOX || t == LIA_FRAME_FETCH ||
	       t == LIA_FRAME_FEED_LIST || t == LIA_FRAME_CONSENT_QUERY;
}

static void free_list(struct lia_parked *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].buf);
}

void lia_intake_begin(struct lia_broker *b)
{
	struct lia_intake *in = &b->intake;
	free_list(in->todo, in->n_todo);
	struct lia_parked *t = in->todo;
	in->todo = in->next;
	in->n_todo = in->n_next;
	in->next = t;
	in->n_next = 0;
	in->bytes = 0;
	in->askers = 0;
	in->over = false;
	in->t0_ms = mono_ms();
	for (uint32_t i = 0; i < b->n_sessions; i++) {
		b->sessions[i].served = b->sessions[i].parked = b->sessions[i].refused = 0;
		b->sessions[i].served_us = 0;
		b->sessions[i].asked = false;
	}
}

const struct lia_parked *lia_intake_parked(const struct lia_broker *b, size_t i)
{
	return i < b->intake.n_todo ? &b->intake.todo[i] : NULL;
}

bool lia_intake_more(struct lia_broker *b, uint32_t n)
{
	return n < b->cfg.batch && !b->intake.over && mono_ms() - b->intake.t0_ms < (int64_t)b->cfg.turn_ms;
}

bool lia_intake_waiting(const struct lia_broker *b)
{
	return b->intake.n_next > 0;
}

static int park(struct lia_broker *b, const uint8_t *rid, size_t rid_len, const char *user,
		const uint8_t *buf, size_t len)
{
	struct lia_intake *in = &b->intake;
	if (in->next == NULL)
		in->next = calloc(INTAKE_MAX, sizeof *in->next);
	if (in->todo == NULL)
		in->todo = calloc(INTAKE_MAX, sizeof *in->todo);
	uint8_t *copy = malloc(len ? len : 1);
	if (in->next == NULL || in->todo == NULL || copy == NULL) {
		free(copy);
		return -1;
	}
	struct lia_parked *p = &in->next[in->n_next++];
	memcpy(p->rid, rid, rid_len);
	p->rid_len = rid_len;
	memcpy(p->user, user, sizeof p->user - 1);
	p->user[sizeof p->user - 1] = '\0';
	p->fd = b->rx_fd; /* credited to the right connection when served */
	memcpy(copy, buf, len);
	p->buf = copy;
	p->len = len;
	in->bytes += len;
	return 0;
}

enum lia_intake_verdict lia_intake_admit(struct lia_broker *b, struct lia_session *s, enum lia_frame_type t,
					 const uint8_t *rid, size_t rid_len, const char *user,
					 const uint8_t *buf, size_t len)
{
	struct lia_intake *in = &b->intake;
	struct lia_intake_ask a = {
		.read = lia_intake_is_read(t), .in_txn = b->in_txn, .served = s->served,
		.served_us = s->served_us, .parked = s->parked, .refused = s->refused, .others = in->askers - (s->asked ? 1 : 0),
		.share = b->cfg.turn_share, .share_us = b->cfg.turn_share_us,
		.room = s->parked < INTAKE_PEER_MAX && in->n_next < INTAKE_MAX && in->bytes + len <= INTAKE_BYTES,
	};
	bool share_used = false;
	enum lia_intake_verdict v = lia_intake_decide(&a, &share_used);
	in->over |= share_used;
	if (v == LIA_INTAKE_PARK && park(b, rid, rid_len, user, buf, len) != 0)
		v = LIA_INTAKE_BUSY;
	if (v == LIA_INTAKE_PARK)
		s->parked++;
	if (v == LIA_INTAKE_BUSY) {
		in->busy++;
		s->refused++;
	}
	if (v == LIA_INTAKE_SERVE) {
		s->served++;
		if (t != LIA_FRAME_ACK && !s->asked) {
			s->asked = true;
			in->askers++;
		}
	}
	return v;
}

int64_t lia_intake_clock_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

void lia_intake_charge(struct lia_session *s, int64_t since_us)
{
	int64_t d = lia_intake_clock_us() - since_us;
	s->served_us += d > 0 ? (uint64_t)d : 0;
}

void lia_intake_clear(struct lia_broker *b)
{
	struct lia_intake *in = &b->intake;
	free_list(in->todo, in->n_todo);
	free_list(in->next, in->n_next);
	free(in->todo);
	free(in->next);
	memset(in, 0, sizeof *in);
}
