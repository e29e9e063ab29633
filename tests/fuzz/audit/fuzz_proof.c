/*
 * fuzz_proof.c — proof files (proof.h): both parsers on every input, then
 * verification against the test broker key, and for what parses, a
 * format/parse round trip that must give the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_keys.h"
#include "proof.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[LIA_ERR_MAX];
	struct lia_note_verifier v;
	if (fuzz_verifier(&v) != 0)
		abort();
	const char *text = (const char *)data;
	struct lia_inclusion_proof p;
	if (lia_inclusion_proof_parse(&p, text, size, err) == LIA_PROOF_OK) {
		struct lia_checkpoint cp;
		struct lia_record *r = malloc(sizeof *r);
		err[0] = '\0';
		if (r != NULL) {
			enum lia_proof_status st = lia_inclusion_proof_verify(&p, &v, &cp, r, err);
			/* Verified means: the record is at its index in a signed tree. */
			if (st == LIA_PROOF_OK && (r->seq != p.index || p.index >= cp.size))
				abort();
			if (st != LIA_PROOF_OK && err[0] == '\0')
				abort(); /* every failure says why */
		}
		free(r);
		char *again = NULL;
		size_t n = 0;
		if (lia_inclusion_proof_format(&again, &n, &p, err) == 0) {
			if (n != size || memcmp(again, data, size) != 0)
				abort(); /* two spellings of one proof */
			free(again);
		}
		lia_inclusion_proof_clear(&p);
	}
	struct lia_consistency_proof c;
	if (lia_consistency_proof_parse(&c, text, size, err) == LIA_PROOF_OK) {
		struct lia_checkpoint a, b;
		err[0] = '\0';
		enum lia_proof_status st = lia_consistency_proof_verify(&c, &v, &a, &b, err);
		if ((st == LIA_PROOF_OK && a.size > b.size) || (st != LIA_PROOF_OK && err[0] == '\0'))
			abort();
		char *again = NULL;
		size_t n = 0;
		if (lia_consistency_proof_format(&again, &n, &c, err) == 0) {
			if (n != size || memcmp(again, data, size) != 0)
				abort();
			free(again);
		}
		lia_consistency_proof_clear(&c);
	}
	return 0;
}
