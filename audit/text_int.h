/*
 * text_int.h — checks on text from untrusted input, shared by the audit
 * modules (internal).
 *
 * Ledger records are printed on terminals, in CSV and in JSON; notes are
 * signed as text. Both accept only what core's lia_text_check accepts:
 * valid UTF-8 without C0, DEL, C1 or invisible formatting (records: no
 * newline either; notes: newlines).
 * Base64 in every text format is strict and canonical, so that one value
 * has one spelling.
 */
#ifndef LIA_AUDIT_TEXT_INT_H
#define LIA_AUDIT_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* lia_text_check (valid UTF-8, no control characters, no invisible
 * formatting) is core's one text check (check.h): every text from a peer
 * passes it. */
#include "check.h"
#include "util.h"

/* Strict standard base64 (RFC 4648 §4, with padding): exactly s[0..n),
 * at most cap output bytes, and only the canonical spelling (the one that
 * re-encodes to the same text). 0 / -1. */
int lia_b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *s, size_t n);

/* Standard base64 of in[0..n) into a malloc'd NUL-terminated string. */
char *lia_b64_encode(const uint8_t *in, size_t n);

#endif
