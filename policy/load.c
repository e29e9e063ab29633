/*
 * load.c — YAML exchange policy → struct lia_policy.
 *
 * Two passes. First, libyaml's event parser feeds a small tree of
 * mappings, sequences and scalars, each with its line and column; this
 * is where anchors, aliases, tags, duplicate keys, depth and size are
 * refused, so that nothing later can be made to loop or blow up (the
 * event API is used instead of libyaml's document loader because the
 * latter silently shares aliased nodes, which is how "billion laughs"
 * files work). Second, the tree is checked section by section against
 * the schema in docs/policy.md and turned into the policy struct; every
 * refusal points at the node that caused it.
 *
 * Scalars are never typed implicitly: "NO" stays the country Norway,
 * and only the exact words true and false are booleans.
 *
 * Cost: the tree is at most MAX_NODES nodes of at most MAX_SCALAR bytes
 * each, and a mapping has at most MAX_ENTRIES keys, which also bounds the
 * quadratic duplicate-key check. A hash set would make that linear; not
 * needed at these sizes.
 */
#include "load.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "check.h"
#include "policy_int.h"
#include "util.h"

#define MAX_DEPTH 12
#define MAX_NODES 65536
#define MAX_SCALAR 1024
#define MAX_ENTRIES 1024 /* keys of one mapping, items of one sequence */
#define DEFAULT_SKEW 300
#define DEFAULT_PUBLISH_PER_HOUR 600 /* rate_limits: the example policy's values */
#define DEFAULT_ONWARD_PER_DAY 100
#define DEFAULT_AUDIT_PER_HOUR 600
#define DEFAULT_PROTECTED_DAYS 90
/* verification: Art. 13 asks for "a reasonable time"; these are the
 * deadlines border services work to (issue 13). */
#define DEFAULT_DEADLINE_URGENT (8 * 3600)
#define DEFAULT_DEADLINE_NORMAL (3 * 86400)
#define DEFAULT_DEADLINE_ROUTINE (7 * 86400)
#define DEFAULT_REMIND_BEFORE 3600
#define WHERE_MAX 160

enum ntype { N_SCALAR, N_MAP, N_SEQ };

struct node {
	enum ntype type;
	unsigned line, col;
	char *s; /* scalar text, NUL-terminated (checked to hold no NUL) */
	size_t n; /* children; a mapping stores key, value, key, value... */
	size_t cap;
	struct node **kid;
};

struct loader {
	const char *name;
	const uint8_t *buf;
	size_t len;
	struct lia_policy_error *e;
	yaml_parser_t parser;
	size_t n_nodes;
};

/* --- errors --- */

static void mark_truncated(char *buf, size_t size)
{
	if (size >= 4)
		memcpy(buf + size - 4, "...", 4);
}

