/* maint.c — see maint.h. */
#include "maint.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "ledger.h"
#include "unit.h"

struct lia_maint {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct lia_unit_side *side;     /* the thread's connection */
	const struct lia_secret *key;   /* the broker's, read-only while the thread runs */
	/* Under mu: */
	bool stop;
	bool wal_due;                   /* a commit left the WAL at MAINT_WAL_PAGES or more */
	bool wal_running;               /* the thread is copying it */
	bool wal_copied;                /* it copied every frame it saw: the loop catches up */
	bool job;                       /* a checkpoint to sign (pin, has_pin, now) */
	bool done;                      /* its result is ready (rc, note, c, err) */
	bool has_pin;
	struct lia_checkpoint pin;
	int64_t now;
	int rc;                         /* lia_ledger_checkpoint_prepare's */
	char *note;
	size_t len;
	struct lia_checkpoint c;
	char err[LIA_ERR_MAX];
	char wal_err[LIA_ERR_MAX];      /* the last WAL checkpoint failure, "" none */
	/* The loop's own: */
	bool busy;                      /* a job was handed over and not collected */
	uint64_t cp_size;               /* the latest checkpoint stored: its size */
	int64_t cp_at;                  /* and when it was issued */
	int64_t retry_at;               /* after a refusal, not before this */
	bool wal_logged;
};

/* From the loop thread, inside a commit (unit.h). */
static void wal_wanted(void *ctx)
{
	struct lia_maint *m = ctx;
	pthread_mutex_lock(&m->mu);
	if (!m->wal_due && !m->wal_running && !m->wal_copied) {
		m->wal_due = true;
		pthread_cond_signal(&m->cv);
	}
	pthread_mutex_unlock(&m->mu);
}

