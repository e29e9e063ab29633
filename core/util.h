/*
 * util.h — files, time, numbers, error text, exit codes and colour,
 * shared by every Liaison program. The command line itself is cli.h;
 * JSON output is json.h (both included here for the callers of old).
 *
 * Files are untrusted input: lia_file_read() refuses anything larger than
 * the caller's hard limit before allocating. Writes of new files use
 * O_CREAT|O_EXCL|O_NOFOLLOW; replacements write a temporary file, fsync
 * it and rename it over the old one, so a reader sees old or new, never
 * half. Functions return 0 / -1 and describe failures in err.
 */
#ifndef LIA_UTIL_H
#define LIA_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cli.h"
#include "err.h"
#include "json.h"

/* Exit codes of every program (DESIGN §7). */
enum {
	LIA_EXIT_OK = 0,
	LIA_EXIT_FAIL = 1,
	LIA_EXIT_USAGE = 2,
	LIA_EXIT_VERIFY = 3,      /* verification failed */
	LIA_EXIT_REFUSED = 4,     /* refused by broker or policy, authentication refused */
	LIA_EXIT_UNREACHABLE = 5, /* broker unreachable */
};

/* Write a formatted message into err (truncation is marked with "...").
 * Always returns -1 so that `return lia_errf(err, ...)` reads well. */
int lia_errf(char err[static LIA_ERR_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Read a whole file of at most max_bytes into *out (malloc'd; caller
 * frees). A larger file is refused without reading it. */
int lia_file_read(const char *path, size_t max_bytes, uint8_t **out, size_t *out_len,
		  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* The standard input, to its end, at most max_bytes (more is refused). */
int lia_stdin_read(size_t max_bytes, uint8_t **out, size_t *out_len, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
/* Like lia_file_read, but refuses a file that group or world may read
 * or that is not a regular file (for secrets). */
int lia_file_read_private(const char *path, size_t max_bytes, uint8_t **out, size_t *out_len,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Create a new file (never overwrites; never follows a symlink), write,
 * fsync. mode is e.g. 0600 for secrets, 0644 for public material. */
int lia_file_write_new(const char *path, const uint8_t *data, size_t len, mode_t mode,
		       char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
/* Atomically replace (or create) path with data via a temporary file. */
int lia_file_replace(const char *path, const uint8_t *data, size_t len, mode_t mode,
		     char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Seconds since the Unix epoch. */
int64_t lia_now(void);
/* Parse "2026-11-28T10:00:00Z", "2026-11-28" (midnight UTC), "@SECONDS",
 * or a duration from now: "+7d", "72h" (lia_duration_parse). */
int lia_time_parse(const char *s, int64_t *out) __attribute__((warn_unused_result));
/* A duration: whole seconds ("90") or a whole number with s, m, h or d
 * ("8h", "3d"), at most 100 years; *seconds set. 0, or -1. A bare number
 * is seconds only here: lia_time_parse needs the unit. */
#define LIA_DURATION_MAX ((int64_t)100 * 366 * 86400)
int lia_duration_parse(const char *s, int64_t *seconds) __attribute__((warn_unused_result));
/* Format as "2026-11-28T10:00:00Z"; 0 prints as "-". */
void lia_time_format(int64_t t, char out[static 32]);

/* Strict decimal parsers: the whole string, no sign surprises, range. */
int lia_parse_u64(const char *s, uint64_t *out) __attribute__((warn_unused_result));
int lia_parse_i64(const char *s, int64_t *out) __attribute__((warn_unused_result));

/* Hex of a byte string into out (2*len+1 bytes). Decoding requires the
 * exact length. */
void lia_hex(char *out, const uint8_t *bin, size_t len);
int lia_unhex(uint8_t *bin, size_t len, const char *hex) __attribute__((warn_unused_result));

/* --- command-line conventions --- */

/* struct lia_cmd, the subcommand table of every program: cli.h. */

/* lia_json_print and the other JSON output helpers: json.h. */

/* True when colour may be used on f (a terminal, NO_COLOR unset). */
bool lia_color(FILE *f);

#endif
