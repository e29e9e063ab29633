/*
 * settings.h — small YAML settings files (the broker's configuration,
 * the agent's connection profiles): one mapping of "key: value" scalars,
 * described by a table, read with libyaml into a caller's struct.
 *
 * Unknown keys, keys given twice, empty values, numbers out of range and
 * missing required keys are errors naming the file, line and column.
 * Relative paths are taken relative to the file's folder.
 */
#ifndef LIA_SETTINGS_H
#define LIA_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum lia_setting_type {
	LIA_SETTING_TEXT, /* char[size], copied as given */
	LIA_SETTING_PATH, /* char[size], made relative to the file's folder */
	LIA_SETTING_U32,  /* uint32_t in [min, max] */
};

struct lia_setting {
	const char *name;
	enum lia_setting_type type;
	size_t offset; /* of the field in the caller's struct */
	size_t size;   /* of a text or path field, NUL included */
	uint32_t min, max;
	bool required;
};

/* Read path (at most max_bytes) into the struct at base. Fields of keys
 * absent from the file keep the values the caller set before. */
int lia_settings_load(void *base, const struct lia_setting *keys, size_t n_keys, const char *path,
		      size_t max_bytes, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
