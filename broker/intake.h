/*
 * intake.h — what a loop turn takes in: a bounded slice of time and of
 * frames, each peer's share of it, and the frames parked for the next
 * turn (issue 11, items 5 and 6).
 *
 * libzmq's ROUTER fair-queues messages across connections, so a turn's
 * reads already alternate between peers; what could starve the others
 * is the turn's length. A turn therefore ends after cfg.batch frames,
 * after cfg.turn_ms of handling, or once a peer has used its share
 * (cfg.turn_share frames or cfg.turn_share_us of handling, whichever
 * comes first; frames parked or refused count) while another peer waits
 * for an answer in the same turn.
 * Time is the share that matters, since frames differ in cost by orders
 * of magnitude (an ack, a Hello's pending count, a publish's signature
 * check); the frame count bounds the cheap ones. A peer that only sent
 * acks this turn waits for no answer and does not count as another:
 * a subscriber acking a publisher's deliveries would otherwise cut
 * every one of the publisher's turns short, and the exchange's
 * throughput with it. A frame that may not be served now is parked and
 * served first in the next turn:
 *   - its peer used its share this turn;
 *   - it is a read and the turn's transaction is open (reads answer
 *     from committed state; parking it costs no commit, the old loop
 *     committed the turn early for it, an fsync per read);
 *   - its peer already has a frame parked (a peer's frames are served
 *     in the order it sent them).
 * Parking is bounded per peer (INTAKE_PEER_MAX frames) and in all
 * (INTAKE_MAX frames, INTAKE_BYTES); beyond it the frame is answered
 * LIA_ERROR_BUSY: nothing was done, send it again.
 *
 * Owns b->intake and the sessions' served/parked counters. Trusts its
 * callers (broker.c, which re-checks a parked frame's sender as if it
 * had just arrived). Calls nothing but libc. Errors: 0 / -1.
 */
#ifndef LIA_BROKER_INTAKE_H
#define LIA_BROKER_INTAKE_H

#include "broker_int.h"

#define INTAKE_PEER_MAX 64
#define INTAKE_MAX 4096
#define INTAKE_BYTES (32u << 20)

enum lia_intake_verdict {
	LIA_INTAKE_SERVE,
	LIA_INTAKE_PARK,
	LIA_INTAKE_BUSY,
};

/* What the verdict on one frame depends on. */
struct lia_intake_ask {
	bool read;         /* answers from committed state (Hello, Inbox, ...) */
	bool in_txn;       /* the turn's transaction is open */
	uint32_t served;   /* this peer's frames served this turn */
	uint64_t served_us; /* its handling time this turn, microseconds */
	uint32_t parked;   /* this peer's frames parked for the next turn */
	uint32_t refused;  /* and refused busy this turn */
	uint32_t others;   /* other peers served this turn that wait for an answer */
	uint32_t share;    /* cfg.turn_share */
	uint64_t share_us; /* cfg.turn_share_us */
	bool room;         /* the parking has room for this frame */
};

/* The verdict (pure); *share_used: the turn should end (a peer used its
 * share while others wait). */
enum lia_intake_verdict lia_intake_decide(const struct lia_intake_ask *a, bool *share_used);

/* Whether frame type t answers from committed state only. */
bool lia_intake_is_read(enum lia_frame_type t);

/* Start a turn: last turn's parked frames become this turn's first,
 * every peer's counters start at zero, the clock starts. */
void lia_intake_begin(struct lia_broker *b);
/* The i-th frame parked by the last turn, or NULL past the end. */
const struct lia_parked *lia_intake_parked(const struct lia_broker *b, size_t i);
/* Whether the turn may read one more frame from the ROUTER (read so
 * far this turn: n). */
bool lia_intake_more(struct lia_broker *b, uint32_t n);
/* Whether frames wait for the next turn (the loop must not sleep). */
bool lia_intake_waiting(const struct lia_broker *b);

/* The verdict on a frame of session s (decoded as type t), with the
 * counters kept: SERVE counts it served, PARK copies it for the next
 * turn. BUSY: the caller answers LIA_ERROR_BUSY. */
enum lia_intake_verdict lia_intake_admit(struct lia_broker *b, struct lia_session *s, enum lia_frame_type t,
					 const uint8_t *rid, size_t rid_len, const char *user,
					 const uint8_t *buf, size_t len);
void lia_intake_clear(struct lia_broker *b);

/* The monotonic clock in microseconds, and the time since since_us
 * added to s's handling time this turn (what turn_share_us bounds). */
int64_t lia_intake_clock_us(void);
void lia_intake_charge(struct lia_session *s, int64_t since_us);

#endif
