/*
 * json.c — JSON output shared by every program (json.h).
 */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>

#include "util.h"

int lia_json_write_line(FILE *f, json_t *j, size_t flags, char err[static LIA_ERR_MAX])
{
	if (j == NULL)
		return lia_errf(err, "cannot render JSON: out of memory");
	int rc = json_dumpf(j, f, flags);
	json_decref(j);
	if (rc != 0 || fputc('\n', f) == EOF)
		return lia_errf(err, "cannot write JSON output");
	return 0;
}

void lia_json_print(json_t *j)
{
	char err[LIA_ERR_MAX];
	/* A command has nothing better to do with a failed line than to go
	 * on: stdout is the user's, and the exit status says the rest. */
	(void)!lia_json_write_line(stdout, j, LIA_JSON_LINE, err);
	fflush(stdout);
}

json_t *lia_json_hex(const uint8_t *b, size_t n)
{
	char buf[2 * 64 + 1];
	if (n > 64)
		return NULL;
	lia_hex(buf, b, n);
	return json_string(buf);
}

json_t *lia_json_time(int64_t t)
{
	char buf[32];
	lia_time_format(t, buf);
	return json_string(buf);
}

json_t *lia_json_serial(uint64_t serial)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRIu64, serial);
	return json_string(buf);
}

json_t *lia_json_time_opt(int64_t t)
{
	return t == 0 ? json_null() : lia_json_time(t);
}

json_t *lia_json_names(const struct lia_names *l)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}
