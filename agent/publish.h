/*
 * publish.h — publishing through the broker: choose whom to wrap the data
 * key for, seal, publish, and read the acknowledgement. Used by
 * `liaison publish` and `liaison send` (agent/cmd_publish.c).
 *
 * Owns: the recipient list and the envelope it builds (freed here).
 * Trusts: the header template the caller composed (compose.h validated
 *   it), the caller's identity and the directory the client verified
 *   (client.h). The acknowledgement is the broker's word and is only
 *   copied out, not acted on.
 * May call: agent.h, client.h, core (marking, envelope, cert). Never
 *   prints.
 * Errors: exit statuses as agent.h says; a refusal by the broker is
 *   LIA_EXIT_REFUSED (or LIA_EXIT_UNREACHABLE when the broker could not
 *   store it), with the acknowledgement in the result all the same.
 *
 * Whom to wrap for is the audience rule of core/marking.h, applied with
 * what the agent knows: the marking as the originator wrote it (the
 * policy's floors only narrow it), the directory's valid, unrevoked
 * principals, and every region taken as possibly the recipient's (only
 * the broker knows the policy's members of a region). So the agent wraps
 * for every principal the broker's decide() could permit, and perhaps for
 * some it will not: those never get the envelope, but every recipient
 * can see the key ids it was wrapped for. Addressing (--to) does not widen
 * the audience: decide() applies the marking to addressed principals too.
 */
#ifndef LIA_PUBLISH_H
#define LIA_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "agent.h"
#include "envelope.h"

/* The principals of dir that h's audience admits, as self publishing at
 * now: self first, then each other valid, unrevoked principal the rule
 * admits. *out (malloc'd, borrowed pointers into self and dir) and *n. */
int lia_publish_recipients(const struct lia_header *h, const struct lia_cert *self,
			   const struct lia_directory *dir, int64_t now,
			   const struct lia_cert ***out, size_t *n, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Seal body under h for the audience lia_publish_recipients chooses, as
 * id (which must hold the signing and box secrets) at now: h's ids,
 * created_at and hashes are filled; *env is malloc'd. */
int lia_publish_seal(const struct lia_identity *id, struct lia_header *h, const uint8_t *body,
		     size_t body_len, const struct lia_directory *dir, int64_t now, uint8_t **env,
		     size_t *env_len, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

struct lia_publish_result {
	char id_hex[2 * LIA_ID_BYTES + 1];
	bool answered;                 /* the broker sent an acknowledgement */
	bool accepted, duplicate;
	uint64_t sequence;
	uint32_t disclosed, withheld;
	enum lia_refusal refusal;      /* when not accepted */
	char rule[LIA_RULE_ID_MAX];    /* the deciding rule, or "" */
	char reason[LIA_DETAIL_MAX];
};

/* Build the Publish request for env (addressed to the principals in to),
 * for tests and for callers with their own client loop. */
void lia_publish_request(struct lia_frame *req, const uint8_t *env, size_t env_len,
			 const struct lia_names *to);

/* Read a reply to a Publish of message id: LIA_EXIT_OK when accepted,
 * the acknowledgement in *res whenever the reply was one. */
int lia_publish_reply(const struct lia_frame *rep, const uint8_t id[static LIA_ID_BYTES],
		      struct lia_publish_result *res, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Everything a publish needs on an open client, whose directory it
 * fetches: every principal in to must be in it; env/env_len is a sealed
 * envelope of the caller's (hdr->id must be its id) or NULL to seal body
 * under hdr now. */
int lia_publish(struct lia_client *cl, struct lia_header *hdr, const uint8_t *body,
		size_t body_len, const uint8_t *env, size_t env_len, const struct lia_names *to,
		struct lia_publish_result *res, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* lia_publish of a body given as JSON (j: borrowed; NULL means out of
 * memory building it, and what names it), addressed to no one: the
 * broker routes it (a verification answer, a recall). */
int lia_publish_json(struct lia_client *cl, struct lia_header *hdr, const json_t *j, const char *what,
		     struct lia_publish_result *res, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Erasure on demand: the broker deletes message id (the caller's own)
 * now and owes every recipient an erase notice until its agent purges;
 * reason (1..255 printable bytes) goes into the ledger. LIA_EXIT_OK also
 * when it was erased already. */
int lia_publish_erase(struct lia_client *cl, const char *profile, const uint8_t id[static LIA_ID_BYTES],
		      const char *reason, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
