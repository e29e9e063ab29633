/* conns.c — see conns.h. */
#include "conns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zmq.h>

#include "blog.h"

#define MONITOR_ENDPOINT "inproc://liaison.monitor"

int lia_conns_init(struct lia_conns *t, uint32_t per_address, uint32_t max_total, uint32_t per_key,
		   char err[static LIA_ERR_MAX])
{
	memset(t, 0, sizeof *t);
	t->per_address = per_address;
	t->max_total = max_total;
	t->per_key = per_key;
	t->cap = (size_t)max_total + CONNS_DRAIN_MAX;
	t->v = calloc(t->cap, sizeof *t->v);
	if (t->v == NULL)
		return lia_errf(err, "out of memory");
	return 0;
}

void lia_conns_free(struct lia_conns *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

/* The bytes that name a source, in key (at most 8), or 0 for a family
 * that is not bounded per source. */
static size_t source_key(const struct sockaddr_storage *a, uint8_t key[static 8])
{
	if (a->ss_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)a)->sin_addr, 4);
		return 4;
	}
	if (a->ss_family == AF_INET6) {
		const uint8_t *p = ((const struct sockaddr_in6 *)a)->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(p, mapped, 12) == 0) {
			memcpy(key, p + 12, 4);
			return 4;
		}
		memcpy(key, p, 8); /* the /64 */
		return 8;
	}
	return 0;
}

bool lia_conns_same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	uint8_t ka[8], kb[8];
	size_t na = source_key(a, ka), nb = source_key(b, kb);
	return na != 0 && na == nb && memcmp(ka, kb, na) == 0;
}

static void remove_at(struct lia_conns *t, size_t i)
{
	if (t->v[i].authed)
		t->n_authed--;
	t->v[i] = t->v[--t->n]; /* order lives in the entries, not the positions */
}

void lia_conns_gone(struct lia_conns *t, int fd)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].fd == fd) {
			remove_at(t, i);
			return;
		}
}

size_t lia_conns_live_from(const struct lia_conns *t, const struct sockaddr_storage *peer)
{
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++)
		if (!t->v[i].doomed && !t->v[i].authed && lia_conns_same_source(&t->v[i].peer, peer))
			k++;
	return k;
}

/* The oldest live entry, unauthenticated and of peer's source (peer
 * NULL: of all), or authenticated with key (key not NULL); SIZE_MAX when
 * none. Also their count, in *live. */
static size_t oldest_of(const struct lia_conns *t, const struct sockaddr_storage *peer, const uint8_t *key,
			size_t *live)
{
	size_t best = SIZE_MAX;
	*live = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct lia_conn *c = &t->v[i];
		if (c->doomed || c->authed != (key != NULL) || (key != NULL && memcmp(c->key, key, 32) != 0) ||
		    (peer != NULL && !lia_conns_same_source(&c->peer, peer)))
			continue;
		++*live;
		if (best == SIZE_MAX || c->order < t->v[best].order)
			best = i;
	}
	return best;
}

static size_t oldest(const struct lia_conns *t, const struct sockaddr_storage *peer, size_t *live)
{
	return oldest_of(t, peer, NULL, live);
}

int lia_conns_authed(struct lia_conns *t, int fd, const uint8_t key[static 32], int64_t now)
{
	size_t i = 0;
	while (i < t->n && t->v[i].fd != fd)
		i++;
	if (i == t->n)
		return 0; /* not held */
	if (t->v[i].doomed)
		return t->v[i].authed; /* refused until it is shut down */
	if (t->v[i].authed && memcmp(t->v[i].key, key, 32) == 0)
		return 0; /* known: the common case, one scan */
	if (!t->v[i].authed)
		t->n_authed++;
	t->v[i].authed = true;
	memcpy(t->v[i].key, key, 32);
	/* Over the bound, the newcomer goes, not the oldest: a principal's
	 * long-lived listener is not pushed out by a burst of commands. */
	size_t live = 0;
	(void)oldest_of(t, NULL, key, &live);
	if (live <= t->per_key)
		return 0;
	t->v[i].doomed = true;
	t->v[i].shut_at = now + 1;
	t->over_key++;
	lia_hex(t->last_key, key, 8); /* the key's id: public */
	return 1;
}

