/*
 * queries.h — questions to the broker about the exchange and its ledger:
 * the disclosures of a message (its originator, or an auditor), the
 * directory of principals, the latest signed checkpoint and the one kept. Used by
 * `liaison disclosures`, `directory` and `checkpoint` (agent/cmd_admin.c).
 *
 * Owns: nothing. Trusts: the caller's arguments. Not the broker: replies
 *   are type-checked (agent.h), the directory is verified against the
 *   authority (client.h).
 * May call: agent.h, client.h, watch.h, wire. Never prints.
 * Errors: exit statuses as agent.h says.
 */
#ifndef LIA_QUERIES_H
#define LIA_QUERIES_H

#include "agent.h"
#include "watch.h"

/* Who received message id, who was refused and by which rule; the
 * question is itself a ledger record (rep->u.audit_answer.query_record).
 * On LIA_EXIT_OK rep->u.audit_answer; release with lia_agent_done. */
int lia_query_disclosures(struct lia_client *cl, const char *profile,
			  const uint8_t id[static LIA_ID_BYTES], struct lia_frame *rep,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The broker's latest signed checkpoint (C2SP signed note, as the
 * Welcome carried it: cl->welcome.u.welcome.checkpoint) and the one
 * kept (watch.h). With verify, the check every command makes runs and
 * *w says what it found (LIA_EXIT_VERIFY on a rollback, a fork, a bad
 * proof or signature). Without, nothing is compared or kept: the
 * broker's note is only checked to be signed by its key (else
 * LIA_EXIT_VERIFY), and the kept one is read into *kept_note (malloc'd,
 * NULL when none; the caller frees). Release cl with lia_agent_done. */
int lia_query_checkpoint(struct lia_client *cl, const char *profile, bool verify, struct lia_watch *w,
			 char **kept_note, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Connect and fetch the verified directory into cl->dir. */
int lia_query_directory(struct lia_client *cl, const char *profile, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
