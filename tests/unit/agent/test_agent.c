/*
 * The agent as a library (agent/agent.h, agent/publish.h), as a program
 * embedding it uses it: check what the broker answered, load a profile,
 * choose whom to wrap a message for, seal it and build the Publish.
 * Nothing here needs a broker; the calls that do are exercised by
 * tests/integration/broker/exchange.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "compose.h"
#include "publish.h"
#include "unit/core/fixture.h"

#define T0 1800000000 /* "now" of every test */

/* --- statuses and replies --- */

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(lia_agent_status_str(LIA_EXIT_OK), "ok");
	assert_string_equal(lia_agent_status_str(LIA_EXIT_USAGE), "usage");
	assert_string_equal(lia_agent_status_str(LIA_EXIT_REFUSED), "refused");
	assert_string_equal(lia_agent_status_str(LIA_EXIT_UNREACHABLE), "unreachable");
	assert_null(lia_agent_status_str(42));
}

static void error_frame(struct lia_frame *f, enum lia_error_code code, const char *detail)
{
	lia_frame_init(f, LIA_FRAME_ERROR, 7);
	f->u.error.code = code;
	snprintf(f->u.error.detail, sizeof f->u.error.detail, "%s", detail);
}

static void test_reply_of_the_type_asked(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX] = "";
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_FEED_LIST, 7);
	assert_int_equal(lia_agent_check_reply(&f, LIA_FRAME_FEED_LIST, err), LIA_EXIT_OK);
}

/* A broker must not make the agent read another union member than the
 * one it asked for, and an Error frame is a status, never data. */
static void test_reply_of_another_type_fails(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX] = "";
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_PONG, 7);
	assert_int_equal(lia_agent_check_reply(&f, LIA_FRAME_PUBLISH_ACK, err), LIA_EXIT_FAIL);
	assert_string_equal(err, "unexpected answer from the broker");
}

static void test_error_frames_give_their_status(void **state)
{
	(void)state;
	static const struct {
		enum lia_error_code code;
		int status;
	} t[] = {
		{LIA_ERROR_FORBIDDEN, LIA_EXIT_REFUSED},  {LIA_ERROR_REVOKED, LIA_EXIT_REFUSED},
		{LIA_ERROR_UNAVAILABLE, LIA_EXIT_UNREACHABLE}, {LIA_ERROR_MALFORMED, LIA_EXIT_FAIL},
		{LIA_ERROR_NOT_FOUND, LIA_EXIT_FAIL},   {LIA_ERROR_LIMIT, LIA_EXIT_REFUSED},
		{LIA_ERROR_BUSY, LIA_EXIT_UNREACHABLE},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char err[LIA_ERR_MAX] = "";
		struct lia_frame f;
		error_frame(&f, t[i].code, "no such request");
		assert_int_equal(lia_agent_check_reply(&f, LIA_FRAME_CONSENT_LIST, err), t[i].status);
		assert_non_null(strstr(err, "the broker answered: "));
		assert_non_null(strstr(err, lia_error_code_str(t[i].code)));
		assert_non_null(strstr(err, "no such request"));
	}
}

/* --- profiles --- */

static void test_connect_needs_a_profile(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX] = "";
	struct lia_client cl;
	unsetenv("LIAISON_PROFILE");
	assert_int_equal(lia_agent_connect(&cl, NULL, 0, false, 0, 100, err), LIA_EXIT_USAGE);
	assert_non_null(strstr(err, "--profile NAME is required"));
	lia_agent_done(&cl, NULL); /* safe after a failure */
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_profile_failures(void **state)
{
	(void)state;
	char dir[256], path[512], err[LIA_ERR_MAX] = "";
	struct lia_client cl;
	fx_tmpdir(dir);
	assert_int_equal(setenv("LIAISON_PROFILES", dir, 1), 0);

	/* A profile that is not there. */
	assert_int_equal(lia_agent_connect(&cl, "nowhere", 0, false, 0, 100, err), LIA_EXIT_FAIL);
	assert_true(err[0] != '\0');

	/* Unknown keys are errors, not ignored. */
	snprintf(path, sizeof path, "%s/odd.yaml", dir);
	write_file(path, "broker: tcp://127.0.0.1:1\ncolour: blue\n");
	err[0] = '\0';
	assert_int_equal(lia_agent_connect(&cl, path, 0, false, 0, 100, err), LIA_EXIT_FAIL);
	assert_non_null(strstr(err, "colour"));

	/* A well-formed profile whose key folder is missing fails before
	 * any connection: the agent never runs with keys it cannot load. */
	snprintf(path, sizeof path, "%s/nokeys.yaml", dir);
	char text[1024];
	snprintf(text, sizeof text,
		 "broker: tcp://127.0.0.1:1\nbroker_certificate: %s/broker.crt\nkeys: %s/keys\n"
		 "authority_key: %s/authority.pub\n", dir, dir, dir);
	write_file(path, text);
	err[0] = '\0';
	assert_int_equal(lia_agent_connect(&cl, path, LIA_ID_SIGN, false, 0, 100, err), LIA_EXIT_FAIL);
	assert_true(err[0] != '\0');
	lia_agent_done(&cl, NULL);
	fx_tmpdir_remove(dir);
}

