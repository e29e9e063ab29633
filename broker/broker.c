/*
 * broker.c — the broker object and its event loop: setup, the dispatch
 * of one frame to its module, signals and timers (see broker.h).
 */
#include "broker.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zmq.h>

#include "broker_int.h"
#include "blog.h"
#include "turn.h"
#include "record.h"
#include "session.h"
#include "zap.h"
#include "publish.h"
#include "delivery.h"
#include "feeds.h"
#include "inbox.h"
#include "intake.h"
#include "maint.h"
#include "query.h"
#include "onward.h"
#include "reload.h"
#include "sig.h"
#include "util.h"
#include "verify.h"

/* dir "/" name into out, or -1 when it does not fit. */
static int path_in(char out[static PATH_MAX], const char *dir, const char *name, char err[static LIA_ERR_MAX])
{
	int w = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	if (w < 0 || w >= PATH_MAX)
		return lia_errf(err, "path too long: \"%s/%s\"", dir, name);
	return 0;
}

static void handle_hello(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	if (f->u.hello.protocol < LIA_PROTOCOL_VERSION) {
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_VERSION, "protocol version 1 needed");
		return;
	}
	s->receive = f->u.hello.receive;
	s->window = f->u.hello.window < b->cfg.window ? f->u.hello.window : b->cfg.window;
	s->inflight = 0;
	s->cursor = 0; /* resend everything not yet acknowledged, in order */
	s->maybe_pending = s->receive;
	s->erase_cursor = 0; /* and every erase notice not yet confirmed */
	s->maybe_erase = s->receive;
	struct lia_frame w;
	lia_frame_init(&w, LIA_FRAME_WELCOME, f->request_id);
	w.u.welcome.protocol = LIA_PROTOCOL_VERSION;
	memcpy(w.u.welcome.broker, b->me.cert.subject, LIA_NAME_MAX);
	memcpy(w.u.welcome.subject, s->cert.subject, LIA_NAME_MAX);
	(void)lia_store_pending_count(b->store, s->cert.subject, lia_now(), &w.u.welcome.pending);
	memcpy(w.u.welcome.policy_hash, b->policy->hash, 32);
	w.u.welcome.now = lia_now();
	/* The latest signed checkpoint, so that every session can check
	 * that the ledger only grew since the one its agent kept (issue 12,
	 * item 5) without asking. Checkpoints are stored outside any
	 * transaction: this one is committed whatever the turn holds. None
	 * yet (or unreadable): the field stays empty. */
	char *note = NULL, why[LIA_ERR_MAX];
	size_t note_len = 0;
	uint64_t cp_size = 0;
	if (lia_ledger_checkpoint_latest(b->ledger, &cp_size, &note, &note_len, why) == 0 &&
	    note_len <= LIA_WIRE_CHECKPOINT_MAX)
		w.u.welcome.checkpoint = (struct lia_bytes){(const uint8_t *)note, note_len};
	lia_reply_now(b, s->rid, s->rid_len, &w);
	free(note);
	lia_verif_hello(b, s, lia_now());
	lia_blog("session", "subject=%s client=\"%s\" receive=%d pending=%" PRIu64, s->cert.subject,
		 f->u.hello.client, s->receive, w.u.welcome.pending);
}

/* Whether the frame from routing id rid, authenticated as transport
 * key key, may be served. libzmq lets any authenticated peer claim any
 * routing id, and the ZAP request of libzmq 4.3 names the server's id,
 * not the client's (libzmq #4161), so the id is checked here, on every
 * frame: it must be LIA_ROUTING_ID_BYTES long, never a transport key
 * (the id agents derived before issue 10, computable by anyone from the
 * directory), and, when a session holds it, that session's key. A
 * frame from the holder of another principal's session id means that
 * session's connection is gone (the ROUTER keeps one connection per
 * id): the session is forgotten, so that nothing more is sent there.
 * Refusals are logged and not answered, except to an agent using its
 * own key as id, which is told why. from is key's directory entry (NULL
 * when none); on true, *held is the session of rid (NULL when none),
 * found once here for the caller. */
