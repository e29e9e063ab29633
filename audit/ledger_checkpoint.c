/*
 * ledger_checkpoint.c — the ledger's signed checkpoints: issuing one over
 * the committed log (never over a truncated or forked one), the periodic
 * form for the broker's loop, storing one received from elsewhere, and
 * reading them back (see ledger.h; the rows are the backend's,
 * ledger_storage.h).
 */
#include "ledger.h"
#include "ledger_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* --- checkpoints --- */

int lia_ledger_checkpoint_latest(struct lia_ledger *l, uint64_t *size, char **note, size_t *len,
				 char err[static LIA_ERR_MAX])
{
	*note = NULL;
	*len = 0;
	*size = 0;
	return l->ops->cp_latest(l->impl, size, note, len, err);
}

int lia_ledger_checkpoint_get(struct lia_ledger *l, uint64_t size, char **note, size_t *len,
			      char err[static LIA_ERR_MAX])
{
	*note = NULL;
	*len = 0;
	return l->ops->cp_get(l->impl, size, note, len, err);
}

/* The growing list of lia_ledger_checkpoint_list. */
struct sizes {
	uint64_t *v;
	size_t len, cap;
	bool oom;
};

static int sizes_add(void *ctx, int64_t size, const char *note, size_t len)
{
	(void)note;
	(void)len;
	struct sizes *s = ctx;
	if (s->len == s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 64;
		uint64_t *nv = realloc(s->v, ncap * sizeof *nv);
		if (nv == NULL) {
			s->oom = true;
			return 1;
		}
		s->v = nv;
		s->cap = ncap;
	}
	s->v[s->len++] = (uint64_t)size;
	return 0;
}

int lia_ledger_checkpoint_list(struct lia_ledger *l, uint64_t **sizes, size_t *n,
			       char err[static LIA_ERR_MAX])
{
	*sizes = NULL;
	*n = 0;
	struct sizes s = {0};
	if (l->ops->cp_each(l->impl, sizes_add, &s, err) != 0 || s.oom) {
		free(s.v);
		return s.oom ? lia_errf(err, "ledger: out of memory") : -1;
	}
	*sizes = s.v;
	*n = s.len;
	return 0;
}

int lia_ledger_checkpoint_store(struct lia_ledger *l, const char *note, size_t len,
				int64_t issued_at, char err[static LIA_ERR_MAX])
{
	size_t split = lia_note_split(note, len);
	if (split != len)
		return lia_errf(err, "checkpoint is not one signed note");
	/* The text is everything before the first blank line. */
	const char *blank = NULL;
	for (size_t i = 0; i + 1 < len; i++) {
		if (note[i] == '\n' && note[i + 1] == '\n') {
			blank = note + i;
			break;
		}
	}
	struct lia_checkpoint c;
	if (blank == NULL || lia_checkpoint_parse(&c, note, (size_t)(blank - note) + 1, err) != 0)
		return -1;
	if (strcmp(c.origin, l->origin) != 0)
		return lia_errf(err, "checkpoint is for log \"%.64s\", not \"%.64s\"", c.origin,
				l->origin);
	return l->ops->cp_put(l->impl, c.size, issued_at, note, len, err);
}

static int cp_root_of_note(const char *note, size_t len, struct lia_checkpoint *c,
			   char err[static LIA_ERR_MAX])
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (note[i] == '\n' && note[i + 1] == '\n')
			return lia_checkpoint_parse(c, note, i + 1, err);
	}
	return lia_errf(err, "stored checkpoint is not a signed note");
}

/* The latest checkpoint, checked against the records now stored (size of
 * them): refused when the log was truncated below it or no longer has
 * its root (never sign a fork). *have says whether there is one. */
