/*
 * quote.h — replies and forwards from the agent's side: the message
 * quoted is fetched and verified, and the new one carries the combined
 * marking (core/marking_combine.h) so that the broker's check (the new
 * message at least as strict as what it quotes) holds by construction.
 * Used by `liaison reply` and `liaison forward` (cmd_publish.c).
 *
 * Owns: the forward's body, freed before returning.
 * Trusts: the caller's identity and arguments. Not the broker: the
 *   quoted message is verified against its originator's certificate
 *   before its marking or body is used.
 * May call: agent.h, client.h, publish.h, receive.h, core. Never prints.
 * Errors: exit statuses as agent.h says.
 */
#ifndef LIA_AGENT_QUOTE_H
#define LIA_AGENT_QUOTE_H

#include "agent.h"
#include "envelope.h"
#include "publish.h"

/* The header template h of a message quoting x: in_reply_to x; its
 * restrictions combined with x's (x's implicit audience written out, x's
 * originator always allowed), its personal-data categories the union,
 * x's regions and evaluation where h gives none. LIA_EXIT_OK, or
 * LIA_EXIT_USAGE with err when the two markings cannot be combined. */
int lia_quote_header(struct lia_header *h, const struct lia_header *x, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Forward message id (delivered to the caller, or its own) to the
 * principals in to, on cl connected with the sign and box keys: its
 * body as it is, under its own marking, naming it in in_reply_to. The
 * broker refuses a forward its originator's restrictions forbid (H2 or
 * TLP:RED without consent) with the rule. *res: the acknowledgement. */
int lia_forward(struct lia_client *cl, const uint8_t id[static LIA_ID_BYTES], const struct lia_names *to,
		struct lia_publish_result *res, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