/* --- whom to wrap for, and sealing --- */

struct exchange {
	struct fx_authority auth;
	struct fx_principal self, colleague, nice, auditor, expired;
	struct lia_directory dir;
};

static int exchange_setup(void **state)
{
	struct exchange *x = calloc(1, sizeof *x);
	assert_non_null(x);
	char err[LIA_ERR_MAX];
	fx_authority_init(&x->auth);
	fx_principal_init(&x->self, &x->auth, "IT-GDF/ventimiglia", "IT", LIA_ROLE_LIAISON, T0 - 10, T0 + 1000);
	fx_principal_init(&x->colleague, &x->auth, "IT-GDF/roma", "IT", LIA_ROLE_ANALYST, T0 - 10, T0 + 1000);
	fx_principal_init(&x->nice, &x->auth, "FR-PN/nice", "FR", LIA_ROLE_LIAISON, T0 - 10, T0 + 1000);
	fx_principal_init(&x->auditor, &x->auth, "FR-PN/audit", "FR", LIA_ROLE_AUDITOR, T0 - 10, T0 + 1000);
	fx_principal_init(&x->expired, &x->auth, "FR-PN/old", "FR", LIA_ROLE_LIAISON, T0 - 100, T0 - 10);
	lia_directory_init(&x->dir, x->auth.key->pk);
	const struct fx_principal *all[] = {&x->self, &x->colleague, &x->nice, &x->auditor, &x->expired};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (lia_directory_add(&x->dir, all[i]->cert_bytes, all[i]->cert_len, err) != 0)
			fail_msg("directory: %s", err);
	if (lia_directory_finish(&x->dir, err) != 0)
		fail_msg("directory: %s", err);
	*state = x;
	return 0;
}

static int exchange_teardown(void **state)
{
	struct exchange *x = *state;
	lia_directory_clear(&x->dir);
	fx_principal_clear(&x->self);
	fx_principal_clear(&x->colleague);
	fx_principal_clear(&x->nice);
	fx_principal_clear(&x->auditor);
	fx_principal_clear(&x->expired);
	fx_authority_clear(&x->auth);
	free(x);
	return 0;
}

/* The option of compose.h's tables named name. */
static const struct lia_opt *compose_opt(const char *name)
{
	for (const struct lia_opt_group *g = lia_compose_groups; g->opts != NULL; g++)
		for (const struct lia_opt *o = g->opts; o->name != NULL; o++)
			if (strcmp(o->name, name) == 0)
				return o;
	return NULL;
}

/* Compose a message from flags, as `liaison publish` does. */
static void compose(struct lia_compose *c, const char *const *flags, uint8_t **body, size_t *len)
{
	char err[LIA_ERR_MAX];
	lia_compose_init(c);
	for (size_t i = 0; flags[i] != NULL; i += 2) {
		const struct lia_opt *o = compose_opt(flags[i]);
		assert_non_null(o);
		if (lia_compose_option(c, o->id, flags[i + 1], err) != 1)
			fail_msg("--%s: %s", flags[i], err);
	}
	if (lia_compose_finish(c, body, len, err) != 0)
		fail_msg("compose: %s", err);
}

/* The subjects lia_publish_recipients chooses, in order, comma-joined. */
static void chosen(struct exchange *x, const struct lia_header *h, char out[256])
{
	char err[LIA_ERR_MAX];
	const struct lia_cert **v = NULL;
	size_t n = 0;
	assert_int_equal(lia_publish_recipients(h, &x->self.cert, &x->dir, T0, &v, &n, err), LIA_EXIT_OK);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t at = strlen(out);
		snprintf(out + at, 256 - at, "%s%s", i ? "," : "", v[i]->subject);
	}
	free(v);
}

