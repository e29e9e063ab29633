/* bfix.c — see bfix.h. */
#include "bfix.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "policy/pfix.h"
#include "load.h"
#include "publish.h"
#include "session.h"
#include "turn.h"
#include "util.h"

#define YEAR INT64_C(31536000)
#define DAY INT64_C(86400)

static void directory_of(struct bfix *x)
{
	char err[LIA_ERR_MAX];
	struct lia_directory *d = &x->b.dir;
	lia_directory_init(d, x->auth.key->pk);
	const struct fx_principal *all[] = {&x->it, &x->mt, &x->gr, &x->revoked, &x->expired, &x->broker};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (lia_directory_add(d, all[i]->cert_bytes, all[i]->cert_len, err) != 0)
			fail_msg("directory: %s", err);
	struct lia_crl crl = {.number = 1, .issued_at = x->now};
	uint8_t *buf = NULL;
	size_t len;
	if (lia_crl_add(&crl, x->revoked.cert.serial, x->now - 60, "key lost", err) != 0 ||
	    lia_crl_encode(&buf, &len, &crl, x->auth.key, err) != 0 ||
	    lia_directory_set_crl(d, buf, len, err) != 0 || lia_directory_finish(d, err) != 0)
		fail_msg("revocation list: %s", err);
	free(buf);
	lia_crl_clear(&crl);
}

void bfix_init(struct bfix *x)
{
	char err[LIA_ERR_MAX], path[300];
	memset(x, 0, sizeof *x);
	x->now = lia_now();
	fx_authority_init(&x->auth);
	int64_t from = x->now - YEAR, to = x->now + YEAR;
	fx_principal_init(&x->it, &x->auth, "IT-GDF/ventimiglia", "IT", LIA_ROLE_LIAISON, from, to);
	fx_principal_init(&x->mt, &x->auth, "MT-AFM/valletta", "MT", LIA_ROLE_LIAISON, from, to);
	fx_principal_init(&x->gr, &x->auth, "GR-HCG/piraeus", "GR", LIA_ROLE_ANALYST, from, to);
	fx_principal_init(&x->revoked, &x->auth, "IT-PS/roma", "IT", LIA_ROLE_LIAISON, from, to);
	fx_principal_init(&x->expired, &x->auth, "IT-PS/napoli", "IT", LIA_ROLE_LIAISON, from, x->now - DAY);
	fx_principal_init(&x->broker, &x->auth, "BROKER-HUB/med", "IT", LIA_ROLE_BROKER, from, to);

	struct lia_broker *b = &x->b;
	directory_of(x);
	struct lia_policy_error pe;
	b->policy = lia_policy_load(pfix_source("policy/examples/exchange.yaml"), &pe);
	if (b->policy == NULL)
		fail_msg("policy: %s", pe.msg);
	fx_tmpdir(x->tmp);
	snprintf(path, sizeof path, "%s/liaison.db", x->tmp);
	b->unit = lia_unit_open(path, "BROKER-HUB/med", err);
	if (b->unit == NULL)
		fail_msg("unit: %s", err);
	b->store = lia_unit_store(b->unit);
	b->ledger = lia_unit_ledger(b->unit);
	b->cfg.max_sessions = 8;
	b->cfg.window = 8;
	b->sessions = calloc(b->cfg.max_sessions, sizeof *b->sessions);
	b->cand = calloc(CANDIDATES_MAX, sizeof *b->cand);
	b->budgets = calloc(b->dir.n, sizeof *b->budgets);
	assert_true(b->sessions != NULL && b->cand != NULL && b->budgets != NULL);
}

void bfix_clear(struct bfix *x)
{
	struct lia_broker *b = &x->b;
	lia_envcache_clear(b);
	for (size_t i = 0; i < b->n_out; i++) {
		free(b->out[i].frame);
		free(b->out[i].fallback);
	}
	free(b->out);
	lia_unit_destroy(&b->unit);
	lia_policy_destroy(&b->policy);
	lia_directory_clear(&b->dir);
	free(b->feeds);
	free(b->sessions);
	free(b->cand);
	free(b->budgets);
	fx_principal_clear(&x->it);
	fx_principal_clear(&x->mt);
	fx_principal_clear(&x->gr);
	fx_principal_clear(&x->revoked);
	fx_principal_clear(&x->expired);
	fx_principal_clear(&x->broker);
	fx_authority_clear(&x->auth);
	fx_tmpdir_remove(x->tmp);
}

int bfix_setup(void **state)
{
	bfix_init(*state);
	return 0;
}

int bfix_teardown(void **state)
{
	bfix_clear(*state);
	return 0;
}

static void set(json_t **j, const char *path, const char *value)
{
	char err[LIA_ERR_MAX];
	if (lia_body_set(j, path, value, err) != 0)
		fail_msg("%s", err);
}

