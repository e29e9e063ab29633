/*
 * feed.c — feed filter matching.
 */
#include "feed.h"

#include <string.h>

bool lia_feed_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n >= LIA_FEED_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool lia_feed_filter_match(const struct lia_feed_filter *f, const struct lia_header *h)
{
	if (f->kinds != 0 && !(f->kinds & (1u << h->kind)))
		return false;
	if (f->regions.n > 0) {
		bool any = false;
		for (size_t i = 0; i < h->regions.n && !any; i++)
			any = lia_names_has(&f->regions, h->regions.v[i]);
		if (!any)
			return false;
	}
	if (f->agencies.n > 0) {
		char agency[LIA_NAME_MAX];
		lia_subject_agency(h->originator, agency);
		if (!lia_names_has(&f->agencies, agency))
			return false;
	}
	return lia_evaluation_meets(&h->evaluation, &f->min_eval);
}
