/*
 * mkledger.c — test helper: create a ledger file the way the broker
 * would, without the broker, for the liaison-audit integration tests and
 * demos. Not part of the product; it uses only the public lia::audit API.
 *
 *   mkledger LEDGER VKEY-FILE COUNT EVERY
 *
 * appends COUNT synthetic records (tests/unit/audit/audit_fixture.h) in
 * transactions of 50, signs a checkpoint after every EVERY records and
 * at the end, and writes the broker's note verifier key to VKEY-FILE.
 * The signing key comes from a fixed seed: test material only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_fixture.h"
#include "util.h"

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s LEDGER VKEY-FILE COUNT EVERY\n", argv[0]);
		return LIA_EXIT_USAGE;
	}
	uint64_t count = 0, every = 0;
	if (lia_parse_u64(argv[3], &count) != 0 || lia_parse_u64(argv[4], &every) != 0 ||
	    every == 0) {
		fprintf(stderr, "mkledger: COUNT and EVERY are positive numbers\n");
		return LIA_EXIT_USAGE;
	}
	char err[LIA_ERR_MAX];
	struct lia_secret *key = fixture_key(9);
	struct lia_ledger *l = lia_ledger_open_file(argv[1], FIXTURE_ORIGIN, LIA_LEDGER_CREATE, err);
	struct lia_note_verifier v;
	int rc = LIA_EXIT_FAIL;
	if (key == NULL || l == NULL) {
		fprintf(stderr, "mkledger: %s\n", l == NULL ? err : "no key");
		goto done;
	}
	for (uint64_t at = 0; at < count;) {
		uint64_t to = at + every < count ? at + every : count;
		if (fixture_append(l, at, to, 50, err) != 0 ||
		    lia_ledger_checkpoint(l, key, 1795000000 + (int64_t)to, NULL, err) != 0) {
			fprintf(stderr, "mkledger: %s\n", err);
			goto done;
		}
		at = to;
	}
	char vkey[LIA_NOTE_VKEY_MAX + 1];
	if (lia_note_verifier_init(&v, FIXTURE_ORIGIN, key->pk, err) != 0) {
		fprintf(stderr, "mkledger: %s\n", err);
		goto done;
	}
	lia_note_verifier_format(&v, vkey);
	size_t n = strlen(vkey);
	vkey[n] = '\n';
	if (lia_file_replace(argv[2], (const uint8_t *)vkey, n + 1, 0644, err) != 0) {
		fprintf(stderr, "mkledger: %s\n", err);
		goto done;
	}
	rc = LIA_EXIT_OK;
done:
	lia_ledger_destroy(&l);
	lia_secret_destroy(&key);
	return rc;
}
