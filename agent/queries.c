/*
 * queries.c — disclosures, checkpoint, directory (queries.h).
 */
#include "queries.h"

#include <string.h>

int lia_query_disclosures(struct lia_client *cl, const char *profile,
			  const uint8_t id[static LIA_ID_BYTES], struct lia_frame *rep,
			  char err[static LIA_ERR_MAX])
{
	struct lia_frame req;
	lia_frame_init(&req, LIA_FRAME_AUDIT_QUERY, 0);
	req.u.audit_query.kind = LIA_AUDIT_DISCLOSURES;
	req.u.audit_query.has_message_id = true;
	memcpy(req.u.audit_query.message_id, id, LIA_ID_BYTES);
	return lia_agent_call(cl, profile, 0, &req, rep, LIA_FRAME_AUDIT_ANSWER, err);
}

int lia_query_checkpoint(struct lia_client *cl, const char *profile, bool verify, struct lia_watch *w,
			 char **kept_note, char err[static LIA_ERR_MAX])
{
	*kept_note = NULL;
	memset(w, 0, sizeof *w);
	int rc = lia_agent_open(cl, profile, 0, false, 0, LIA_AGENT_TIMEOUT_MS, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	const struct lia_bytes *latest = &cl->welcome.u.welcome.checkpoint;
	if (verify)
		return lia_watch_check(cl, latest, w, err);
	struct lia_note_verifier v;
	size_t len;
	if (lia_watch_verifier(cl, &v, err) != 0)
		return LIA_EXIT_FAIL;
	int k = lia_watch_kept(cl, &v, w->path, kept_note, &len, &w->kept, err);
	if (k < 0)
		return LIA_EXIT_FAIL;
	w->had_kept = k == 0;
	if (latest->len == 0) {
		lia_errf(err, "the broker has signed no checkpoint yet");
		return LIA_EXIT_FAIL;
	}
	char why[LIA_ERR_MAX];
	enum lia_note_status ns = lia_checkpoint_open(&w->latest, (const char *)latest->p, latest->len, &v, why);
	if (ns != LIA_NOTE_OK) {
		lia_errf(err, "LEDGER NOT VERIFIED: the broker's latest checkpoint is not signed by its key (%s): %s: %s",
			 v.name, lia_note_status_str(ns), why);
		return LIA_EXIT_VERIFY;
	}
	w->has_latest = true;
	return LIA_EXIT_OK;
}

int lia_query_directory(struct lia_client *cl, const char *profile, char err[static LIA_ERR_MAX])
{
	int rc = lia_agent_connect(cl, profile, 0, false, 0, LIA_AGENT_TIMEOUT_MS, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	return lia_client_directory(cl, err) == 0 ? LIA_EXIT_OK : LIA_EXIT_FAIL;
}
