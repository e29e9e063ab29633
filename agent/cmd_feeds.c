/*
 * cmd_feeds.c — feed subscriptions: subscribe, unsubscribe, feeds.
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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

int lia_cmd_subscribe(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"kind", required_argument, NULL, O_KIND},
		{"region", required_argument, NULL, O_REGION},
		{"agency", required_argument, NULL, O_AGENCY},
		{"min-evaluation", required_argument, NULL, O_MINEVAL},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	struct lia_feed_filter filter, *f = &filter;
	memset(f, 0, sizeof *f);
	enum lia_kind k;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_KIND:
			if (lia_kind_parse(optarg, &k) != 0)
				return lia_usage_error("subscribe", "--kind: route, carrier, network, document, concealment, ...");
			f->kinds |= 1u << k;
			break;
		case O_REGION:
			if (!lia_name_is_region(optarg) || lia_names_add(&f->regions, optarg) != 0)
				return lia_usage_error("subscribe", "--region: a region like MED-CENTRAL");
			break;
		case O_AGENCY:
			if (!lia_name_is_agency(optarg) || lia_names_add(&f->agencies, optarg) != 0)
				return lia_usage_error("subscribe", "--agency: an agency like IT-GDF");
			break;
		case O_MINEVAL:
			if (lia_feed_eval_parse(optarg, &f->min_eval) != 0)
				return lia_usage_error("subscribe", "--min-evaluation: e.g. B2 or 6x6:C3");
			break;
		case O_HELP:
			puts("usage: " PROG " subscribe FEED --profile NAME [--kind KIND]... [--region REGION]...\n"
			     "          [--agency AGENCY]... [--min-evaluation CODE]\n"
			     "\n"
			     "Creates (or replaces) your persistent feed FEED ([a-z0-9-]{1,32}). Every\n"
			     "criterion given must match; an empty one matches anything. You receive only\n"
			     "what the exchange policy permits: nothing of withheld messages reaches you.\n"
			     "Offline, the broker keeps your deliveries; 'listen' catches up in order.\n"
			     "\n"
			     "example:\n"
			     "  " PROG " subscribe med-routes --profile analysis --kind route --kind carrier \\\n"
			     "      --region MED-CENTRAL --min-evaluation B2");
			return LIA_EXIT_OK;
		default: return lia_usage_error("subscribe", "invalid option");
		}
	}
	if (optind + 1 != argc || !lia_feed_name_valid(argv[optind]))
		return lia_usage_error("subscribe", "name the feed: [a-z0-9-]{1,32}");
	struct lia_client cl;
	char err[LIA_ERR_MAX];
	int rc = lia_feeds_subscribe(&cl, profile, argv[optind], f, err);
	if (rc == LIA_EXIT_OK)
		printf("subscribed: feed %s\n", argv[optind]);
	else
		lia_cmd_report("subscribe", rc, err);
	lia_agent_done(&cl, NULL);
	return rc;
}

int lia_cmd_unsubscribe(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = lia_cmd_simple_options("unsubscribe", argc, argv,
		"usage: " PROG " unsubscribe FEED --profile NAME\n\nRemoves your feed FEED.",
		false, &profile, &as_json);
	if (done >= 0)
		return done;
	if (optind + 1 != argc || !lia_feed_name_valid(argv[optind]))
		return lia_usage_error("unsubscribe", "name the feed");
	struct lia_client cl;
	char err[LIA_ERR_MAX];
	int rc = lia_feeds_unsubscribe(&cl, profile, argv[optind], err);
	if (rc == LIA_EXIT_OK)
		printf("unsubscribed: feed %s\n", argv[optind]);
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

int lia_cmd_feeds(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = lia_cmd_simple_options("feeds", argc, argv,
		"usage: " PROG " feeds --profile NAME [--json]\n\nLists your feeds and their filters.",
		true, &profile, &as_json);
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
