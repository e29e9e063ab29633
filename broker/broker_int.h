/*
 * broker_int.h — the broker's state, shared by its modules and by
 * nothing else (the public API is broker.h).
 *
 * struct lia_broker is one object passed first to every function of the
 * broker's modules; there are no globals. Each module's header says
 * which fields it owns; the others only read them. Sessions are the
 * agents that said Hello on this connection (session.h); candidates are
 * the scratch list of one publish or grant (candidates.h); the outbox
 * holds the replies that wait for the turn's commit (turn.h).
 *
 * Nothing here names a database type: the store and ledger are borrowed
 * from the unit of work (store/unit.h), which owns the connection.
 */
#ifndef LIA_BROKER_INT_H
#define LIA_BROKER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admit.h"
#include "config.h"
#include "conns.h"
#include "directory.h"
#include "envelope.h"
#include "ledger_state.h"
#include "ledger.h"
#include "budget.h"
#include "policy.h"
#include "store.h"
#include "unit.h"
#include "wire.h"
#include "zap.h"

#define RID_MAX 256
#define IDLE_SECONDS 120        /* a session silent this long is forgotten */
#define CANDIDATES_MAX 4096
#define ENV_CACHE_MAX 1024
#define OUTBOX_MAX 100000
#define FEEDS_PER_SUBSCRIBER 32
#define CONSENTS_PER_MESSAGE 64 /* granted consents for one message, at most */
/* Bytes towards one session's connection that its TCP stack has not
 * acknowledged yet (issue 11, item 1; session.h): what libzmq's pipe and
 * both kernels hold for it. */
struct lia_peer_queue {
	int fd;                    /* the connection's descriptor (ZMQ_SRCFD), -1 unknown */
	bool measured;             /* acked_base was read from fd's TCP_INFO */
	uint64_t sent;             /* handed to libzmq since the baseline, overhead included */
	uint64_t acked_base;       /* tcpi_bytes_acked at the baseline */
	uint8_t peer[32];          /* getpeername at the baseline: is fd still that connection? */
	uint32_t peer_len;
	int64_t last_send;
	int64_t busy_logged;       /* when the last peer-busy line was written, 0 never */
	uint64_t busy_refused;     /* requests refused since that line */
};

struct lia_session {
	bool used;
	uint8_t rid[RID_MAX];
	size_t rid_len;
	struct lia_cert cert;      /* as authenticated; refreshed on reload */
	bool receive;
	uint32_t window;
	uint32_t inflight;
	uint64_t cursor;           /* last delivery number sent */
	bool maybe_pending;        /* look in the store for deliveries */
	uint64_t erase_cursor;     /* last erase notice sent */
	bool maybe_erase;          /* look in the store for erase notices owed */
	int64_t last_seen;
	struct lia_peer_queue q;   /* session.c */
	uint32_t served, parked, refused; /* this turn's frames (intake.h) */
	uint64_t served_us;        /* this turn's handling time, microseconds */
	bool asked;                /* sent a frame this turn that waits for an answer */
};

/* A frame parked for the next turn (intake.h), as it arrived. */
struct lia_parked {
	uint8_t rid[RID_MAX];
	size_t rid_len;
	char user[65];             /* the transport key, hex */
	int fd;                    /* its connection (ZMQ_SRCFD; session.h) */
	uint8_t *buf;
	size_t len;
};

struct lia_intake {
	struct lia_parked *todo, *next; /* INTAKE_MAX each, allocated on first use */
	size_t n_todo, n_next;
	size_t bytes;              /* of next */
	uint32_t askers;           /* peers served this turn that wait for an answer */
	bool over;                 /* a peer used its share: end the turn */
	uint64_t busy;             /* frames refused busy since the last log line */
	int64_t busy_logged;       /* when that line was written (lia_now) */
	int64_t t0_ms;             /* the turn's start (monotonic) */
};

struct lia_outmsg {
	uint8_t rid[RID_MAX];
	size_t rid_len;
	uint8_t *frame;            /* encoded reply */
	size_t len;
	uint8_t *fallback;         /* sent instead when the turn's commit fails */
	size_t fallback_len;
};

struct lia_candidate {
	const struct lia_directory_entry *who;
	char via[LIA_FEED_NAME_MAX];
};

struct lia_broker {
	struct lia_broker_config cfg;
	void *zctx, *router, *zap;
	int sigfd;
	int lock_fd;               /* the data directory's lock, held for life */
	struct lia_identity_keys {
		struct lia_cert cert;
		uint8_t *cert_bytes;
		size_t cert_len;
		struct lia_secret *sign, *transport;
	} me;
	uint8_t authority_pk[32];
	struct lia_directory dir;
	struct lia_policy *policy;
	struct lia_unit *unit;     /* owns the connection and the turn's transaction */
	struct lia_store *store;   /* borrowed from unit */
	struct lia_ledger *ledger; /* borrowed from unit */
	struct lia_note_verifier ledger_key; /* the broker's own checkpoint key */
	struct lia_ledger_state lstate; /* the ledger's state beside the store (ledger_state.h) */
	bool check_only;           /* --check: every commit is rolled back (turn.h) */
	struct lia_store_feed *feeds;
	size_t n_feeds;
	/* Rate budgets per principal (policy rate_limits), indexed like
	 * dir.v; fixed windows, reset when certificates reload (budget.h). */
	struct lia_budget *budgets;
	struct lia_session *sessions;
	bool feeds_dirty;          /* a subscribe or unsubscribe is in the turn */
	uint32_t n_sessions;       /* sessions[0..n_sessions) may be in use */
	bool in_txn;
	struct lia_outmsg *out;
	size_t n_out, cap_out;
	struct {
		uint64_t seq;
		struct lia_envelope *env;
	} cache[ENV_CACHE_MAX];
	size_t n_cache;
	struct lia_candidate *cand;
	struct lia_zap_refusals refusals; /* zap.h */
	struct lia_conns conns;    /* conns.h: connections not yet authenticated */
	struct lia_intake intake;  /* intake.h */
	struct lia_maint *maint;   /* maint.h: the background thread, NULL when none */
	int64_t next_expiry;
	uint64_t dropped;          /* replies dropped (peer's queue full) since the last log line */
	int64_t dropped_logged;    /* when that line was written (lia_now) */
	int rx_fd;                 /* the descriptor of the frame being handled, -1 unknown */
	bool stop;
};

#endif
