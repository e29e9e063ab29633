/*
 * conns.h — the broker's connections: those that have not authenticated
 * yet (issue 11, item 4: descriptor exhaustion by half-open connections)
 * and, once one has sent a message, the principal key it authenticated
 * with (issue 11, item 1: what one principal's connections can make the
 * broker hold).
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
 * Authenticated connections. libzmq reads up to LIA_WIRE_SERVER_RCVHWM
 * frames ahead from every connection (wire.h), so what a principal can
 * make the broker hold grows with its connections. When a message
 * arrives, its connection's entry is marked with the transport key that
 * sent it (lia_conns_authed); from then on it no longer counts against
 * the bounds above, and a connection that makes its key hold more than
 * per_key such connections is shut down the same way (the newcomer, so
 * that a burst of commands does not push out a long-lived listener).
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
	bool authed;               /* a message came: key sent it */
	int64_t shut_at;           /* doomed: not shut down before (lia_now) */
	uint8_t key[32];
};

struct lia_conns {
	struct lia_conn *v;
	size_t n, cap;             /* cap: max_total + CONNS_DRAIN_MAX */
	uint32_t per_address;      /* live entries per source, at most */
	uint32_t max_total;        /* live entries in all, at most */
	uint32_t per_key;          /* authenticated connections of one key, at most */
	size_t n_authed;           /* entries authenticated */
	uint64_t order;
	/* What the log reports once per interval. */
	uint64_t shut, exhausted, over_key; /* over_key: connections refused past per_key */
	char last_key[17];         /* id (8 bytes, hex) of the last key refused so */
	int exhausted_errno;
	int64_t next_log;
	int64_t now;               /* of the last lia_conns_events */
	uint64_t soft, hard;       /* RLIMIT_NOFILE after lia_conns_raise_limit */
	void *mon;                 /* our end of the ROUTER's monitor (PAIR) */
};

/* An empty table for those bounds. 0, or -1 with err. */
int lia_conns_init(struct lia_conns *t, uint32_t per_address, uint32_t max_total, uint32_t per_key,
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

/* fd disconnected: forgotten (nothing if not held). */
void lia_conns_gone(struct lia_conns *t, int fd);

/* A message came on fd, sent with transport key: its entry (if held) is
 * marked authenticated, out of the bounds on unauthenticated ones, and
 * doomed when key then holds more than per_key live connections; it is
 * shut down from now + 1 on, so that the refusal of what it sent reaches
 * it first. 1 when fd is doomed so (its message is not to be served),
 * else 0. */
int lia_conns_authed(struct lia_conns *t, int fd, const uint8_t key[static 32], int64_t now);

/* Descriptors gone short: up to k of the oldest live unauthenticated
 * entries doomed, to free descriptors for agents. The number doomed. */
size_t lia_conns_doom_oldest(struct lia_conns *t, size_t k);

/* Live (not doomed) unauthenticated entries of peer's source. */
size_t lia_conns_live_from(const struct lia_conns *t, const struct sockaddr_storage *peer);

/* One doomed entry whose time has come (shut_at <= t->now), removed from
 * the table into *out; false when none. */
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
