/*
 * config.c — the broker's YAML configuration, through libyaml's
 * document API: one mapping of scalars, each key known and given once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

#define CONFIG_MAX_BYTES (64u * 1024)

enum ktype { K_STR, K_PATH, K_U32 };

struct key {
	const char *name;
	enum ktype type;
	size_t offset;
	size_t size;
	uint32_t min, max;
	int required;
};

#define STR(n, f, req) {n, K_STR, offsetof(struct lia_broker_config, f), sizeof(((struct lia_broker_config *)0)->f), 0, 0, req}
#define PATHK(n, f, req) {n, K_PATH, offsetof(struct lia_broker_config, f), sizeof(((struct lia_broker_config *)0)->f), 0, 0, req}
#define U32(n, f, lo, hi) {n, K_U32, offsetof(struct lia_broker_config, f), 0, lo, hi, 0}

static const struct key keys[] = {
	STR("listen", listen, 1),
	PATHK("keys", keys, 1),
	PATHK("authority_key", authority_key, 1),
	PATHK("certificates", certificates, 1),
	PATHK("revocation_list", revocation_list, 1),
	PATHK("policy", policy, 1),
	PATHK("data", data, 1),
	PATHK("passphrase_file", passphrase_file, 0),
	U32("window", window, 1, 1024),
	U32("batch", batch, 1, 100000),
	U32("checkpoint_seconds", checkpoint_seconds, 1, 86400),
	U32("checkpoint_records", checkpoint_records, 1, 100000000),
	U32("max_sessions", max_sessions, 1, 100000),
};
#define NKEYS (sizeof keys / sizeof keys[0])

int lia_broker_config_load(struct lia_broker_config *c, const char *path, char err[static LIA_ERR_MAX])
{
	memset(c, 0, sizeof *c);
	c->window = 64;
	c->batch = 512;
	c->checkpoint_seconds = 60;
	c->checkpoint_records = 10000;
	c->max_sessions = 1024;

	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (slash == NULL) {
		memcpy(dir, ".", 2);
	} else {
		size_t n = (size_t)(slash - path);
		if (n >= sizeof dir)
			return lia_errf(err, "config path too long");
		memcpy(dir, path, n);
		dir[n] = '\0';
		if (n == 0)
			memcpy(dir, "/", 2);
	}
	uint8_t *buf;
	size_t len;
	if (lia_file_read(path, CONFIG_MAX_BYTES, &buf, &len, err) != 0)
		return -1;
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = -1;
	int seen[NKEYS] = {0};
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
		if (k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE) {
			lia_errf(err, "%s:%zu:%zu: settings are \"key: value\" pairs", path, line, col);
			goto out;
		}
		const char *name = (const char *)k->data.scalar.value;
		const char *val = (const char *)v->data.scalar.value;
		size_t i = 0;
		while (i < NKEYS && strcmp(keys[i].name, name) != 0)
			i++;
		if (i == NKEYS) {
			lia_errf(err, "%s:%zu:%zu: unknown setting \"%s\"", path, line, col, name);
			goto out;
		}
		if (seen[i]++) {
			lia_errf(err, "%s:%zu:%zu: \"%s\" given twice", path, line, col, name);
			goto out;
		}
		line = v->start_mark.line + 1;
		col = v->start_mark.column + 1;
		char *field = (char *)c + keys[i].offset;
		if (keys[i].type == K_U32) {
			uint64_t u;
			if (lia_parse_u64(val, &u) != 0 || u < keys[i].min || u > keys[i].max) {
				lia_errf(err, "%s:%zu:%zu: \"%s\" must be a number from %u to %u", path,
					 line, col, name, keys[i].min, keys[i].max);
				goto out;
			}
			*(uint32_t *)(void *)field = (uint32_t)u;
			continue;
		}
		if (val[0] == '\0') {
			lia_errf(err, "%s:%zu:%zu: \"%s\" is empty", path, line, col, name);
			goto out;
		}
		int w;
		if (keys[i].type == K_PATH && val[0] != '/')
			w = snprintf(field, keys[i].size, "%s/%s", dir, val);
		else
			w = snprintf(field, keys[i].size, "%s", val);
		if (w < 0 || (size_t)w >= keys[i].size) {
			lia_errf(err, "%s:%zu:%zu: \"%s\" is too long", path, line, col, name);
			goto out;
		}
	}
	for (size_t i = 0; i < NKEYS; i++)
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
