/*
 * record.h — one ledger record: what happened, when, who acted, who
 * received, under which restrictions, what was decided and why (DESIGN §6,
 * EU Directive 2016/680 Art. 25). Never message content.
 *
 * struct lia_record is the validated, in-memory form; its wire form is
 * LedgerRecord in schemas/ledger.proto, encoded canonically (fields in
 * number order, defaults omitted, handling codes and roles ascending).
 * The encoded bytes are a Merkle leaf, so they are stored and hashed
 * exactly as produced and never re-encoded; lia_record_decode() accepts
 * only bytes that re-encode to themselves, so every record has one
 * spelling and two readers can never see different content in one leaf.
 *
 * Untrusted input: decoders bound the input (LIA_RECORD_MAX_BYTES) before
 * unpacking, use an allocator capped relative to it, and validate every
 * field: names against core's grammar (marking.h), text as printable
 * UTF-8 without control characters (so a record is safe to print on a
 * terminal or in CSV), lists against LIA_LIST_MAX.
 *
 * Errors: 0 / -1 with a message in err naming the field. Thread safety:
 * pure functions.
 */
#ifndef LIA_RECORD_H
#define LIA_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfile.h" /* LIA_ERR_MAX */
#include "marking.h"

#define LIA_RECORD_MAX_BYTES 65536 /* an encoded record; real ones are ~100-500 bytes */
#define LIA_RECORD_VERSION 1
#define LIA_POLICY_HASH_BYTES 32

/* Same numbers as LedgerOperation in schemas/ledger.proto. */
enum lia_record_op {
	LIA_OP_PUBLISH = 1,
	LIA_OP_DISCLOSE = 2,
	LIA_OP_WITHHOLD = 3,
	LIA_OP_ACKNOWLEDGE = 4,
	LIA_OP_CONSENT_REQUESTED = 5,
	LIA_OP_CONSENT_GRANTED = 6,
	LIA_OP_CONSENT_REFUSED = 7,
	LIA_OP_VERIFICATION_REQUESTED = 8,
	LIA_OP_VERIFICATION_ANSWERED = 9,
	LIA_OP_VERIFICATION_OVERDUE = 10,
	LIA_OP_RECALL = 11,
	LIA_OP_ERASE = 12,
	LIA_OP_AUTHENTICATION_REFUSED = 13,
	LIA_OP_CERTIFICATE_REVOKED = 14,
	LIA_OP_POLICY_LOADED = 15,
	LIA_OP_AUDIT_QUERY = 16,
	LIA_OP_CORRECTION = 17,
};
#define LIA_OP_MAX 17

enum lia_record_decision {
	LIA_RECORD_NO_DECISION = 0,
	LIA_RECORD_PERMIT = 1,
	LIA_RECORD_DENY = 2,
};

/* A principal as the broker authenticated it. All fields optional. */
struct lia_record_party {
	char subject[LIA_NAME_MAX];     /* "" or a valid subject */
	char agency[LIA_NAME_MAX];      /* "" or a valid agency */
	bool has_key_id;
	uint8_t key_id[LIA_KEYID_BYTES];
};

/*
 * Which fields each operation requires (lia_record_validate):
 *   every record      time > 0
 *   disclose          message_id, recipient.subject, decision PERMIT
 *   withhold          message_id, recipient.subject, decision DENY, rule
 *   publish, acknowledge, consent-*, verification-*, recall, correction, erase
 *                     message_id
 *   authentication-refused   actor.subject or actor.key_id
 *   certificate-revoked      cert_serial
 *   policy-loaded            policy_hash
 *   audit-query              actor.subject, justification
 * Any other field may be set on any record.
 */
struct lia_record {
	uint64_t seq;                   /* leaf index; set by lia_ledger_append */
	enum lia_record_op op;
	int64_t time;                   /* seconds since the Unix epoch, UTC */
	struct lia_record_party actor;
	struct lia_record_party recipient;
	bool has_message_id;
	uint8_t message_id[LIA_ID_BYTES];
	char originator[LIA_NAME_MAX];  /* "" or a valid subject */
	int kind;                       /* enum lia_kind, or 0 for none */
	bool has_restrictions;
	struct lia_restrictions restrictions;
	enum lia_record_decision decision;
	char rule[LIA_NAME_MAX];        /* "" or printable text */
	char justification[LIA_TEXT_MAX]; /* "" or printable text */
	bool has_policy_hash;
	uint8_t policy_hash[LIA_POLICY_HASH_BYTES];
	uint64_t cert_serial;           /* 0 = none */
};

/* "publish", "disclose", ..., "audit-query"; NULL outside the enum. */
const char *lia_record_op_str(enum lia_record_op op);
int lia_record_op_parse(const char *s, enum lia_record_op *out) __attribute__((warn_unused_result));
/* "permit", "deny", "" for none; NULL outside the enum. */
const char *lia_record_decision_str(enum lia_record_decision d);
int lia_record_decision_parse(const char *s, enum lia_record_decision *out)
	__attribute__((warn_unused_result));

/* Zero a record (every field absent). */
void lia_record_init(struct lia_record *r);

/* Check every field and the per-operation requirements above. */
int lia_record_validate(const struct lia_record *r, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Validate and encode canonically into *out (malloc'd; caller frees). */
int lia_record_encode(const struct lia_record *r, uint8_t **out, size_t *out_len,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The same into the caller's buffer of cap bytes (the append path). */
int lia_record_encode_buf(const struct lia_record *r, uint8_t *buf, size_t cap, size_t *out_len,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Decode, check canonical form, validate. */
int lia_record_decode(struct lia_record *out, const uint8_t *buf, size_t len,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* What lia_record_decode checks, without filling a struct (for verify,
 * which reads every record): *seq and, when present, message_id. */
int lia_record_check(const uint8_t *buf, size_t len, uint64_t *seq, bool *has_message_id,
		     uint8_t message_id[static LIA_ID_BYTES], char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Handling codes as text: "H1,H2" (empty string for none). */
void lia_record_handling_str(uint32_t handling, char out[static 16]);

#endif