static int vfail_at(struct loader *L, unsigned line, unsigned col, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static int vfail_at(struct loader *L, unsigned line, unsigned col, const char *fmt, va_list ap)
{
	char text[LIA_ERR_MAX];
	int w = vsnprintf(text, sizeof text, fmt, ap);
	if (w < 0)
		memcpy(text, "error", sizeof "error");
	else if ((size_t)w >= sizeof text)
		mark_truncated(text, sizeof text);
	L->e->line = line;
	L->e->column = col;
	if (line > 0)
		w = snprintf(L->e->msg, sizeof L->e->msg, "%s:%u:%u: %s", L->name, line, col, text);
	else
		w = snprintf(L->e->msg, sizeof L->e->msg, "%s: %s", L->name, text);
	if (w < 0 || (size_t)w >= sizeof L->e->msg)
		mark_truncated(L->e->msg, sizeof L->e->msg);
	return -1;
}

static int fail_at(struct loader *L, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_at(struct loader *L, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail_at(L, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail(struct loader *L, const struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct loader *L, const struct node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail_at(L, n->line, n->col, fmt, ap);
	va_end(ap);
	return -1;
}

/* "where" strings name the place in the file in words: agency "IT-GDF". */
static void where_fmt(char out[static WHERE_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void where_fmt(char out[static WHERE_MAX], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(out, WHERE_MAX, fmt, ap);
	va_end(ap);
	if (w < 0 || w >= WHERE_MAX)
		mark_truncated(out, WHERE_MAX);
}

/* Line and column of a byte offset, for reader errors that carry only
 * the offset. */
static void offset_position(const struct loader *L, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < off && i < L->len; i++) {
		if (L->buf[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static int next_event(struct loader *L, yaml_event_t *ev)
{
	if (yaml_parser_parse(&L->parser, ev))
		return 0;
	const yaml_parser_t *y = &L->parser;
	const char *problem = y->problem != NULL ? y->problem : "unknown error";
	unsigned line, col;
	switch (y->error) {
	case YAML_MEMORY_ERROR:
		return fail_at(L, 0, 0, "out of memory while parsing YAML");
	case YAML_READER_ERROR:
		offset_position(L, y->problem_offset, &line, &col);
		return fail_at(L, line, col, "not valid UTF-8 text: %s", problem);
	default:
		line = (unsigned)y->problem_mark.line + 1;
		col = (unsigned)y->problem_mark.column + 1;
		if (y->context != NULL)
			return fail_at(L, line, col, "YAML syntax error: %s %s", y->context, problem);
		return fail_at(L, line, col, "YAML syntax error: %s", problem);
	}
}

/* --- tree --- */

static void free_node(struct node *n)
{
	if (n == NULL)
		return;
	for (size_t i = 0; i < n->n; i++)
		free_node(n->kid[i]);
	free(n->kid);
	free(n->s);
	free(n);
}

static struct node *new_node(struct loader *L, enum ntype t, const yaml_event_t *ev)
{
	unsigned line = (unsigned)ev->start_mark.line + 1, col = (unsigned)ev->start_mark.column + 1;
	if (L->n_nodes >= MAX_NODES) {
		fail_at(L, line, col, "too many YAML nodes (limit %d)", MAX_NODES);
		return NULL;
	}
	struct node *n = calloc(1, sizeof *n);
	if (n == NULL) {
		fail_at(L, line, col, "out of memory");
		return NULL;
	}
	L->n_nodes++;
	n->type = t;
	n->line = line;
	n->col = col;
	return n;
}

static int add_kid(struct loader *L, struct node *parent, struct node *kid)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? 2 * parent->cap : 8;
		struct node **k = realloc(parent->kid, cap * sizeof *k);
		if (k == NULL)
			return fail(L, kid, "out of memory");
		parent->kid = k;
		parent->cap = cap;
	}
	parent->kid[parent->n++] = kid;
	return 0;
}

static const char *ntype_str(enum ntype t)
{
	switch (t) {
	case N_SCALAR:
		return "single value";
	case N_MAP:
		return "mapping";
	case N_SEQ:
		return "sequence";
	}
	return "?";
}

static struct node *build(struct loader *L, yaml_event_t *ev, int depth);

/* Children of a mapping or sequence until its end event. */
static int build_children(struct loader *L, struct node *n, int depth)
{
	for (;;) {
		yaml_event_t ev;
		if (next_event(L, &ev) != 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		size_t limit = n->type == N_MAP ? 2 * MAX_ENTRIES : MAX_ENTRIES;
		if (n->n >= limit) {
			yaml_event_delete(&ev);
			return fail(L, n, "this %s has more than %d entries", ntype_str(n->type),
				    MAX_ENTRIES);
		}
		struct node *kid = build(L, &ev, depth + 1);
		if (kid == NULL)
			return -1;
		if (add_kid(L, n, kid) != 0) {
			free_node(kid);
			return -1;
		}
		if (n->type != N_MAP || n->n % 2 == 0)
			continue;
		/* kid is a key: plain text, unique within the mapping. */
		if (kid->type != N_SCALAR)
			return fail(L, kid, "a key must be a single value, not a %s",
				    ntype_str(kid->type));
		for (size_t i = 0; i + 1 < n->n; i += 2) {
			if (strcmp(n->kid[i]->s, kid->s) == 0)
				return fail(L, kid, "duplicate key \"%s\" (first at line %u, column %u)",
					    kid->s, n->kid[i]->line, n->kid[i]->col);
		}
	}
}

/* Build the node that begins with *ev; always deletes *ev. */
static struct node *build(struct loader *L, yaml_event_t *ev, int depth)
{
	struct node *n = NULL;
	unsigned line = (unsigned)ev->start_mark.line + 1, col = (unsigned)ev->start_mark.column + 1;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		fail_at(L, line, col, "aliases (*name) are not allowed in a policy file");
		break;
	case YAML_SCALAR_EVENT: {
		const yaml_char_t *anchor = ev->data.scalar.anchor, *tag = ev->data.scalar.tag;
		size_t len = ev->data.scalar.length;
		if (anchor != NULL) {
			fail_at(L, line, col, "anchors (&name) are not allowed in a policy file");
		} else if (tag != NULL) {
			fail_at(L, line, col, "tags (!name) are not allowed in a policy file");
		} else if (len > MAX_SCALAR) {
			fail_at(L, line, col, "value of %zu bytes is longer than the limit of %d", len,
				MAX_SCALAR);
		} else if (memchr(ev->data.scalar.value, '\0', len) != NULL) {
			fail_at(L, line, col, "value contains a NUL character");
		} else if ((n = new_node(L, N_SCALAR, ev)) != NULL) {
			n->s = malloc(len + 1);
			if (n->s == NULL) {
				fail_at(L, line, col, "out of memory");
				free_node(n);
				n = NULL;
				break;
			}
			memcpy(n->s, ev->data.scalar.value, len);
			n->s[len] = '\0';
		}
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		const yaml_char_t *anchor = seq ? ev->data.sequence_start.anchor
						: ev->data.mapping_start.anchor;
		const yaml_char_t *tag = seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag;
		if (anchor != NULL) {
			fail_at(L, line, col, "anchors (&name) are not allowed in a policy file");
			break;
		}
		if (tag != NULL) {
			fail_at(L, line, col, "tags (!name) are not allowed in a policy file");
			break;
		}
		if (depth >= MAX_DEPTH) {
			fail_at(L, line, col, "nested deeper than %d levels", MAX_DEPTH);
			break;
		}
		n = new_node(L, seq ? N_SEQ : N_MAP, ev);
		if (n == NULL)
			break;
		yaml_event_delete(ev);
		if (build_children(L, n, depth) != 0) {
			free_node(n);
			return NULL;
		}
		return n;
	}
	default:
		fail_at(L, line, col, "unexpected YAML structure");
		break;
	}
	yaml_event_delete(ev);
	return n;
}

static struct node *read_tree(struct loader *L)
{
	yaml_event_t ev;
	struct node *root = NULL;
	if (next_event(L, &ev) != 0)
		return NULL;
	if (ev.type != YAML_STREAM_START_EVENT) {
		yaml_event_delete(&ev);
		fail_at(L, 1, 1, "unexpected YAML structure");
		return NULL;
	}
	yaml_event_delete(&ev);
	if (next_event(L, &ev) != 0)
		return NULL;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		fail_at(L, 0, 0, "the policy is empty");
		return NULL;
	}
	if (ev.type != YAML_DOCUMENT_START_EVENT) {
		yaml_event_delete(&ev);
		fail_at(L, 1, 1, "unexpected YAML structure");
		return NULL;
	}
	yaml_event_delete(&ev);
	if (next_event(L, &ev) != 0)
		return NULL;
	root = build(L, &ev, 0);
	if (root == NULL)
		return NULL;
	if (next_event(L, &ev) != 0)
		goto fail;
	yaml_event_delete(&ev); /* document end */
	if (next_event(L, &ev) != 0)
		goto fail;
	if (ev.type != YAML_STREAM_END_EVENT) {
		fail_at(L, (unsigned)ev.start_mark.line + 1, (unsigned)ev.start_mark.column + 1,
			"a policy file holds one YAML document; a second one starts here");
		yaml_event_delete(&ev);
		goto fail;
	}
	yaml_event_delete(&ev);
	return root;
fail:
	free_node(root);
	return NULL;
}

/* --- schema helpers --- */

static const struct node *map_get(const struct node *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (strcmp(map->kid[i]->s, key) == 0)
			return map->kid[i + 1];
	return NULL;
}

static int expect(struct loader *L, const struct node *n, enum ntype t, const char *what)
{
	if (n->type == t)
		return 0;
	return fail(L, n, "%s must be a %s, not a %s", what, ntype_str(t), ntype_str(n->type));
}

/* Refuse any key of map not in allowed (NULL-terminated). */
static int check_keys(struct loader *L, const struct node *map, const char *where,
		      const char *const *allowed)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const char *key = map->kid[i]->s;
		size_t j;
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(allowed[j], key) == 0)
				break;
		if (allowed[j] != NULL)
			continue;
		char list[LIA_ERR_MAX] = "";
		size_t used = 0;
		for (j = 0; allowed[j] != NULL; j++) {
			int w = snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "",
					 allowed[j]);
			if (w < 0 || (size_t)w >= sizeof list - used)
				break;
			used += (size_t)w;
		}
		return fail(L, map->kid[i], "unknown key \"%s\" in %s (known keys: %s)", key, where,
			    list);
	}
	return 0;
}

static int required(struct loader *L, const struct node *map, const char *key, const char *where,
		    const struct node **out)
{
	*out = map_get(map, key);
	if (*out == NULL)
		return fail(L, map, "%s has no \"%s\"", where, key);
	return 0;
}

static int get_bool(struct loader *L, const struct node *n, const char *what, bool *out)
{
	if (expect(L, n, N_SCALAR, what) != 0)
		return -1;
	if (strcmp(n->s, "true") == 0)
		*out = true;
	else if (strcmp(n->s, "false") == 0)
		*out = false;
	else
		return fail(L, n, "%s must be true or false, not \"%s\"", what, n->s);
	return 0;
}

static int get_uint(struct loader *L, const struct node *n, const char *what, uint64_t min,
		    uint64_t max, uint64_t *out)
{
	if (expect(L, n, N_SCALAR, what) != 0)
		return -1;
	uint64_t v;
	if (lia_parse_u64(n->s, &v) != 0 || v < min || v > max)
		return fail(L, n, "%s must be a whole number from %llu to %llu, not \"%s\"", what,
			    (unsigned long long)min, (unsigned long long)max, n->s);
	*out = v;
	return 0;
}

static int get_days(struct loader *L, const struct node *n, const char *what, uint32_t *out)
{
	uint64_t v;
	if (get_uint(L, n, what, 1, LIA_POLICY_MAX_DAYS, &v) != 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A name of the shape valid() accepts, into out (LIA_NAME_MAX). */
static int get_name(struct loader *L, const struct node *n, const char *what,
		    bool (*valid)(const char *), const char *shape, char *out)
{
	if (expect(L, n, N_SCALAR, what) != 0)
		return -1;
	if (strlen(n->s) >= LIA_NAME_MAX || !valid(n->s))
		return fail(L, n, "\"%s\" is not a valid %s (expected %s)", n->s, what, shape);
	memcpy(out, n->s, strlen(n->s) + 1);
	return 0;
}

#define AGENCY_SHAPE "upper-case letters, digits and '-', 2 to 32 characters, e.g. IT-GDF"
#define REGION_SHAPE "upper-case letters, digits and '-', 2 to 32 characters, e.g. MED-CENTRAL"
#define COUNTRY_SHAPE "an ISO 3166-1 alpha-2 code such as IT"

/* Free text for people: one line of printable UTF-8, by core's one text
 * check. Control characters, Unicode line separators and the BOM are
 * refused so that the text prints safely on a terminal and survives the
 * canonical form unchanged; LIA_TEXT_FORMAT keeps the zero-width and
 * direction characters that policies written today may use (check.h). */
static int get_text(struct loader *L, const struct node *n, const char *what, char *out,
		    size_t cap)
{
	if (expect(L, n, N_SCALAR, what) != 0)
		return -1;
	size_t len = strlen(n->s);
	if (len >= cap)
		return fail(L, n, "%s is %zu bytes, longer than the limit of %zu", what, len, cap - 1);
	uint32_t cp = 0;
	switch (lia_text_scan(n->s, len, LIA_TEXT_FORMAT, &cp)) {
	case LIA_TEXT_VALID: break;
	case LIA_TEXT_NOT_UTF8: return fail(L, n, "%s is not valid UTF-8", what);
	case LIA_TEXT_REFUSED:
		return fail(L, n, "%s contains a control character (U+%04X)", what, (unsigned)cp);
	}
	memcpy(out, n->s, len + 1);
	return 0;
}

static int get_tlp(struct loader *L, const struct node *n, const char *what, enum lia_tlp *out)
{
	if (expect(L, n, N_SCALAR, what) != 0)
		return -1;
	if (lia_tlp_parse(n->s, out) != 0)
		return fail(L, n, "%s must be one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED, not \"%s\"",
			    what, n->s);
	return 0;
}

/* "all", or a sequence of kind names (possibly empty). */
static int get_kinds(struct loader *L, const struct node *n, const char *what, uint32_t *out)
{
	if (n->type == N_SCALAR && strcmp(n->s, "all") == 0) {
		*out = LIA_KIND_ALL;
		return 0;
	}
	if (n->type != N_SEQ)
		return fail(L, n, "%s must be \"all\" or a sequence of kinds such as [route, carrier]",
			    what);
	uint32_t kinds = 0;
	for (size_t i = 0; i < n->n; i++) {
		const struct node *k = n->kid[i];
		enum lia_kind kind;
		if (expect(L, k, N_SCALAR, "a kind") != 0)
			return -1;
		if (lia_kind_parse(k->s, &kind) != 0)
			return fail(L, k,
				    "unknown kind \"%s\" in %s (kinds: route, carrier, network, document, "
				    "concealment, legislation, technical, verification-request, "
				    "verification-answer, note, recall)",
				    k->s, what);
		if (kinds & LIA_KIND_BIT(kind))
			return fail(L, k, "kind \"%s\" is listed twice in %s", k->s, what);
		kinds |= LIA_KIND_BIT(kind);
	}
	*out = kinds;
	return 0;
}

static int get_handling(struct loader *L, const struct node *n, const char *what, uint32_t *out)
{
	if (expect(L, n, N_SEQ, what) != 0)
		return -1;
	uint32_t set = 0;
	for (size_t i = 0; i < n->n; i++) {
		const struct node *k = n->kid[i];
		uint32_t bit;
		if (expect(L, k, N_SCALAR, "a handling code") != 0)
			return -1;
		if (lia_handling_parse(k->s, &bit) != 0)
			return fail(L, k, "unknown handling code \"%s\" in %s (codes: H1, H2, H3)", k->s,
				    what);
		if (set & bit)
			return fail(L, k, "handling code \"%s\" is listed twice in %s", k->s, what);
		set |= bit;
	}
	*out = set;
	return 0;
}

/* A sequence of names of agencies defined in p, as a set. */
static int get_agency_refs(struct loader *L, const struct lia_policy *p, const struct node *n,
			   const char *where, struct lia_agency_set *out)
{
	char what[WHERE_MAX];
	where_fmt(what, "the agencies of %s", where);
	if (expect(L, n, N_SEQ, what) != 0)
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		const struct node *k = n->kid[i];
		if (expect(L, k, N_SCALAR, "an agency name") != 0)
			return -1;
		int a = lia_policy_agency_index(p, k->s);
		if (a < 0)
			return fail(L, k, "%s names undefined agency \"%s\"", where, k->s);
		if (lia_agency_set_has(out, (size_t)a))
			return fail(L, k, "agency \"%s\" is listed twice in %s", k->s, where);
		lia_agency_set_add(out, (size_t)a);
	}
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	/* Every struct sorted here begins with its name. */
	return strcmp((const char *)a, (const char *)b);
}

/* --- sections --- */

static int parse_evaluation(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"scheme", "required", NULL};
	if (expect(L, n, N_MAP, "evaluation") != 0 || check_keys(L, n, "evaluation", keys) != 0)
		return -1;
	const struct node *v;
	if ((v = map_get(n, "scheme")) != NULL) {
		if (expect(L, v, N_SCALAR, "evaluation.scheme") != 0)
			return -1;
		if (strcmp(v->s, "4x4") == 0)
			p->eval_scheme = LIA_EVAL_EUROPOL_4X4;
		else if (strcmp(v->s, "6x6") == 0)
			p->eval_scheme = LIA_EVAL_ADMIRALTY_6X6;
		else
			return fail(L, v, "evaluation.scheme must be 4x4 (Europol) or 6x6 (Admiralty), not \"%s\"",
				    v->s);
	}
	if ((v = map_get(n, "required")) != NULL &&
	    get_bool(L, v, "evaluation.required", &p->eval_required) != 0)
		return -1;
	return 0;
}

static int parse_rate_limits(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"publish_per_hour", "onward_requests_per_day",
					   "audit_queries_per_hour", NULL};
	if (expect(L, n, N_MAP, "rate_limits") != 0 || check_keys(L, n, "rate_limits", keys) != 0)
		return -1;
	const struct node *v;
	uint64_t x;
	if ((v = map_get(n, "publish_per_hour")) != NULL) {
		if (get_uint(L, v, "rate_limits.publish_per_hour", 0, LIA_POLICY_MAX_RATE, &x) != 0)
			return -1;
		p->publish_per_hour = (uint32_t)x;
	}
	if ((v = map_get(n, "onward_requests_per_day")) != NULL) {
		if (get_uint(L, v, "rate_limits.onward_requests_per_day", 0, LIA_POLICY_MAX_RATE,
			     &x) != 0)
			return -1;
		p->onward_requests_per_day = (uint32_t)x;
	}
	if ((v = map_get(n, "audit_queries_per_hour")) != NULL) {
		if (get_uint(L, v, "rate_limits.audit_queries_per_hour", 0, LIA_POLICY_MAX_RATE,
			     &x) != 0)
			return -1;
		p->audit_queries_per_hour = (uint32_t)x;
	}
	return 0;
}

static int parse_retention(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"default_days", "kinds", NULL};
	if (expect(L, n, N_MAP, "retention") != 0 || check_keys(L, n, "retention", keys) != 0)
		return -1;
	const struct node *v;
	if (required(L, n, "default_days", "retention", &v) != 0 ||
	    get_days(L, v, "retention.default_days", &p->retention_days[0]) != 0)
		return -1;
	for (int k = 1; k <= LIA_KIND_MAX; k++)
		p->retention_days[k] = p->retention_days[0];
	if ((v = map_get(n, "kinds")) == NULL)
		return 0;
	if (expect(L, v, N_MAP, "retention.kinds") != 0)
		return -1;
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		enum lia_kind kind;
		if (lia_kind_parse(v->kid[i]->s, &kind) != 0)
			return fail(L, v->kid[i], "unknown kind \"%s\" in retention.kinds",
				    v->kid[i]->s);
		char what[WHERE_MAX];
		where_fmt(what, "retention.kinds.%s", v->kid[i]->s);
		if (get_days(L, v->kid[i + 1], what, &p->retention_days[kind]) != 0)
			return -1;
	}
	return 0;
}