static int latest_checked(struct lia_ledger *l, uint64_t size, bool *have, struct lia_checkpoint *p,
			  char err[static LIA_ERR_MAX])
{
	char *note = NULL;
	size_t len = 0;
	uint64_t at = 0;
	int rc = l->ops->cp_latest(l->impl, &at, &note, &len, err);
	*have = rc == 0;
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	uint8_t root[32];
	int ret = -1;
	if (cp_root_of_note(note, len, p, err) != 0)
		goto done;
	if (at > size) {
		lia_errf(err, "ledger has %" PRIu64 " records but its latest checkpoint "
			      "covers %" PRIu64 ": the log was truncated; refusing to sign",
			 size, at);
		goto done;
	}
	if (lia_ledger_root(l, at, root, err) != 0)
		goto done;
	if (p->size != at || memcmp(root, p->root, 32) != 0) {
		lia_errf(err, "ledger no longer matches its checkpoint at size %" PRIu64
			      "; refusing to sign a fork (run liaison-audit verify)",
			 at);
		goto done;
	}
	ret = 0;
done:
	free(note);
	return ret;
}

/* A pinned checkpoint (lia_ledger_pin; NULL: none), checked against the
 * size records now stored: the log may only have grown from it. */
static int pin_checked(struct lia_ledger *l, const struct lia_checkpoint *pin, uint64_t size,
		       char err[static LIA_ERR_MAX])
{
	if (pin == NULL)
		return 0;
	if (size < pin->size)
		return lia_errf(err, "ledger has %" PRIu64 " records but the last checkpoint signed "
				     "covers %" PRIu64 ": records were lost; refusing to sign",
				size, pin->size);
	uint8_t root[32];
	if (lia_ledger_root(l, pin->size, root, err) != 0)
		return -1;
	if (memcmp(root, pin->root, 32) != 0)
		return lia_errf(err, "ledger no longer matches the last checkpoint signed (size "
				     "%" PRIu64 "); refusing to sign a fork (run liaison-audit verify)",
				pin->size);
	return 0;
}

/* The root of the first size records, recomputed from the bytes of the
 * records from `from` on over the stored tree of the first `from` (whose
 * root the caller checked against the previous checkpoint): a record
 * changed since the last checkpoint, or a stored hash that no longer
 * matches its record, is found here and nothing is signed over it. */
static int root_rehashed(struct lia_ledger *l, uint64_t from, uint64_t size, uint8_t root[static 32],
			 char err[static LIA_ERR_MAX])
{
	struct lia_merkle_frontier f;
	if (lia_merkle_frontier_load(&f, from, lia_ledger_node_get, l) != 0)
		return lia_errf(err, "%s", l->cb_err);
	void *cur = NULL;
	char why[LIA_ERR_MAX];
	if (l->ops->cursor_open(l->impl, from, size, &cur, why) != 0)
		return lia_errf(err, "ledger: cannot read records: %s", why);
	struct lia_ledger_verify_result res;
	memset(&res, 0, sizeof res);
	struct lia_ledger_row row;
	uint64_t e = from;
	int ret = 0, rc = 0;
	while (e < size && (rc = l->ops->cursor_next(cur, &row, why)) == 1) {
		if (lia_ledger_check_row(&row, e, &f, &res) != LIA_LEDGER_VALID) {
			ret = lia_errf(err, "%s; refusing to sign (run liaison-audit verify)", res.what);
			break;
		}
		e++;
	}
	if (ret == 0 && rc < 0)
		ret = lia_errf(err, "ledger: cannot read records: %s", why);
	else if (ret == 0 && e != size)
		ret = lia_errf(err, "ledger record %" PRIu64 " is missing; refusing to sign", e);
	l->ops->cursor_close(cur);
	if (ret == 0)
		lia_merkle_frontier_root(&f, root);
	return ret;
}

void lia_ledger_pin(struct lia_ledger *l, const struct lia_checkpoint *c)
{
	l->has_pin = c != NULL;
	if (c != NULL)
		l->pin = *c;
}

bool lia_ledger_pinned(const struct lia_ledger *l, struct lia_checkpoint *c)
{
	if (l->has_pin)
		*c = l->pin;
	return l->has_pin;
}