static bool routing_id_ok(struct lia_broker *b, const uint8_t *rid, size_t rid_len, const uint8_t key[static 32],
			  const struct lia_directory_entry *from, struct lia_session **held)
{
	const char *sender = from != NULL ? from->cert.subject : "-";
	if (rid_len != LIA_ROUTING_ID_BYTES) {
		lia_blog("routing-id-refused", "from=%s routing_id_bytes=%zu reason=\"not %d random bytes\"", sender,
			 rid_len, LIA_ROUTING_ID_BYTES);
		return false;
	}
	if (memcmp(rid, key, 32) == 0) {
		lia_blog("routing-id-refused", "from=%s reason=\"the routing id is the sender's own transport key\"", sender);
		lia_reply_error(b, rid, rid_len, 0, LIA_ERROR_VERSION,
				"the routing id must be 32 random bytes, not your transport key (docs/protocol.md)");
		return false;
	}
	const struct lia_directory_entry *owner = lia_directory_by_transport(&b->dir, rid);
	if (owner != NULL) {
		lia_blog("routing-id-refused", "from=%s reason=\"the routing id is the transport key of %s\"", sender,
			 owner->cert.subject);
		return false;
	}
	struct lia_session *s = lia_session_find(b, rid, rid_len);
	if (s != NULL && memcmp(s->cert.transport_pk, key, 32) != 0) {
		lia_blog("routing-id-refused", "from=%s reason=\"the routing id is held by the session of %s\"", sender,
			 s->cert.subject);
		lia_blog("session-dropped", "subject=%s reason=\"its routing id came from another connection\"",
			 s->cert.subject);
		s->used = false;
		return false;
	}
	*held = s;
	return true;
}

/* Issue 11, item 1: a session whose peer has not read what it was sent
 * is given nothing more. Any request may be answered with up to a
 * maximal frame, so it is refused when that would not fit: BUSY (the
 * broker did nothing; the agent retries). Refusals are small but as
 * many as the requests: past the budget by LIA_PEER_BUSY_SLACK they go
 * unanswered. One log line per session every LIA_PEER_BUSY_LOG_SECONDS,
 * so that the log does not become the flood. */
static bool peer_room(struct lia_broker *b, struct lia_session *s, const struct lia_frame *f)
{
	if (lia_session_room(b, s, LIA_FRAME_MAX))
		return true;
	int64_t now = lia_now();
	uint64_t queued = lia_session_queued(s, now);
	s->q.busy_refused++;
	if (now - s->q.busy_logged >= LIA_PEER_BUSY_LOG_SECONDS) {
		lia_blog("peer-busy", "subject=%s queued=%" PRIu64 " limit=%" PRIu32 " refused=%" PRIu64,
			 s->cert.subject, queued, b->cfg.peer_queue_bytes, s->q.busy_refused);
		s->q.busy_logged = now;
		s->q.busy_refused = 0;
	}
	if (queued < (uint64_t)b->cfg.peer_queue_bytes + LIA_PEER_BUSY_SLACK) {
		char detail[160];
		snprintf(detail, sizeof detail, "%" PRIu64 " bytes queued towards you not yet read, limit %" PRIu32
			 ": read, then retry", queued, b->cfg.peer_queue_bytes);
		lia_reply_error(b, s->rid, s->rid_len, f->request_id, LIA_ERROR_BUSY, detail);
	}
	return false;
}

