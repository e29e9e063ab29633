/*
 * agent.h — the agent as a library: connect to the broker by profile,
 * make one request, and check that the answer is the one asked for.
 * The commands of `liaison` (agent/cmd_*.c) are thin users of this and of
 * the modules built on it; a program embedding the agent uses the same
 * calls. The library, by purpose:
 *
 *   agent.h     connect by profile, one call, reply checking, statuses,
 *               opening a delivered envelope
 *   publish.h   whom to wrap for (the audience rule), sealing, Publish
 *   receive.h   inbox, read, and a listener for deliveries as they come
 *   feeds.h     subscribe, unsubscribe, list feeds
 *   onward.h    consent ask, list (and its signature check), grant, refuse
 *   queries.h   disclosures, directory, checkpoint
 *   watch.h     the kept checkpoint: the broker's ledger only grows
 *   client.h    the connection itself (profiles, CurveZMQ, directory)
 *   identity.h  the principal's own keys and certificate
 *   compose.h   a message from command-line flags
 *
 * Usage examples: tests/unit/agent/.
 *
 * Owns: nothing beyond the struct lia_client the caller holds (client.h).
 * Trusts: the user's own profile and key files. Not the broker: a reply's
 *   type is checked before its union member is read, and an Error frame
 *   becomes a status, never data.
 * May call: client.h (and through it identity, directory, wire), watch.h,
 *   core.
 *   Never prints, never exits, never reads the terminal except for a
 *   passphrase (identity.h).
 * Errors: every fallible function returns an exit status of `liaison`
 *   (LIA_EXIT_*, core/util.h; lia_agent_status_str names it) and fills
 *   err with a message for people: LIA_EXIT_USAGE when the caller gave
 *   too little (no profile), LIA_EXIT_REFUSED when the broker or its
 *   authentication refused, LIA_EXIT_UNREACHABLE when it did not answer,
 *   LIA_EXIT_FAIL otherwise.
 * Thread safety: one client per thread.
 */
#ifndef LIA_AGENT_H
#define LIA_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"
#include "envelope.h"
#include "util.h"

#define LIA_AGENT_TIMEOUT_MS 10000 /* default wait for the broker */

/* "ok", "failed", "usage", "verification failed", "refused",
 * "unreachable"; NULL for any other value. */
const char *lia_agent_status_str(int status);

/* Connect as the principal of profile (a name or a path; NULL takes
 * $LIAISON_PROFILE), say hello, and check the broker's latest
 * checkpoint against the one kept from earlier sessions (watch.h): a
 * ledger that did not only grow is LIA_EXIT_VERIFY, err naming both
 * sizes, and the connection is closed. which: the LIA_ID_* secrets to
 * load besides the transport key. receive/window: ask for deliveries.
 * *cl is zeroed first; close it with lia_agent_done (safe after a
 * failure). */
int lia_agent_connect(struct lia_client *cl, const char *profile, unsigned which, bool receive,
		      uint32_t window, int timeout_ms, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* lia_agent_connect without the ledger check, for `liaison checkpoint`,
 * which shows what the check compares (and runs it with --verify). */
int lia_agent_open(struct lia_client *cl, const char *profile, unsigned which, bool receive,
		   uint32_t window, int timeout_ms, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* The status an Error frame f means (lia_client_error_exit), with the
 * broker's code and detail in err. */
int lia_agent_error_status(const struct lia_frame *f, char err[static LIA_ERR_MAX]);

/* Check a reply: LIA_EXIT_OK when rep is of type expect; an Error frame
 * gives the status the broker's code means (lia_client_error_exit) and
 * its detail in err; any other type is LIA_EXIT_FAIL. */
int lia_agent_check_reply(const struct lia_frame *rep, enum lia_frame_type expect,
			  char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* On cl, already connected: send req, wait for its reply and check it
 * against expect (lia_agent_check_reply). The caller clears *rep,
 * whatever the status. */
int lia_agent_ask(struct lia_client *cl, struct lia_frame *req, struct lia_frame *rep,
		  enum lia_frame_type expect, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Connect by profile, send req, wait for its reply and check it against
 * expect. On LIA_EXIT_OK *rep is of type expect. The caller releases both
 * with lia_agent_done, whatever the status. */
int lia_agent_call(struct lia_client *cl, const char *profile, unsigned which,
		   struct lia_frame *req, struct lia_frame *rep, enum lia_frame_type expect,
		   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Verify and open an envelope delivered by the broker, with the
 * originator's certificate from the directory (fetched if need be). A
 * directory that cannot be fetched or lacks the originator gives
 * LIA_ENV_ORIGINATOR_MISMATCH. */
enum lia_env_status lia_agent_open_delivered(struct lia_client *cl, struct lia_opener *op,
					     const uint8_t *env, size_t len,
					     const char *originator, struct lia_opened *out)
	__attribute__((warn_unused_result));

/* Clear *rep (may be NULL) and close *cl if it was opened. */
void lia_agent_done(struct lia_client *cl, struct lia_frame *rep);

#endif