static void test_recipients_follow_the_audience_rule(void **state)
{
	struct exchange *x = *state;
	static const struct {
		const char *flags[9];
		const char *want;
	} t[] = {
		/* Never the auditor, never an expired certificate; always self. */
		{{"kind", "note", "text", "hi", "tlp", "GREEN", NULL},
		 "IT-GDF/ventimiglia,FR-PN/nice,IT-GDF/roma"},
		/* AMBER with no audience named stays within the agency. */
		{{"kind", "note", "text", "hi", "tlp", "AMBER", NULL},
		 "IT-GDF/ventimiglia,IT-GDF/roma"},
		{{"kind", "note", "text", "hi", "tlp", "RED", "release-principal", "FR-PN/nice", NULL},
		 "IT-GDF/ventimiglia,FR-PN/nice"},
		{{"kind", "note", "text", "hi", "tlp", "AMBER+STRICT", "release-agency", "FR-PN", NULL},
		 "IT-GDF/ventimiglia,FR-PN/nice"},
		/* Region membership is the policy's, which the agent does not
		 * have: every principal is admitted and the broker decides. */
		{{"kind", "note", "text", "hi", "tlp", "AMBER", "release-region", "BALTIC", NULL},
		 "IT-GDF/ventimiglia,FR-PN/nice,IT-GDF/roma"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct lia_compose c;
		uint8_t *body = NULL;
		size_t len = 0;
		char got[256];
		compose(&c, t[i].flags, &body, &len);
		chosen(x, &c.hdr, got);
		if (strcmp(got, t[i].want) != 0)
			fail_msg("row %zu: chose %s, want %s", i, got, t[i].want);
		free(body);
		lia_compose_clear(&c);
	}
}

static void test_seal_wraps_for_the_audience_only(void **state)
{
	struct exchange *x = *state;
	char err[LIA_ERR_MAX];
	struct lia_identity id = {.cert = x->self.cert, .sign = x->self.sign, .box = x->self.box};
	static const char *const flags[] = {"kind", "note", "text", "meet at the port", "tlp", "RED",
					    "release-principal", "FR-PN/nice", NULL};
	struct lia_compose c;
	uint8_t *body = NULL, *env = NULL;
	size_t len = 0, env_len = 0;
	compose(&c, flags, &body, &len);
	assert_int_equal(lia_publish_seal(&id, &c.hdr, body, len, &x->dir, T0, &env, &env_len, err),
			 LIA_EXIT_OK);
	assert_int_equal(c.hdr.created_at, T0);

	struct lia_envelope *e = NULL;
	assert_int_equal(lia_envelope_decode(&e, env, env_len), LIA_ENV_OK);
	assert_int_equal(lia_envelope_wrap_count(e), 2);
	assert_true(lia_envelope_has_wrap(e, x->self.cert.box_kid));
	assert_true(lia_envelope_has_wrap(e, x->nice.cert.box_kid));
	assert_false(lia_envelope_has_wrap(e, x->colleague.cert.box_kid));
	lia_envelope_destroy(&e);

	/* The recipient opens it; the colleague outside the audience cannot. */
	struct lia_opened o;
	struct lia_opener *op = lia_opener_new(&x->nice.cert, x->nice.box);
	assert_int_equal(lia_open(op, env, env_len, &x->self.cert, &x->dir.crl, &o), LIA_ENV_OK);
	assert_memory_equal(o.header.id, c.hdr.id, LIA_ID_BYTES);
	lia_opened_clear(&o);
	lia_opener_destroy(&op);
	op = lia_opener_new(&x->colleague.cert, x->colleague.box);
	assert_int_not_equal(lia_open(op, env, env_len, &x->self.cert, &x->dir.crl, &o), LIA_ENV_OK);
	lia_opened_clear(&o);
	lia_opener_destroy(&op);

	/* The Publish request carries the envelope and the addressees. */
	struct lia_names to = {0};
	assert_int_equal(lia_names_add(&to, "FR-PN/nice"), 0);
	struct lia_frame req;
	lia_publish_request(&req, env, env_len, &to);
	assert_int_equal(req.type, LIA_FRAME_PUBLISH);
	assert_ptr_equal(req.u.publish.envelope.p, env);
	assert_int_equal(req.u.publish.envelope.len, env_len);
	assert_true(lia_names_has(&req.u.publish.to, "FR-PN/nice"));
	free(env);
	free(body);
	lia_compose_clear(&c);
}

static void test_seal_without_keys_fails(void **state)
{
	struct exchange *x = *state;
	char err[LIA_ERR_MAX] = "";
	/* Keys the certificate does not vouch for. */
	struct lia_identity id = {.cert = x->self.cert, .sign = x->colleague.sign,
				  .box = x->colleague.box};
	static const char *const flags[] = {"kind", "note", "text", "hi", "tlp", "GREEN", NULL};
	struct lia_compose c;
	uint8_t *body = NULL, *env = NULL;
	size_t len = 0, env_len = 0;
	compose(&c, flags, &body, &len);
	assert_int_equal(lia_publish_seal(&id, &c.hdr, body, len, &x->dir, T0, &env, &env_len, err),
			 LIA_EXIT_FAIL);
	assert_null(env);
	assert_string_equal(err, "cannot set up sealing");
	free(body);
	lia_compose_clear(&c);
}

/* --- the acknowledgement --- */

static void ack(struct lia_frame *f, bool accepted, enum lia_refusal why, const char *rule)
{
	lia_frame_init(f, LIA_FRAME_PUBLISH_ACK, 7);
	f->u.publish_ack.accepted = accepted;
	f->u.publish_ack.sequence = 41;
	f->u.publish_ack.recipients = 3;
	f->u.publish_ack.withheld = 2;
	f->u.publish_ack.refusal = why;
	snprintf(f->u.publish_ack.rule, sizeof f->u.publish_ack.rule, "%s", rule);
	snprintf(f->u.publish_ack.reason, sizeof f->u.publish_ack.reason, "%s", accepted ? "" : "no");
}

static void test_publish_reply(void **state)
{
	(void)state;
	static const uint8_t id[LIA_ID_BYTES] = {0xab, 0xcd};
	char err[LIA_ERR_MAX] = "";
	struct lia_publish_result r;
	struct lia_frame f;

	ack(&f, true, 0, "");
	assert_int_equal(lia_publish_reply(&f, id, &r, err), LIA_EXIT_OK);
	assert_true(r.answered && r.accepted);
	assert_int_equal(r.sequence, 41);
	assert_int_equal(r.disclosed, 3);
	assert_int_equal(r.withheld, 2);
	assert_string_equal(r.id_hex, "abcd0000000000000000000000000000");

	ack(&f, false, LIA_REFUSAL_POLICY, "tlp.red.named-only");
	assert_int_equal(lia_publish_reply(&f, id, &r, err), LIA_EXIT_REFUSED);
	assert_true(r.answered && !r.accepted);
	assert_string_equal(r.rule, "tlp.red.named-only");
	assert_non_null(strstr(err, "refused by the broker: "));
	assert_non_null(strstr(err, "(rule tlp.red.named-only)"));

	ack(&f, false, LIA_REFUSAL_UNAVAILABLE, "");
	assert_int_equal(lia_publish_reply(&f, id, &r, err), LIA_EXIT_UNREACHABLE);

	error_frame(&f, LIA_ERROR_FORBIDDEN, "not yours");
	assert_int_equal(lia_publish_reply(&f, id, &r, err), LIA_EXIT_REFUSED);
	assert_false(r.answered);

	lia_frame_init(&f, LIA_FRAME_PONG, 7);
	assert_int_equal(lia_publish_reply(&f, id, &r, err), LIA_EXIT_FAIL);
	assert_false(r.answered);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_reply_of_the_type_asked),
		cmocka_unit_test(test_reply_of_another_type_fails),
		cmocka_unit_test(test_error_frames_give_their_status),
		cmocka_unit_test(test_connect_needs_a_profile),
		cmocka_unit_test(test_profile_failures),
		cmocka_unit_test_setup_teardown(test_recipients_follow_the_audience_rule,
						exchange_setup, exchange_teardown),
		cmocka_unit_test_setup_teardown(test_seal_wraps_for_the_audience_only,
						exchange_setup, exchange_teardown),
		cmocka_unit_test_setup_teardown(test_seal_without_keys_fails, exchange_setup,
						exchange_teardown),
		cmocka_unit_test(test_publish_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