static void handle_frame(struct lia_broker *b, const uint8_t *rid, size_t rid_len, const char *user,
			 const uint8_t *buf, size_t len)
{
	/* user is the transport key the handshake authenticated. */
	int64_t t0_us = lia_intake_clock_us(); /* its peer's share of the turn */
	const char *transport = user;
	uint8_t key[32];
	if (lia_unhex(key, sizeof key, user) != 0)
		return;
	/* conns.h: one key's connections are bounded; the one past the bound
	 * is shut down, and what it sent is not served. */
	if (lia_conns_authed(&b->conns, b->rx_fd, key, lia_now()) > 0) {
		lia_reply_error(b, rid, rid_len, 0, LIA_ERROR_UNAVAILABLE,
				"too many connections of this principal are open: close some, then retry");
		return;
	}
	const struct lia_directory_entry *who = lia_directory_by_transport(&b->dir, key);
	struct lia_session *s = NULL; /* of this key: routing_id_ok checked it */
	if (!routing_id_ok(b, rid, rid_len, key, who, &s))
		return;
	if (who == NULL || who->cert.kind != LIA_CERT_PRINCIPAL ||
	    lia_cert_check(&who->cert, &b->dir.crl, lia_now()) != LIA_CERT_OK) {
		lia_reply_error(b, rid, rid_len, 0, LIA_ERROR_REVOKED, "your certificate is no longer valid");
		lia_session_gone(b, rid, rid_len);
		return;
	}
	user = who->cert.subject;
	struct lia_frame f;
	char why[LIA_ERR_MAX];
	if (lia_frame_decode(&f, buf, len, why) != 0) {
		lia_blog("frame-refused", "from=%s bytes=%zu reason=\"%s\"", user, len, why);
		lia_reply_error(b, rid, rid_len, 0,
				strncmp(why, "protocol version", 16) == 0 ? LIA_ERROR_VERSION : LIA_ERROR_MALFORMED, why);
		return;
	}
	if (s == NULL) {
		if (f.type != LIA_FRAME_HELLO) {
			lia_reply_error(b, rid, rid_len, f.request_id, LIA_ERROR_NO_SESSION, "send hello first");
			goto out;
		}
		s = lia_session_make_room(b, key) ? lia_session_new(b, rid, rid_len) : NULL;
		if (s == NULL) {
			lia_reply_error(b, rid, rid_len, f.request_id, LIA_ERROR_UNAVAILABLE, "too many sessions");
			goto out;
		}
		s->cert = who->cert;
	}
	s->last_seen = lia_now();
	lia_session_note_fd(s, b->rx_fd);
	/* This turn, the next, or "busy" (intake.h): reads answer from
	 * committed state only, a peer has its share of the turn. */
	switch (lia_intake_admit(b, s, f.type, rid, rid_len, transport, buf, len)) {
	case LIA_INTAKE_SERVE:
		break;
	case LIA_INTAKE_PARK:
		goto out;
	case LIA_INTAKE_BUSY:
		lia_reply_error(b, rid, rid_len, f.request_id, LIA_ERROR_BUSY,
				"busy: nothing was done with this request; send it again shortly");
		goto out;
	}
	/* Acks free state and are not answered: always taken. */
	if (f.type != LIA_FRAME_ACK && !peer_room(b, s, &f))
		goto served;
	switch (f.type) {
	case LIA_FRAME_HELLO: handle_hello(b, s, &f); break;
	case LIA_FRAME_PUBLISH: lia_publish_handle(b, s, &f); break;
	case LIA_FRAME_ACK: lia_deliver_ack(b, s, &f); break;
	case LIA_FRAME_SUBSCRIBE: lia_feeds_subscribe(b, s, &f); break;
	case LIA_FRAME_UNSUBSCRIBE: lia_feeds_unsubscribe(b, s, &f); break;
	case LIA_FRAME_FEED_LIST: lia_feeds_list(b, s, &f); break;
	case LIA_FRAME_INBOX: lia_inbox_list(b, s, &f); break;
	case LIA_FRAME_FETCH: lia_inbox_fetch(b, s, &f); break;
	case LIA_FRAME_DIRECTORY_REQUEST: lia_inbox_directory(b, s, &f); break;
	case LIA_FRAME_AUDIT_QUERY: lia_query_audit(b, s, &f); break;
	case LIA_FRAME_CONSENT_ASK: lia_onward_ask(b, s, &f); break;
	case LIA_FRAME_CONSENT_QUERY: lia_onward_query(b, s, &f); break;
	case LIA_FRAME_CONSENT_ANSWER: lia_onward_answer(b, s, &f); break;
	case LIA_FRAME_VERIFICATION_QUERY: lia_verif_query(b, s, &f); break;
	case LIA_FRAME_ERASE_REQUEST: lia_deliver_erase_request(b, s, &f); break;
	case LIA_FRAME_THREAD_QUERY: lia_inbox_thread(b, s, &f); break;
	case LIA_FRAME_PING: {
		struct lia_frame p;
		lia_frame_init(&p, LIA_FRAME_PONG, f.request_id);
		p.u.pong.now = lia_now();
		lia_reply_now(b, rid, rid_len, &p);
		break;
	}
	default:
		lia_reply_error(b, rid, rid_len, f.request_id, LIA_ERROR_INVALID, "agents do not send that frame");
		break;
	}
served:
	lia_intake_charge(s, t0_us);
out:
	lia_frame_clear(&f);
}

