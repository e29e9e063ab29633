/*
 * client.c — profiles, connection, request/reply.
 */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

#include "settings.h"
#include "util.h"

#define PROFILE_MAX_BYTES (16u * 1024)

/* --- profiles --- */

int lia_profile_dir(char out[static PATH_MAX], char err[static LIA_ERR_MAX])
{
	const char *env = getenv("LIAISON_PROFILES");
	const char *home = getenv("HOME");
	int w;
	if (env != NULL && env[0] != '\0')
		w = snprintf(out, PATH_MAX, "%s", env);
	else if (home != NULL && home[0] != '\0')
		w = snprintf(out, PATH_MAX, "%s/.config/liaison", home);
	else
		return lia_errf(err, "no profile folder: set HOME or LIAISON_PROFILES");
	if (w < 0 || w >= PATH_MAX)
		return lia_errf(err, "profile folder path too long");
	return 0;
}

static int profile_path(char out[static PATH_MAX], const char *name, char err[static LIA_ERR_MAX])
{
	size_t n = strlen(name);
	if (strchr(name, '/') != NULL || (n > 5 && strcmp(name + n - 5, ".yaml") == 0)) {
		if (n >= PATH_MAX)
			return lia_errf(err, "profile path too long");
		memcpy(out, name, n + 1);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-' || name[i] == '_'))
			return lia_errf(err, "profile name \"%s\": use [a-z0-9_-] or give a path", name);
	char dir[PATH_MAX];
	if (n == 0 || lia_profile_dir(dir, err) != 0)
		return n == 0 ? lia_errf(err, "empty profile name") : -1;
	int w = snprintf(out, PATH_MAX, "%s/%s.yaml", dir, name);
	if (w < 0 || w >= PATH_MAX)
		return lia_errf(err, "profile path too long");
	return 0;
}

#define F(f) offsetof(struct lia_profile, f), sizeof(((struct lia_profile *)0)->f)
static const struct lia_setting pkeys[] = {
	{"broker", LIA_SETTING_TEXT, F(broker), 0, 0, true},
	{"broker_certificate", LIA_SETTING_PATH, F(broker_certificate), 0, 0, true},
	{"keys", LIA_SETTING_PATH, F(keys), 0, 0, true},
	{"authority_key", LIA_SETTING_PATH, F(authority_key), 0, 0, true},
	{"passphrase_file", LIA_SETTING_PATH, F(passphrase_file), 0, 0, false},
};
#define NPKEYS (sizeof pkeys / sizeof pkeys[0])

int lia_profile_load(struct lia_profile *p, const char *name, char err[static LIA_ERR_MAX])
{
	memset(p, 0, sizeof *p);
	char path[PATH_MAX];
	if (profile_path(path, name, err) != 0)
		return -1;
	return lia_settings_load(p, pkeys, NPKEYS, path, PROFILE_MAX_BYTES, err);
}

/* YAML double-quoted scalar of s into out; -1 if s has characters we
 * do not write (profiles hold paths and endpoints only). */
static int yaml_quote(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	if (cap < 3)
		return -1;
	out[o++] = '"';
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || o + 3 >= cap)
			return -1;
		if (*s == '"' || *s == '\\')
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o++] = '"';
	out[o] = '\0';
	return 0;
}

int lia_profile_save(const struct lia_profile *p, const char *name, char out_path[static PATH_MAX],
		     char err[static LIA_ERR_MAX])
{
	char dir[PATH_MAX];
	if (profile_path(out_path, name, err) != 0)
		return -1;
	if (strchr(name, '/') == NULL && lia_profile_dir(dir, err) == 0) {
		char parent[PATH_MAX];
		const char *slash = strrchr(dir, '/');
		if (slash != NULL && (size_t)(slash - dir) < sizeof parent) {
			memcpy(parent, dir, (size_t)(slash - dir));
			parent[slash - dir] = '\0';
			(void)mkdir(parent, 0700);
		}
		(void)mkdir(dir, 0700);
	}
	char text[5 * PATH_MAX + 512];
	size_t off = 0;
	for (size_t i = 0; i < NPKEYS; i++) {
		const char *val = (const char *)p + pkeys[i].offset;
		if (val[0] == '\0')
			continue;
		char q[PATH_MAX + 64];
		if (yaml_quote(q, sizeof q, val) != 0)
			return lia_errf(err, "\"%s\" cannot be written to a profile", pkeys[i].name);
		int w = snprintf(text + off, sizeof text - off, "%s: %s\n", pkeys[i].name, q);
		if (w < 0 || (size_t)w >= sizeof text - off)
			return lia_errf(err, "profile too long");
		off += (size_t)w;
	}
	return lia_file_replace(out_path, (const uint8_t *)text, off, 0600, err);
}