static int parse_personal_data(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"min_tlp", "max_retention_days", NULL};
	if (expect(L, n, N_MAP, "personal_data") != 0 ||
	    check_keys(L, n, "personal_data", keys) != 0)
		return -1;
	const struct node *v;
	if ((v = map_get(n, "min_tlp")) != NULL &&
	    get_tlp(L, v, "personal_data.min_tlp", &p->pd_min_tlp) != 0)
		return -1;
	if ((v = map_get(n, "max_retention_days")) != NULL &&
	    get_days(L, v, "personal_data.max_retention_days", &p->pd_max_days) != 0)
		return -1;
	return 0;
}

/* Protected persons must be protected at least as strictly as any
 * personal data: the checks below compare with personal_data, which is
 * therefore parsed first. */
static int parse_protected(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"min_tlp", "handling", "max_retention_days", NULL};
	if (expect(L, n, N_MAP, "protected_persons") != 0 ||
	    check_keys(L, n, "protected_persons", keys) != 0)
		return -1;
	const struct node *v;
	if ((v = map_get(n, "min_tlp")) != NULL) {
		if (get_tlp(L, v, "protected_persons.min_tlp", &p->protected_min_tlp) != 0)
			return -1;
		if (p->protected_min_tlp < LIA_TLP_GREEN)
			return fail(L, v, "protected_persons.min_tlp cannot be CLEAR: data on "
					  "smuggled migrants never leaves the exchange");
		if (p->protected_min_tlp < p->pd_min_tlp)
			return fail(L, v,
				    "protected_persons.min_tlp (%s) is below personal_data.min_tlp (%s): "
				    "protected persons must be protected at least as strictly",
				    lia_tlp_str(p->protected_min_tlp), lia_tlp_str(p->pd_min_tlp));
	}
	if ((v = map_get(n, "handling")) != NULL) {
		if (get_handling(L, v, "protected_persons.handling", &p->protected_handling) != 0)
			return -1;
		if (!(p->protected_handling & LIA_HANDLING_H2))
			return fail(L, v, "protected_persons.handling must include H2: data on smuggled "
					  "migrants is never passed on without the originator's consent");
		if (p->protected_handling & LIA_HANDLING_H3)
			return fail(L, v, "protected_persons.handling cannot force H3: H3 needs the "
					  "originator's own text");
	}
	if ((v = map_get(n, "max_retention_days")) != NULL) {
		if (get_days(L, v, "protected_persons.max_retention_days", &p->protected_max_days) != 0)
			return -1;
		if (p->protected_max_days > p->pd_max_days)
			return fail(L, v,
				    "protected_persons.max_retention_days (%u) is longer than "
				    "personal_data.max_retention_days (%u)",
				    p->protected_max_days, p->pd_max_days);
	}
	return 0;
}

