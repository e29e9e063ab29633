/*
 * feeds.c — subscribe, unsubscribe, list (feeds.h).
 */
#include "feeds.h"

#include <stdio.h>
#include <string.h>

int lia_feed_eval_parse(const char *s, struct lia_evaluation *out)
{
	struct lia_evaluation e = {.scheme = LIA_EVAL_EUROPOL_4X4};
	if (strncmp(s, "6x6:", 4) == 0)
		e.scheme = LIA_EVAL_ADMIRALTY_6X6, s += 4;
	else if (strncmp(s, "4x4:", 4) == 0)
		s += 4;
	if (strlen(s) != 2 || s[1] < '1' || s[1] > '6')
		return -1;
	e.source = s[0];
	e.information = (uint8_t)(s[1] - '0');
	*out = e;
	return 0;
}

int lia_feeds_subscribe(struct lia_client *cl, const char *profile, const char *name,
			const struct lia_feed_filter *f, char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_SUBSCRIBE, 0);
	snprintf(req.u.subscribe.name, sizeof req.u.subscribe.name, "%s", name);
	req.u.subscribe.filter = *f;
	int rc = lia_agent_call(cl, profile, 0, &req, &rep, LIA_FRAME_OK, err);
	lia_frame_clear(&rep);
	return rc;
}

int lia_feeds_unsubscribe(struct lia_client *cl, const char *profile, const char *name,
			  char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_UNSUBSCRIBE, 0);
	snprintf(req.u.unsubscribe.name, sizeof req.u.unsubscribe.name, "%s", name);
	int rc = lia_agent_call(cl, profile, 0, &req, &rep, LIA_FRAME_OK, err);
	lia_frame_clear(&rep);
	return rc;
}

int lia_feeds_list(struct lia_client *cl, const char *profile, struct lia_frame *rep,
		   char err[static LIA_ERR_MAX])
{
	struct lia_frame req;
	lia_frame_init(&req, LIA_FRAME_FEED_LIST, 0);
	return lia_agent_call(cl, profile, 0, &req, rep, LIA_FRAME_FEED_LIST, err);
}