int lia_ledger_checkpoint_issued(struct lia_ledger *l, int64_t *at, char err[static LIA_ERR_MAX])
{
	*at = 0;
	return l->ops->cp_last_issued(l->impl, at, err);
}

/* Whether a periodic checkpoint is due: every_records new records since
 * the last one, or every_seconds since it was issued. */
static int due(struct lia_ledger *l, uint64_t grown, int64_t now, uint64_t every_records,
	       int64_t every_seconds, bool *is_due, char err[static LIA_ERR_MAX])
{
	*is_due = every_records != 0 && grown >= every_records;
	if (!*is_due && every_seconds > 0) {
		int64_t last = 0;
		if (l->ops->cp_last_issued(l->impl, &last, err) != 0)
			return -1;
		*is_due = now - last >= every_seconds;
	}
	return 0;
}

/* What checkpoint_make decided. */
struct made {
	bool signed_one;          /* note holds a new checkpoint, c */
	struct lia_checkpoint c;  /* the new one, or the latest when nothing was new */
	char *note;
	size_t len;
};

/* Inside the caller's transaction on l: the checkpoint of every record
 * committed, signed but not stored. Nothing is signed when the latest
 * checkpoint covers every record (m->c is that one), or, with
 * only_if_due, when none is due. The checks are lia_ledger_checkpoint's:
 * the latest stored checkpoint and pin must still hold, and the new
 * records are rehashed from their bytes. */
static int checkpoint_make(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
			   const struct lia_checkpoint *pin, bool only_if_due, uint64_t every_records,
			   int64_t every_seconds, struct made *m, char err[static LIA_ERR_MAX])
{
	memset(m, 0, sizeof *m);
	uint64_t size = 0;
	bool have_prev = false;
	struct lia_checkpoint p;
	memset(&p, 0, sizeof p);
	if (lia_ledger_size(l, &size, err) != 0 || latest_checked(l, size, &have_prev, &p, err) != 0 ||
	    pin_checked(l, pin, size, err) != 0)
		return -1;
	if (have_prev && p.size == size) {
		m->c = p;
		return 0;
	}
	if (size == 0)
		return lia_errf(err, "ledger is empty: nothing to checkpoint");
	if (only_if_due) {
		bool is_due = false;
		if (due(l, size - (have_prev ? p.size : 0), now, every_records, every_seconds, &is_due,
			err) != 0)
			return -1;
		if (!is_due)
			return 0;
	}
	memcpy(m->c.origin, l->origin, sizeof m->c.origin);
	m->c.size = size;
	if (root_rehashed(l, have_prev ? p.size : 0, size, m->c.root, err) != 0 ||
	    lia_checkpoint_sign(&m->note, &m->len, &m->c, key->sk, err) != 0)
		return -1;
	m->signed_one = true;
	return 0;
}

static int key_ok(const struct lia_secret *key, char err[static LIA_ERR_MAX])
{
	if (key == NULL || key->purpose != LIA_KEY_SIGN || key->sk_len != 64 || key->sk == NULL)
		return lia_errf(err, "ledger: checkpoints need an Ed25519 signing key");
	return 0;
}

static int outside_tx(struct lia_ledger *l, char err[static LIA_ERR_MAX])
{
	if (l->ops->in_tx(l->impl))
		return lia_errf(err, "ledger: checkpoints are signed outside any transaction, "
				     "over committed records only");
	return 0;
}

/* Sign and store a checkpoint of the committed log. Runs in a
 * transaction of its own, refused if the caller holds one. */
