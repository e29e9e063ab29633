/*
 * fuzz_note.c — signed notes and checkpoints (note.h): note opening with
 * the test broker key, checkpoint parsing of the text, splitting a
 * container of notes, and verifier key strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[LIA_ERR_MAX];
	struct lia_note_verifier v;
	if (fuzz_verifier(&v) != 0)
		abort();
	const char *text = (const char *)data;
	struct lia_checkpoint c;
	size_t tlen = 0;
	if (lia_note_open(text, size, &v, &tlen, err) == LIA_NOTE_OK && tlen > size)
		abort();
	if (lia_checkpoint_open(&c, text, size, &v, err) == LIA_NOTE_OK && strcmp(c.origin, v.name) != 0)
		abort();
	if (lia_checkpoint_parse(&c, text, size, err) == 0) {
		/* What parses formats back to a prefix of the input (extensions aside). */
		char again[LIA_NOTE_NAME_MAX + 96];
		int n = lia_checkpoint_text(again, sizeof again, &c);
		if (n < 0 || (size_t)n > size || memcmp(again, data, (size_t)n) != 0)
			abort();
	}
	size_t first = lia_note_split(text, size);
	if (first > size)
		abort();
	/* Verifier key strings are NUL-terminated. */
	char *s = malloc(size + 1);
	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		struct lia_note_verifier pv;
		if (lia_note_verifier_parse(&pv, s, err) == 0) {
			char out[LIA_NOTE_VKEY_MAX];
			lia_note_verifier_format(&pv, out);
			if (strcmp(out, s) != 0)
				abort();
		}
		free(s);
	}
	return 0;
}
