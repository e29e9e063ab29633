/*
 * cmd_feeds.c — feed subscriptions: subscribe, unsubscribe, feeds.
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "body.h"
#include "client.h"
#include "commands.h"
#include "compose.h"
#include "envelope.h"
#include "util.h"
#include "cmd_int.h"
#include "feeds.h"

/* --- feeds --- */

static const struct lia_opt subscribe_opts[] = {
	LIA_OPT_PROFILE,
	{"kind", "KIND", "only messages of this kind (repeatable)", O_KIND, 0},
	{"region", "REGION", "only messages concerning this region (repeatable)", O_REGION, 0},
	{"agency", "AGENCY", "only messages from this agency (repeatable)", O_AGENCY, 0},
	{"min-evaluation", "CODE", "only messages evaluated at least this well: B2 (Europol\n"
				   "4x4), 4x4:B2 or 6x6:C3 (Admiralty)", O_MINEVAL, 0},
	LIA_OPT_END,
};

static const struct lia_cmd_spec subscribe_spec = {
	PROG, "subscribe", "FEED",
	"Creates (or replaces) your persistent feed FEED ([a-z0-9-]{1,32}). Every\n"
	"criterion given must match; an empty one matches anything. You receive only\n"
	"what the exchange policy permits: nothing of withheld messages reaches you.\n"
	"Offline, the broker keeps your deliveries; 'listen' catches up in order.",
	PROG " subscribe med-routes --profile analysis --kind route --kind carrier \\\n"
	"    --region MED-CENTRAL --min-evaluation B2",
	subscribe_opts, NULL, 0, NULL,
};

/* One criterion of the filter. */
static int subscribe_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct lia_feed_filter *f = ctx;
	enum lia_kind k;
	switch (id) {
	case O_KIND:
		if (lia_kind_parse(arg, &k) != 0)
			return lia_errf(err, "--kind: route, carrier, network, document, concealment, ...");
		f->kinds |= 1u << k;
		return 0;
	case O_REGION:
		if (!lia_name_is_region(arg) || lia_names_add(&f->regions, arg) != 0)
			return lia_errf(err, "--region: a region like MED-CENTRAL");
		return 0;
	case O_AGENCY:
		if (!lia_name_is_agency(arg) || lia_names_add(&f->agencies, arg) != 0)
			return lia_errf(err, "--agency: an agency like IT-GDF");
		return 0;
	default:
		if (lia_feed_eval_parse(arg, &f->min_eval) != 0)
			return lia_errf(err, "--min-evaluation: e.g. B2 or 6x6:C3");
		return 0;
	}
}

int lia_cmd_subscribe(int argc, char **argv)
{
	struct lia_feed_filter filter, *f = &filter;
	memset(f, 0, sizeof *f);
	struct lia_cli_common cm;
	int first;
	int done = lia_cli_parse(&subscribe_spec, argc, argv, &cm, subscribe_option, f, &first);
	if (done >= 0)
		return done;
	const char *profile = cm.profile;
	if (first + 1 != argc || !lia_feed_name_valid(argv[first]))
		return lia_usage_error("subscribe", "name the feed: [a-z0-9-]{1,32}");
	struct lia_client cl;
	char err[LIA_ERR_MAX];
	int rc = lia_feeds_subscribe(&cl, profile, argv[first], f, err);
	if (rc == LIA_EXIT_OK)
		printf("subscribed: feed %s\n", argv[first]);
	else
		lia_cmd_report("subscribe", rc, err);
	lia_agent_done(&cl, NULL);
	return rc;
}

static const struct lia_opt unsubscribe_opts[] = {
	LIA_OPT_PROFILE,
	LIA_OPT_END,
};

static const struct lia_cmd_spec unsubscribe_spec = {
	PROG, "unsubscribe", "FEED",
	"Removes your feed FEED.",
	NULL, unsubscribe_opts, NULL, 0, NULL,
};

int lia_cmd_unsubscribe(int argc, char **argv)
{
	const char *profile;
	int as_json, first;
	int done = lia_cmd_parse(&unsubscribe_spec, argc, argv, &profile, &as_json, &first);
	if (done >= 0)
		return done;
	if (first + 1 != argc || !lia_feed_name_valid(argv[first]))
		return lia_usage_error("unsubscribe", "name the feed");
	struct lia_client cl;
	char err[LIA_ERR_MAX];
	int rc = lia_feeds_unsubscribe(&cl, profile, argv[first], err);
	if (rc == LIA_EXIT_OK)
		printf("unsubscribed: feed %s\n", argv[first]);
	else
		lia_cmd_report("unsubscribe", rc, err);
	lia_agent_done(&cl, NULL);
	return rc;
}

static json_t *filter_json(const struct lia_feed_filter *f)
{
	json_t *kinds = json_array(), *regions = json_array(), *agencies = json_array();
	for (int k = 1; k <= LIA_KIND_MAX; k++)
		if (f->kinds & (1u << k))
			json_array_append_new(kinds, json_string(lia_kind_str((enum lia_kind)k)));
	for (size_t i = 0; i < f->regions.n; i++)
		json_array_append_new(regions, json_string(f->regions.v[i]));
	for (size_t i = 0; i < f->agencies.n; i++)
		json_array_append_new(agencies, json_string(f->agencies.v[i]));
	char ev[16] = "";
	if (f->min_eval.scheme != LIA_EVAL_NONE)
		snprintf(ev, sizeof ev, "%s:%c%u", lia_eval_scheme_str(f->min_eval.scheme), f->min_eval.source,
			 (unsigned)f->min_eval.information);
	return json_pack("{s:o, s:o, s:o, s:s}", "kinds", kinds, "regions", regions, "originator_agencies",
			 agencies, "min_evaluation", ev);
}

static const struct lia_opt feeds_opts[] = {
	LIA_OPT_PROFILE,
	LIA_OPT_JSON("one JSON object per feed"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec feeds_spec = {
	PROG, "feeds", NULL,
	"Lists your feeds and their filters.",
	NULL, feeds_opts, NULL, 0, NULL,
};

int lia_cmd_feeds(int argc, char **argv)
{
	const char *profile;
	int as_json, first;
	int done = lia_cmd_parse(&feeds_spec, argc, argv, &profile, &as_json, &first);
	if (done >= 0)
		return done;
	struct lia_client cl;
	struct lia_frame rep;
	char err[LIA_ERR_MAX];
	int rc = lia_feeds_list(&cl, profile, &rep, err);
	if (rc != LIA_EXIT_OK)
		lia_cmd_report("feeds", rc, err);
	else
		for (size_t i = 0; i < rep.u.feed_list.n; i++) {
			json_t *j = filter_json(&rep.u.feed_list.v[i].filter);
			json_object_set_new(j, "name", json_string(rep.u.feed_list.v[i].name));
			if (as_json) {
				lia_json_print(j);
			} else {
				char *s = json_dumps(json_object_get(j, "kinds"), JSON_COMPACT);
				char *r = json_dumps(json_object_get(j, "regions"), JSON_COMPACT);
				char *a = json_dumps(json_object_get(j, "originator_agencies"), JSON_COMPACT);
				printf("%-20s kinds %s regions %s agencies %s min %s\n", rep.u.feed_list.v[i].name,
				       s, r, a, json_string_value(json_object_get(j, "min_evaluation"))[0]
						    ? json_string_value(json_object_get(j, "min_evaluation")) : "-");
				free(s);
				free(r);
				free(a);
				json_decref(j);
			}
		}
	lia_agent_done(&cl, &rep);
	return rc;
}