static int parse_roles(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"liaison", "analyst", "auditor", "broker", NULL};
	static const char *const role_keys[] = {"publish", "receive", NULL};
	if (expect(L, n, N_MAP, "roles") != 0 || check_keys(L, n, "roles", keys) != 0)
		return -1;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct node *k = n->kid[i], *v = n->kid[i + 1];
		enum lia_role role;
		if (lia_role_parse(k->s, &role) != 0)
			return fail(L, k, "unknown role \"%s\"", k->s);
		char where[WHERE_MAX], what[WHERE_MAX];
		where_fmt(where, "role \"%s\"", k->s);
		if (expect(L, v, N_MAP, where) != 0 || check_keys(L, v, where, role_keys) != 0)
			return -1;
		const struct node *pub = map_get(v, "publish"), *rec = map_get(v, "receive");
		struct lia_policy_role *r = &p->roles[role];
		where_fmt(what, "roles.%s.publish", k->s);
		if (pub != NULL && get_kinds(L, pub, what, &r->publish) != 0)
			return -1;
		where_fmt(what, "roles.%s.receive", k->s);
		if (rec != NULL && get_kinds(L, rec, what, &r->receive) != 0)
			return -1;
		if (role == LIA_ROLE_AUDITOR && r->receive != 0)
			return fail(L, rec, "auditors never receive content: roles.auditor.receive must "
					    "be empty");
		if (role == LIA_ROLE_BROKER && (r->receive != 0 || r->publish != 0))
			return fail(L, r->receive != 0 ? rec : pub,
				    "brokers never publish or receive content: roles.broker must be empty");
	}
	return 0;
}

