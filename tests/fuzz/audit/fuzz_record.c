/*
 * fuzz_record.c — ledger records (record.h) and export lines (export.h):
 * whatever decodes must re-encode to exactly the input (one spelling per
 * record), and export lines must parse or fail cleanly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[LIA_ERR_MAX];
	struct lia_record *r = malloc(sizeof *r);
	if (r == NULL)
		return 0;
	if (lia_record_decode(r, data, size, err) == 0) {
		uint8_t *again = NULL;
		size_t n = 0;
		if (lia_record_encode(r, &again, &n, err) != 0 || n != size ||
		    memcmp(again, data, size) != 0)
			abort();
		free(again);
	}
	free(r);
	err[0] = '\0';
	if (lia_export_parse_line((const char *)data, size, err) != 0 && err[0] == '\0')
		abort(); /* every failure says why */
	return 0;
}
