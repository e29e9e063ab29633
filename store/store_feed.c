/*
 * store_feed.c — the store's feeds: a subscriber's named standing filters,
 * stored with their name lists joined by ',' (names never contain one).
 */
#include "store.h"
#include "store_sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const struct lia_store_sql lia_store_sql_feed[] = {
	{Q_FEED_PUT, "INSERT OR REPLACE INTO feeds (subscriber, name, kinds, regions, agencies, "
		       "eval_scheme, eval_source, eval_information, created_at) "
		       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
	{Q_FEED_DEL, "DELETE FROM feeds WHERE subscriber = ?1 AND name = ?2"},
	{Q_FEEDS_ALL, "SELECT subscriber, name, kinds, regions, agencies, eval_scheme, eval_source, "
			"eval_information, created_at FROM feeds ORDER BY subscriber, name"},
	{Q_FEEDS_ONE, "SELECT subscriber, name, kinds, regions, agencies, eval_scheme, eval_source, "
			"eval_information, created_at FROM feeds WHERE subscriber = ?1 ORDER BY name"},
};
const size_t lia_store_sql_feed_n = sizeof lia_store_sql_feed / sizeof lia_store_sql_feed[0];

/* Names joined by ',' (they never contain one). */
static void join_names(char *out, size_t cap, const struct lia_names *l)
{
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		int w = snprintf(out + off, cap - off, "%s%s", i ? "," : "", l->v[i]);
		if (w < 0 || (size_t)w >= cap - off)
			return;
		off += (size_t)w;
	}
}

static int split_names(struct lia_names *l, const char *s, bool (*valid)(const char *))
{
	memset(l, 0, sizeof *l);
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		char name[LIA_NAME_MAX];
		if (n == 0 || n >= sizeof name)
			return -1;
		memcpy(name, s, n);
		name[n] = '\0';
		if (!valid(name) || lia_names_add(l, name) != 0)
			return -1;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

int lia_store_feed_put(struct lia_store *s, const struct lia_store_feed *f, char err[static LIA_ERR_MAX])
{
	char regions[LIA_LIST_MAX * LIA_NAME_MAX], agencies[LIA_LIST_MAX * LIA_NAME_MAX];
	char src[2] = {f->filter.min_eval.source, '\0'};
	join_names(regions, sizeof regions, &f->filter.regions);
	join_names(agencies, sizeof agencies, &f->filter.agencies);
	sqlite3_stmt *st = q(s, Q_FEED_PUT);
	sqlite3_bind_text(st, 1, f->subscriber, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->filter.kinds);
	sqlite3_bind_text(st, 4, regions, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, agencies, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, (int)f->filter.min_eval.scheme);
	sqlite3_bind_text(st, 7, src, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, f->filter.min_eval.information);
	sqlite3_bind_int64(st, 9, f->created_at);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_err(s, err, "store feed");
}

int lia_store_feed_remove(struct lia_store *s, const char *subscriber, const char *name)
{
	sqlite3_stmt *st = q(s, Q_FEED_DEL);
	sqlite3_bind_text(st, 1, subscriber, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	return sqlite3_changes(s->db) > 0 ? 1 : 0;
}

int lia_store_feeds(struct lia_store *s, const char *subscriber, struct lia_store_feed **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	sqlite3_stmt *st = q(s, subscriber[0] ? Q_FEEDS_ONE : Q_FEEDS_ALL);
	if (subscriber[0])
		sqlite3_bind_text(st, 1, subscriber, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct lia_store_feed *v = realloc(*out, ncap * sizeof *v);
			if (v == NULL)
				goto fail;
			*out = v;
			cap = ncap;
		}
		struct lia_store_feed *f = &(*out)[*n];
		memset(f, 0, sizeof *f);
		const unsigned char *regions = sqlite3_column_text(st, 3);
		const unsigned char *agencies = sqlite3_column_text(st, 4);
		const unsigned char *src = sqlite3_column_text(st, 6);
		if (col_name(f->subscriber, sizeof f->subscriber, st, 0) != 0 ||
		    col_name(f->name, sizeof f->name, st, 1) != 0 || regions == NULL ||
		    agencies == NULL || src == NULL ||
		    split_names(&f->filter.regions, (const char *)regions, lia_name_is_region) != 0 ||
		    split_names(&f->filter.agencies, (const char *)agencies, lia_name_is_agency) != 0)
			continue; /* a row we cannot trust is skipped, never half-used */
		f->filter.kinds = (uint32_t)sqlite3_column_int64(st, 2);
		f->filter.min_eval.scheme = (enum lia_eval_scheme)sqlite3_column_int(st, 5);
		f->filter.min_eval.source = (char)src[0];
		f->filter.min_eval.information = (uint8_t)sqlite3_column_int(st, 7);
		f->created_at = sqlite3_column_int64(st, 8);
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
fail:
	sqlite3_reset(st);
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}