/* The head of a section that names its entries (regions, agencies,
 * agreements): a map of at most max entries, and *mem a zeroed array of
 * that many elem-sized entries (NULL when there are none). */
static int section_alloc(struct loader *L, const struct node *n, const char *what, size_t max,
			 size_t elem, void **mem, size_t *count)
{
	*mem = NULL;
	if (expect(L, n, N_MAP, what) != 0)
		return -1;
	*count = n->n / 2;
	if (*count > max)
		return fail(L, n, "%zu %s are more than the limit of %zu", *count, what, max);
	if (*count == 0)
		return 0;
	*mem = calloc(*count, elem);
	return *mem == NULL ? fail(L, n, "out of memory") : 0;
}

static int parse_agencies(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"country", "description", "may_receive_personal_data",
					   "judicial", NULL};
	size_t count = 0;
	void *mem;
	if (section_alloc(L, n, "agencies", LIA_POLICY_MAX_AGENCIES, sizeof *p->agencies, &mem, &count) != 0)
		return -1;
	if (count == 0)
		return fail(L, n, "agencies is empty: an exchange needs at least one agency");
	p->agencies = mem;
	for (size_t i = 0; i < count; i++) {
		const struct node *k = n->kid[2 * i], *v = n->kid[2 * i + 1];
		struct lia_policy_agency *a = &p->agencies[i];
		if (get_name(L, k, "agency name", lia_name_is_agency, AGENCY_SHAPE, a->name) != 0)
			return -1;
		char where[WHERE_MAX];
		where_fmt(where, "agency \"%s\"", a->name);
		if (expect(L, v, N_MAP, where) != 0 || check_keys(L, v, where, keys) != 0)
			return -1;
		const struct node *x;
		if (required(L, v, "country", where, &x) != 0 ||
		    get_name(L, x, "country code", lia_name_is_country, COUNTRY_SHAPE, a->country) != 0)
			return -1;
		if ((x = map_get(v, "description")) != NULL &&
		    get_text(L, x, "description", a->description, sizeof a->description) != 0)
			return -1;
		if ((x = map_get(v, "may_receive_personal_data")) != NULL &&
		    get_bool(L, x, "may_receive_personal_data", &a->may_receive_personal_data) != 0)
			return -1;
		if ((x = map_get(v, "judicial")) != NULL && get_bool(L, x, "judicial", &a->judicial) != 0)
			return -1;
	}
	p->n_agencies = count;
	qsort(p->agencies, count, sizeof *p->agencies, cmp_name);
	return 0;
}

