/*
 * store_fixture.h — a fresh folder per test for the store's tests: a
 * database path in it, and the folder removed afterwards, so that nothing
 * an earlier run left is replayed; and a message to store. One test
 * program includes it once, after cmocka.h.
 */
#ifndef LIA_STORE_FIXTURE_H
#define LIA_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static char dir[64], path[256];

/* A fresh folder per test: nothing left by an earlier run is replayed. */
static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/lia-store-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/store.db", dir);
	return 0;
}

static void remove_files(void)
{
	char p[300];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static int teardown(void **state)
{
	(void)state;
	remove_files();
	rmdir(dir);
	return 0;
}

/* Add message idbyte (id: 16 times idbyte), inside a transaction. */
static uint64_t add_msg(struct lia_store *s, uint8_t idbyte, int64_t expires_at)
{
	char err[LIA_ERR_MAX];
	struct lia_store_message m;
	memset(&m, 0, sizeof m);
	memset(m.id, idbyte, LIA_ID_BYTES);
	memcpy(m.originator, "IT-GDF/a", 9);
	m.kind = LIA_KIND_ROUTE;
	m.created_at = 100;
	m.received_at = 101;
	m.expires_at = expires_at;
	m.recipients = 2;
	m.ledger_from = 10u * idbyte; /* its publication's records */
	m.ledger_to = 10u * idbyte + 4;
	static const uint8_t hdr[] = {1, 2, 3}, env[] = {4, 5, 6, 7};
	if (lia_store_message_add(s, &m, hdr, sizeof hdr, env, sizeof env, err) != 0)
		fail_msg("%s", err);
	return m.seq;
}

#endif
