/*
 * watch.h — the agent as a watcher of the broker's ledger (issue 12,
 * item 5): it keeps the newest signed checkpoint it has seen and, on
 * every newer one, asks for a consistency proof and checks it, so that
 * a broker restored from an older copy (a shorter ledger), a ledger
 * rewritten behind the broker (a fork) or a checkpoint the broker's key
 * did not sign is noticed by the principals who use it, whatever the
 * database says about itself.
 *
 * The kept checkpoint is the file KEYS/checkpoint-<broker sign key id>
 * (one per broker key, beside the revocation-list number crl-number):
 * the signed note exactly as the broker sent it, 0600, replaced
 * atomically (write, fsync, rename) and only after the newer note was
 * proven to extend it. It is read back as untrusted input: at most
 * LIA_NOTE_MAX_BYTES, and it must verify with the broker's key like any
 * note from the broker, or the check stops (exit 1) and says so.
 *
 * Verification uses the broker certificate of the profile (verified
 * against the authority when the client opened): key name and origin =
 * its subject, key = its sign_pk. The proof is checked by
 * lia_consistency_proof_verify (audit/proof.h), the function
 * `liaison-audit verify-proof` uses: one implementation for auditors and
 * agents.
 *
 * Owns nothing beyond what struct lia_watch holds. Trusts the client's
 * identity and broker certificate; not the broker, not the kept file.
 * May call client.h, audit/note.h, audit/proof.h, core. Never prints.
 * Errors: exit statuses (agent.h): LIA_EXIT_VERIFY for a rollback, a
 *   fork, a failed proof or a bad signature; LIA_EXIT_UNREACHABLE when
 *   the broker did not answer the proof request (or was busy);
 *   LIA_EXIT_REFUSED when a rate limit refused it (auditors' queries
 *   are counted, docs/protocol.md); LIA_EXIT_FAIL for the
 *   kept file (unreadable, not the broker's, cannot be written).
 * Thread safety: as the client.
 */
#ifndef LIA_WATCH_H
#define LIA_WATCH_H

#include <limits.h>
#include <stdbool.h>

#include "client.h"
#include "note.h"

/* What one check saw. */
struct lia_watch {
	char path[PATH_MAX];          /* the kept checkpoint's file */
	bool had_kept;                /* one was kept before this check */
	struct lia_checkpoint kept;   /* ... and it said this */
	bool has_latest;              /* the broker sent a checkpoint */
	struct lia_checkpoint latest; /* ... verified (when the check passed) */
	bool proved;                  /* a consistency proof kept -> latest was checked */
	bool updated;                 /* the file now holds latest */
};

/* The verifier of c's broker's checkpoints (name = its subject). */
int lia_watch_verifier(const struct lia_client *c, struct lia_note_verifier *v,
		       char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The kept checkpoint of c's broker: 1 none (path set), 0 read and
 * verified by v (*note malloc'd, NUL-terminated, *cp its content), or
 * LIA_EXIT_FAIL-worthy -1 with err. */
int lia_watch_kept(const struct lia_client *c, const struct lia_note_verifier *v,
		   char path[static PATH_MAX], char **note, size_t *len, struct lia_checkpoint *cp,
		   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Check latest (the broker's latest signed note, as the Welcome or an
 * AuditAnswer carried it; len 0: the broker has none) against the kept
 * one: it must verify, be no shorter, have the same root at the same
 * size, and be proven to extend it (a CONSISTENCY query on c). On
 * LIA_EXIT_OK the kept file holds the newest of the two. *w (may be
 * NULL) says what was seen. err names both sizes on a failure. */
int lia_watch_check(struct lia_client *c, const struct lia_bytes *latest, struct lia_watch *w,
		    char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
