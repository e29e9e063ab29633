/* ledger_state.c — see ledger_state.h. */
#include "ledger_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define SIZE_MAGIC "liaison-ledger-size 1 "
#define SIZE_DIGITS 20
#define SIZE_LEN (sizeof SIZE_MAGIC - 1 + SIZE_DIGITS + 1)

static void size_line(char out[static SIZE_LEN + 1], uint64_t n)
{
	snprintf(out, SIZE_LEN + 1, SIZE_MAGIC "%0*" PRIu64 "\n", SIZE_DIGITS, n);
}

/* Whether path exists (as anything: a symbolic link counts, and is then
 * refused by the reader). 1 yes, 0 no, -1 with err. */
static int present(const char *path, char err[static LIA_ERR_MAX])
{
	struct stat sb;
	if (lstat(path, &sb) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	return lia_errf(err, "cannot look at \"%s\": %s", path, strerror(errno));
}

/* A state file, read as untrusted input: 1 with *buf (malloc'd), 0 when
 * absent, -1 with why (a problem the operator may accept: unreadable,
 * too large, readable by others, not a regular file). */
static int read_state(const char *path, const char *name, size_t max, uint8_t **buf, size_t *len,
		      char why[static LIA_ERR_MAX])
{
	int p = present(path, why);
	if (p <= 0)
		return p;
	char e[LIA_ERR_MAX];
	if (lia_file_read_private(path, max, buf, len, e) != 0)
		return lia_errf(why, "%s cannot be read: %s", name, e);
	return 1;
}

/* ledger.checkpoint: 0 with *has (false when absent), -1 with why. */
static int read_signed(const char *path, const struct lia_note_verifier *v, bool *has,
		       struct lia_checkpoint *cp, char why[static LIA_ERR_MAX])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	*has = false;
	int r = read_state(path, "ledger.checkpoint", LIA_NOTE_MAX_BYTES, &buf, &len, why);
	if (r <= 0)
		return r;
	char e[LIA_ERR_MAX];
	enum lia_note_status ns = lia_checkpoint_open(cp, (const char *)buf, len, v, e);
	free(buf);
	if (ns != LIA_NOTE_OK)
		return lia_errf(why, "ledger.checkpoint is not a checkpoint signed by this broker: %s", e);
	*has = true;
	return 0;
}

/* ledger.size: as read_signed. */
static int read_committed(const char *path, bool *has, uint64_t *n, char why[static LIA_ERR_MAX])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	*has = false;
	int r = read_state(path, "ledger.size", 64, &buf, &len, why);
	if (r <= 0)
		return r;
	char digits[SIZE_DIGITS + 1];
	bool ok = len == SIZE_LEN && memcmp(buf, SIZE_MAGIC, sizeof SIZE_MAGIC - 1) == 0 &&
		  buf[SIZE_LEN - 1] == '\n';
	if (ok) {
		memcpy(digits, buf + sizeof SIZE_MAGIC - 1, SIZE_DIGITS);
		digits[SIZE_DIGITS] = '\0';
		ok = strspn(digits, "0123456789") == SIZE_DIGITS && lia_parse_u64(digits, n) == 0;
	}
	free(buf);
	if (!ok)
		return lia_errf(why, "ledger.size is not a ledger size file (want \"" SIZE_MAGIC
				     "<%d digits>\")", SIZE_DIGITS);
	*has = true;
	return 0;
}

/* The state against the verified ledger of size records: "" when they
 * agree, else the problem in words (and *missing, records the state
 * had beyond the ledger). -1 on a read failure of the ledger. */
