/* recall.c — see recall.h. */
#include "recall.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "client.h"
#include "envelope.h"
#include "receive.h"
#include "util.h"

/* The recall's header: the original's marking, superseding it. */
static void recall_header(struct lia_header *h, const struct lia_header *o, int64_t now)
{
	memset(h, 0, sizeof *h);
	h->kind = LIA_KIND_RECALL;
	h->has_supersedes = true;
	memcpy(h->supersedes, o->id, LIA_ID_BYTES);
	h->regions = o->regions;
	h->evaluation = o->evaluation;
	h->restrictions = o->restrictions;
	h->restrictions.embargo_until = 0;
	if (h->restrictions.expires_at != 0 && h->restrictions.expires_at <= now)
		h->restrictions.expires_at = 0;
}

/* The originator learns from the broker who received its message (the
 * disclosures query; anyone else is refused it): the recall then names
 * exactly those, consent grantees too, and no agency or region beyond
 * them. Without that answer, or with more holders than a release list
 * holds, the original's marking stays. */
static void name_holders(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
			 struct lia_restrictions *r)
{
	struct lia_frame req, rep;
	char err[LIA_ERR_MAX];
	lia_frame_init(&req, LIA_FRAME_AUDIT_QUERY, 0);
	req.u.audit_query.kind = LIA_AUDIT_DISCLOSURES;
	req.u.audit_query.has_message_id = true;
	memcpy(req.u.audit_query.message_id, id, LIA_ID_BYTES);
	if (lia_agent_ask(cl, &req, &rep, LIA_FRAME_AUDIT_ANSWER, err) != LIA_EXIT_OK) {
		lia_frame_clear(&rep);
		return;
	}
	struct lia_names holders = {0};
	bool fits = true;
	for (size_t i = 0; i < rep.u.audit_answer.n_disclosures && fits; i++) {
		const struct lia_disclosure *d = &rep.u.audit_answer.disclosures[i];
		if (d->disclosed && !lia_names_has(&holders, d->recipient))
			fits = lia_names_add(&holders, d->recipient) == 0;
	}
	lia_frame_clear(&rep);
	if (!fits || holders.n == 0)
		return;
	r->release_principals = holders;
	r->release_agencies.n = 0;
	r->release_regions.n = 0;
}

int lia_recall_send(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES], const char *reason,
		    struct lia_publish_result *res, char err[static LIA_ERR_MAX])
{
	memset(res, 0, sizeof *res);
	struct lia_opened o;
	struct lia_fetched meta;
	int rc = lia_receive_fetch_meta(cl, id, &o, &meta, err);
	if (rc != LIA_EXIT_OK) {
		lia_opened_clear(&o);
		if (meta.not_found) {
			char idh[2 * LIA_ID_BYTES + 1];
			lia_id_hex(idh, id);
			lia_errf(err, "you do not hold %s, so its marking cannot be copied: recall it with "
				      "'liaison publish --kind recall --supersedes %s --set reason=TEXT' and its "
				      "TLP and releases",
				 idh, idh);
			rc = LIA_EXIT_FAIL;
		}
		return rc;
	}
	struct lia_header h;
	recall_header(&h, &o.header, lia_now());
	lia_opened_clear(&o);
	name_holders(cl, id, &h.restrictions);
	json_t *j = json_pack("{s:s, s:{s:s}}", "title", "Recall", "recall", "reason", reason);
	rc = lia_publish_json(cl, &h, j, "recall", res, err);
	json_decref(j);
	return rc;
}

int lia_recall_reason(struct lia_client *cl, const uint8_t by[static LIA_ID_BYTES], char *out, size_t cap,
		      char err[static LIA_ERR_MAX])
{
	out[0] = '\0';
	struct lia_opened o;
	int rc = lia_receive_fetch(cl, by, &o, err);
	if (rc == LIA_EXIT_OK && o.header.kind != LIA_KIND_RECALL) {
		char idh[2 * LIA_ID_BYTES + 1];
		lia_id_hex(idh, by);
		lia_errf(err, "message %s is a %s, not a recall", idh, lia_kind_str(o.header.kind));
		rc = LIA_EXIT_VERIFY;
	}
	json_t *j = rc == LIA_EXIT_OK ? lia_body_to_json(o.body, o.body_len) : NULL;
	const char *r = json_string_value(json_object_get(json_object_get(j, "recall"), "reason"));
	if (rc == LIA_EXIT_OK) {
		snprintf(out, cap, "%s", r != NULL ? r : "");
		for (char *t = out; *t != '\0'; t++) /* the sender's text: no control codes */
			if ((unsigned char)*t < 0x20 || *t == 0x7f)
				*t = '?';
	}
	json_decref(j);
	lia_opened_clear(&o);
	return rc;
}

void lia_supersession_text(const struct lia_supersession *s, const char *reason, char *out, size_t cap)
{
	char at[32], by[2 * LIA_ID_BYTES + 1];
	lia_time_format(s->at, at);
	lia_id_hex(by, s->by);
	if (s->recall)
		snprintf(out, cap, "recalled at %s by %s: %s", at, s->actor,
			 reason != NULL ? reason : "(the recall could not be read)");
	else
		snprintf(out, cap, "superseded by %s at %s by %s", by, at, s->actor);
}
