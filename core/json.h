/*
 * json.h — the one home of Liaison's JSON output: how a --json line is
 * written, and the values every program renders the same way (hex
 * strings, times, name lists). The document shapes themselves stay with
 * their modules (lia_cert_to_json, lia_header_to_json, the ledger
 * export); what they share is here, so a time or a key id reads the same
 * in every program's output.
 *
 * Uses jansson (a real JSON library, never hand-formatted text). Value
 * constructors return a new reference, or NULL when out of memory (which
 * json_pack's "o" and the writers below turn into a failure); writers
 * return 0 / -1 with err, and always release the value they are given.
 */
#ifndef LIA_JSON_H
#define LIA_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "marking.h"

/* The flags of every --json line and export line: one compact line,
 * ASCII-escaped so that no terminal control byte reaches the screen. */
#define LIA_JSON_LINE (JSON_COMPACT | JSON_ENSURE_ASCII)

/* Write j to f as json_dumpf(flags) and a newline, then release j.
 * A NULL j (a constructor ran out of memory) fails without writing. */
int lia_json_write_line(FILE *f, json_t *j, size_t flags, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Print j as one LIA_JSON_LINE on stdout, flush, and release it; NULL
 * prints nothing. The --json output of the commands. */
void lia_json_print(json_t *j);

/* Lowercase hex of b[0..n), n at most 64; NULL beyond. */
json_t *lia_json_hex(const uint8_t *b, size_t n);
/* "2026-11-28T10:00:00Z" (lia_time_format; 0 is "-"). */
json_t *lia_json_time(int64_t t);
/* The same, but 0 (no such time) is null. */
json_t *lia_json_time_opt(int64_t t);
/* A certificate serial as a decimal JSON string, "1234". Serials go up
 * to 2^63; a JSON number above 2^53 is rounded by common tools (jq,
 * JavaScript), and a rounded serial revokes nobody (issue 10, item 10). */
json_t *lia_json_serial(uint64_t serial);
/* An array of the names in l. */
json_t *lia_json_names(const struct lia_names *l);

#endif