int lia_conns_accepted(struct lia_conns *t, int fd, const struct sockaddr_storage *peer, socklen_t peer_len)
{
	lia_conns_gone(t, fd); /* an entry of fd is a connection that has closed */
	if (t->n == t->cap)
		return -1;
	struct lia_conn *c = &t->v[t->n++];
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->order = ++t->order;
	c->peer = *peer;
	c->peer_len = peer_len;
	int doomed = 0;
	size_t live = 0, i = source_key(peer, (uint8_t[8]){0}) != 0 ? oldest(t, peer, &live) : SIZE_MAX;
	if (i != SIZE_MAX && live > t->per_address) {
		t->v[i].doomed = true;
		doomed++;
	}
	i = oldest(t, NULL, &live);
	if (i != SIZE_MAX && live > t->max_total) {
		t->v[i].doomed = true;
		doomed++;
	}
	return doomed;
}

size_t lia_conns_doom_oldest(struct lia_conns *t, size_t k)
{
	size_t done = 0, live;
	for (; done < k; done++) {
		size_t i = oldest(t, NULL, &live);
		if (i == SIZE_MAX)
			break;
		t->v[i].doomed = true;
	}
	return done;
}

bool lia_conns_take_doomed(struct lia_conns *t, struct lia_conn *out)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].doomed && t->v[i].shut_at <= t->now) {
			*out = t->v[i];
			remove_at(t, i);
			return true;
		}
	return false;
}

/* --- monitor --- */

void lia_conns_raise_limit(uint64_t *soft, uint64_t *hard)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		lia_blog("descriptors", "error=\"getrlimit: %s\"", strerror(errno));
		*soft = *hard = 1024;
		return;
	}
	rlim_t was = rl.rlim_cur;
	if (rl.rlim_cur != rl.rlim_max) {
		/* An unlimited hard limit still stops at fs.nr_open: ask for
		 * its default. */
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? 1048576 : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			lia_blog("descriptors", "error=\"setrlimit: %s\"", strerror(errno));
			rl.rlim_cur = was;
		}
	}
	*soft = rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
	*hard = rl.rlim_max == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_max;
	lia_blog("descriptors", "soft=%" PRIu64 " hard=%" PRIu64 " was=%" PRIu64, *soft, *hard,
		 was == RLIM_INFINITY ? UINT64_MAX : (uint64_t)was);
	if (*soft < CONNS_LOW_LIMIT)
		lia_blog("descriptors-low", "soft=%" PRIu64 " hard=%" PRIu64 " advice=\"raise the hard RLIMIT_NOFILE "
			 "(LimitNOFILE= under systemd) to %d or more\"", *soft, *hard, CONNS_LOW_LIMIT);
}

int lia_conns_monitor(struct lia_conns *t, void *zctx, void *router, char err[static LIA_ERR_MAX])
{
	int events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_ACCEPT_FAILED;
	if (zmq_socket_monitor(router, MONITOR_ENDPOINT, events) != 0)
		return lia_errf(err, "cannot monitor the ROUTER: %s", zmq_strerror(zmq_errno()));
	t->mon = zmq_socket(zctx, ZMQ_PAIR);
	int linger = 0, hwm = 100000;
	if (t->mon == NULL || zmq_setsockopt(t->mon, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
	    zmq_setsockopt(t->mon, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0 || zmq_connect(t->mon, MONITOR_ENDPOINT) != 0)
		return lia_errf(err, "cannot read the ROUTER's monitor: %s", zmq_strerror(zmq_errno()));
	return 0;
}

/* One event: its number and value (2 + 4 bytes), its endpoint frame read
 * and dropped. 1, or 0 when none is queued. */
static int read_event(void *mon, uint16_t *event, uint32_t *value)
{
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, mon, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&m);
		return 0;
	}
	bool good = zmq_msg_size(&m) == 6;
	if (good) {
		memcpy(event, zmq_msg_data(&m), 2);
		memcpy(value, (uint8_t *)zmq_msg_data(&m) + 2, 4);
	}
	bool more = zmq_msg_more(&m);
	while (more) {
		zmq_msg_close(&m);
		zmq_msg_init(&m);
		more = zmq_msg_recv(&m, mon, 0) >= 0 && zmq_msg_more(&m);
	}
	zmq_msg_close(&m);
	if (!good)
		*event = 0;
	return 1;
}

static void on_accepted(struct lia_conns *t, int fd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;
	memset(&peer, 0, sizeof peer);
	lia_conns_gone(t, fd); /* an entry of fd is a connection that has closed */
	if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0)
		return; /* already closed: a DISCONNECTED follows */
	if (lia_conns_accepted(t, fd, &peer, len) < 0)
		(void)lia_conns_doom_oldest(t, 1); /* full: the oldest makes room next turn */
}