/* Read one message from the ROUTER: [routing id][frame]. */
static int router_read(struct lia_broker *b)
{
	/* libzmq takes in a newly readable connection (a pipe activation
	 * from its I/O thread) only once per 100 messages received while
	 * another connection still has some (config.hpp, inbound_poll_rate):
	 * behind a flooder's full pipe, another peer's frame waited 50
	 * frames, tens of milliseconds of publishes. Asking ZMQ_EVENTS
	 * processes those commands now, at the cost of one poll(2). */
	int events;
	size_t events_len = sizeof events;
	(void)zmq_getsockopt(b->router, ZMQ_EVENTS, &events, &events_len);
	zmq_msg_t id, body;
	zmq_msg_init(&id);
	if (zmq_msg_recv(&id, b->router, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&id);
		return 0;
	}
	if (!zmq_msg_more(&id)) {
		zmq_msg_close(&id);
		return 1;
	}
	zmq_msg_init(&body);
	if (zmq_msg_recv(&body, b->router, 0) < 0) {
		zmq_msg_close(&id);
		zmq_msg_close(&body);
		return 1;
	}
	bool extra = zmq_msg_more(&body);
	while (extra) { /* one frame per message: drop the rest */
		zmq_msg_t junk;
		zmq_msg_init(&junk);
		extra = zmq_msg_recv(&junk, b->router, 0) >= 0 && zmq_msg_more(&junk);
		zmq_msg_close(&junk);
	}
	/* The message's connection: it has authenticated (conns.h), and what
	 * its TCP stack acknowledges is credited to its session (session.h). */
	b->rx_fd = zmq_msg_get(&body, ZMQ_SRCFD);
	const char *user = zmq_msg_gets(&body, "User-Id");
	if (zmq_msg_size(&id) <= RID_MAX && user != NULL && strlen(user) == 64)
		handle_frame(b, zmq_msg_data(&id), zmq_msg_size(&id), user, zmq_msg_data(&body),
			     zmq_msg_size(&body));
	zmq_msg_close(&id);
	zmq_msg_close(&body);
	return 1;
}

/* The authority's key, the broker's certificate and its secret keys,
 * which must be the ones the certificate names. 0, or -1 with err. */
static int load_identity(struct lia_broker *b, const struct lia_broker_config *cfg,
			 char err[static LIA_ERR_MAX])
{
	char name[LIA_NAME_MAX], path[PATH_MAX];
	if (lia_pubkey_load(cfg->authority_key, LIA_KEY_AUTHORITY, b->authority_pk, name, err) != 0)
		return -1;
	const char *pf = cfg->passphrase_file[0] ? cfg->passphrase_file : NULL;
	if (path_in(path, cfg->keys, "cert.crt", err) != 0 ||
	    lia_file_read(path, LIA_CERT_MAX_BYTES, &b->me.cert_bytes, &b->me.cert_len, err) != 0)
		return -1;
	enum lia_cert_status cst = lia_cert_decode(&b->me.cert, b->me.cert_bytes, b->me.cert_len, b->authority_pk);
	if (cst != LIA_CERT_OK || b->me.cert.kind != LIA_CERT_BROKER) {
		lia_errf(err, "\"%s\": %s", path, cst != LIA_CERT_OK ? lia_cert_status_str(cst) : "not a broker certificate");
		return -1;
	}
	b->me.sign = path_in(path, cfg->keys, "sign.sec", err) ? NULL : lia_secret_open(path, LIA_KEY_SIGN, pf, err);
	if (b->me.sign == NULL)
		return -1;
	b->me.transport = path_in(path, cfg->keys, "transport.sec", err) ? NULL : lia_secret_open(path, LIA_KEY_TRANSPORT, pf, err);
	if (b->me.transport == NULL)
		return -1;
	if (memcmp(b->me.sign->pk, b->me.cert.sign_pk, 32) != 0 ||
	    memcmp(b->me.transport->pk, b->me.cert.transport_pk, 32) != 0) {
		lia_errf(err, "the broker's keys are not the ones its certificate names");
		return -1;
	}
	return 0;
}

