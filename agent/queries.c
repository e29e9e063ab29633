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

int lia_query_checkpoint(struct lia_client *cl, const char *profile, struct lia_frame *rep,
			 char err[static LIA_ERR_MAX])
{
	struct lia_frame req;
	lia_frame_init(&req, LIA_FRAME_AUDIT_QUERY, 0);
	req.u.audit_query.kind = LIA_AUDIT_CHECKPOINT;
	return lia_agent_call(cl, profile, 0, &req, rep, LIA_FRAME_AUDIT_ANSWER, err);
}

int lia_query_directory(struct lia_client *cl, const char *profile, char err[static LIA_ERR_MAX])
{
	int rc = lia_agent_connect(cl, profile, 0, false, 0, LIA_AGENT_TIMEOUT_MS, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	return lia_client_directory(cl, err) == 0 ? LIA_EXIT_OK : LIA_EXIT_FAIL;
}
