/*
 * feeds.h — the caller's persistent feeds at the broker: subscribe (create
 * or replace), unsubscribe, list. Used by `liaison subscribe`,
 * `unsubscribe` and `feeds` (agent/cmd_feeds.c).
 *
 * Owns: nothing. Trusts: the caller's names and filter (validated by the
 *   caller; lia_feed_eval_parse reads the one criterion given as text).
 *   Not the broker: its replies are type-checked (agent.h).
 * May call: agent.h, wire. Never prints.
 * Errors: exit statuses as agent.h says.
 */
#ifndef LIA_FEEDS_H
#define LIA_FEEDS_H

#include "agent.h"

/* A minimum evaluation as written on the command line: "B2" (Europol
 * 4x4), "4x4:B2" or "6x6:C3" (Admiralty). 0 and *out set, or -1. */
int lia_feed_eval_parse(const char *s, struct lia_evaluation *out);

/* Create or replace feed name with filter f. */
int lia_feeds_subscribe(struct lia_client *cl, const char *profile, const char *name,
			const struct lia_feed_filter *f, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Remove feed name. */
int lia_feeds_unsubscribe(struct lia_client *cl, const char *profile, const char *name,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The caller's feeds: on LIA_EXIT_OK rep->u.feed_list; release with
 * lia_agent_done. */
int lia_feeds_list(struct lia_client *cl, const char *profile, struct lia_frame *rep,
		   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
