/*
 * watch.c — the kept checkpoint and the check that the broker's ledger
 * only grew (watch.h).
 */
#include "watch.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent.h"
#include "proof.h"
#include "sig.h"
#include "util.h"

/* What the docs call it, so that every failure points to what to do. */
/* What every failure says to do. Messages put the sizes first: err
 * holds LIA_ERR_MAX bytes, and the end of a long one is cut. */
#define SEE_DOCS "tell the broker's operator (docs/operations.md, Backups and restores)"

int lia_watch_verifier(const struct lia_client *c, struct lia_note_verifier *v,
		       char err[static LIA_ERR_MAX])
{
	char why[LIA_ERR_MAX];
	if (lia_note_verifier_init(v, c->broker.subject, c->broker.sign_pk, why) != 0)
		return lia_errf(err, "the broker certificate's subject cannot name a ledger: %s", why);
	return 0;
}

static int kept_path(const struct lia_client *c, char path[static PATH_MAX], char err[static LIA_ERR_MAX])
{
	char kid[LIA_KEYID_HEX];
	lia_keyid_hex(kid, c->broker.sign_kid);
	int w = snprintf(path, PATH_MAX, "%s/checkpoint-%s", c->keys_dir, kid);
	if (w < 0 || w >= PATH_MAX)
		return lia_errf(err, "key folder path too long");
	return 0;
}

int lia_watch_kept(const struct lia_client *c, const struct lia_note_verifier *v,
		   char path[static PATH_MAX], char **note, size_t *len, struct lia_checkpoint *cp,
		   char err[static LIA_ERR_MAX])
{
	*note = NULL;
	*len = 0;
	memset(cp, 0, sizeof *cp);
	if (kept_path(c, path, err) != 0)
		return -1;
	struct stat st;
	if (lstat(path, &st) != 0 && errno == ENOENT)
		return 1;
	uint8_t *buf = NULL;
	size_t n = 0;
	char why[LIA_ERR_MAX];
	/* Our own file, but read as anything else from a disk: bounded, and
	 * believed only once the broker's key verifies it. */
	if (lia_file_read(path, LIA_NOTE_MAX_BYTES, &buf, &n, why) != 0)
		return lia_errf(err, "cannot read the kept checkpoint: %s", why);
	enum lia_note_status ns = lia_checkpoint_open(cp, (const char *)buf, n, v, why);
	if (ns != LIA_NOTE_OK) {
		free(buf);
		return lia_errf(err, "the kept checkpoint \"%s\" is not one the broker signed (remove it if you "
				     "replaced it: the next command keeps the broker's latest): %s: %s",
				path, lia_note_status_str(ns), why);
	}
	/* NUL-terminated for printing; the note's bytes never hold a NUL. */
	char *s = realloc(buf, n + 1);
	if (s == NULL) {
		free(buf);
		return lia_errf(err, "out of memory");
	}
	s[n] = '\0';
	*note = s;
	*len = n;
	return 0;
}

/* The size a note claims, before (or without) its signature: for the
 * message about a note that does not verify. "?" when it has none. */
static void claimed_size(char out[static 24], const struct lia_bytes *note)
{
	snprintf(out, 24, "?");
	const char *p = (const char *)note->p, *blank = NULL;
	for (size_t i = 0; i + 1 < note->len; i++)
		if (p[i] == '\n' && p[i + 1] == '\n') {
			blank = p + i + 1;
			break;
		}
	struct lia_checkpoint cp;
	char why[LIA_ERR_MAX];
	if (blank != NULL && lia_checkpoint_parse(&cp, p, (size_t)(blank - p), why) == 0)
		snprintf(out, 24, "%" PRIu64, cp.size);
}

/* Ask for the proof kept -> latest and check it with the notes we hold.
 * LIA_EXIT_OK, or a status with err. */