/* One broker per data directory: an exclusive flock on data/liaison.lock,
 * held for the broker's life (the kernel drops it when the process dies,
 * kill -9 included, so there is no stale lock to clean up). Two brokers
 * on one store would each number messages and deliveries and append to
 * one ledger, their sequences interleaved (issue 10, item 13). The file
 * is created 0600 and never followed through a symbolic link; it holds
 * the owner's pid, for the message a second broker prints. 0, or -1
 * with err. */
static int lock_data(struct lia_broker *b, const char *data, char err[static LIA_ERR_MAX])
{
	char path[PATH_MAX];
	if (path_in(path, data, "liaison.lock", err) != 0)
		return -1;
	b->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (b->lock_fd < 0)
		return lia_errf(err, "cannot open the lock \"%s\": %s", path, strerror(errno));
	if (flock(b->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		char pid[24] = "";
		ssize_t n = pread(b->lock_fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? strspn(pid, "0123456789") : 0] = '\0';
		if (e == EWOULDBLOCK)
			return lia_errf(err, "data directory \"%s\" is in use by another broker%s%s%s "
					     "(\"%s\" is locked); one store has one broker",
					data, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "", path);
		return lia_errf(err, "cannot lock \"%s\": %s", path, strerror(e));
	}
	char pid[24];
	int w = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(b->lock_fd, 0) != 0 || pwrite(b->lock_fd, pid, (size_t)w, 0) != (ssize_t)w)
		return lia_errf(err, "cannot write the lock \"%s\": %s", path, strerror(errno));
	return 0;
}

/* The loop's event sources: the signal descriptor, the ZAP handler, the
 * ROUTER and its monitor, in that order. 0, or -1 with err. */
static int open_events(struct lia_broker *b, const struct lia_broker_config *cfg,
		       char err[static LIA_ERR_MAX])
{
	/* Signals become loop events. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	b->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (b->sigfd < 0) {
		lia_errf(err, "signalfd: %s", strerror(errno));
		return -1;
	}
	b->zctx = zmq_ctx_new();
	if (b->zctx == NULL) {
		lia_errf(err, "cannot create a ZeroMQ context");
		return -1;
	}
	/* A connection's CURVE work is done by the I/O thread that owns
	 * it: with one, every peer's frames and answers waited behind a
	 * peer fetching 700 KiB messages (bench_noisy: 4-5 ms each way).
	 * libzmq spreads connections over the threads. */
	if (zmq_ctx_set(b->zctx, ZMQ_IO_THREADS, (int)cfg->io_threads) != 0) {
		lia_errf(err, "cannot set %u I/O threads: %s", cfg->io_threads, zmq_strerror(zmq_errno()));
		return -1;
	}
	/* The ZAP handler is bound before the ROUTER: no connection is ever
	 * admitted without it, and if it stops answering, none is admitted. */
	b->zap = zmq_socket(b->zctx, ZMQ_REP);
	if (b->zap == NULL || zmq_bind(b->zap, "inproc://zeromq.zap.01") != 0) {
		lia_errf(err, "cannot install the ZAP handler: %s", zmq_strerror(zmq_errno()));
		return -1;
	}
	int hs_ms = (int)cfg->handshake_seconds * 1000;
	b->router = lia_wire_server(b->zctx, cfg->listen, b->me.transport, hs_ms, err);
	if (b->router == NULL)
		return -1;
	/* Before the first connection can be accepted: every accepted
	 * descriptor is seen (issue 11, item 4). */
	return lia_conns_monitor(&b->conns, b->zctx, b->router, err);
}

