/*
 * client.h — the agent side of the wire protocol: a connection profile,
 * a CurveZMQ DEALER to the broker, request/reply with timeouts, and the
 * directory of certificates the broker serves.
 *
 * Connecting watches the socket's handshake events, so that a refused
 * authentication is reported as such (exit 4) and an unreachable broker
 * as unreachable (exit 5), never as a plain timeout.
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
};

/* Connect and say hello. which: LIA_ID_* keys to load besides transport.
 * Returns LIA_EXIT_OK, or LIA_EXIT_REFUSED (authentication refused),
 * LIA_EXIT_UNREACHABLE, LIA_EXIT_FAIL with err. */
int lia_client_open(struct lia_client *c, const struct lia_profile *p, unsigned which, bool receive,
		    uint32_t window, int timeout_ms, char err[static LIA_ERR_MAX]);
void lia_client_close(struct lia_client *c);

/* Send req (its request_id is set here) and wait for the reply with the
 * same id; frames pushed meanwhile are kept for lia_client_recv. Returns LIA_EXIT_OK, LIA_EXIT_UNREACHABLE on timeout, or
 * LIA_EXIT_FAIL. An Error reply is returned as a frame, not a failure. */
int lia_client_call(struct lia_client *c, struct lia_frame *req, struct lia_frame *reply,
		    char err[static LIA_ERR_MAX]);

/* Send without waiting (acks). */
int lia_client_send(struct lia_client *c, struct lia_frame *f);

/* Receive the next frame within timeout_ms: 1 got one, 0 timeout, -1 error. */
int lia_client_recv(struct lia_client *c, struct lia_frame *f, int timeout_ms);

/* Fetch and verify the broker's directory (once per connection). */
int lia_client_directory(struct lia_client *c, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Exit status for an Error frame from the broker. */
int lia_client_error_exit(const struct lia_frame *f);

#endif
