/*
 * proof.h — self-contained, offline-checkable proofs as text files
 * (docs/ledger.md "Proof files").
 *
 * Inclusion proofs are C2SP tlog-proof files (c2sp.org/tlog-proof@v1):
 *
 *     c2sp.org/tlog-proof@v1
 *     extra <base64 of the exact record bytes>
 *     index <leaf index>
 *     <base64 hash>            zero or more, leaf side first
 *     <empty line>
 *     <the signed checkpoint, verbatim>
 *
 * The record rides in the "extra" line, so the proof alone shows what was
 * logged; it is trusted only because its leaf hash leads, through the
 * path, to a root the broker signed. Consistency proofs have no C2SP
 * format yet; ours follows the same conventions:
 *
 *     liaison/ledger-consistency@v1
 *     <base64 hash>            zero or more
 *     <empty line>
 *     <the older signed checkpoint, verbatim>
 *     <empty line>
 *     <the newer signed checkpoint, verbatim>
 *
 * Parsing is of untrusted text: the size is bounded first, every line is
 * checked, hashes are canonical base64 of exactly 32 bytes, at most
 * LIA_MERKLE_PROOF_MAX of them, nothing may follow the last checkpoint.
 * Verification checks the checkpoint signatures with the broker's key,
 * then the Merkle path (merkle.h), then the record itself.
 *
 * Errors: enum lia_proof_status and err. Thread safety: pure functions.
 */
#ifndef LIA_PROOF_H
#define LIA_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"
#include "note.h"
#include "record.h"

#define LIA_PROOF_MAX_BYTES (256u * 1024u)
#define LIA_INCLUSION_PROOF_HEADER "c2sp.org/tlog-proof@v1"
#define LIA_CONSISTENCY_PROOF_HEADER "liaison/ledger-consistency@v1"

enum lia_proof_status {
	LIA_PROOF_OK = 0,
	LIA_PROOF_MALFORMED,      /* not a proof file of this kind */
	LIA_PROOF_BAD_CHECKPOINT, /* a checkpoint is not signed by the key, or malformed */
	LIA_PROOF_BAD_RECORD,     /* the record does not decode or is not at its index */
	LIA_PROOF_INVALID,        /* the hashes do not prove the claim */
	LIA_PROOF_NO_MEMORY,
};
const char *lia_proof_status_str(enum lia_proof_status st);

struct lia_inclusion_proof {
	uint8_t *record;        /* exact record bytes (malloc'd) */
	size_t record_len;
	uint64_t index;
	struct lia_merkle_proof path;
	char *checkpoint;       /* signed note (malloc'd, NUL-terminated) */
	size_t checkpoint_len;
};

struct lia_consistency_proof {
	struct lia_merkle_proof path;
	char *old_note;         /* signed notes (malloc'd, NUL-terminated) */
	size_t old_len;
	char *new_note;
	size_t new_len;
};

/* Free the members; the struct is left zeroed. Accept zeroed structs. */
void lia_inclusion_proof_clear(struct lia_inclusion_proof *p);
void lia_consistency_proof_clear(struct lia_consistency_proof *p);

/* Text of a proof (*out malloc'd, NUL-terminated). */
int lia_inclusion_proof_format(char **out, size_t *out_len, const struct lia_inclusion_proof *p,
			       char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
int lia_consistency_proof_format(char **out, size_t *out_len,
				 const struct lia_consistency_proof *p,
				 char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Parse proof text; on success the caller clears *p. */
enum lia_proof_status lia_inclusion_proof_parse(struct lia_inclusion_proof *p, const char *buf,
						size_t len, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
enum lia_proof_status lia_consistency_proof_parse(struct lia_consistency_proof *p,
						  const char *buf, size_t len,
						  char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Verify against the broker's key: the checkpoint is signed by v, the
 * record hashes through the path to its root, the record decodes and
 * carries sequence number index. cp and rec (may be NULL) receive the
 * checkpoint and the record. */
enum lia_proof_status lia_inclusion_proof_verify(const struct lia_inclusion_proof *p,
						 const struct lia_note_verifier *v,
						 struct lia_checkpoint *cp, struct lia_record *rec,
						 char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Verify: both checkpoints signed by v, and the path proves the older
 * tree is a prefix of the newer one. old_cp and new_cp may be NULL. */
enum lia_proof_status lia_consistency_proof_verify(const struct lia_consistency_proof *p,
						   const struct lia_note_verifier *v,
						   struct lia_checkpoint *old_cp,
						   struct lia_checkpoint *new_cp,
						   char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