static int compare(struct lia_ledger_state *st, struct lia_ledger *l, uint64_t size,
		   struct lia_ledger_state_report *rep, char problem[static LIA_ERR_MAX],
		   uint64_t *missing, struct lia_checkpoint *cp, bool *has_cp,
		   char err[static LIA_ERR_MAX])
{
	problem[0] = '\0';
	*missing = 0;
	bool has_n = false;
	uint64_t n = 0;
	if (read_signed(st->cp_path, st->v, has_cp, cp, problem) != 0 ||
	    read_committed(st->size_path, &has_n, &n, problem) != 0)
		return 0;
	rep->has_signed = *has_cp;
	rep->signed_size = *has_cp ? cp->size : 0;
	rep->committed = n;
	if (!*has_cp && !has_n) {
		if (size > 0)
			lia_errf(problem, "no ledger state (ledger.checkpoint, ledger.size) beside a "
					  "ledger of %" PRIu64 " records: it was removed, or the store "
					  "was made elsewhere or before brokers kept it", size);
		return 0;
	}
	uint64_t want = *has_cp && cp->size > n ? cp->size : n;
	if (size < want) {
		*missing = want - size;
		lia_errf(problem, "the ledger was rolled back: it holds %" PRIu64 " records, but %" PRIu64
				  " were committed (%s): %" PRIu64 " acknowledged records are missing",
			 size, want, *has_cp && cp->size == want ? "ledger.checkpoint" : "ledger.size",
			 *missing);
		return 0;
	}
	if (*has_cp) {
		uint8_t root[32];
		if (lia_ledger_root(l, cp->size, root, err) != 0)
			return -1;
		if (memcmp(root, cp->root, 32) != 0)
			lia_errf(problem, "the ledger was rewritten: its first %" PRIu64 " records no "
					  "longer have the root of the checkpoint this broker signed "
					  "over them (ledger.checkpoint)", cp->size);
	}
	return 0;
}

/* Open ledger.size for the broker's life and write size into it. */
static int open_committed(struct lia_ledger_state *st, uint64_t size, char err[static LIA_ERR_MAX])
{
	st->size_fd = open(st->size_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->size_fd < 0)
		return lia_errf(err, "cannot open \"%s\": %s", st->size_path, strerror(errno));
	st->open = true;
	char line[SIZE_LEN + 1];
	size_line(line, size);
	if (fchmod(st->size_fd, 0600) != 0 || ftruncate(st->size_fd, (off_t)SIZE_LEN) != 0 ||
	    pwrite(st->size_fd, line, SIZE_LEN, 0) != (ssize_t)SIZE_LEN || fsync(st->size_fd) != 0)
		return lia_errf(err, "cannot write \"%s\": %s", st->size_path, strerror(errno));
	st->size_written = size;
	return 0;
}

