/*
 * recall.h — recall from the agent's side: sending a recall of a message
 * one published (or, as the policy says, one of one's agency), and
 * reading why a message one holds was recalled. A correction is any
 * message published with --supersedes (compose.h). Used by `liaison
 * recall`, `read` and `inbox`.
 *
 * Owns: the recall's body and envelope, freed before returning.
 * Trusts: the caller's identity and arguments. Not the broker: the
 *   original is fetched and verified before its marking is copied, and
 *   a recall's reason is read from the recall itself, verified against
 *   its sender's certificate.
 * May call: agent.h, client.h, publish.h, receive.h, core. Never prints.
 * Errors: exit statuses as agent.h says.
 */
#ifndef LIA_AGENT_RECALL_H
#define LIA_AGENT_RECALL_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "publish.h"
#include "supersession.h"

#define LIA_RECALL_REASON_MAX 256 /* incl. NUL: what the ledger's reason holds */

/* Recall message id with reason, on cl connected with the sign and box
 * keys. The recall carries the original's regions, TLP, handling codes,
 * releases and evaluation (the holders it reached are reached again),
 * no embargo and no personal data; the broker sends it to every holder
 * of the original. *res: the broker's acknowledgement. */
int lia_recall_send(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES], const char *reason,
		    struct lia_publish_result *res, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* The reason of recall by (a message delivered to the caller), on cl
 * connected with the box key, into out (cap bytes; control codes
 * replaced). LIA_EXIT_OK, or an exit status with err. */
int lia_recall_reason(struct lia_client *cl, const uint8_t by[static LIA_ID_BYTES], char *out, size_t cap,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* "recalled at T by X: reason" or "superseded by ID at T by X" into out
 * (cap bytes); reason may be NULL (not readable). */
void lia_supersession_text(const struct lia_supersession *s, const char *reason, char *out, size_t cap);

#endif
