/*
 * test_record.c — ledger records: every field survives encode/decode,
 * the encoding is canonical (one spelling per record), validation names
 * the bad field, and hostile bytes are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit_fixture.h"
#include "record.h"

static struct lia_record *full_record(void)
{
	struct lia_record *r = malloc(sizeof *r);
	assert_non_null(r);
	fixture_record(r, 8); /* message 1, position 3: a disclosure */
	r->seq = 8;
	r->recipient.has_key_id = true;
	memset(r->recipient.key_id, 0xb2, LIA_KEYID_BYTES);
	r->restrictions.h3.allowed_roles = LIA_ROLE_BIT(LIA_ROLE_LIAISON) | LIA_ROLE_BIT(LIA_ROLE_ANALYST);
	r->restrictions.handling |= LIA_HANDLING_H1 | LIA_HANDLING_H3;
	snprintf(r->restrictions.h3.text, LIA_TEXT_MAX, "not before trial");
	r->restrictions.h3.max_retention_days = 30;
	snprintf(r->restrictions.h3.deny_agencies.v[0], LIA_NAME_MAX, "XX-BAD");
	r->restrictions.h3.deny_agencies.n = 1;
	snprintf(r->restrictions.release_agencies.v[0], LIA_NAME_MAX, "FR-PAF");
	snprintf(r->restrictions.release_agencies.v[1], LIA_NAME_MAX, "ES-GC");
	r->restrictions.release_agencies.n = 2;
	snprintf(r->restrictions.release_principals.v[0], LIA_NAME_MAX, "FR-PAF/nice");
	r->restrictions.release_principals.n = 1;
	r->restrictions.embargo_until = 1795000100;
	r->restrictions.expires_at = 1797000000;
	r->cert_serial = 77;
	snprintf(r->justification, LIA_TEXT_MAX, "über-regional feed — MED-CENTRAL");
	return r;
}

static void test_roundtrip(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_record *r = full_record();
	uint8_t *b = NULL;
	size_t n = 0;
	assert_int_equal(lia_record_encode(r, &b, &n, err), 0);
	struct lia_record *d = malloc(sizeof *d);
	assert_int_equal(lia_record_decode(d, b, n, err), 0);
	assert_memory_equal(d, r, sizeof *d);
	/* Deterministic: encoding the decoded record gives the same bytes. */
	uint8_t *b2 = NULL;
	size_t n2 = 0;
	assert_int_equal(lia_record_encode(d, &b2, &n2, err), 0);
	assert_int_equal(n, n2);
	assert_memory_equal(b, b2, n);
	uint64_t seq;
	bool has;
	uint8_t mid[16];
	assert_int_equal(lia_record_check(b, n, &seq, &has, mid, err), 0);
	assert_int_equal(seq, 8);
	assert_true(has);
	assert_memory_equal(mid, r->message_id, 16);

	/* Every record of the fixture log round-trips too. */
	for (uint64_t i = 0; i < 50; i++) {
		free(b2);
		fixture_record(r, i);
		r->seq = i;
		assert_int_equal(lia_record_encode(r, &b2, &n2, err), 0);
		assert_int_equal(lia_record_decode(d, b2, n2, err), 0);
		assert_memory_equal(d, r, sizeof *d);
	}
	free(b2);
	free(b);
	free(d);
	free(r);
}

static void test_names(void **state)
{
	(void)state;
	for (int op = 1; op <= LIA_OP_MAX; op++) {
		enum lia_record_op back;
		const char *s = lia_record_op_str((enum lia_record_op)op);
		assert_non_null(s);
		assert_int_equal(lia_record_op_parse(s, &back), 0);
		assert_int_equal(back, op);
	}
	enum lia_record_op op;
	assert_null(lia_record_op_str((enum lia_record_op)0));
	assert_null(lia_record_op_str((enum lia_record_op)18));
	assert_int_equal(lia_record_op_parse("delete", &op), -1);
	enum lia_record_decision d;
	assert_int_equal(lia_record_decision_parse("deny", &d), 0);
	assert_int_equal(d, LIA_RECORD_DENY);
	assert_int_equal(lia_record_decision_parse("maybe", &d), -1);
	char h[16];
	lia_record_handling_str(LIA_HANDLING_H1 | LIA_HANDLING_H3, h);
	assert_string_equal(h, "H1,H3");
}