int lia_ledger_state_open(struct lia_ledger_state *st, const char *data, struct lia_unit *u,
			  const struct lia_note_verifier *v, const struct lia_ledger_state_opts *o,
			  struct lia_ledger_state_report *rep, char err[static LIA_ERR_MAX],
			  char todo[static LIA_ERR_MAX])
{
	memset(st, 0, sizeof *st);
	memset(rep, 0, sizeof *rep);
	st->size_fd = -1;
	st->v = v;
	todo[0] = '\0';
	int w1 = snprintf(st->cp_path, sizeof st->cp_path, "%s/ledger.checkpoint", data);
	int w2 = snprintf(st->size_path, sizeof st->size_path, "%s/ledger.size", data);
	if (w1 < 0 || w2 < 0 || (size_t)w1 >= sizeof st->cp_path || (size_t)w2 >= sizeof st->size_path)
		return lia_errf(err, "data folder path too long");
	struct lia_ledger *l = lia_unit_ledger(u);
	char why[LIA_ERR_MAX];

	/* The file, then the ledger: damage nothing may accept. */
	if (lia_unit_check(u, why) != 0) {
		lia_errf(err, "the database is damaged: %s", why);
		lia_errf(todo, "%s", LIA_STATE_TODO_DAMAGED);
		return LIA_STATE_REFUSED;
	}
	struct lia_ledger_verify_result res;
	enum lia_ledger_verdict vd = lia_ledger_verify(l, v, NULL, 0, NULL, NULL, &res);
	if (vd != LIA_LEDGER_VALID) {
		if (vd == LIA_LEDGER_ERROR)
			lia_errf(err, "the ledger cannot be read: %s", res.what);
		else if (res.has_bad_seq)
			lia_errf(err, "the ledger is damaged from record %" PRIu64 ": %s", res.bad_seq,
				 res.what);
		else
			lia_errf(err, "the ledger is damaged: %s", res.what);
		lia_errf(todo, "no checkpoint is signed over damage: keep the files for the auditors "
			       "(liaison-audit verify) and restore the last good backup "
			       "(docs/operations.md, Failures)");
		return LIA_STATE_REFUSED;
	}
	rep->records = res.size;
	rep->checkpoints = res.checkpoints;

	/* The ledger against what the broker kept outside it. */
	char problem[LIA_ERR_MAX];
	uint64_t missing = 0;
	struct lia_checkpoint cp;
	bool has_cp = false;
	if (compare(st, l, res.size, rep, problem, &missing, &cp, &has_cp, err) != 0)
		return -1;
	if (problem[0] != '\0' && !o->has_accept) {
		lia_errf(err, "%s", problem);
		lia_errf(todo, "put the database back with its -wal file if they exist; or accept the "
			       "ledger as it is, telling the exchange (docs/operations.md, Failures): "
			       "start once with --accept-ledger %" PRIu64, res.size);
		return LIA_STATE_REFUSED;
	}
	if (problem[0] != '\0' && o->accept != res.size) {
		lia_errf(err, "--accept-ledger %" PRIu64 ": the ledger holds %" PRIu64 " records",
			 o->accept, res.size);
		lia_errf(todo, "%s", problem);
		return LIA_STATE_REFUSED;
	}
	if (problem[0] == '\0' && o->has_accept) {
		lia_errf(err, "--accept-ledger: nothing to accept, the ledger (%" PRIu64
			      " records) matches its state", res.size);
		lia_errf(todo, "start without --accept-ledger");
		return LIA_STATE_REFUSED;
	}
	if (problem[0] != '\0') {
		rep->accepted = true;
		rep->missing = missing;
		has_cp = false; /* the state is rebuilt from the ledger */
	}
	if (o->check_only)
		return 0;

	/* Write the state: the size now, and the newest checkpoint signed. */
	if (open_committed(st, res.size, err) != 0)
		return -1;
	uint64_t latest = 0;
	char *note = NULL;
	size_t len = 0;
	int got = lia_ledger_checkpoint_latest(l, &latest, &note, &len, err);
	free(note);
	if (got < 0)
		return -1;
	if (got == 0 && (!has_cp || latest >= cp.size)) {
		if (lia_ledger_state_signed(st, l, err) != 0)
			return -1;
	} else if (has_cp) {
		lia_ledger_pin(l, &cp);
	} else if (present(st->cp_path, err) == 1 && unlink(st->cp_path) != 0) {
		return lia_errf(err, "cannot remove \"%s\": %s", st->cp_path, strerror(errno));
	}
	return 0;
}

int lia_ledger_state_grown(struct lia_ledger_state *st, struct lia_ledger *l,
			   char err[static LIA_ERR_MAX])
{
	if (!st->open)
		return 0;
	uint64_t n = 0;
	if (lia_ledger_size(l, &n, err) != 0)
		return -1;
	if (n <= st->size_written)
		return 0;
	char line[SIZE_LEN + 1];
	size_line(line, n);
	if (pwrite(st->size_fd, line, SIZE_LEN, 0) != (ssize_t)SIZE_LEN)
		return lia_errf(err, "cannot write \"%s\": %s", st->size_path, strerror(errno));
	st->size_written = n;
	return 0;
}

int lia_ledger_state_signed(struct lia_ledger_state *st, struct lia_ledger *l,
			    char err[static LIA_ERR_MAX])
{
	uint64_t size = 0;
	char *note = NULL;
	size_t len = 0;
	int got = lia_ledger_checkpoint_latest(l, &size, &note, &len, err);
	if (got != 0) {
		free(note);
		return got < 0 ? -1 : 0;
	}
	struct lia_checkpoint cp;
	char why[LIA_ERR_MAX];
	int rc = 0;
	if (lia_checkpoint_open(&cp, note, len, st->v, why) != LIA_NOTE_OK)
		rc = lia_errf(err, "the latest checkpoint does not verify: %s", why);
	else if (lia_file_replace(st->cp_path, (const uint8_t *)note, len, 0600, err) != 0)
		rc = -1;
	else
		lia_ledger_pin(l, &cp);
	free(note);
	return rc;
}

void lia_ledger_state_close(struct lia_ledger_state *st)
{
	if (st->open)
		close(st->size_fd);
	st->open = false;
	st->size_fd = -1;
}