static int checkpoint_issue(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
			    bool only_if_due, uint64_t every_records, int64_t every_seconds,
			    bool *issued, struct lia_checkpoint *out, char err[static LIA_ERR_MAX])
{
	*issued = false;
	if (key_ok(key, err) != 0 || outside_tx(l, err) != 0 || lia_ledger_begin(l, err) != 0)
		return -1;
	struct made m;
	if (checkpoint_make(l, key, now, l->has_pin ? &l->pin : NULL, only_if_due, every_records,
			    every_seconds, &m, err) != 0)
		goto fail;
	if (!m.signed_one) {
		if (out && m.c.size > 0)
			*out = m.c;
		return lia_ledger_commit(l, err);
	}
	int rc = l->ops->cp_put(l->impl, m.c.size, now, m.note, m.len, err);
	free(m.note);
	m.note = NULL;
	if (rc != 0 || lia_ledger_commit(l, err) != 0)
		goto fail;
	*issued = true;
	if (l->has_pin)
		l->pin = m.c;
	if (out)
		*out = m.c;
	return 0;
fail:
	free(m.note);
	lia_ledger_rollback(l);
	return -1;
}

int lia_ledger_checkpoint_prepare(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
				  const struct lia_checkpoint *pin, char **note, size_t *len,
				  struct lia_checkpoint *out, char err[static LIA_ERR_MAX])
{
	*note = NULL;
	*len = 0;
	if (key_ok(key, err) != 0 || outside_tx(l, err) != 0 || l->ops->tx_read(l->impl, err) != 0)
		return -1;
	struct made m;
	int rc = checkpoint_make(l, key, now, pin, false, 0, 0, &m, err);
	lia_ledger_rollback(l); /* it only read */
	if (rc != 0) {
		free(m.note);
		return -1;
	}
	if (!m.signed_one)
		return 0;
	*note = m.note;
	*len = m.len;
	*out = m.c;
	return 1;
}

int lia_ledger_checkpoint_adopt(struct lia_ledger *l, const char *note, size_t len,
				const struct lia_checkpoint *c, int64_t now, char err[static LIA_ERR_MAX])
{
	if (outside_tx(l, err) != 0 || lia_ledger_begin(l, err) != 0)
		return -1;
	uint64_t size = 0;
	bool have_prev = false;
	struct lia_checkpoint p;
	uint8_t root[32];
	if (lia_ledger_size(l, &size, err) != 0 || latest_checked(l, size, &have_prev, &p, err) != 0 ||
	    pin_checked(l, l->has_pin ? &l->pin : NULL, size, err) != 0)
		goto fail;
	if (strcmp(c->origin, l->origin) != 0) {
		lia_errf(err, "checkpoint is for log \"%.64s\", not \"%.64s\"", c->origin, l->origin);
		goto fail;
	}
	if (have_prev && p.size >= c->size) {
		lia_errf(err, "a checkpoint at size %" PRIu64 " is stored already; not storing one at %" PRIu64,
			 p.size, c->size);
		goto fail;
	}
	if (c->size > size) {
		lia_errf(err, "checkpoint covers %" PRIu64 " records, the ledger holds %" PRIu64, c->size, size);
		goto fail;
	}
	if (lia_ledger_root(l, c->size, root, err) != 0)
		goto fail;
	if (memcmp(root, c->root, 32) != 0) {
		lia_errf(err, "the checkpoint's root is not the stored tree's at size %" PRIu64
			      "; refusing to store it (run liaison-audit verify)", c->size);
		goto fail;
	}
	if (l->ops->cp_put(l->impl, c->size, now, note, len, err) != 0 || lia_ledger_commit(l, err) != 0)
		goto fail;
	if (l->has_pin)
		l->pin = *c;
	return 0;
fail:
	lia_ledger_rollback(l);
	return -1;
}

int lia_ledger_checkpoint(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
			  struct lia_checkpoint *out, char err[static LIA_ERR_MAX])
{
	bool issued = false;
	return checkpoint_issue(l, key, now, false, 0, 0, &issued, out, err);
}

int lia_ledger_checkpoint_maybe(struct lia_ledger *l, const struct lia_secret *key, int64_t now,
				uint64_t every_records, int64_t every_seconds, bool *issued,
				char err[static LIA_ERR_MAX])
{
	uint64_t size = 0;
	*issued = false;
	if (lia_ledger_size(l, &size, err) != 0)
		return -1;
	if (size == 0)
		return 0;
	return checkpoint_issue(l, key, now, true, every_records, every_seconds, issued, NULL, err);
}