/* The database and ledger against the state beside them (ledger_state.h),
 * before anything appends to the ledger. 0, or -1 with err (and
 * start->refused when the store failed its checks). */
static int check_ledger(struct lia_broker *b, struct lia_broker_start *start, char err[static LIA_ERR_MAX])
{
	char todo[LIA_ERR_MAX];
	struct lia_ledger_state_opts o = {
		.check_only = start->check,
		.has_accept = start->has_accept_ledger,
		.accept = start->accept_ledger,
	};
	struct lia_ledger_state_report rep;
	if (lia_note_verifier_init(&b->ledger_key, lia_ledger_origin(b->ledger), b->me.cert.sign_pk, err) != 0)
		return -1;
	int rc = lia_ledger_state_open(&b->lstate, b->cfg.data, b->unit, &b->ledger_key, &o, &rep, err, todo);
	if (rc == LIA_STATE_REFUSED) {
		start->refused = true;
		snprintf(start->todo, sizeof start->todo, "%s", todo);
		lia_blog("ledger-refused", "reason=\"%s\" todo=\"%s\"", err, todo);
		return -1;
	}
	if (rc != 0)
		return -1;
	if (rep.accepted)
		lia_blog("ledger-accepted", "records=%" PRIu64 " missing=%" PRIu64 " signed=%" PRIu64
			 " committed=%" PRIu64, rep.records, rep.missing, rep.signed_size, rep.committed);
	lia_blog("ledger-checked", "records=%" PRIu64 " checkpoints=%" PRIu64 " signed=%" PRIu64
		 " committed=%" PRIu64 " quick_check=ok", rep.records, rep.checkpoints, rep.signed_size,
		 rep.committed);
	return 0;
}

struct lia_broker *lia_broker_new(const struct lia_broker_config *cfg, struct lia_broker_start *start,
				  char err[static LIA_ERR_MAX])
{
	struct lia_broker_start plain = {0};
	if (start == NULL)
		start = &plain;
	struct lia_broker *b = calloc(1, sizeof *b);
	if (b == NULL) {
		lia_errf(err, "out of memory");
		return NULL;
	}
	b->cfg = *cfg;
	b->refusals.interval = cfg->refusal_record_seconds;
	b->sigfd = -1;
	b->lock_fd = -1;
	b->check_only = start->check;
	/* Descriptors first: the soft limit is raised to the hard one, and
	 * half of it may be held by connections not yet authenticated. */
	uint64_t soft, hard;
	lia_conns_raise_limit(&soft, &hard);
	uint64_t total = soft / 2;
	total = total < 16 ? 16 : total > 100000 ? 100000 : total;
	if (lia_conns_init(&b->conns, cfg->handshakes_per_address, (uint32_t)total,
			   cfg->connections_per_principal, err) != 0)
		goto fail;
	b->conns.soft = soft;
	b->conns.hard = hard;
	b->rx_fd = -1;
	b->sessions = calloc(cfg->max_sessions, sizeof *b->sessions);
	b->cand = calloc(CANDIDATES_MAX, sizeof *b->cand);
	if (b->sessions == NULL || b->cand == NULL) {
		lia_errf(err, "out of memory");
		goto fail;
	}
	char path[PATH_MAX];
	if (load_identity(b, cfg, err) != 0)
		goto fail;
	lia_directory_init(&b->dir, b->authority_pk);
	if (lock_data(b, cfg->data, err) != 0)
		goto fail;
	if (path_in(path, cfg->data, "liaison.db", err) != 0)
		goto fail;
	b->unit = lia_unit_open(path, b->me.cert.subject, err);
	if (b->unit == NULL) {
		/* A file SQLite cannot even open may be damaged: that is the
		 * start-up check's refusal, not a plain failure. */
		char why[LIA_ERR_MAX];
		if (access(path, F_OK) == 0 && lia_unit_damaged(path, why) == 1) {
			lia_errf(err, "the database is damaged: %s", why);
			start->refused = true;
			snprintf(start->todo, sizeof start->todo, "%s", LIA_STATE_TODO_DAMAGED);
			lia_blog("ledger-refused", "reason=\"%s\" todo=\"%s\"", err, start->todo);
		}
		goto fail;
	}
	b->store = lia_unit_store(b->unit);
	b->ledger = lia_unit_ledger(b->unit);
	if (check_ledger(b, start, err) != 0)
		goto fail;
	if (lia_reload_policy(b, false) != 0) {
		lia_errf(err, "cannot load the policy \"%s\" (see above)", cfg->policy);
		goto fail;
	}
	if (lia_reload_directory(b, false) != 0) {
		lia_errf(err, "cannot load certificates from \"%s\" (see above)", cfg->certificates);
		goto fail;
	}
	if (lia_feeds_reload(b) != 0) {
		lia_errf(err, "cannot read feeds from the store");
		goto fail;
	}
	if (open_events(b, cfg, err) != 0)
		goto fail;
	char kid[LIA_KEYID_HEX];
	lia_keyid_hex(kid, b->me.cert.sign_kid);
	lia_blog("listening", "endpoint=%s broker=%s sign_key=%s", cfg->listen, b->me.cert.subject, kid);
	return b;
fail:
	lia_broker_destroy(&b);
	return NULL;
}

