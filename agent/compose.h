/*
 * compose.h — building a message from command-line flags: the header
 * template (kind, regions, topic, restrictions, evaluation, personal
 * data) and the body (a JSON file, or fields set one by one).
 *
 * Shared by `liaison seal` and the networked `publish`/`send`, so the
 * flags mean the same everywhere. Flag values are untrusted text: each is
 * validated as it is read and an error names the flag.
 */
#ifndef LIA_COMPOSE_H
#define LIA_COMPOSE_H

#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "keyfile.h"
#include "marking.h"

/* Option codes for getopt_long start here, so commands can add their
 * own single-letter or small codes without collisions. */
#define LIA_COMPOSE_OPT_BASE 1000

struct lia_compose {
	struct lia_header hdr;  /* template: sealing fills ids and hashes */
	json_t *body;           /* body under construction, or NULL */
	const char *body_file;  /* --body FILE (JSON), exclusive with fields */
	int have_fields;
	const char *sets[256];  /* --set arguments, applied once the kind is known */
	size_t n_sets;
};

/* The long options this module handles, terminated by a zero entry; a
 * command appends its own. */
extern const struct option lia_compose_options[];
size_t lia_compose_option_count(void);

void lia_compose_init(struct lia_compose *c);
void lia_compose_clear(struct lia_compose *c);

/* Handle one option (code from lia_compose_options); 1 when it was ours,
 * 0 when not, -1 on a bad value (err says which flag and why). */
int lia_compose_option(struct lia_compose *c, int code, const char *arg,
		       char err[static LIA_ERR_MAX]);

/* Finish: check the combination (kind given, H3 text with H3, ...) and
 * produce the serialized Body in *body (malloc'd). */
int lia_compose_finish(struct lia_compose *c, uint8_t **body, size_t *body_len,
		       char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Help text for the options, for the commands' --help. */
void lia_compose_help(FILE *f);

#endif