static int cmp_country(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int parse_regions(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"description", "countries", "agencies", NULL};
	size_t count = 0;
	void *mem;
	if (section_alloc(L, n, "regions", LIA_POLICY_MAX_REGIONS, sizeof *p->regions, &mem, &count) != 0)
		return -1;
	if (count == 0)
		return 0;
	p->regions = mem;
	for (size_t i = 0; i < count; i++) {
		const struct node *k = n->kid[2 * i], *v = n->kid[2 * i + 1];
		struct lia_policy_region *r = &p->regions[i];
		if (get_name(L, k, "region name", lia_name_is_region, REGION_SHAPE, r->name) != 0)
			return -1;
		char where[WHERE_MAX];
		where_fmt(where, "region \"%s\"", r->name);
		if (expect(L, v, N_MAP, where) != 0 || check_keys(L, v, where, keys) != 0)
			return -1;
		const struct node *x;
		if ((x = map_get(v, "description")) != NULL &&
		    get_text(L, x, "description", r->description, sizeof r->description) != 0)
			return -1;
		if ((x = map_get(v, "countries")) != NULL) {
			char what[WHERE_MAX];
			where_fmt(what, "the countries of %s", where);
			if (expect(L, x, N_SEQ, what) != 0)
				return -1;
			if (x->n > LIA_POLICY_MAX_COUNTRIES)
				return fail(L, x, "%s lists %zu countries, more than the limit of %d",
					    where, x->n, LIA_POLICY_MAX_COUNTRIES);
			for (size_t j = 0; j < x->n; j++) {
				char c[LIA_NAME_MAX];
				if (get_name(L, x->kid[j], "country code", lia_name_is_country,
					     COUNTRY_SHAPE, c) != 0)
					return -1;
				for (size_t m = 0; m < r->n_countries; m++)
					if (strcmp(r->countries[m], c) == 0)
						return fail(L, x->kid[j],
							    "country \"%s\" is listed twice in %s", c,
							    where);
				memcpy(r->countries[r->n_countries++], c, 3);
			}
			qsort(r->countries, r->n_countries, sizeof r->countries[0], cmp_country);
		}
		bool any_agency = false;
		if ((x = map_get(v, "agencies")) != NULL) {
			if (get_agency_refs(L, p, x, where, &r->agencies) != 0)
				return -1;
			any_agency = x->n > 0;
		}
		if (r->n_countries == 0 && !any_agency)
			return fail(L, k, "%s has no members: give its countries, its agencies or both",
				    where);
	}
	p->n_regions = count;
	qsort(p->regions, count, sizeof *p->regions, cmp_name);
	/* Each agency's regions, as a bit set over the sorted regions. */
	for (size_t a = 0; a < p->n_agencies; a++) {
		struct lia_policy_agency *ag = &p->agencies[a];
		for (size_t r = 0; r < p->n_regions; r++) {
			const struct lia_policy_region *rg = &p->regions[r];
			bool member = lia_agency_set_has(&rg->agencies, a);
			for (size_t c = 0; !member && c < rg->n_countries; c++)
				member = strcmp(rg->countries[c], ag->country) == 0;
			if (member)
				ag->regions |= (uint64_t)1 << r;
		}
	}
	return 0;
}

static size_t agency_set_count(const struct lia_agency_set *s)
{
	size_t n = 0;
	for (size_t i = 0; i < LIA_POLICY_AGENCY_WORDS; i++)
		n += (size_t)__builtin_popcountll(s->w[i]);
	return n;
}

static int parse_agreements(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"type",  "description",   "parties",
					   "regions", "kinds", "personal_data", NULL};
	size_t count = 0;
	void *mem;
	if (section_alloc(L, n, "agreements", LIA_POLICY_MAX_AGREEMENTS, sizeof *p->agreements, &mem,
			  &count) != 0)
		return -1;
	if (count == 0)
		return 0;
	p->agreements = mem;
	for (size_t i = 0; i < count; i++) {
		const struct node *k = n->kid[2 * i], *v = n->kid[2 * i + 1];
		struct lia_policy_agreement *g = &p->agreements[i];
		if (get_name(L, k, "agreement name", lia_name_is_region, REGION_SHAPE, g->name) != 0)
			return -1;
		char where[WHERE_MAX];
		where_fmt(where, "agreement \"%s\"", g->name);
		if (expect(L, v, N_MAP, where) != 0 || check_keys(L, v, where, keys) != 0)
			return -1;
		const struct node *type, *x;
		if (required(L, v, "type", where, &type) != 0 ||
		    expect(L, type, N_SCALAR, "type") != 0)
			return -1;
		if (strcmp(type->s, "bilateral") == 0)
			g->type = LIA_AGREEMENT_BILATERAL;
		else if (strcmp(type->s, "multilateral") == 0)
			g->type = LIA_AGREEMENT_MULTILATERAL;
		else
			return fail(L, type, "the type of %s must be bilateral or multilateral, not \"%s\"",
				    where, type->s);
		if ((x = map_get(v, "description")) != NULL &&
		    get_text(L, x, "description", g->description, sizeof g->description) != 0)
			return -1;
		if ((x = map_get(v, "parties")) != NULL &&
		    get_agency_refs(L, p, x, where, &g->named) != 0)
			return -1;
		if ((x = map_get(v, "regions")) != NULL) {
			char what[WHERE_MAX];
			where_fmt(what, "the regions of %s", where);
			if (expect(L, x, N_SEQ, what) != 0)
				return -1;
			for (size_t j = 0; j < x->n; j++) {
				const struct node *rn = x->kid[j];
				if (expect(L, rn, N_SCALAR, "a region name") != 0)
					return -1;
				int r = lia_policy_region_index(p, rn->s);
				if (r < 0)
					return fail(L, rn, "%s names undefined region \"%s\"", where,
						    rn->s);
				if ((g->regions >> r) & 1u)
					return fail(L, rn, "region \"%s\" is listed twice in %s", rn->s,
						    where);
				g->regions |= (uint64_t)1 << r;
			}
		}
		if (required(L, v, "kinds", where, &x) != 0)
			return -1;
		char what[WHERE_MAX];
		where_fmt(what, "the kinds of %s", where);
		if (get_kinds(L, x, what, &g->kinds) != 0)
			return -1;
		if (g->kinds == 0)
			return fail(L, x, "%s lets no kind of message flow", where);
		if ((x = map_get(v, "personal_data")) != NULL &&
		    get_bool(L, x, "personal_data", &g->personal_data) != 0)
			return -1;
		size_t named = agency_set_count(&g->named);
		if (g->type == LIA_AGREEMENT_BILATERAL && (named != 2 || g->regions != 0))
			return fail(L, type,
				    "a bilateral agreement has exactly two agencies as parties and no "
				    "regions; %s has %zu agencies and %d regions",
				    where, named, __builtin_popcountll(g->regions));
		g->parties = g->named;
		for (size_t a = 0; a < p->n_agencies; a++)
			if (p->agencies[a].regions & g->regions)
				lia_agency_set_add(&g->parties, a);
		if (agency_set_count(&g->parties) < 2)
			return fail(L, k, "%s has fewer than two agencies as parties", where);
	}
	p->n_agreements = count;
	qsort(p->agreements, count, sizeof *p->agreements, cmp_name);
	return 0;
}

