/*
 * check.h — the checks every decoder of untrusted bytes shares: the one
 * UTF-8/text check, the capped protobuf-c allocator, and the protobuf
 * field checks (bytes of an exact or bounded length, bounded strings,
 * repeated-field caps, enum ranges, sets of enum values, lists of names).
 *
 * Owns: nothing but these rules. Every module that turns peer, file or
 * ledger bytes into structs (wire, core's header/cert/consent/keyfile
 * decoders, the policy loader, audit records and notes) uses them, so a
 * rule is written once and tightened once.
 *
 * Trusts: nothing in the data; the caller's pointers and sizes are
 * asserted-correct (our own code). May call: libc and protobuf-c only.
 *
 * Errors: predicates return bool; checks that copy return 0 / -1 or an
 * enum naming the fault, so that each caller keeps its own error text
 * (the wire names the field, the ledger says "record ..."). Nothing here
 * formats a message. Thread safety: no state; a budget belongs to the
 * one decode that uses it.
 *
 * Including this header needs protobuf-c's headers (every module that
 * decodes does). lia_text_check used to live in util.h; it is here now.
 */
#ifndef LIA_CHECK_H
#define LIA_CHECK_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "marking.h" /* struct lia_names */

/* --- text --- */

/* Flags of lia_text_scan(). */
enum {
	/* '\n' is allowed (notes, checkpoints: text of several lines). */
	LIA_TEXT_NEWLINE = 1u << 0,
	/* Zero-width characters, direction marks, bidi embeddings, overrides
	 * and isolates are allowed; U+2028, U+2029 and the BOM stay refused.
	 * Only the policy loader sets it: policy text is written by the
	 * operator, who reads the file it is in, and scripts such as Persian
	 * and the Indic ones need ZWNJ/ZWJ; a policy that loads today must
	 * keep loading. Text from a peer never gets this flag. */
	LIA_TEXT_FORMAT = 1u << 1,
};

enum lia_text_fault {
	LIA_TEXT_VALID = 0,
	LIA_TEXT_NOT_UTF8,  /* overlong, surrogate, > U+10FFFF, truncated, stray byte */
	LIA_TEXT_REFUSED,   /* a well-formed character the rules refuse */
};

/* Scan s[0..n): valid UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF) without C0 controls, DEL or C1 controls and (unless
 * LIA_TEXT_FORMAT) without invisible formatting: zero-width and
 * direction marks, bidi embeddings, overrides and isolates, U+2028,
 * U+2029, the BOM. On LIA_TEXT_REFUSED, *bad_cp (when not NULL) is the
 * refused code point. */
enum lia_text_fault lia_text_scan(const char *s, size_t n, unsigned flags, uint32_t *bad_cp);

/* lia_text_scan with no flags, or LIA_TEXT_NEWLINE when allow_newline:
 * 0 when valid, else -1. Text from a peer is shown on terminals and
 * written into the ledger: it passes this first. */
int lia_text_check(const char *s, size_t n, bool allow_newline);

/* --- the capped protobuf allocator --- */

/* Why a cap on top of the size checks: protobuf-c sizes repeated fields
 * from the input itself, so allocation is already proportional to the
 * input; the cap makes that bound explicit and independent of
 * protobuf-c's internals (a decode that would exceed it fails cleanly,
 * and freeing gives back to the budget). */
struct lia_pb_budget {
	ProtobufCAllocator alloc;
	size_t used;
	size_t max;
};

/* Prepare a budget of max bytes; pass &b->alloc to *_unpack() and to
 * *_free_unpacked(). */
void lia_pb_budget_init(struct lia_pb_budget *b, size_t max);

/* Decode budget for an input of len bytes: each string or list entry
 * costs its bytes plus a pointer and a NUL, a small multiple of the
 * input. */
#define LIA_PB_BUDGET(len) (4096 + 16 * (size_t)(len))

/* --- protobuf fields --- */

/* True when the bytes field has at most max bytes. */
static inline bool lia_pb_len_max(const ProtobufCBinaryData *d, size_t max)
{
	return d->len <= max;
}

/* True when a repeated field's count is within its cap. */
static inline bool lia_pb_count_ok(size_t n, size_t max)
{
	return n <= max;
}

/* True when an enum value lies in [lo, hi]. */
static inline bool lia_pb_enum_in(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

/* Copy a bytes field of exactly n bytes into out; -1 on another length. */
int lia_pb_fixed(uint8_t *out, size_t n, const ProtobufCBinaryData *d);

/* An optional fixed-size field: empty means absent (*has = false, 0);
 * otherwise as lia_pb_fixed (*has = true on success). */
int lia_pb_fixed_opt(bool *has, uint8_t *out, size_t n, const ProtobufCBinaryData *d);

/* Copy a protobuf string into out (cap bytes incl. NUL); -1 if too long
 * or refused by lia_text_check (no newline). */
int lia_pb_str(char *out, size_t cap, const char *s);

/* A repeated enum field as a bit set (bit v for value v): at most max
 * values, each in [lo, hi] (hi < 32), none repeated. -1 otherwise.
 * protobuf-c stores repeated enums as int-sized enums (it forces the
 * size), so callers pass the field through (const int *). */
int lia_pb_enum_set(uint32_t *bits, const int *v, size_t n, size_t max, int lo, int hi);

enum lia_pb_names_fault {
	LIA_PB_NAMES_OK = 0,
	LIA_PB_NAMES_TOO_MANY, /* more than LIA_LIST_MAX */
	LIA_PB_NAMES_BAD_TEXT, /* too long, or refused by lia_text_check */
	LIA_PB_NAMES_INVALID,  /* not of the shape valid() accepts */
	LIA_PB_NAMES_REPEATED, /* the same name twice */
};

/* A repeated string of names into out: at most LIA_LIST_MAX, each a
 * bounded clean string that valid() accepts, none repeated. On a fault
 * *at (when not NULL) is the index of the entry at fault; out then holds
 * the entries before it. */
enum lia_pb_names_fault lia_pb_names(struct lia_names *out, char *const *v, size_t n,
				     bool (*valid)(const char *), size_t *at);

#endif
