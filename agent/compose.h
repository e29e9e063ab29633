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

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "keyfile.h"
#include "marking.h"

/* The ids of this module's options start here, so commands can add their
 * own single-letter or small ids without collisions. */
#define LIA_COMPOSE_OPT_BASE 1000

struct lia_compose {
	struct lia_header hdr;  /* template: sealing fills ids and hashes */
	json_t *body;           /* body under construction, or NULL */
	const char *body_file;  /* --body FILE (JSON; "-": the standard input), exclusive with fields */
	bool stdin_used;        /* --body - or --text - read it (once) */
	int have_fields;
	const char *sets[256];  /* --set arguments, applied once the kind is known */
	size_t n_sets;
};

/* The options this module handles, as the two groups a command's --help
 * shows ("message options:", "restrictions (Article 10(2)):"), ended by
 * an entry with opts NULL: the lia_cmd_spec groups of publish, send and
 * seal. */
extern const struct lia_opt_group lia_compose_groups[];

void lia_compose_init(struct lia_compose *c);
void lia_compose_clear(struct lia_compose *c);

/* Handle one option (an id from lia_compose_groups); 1 when it was ours,
 * 0 when not, -1 on a bad value (err says which flag and why). */
int lia_compose_option(struct lia_compose *c, int code, const char *arg,
		       char err[static LIA_ERR_MAX]);

/* Set one body field by its path from the Body (lia_body_set), as a
 * command's own flag would: "verification_request.issuing_state". */
int lia_compose_field(struct lia_compose *c, const char *path, const char *value,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Finish: check the combination (kind given, H3 text with H3, ...) and
 * produce the serialized Body in *body (malloc'd). */
int lia_compose_finish(struct lia_compose *c, uint8_t **body, size_t *body_len,
		       char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