/* A duration: whole seconds, or a whole number with s, m, h or d
 * ("8h", "3d", "90s"), from min to LIA_POLICY_MAX_DEADLINE seconds. */
static int get_duration(struct loader *L, const struct node *n, const char *what, uint64_t min,
			int64_t *out)
{
	if (expect(L, n, N_SCALAR, what) != 0)
		return -1;
	int64_t v;
	if (lia_duration_parse(n->s, &v) != 0 || v > LIA_POLICY_MAX_DEADLINE || v < (int64_t)min)
		return fail(L, n, "%s must be a duration from %llus to 366d (seconds, or a number "
				  "with s, m, h or d, e.g. 8h), not \"%s\"",
			    what, (unsigned long long)min, n->s);
	*out = v;
	return 0;
}

static int parse_offices(struct loader *L, const struct node *n, struct lia_policy *p)
{
	size_t count = 0;
	void *mem;
	if (section_alloc(L, n, "verification.offices", LIA_POLICY_MAX_OFFICES, sizeof *p->offices,
			  &mem, &count) != 0)
		return -1;
	p->offices = mem;
	p->n_offices = count;
	for (size_t i = 0; i < count; i++) {
		const struct node *k = n->kid[2 * i], *v = n->kid[2 * i + 1];
		struct lia_policy_office *o = &p->offices[i];
		if (!lia_name_is_country(k->s))
			return fail(L, k, "\"%s\" in verification.offices is not %s", k->s,
				    COUNTRY_SHAPE);
		memcpy(o->country, k->s, 3);
		char what[WHERE_MAX];
		where_fmt(what, "verification.offices.%s", k->s);
		if (expect(L, v, N_SCALAR, what) != 0)
			return -1;
		char agency[LIA_NAME_MAX];
		if (strlen(v->s) < LIA_NAME_MAX && lia_name_is_agency(v->s)) {
			o->is_agency = true;
			memcpy(agency, v->s, strlen(v->s) + 1);
		} else if (strlen(v->s) < LIA_NAME_MAX && lia_name_is_subject(v->s)) {
			lia_subject_agency(v->s, agency);
		} else {
			return fail(L, v, "%s must name an agency (IT-PS) or a principal "
					  "(IT-PS/documents), not \"%s\"",
				    what, v->s);
		}
		if (lia_policy_agency(p, agency) == NULL)
			return fail(L, v, "%s names agency \"%s\", which is not in agencies", what,
				    agency);
		memcpy(o->name, v->s, strlen(v->s) + 1);
	}
	if (count > 1) /* qsort of no array is undefined */
		qsort(p->offices, count, sizeof *p->offices, cmp_name);
	for (size_t i = 1; i < count; i++)
		if (strcmp(p->offices[i - 1].country, p->offices[i].country) == 0)
			return fail(L, n, "verification.offices names %s twice", p->offices[i].country);
	return 0;
}

static int parse_verification(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"deadlines", "remind_before", "liaison_officers_answer",
					   "offices", NULL};
	static const char *const urgencies[] = {"urgent", "normal", "routine", NULL};
	if (expect(L, n, N_MAP, "verification") != 0 || check_keys(L, n, "verification", keys) != 0)
		return -1;
	const struct node *v;
	if ((v = map_get(n, "deadlines")) != NULL) {
		if (expect(L, v, N_MAP, "verification.deadlines") != 0 ||
		    check_keys(L, v, "verification.deadlines", urgencies) != 0)
			return -1;
		for (int u = LIA_URGENCY_URGENT; u <= LIA_URGENCY_MAX; u++) {
			const struct node *d = map_get(v, urgencies[u - 1]);
			char what[WHERE_MAX];
			where_fmt(what, "verification.deadlines.%s", urgencies[u - 1]);
			if (d != NULL && get_duration(L, d, what, 1, &p->verif_deadline[u]) != 0)
				return -1;
		}
	}
	if ((v = map_get(n, "remind_before")) != NULL &&
	    get_duration(L, v, "verification.remind_before", 0, &p->verif_remind_before) != 0)
		return -1;
	for (int u = LIA_URGENCY_URGENT; u <= LIA_URGENCY_MAX; u++)
		if (p->verif_remind_before >= p->verif_deadline[u])
			return fail(L, v != NULL ? v : n,
				    "verification.remind_before (%llds) must be shorter than the %s "
				    "deadline (%llds)",
				    (long long)p->verif_remind_before, urgencies[u - 1],
				    (long long)p->verif_deadline[u]);
	if ((v = map_get(n, "liaison_officers_answer")) != NULL &&
	    get_bool(L, v, "verification.liaison_officers_answer", &p->verif_liaison_answer) != 0)
		return -1;
	if ((v = map_get(n, "offices")) != NULL && parse_offices(L, v, p) != 0)
		return -1;
	return 0;
}

static int parse_recall(struct loader *L, const struct node *n, struct lia_policy *p)
{
	static const char *const keys[] = {"liaison_officers", NULL};
	if (expect(L, n, N_MAP, "recall") != 0 || check_keys(L, n, "recall", keys) != 0)
		return -1;
	const struct node *v = map_get(n, "liaison_officers");
	return v != NULL ? get_bool(L, v, "recall.liaison_officers", &p->recall_liaison) : 0;
}

