/*
 * receive.c — inbox, read, and the listener with its record of the ids
 * already shown (receive.h).
 */
#include "receive.h"
#include "watch.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int lia_receive_inbox(struct lia_client *cl, const char *profile, uint64_t after, uint32_t limit,
		      struct lia_frame *rep, char err[static LIA_ERR_MAX])
{
	struct lia_frame req;
	lia_frame_init(&req, LIA_FRAME_INBOX, 0);
	req.u.inbox.after = after;
	req.u.inbox.limit = limit;
	/* The box key: a recall's reason is read from the recall (recall.h). */
	return lia_agent_call(cl, profile, LIA_ID_BOX, &req, rep, LIA_FRAME_INBOX_LIST, err);
}

int lia_receive_thread(struct lia_client *cl, const char *profile, const uint8_t id[static LIA_ID_BYTES],
		       struct lia_frame *rep, char err[static LIA_ERR_MAX])
{
	struct lia_frame req;
	lia_frame_init(&req, LIA_FRAME_THREAD_QUERY, 0);
	memcpy(req.u.thread_query.message_id, id, LIA_ID_BYTES);
	return lia_agent_call(cl, profile, 0, &req, rep, LIA_FRAME_THREAD_LIST, err);
}

int lia_receive_read(struct lia_client *cl, const char *profile, const uint8_t id[static LIA_ID_BYTES],
		     struct lia_opened *out, struct lia_fetched *meta, char err[static LIA_ERR_MAX])
{
	memset(out, 0, sizeof *out);
	memset(meta, 0, sizeof *meta);
	int rc = lia_agent_connect(cl, profile, LIA_ID_BOX, false, 0, LIA_AGENT_TIMEOUT_MS, err);
	return rc == LIA_EXIT_OK ? lia_receive_fetch_meta(cl, id, out, meta, err) : rc;
}

int lia_receive_fetch(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
		      struct lia_opened *out, char err[static LIA_ERR_MAX])
{
	return lia_receive_fetch_meta(cl, id, out, NULL, err);
}

int lia_receive_fetch_meta(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
			   struct lia_opened *out, struct lia_fetched *meta, char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	memset(out, 0, sizeof *out);
	if (meta != NULL)
		memset(meta, 0, sizeof *meta);
	lia_frame_init(&req, LIA_FRAME_FETCH, 0);
	memcpy(req.u.fetch.message_id, id, LIA_ID_BYTES);
	int rc = lia_agent_ask(cl, &req, &rep, LIA_FRAME_DELIVER, err);
	if (meta != NULL && rep.type == LIA_FRAME_ERROR && rep.u.error.code == LIA_ERROR_NOT_FOUND)
		meta->not_found = true;
	if (rc == LIA_EXIT_OK && meta != NULL) {
		meta->superseded = rep.u.deliver.superseded;
		meta->erased_at = rep.u.deliver.erased_at;
	}
	if (rc == LIA_EXIT_OK && rep.u.deliver.erased_at != 0) {
		char idh[2 * LIA_ID_BYTES + 1], at[32];
		lia_id_hex(idh, id);
		lia_time_format(rep.u.deliver.erased_at, at);
		lia_errf(err, "message %s was erased (or expired) at %s: nothing of it is left to show", idh, at);
		lia_frame_clear(&rep);
		return LIA_EXIT_FAIL;
	}
	struct lia_opener *op = rc == LIA_EXIT_OK ? lia_opener_new(&cl->id.cert, cl->id.box) : NULL;
	if (rc == LIA_EXIT_OK && op == NULL) {
		lia_errf(err, "unexpected answer from the broker");
		rc = LIA_EXIT_FAIL;
	} else if (rc == LIA_EXIT_OK) {
		enum lia_env_status st = lia_agent_open_delivered(
			cl, op, rep.u.deliver.envelope.p, rep.u.deliver.envelope.len,
			rep.u.deliver.originator, out);
		if (st != LIA_ENV_OK) {
			lia_errf(err, "the message failed verification: %s", lia_env_status_str(st));
			rc = LIA_EXIT_VERIFY;
		}
	}
	lia_opener_destroy(&op);
	lia_frame_clear(&rep);
	return rc;
}

/* --- the ids already shown --- */

