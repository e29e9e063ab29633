/*
 * agent.c — connect by profile, one call, reply checking (agent.h).
 */
#include "agent.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watch.h"

const char *lia_agent_status_str(int status)
{
	switch (status) {
	case LIA_EXIT_OK: return "ok";
	case LIA_EXIT_FAIL: return "failed";
	case LIA_EXIT_USAGE: return "usage";
	case LIA_EXIT_VERIFY: return "verification failed";
	case LIA_EXIT_REFUSED: return "refused";
	case LIA_EXIT_UNREACHABLE: return "unreachable";
	}
	return NULL;
}

int lia_agent_connect(struct lia_client *cl, const char *profile, unsigned which, bool receive,
		      uint32_t window, int timeout_ms, char err[static LIA_ERR_MAX])
{
	int rc = lia_agent_open(cl, profile, which, receive, window, timeout_ms, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	/* Every session checks the ledger against the checkpoint kept from
	 * the last one (watch.h): a rollback stops the command, exit 3. */
	rc = lia_watch_check(cl, &cl->welcome.u.welcome.checkpoint, NULL, err);
	if (rc != LIA_EXIT_OK)
		lia_client_close(cl);
	return rc;
}

int lia_agent_open(struct lia_client *cl, const char *profile, unsigned which, bool receive,
		   uint32_t window, int timeout_ms, char err[static LIA_ERR_MAX])
{
	memset(cl, 0, sizeof *cl);
	if (profile == NULL)
		profile = getenv("LIAISON_PROFILE");
	if (profile == NULL || profile[0] == '\0') {
		lia_errf(err, "--profile NAME is required (or set LIAISON_PROFILE)");
		return LIA_EXIT_USAGE;
	}
	struct lia_profile p;
	if (lia_profile_load(&p, profile, err) != 0)
		return LIA_EXIT_FAIL;
	return lia_client_open(cl, &p, which, receive, window, timeout_ms, err);
}

int lia_agent_error_status(const struct lia_frame *f, char err[static LIA_ERR_MAX])
{
	assert(f->type == LIA_FRAME_ERROR);
	lia_errf(err, "the broker answered: %s: %.200s", lia_error_code_str(f->u.error.code),
		 f->u.error.detail);
	return lia_client_error_exit(f);
}

int lia_agent_check_reply(const struct lia_frame *rep, enum lia_frame_type expect,
			  char err[static LIA_ERR_MAX])
{
	if (rep->type == LIA_FRAME_ERROR)
		return lia_agent_error_status(rep, err);
	if (rep->type != expect) {
		lia_errf(err, "unexpected answer from the broker");
		return LIA_EXIT_FAIL;
	}
	return LIA_EXIT_OK;
}

int lia_agent_ask(struct lia_client *cl, struct lia_frame *req, struct lia_frame *rep,
		  enum lia_frame_type expect, char err[static LIA_ERR_MAX])
{
	memset(rep, 0, sizeof *rep);
	int rc = lia_client_call(cl, req, rep, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	return lia_agent_check_reply(rep, expect, err);
}

int lia_agent_call(struct lia_client *cl, const char *profile, unsigned which,
		   struct lia_frame *req, struct lia_frame *rep, enum lia_frame_type expect,
		   char err[static LIA_ERR_MAX])
{
	memset(rep, 0, sizeof *rep);
	int rc = lia_agent_connect(cl, profile, which, false, 0, LIA_AGENT_TIMEOUT_MS, err);
	if (rc != LIA_EXIT_OK)
		return rc;
	return lia_agent_ask(cl, req, rep, expect, err);
}

void lia_agent_done(struct lia_client *cl, struct lia_frame *rep)
{
	if (rep != NULL)
		lia_frame_clear(rep);
	if (cl->zctx != NULL)
		lia_client_close(cl);
}

enum lia_env_status lia_agent_open_delivered(struct lia_client *cl, struct lia_opener *op,
					     const uint8_t *env, size_t len,
					     const char *originator, struct lia_opened *out)
{
	char err[LIA_ERR_MAX];
	memset(out, 0, sizeof *out);
	if (lia_client_directory(cl, err) != 0)
		return LIA_ENV_ORIGINATOR_MISMATCH;
	const struct lia_directory_entry *e = lia_directory_find(&cl->dir, originator);
	if (e == NULL)
		return LIA_ENV_ORIGINATOR_MISMATCH;
	return lia_open(op, env, len, &e->cert, &cl->dir.crl, out);
}