static const char *source_str(const struct sockaddr_storage *a, char out[static INET6_ADDRSTRLEN])
{
	const void *p = a->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)a)->sin_addr
			: a->ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr
						   : NULL;
	if (p == NULL || inet_ntop(a->ss_family, p, out, INET6_ADDRSTRLEN) == NULL)
		snprintf(out, INET6_ADDRSTRLEN, "-");
	return out;
}

/* Shut c down if its descriptor is still the connection recorded. */
static bool shut(const struct lia_conn *c)
{
	struct sockaddr_storage now;
	socklen_t len = sizeof now;
	memset(&now, 0, sizeof now);
	if (getpeername(c->fd, (struct sockaddr *)&now, &len) != 0 || len != c->peer_len ||
	    memcmp(&now, &c->peer, len) != 0)
		return false;
	return shutdown(c->fd, SHUT_RDWR) == 0;
}

static void log_maybe(struct lia_conns *t, int64_t now, const char *last)
{
	if (now < t->next_log || (t->shut == 0 && t->exhausted == 0 && t->over_key == 0))
		return;
	size_t unauth = t->n - t->n_authed;
	if (t->shut != 0)
		lia_blog("handshakes-shut", "count=%" PRIu64 " unauthenticated=%zu per_address=%" PRIu32
			 " total=%" PRIu32 " last_source=%s", t->shut, unauth, t->per_address, t->max_total, last);
	if (t->over_key != 0)
		lia_blog("connections-refused", "count=%" PRIu64 " reason=connections_per_principal limit=%" PRIu32
			 " last_key=%s", t->over_key, t->per_key, t->last_key);
	if (t->exhausted != 0)
		lia_blog("descriptors-exhausted", "count=%" PRIu64 " error=\"%s\" soft=%" PRIu64 " unauthenticated=%zu",
			 t->exhausted, strerror(t->exhausted_errno), t->soft, unauth);
	t->shut = t->exhausted = t->over_key = 0;
	t->next_log = now + CONNS_LOG_SECONDS;
}

void lia_conns_events(struct lia_conns *t, int64_t now)
{
	if (t->mon == NULL)
		return;
	bool exhausted = false;
	uint16_t event;
	uint32_t value;
	for (int i = 0; i < CONNS_DRAIN_MAX && read_event(t->mon, &event, &value); i++) {
		if (event == ZMQ_EVENT_ACCEPTED)
			on_accepted(t, (int)value);
		else if (event == ZMQ_EVENT_DISCONNECTED)
			lia_conns_gone(t, (int)value);
		else if (event == ZMQ_EVENT_ACCEPT_FAILED && (value == EMFILE || value == ENFILE)) {
			t->exhausted++;
			t->exhausted_errno = (int)value;
			exhausted = true;
		}
	}
	/* Out of descriptors: agents cannot connect until some are free, so
	 * the oldest unauthenticated connections go (an eighth, 8 at least). */
	t->now = now;
	size_t unauth = t->n - t->n_authed;
	if (exhausted)
		(void)lia_conns_doom_oldest(t, unauth / 8 > 8 ? unauth / 8 : 8);
	char last[INET6_ADDRSTRLEN] = "-";
	struct lia_conn c;
	while (lia_conns_take_doomed(t, &c))
		if (shut(&c) && !c.authed) { /* those of a key are counted when refused */
			t->shut++;
			source_str(&c.peer, last);
		}
	log_maybe(t, now, last);
}

struct drainer {
	void *mon;
	atomic_bool stop;
};

static void *drain_thread(void *p)
{
	struct drainer *d = p;
	while (!atomic_load(&d->stop)) {
		zmq_pollitem_t it = {d->mon, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, 20) <= 0)
			continue;
		uint16_t event;
		uint32_t value;
		while (read_event(d->mon, &event, &value))
			;
	}
	return NULL;
}

void lia_conns_stop(struct lia_conns *t, void *router)
{
	if (t->mon == NULL)
		return;
	struct drainer d = {t->mon, false};
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, drain_thread, &d) == 0;
	if (!threaded) { /* read what is queued, and hope */
		uint16_t event;
		uint32_t value;
		while (read_event(t->mon, &event, &value))
			;
	}
	(void)zmq_socket_monitor(router, NULL, 0);
	if (threaded) {
		atomic_store(&d.stop, true);
		pthread_join(th, NULL);
	}
	zmq_close(t->mon);
	t->mon = NULL;
}
