/* quote.c — see quote.h. */
#include "quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "marking_combine.h"
#include "receive.h"
#include "util.h"

int lia_quote_header(struct lia_header *h, const struct lia_header *x, char err[static LIA_ERR_MAX])
{
	struct lia_restrictions theirs = x->restrictions, mine = h->restrictions;
	lia_restrictions_addressed(&theirs, x->originator);
	lia_restrictions_allow(&theirs, x->originator);
	theirs.embargo_until = 0; /* passed: the caller holds it */
	/* No TLP given: the quoted one's; RED naming no one: the same
	 * principals (the combination may only narrow them). */
	if (mine.tlp == 0)
		mine.tlp = theirs.tlp;
	if (mine.tlp == LIA_TLP_RED && mine.release_principals.n == 0)
		mine.release_principals = theirs.release_principals;
	char why[LIA_ERR_MAX];
	if (lia_restrictions_combine(&h->restrictions, &mine, &theirs, why) != 0)
		return lia_errf(err, "the marking cannot carry that of the message quoted: %s", why),
		       LIA_EXIT_USAGE;
	h->has_in_reply_to = true;
	memcpy(h->in_reply_to, x->id, LIA_ID_BYTES);
	h->subjects |= x->subjects;
	if (h->regions.n == 0)
		h->regions = x->regions;
	if (h->evaluation.scheme == LIA_EVAL_NONE)
		h->evaluation = x->evaluation;
	return LIA_EXIT_OK;
}

int lia_forward(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES], const struct lia_names *to,
		struct lia_publish_result *res, char err[static LIA_ERR_MAX])
{
	memset(res, 0, sizeof *res);
	struct lia_opened x;
	int rc = lia_receive_fetch(cl, id, &x, err);
	enum lia_kind k = x.header.kind;
	if (rc == LIA_EXIT_OK && (k == LIA_KIND_RECALL || k == LIA_KIND_VERIFICATION_REQUEST ||
				  k == LIA_KIND_VERIFICATION_ANSWER)) {
		lia_errf(err, "a %s is not forwarded: it concerns its parties only", lia_kind_str(k));
		rc = LIA_EXIT_USAGE;
	}
	struct lia_header h;
	memset(&h, 0, sizeof h);
	h.kind = k;
	memcpy(h.topic, x.header.topic, sizeof h.topic);
	if (rc == LIA_EXIT_OK)
		rc = lia_quote_header(&h, &x.header, err);
	if (rc == LIA_EXIT_OK)
		rc = lia_publish(cl, &h, x.body, x.body_len, NULL, 0, to, res, err);
	lia_opened_clear(&x);
	return rc;
}