/* A record of KEYS/shown: the message id and its state. */
#define SHOWN_REC (LIA_ID_BYTES + 1)
enum { SHOWN_PENDING = 'p', SHOWN_DONE = 's' };

struct seen {
	uint8_t ids[LIA_SEEN_MAX][LIA_ID_BYTES];
	uint8_t state[LIA_SEEN_MAX];
	size_t n, next; /* ring */
	char path[PATH_MAX];
	FILE *log;
};

void (*lia_receive_hook)(const char *point);

static void hook(const char *point)
{
	if (lia_receive_hook != NULL)
		lia_receive_hook(point);
}

/* The ring slot holding id, or -1. */
static long seen_find(const struct seen *s, const uint8_t id[static LIA_ID_BYTES])
{
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->ids[i], id, LIA_ID_BYTES) == 0)
			return (long)i;
	return -1;
}

/* Remember id in state st (a later record of one id overrides). */
static void seen_put(struct seen *s, const uint8_t id[static LIA_ID_BYTES], uint8_t st)
{
	long i = seen_find(s, id);
	if (i >= 0) {
		s->state[i] = st;
		return;
	}
	memcpy(s->ids[s->next], id, LIA_ID_BYTES);
	s->state[s->next] = st;
	s->next = (s->next + 1) % LIA_SEEN_MAX;
	if (s->n < LIA_SEEN_MAX)
		s->n++;
}

/* Rewrite the file with only the ring; a failure is a warning. */
static void seen_compact(struct seen *s, char warning[static LIA_ERR_MAX])
{
	uint8_t *out = malloc(s->n * SHOWN_REC);
	if (out == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		size_t k = (s->next + LIA_SEEN_MAX - s->n + i) % LIA_SEEN_MAX;
		memcpy(out + i * SHOWN_REC, s->ids[k], LIA_ID_BYTES);
		out[i * SHOWN_REC + LIA_ID_BYTES] = s->state[k];
	}
	if (lia_file_replace(s->path, out, s->n * SHOWN_REC, 0600, warning) == 0)
		warning[0] = '\0';
	free(out);
}

/* The file of a listener from before issue 12 (KEYS/seen, ids only,
 * written before showing): its ids count as maybe not shown, so a
 * redelivery of one is shown again, marked as a repeat. */
static void seen_import_old(struct seen *s, const char *keys_dir)
{
	char old[PATH_MAX], err[LIA_ERR_MAX];
	int w = snprintf(old, sizeof old, "%s/seen", keys_dir);
	if (w < 0 || (size_t)w >= sizeof old || access(old, F_OK) != 0)
		return;
	uint8_t *buf = NULL;
	size_t len = 0;
	if (lia_file_read_private(old, 4 * LIA_SEEN_MAX * LIA_ID_BYTES, &buf, &len, err) == 0) {
		size_t count = len / LIA_ID_BYTES, first = count > LIA_SEEN_MAX ? count - LIA_SEEN_MAX : 0;
		for (size_t i = first; i < count; i++)
			seen_put(s, buf + i * LIA_ID_BYTES, SHOWN_PENDING);
		free(buf);
	}
	char warning[LIA_ERR_MAX] = "";
	seen_compact(s, warning);
	if (warning[0] == '\0')
		unlink(old);
}

