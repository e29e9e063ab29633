/*
 * onward.h — onward dissemination from the agent's side (DESIGN §4): a
 * recipient asks the originator for consent to pass a message on; the
 * originator's liaison officer grants (re-wrapping the data key for the
 * grantee and signing the consent) or refuses. Used by `liaison consent`
 * (agent/cmd_consent.c).
 *
 * Owns: the consent it signs and the re-wrapped envelope, both freed
 *   before returning.
 * Trusts: the caller's identity and arguments (validated by the caller:
 *   grantee and purpose names). Not the broker: the request it answers is
 *   the one the broker holds, checked to be about the caller's own message;
 *   the message fetched back is verified as the caller's before its key
 *   is used; a granted consent listed by the broker is checked against the
 *   originator's certificate in the verified directory (lia_onward_check).
 * May call: agent.h, client.h, core (consent, envelope, cert). Never
 *   prints.
 * Errors: exit statuses as agent.h says.
 */
#ifndef LIA_ONWARD_H
#define LIA_ONWARD_H

#include <stdbool.h>
#include <stdint.h>

#include "agent.h"
#include "consent.h"

/* Ask the originator of message id to let it go to grantee (a principal
 * or an agency) for purpose. *out: the request as the broker recorded it
 * (asking again returns the same). */
int lia_onward_ask(struct lia_client *cl, const char *profile, const uint8_t id[static LIA_ID_BYTES],
		   const char *grantee, const char *purpose, struct lia_consent_request *out,
		   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The requests the caller made or must answer, newest first: request
 * (0: all) below before (0: from the newest). On LIA_EXIT_OK
 * rep->u.consent_list holds them; release with lia_agent_done. */
int lia_onward_list(struct lia_client *cl, const char *profile, uint64_t request, uint64_t before,
		    struct lia_frame *rep, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Check a granted request's signed consent against the originator's
 * certificate in dir (NULL: no directory): "" when nothing was signed,
 * else "verified", "INVALID: why" or "not checked: why". */
#define LIA_ONWARD_CHECK_MAX (LIA_ERR_MAX + 32)
void lia_onward_check(const struct lia_consent_request *c, const struct lia_directory *dir,
		      char out[static LIA_ONWARD_CHECK_MAX]);

/* Answer request number as its originator: grant (wraps the message's
 * data key for every valid principal of the grantee in the directory,
 * signs the consent) or refuse with reason (required to refuse; may be
 * NULL to grant). *out: the request as answered. LIA_EXIT_REFUSED when
 * the caller is not the message's originator. */
int lia_onward_answer(struct lia_client *cl, const char *profile, uint64_t request, bool grant,
		      const char *reason, struct lia_consent_request *out,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
