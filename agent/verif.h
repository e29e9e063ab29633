/*
 * verif.h — document verification (Protocol Art. 13) from the
 * agent's side: listing the requests one made or must answer, and
 * answering one (a second answer is a correction of the first). The
 * request itself is composed like any message (compose.h) and published
 * without addressees: the broker sends it to the issuing state's office.
 * Used by `liaison verification` (agent/cmd_verif.c).
 *
 * Owns: the answer's body and envelope, freed before returning.
 * Trusts: the caller's identity and arguments. Not the broker: the
 *   request answered is fetched and verified against its originator's
 *   certificate before its marking is used for the answer.
 * May call: agent.h, client.h, publish.h, core (envelope, body). Never
 *   prints.
 * Errors: exit statuses as agent.h says.
 */
#ifndef LIA_AGENT_VERIF_H
#define LIA_AGENT_VERIF_H

#include <stdint.h>

#include "agent.h"
#include "publish.h"
#include "verification.h"

/* The requests the caller made or must answer (an auditor: all),
 * newest first; id: only that one (NULL: all); state 0: any; before 0:
 * no bound. On LIA_EXIT_OK rep->u.verification_list holds them; release
 * with lia_agent_done. */
int lia_verification_list(struct lia_client *cl, const char *profile, const uint8_t *id,
			  enum lia_verif_state state, int64_t before, struct lia_frame *rep,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Request id as the broker holds it, on cl already connected. */
int lia_verification_get(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
			 struct lia_verification *out, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Answer request id as its office, on cl connected with the sign and
 * box keys: verdict "genuine", "false", "altered", "stolen-blank" or
 * "unknown", details optional. The answer carries the request's TLP,
 * handling codes, personal-data categories and regions, is releasable
 * to the requester alone, and corrects the latest answer when there is
 * one. *was: the request as the broker held it before; *res: the
 * broker's acknowledgement (res->answered once it replied). */
int lia_verification_answer(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES],
			    const char *verdict, const char *details, struct lia_verification *was,
			    struct lia_publish_result *res, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