void lia_broker_destroy(struct lia_broker **bp)
{
	if (bp == NULL || *bp == NULL)
		return;
	struct lia_broker *b = *bp;
	if (b->router != NULL) {
		lia_conns_stop(&b->conns, b->router);
		zmq_close(b->router);
	}
	lia_conns_free(&b->conns);
	if (b->zap != NULL)
		zmq_close(b->zap);
	if (b->zctx != NULL)
		zmq_ctx_term(b->zctx);
	if (b->sigfd >= 0)
		close(b->sigfd);
	lia_envcache_clear(b);
	lia_intake_clear(b);
	lia_maint_stop(b); /* before the connection it works beside */
	lia_unit_destroy(&b->unit); /* rolls back an open turn */
	lia_ledger_state_close(&b->lstate);
	b->store = NULL;
	b->ledger = NULL;
	lia_policy_destroy(&b->policy);
	lia_directory_clear(&b->dir);
	for (size_t i = 0; i < b->n_out; i++) {
		free(b->out[i].frame);
		free(b->out[i].fallback);
	}
	free(b->out);
	free(b->feeds);
	free(b->budgets);
	free(b->sessions);
	free(b->cand);
	lia_secret_destroy(&b->me.sign);
	lia_secret_destroy(&b->me.transport);
	free(b->me.cert_bytes);
	if (b->lock_fd >= 0)
		close(b->lock_fd); /* last: the store is closed */
	free(b);
	*bp = NULL;
}

static void handle_signals(struct lia_broker *b)
{
	struct signalfd_siginfo si;
	while (read(b->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			lia_blog("reload", "policy=\"%s\" certificates=\"%s\"", b->cfg.policy, b->cfg.certificates);
			bool policy = lia_reload_policy(b, true) == 0;
			bool directory = lia_reload_directory(b, true) == 0;
			lia_blog("reload-done", "policy=%s directory=%s", policy ? "loaded" : "kept",
				 directory ? "loaded" : "kept");
		} else {
			lia_blog("stopping", "signal=%u", si.ssi_signo);
			b->stop = true;
		}
	}
}

/* One turn's frames (intake.h): first those the last turn parked, in
 * the order they came (at most INTAKE_PEER_MAX a peer), then the
 * ROUTER's until the turn's frames, time or a peer's share run out. */