/* --- connection --- */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next event on the socket monitor within timeout_ms, or 0. */
static uint16_t monitor_event(struct lia_client *c, long timeout_ms)
{
	zmq_pollitem_t it = {c->monitor, 0, ZMQ_POLLIN, 0};
	if (zmq_poll(&it, 1, timeout_ms) <= 0)
		return 0;
	zmq_msg_t m1, m2;
	zmq_msg_init(&m1);
	zmq_msg_init(&m2);
	uint16_t event = 0;
	if (zmq_msg_recv(&m1, c->monitor, ZMQ_DONTWAIT) >= 0 && zmq_msg_recv(&m2, c->monitor, 0) >= 0 &&
	    zmq_msg_size(&m1) >= 2)
		memcpy(&event, zmq_msg_data(&m1), 2);
	zmq_msg_close(&m1);
	zmq_msg_close(&m2);
	return event;
}

/* A handshake that failed without a refusal of authentication is the
 * broker's end only when it repeats: a broker killed in the middle of one
 * fails it once, and the next connection is to its successor; a broker
 * with another key fails every attempt, one a reconnect interval (200 ms,
 * wire/socket.c). So HANDSHAKE_FAILS in a row over a second or more. */
#define HANDSHAKE_FAILS 5

static bool handshake_failed_for_good(struct lia_client *c)
{
	int64_t now = now_ms();
	if (c->hs_failed++ == 0)
		c->hs_failed_since_ms = now;
	return c->hs_failed >= HANDSHAKE_FAILS && now - c->hs_failed_since_ms >= 1000;
}

/* Wait for the CURVE handshake's outcome on the monitor socket. */
static int wait_handshake(struct lia_client *c, const char *endpoint, char err[static LIA_ERR_MAX])
{
	int64_t deadline = now_ms() + c->timeout_ms;
	bool connected = false;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			break;
		switch (monitor_event(c, (long)left)) {
		case ZMQ_EVENT_CONNECTED: connected = true; break;
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			c->connected = true;
			c->hs_failed = 0;
			return LIA_EXIT_OK;
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			lia_errf(err, "the broker at %s refused authentication: certificate unknown, "
				      "expired or revoked", endpoint);
			return LIA_EXIT_REFUSED;
		case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
			if (!handshake_failed_for_good(c))
				break;
			lia_errf(err, "the secure handshake with %s failed (is the broker certificate in "
				      "the profile the right one?)", endpoint);
			return LIA_EXIT_REFUSED;
		default: break;
		}
	}
	lia_errf(err, "%s: %s", endpoint,
		 connected ? "connected, but the broker did not complete the handshake in time"
			   : "the broker is unreachable");
	return LIA_EXIT_UNREACHABLE;
}

static int call_retrying(struct lia_client *c, struct lia_frame *req, struct lia_frame *reply, bool renew,
			 char err[static LIA_ERR_MAX]);

/* Say Hello with what the client asked at open, and keep the Welcome.
 * The session begins at this Hello's request id: an answer about an
 * earlier frame is about a session that is gone. */