static int prove_growth(struct lia_client *c, const struct lia_note_verifier *v, const char *kept_note,
			size_t kept_len, const struct lia_checkpoint *kept, const struct lia_bytes *latest,
			const struct lia_checkpoint *cp, char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_AUDIT_QUERY, 0);
	req.u.audit_query.kind = LIA_AUDIT_CONSISTENCY;
	req.u.audit_query.from = kept->size;
	req.u.audit_query.to = cp->size;
	char why[LIA_ERR_MAX];
	int rc = lia_client_call(c, &req, &rep, why);
	if (rc != LIA_EXIT_OK) {
		lia_errf(err, "cannot check that the ledger grew from %" PRIu64 " to %" PRIu64 " records: %s",
			 kept->size, cp->size, why);
		return rc;
	}
	if (rep.type == LIA_FRAME_ERROR) {
		rc = lia_client_error_exit(&rep);
		/* Busy or unavailable: try later (exit 5); a rate limit (an
		 * auditor's queries are counted): refused (exit 4). Anything
		 * else is the broker declining to prove what it signed. */
		if (rc != LIA_EXIT_UNREACHABLE && rep.u.error.code != LIA_ERROR_LIMIT)
			rc = LIA_EXIT_VERIFY;
		lia_errf(err, "%sthe broker did not prove that its ledger of %" PRIu64 " records extends the %" PRIu64
			      " you kept%s; %s: %.200s",
			 rc == LIA_EXIT_VERIFY ? "LEDGER NOT VERIFIED: " : "", cp->size, kept->size,
			 rc == LIA_EXIT_VERIFY ? "; " SEE_DOCS : "", lia_error_code_str(rep.u.error.code),
			 rep.u.error.detail);
		lia_frame_clear(&rep);
		return rc;
	}
	if (rep.type != LIA_FRAME_AUDIT_ANSWER) {
		lia_frame_clear(&rep);
		lia_errf(err, "unexpected answer from the broker to a consistency proof request");
		return LIA_EXIT_FAIL;
	}
	_Static_assert(LIA_PROOF_MAX <= LIA_MERKLE_PROOF_MAX, "a proof the wire accepts fits a Merkle proof");
	struct lia_consistency_proof p;
	memset(&p, 0, sizeof p);
	p.path.n = rep.u.audit_answer.n_proof; /* at most LIA_PROOF_MAX (wire) == LIA_MERKLE_PROOF_MAX */
	memcpy(p.path.h, rep.u.audit_answer.proof, p.path.n * sizeof p.path.h[0]);
	lia_frame_clear(&rep);
	/* The notes are only read; the struct is not cleared. */
	p.old_note = (char *)kept_note;
	p.old_len = kept_len;
	p.new_note = (char *)latest->p;
	p.new_len = latest->len;
	enum lia_proof_status ps = lia_consistency_proof_verify(&p, v, NULL, NULL, why);
	if (ps != LIA_PROOF_OK) {
		lia_errf(err, "LEDGER NOT VERIFIED: the broker's ledger of %" PRIu64 " records does not extend the %" PRIu64
			      " you kept: its history was rewritten; " SEE_DOCS "; %s",
			 cp->size, kept->size, why);
		return LIA_EXIT_VERIFY;
	}
	return LIA_EXIT_OK;
}

int lia_watch_check(struct lia_client *c, const struct lia_bytes *latest, struct lia_watch *w,
		    char err[static LIA_ERR_MAX])
{
	struct lia_watch local;
	if (w == NULL)
		w = &local;
	memset(w, 0, sizeof *w);
	struct lia_note_verifier v;
	if (lia_watch_verifier(c, &v, err) != 0)
		return LIA_EXIT_FAIL;
	char *kept_note = NULL;
	size_t kept_len = 0;
	int k = lia_watch_kept(c, &v, w->path, &kept_note, &kept_len, &w->kept, err);
	if (k < 0)
		return LIA_EXIT_FAIL;
	w->had_kept = k == 0;
	int rc = LIA_EXIT_OK;
	char why[LIA_ERR_MAX];
	if (latest->len == 0) {
		/* A broker that never signed may have none; one that did and
		 * now has none lost its whole ledger. */
		if (w->had_kept) {
			lia_errf(err, "LEDGER ROLLED BACK: the broker has no signed checkpoint, the one you kept has %" PRIu64
				      " records: its ledger was replaced; " SEE_DOCS,
				 w->kept.size);
			rc = LIA_EXIT_VERIFY;
		}
		goto out;
	}
	w->has_latest = true;
	enum lia_note_status ns = lia_checkpoint_open(&w->latest, (const char *)latest->p, latest->len, &v, why);
	if (ns != LIA_NOTE_OK) {
		char claimed[24];
		claimed_size(claimed, latest);
		char kept[48] = "none kept";
		if (w->had_kept)
			snprintf(kept, sizeof kept, "you kept %" PRIu64, w->kept.size);
		lia_errf(err, "LEDGER NOT VERIFIED: the broker's latest checkpoint (claiming %s records; %s) is not "
			      "signed by its key %s; " SEE_DOCS "; %s: %s",
			 claimed, kept, v.name, lia_note_status_str(ns), why);
		memset(&w->latest, 0, sizeof w->latest);
		rc = LIA_EXIT_VERIFY;
		goto out;
	}
	if (w->had_kept && w->latest.size < w->kept.size) {
		lia_errf(err, "LEDGER ROLLED BACK: the broker's latest checkpoint has %" PRIu64 " records, the one you "
			      "kept %" PRIu64 ": it was restored from an older copy or cut; " SEE_DOCS,
			 w->latest.size, w->kept.size);
		rc = LIA_EXIT_VERIFY;
		goto out;
	}
	if (w->had_kept && w->latest.size == w->kept.size) {
		if (sodium_memcmp(w->latest.root, w->kept.root, sizeof w->kept.root) != 0) {
			lia_errf(err, "LEDGER NOT VERIFIED: the broker signed two different ledgers of %" PRIu64
				      " records, its latest checkpoint and the one you kept; " SEE_DOCS,
				 w->kept.size);
			rc = LIA_EXIT_VERIFY;
		}
		goto out; /* the same checkpoint: nothing to write */
	}
	if (w->had_kept) {
		rc = prove_growth(c, &v, kept_note, kept_len, &w->kept, latest, &w->latest, err);
		if (rc != LIA_EXIT_OK)
			goto out;
		w->proved = true;
	}
	if (lia_file_replace(w->path, latest->p, latest->len, 0600, why) != 0) {
		lia_errf(err, "cannot keep the broker's checkpoint: %s", why);
		rc = LIA_EXIT_FAIL;
		goto out;
	}
	w->updated = true;
out:
	free(kept_note);
	return rc;
}
