/*
 * config.c — the broker's configuration: a table of settings read by
 * core/settings.h.
 */
#include "config.h"

#include <string.h>

#include "settings.h"
#include "wire.h"

#define CONFIG_MAX_BYTES (64u * 1024)

#define F(f) offsetof(struct lia_broker_config, f), sizeof(((struct lia_broker_config *)0)->f)
static const struct lia_setting keys[] = {
	{"listen", LIA_SETTING_TEXT, F(listen), 0, 0, true},
	{"keys", LIA_SETTING_PATH, F(keys), 0, 0, true},
	{"authority_key", LIA_SETTING_PATH, F(authority_key), 0, 0, true},
	{"certificates", LIA_SETTING_PATH, F(certificates), 0, 0, true},
	{"revocation_list", LIA_SETTING_PATH, F(revocation_list), 0, 0, true},
	{"policy", LIA_SETTING_PATH, F(policy), 0, 0, true},
	{"data", LIA_SETTING_PATH, F(data), 0, 0, true},
	{"passphrase_file", LIA_SETTING_PATH, F(passphrase_file), 0, 0, false},
	{"window", LIA_SETTING_U32, F(window), 1, 1024, false},
	{"batch", LIA_SETTING_U32, F(batch), 1, 100000, false},
	{"turn_ms", LIA_SETTING_U32, F(turn_ms), 1, 10000, false},
	{"turn_share", LIA_SETTING_U32, F(turn_share), 1, 100000, false},
	{"turn_share_us", LIA_SETTING_U32, F(turn_share_us), 100, 10000000, false},
	{"checkpoint_seconds", LIA_SETTING_U32, F(checkpoint_seconds), 1, 86400, false},
	{"checkpoint_records", LIA_SETTING_U32, F(checkpoint_records), 1, 100000000, false},
	{"max_sessions", LIA_SETTING_U32, F(max_sessions), 1, 100000, false},
	{"handshake_seconds", LIA_SETTING_U32, F(handshake_seconds), 1, 300, false},
	{"handshakes_per_address", LIA_SETTING_U32, F(handshakes_per_address), 1, 100000, false},
	{"connections_per_principal", LIA_SETTING_U32, F(connections_per_principal), 1, 10000, false},
	/* At least two maximal frames: one always fits beside what is queued. */
	{"peer_queue_bytes", LIA_SETTING_U32, F(peer_queue_bytes), 2 * LIA_FRAME_MAX, 1u << 30, false},
	{"refusal_record_seconds", LIA_SETTING_U32, F(refusal_record_seconds), 1, 3600, false},
	{"io_threads", LIA_SETTING_U32, F(io_threads), 1, 64, false},
};

int lia_broker_config_load(struct lia_broker_config *c, const char *path, char err[static LIA_ERR_MAX])
{
	memset(c, 0, sizeof *c);
	c->window = 64;
	c->batch = 512;
	c->turn_ms = 500;
	c->turn_share = 64;
	c->turn_share_us = 2000;
	c->checkpoint_seconds = 60;
	c->checkpoint_records = 10000;
	c->max_sessions = 1024;
	c->handshake_seconds = 5;
	c->handshakes_per_address = 32;
	c->connections_per_principal = 8;
	c->peer_queue_bytes = 8u << 20;
	c->refusal_record_seconds = 60;
	c->io_threads = 2;
	return lia_settings_load(c, keys, sizeof keys / sizeof keys[0], path, CONFIG_MAX_BYTES, err);
}