static int say_hello(struct lia_client *c, char err[static LIA_ERR_MAX])
{
	struct lia_frame hello, welcome;
	lia_frame_init(&hello, LIA_FRAME_HELLO, 0);
	hello.u.hello.protocol = LIA_PROTOCOL_VERSION;
	snprintf(hello.u.hello.client, sizeof hello.u.hello.client, "liaison %s", "0.1.0");
	hello.u.hello.receive = c->receive;
	hello.u.hello.window = c->window;
	c->session_first = c->next_request;
	int rc = call_retrying(c, &hello, &welcome, false, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	if (welcome.type == LIA_FRAME_ERROR) {
		lia_errf(err, "the broker refused the session: %s", welcome.u.error.detail);
		rc = lia_client_error_exit(&welcome);
		lia_frame_clear(&welcome);
		return rc;
	}
	if (welcome.type != LIA_FRAME_WELCOME) {
		lia_errf(err, "unexpected answer to hello");
		lia_frame_clear(&welcome);
		return LIA_EXIT_FAIL;
	}
	lia_frame_clear(&c->welcome);
	c->welcome = welcome;
	c->sessions++;
	c->renew = false;
	c->away_since_ms = 0;
	return LIA_EXIT_OK;
}

int lia_client_open(struct lia_client *c, const struct lia_profile *p, unsigned which, bool receive,
		    uint32_t window, int timeout_ms, char err[static LIA_ERR_MAX])
{
	memset(c, 0, sizeof *c);
	c->timeout_ms = timeout_ms;
	memcpy(c->keys_dir, p->keys, sizeof c->keys_dir);
	c->next_request = 1;
	c->receive = receive;
	c->window = window;
	if (lia_identity_load(&c->id, p->keys, p->authority_key, which | LIA_ID_TRANSPORT,
			      p->passphrase_file[0] ? p->passphrase_file : NULL, err) != 0)
		return LIA_EXIT_FAIL;
	if (lia_cert_load(&c->broker, p->broker_certificate, c->id.authority_pk, err) != 0)
		goto fail;
	if (c->broker.kind != LIA_CERT_BROKER) {
		lia_errf(err, "\"%s\" is not a broker certificate", p->broker_certificate);
		goto fail;
	}
	c->zctx = zmq_ctx_new();
	if (c->zctx == NULL) {
		lia_errf(err, "cannot create a ZeroMQ context");
		goto fail;
	}
	c->sock = lia_wire_client(c->zctx, NULL, c->broker.transport_pk, c->id.transport, err);
	if (c->sock == NULL)
		goto fail;
	/* No send waits for ever: after a refused handshake (a broker that
	 * came back without us) libzmq drops the connection's queue and does
	 * not reconnect, and a blocking send would wait for a peer that never
	 * comes, before lia_client_keep could read the refusal. */
	if (zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &c->timeout_ms, sizeof c->timeout_ms) != 0) {
		lia_errf(err, "cannot set the send timeout: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	/* Watch the handshake, so that a refusal is told from a silence. */
	char mon[64];
	snprintf(mon, sizeof mon, "inproc://liaison-monitor-%p", (void *)c);
	if (zmq_socket_monitor(c->sock, mon, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
						     ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
						     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
						     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    (c->monitor = zmq_socket(c->zctx, ZMQ_PAIR)) == NULL || zmq_connect(c->monitor, mon) != 0) {
		lia_errf(err, "cannot watch the connection: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	snprintf(c->endpoint, sizeof c->endpoint, "%s", p->broker);
	if (zmq_connect(c->sock, p->broker) != 0) {
		lia_errf(err, "cannot connect to \"%s\": %s", p->broker, zmq_strerror(zmq_errno()));
		goto fail;
	}
	int rc = wait_handshake(c, p->broker, err);
	if (rc != LIA_EXIT_OK) {
		lia_client_close(c);
		return rc;
	}
	rc = say_hello(c, err);
	if (rc != LIA_EXIT_OK) {
		lia_client_close(c);
		return rc;
	}
	return LIA_EXIT_OK;
fail:
	lia_client_close(c);
	return LIA_EXIT_FAIL;
}

void lia_client_close(struct lia_client *c)
{
	if (c->monitor != NULL)
		zmq_close(c->monitor);
	if (c->sock != NULL) {
		int linger = 500;
		zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
		zmq_close(c->sock);
	}
	if (c->zctx != NULL)
		zmq_ctx_term(c->zctx);
	lia_frame_clear(&c->welcome);
	for (size_t i = 0; i < c->n_stash; i++)
		lia_frame_clear(&c->stash[i]);
	free(c->stash);
	if (c->have_directory)
		lia_directory_clear(&c->dir);
	lia_identity_clear(&c->id);
	memset(c, 0, sizeof *c);
}

int lia_client_send(struct lia_client *c, struct lia_frame *f)
{
	/* Acks and pings too get an id: a NO_SESSION about one then says
	 * which session it was sent in (lost_session). */
	if (f->request_id == 0)
		f->request_id = c->next_request++;
	return lia_wire_send(c->sock, NULL, f, 0);
}

#define STASH_MAX (LIA_WINDOW_MAX + 16)

static int stash_push(struct lia_client *c, struct lia_frame *f)
{
	if (c->n_stash == c->cap_stash) {
		size_t ncap = c->cap_stash ? 2 * c->cap_stash : 16;
		if (ncap > STASH_MAX)
			return -1;
		struct lia_frame *v = realloc(c->stash, ncap * sizeof *v);
		if (v == NULL)
			return -1;
		c->stash = v;
		c->cap_stash = ncap;
	}
	c->stash[c->n_stash++] = *f; /* the frame's storage moves with it */
	memset(f, 0, sizeof *f);
	return 0;
}

/* Read one frame from the socket: 1, 0 on timeout, -1 on error. */
static int recv_socket(struct lia_client *c, struct lia_frame *f, int timeout_ms);

/* Whether f is the broker saying it knows no session of ours: about a
 * frame sent in the current session, that session is gone (the broker
 * restarted, or dropped it), and lia_client_keep is asked to renew it.
 * About an earlier frame (an ack queued while the broker was away) it
 * says nothing new. Either way f is the session layer's, not the
 * caller's. */
static bool lost_session(struct lia_client *c, const struct lia_frame *f)
{
	if (f->type != LIA_FRAME_ERROR || f->u.error.code != LIA_ERROR_NO_SESSION)
		return false;
	if (f->request_id == 0 || f->request_id >= c->session_first) {
		c->renew = true;
		if (c->away_since_ms == 0)
			c->away_since_ms = now_ms();
	}
	return true;
}

int lia_client_recv(struct lia_client *c, struct lia_frame *f, int timeout_ms)
{
	if (c->n_stash > 0) {
		*f = c->stash[0];
		memmove(&c->stash[0], &c->stash[1], (c->n_stash - 1) * sizeof *c->stash);
		c->n_stash--;
		return 1;
	}
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		int rc = recv_socket(c, f, timeout_ms);
		if (rc != 1 || !lost_session(c, f))
			return rc;
		lia_frame_clear(f);
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return 0;
		timeout_ms = (int)left;
	}
}

/* Read what the socket monitor says happened to the connection. */
static void watch_connection(struct lia_client *c)
{
	uint16_t event;
	while ((event = monitor_event(c, 0)) != 0)
		switch (event) {
		case ZMQ_EVENT_DISCONNECTED:
			c->connected = false;
			if (c->away_since_ms == 0)
				c->away_since_ms = now_ms();
			break;
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			/* A new connection: to a restarted broker, or to the
			 * same one after a network fault. Either may have
			 * forgotten us, and a Hello again is harmless. */
			c->connected = true;
			c->renew = true;
			c->hs_failed = 0;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			c->refused = event;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
			if (handshake_failed_for_good(c))
				c->refused = event;
			break;
		default: break;
		}
}

bool lia_client_away(const struct lia_client *c, char err[static LIA_ERR_MAX])
{
	if (c->away_since_ms == 0)
		return false;
	lia_errf(err, "the broker at %s has been away for %lld s%s: giving up (what it holds for you "
		      "stays queued there)", c->endpoint, (long long)((now_ms() - c->away_since_ms) / 1000),
		 c->connected ? " (connected, but it did not open a session)" : "");
	return true;
}

int lia_client_keep(struct lia_client *c, char err[static LIA_ERR_MAX])
{
	watch_connection(c);
	if (c->refused != 0) {
		if (c->refused == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			lia_errf(err, "on reconnecting, the broker at %s refused authentication: certificate "
				      "unknown, expired or revoked", c->endpoint);
		else
			lia_errf(err, "on reconnecting, the secure handshake with %s failed (is it the same "
				      "broker?)", c->endpoint);
		return LIA_EXIT_REFUSED;
	}
	if (c->renew && c->connected) {
		int rc = say_hello(c, err);
		/* No answer in time: the broker is still coming up, or went
		 * again; try again on the next call, within the bound. */
		if (rc != LIA_EXIT_OK && rc != LIA_EXIT_UNREACHABLE)
			return rc;
	}
	int away_max_ms = c->away_max_ms > 0 ? c->away_max_ms : LIA_CLIENT_AWAY_MS;
	if (c->away_since_ms != 0 && now_ms() - c->away_since_ms >= away_max_ms) {
		(void)lia_client_away(c, err);
		return LIA_EXIT_UNREACHABLE;
	}
	return LIA_EXIT_OK;
}

static int recv_socket(struct lia_client *c, struct lia_frame *f, int timeout_ms)
{
	zmq_pollitem_t it = {c->sock, 0, ZMQ_POLLIN, 0};
	int n = zmq_poll(&it, 1, timeout_ms);
	if (n < 0)
		return zmq_errno() == EINTR ? 0 : -1;
	if (n == 0)
		return 0;
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, c->sock, 0) < 0) {
		zmq_msg_close(&m);
		return -1;
	}
	char why[LIA_ERR_MAX];
	int rc = lia_frame_decode(f, zmq_msg_data(&m), zmq_msg_size(&m), why);
	zmq_msg_close(&m);
	if (rc != 0) {
		fprintf(stderr, "liaison: a frame from the broker was refused: %s\n", why);
		return -1;
	}
	return 1;
}

static int call_once(struct lia_client *c, struct lia_frame *req, struct lia_frame *reply,
		     char err[static LIA_ERR_MAX])
{
	req->request_id = c->next_request++;
	if (lia_client_send(c, req) != 0) {
		lia_errf(err, "cannot send: %s", zmq_strerror(zmq_errno()));
		return LIA_EXIT_FAIL;
	}
	int64_t deadline = now_ms() + c->timeout_ms;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			lia_errf(err, "no answer from the broker within %d ms", c->timeout_ms);
			return LIA_EXIT_UNREACHABLE;
		}
		int rc = recv_socket(c, reply, (int)left);
		if (rc < 0) {
			lia_errf(err, "connection error");
			return LIA_EXIT_FAIL;
		}
		if (rc == 0)
			continue;
		if (reply->request_id == req->request_id ||
		    (reply->type == LIA_FRAME_ERROR && reply->request_id == 0))
			return LIA_EXIT_OK;
		if ((reply->type == LIA_FRAME_DELIVER || reply->type == LIA_FRAME_ERASE ||
		     reply->type == LIA_FRAME_CONSENT_LIST || reply->type == LIA_FRAME_VERIFICATION_LIST) &&
		    reply->request_id == 0 && stash_push(c, reply) == 0)
			continue;
		(void)lost_session(c, reply);
		lia_frame_clear(reply);
	}
}

/* BUSY means the broker did nothing: too much it sent this connection
 * is still unread (issue 11, item 1). This call reads, so a short wait
 * lets the queue drain; the same request is sent again a few times.
 * NO_SESSION means the broker did nothing either: it does not know us
 * (it restarted). With renew, the session is opened again and the
 * request sent once more; a second NO_SESSION is the caller's. */
#define BUSY_RETRIES 6
static int call_retrying(struct lia_client *c, struct lia_frame *req, struct lia_frame *reply, bool renew,
			 char err[static LIA_ERR_MAX])
{
	int wait_ms = 100;
	for (int i = 0;; i++) {
		int rc = call_once(c, req, reply, err);
		if (rc == LIA_EXIT_OK && renew && reply->type == LIA_FRAME_ERROR &&
		    reply->u.error.code == LIA_ERROR_NO_SESSION) {
			lia_frame_clear(reply);
			renew = false;
			rc = say_hello(c, err);
			if (rc != LIA_EXIT_OK)
				return rc;
			continue;
		}
		if (rc != LIA_EXIT_OK || reply->type != LIA_FRAME_ERROR || reply->u.error.code != LIA_ERROR_BUSY ||
		    i == BUSY_RETRIES)
			return rc;
		lia_frame_clear(reply);
		struct timespec ts = {wait_ms / 1000, (long)(wait_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		wait_ms = wait_ms < 800 ? 2 * wait_ms : 1000;
	}
}

int lia_client_call(struct lia_client *c, struct lia_frame *req, struct lia_frame *reply,
		    char err[static LIA_ERR_MAX])
{
	return call_retrying(c, req, reply, true, err);
}

int lia_client_error_exit(const struct lia_frame *f)
{
	switch (f->u.error.code) {
	case LIA_ERROR_FORBIDDEN:
	case LIA_ERROR_REVOKED:
	case LIA_ERROR_LIMIT: return LIA_EXIT_REFUSED;
	case LIA_ERROR_UNAVAILABLE:
	case LIA_ERROR_BUSY: return LIA_EXIT_UNREACHABLE;
	default: return LIA_EXIT_FAIL;
	}
}

/* The highest revocation-list number this principal has seen, kept in
 * KEYS/crl-number: a broker must never roll revocations back. */
static int crl_freshness(struct lia_client *c, uint64_t number, char err[static LIA_ERR_MAX])
{
	char path[PATH_MAX], text[32];
	int w = snprintf(path, sizeof path, "%s/crl-number", c->keys_dir);
	if (w < 0 || (size_t)w >= sizeof path)
		return lia_errf(err, "key folder path too long");
	uint8_t *buf = NULL;
	size_t len = 0;
	uint64_t seen = 0;
	char why[LIA_ERR_MAX];
	if (lia_file_read(path, 32, &buf, &len, why) == 0) {
		size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
		memcpy(text, buf, n);
		text[n] = '\0';
		text[strcspn(text, "\n")] = '\0';
		free(buf);
		if (lia_parse_u64(text, &seen) != 0)
			seen = 0;
	}
	if (number < seen)
		return lia_errf(err, "the broker served revocation list number %llu, older than number "
				     "%llu seen before: refusing it", (unsigned long long)number,
				(unsigned long long)seen);
	if (number > seen) {
		w = snprintf(text, sizeof text, "%llu\n", (unsigned long long)number);
		if (w > 0 && lia_file_replace(path, (const uint8_t *)text, (size_t)w, 0600, why) != 0)
			fprintf(stderr, "liaison: %s\n", why);
	}
	return 0;
}

int lia_client_directory(struct lia_client *c, char err[static LIA_ERR_MAX])
{
	if (c->have_directory)
		return 0;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_DIRECTORY_REQUEST, 0);
	if (lia_client_call(c, &req, &rep, err) != LIA_EXIT_OK)
		return -1;
	if (rep.type != LIA_FRAME_DIRECTORY) {
		lia_errf(err, "the broker did not send its directory");
		lia_frame_clear(&rep);
		return -1;
	}
	lia_directory_init(&c->dir, c->id.authority_pk);
	char why[LIA_ERR_MAX];
	for (size_t i = 0; i < rep.u.directory.n; i++)
		if (lia_directory_add(&c->dir, rep.u.directory.certs[i].p, rep.u.directory.certs[i].len, why) != 0)
			fprintf(stderr, "liaison: a certificate in the directory was left out: %s\n", why);
	int rc = 0;
	if (lia_directory_set_crl(&c->dir, rep.u.directory.crl.p, rep.u.directory.crl.len, err) != 0 ||
	    crl_freshness(c, c->dir.crl.number, err) != 0 || lia_directory_finish(&c->dir, err) != 0) {
		lia_directory_clear(&c->dir);
		rc = -1;
	} else {
		c->have_directory = true;
	}
	lia_frame_clear(&rep);
	return rc;
}