void bfix_seal(const struct fx_principal *from, enum lia_kind kind, int64_t created_at, const char *region,
	       const struct fx_principal *const *to, size_t n, uint8_t **env, size_t *env_len,
	       struct lia_header *h)
{
	char err[LIA_ERR_MAX];
	memset(h, 0, sizeof *h);
	h->kind = kind;
	h->created_at = created_at;
	h->restrictions.tlp = LIA_TLP_AMBER;
	h->restrictions.handling = LIA_HANDLING_H2;
	assert_int_equal(lia_names_add(&h->regions, region != NULL ? region : "MED-CENTRAL"), 0);
	/* AMBER names its audience: the members of the two sea routes. */
	assert_int_equal(lia_names_add(&h->restrictions.release_regions, "MED-CENTRAL"), 0);
	assert_int_equal(lia_names_add(&h->restrictions.release_regions, "MED-EASTERN"), 0);
	h->evaluation = (struct lia_evaluation){LIA_EVAL_EUROPOL_4X4, 'B', 2};
	json_t *j = NULL;
	set(&j, "title", "test message");
	if (kind == LIA_KIND_NETWORK) {
		h->subjects = LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT);
		set(&j, "network.network_name", "N-17");
		set(&j, "network.actors[0].aliases", "the doctor");
		set(&j, "network.actors[0].role", "organiser");
		set(&j, "data_subjects", "suspect");
	} else {
		assert_int_equal(kind, LIA_KIND_ROUTE);
		set(&j, "route.embarkation[0].name", "Zuwara");
		set(&j, "route.embarkation[0].country", "LY");
		set(&j, "route.destination[0].name", "Lampedusa");
		set(&j, "route.mode", "sea");
	}
	uint8_t *body;
	size_t body_len;
	if (lia_body_from_json(j, &body, &body_len, err) != 0)
		fail_msg("body: %s", err);
	json_decref(j);
	const struct lia_cert *rc[8];
	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++)
		rc[i] = &to[i]->cert;
	struct lia_sealer *s = lia_sealer_new(&from->cert, from->sign, from->box);
	assert_non_null(s);
	if (lia_seal(s, h, body, body_len, rc, n, env, env_len, err) != 0)
		fail_msg("seal: %s", err);
	lia_sealer_destroy(&s);
	free(body);
}

struct lia_session *bfix_session(struct bfix *x, const struct fx_principal *p)
{
	struct lia_session *s = lia_session_new(&x->b, p->transport->pk, 32);
	assert_non_null(s);
	s->cert = p->cert;
	s->receive = true;
	s->window = 8;
	s->last_seen = x->now;
	return s;
}

struct lia_publish_ack_view bfix_publish(struct bfix *x, struct lia_session *s, const uint8_t *env,
					 size_t env_len, const char *const *to, size_t n)
{
	struct lia_broker *b = &x->b;
	struct lia_frame f;
	lia_frame_init(&f, LIA_FRAME_PUBLISH, 7);
	f.u.publish.envelope = (struct lia_bytes){env, env_len};
	for (size_t i = 0; i < n; i++)
		assert_int_equal(lia_names_add(&f.u.publish.to, to[i]), 0);
	size_t before = b->n_out;
	lia_publish_handle(b, s, &f);
	struct lia_publish_ack_view v = {0};
	if (b->n_out > before) {
		struct lia_frame ack;
		char why[LIA_ERR_MAX];
		const struct lia_outmsg *o = &b->out[b->n_out - 1];
		assert_int_equal(lia_frame_decode(&ack, o->frame, o->len, why), 0);
		assert_int_equal(ack.type, LIA_FRAME_PUBLISH_ACK);
		v.queued = true;
		v.accepted = ack.u.publish_ack.accepted;
		v.duplicate = ack.u.publish_ack.duplicate;
		v.sequence = ack.u.publish_ack.sequence;
		v.recipients = ack.u.publish_ack.recipients;
		v.withheld = ack.u.publish_ack.withheld;
		lia_frame_clear(&ack);
	}
	lia_turn_commit(b);
	return v;
}

struct lia_publish_ack_view bfix_publish_route(struct bfix *x, struct lia_session *s,
					       const struct fx_principal *sender,
					       const struct fx_principal *to, struct lia_header *h)
{
	const struct fx_principal *wrap_for[] = {to};
	const char *names[] = {to->cert.subject};
	uint8_t *env;
	size_t len;
	bfix_seal(sender, LIA_KIND_ROUTE, x->now, NULL, wrap_for, 1, &env, &len, h);
	struct lia_publish_ack_view v = bfix_publish(x, s, env, len, names, 1);
	free(env);
	return v;
}

uint64_t bfix_ledger_size(struct bfix *x)
{
	char err[LIA_ERR_MAX];
	uint64_t size = 0;
	if (lia_ledger_size(x->b.ledger, &size, err) != 0)
		fail_msg("%s", err);
	return size;
}