static void serve_turn(struct lia_broker *b)
{
	lia_intake_begin(b);
	const struct lia_parked *p;
	for (size_t i = 0; (p = lia_intake_parked(b, i)) != NULL; i++) {
		b->rx_fd = p->fd;
		handle_frame(b, p->rid, p->rid_len, p->user, p->buf, p->len);
	}
	for (uint32_t n = 0; lia_intake_more(b, n); n++)
		if (router_read(b) == 0)
			break;
	/* One line a second at most, however many were refused. */
	int64_t now = lia_now();
	if (b->intake.busy > 0 && now > b->intake.busy_logged) {
		lia_blog("turn-busy", "refused=%" PRIu64 " parked=%zu", b->intake.busy, b->intake.n_next);
		b->intake.busy = 0;
		b->intake.busy_logged = now;
	}
}

int lia_broker_run(struct lia_broker *b, void (*ready)(void))
{
	char err[LIA_ERR_MAX];
	/* Without its thread the broker still runs: WAL and ledger
	 * checkpoints then happen in the loop, as they did before. */
	if (lia_maint_start(b, err) != 0)
		lia_blog("maint-error", "%s; checkpoints are signed in the loop", err);
	if (ready != NULL)
		ready();
	int64_t last_idle_check = lia_now();
	while (!b->stop) {
		zmq_pollitem_t items[] = {
			{b->zap, 0, ZMQ_POLLIN, 0},
			{b->router, 0, ZMQ_POLLIN, 0},
			{NULL, b->sigfd, ZMQ_POLLIN, 0},
			{b->conns.mon, 0, ZMQ_POLLIN, 0},
		};
		if (zmq_poll(items, 4, lia_intake_waiting(b) ? 0 : 1000) < 0 && zmq_errno() != EINTR) {
			lia_blog("poll-error", "%s", zmq_strerror(zmq_errno()));
			break;
		}
		if (items[2].revents & ZMQ_POLLIN)
			handle_signals(b);
		while (zmq_poll(items, 1, 0) > 0 && (items[0].revents & ZMQ_POLLIN))
			lia_zap_handle(b);
		serve_turn(b);
		lia_turn_commit(b);
		int64_t now = lia_now();
		lia_conns_events(&b->conns, now); /* every turn: its log is on a timer */
		if (now >= b->next_expiry) {
			/* Once a second: erase what expired, and look again for
			 * deliveries whose embargo has just ended. */
			lia_deliver_expire(b, now);
			lia_verif_tick(b, now);
			lia_limits_tick(b, now);
			lia_zap_flush(b, now, false);
			b->next_expiry = now + 1;
			for (uint32_t i = 0; i < b->n_sessions; i++)
				if (b->sessions[i].used && b->sessions[i].receive)
					b->sessions[i].maybe_pending = true;
		}
		for (uint32_t i = 0; i < b->n_sessions; i++)
			if (b->sessions[i].used && b->sessions[i].receive && b->sessions[i].maybe_pending)
				lia_deliver_pending(b, &b->sessions[i]);
		for (uint32_t i = 0; i < b->n_sessions; i++)
			if (b->sessions[i].used && b->sessions[i].receive && b->sessions[i].maybe_erase)
				lia_deliver_erasures(b, &b->sessions[i]);
		/* The sent marks of the pushes above (delivery.c), in a commit of
		 * their own: nothing else may find the transaction open (the
		 * ledger checkpoint below). One more sync on turns that pushed. */
		lia_turn_commit(b);
		lia_envcache_clear(b);
		lia_maint_tick(b, now);
		if (now - last_idle_check >= 10) {
			for (uint32_t i = 0; i < b->n_sessions; i++)
				if (b->sessions[i].used && now - b->sessions[i].last_seen > IDLE_SECONDS &&
				    lia_session_queued(&b->sessions[i], now) == 0) /* else uncounted */
					b->sessions[i].used = false;
			last_idle_check = now;
		}
	}
	/* SIGTERM: what this turn accepted is committed (or refused) above;
	 * the rate-limit refusals and repeats still owed, and the refused
	 * handshakes counted since the last summary, are recorded; a last
	 * checkpoint covers it all. */
	lia_limits_flush(b);
	lia_zap_flush(b, lia_now(), true);
	lia_turn_commit(b);
	lia_maint_finish(b, lia_now());
	lia_blog("stopped", "clean");
	return 0;
}