static int parse_policy(struct loader *L, const struct node *root, struct lia_policy *p)
{
	static const char *const keys[] = {
		"version",       "exchange",          "description", "evaluation", "skew_seconds",
		"rate_limits",   "retention",         "personal_data", "protected_persons",
		"roles",         "regions",           "agencies",    "agreements", "verification",
		"recall",        NULL};
	if (root->type != N_MAP)
		return fail(L, root, "a policy file is a mapping of sections (version, exchange, "
				     "agencies, ...), not a %s",
			    ntype_str(root->type));
	if (check_keys(L, root, "the policy", keys) != 0)
		return -1;
	const struct node *v;
	uint64_t x;
	if (required(L, root, "version", "the policy", &v) != 0 ||
	    get_uint(L, v, "version", 0, UINT32_MAX, &x) != 0)
		return -1;
	if (x != LIA_POLICY_VERSION)
		return fail(L, v, "policy version %llu is not supported (this program reads version %d)",
			    (unsigned long long)x, LIA_POLICY_VERSION);
	if (required(L, root, "exchange", "the policy", &v) != 0 ||
	    get_name(L, v, "exchange name", lia_name_is_region, REGION_SHAPE, p->exchange) != 0)
		return -1;
	if ((v = map_get(root, "description")) != NULL &&
	    get_text(L, v, "description", p->description, sizeof p->description) != 0)
		return -1;

	p->eval_scheme = LIA_EVAL_EUROPOL_4X4;
	if ((v = map_get(root, "evaluation")) != NULL && parse_evaluation(L, v, p) != 0)
		return -1;
	p->skew_seconds = DEFAULT_SKEW;
	if ((v = map_get(root, "skew_seconds")) != NULL) {
		if (get_uint(L, v, "skew_seconds", 0, LIA_POLICY_MAX_SKEW, &x) != 0)
			return -1;
		p->skew_seconds = (int64_t)x;
	}
	/* Every request that costs a ledger record has a limit, also when
	 * the file forgot it (issue 11, item 2); 0 written out is no limit. */
	p->publish_per_hour = DEFAULT_PUBLISH_PER_HOUR;
	p->onward_requests_per_day = DEFAULT_ONWARD_PER_DAY;
	p->audit_queries_per_hour = DEFAULT_AUDIT_PER_HOUR;
	if ((v = map_get(root, "rate_limits")) != NULL && parse_rate_limits(L, v, p) != 0)
		return -1;
	if (required(L, root, "retention", "the policy", &v) != 0 || parse_retention(L, v, p) != 0)
		return -1;

	/* Defaults: personal data at least GREEN and kept no longer than
	 * the default ceiling; protected persons AMBER, H2, 90 days. */
	p->pd_min_tlp = LIA_TLP_GREEN;
	p->pd_max_days = p->retention_days[0];
	if ((v = map_get(root, "personal_data")) != NULL && parse_personal_data(L, v, p) != 0)
		return -1;
	p->protected_min_tlp = p->pd_min_tlp > LIA_TLP_AMBER ? p->pd_min_tlp : LIA_TLP_AMBER;
	p->protected_handling = LIA_HANDLING_H2;
	p->protected_max_days =
		p->pd_max_days < DEFAULT_PROTECTED_DAYS ? p->pd_max_days : DEFAULT_PROTECTED_DAYS;
	if ((v = map_get(root, "protected_persons")) != NULL && parse_protected(L, v, p) != 0)
		return -1;

	if (required(L, root, "roles", "the policy", &v) != 0 || parse_roles(L, v, p) != 0)
		return -1;
	/* Agencies before regions and agreements, which refer to them. */
	if (required(L, root, "agencies", "the policy", &v) != 0 || parse_agencies(L, v, p) != 0)
		return -1;
	if ((v = map_get(root, "regions")) != NULL && parse_regions(L, v, p) != 0)
		return -1;
	if ((v = map_get(root, "agreements")) != NULL && parse_agreements(L, v, p) != 0)
		return -1;
	p->verif_deadline[LIA_URGENCY_URGENT] = DEFAULT_DEADLINE_URGENT;
	p->verif_deadline[LIA_URGENCY_NORMAL] = DEFAULT_DEADLINE_NORMAL;
	p->verif_deadline[LIA_URGENCY_ROUTINE] = DEFAULT_DEADLINE_ROUTINE;
	p->verif_remind_before = DEFAULT_REMIND_BEFORE;
	if ((v = map_get(root, "verification")) != NULL && parse_verification(L, v, p) != 0)
		return -1;
	if ((v = map_get(root, "recall")) != NULL && parse_recall(L, v, p) != 0)
		return -1;
	return 0;
}

struct lia_policy *lia_policy_parse(const char *name, const uint8_t *buf, size_t len,
				    struct lia_policy_error *e)
{
	struct loader L = {.name = name, .buf = buf, .len = len, .e = e};
	struct lia_policy *p = NULL;
	struct node *root = NULL;
	memset(e, 0, sizeof *e);
	if (len > LIA_POLICY_MAX_BYTES) {
		fail_at(&L, 0, 0, "policy of %zu bytes is larger than the limit of %u bytes", len,
			LIA_POLICY_MAX_BYTES);
		return NULL;
	}
	if (!yaml_parser_initialize(&L.parser)) {
		fail_at(&L, 0, 0, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&L.parser, buf, len);
	root = read_tree(&L);
	yaml_parser_delete(&L.parser);
	if (root == NULL)
		return NULL;
	p = calloc(1, sizeof *p);
	if (p == NULL) {
		fail_at(&L, 0, 0, "out of memory");
		goto fail;
	}
	size_t nlen = strlen(name);
	if (nlen >= sizeof p->source)
		nlen = sizeof p->source - 1;
	memcpy(p->source, name, nlen);
	p->source[nlen] = '\0';
	if (parse_policy(&L, root, p) != 0)
		goto fail;
	char err[LIA_ERR_MAX];
	if (lia_policy_seal(p, err) != 0) {
		fail_at(&L, 0, 0, "%s", err);
		goto fail;
	}
	free_node(root);
	return p;
fail:
	free_node(root);
	lia_policy_destroy(&p);
	return NULL;
}

struct lia_policy *lia_policy_load(const char *path, struct lia_policy_error *e)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	memset(e, 0, sizeof *e);
	if (lia_file_read(path, LIA_POLICY_MAX_BYTES, &buf, &len, e->msg) != 0)
		return NULL;
	struct lia_policy *p = lia_policy_parse(path, buf, len, e);
	free(buf);
	return p;
}