static void seen_open(struct seen *s, const char *keys_dir, char warning[static LIA_ERR_MAX])
{
	char err[LIA_ERR_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int w = snprintf(s->path, sizeof s->path, "%s/shown", keys_dir);
	if (w < 0 || (size_t)w >= sizeof s->path)
		return;
	if (access(s->path, F_OK) != 0) {
		seen_import_old(s, keys_dir);
	} else if (lia_file_read_private(s->path, 4 * LIA_SEEN_MAX * SHOWN_REC, &buf, &len, err) == 0) {
		/* Whole records only: a torn last one (a crash while it was
		 * written) is dropped, and its message shown again. */
		for (size_t i = 0; i + SHOWN_REC <= len; i += SHOWN_REC) {
			uint8_t st = buf[i + LIA_ID_BYTES];
			if (st == SHOWN_PENDING || st == SHOWN_DONE)
				seen_put(s, buf + i, st);
		}
		free(buf);
	} else {
		/* Too large or unreadable: start afresh from what we keep. */
		unlink(s->path);
	}
	if (s->n > 0 && len / SHOWN_REC >= 2 * LIA_SEEN_MAX)
		seen_compact(s, warning);
	int fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	s->log = fd >= 0 ? fdopen(fd, "ab") : NULL;
	if (s->log == NULL) {
		if (fd >= 0)
			close(fd);
		lia_errf(warning, "cannot keep the messages shown in \"%s\": a repeat after a crash "
				  "will not be marked", s->path);
	}
}

/* Persist one record (to the kernel: it survives the process). */
static void seen_log(struct seen *s, const uint8_t id[static LIA_ID_BYTES], uint8_t st)
{
	seen_put(s, id, st);
	if (s->log == NULL)
		return;
	uint8_t rec[SHOWN_REC];
	memcpy(rec, id, LIA_ID_BYTES);
	rec[LIA_ID_BYTES] = st;
	/* A failed write loses only the repeat mark of a later showing. */
	(void)!(fwrite(rec, 1, SHOWN_REC, s->log) == SHOWN_REC && fflush(s->log) == 0);
}

/* --- the listener --- */

struct lia_listener {
	struct lia_client *cl;
	struct lia_opener *op;
	time_t last_ping;
	char warning[LIA_ERR_MAX];
	struct seen seen;
	bool unchecked; /* a new session whose ledger check has not passed yet */
};

struct lia_listener *lia_listener_new(struct lia_client *cl, char err[static LIA_ERR_MAX])
{
	if (lia_client_directory(cl, err) != 0)
		return NULL;
	struct lia_listener *l = calloc(1, sizeof *l);
	if (l == NULL) {
		lia_errf(err, "out of memory");
		return NULL;
	}
	l->cl = cl;
	l->op = lia_opener_new(&cl->id.cert, cl->id.box);
	if (l->op == NULL) {
		lia_errf(err, "cannot set up opening with the box key");
		free(l);
		return NULL;
	}
	l->last_ping = time(NULL);
	seen_open(&l->seen, cl->keys_dir, l->warning);
	return l;
}

void lia_listener_destroy(struct lia_listener **lp)
{
	struct lia_listener *l = *lp;
	if (l == NULL)
		return;
	if (l->seen.log != NULL)
		fclose(l->seen.log);
	lia_opener_destroy(&l->op);
	free(l);
	*lp = NULL;
}

const char *lia_listener_warning(const struct lia_listener *l)
{
	return l->warning;
}

/* A delivery: opened and not shown yet (recorded as about to be shown
 * before it is returned), shown maybe (a repeat: it was about to be shown
 * when the listener stopped), shown already (not shown again), or
 * refused. */
static void on_deliver(struct lia_listener *l, struct lia_event *ev)
{
	const struct lia_bytes *env = &ev->frame.u.deliver.envelope;
	ev->sequence = ev->frame.u.deliver.sequence;
	ev->originator = ev->frame.u.deliver.originator;
	ev->via = ev->frame.u.deliver.via;
	ev->status = lia_agent_open_delivered(l->cl, l->op, env->p, env->len, ev->originator,
					      &ev->opened);
	if (ev->status != LIA_ENV_OK) {
		ev->kind = LIA_EVENT_REFUSED;
		return;
	}
	hook("received");
	long i = seen_find(&l->seen, ev->opened.header.id);
	if (i >= 0 && l->seen.state[i] == SHOWN_DONE) {
		lia_opened_clear(&ev->opened);
		return;
	}
	ev->kind = LIA_EVENT_MESSAGE;
	ev->repeat = i >= 0;
	if (i < 0)
		seen_log(&l->seen, ev->opened.header.id, SHOWN_PENDING);
	hook("pending");
}

int lia_listener_next(struct lia_listener *l, struct lia_event *ev, int wait_ms,
		      char err[static LIA_ERR_MAX])
{
	memset(ev, 0, sizeof *ev);
	unsigned sessions = l->cl->sessions;
	int rc = lia_client_keep(l->cl, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	if (l->cl->sessions != sessions || l->unchecked) {
		/* A restarted broker may be a restored one: its ledger is
		 * checked again, as at the first session (watch.h). */
		rc = lia_watch_check(l->cl, &l->cl->welcome.u.welcome.checkpoint, NULL, err);
		if (rc == LIA_EXIT_UNREACHABLE) {
			/* No answer: the broker went away again right after the
			 * Hello (killed while restarting). Nothing of a session
			 * is received before its ledger is checked; the next call
			 * checks again, on whatever session is open then. */
			l->unchecked = true;
			return LIA_EXIT_OK;
		}
		if (rc != LIA_EXIT_OK)
			return rc;
		l->unchecked = false;
		ev->kind = LIA_EVENT_RECONNECTED;
		ev->session = l->cl->sessions;
		return LIA_EXIT_OK;
	}
	int r = lia_client_recv(l->cl, &ev->frame, wait_ms);
	if (r < 0) {
		lia_errf(err, "connection error");
		return LIA_EXIT_FAIL;
	}
	time_t now = time(NULL);
	if (r == 0) {
		if (now - l->last_ping >= 10) { /* keep the session alive */
			struct lia_frame p;
			lia_frame_init(&p, LIA_FRAME_PING, 0);
			(void)lia_client_send(l->cl, &p);
			l->last_ping = now;
		}
		return LIA_EXIT_OK;
	}
	ev->kind = LIA_EVENT_OTHER;
	switch (ev->frame.type) {
	case LIA_FRAME_DELIVER: on_deliver(l, ev); break;
	case LIA_FRAME_ERASE:
		ev->kind = LIA_EVENT_ERASE;
		ev->sequence = ev->frame.u.erase.sequence;
		memcpy(ev->message_id, ev->frame.u.erase.message_id, LIA_ID_BYTES);
		ev->expired_at = ev->frame.u.erase.expired_at;
		ev->on_demand = ev->frame.u.erase.on_demand;
		ev->erased_at = ev->frame.u.erase.erased_at;
		break;
	case LIA_FRAME_CONSENT_LIST:
		if (ev->frame.u.consent_list.n == 1) {
			ev->kind = LIA_EVENT_CONSENT;
			ev->consent = &ev->frame.u.consent_list.v[0];
		}
		break;
	case LIA_FRAME_VERIFICATION_LIST:
		if (ev->frame.request_id == 0 && ev->frame.u.verification_list.n > 0 &&
		    ev->frame.u.verification_list.notice != LIA_VERIF_NOTICE_NONE) {
			ev->kind = LIA_EVENT_VERIFICATION;
			ev->verif = ev->frame.u.verification_list.v;
			ev->n_verif = ev->frame.u.verification_list.n;
			ev->notice = ev->frame.u.verification_list.notice;
		}
		break;
	case LIA_FRAME_ERROR: {
		rc = lia_agent_error_status(&ev->frame, err);
		lia_frame_clear(&ev->frame);
		memset(ev, 0, sizeof *ev);
		return rc;
	}
	default: break;
	}
	return LIA_EXIT_OK;
}

void lia_listener_done(struct lia_listener *l, struct lia_event *ev)
{
	struct lia_frame ack;
	lia_frame_init(&ack, LIA_FRAME_ACK, 0);
	ack.u.ack.n = 1;
	if (ev->frame.type == LIA_FRAME_DELIVER) {
		/* Acknowledged once handled (shown and flushed, or refused and
		 * reported), so that it is not redelivered forever; a message
		 * shown is recorded as shown first. */
		if (ev->kind == LIA_EVENT_MESSAGE) {
			seen_log(&l->seen, ev->opened.header.id, SHOWN_DONE);
			hook("shown");
		}
		ack.u.ack.v[0] = ev->frame.u.deliver.sequence;
		(void)lia_client_send(l->cl, &ack);
		if (ev->kind == LIA_EVENT_MESSAGE)
			hook("acked");
	} else if (ev->frame.type == LIA_FRAME_ERASE) {
		/* The agent keeps no copy of its own beyond what it showed:
		 * confirm, so that the broker stops owing the notice. */
		ack.u.ack.v[0] = ev->frame.u.erase.sequence;
		ack.u.ack.erased = true;
		(void)lia_client_send(l->cl, &ack);
	}
	lia_opened_clear(&ev->opened);
	lia_frame_clear(&ev->frame);
	memset(ev, 0, sizeof *ev);
}
