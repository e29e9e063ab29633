/*
 * config.h — the broker's configuration file (YAML, docs/operations.md).
 *
 *     listen: tcp://127.0.0.1:7400
 *     keys: broker            # folder with sign.sec, transport.sec, cert.crt
 *     authority_key: authority.pub
 *     certificates: certs     # folder of principals' *.crt files
 *     revocation_list: revocations.crl
 *     policy: exchange.yaml
 *     data: data              # folder for liaison.db (store and ledger)
 *
 * Optional: passphrase_file, window (per-agent deliveries in flight),
 * batch (frames per loop turn), checkpoint_seconds, checkpoint_records,
 * max_sessions, handshake_seconds, handshakes_per_address (issue 11,
 * item 4: broker/conns.h), peer_queue_bytes (bytes queued towards one
 * session that its TCP stack has not acknowledged; beyond it requests
 * are answered BUSY), refusal_record_seconds (issue 11, item 3:
 * broker/zap.h). Relative paths are relative to the config file's
 * folder.
 * Unknown keys, duplicates and bad values are errors with line and
 * column.
 */
#ifndef LIA_BROKER_CONFIG_H
#define LIA_BROKER_CONFIG_H

#include <limits.h>
#include <stdint.h>

#include "keyfile.h"

struct lia_broker_config {
	char listen[256];
	char keys[PATH_MAX];
	char authority_key[PATH_MAX];
	char certificates[PATH_MAX];
	char revocation_list[PATH_MAX];
	char policy[PATH_MAX];
	char data[PATH_MAX];
	char passphrase_file[PATH_MAX]; /* "" = none */
	uint32_t window;                /* max deliveries in flight per agent */
	uint32_t batch;                 /* max frames handled per loop turn */
	uint32_t turn_ms;               /* a turn stops reading after this long */
	uint32_t turn_share;            /* frames of one peer per shared turn */
	uint32_t turn_share_us;         /* handling time of one peer per shared turn */
	uint32_t io_threads;            /* libzmq I/O threads (CURVE, TCP) */
	uint32_t checkpoint_seconds;
	uint32_t checkpoint_records;
	uint32_t max_sessions;
	uint32_t handshake_seconds;     /* a connection not authenticated by then is closed */
	uint32_t handshakes_per_address; /* unauthenticated connections per source */
	uint32_t connections_per_principal; /* authenticated connections of one key (conns.h) */
	uint32_t peer_queue_bytes;      /* per session, docs/operations.md "Memory bounds" */
	uint32_t refusal_record_seconds; /* refused handshakes: one summary record an interval */
};

int lia_broker_config_load(struct lia_broker_config *c, const char *path,
			   char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

#endif
