/*
 * settings.c — table-driven YAML settings through libyaml's document API.
 */
#include "settings.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

#define SETTINGS_MAX_KEYS 64

/* The folder of path, for relative paths inside the file. */
static int folder_of(char dir[static PATH_MAX], const char *path, char err[static LIA_ERR_MAX])
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL) {
		memcpy(dir, ".", 2);
		return 0;
	}
	size_t n = (size_t)(slash - path);
	if (n >= PATH_MAX)
		return lia_errf(err, "path too long: \"%s\"", path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (n == 0)
		memcpy(dir, "/", 2);
	return 0;
}

static int set_one(void *base, const struct lia_setting *k, const char *val, const char *dir,
		   const char *path, size_t line, size_t col, char err[static LIA_ERR_MAX])
{
	char *field = (char *)base + k->offset;
	if (k->type == LIA_SETTING_U32) {
		uint64_t u;
		if (lia_parse_u64(val, &u) != 0 || u < k->min || u > k->max)
			return lia_errf(err, "%s:%zu:%zu: \"%s\" must be a number from %u to %u", path, line,
					col, k->name, k->min, k->max);
		*(uint32_t *)(void *)field = (uint32_t)u;
		return 0;
	}
	if (val[0] == '\0')
		return lia_errf(err, "%s:%zu:%zu: \"%s\" is empty", path, line, col, k->name);
	int w = k->type == LIA_SETTING_PATH && val[0] != '/' ? snprintf(field, k->size, "%s/%s", dir, val)
							     : snprintf(field, k->size, "%s", val);
	if (w < 0 || (size_t)w >= k->size)
		return lia_errf(err, "%s:%zu:%zu: \"%s\" is too long", path, line, col, k->name);
	return 0;
}

int lia_settings_load(void *base, const struct lia_setting *keys, size_t n_keys, const char *path,
		      size_t max_bytes, char err[static LIA_ERR_MAX])
{
	char dir[PATH_MAX];
	bool seen[SETTINGS_MAX_KEYS] = {false};
	if (n_keys > SETTINGS_MAX_KEYS || folder_of(dir, path, err) != 0)
		return n_keys > SETTINGS_MAX_KEYS ? lia_errf(err, "too many settings") : -1;
	uint8_t *buf;
	size_t len;
	if (lia_file_read(path, max_bytes, &buf, &len, err) != 0)
		return -1;
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = -1;
	if (!yaml_parser_initialize(&parser)) {
		free(buf);
		return lia_errf(err, "out of memory");
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		lia_errf(err, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		free(buf);
		return -1;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		lia_errf(err, "%s: expected a mapping of settings", path);
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		size_t line = k->start_mark.line + 1, col = k->start_mark.column + 1;
		if (k->type != YAML_SCALAR_NODE || v == NULL || v->type != YAML_SCALAR_NODE) {
			lia_errf(err, "%s:%zu:%zu: settings are \"key: value\" pairs", path, line, col);
			goto out;
		}
		const char *name = (const char *)k->data.scalar.value;
		size_t i = 0;
		while (i < n_keys && strcmp(keys[i].name, name) != 0)
			i++;
		if (i == n_keys) {
			lia_errf(err, "%s:%zu:%zu: unknown setting \"%s\"", path, line, col, name);
			goto out;
		}
		if (seen[i]) {
			lia_errf(err, "%s:%zu:%zu: \"%s\" given twice", path, line, col, name);
			goto out;
		}
		seen[i] = true;
		if (set_one(base, &keys[i], (const char *)v->data.scalar.value, dir, path,
			    v->start_mark.line + 1, v->start_mark.column + 1, err) != 0)
			goto out;
	}
	for (size_t i = 0; i < n_keys; i++)
		if (keys[i].required && !seen[i]) {
			lia_errf(err, "%s: the setting \"%s\" is required", path, keys[i].name);
			goto out;
		}
	rc = 0;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(buf);
	return rc;
}