static void expect_invalid(struct lia_record *r, const char *needle)
{
	char err[LIA_ERR_MAX] = "";
	uint8_t *b = NULL;
	size_t n = 0;
	assert_int_equal(lia_record_encode(r, &b, &n, err), -1);
	assert_null(b);
	if (strstr(err, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_validation(void **state)
{
	(void)state;
	struct lia_record *r = malloc(sizeof *r);
	fixture_record(r, 1);
	r->op = (enum lia_record_op)99;
	expect_invalid(r, "operation");
	fixture_record(r, 1);
	r->time = 0;
	expect_invalid(r, "time");
	fixture_record(r, 1);
	snprintf(r->recipient.subject, LIA_NAME_MAX, "not a subject");
	expect_invalid(r, "recipient subject");
	fixture_record(r, 1);
	r->decision = LIA_RECORD_DENY;
	expect_invalid(r, "permit");
	fixture_record(r, 4);
	r->rule[0] = '\0';
	expect_invalid(r, "rule");
	fixture_record(r, 1);
	r->has_message_id = false;
	expect_invalid(r, "message id");
	fixture_record(r, 1);
	snprintf(r->justification, LIA_TEXT_MAX, "line\nbreak");
	expect_invalid(r, "justification");
	fixture_record(r, 1);
	snprintf(r->justification, LIA_TEXT_MAX, "escape \x1b[2J");
	expect_invalid(r, "justification");
	fixture_record(r, 1);
	snprintf(r->justification, LIA_TEXT_MAX, "c1 \xc2\x9b");
	expect_invalid(r, "justification");
	fixture_record(r, 1);
	r->restrictions.tlp = (enum lia_tlp)9;
	expect_invalid(r, "TLP");
	fixture_record(r, 6); /* message 1: no H3 */
	r->restrictions.h3.max_retention_days = 5; /* H3 fields without H3 */
	expect_invalid(r, "H3");
	fixture_record(r, 1);
	r->restrictions.release_regions.n = LIA_LIST_MAX + 1;
	expect_invalid(r, "release regions");
	lia_record_init(r);
	r->op = LIA_OP_POLICY_LOADED;
	r->time = 1;
	expect_invalid(r, "policy hash");
	r->op = LIA_OP_CERTIFICATE_REVOKED;
	expect_invalid(r, "serial");
	r->op = LIA_OP_AUDIT_QUERY;
	expect_invalid(r, "actor");
	r->op = LIA_OP_AUTHENTICATION_REFUSED;
	expect_invalid(r, "key id");
	r->actor.has_key_id = true;
	char err[LIA_ERR_MAX];
	assert_int_equal(lia_record_validate(r, err), 0);
	free(r);
}

static void test_hostile_bytes(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_record *r = malloc(sizeof *r);
	struct lia_record *d = malloc(sizeof *d);
	fixture_record(r, 3);
	r->seq = 3;
	uint8_t *b = NULL;
	size_t n = 0;
	assert_int_equal(lia_record_encode(r, &b, &n, err), 0);

	/* An unknown field appended: decodes in protobuf, but is not canonical. */
	uint8_t *x = malloc(n + 3);
	memcpy(x, b, n);
	x[n] = 0xa0; /* field 20, varint: tag 160 as a two-byte varint */
	x[n + 1] = 0x01;
	x[n + 2] = 0x01;
	assert_int_equal(lia_record_decode(d, x, n + 3, err), -1);
	assert_non_null(strstr(err, "canonical"));
	/* A default value written out (version 1 repeated is a duplicate). */
	memcpy(x, b, n);
	x[n] = (2 << 3) | 0; /* sequence = 0 written out, after other fields */
	x[n + 1] = 0;
	assert_int_equal(lia_record_decode(d, x, n + 2, err), -1);
	free(x);
	/* Every truncation fails cleanly, or (cut between fields) is another record. */
	for (size_t k = 0; k < n; k++) {
		if (lia_record_decode(d, b, k, err) == 0)
			assert_memory_not_equal(d, r, sizeof *d);
	}
	/* Every single-byte change fails or decodes to a different, valid record. */
	for (size_t k = 0; k < n; k++) {
		b[k] ^= 0x01;
		if (lia_record_decode(d, b, n, err) == 0)
			assert_memory_not_equal(d, r, sizeof *d);
		b[k] ^= 0x01;
	}
	/* Too large before anything is unpacked. */
	assert_int_equal(lia_record_decode(d, b, LIA_RECORD_MAX_BYTES + 1, err), -1);
	assert_non_null(strstr(err, "limit"));
	/* Version 2 is refused. */
	uint8_t v2[] = {0x08, 0x02};
	assert_int_equal(lia_record_decode(d, v2, sizeof v2, err), -1);
	assert_non_null(strstr(err, "version"));
	free(b);
	free(d);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_hostile_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