static void *run(void *arg)
{
	struct lia_maint *m = arg;
	struct lia_ledger *l = lia_unit_side_ledger(m->side);
	pthread_mutex_lock(&m->mu);
	for (;;) {
		while (!m->stop && !m->wal_due && !m->job)
			pthread_cond_wait(&m->cv, &m->mu);
		if (m->stop)
			break;
		if (m->wal_due) {
			m->wal_due = false;
			m->wal_running = true;
			pthread_mutex_unlock(&m->mu);
			char err[LIA_ERR_MAX] = "";
			int left = 0;
			int rc = lia_unit_side_wal_checkpoint(m->side, &left, err);
			pthread_mutex_lock(&m->mu);
			m->wal_running = false;
			if (rc != 0)
				memcpy(m->wal_err, err, sizeof err);
			else
				m->wal_copied = left == 0;
			continue;
		}
		struct lia_checkpoint pin = m->pin;
		bool has_pin = m->has_pin;
		int64_t now = m->now;
		m->job = false;
		pthread_mutex_unlock(&m->mu);
		char *note = NULL, err[LIA_ERR_MAX] = "";
		size_t len = 0;
		struct lia_checkpoint c;
		memset(&c, 0, sizeof c);
		int rc = lia_ledger_checkpoint_prepare(l, m->key, now, has_pin ? &pin : NULL, &note, &len, &c, err);
		pthread_mutex_lock(&m->mu);
		m->rc = rc;
		m->note = note;
		m->len = len;
		m->c = c;
		memcpy(m->err, err, sizeof err);
		m->done = true;
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

int lia_maint_start(struct lia_broker *b, char err[static LIA_ERR_MAX])
{
	if (b->check_only || b->maint != NULL)
		return 0;
	struct lia_maint *m = calloc(1, sizeof *m);
	if (m == NULL)
		return lia_errf(err, "out of memory");
	m->key = b->me.sign;
	uint64_t size = 0;
	char *note = NULL, why[LIA_ERR_MAX];
	size_t len = 0;
	int rc = lia_ledger_checkpoint_latest(b->ledger, &size, &note, &len, why);
	free(note);
	if (rc < 0 || lia_ledger_checkpoint_issued(b->ledger, &m->cp_at, why) != 0) {
		free(m);
		return lia_errf(err, "cannot read the ledger's latest checkpoint: %s", why);
	}
	m->cp_size = rc == 0 ? size : 0;
	m->side = lia_unit_side_open(b->unit, why);
	if (m->side == NULL) {
		free(m);
		return lia_errf(err, "cannot open the store's background connection: %s", why);
	}
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	if (pthread_create(&m->th, NULL, run, m) != 0) {
		pthread_cond_destroy(&m->cv);
		pthread_mutex_destroy(&m->mu);
		lia_unit_side_close(&m->side);
		free(m);
		return lia_errf(err, "cannot start the background thread");
	}
	b->maint = m;
	lia_unit_wal_defer(b->unit, MAINT_WAL_PAGES, wal_wanted, m);
	return 0;
}

/* A checkpoint was stored: keep it beside the store (ledger_state.h). */
static void keep_signed(struct lia_broker *b)
{
	char err[LIA_ERR_MAX];
	if (lia_ledger_state_signed(&b->lstate, b->ledger, err) != 0)
		lia_blog("ledger-state-error", "%s", err);
	else
		lia_blog("checkpoint", "signed");
}

/* A checkpoint signed in the loop itself (no thread, or the last one
 * at stop). */
static void checkpoint_in_loop(struct lia_broker *b, int64_t now, uint64_t every_records, int64_t every_seconds)
{
	char err[LIA_ERR_MAX];
	bool issued = false;
	if (lia_ledger_checkpoint_maybe(b->ledger, b->me.sign, now, every_records, every_seconds, &issued, err) != 0)
		lia_blog("checkpoint-error", "%s", err);
	else if (issued)
		keep_signed(b);
}

/* The thread's result, stored by the loop. */
static void collect(struct lia_broker *b, struct lia_maint *m, int64_t now)
{
	char err[LIA_ERR_MAX];
	m->busy = false;
	if (m->rc < 0) {
		lia_blog("checkpoint-error", "%s", m->err);
		m->retry_at = now + CP_RETRY_SECONDS;
	} else if (m->rc == 0) { /* nothing new after all */
		m->retry_at = now + 1;
	} else {
		if (lia_ledger_checkpoint_adopt(b->ledger, m->note, m->len, &m->c, now, err) != 0) {
			lia_blog("checkpoint-error", "%s", err);
			m->retry_at = now + CP_RETRY_SECONDS;
		} else {
			m->cp_size = m->c.size;
			m->cp_at = now;
			keep_signed(b);
		}
	}
	free(m->note);
	m->note = NULL;
}

void lia_maint_tick(struct lia_broker *b, int64_t now)
{
	struct lia_maint *m = b->maint;
	if (m == NULL) {
		checkpoint_in_loop(b, now, b->cfg.checkpoint_records, b->cfg.checkpoint_seconds);
		return;
	}
	pthread_mutex_lock(&m->mu);
	bool done = m->done;
	m->done = false;
	bool copied = m->wal_copied;
	m->wal_copied = false;
	char wal_err[LIA_ERR_MAX];
	memcpy(wal_err, m->wal_err, sizeof wal_err);
	pthread_mutex_unlock(&m->mu);
	if (wal_err[0] != '\0' && !m->wal_logged) {
		lia_blog("store-error", "background WAL checkpoint failed: %s", wal_err);
		m->wal_logged = true; /* once: the commits checkpoint past the bound */
	}
	char err[LIA_ERR_MAX];
	if (copied && lia_unit_wal_catch_up(b->unit, err) != 0)
		lia_blog("store-error", "%s", err);
	if (done)
		collect(b, m, now);
	uint64_t size = b->lstate.size_written; /* the ledger's size, after every commit */
	if (m->busy || now < m->retry_at || size <= m->cp_size)
		return;
	uint64_t every = b->cfg.checkpoint_records;
	int64_t secs = b->cfg.checkpoint_seconds;
	if (!((every != 0 && size - m->cp_size >= every) || (secs > 0 && now - m->cp_at >= secs)))
		return;
	pthread_mutex_lock(&m->mu);
	m->has_pin = lia_ledger_pinned(b->ledger, &m->pin);
	m->now = now;
	m->job = true;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	m->busy = true;
}

void lia_maint_stop(struct lia_broker *b)
{
	struct lia_maint *m = b->maint;
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = true;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->th, NULL);
	lia_unit_wal_defer(b->unit, MAINT_WAL_PAGES, NULL, NULL);
	free(m->note);
	lia_unit_side_close(&m->side);
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m);
	b->maint = NULL;
}

void lia_maint_finish(struct lia_broker *b, int64_t now)
{
	lia_maint_stop(b);
	checkpoint_in_loop(b, now, 1, 0);
}
