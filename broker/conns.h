/*
 * conns.h — the connections that have not authenticated yet (issue 11,
 * item 4: descriptor exhaustion by half-open connections).
 *
 * libzmq accepts every TCP connection and holds a descriptor for it until
 * the CURVE handshake and ZAP are done or ZMQ_HANDSHAKE_IVL (wire.h) runs
 * out; it has no bound per source. This module keeps that bound: the
 * ROUTER's monitor (inproc PAIR) reports each accepted descriptor and
 * each disconnection, the table below holds the accepted ones until their
 * first message arrives (broker.c: the message's ZMQ_SRCFD), and when one
 * source (an IPv4 address, an IPv6 /64) holds more than per_address, or
 * all sources together more than max_total, the oldest is shut down.
 * It also raises the soft RLIMIT_NOFILE to the hard one at start, and logs
 * shutdowns and exhaustion (accept failing with EMFILE or ENFILE) once
 * per CONNS_LOG_SECONDS, never once per connection.
 *
 * Owns struct lia_conns and the monitor socket. Trusts the kernel's
 * getpeername and libzmq's monitor events (their values are descriptors
 * and errnos, nothing a peer chose). Never close()s a descriptor: libzmq
 * owns them; shutdown(SHUT_RDWR) makes libzmq read EOF and close it
 * itself, and it is done only after every queued event has been read and
 * the peer's address and port, read again, are still the ones recorded
 * (descriptors are reused). May call libzmq, the socket API and blog.h.
 *
 * The lia_conns_* functions above "monitor" are pure table operations
 * (tests/unit/broker/test_conns.c).
 */
#ifndef LIA_BROKER_CONNS_H
#define LIA_BROKER_CONNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util.h"

#define CONNS_LOG_SECONDS 10   /* at most one line of each kind per interval */
#define CONNS_DRAIN_MAX 4096   /* monitor events read per loop turn */
#define CONNS_LOW_LIMIT 4096   /* a hard descriptor limit below this is warned of */

struct lia_conn {
	int fd;
	bool doomed;               /* over a bound: to be shut down after the drain */
	uint64_t order;            /* accept order: the lowest is the oldest */
	struct sockaddr_storage peer;
	socklen_t peer_len;
};

struct lia_conns {
	struct lia_conn *v;
	size_t n, cap;             /* cap: max_total + CONNS_DRAIN_MAX */
	uint32_t per_address;      /* live entries per source, at most */
	uint32_t max_total;        /* live entries in all, at most */
	uint64_t order;
	/* What the log reports once per interval. */
	uint64_t shut, exhausted;
	int exhausted_errno;
	int64_t next_log;
	uint64_t soft, hard;       /* RLIMIT_NOFILE after lia_conns_raise_limit */
	void *mon;                 /* our end of the ROUTER's monitor (PAIR) */
};

/* An empty table for those bounds. 0, or -1 with err. */
int lia_conns_init(struct lia_conns *t, uint32_t per_address, uint32_t max_total,
		   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
void lia_conns_free(struct lia_conns *t);

/* Whether a and b are one source: the same IPv4 address, the same IPv6
 * /64 (what one attacker is usually given), an IPv4-mapped IPv6 address
 * counted as its IPv4 one. Other families are one source each. */
bool lia_conns_same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* Descriptor fd was accepted from peer: recorded (replacing an entry of
 * the same fd, which is then gone), and the oldest live entry of its
 * source, or of all, marked doomed when a bound is passed. The number
 * doomed (0..2), or -1 when the table is full (fd is not recorded). */
int lia_conns_accepted(struct lia_conns *t, int fd, const struct sockaddr_storage *peer, socklen_t peer_len);

/* fd authenticated or disconnected: forgotten (nothing if not held). */
void lia_conns_gone(struct lia_conns *t, int fd);

/* Descriptors gone short: up to k of the oldest live entries doomed, to
 * free descriptors for agents. The number doomed. */
size_t lia_conns_doom_oldest(struct lia_conns *t, size_t k);

/* Live (not doomed) entries of peer's source. */
size_t lia_conns_live_from(const struct lia_conns *t, const struct sockaddr_storage *peer);

/* One doomed entry, removed from the table into *out; false when none. */
bool lia_conns_take_doomed(struct lia_conns *t, struct lia_conn *out);

/* --- monitor: the broker's side --- */

/* Soft RLIMIT_NOFILE raised to the hard one, both limits in *soft and
 * *hard and logged ("descriptors"; "descriptors-low" under
 * CONNS_LOW_LIMIT). Never fails: a limit it cannot raise is logged and
 * kept. */
void lia_conns_raise_limit(uint64_t *soft, uint64_t *hard);

/* The monitor of router (accepted, disconnected, accept failed) and our
 * PAIR connected to it, in t->mon. 0, or -1 with err. */
int lia_conns_monitor(struct lia_conns *t, void *zctx, void *router, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Read the queued monitor events (at most CONNS_DRAIN_MAX), then shut the
 * doomed connections down; log once per interval. now: lia_now(). */
void lia_conns_events(struct lia_conns *t, int64_t now);

/* Stop router's monitor and close ours. Events are read meanwhile, from
 * another thread: libzmq's I/O thread may be blocked sending one to a
 * full monitor queue while it holds the lock the stop needs. */
void lia_conns_stop(struct lia_conns *t, void *router);

#endif
