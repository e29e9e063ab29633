/*
 * audit_fixture.h — synthetic ledger records and keys for the audit tests
 * and the ledger test helper. Everything is deterministic in its
 * arguments, so that a test can recompute what it appended.
 *
 * This is how a program other than the broker creates a ledger: open it
 * with lia_ledger_open_file(..., LIA_LEDGER_CREATE), append with
 * lia_ledger_append_all() (or a batch inside its own transaction), and
 * sign checkpoints with lia_ledger_checkpoint().
 */
#ifndef LIA_AUDIT_FIXTURE_H
#define LIA_AUDIT_FIXTURE_H

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "keyfile.h"
#include "ledger.h"
#include "record.h"

#define FIXTURE_ORIGIN "liaison.test/broker/ledger"

static const char *const fixture_recipients[] = {
	"FR-PAF/nice", "ES-GC/algeciras", "GR-HCG/piraeus", "MT-AFM/valletta", "DE-BPOL/munich",
};

/* The message id of the n-th message: 16 bytes from n. */
static inline void fixture_message_id(uint8_t id[LIA_ID_BYTES], uint64_t n)
{
	memset(id, 0, LIA_ID_BYTES);
	id[0] = 0x5f;
	for (int b = 0; b < 8; b++)
		id[8 + b] = (uint8_t)(n >> (8 * (7 - b)));
}

/* Record i of a plausible broker log: every fifth record publishes a
 * message, the next four disclose or withhold it to a recipient. */
static inline void fixture_record(struct lia_record *r, uint64_t i)
{
	lia_record_init(r);
	uint64_t msg = i / 5;
	unsigned k = (unsigned)(i % 5);
	r->time = 1795000000 + (int64_t)i;
	snprintf(r->actor.subject, sizeof r->actor.subject, "IT-GDF/ventimiglia");
	snprintf(r->actor.agency, sizeof r->actor.agency, "IT-GDF");
	r->actor.has_key_id = true;
	memset(r->actor.key_id, 0xa1, LIA_KEYID_BYTES);
	r->has_message_id = true;
	fixture_message_id(r->message_id, msg);
	snprintf(r->originator, sizeof r->originator, "IT-GDF/ventimiglia");
	r->kind = 1 + (int)(msg % 7);
	r->has_restrictions = true;
	r->restrictions.tlp = (enum lia_tlp)(2 + msg % 3);
	r->restrictions.handling = LIA_HANDLING_H2;
	if (msg % 4 == 0) {
		r->restrictions.handling |= LIA_HANDLING_H3;
		snprintf(r->restrictions.h3.text, sizeof r->restrictions.h3.text,
			 "not to be used against the carrier's crew without consent");
		snprintf(r->restrictions.h3.deny_countries.v[0], LIA_NAME_MAX, "LY");
		r->restrictions.h3.deny_countries.n = 1;
	}
	snprintf(r->restrictions.release_regions.v[0], LIA_NAME_MAX, "MED-CENTRAL");
	r->restrictions.release_regions.n = 1;
	r->has_policy_hash = true;
	memset(r->policy_hash, 0x42, sizeof r->policy_hash);
	if (k == 0) {
		r->op = LIA_OP_PUBLISH;
		return;
	}
	const char *to = fixture_recipients[(msg + k) % 5];
	snprintf(r->recipient.subject, sizeof r->recipient.subject, "%s", to);
	size_t slash = strcspn(to, "/");
	memcpy(r->recipient.agency, to, slash);
	r->recipient.agency[slash] = '\0';
	if (k == 4) {
		r->op = LIA_OP_WITHHOLD;
		r->decision = LIA_RECORD_DENY;
		snprintf(r->rule, sizeof r->rule, "agreement.missing");
		snprintf(r->justification, sizeof r->justification,
			 "no bilateral agreement covers this kind between these agencies");
	} else {
		r->op = LIA_OP_DISCLOSE;
		r->decision = LIA_RECORD_PERMIT;
		snprintf(r->rule, sizeof r->rule, "agreement.med-central");
		snprintf(r->justification, sizeof r->justification, "feed subscription MED-CENTRAL");
	}
}

/* A broker signing key from a fixed seed (tests only). */
static inline struct lia_secret *fixture_key(uint8_t seed_byte)
{
	struct lia_secret *s = lia_secret_generate(LIA_KEY_SIGN);
	if (s == NULL)
		return NULL;
	uint8_t seed[32];
	memset(seed, seed_byte, sizeof seed);
	crypto_sign_seed_keypair(s->pk, s->sk, seed);
	return s;
}

/* Append records [from, to) in batches of `batch`, each its own
 * transaction. Returns 0 / -1. */
static inline int fixture_append(struct lia_ledger *l, uint64_t from, uint64_t to, size_t batch,
				 char err[static LIA_ERR_MAX])
{
	static struct lia_record recs[64];
	if (batch == 0 || batch > 64)
		batch = 64;
	for (uint64_t i = from; i < to;) {
		size_t n = 0;
		while (n < batch && i < to)
			fixture_record(&recs[n++], i++);
		if (lia_ledger_append_all(l, recs, n, err) != 0)
			return -1;
	}
	return 0;
}

#endif
