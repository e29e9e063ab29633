/*
 * client.h — the agent side of the wire protocol: a connection profile,
 * a CurveZMQ DEALER to the broker, request/reply with timeouts, and the
 * directory of certificates the broker serves.
 *
 * Connecting watches the socket's handshake events, so that a refused
 * authentication is reported as such (exit 4) and an unreachable broker
 * as unreachable (exit 5), never as a plain timeout.
 *
 * Sessions outlive the broker (issue 12, item 3). libzmq reconnects the
 * socket by itself, but a restarted broker (or one that forgot us)
 * knows no session for our routing id and answers everything but Hello
 * with NO_SESSION. The client notices either sign, a new completed
 * handshake on the socket monitor or a NO_SESSION answer about a frame
 * sent in the current session, and says Hello again with what it said
 * at first (lia_client_keep; lia_client_call does it too, then sends its
 * request once more: the broker did nothing with it). Every frame the
 * client sends carries a request id of its own, so that an answer about
 * a frame sent to an earlier session is told apart and ignored.
 */
#ifndef LIA_CLIENT_H
#define LIA_CLIENT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "directory.h"
#include "identity.h"
#include "wire.h"

/* A named connection profile (YAML):
 *     broker: tcp://127.0.0.1:7400
 *     broker_certificate: /path/broker.crt
 *     keys: /path/to/my/keys          # sign.sec, box.sec, transport.sec, cert.crt
 *     authority_key: /path/authority.pub
 *     passphrase_file: /path/pass     # optional
 */
struct lia_profile {
	char broker[256];
	char broker_certificate[PATH_MAX];
	char keys[PATH_MAX];
	char authority_key[PATH_MAX];
	char passphrase_file[PATH_MAX];
};

/* Where named profiles live: $LIAISON_PROFILES, else ~/.config/liaison. */
int lia_profile_dir(char out[static PATH_MAX], char err[static LIA_ERR_MAX]);
/* A name ("ventimiglia") or a path (containing '/' or ending ".yaml"). */
int lia_profile_load(struct lia_profile *p, const char *name, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
int lia_profile_save(const struct lia_profile *p, const char *name, char out_path[static PATH_MAX],
		     char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

struct lia_client {
	void *zctx, *sock, *monitor;
	char keys_dir[PATH_MAX];   /* the profile's key folder (agent state lives there too) */
	struct lia_identity id;
	struct lia_cert broker;
	uint64_t next_request;
	int timeout_ms;
	struct lia_frame welcome;
	bool have_directory;
	struct lia_directory dir;
	/* Frames pushed by the broker (deliveries, erase notices) that
	 * arrived while a call waited for its reply; recv returns them
	 * first. Bounded by the delivery window the agent asked for. */
	struct lia_frame *stash;
	size_t n_stash, cap_stash;
	/* Renewal (lia_client_keep). What the first Hello asked, said again. */
	char endpoint[256];
	bool receive;
	uint32_t window;
	unsigned sessions;         /* opened on this client: 1 after open */
	uint64_t session_first;    /* request id of the Hello that opened the current one */
	bool renew;                /* the broker may not know our session: say Hello again */
	bool connected;            /* the transport is up, as the monitor last said */
	int refused;               /* the monitor event of a refused handshake on reconnecting, or 0 */
	unsigned hs_failed;        /* handshakes failed in a row (not refusals of authentication) */
	int64_t hs_failed_since_ms; /* monotonic, the first of them */
	int64_t away_since_ms;     /* monotonic, since the broker went away or forgot us; 0: in session */
	int away_max_ms;           /* give up after this long away; 0: LIA_CLIENT_AWAY_MS */
};

/* How long lia_client_keep waits for a broker that went away (restart,
 * crash, network) when the caller set no bound of its own: long enough
 * for a restart or an upgrade, short enough that a supervisor hears of a
 * broker that is not coming back. */
#define LIA_CLIENT_AWAY_MS (300 * 1000)

/* Connect and say hello. which: LIA_ID_* keys to load besides transport.
 * Returns LIA_EXIT_OK, or LIA_EXIT_REFUSED (authentication refused),
 * LIA_EXIT_UNREACHABLE, LIA_EXIT_FAIL with err. */
int lia_client_open(struct lia_client *c, const struct lia_profile *p, unsigned which, bool receive,
		    uint32_t window, int timeout_ms, char err[static LIA_ERR_MAX]);
void lia_client_close(struct lia_client *c);

/* Send req (its request_id is set here) and wait for the reply with the
 * same id; frames pushed meanwhile are kept for lia_client_recv. Returns LIA_EXIT_OK, LIA_EXIT_UNREACHABLE on timeout, or
 * LIA_EXIT_FAIL. An Error reply is returned as a frame, not a failure,
 * except NO_SESSION: then the session is renewed and req sent once more. */
int lia_client_call(struct lia_client *c, struct lia_frame *req, struct lia_frame *reply,
		    char err[static LIA_ERR_MAX]);

/* Send without waiting (acks); a request_id of 0 is given the next one. */
int lia_client_send(struct lia_client *c, struct lia_frame *f);

/* Receive the next frame within timeout_ms: 1 got one, 0 timeout, -1 error.
 * A NO_SESSION answer is the session layer's, never returned: about a
 * frame of the current session it asks lia_client_keep to renew it. */
int lia_client_recv(struct lia_client *c, struct lia_frame *f, int timeout_ms);

/* Keep the session: read the socket's connection events and, after the
 * broker came back (a new handshake) or forgot us (NO_SESSION), say
 * Hello again (c->sessions grows by one; c->welcome is the new Welcome).
 * Call it between receives. LIA_EXIT_OK (in session, or still waiting
 * for the broker), LIA_EXIT_UNREACHABLE when the broker has been away
 * longer than c->away_max_ms, LIA_EXIT_REFUSED when it refused us on
 * reconnecting, or the status of a refused Hello; err says which. */
int lia_client_keep(struct lia_client *c, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Whether the broker is away now (disconnected, or our session not yet
 * renewed); if so, err says since when. */
bool lia_client_away(const struct lia_client *c, char err[static LIA_ERR_MAX]);

/* Fetch and verify the broker's directory (once per connection). */
int lia_client_directory(struct lia_client *c, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Exit status for an Error frame from the broker. */
int lia_client_error_exit(const struct lia_frame *f);

#endif
