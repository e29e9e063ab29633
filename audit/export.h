/*
 * export.h — ledger exports for a supervisory authority, and reading them
 * back (docs/ledger.md "Exports").
 *
 * An export holds the records covered by the latest checkpoint (sequence
 * numbers 0 .. size-1) and that checkpoint, so that a verifier without the
 * database recomputes the root from the record bytes and checks the
 * broker's signature. Two formats:
 *
 *   JSON lines: a header object {"format":"liaison-ledger-export/1",
 *     "origin":..., "size":N}, one object per record (the exact record
 *     bytes in base64 under "record", its leaf hash in hex under "leaf",
 *     and every field decoded, for reading), and a last object
 *     {"checkpoint": "<signed note>"}.
 *   CSV (RFC 4180) with a header row, one row per record with the same
 *     fields flattened, for spreadsheets; the checkpoint goes to a
 *     separate stream. Text cells that a spreadsheet would run as a
 *     formula (leading = + - @) are prefixed with an apostrophe; the
 *     "record" column always holds the exact bytes.
 *
 * Reading back (JSON lines only) is of untrusted input: lines are bounded
 * (LIA_EXPORT_LINE_MAX), the record bytes are appended to a fresh
 * in-memory ledger exactly as given, and each line's decoded fields must
 * equal what the record bytes say, so an export whose readable columns
 * were edited is refused even though its hashes still verify.
 *
 * Errors: 0 / -1 with err. Thread safety: none needed.
 */
#ifndef LIA_EXPORT_H
#define LIA_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "ledger.h"

#define LIA_EXPORT_FORMAT "liaison-ledger-export/1"
#define LIA_EXPORT_LINE_MAX (1024u * 1024u)

enum lia_export_format {
	LIA_EXPORT_JSONL = 1,
	LIA_EXPORT_CSV = 2,
};

/* Write one record as a JSON object on one line (query --json, export).
 * bytes (may be NULL) are the exact stored bytes: with them the object
 * also carries "record" and "leaf". */
int lia_export_record_json(FILE *out, const struct lia_record *r, const uint8_t *bytes, size_t len,
			   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Export the records covered by the latest checkpoint. JSON lines carry
 * the checkpoint inside; CSV writes it to cp_out (required for CSV). With
 * JSON lines, cp_out (may be NULL) receives a copy, for keeping.
 * *count receives the number of records written. Refused when the
 * ledger has no checkpoint. */
int lia_export_write(struct lia_ledger *l, enum lia_export_format fmt, FILE *out, FILE *cp_out,
		     uint64_t *count, lia_ledger_progress_fn progress, void *progress_ctx,
		     char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Read a JSON-lines export into a new in-memory ledger (records and the
 * checkpoint note, neither yet verified: run lia_ledger_verify on it). */
struct lia_ledger *lia_export_load(FILE *in, lia_ledger_progress_fn progress, void *progress_ctx,
				   char err[static LIA_ERR_MAX]);

/* Parse one line of a JSON-lines export (fuzzing, tests): 0 when it is a
 * well-formed header, record or checkpoint line, else -1. */
int lia_export_parse_line(const char *line, size_t len, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
