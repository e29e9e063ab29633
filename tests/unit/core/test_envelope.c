/* Envelope seal and open, and every way an envelope can be wrong
 * (core/envelope.h, DESIGN §3). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <lz4.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "envelope.h"
#include "envelope.pb-c.h"
#include "fixture.h"
#include "sig.h"
#include "util.h"

#define T0 1795860000
#define YEAR (365 * 86400)

static struct fx_authority auth;
static struct fx_principal alice, bob, carol, expired, future;

static int setup(void **state)
{
	(void)state;
	fx_authority_init(&auth);
	fx_principal_init(&alice, &auth, "IT-GDF/ventimiglia", "IT", LIA_ROLE_LIAISON, T0 - YEAR, T0 + YEAR);
	fx_principal_init(&bob, &auth, "MT-AFM/valletta", "MT", LIA_ROLE_LIAISON, T0 - YEAR, T0 + YEAR);
	fx_principal_init(&carol, &auth, "GR-HCG/piraeus", "GR", LIA_ROLE_ANALYST, T0 - YEAR, T0 + YEAR);
	fx_principal_init(&expired, &auth, "IT-PS/roma", "IT", LIA_ROLE_LIAISON, T0 - 2 * YEAR, T0 - YEAR);
	fx_principal_init(&future, &auth, "IT-PS/napoli", "IT", LIA_ROLE_LIAISON, T0 + YEAR, T0 + 2 * YEAR);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_principal_clear(&alice);
	fx_principal_clear(&bob);
	fx_principal_clear(&carol);
	fx_principal_clear(&expired);
	fx_principal_clear(&future);
	fx_authority_clear(&auth);
	return 0;
}

static uint8_t *find(uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return hay + i;
	return NULL;
}

static void set(json_t **b, const char *path, const char *value)
{
	char err[LIA_ERR_MAX];
	if (lia_body_set(b, path, value, err) != 0)
		fail_msg("%s", err);
}

/* A minimal but real body for each kind. */
static json_t *body_for(enum lia_kind kind)
{
	json_t *b = NULL;
	set(&b, "title", "test message");
	switch (kind) {
	case LIA_KIND_ROUTE:
		set(&b, "route.embarkation[0].name", "Zuwara");
		set(&b, "route.embarkation[0].country", "LY");
		set(&b, "route.destination[0].name", "Lampedusa");
		set(&b, "route.mode", "sea");
		set(&b, "route.capacity", "80");
		break;
	case LIA_KIND_CARRIER:
		set(&b, "carrier.vessel.name", "AL AMAL");
		set(&b, "carrier.vessel.imo", "9123456");
		set(&b, "carrier.vessel.flag", "TG");
		break;
	case LIA_KIND_NETWORK:
		set(&b, "network.network_name", "N-17");
		set(&b, "network.actors[0].aliases", "the doctor");
		set(&b, "network.actors[0].role", "organiser");
		set(&b, "data_subjects", "suspect");
		break;
	case LIA_KIND_DOCUMENT:
		set(&b, "document.type", "passport");
		set(&b, "document.issuing_state", "LY");
		set(&b, "document.serial_from", "A1000");
		set(&b, "document.serial_to", "A1999");
		set(&b, "document.status", "stolen-blank");
		set(&b, "document.detection_tips", "laminate lifts at the corner");
		break;
	case LIA_KIND_CONCEALMENT:
		set(&b, "concealment.category", "vehicle-compartment");
		set(&b, "concealment.indicators", "fresh welds under the floor");
		break;
	case LIA_KIND_LEGISLATION:
		set(&b, "legislation.country", "IT");
		set(&b, "legislation.effective_from", "2026-01-01");
		break;
	case LIA_KIND_TECHNICAL:
		set(&b, "technical.domain", "detection");
		break;
	case LIA_KIND_VERIFICATION_REQUEST:
		set(&b, "verification_request.type", "passport");
		set(&b, "verification_request.number", "X1234567");
		set(&b, "verification_request.urgency", "urgent");
		set(&b, "verification_request.issuing_state", "LY");
		break;
	case LIA_KIND_VERIFICATION_ANSWER:
		set(&b, "verification_answer.verdict", "altered");
		break;
	case LIA_KIND_NOTE:
		set(&b, "note.text", "call me");
		break;
	case LIA_KIND_RECALL:
		set(&b, "recall.reason", "wrong vessel");
		break;
	}
	return b;
}

static void header_for(struct lia_header *h, enum lia_kind kind)
{
	memset(h, 0, sizeof *h);
	h->kind = kind;
	h->created_at = T0;
	h->restrictions.tlp = LIA_TLP_AMBER;
	h->restrictions.handling = LIA_HANDLING_H2;
	assert_int_equal(lia_names_add(&h->regions, "MED-CENTRAL"), 0);
	memcpy(h->topic, "aaaaaaaa", 9);
	h->evaluation = (struct lia_evaluation){LIA_EVAL_EUROPOL_4X4, 'B', 2};
	if (kind == LIA_KIND_NETWORK)
		h->subjects = LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT);
	if (kind == LIA_KIND_RECALL) {
		h->has_supersedes = true;
		memset(h->supersedes, 7, LIA_ID_BYTES);
	}
	if (kind == LIA_KIND_VERIFICATION_REQUEST) {
		h->has_verification = true;
		memcpy(h->verification.issuing_state, "LY", 3);
		h->verification.urgency = LIA_URGENCY_URGENT;
	}
	if (kind == LIA_KIND_VERIFICATION_ANSWER) {
		h->has_in_reply_to = true;
		memset(h->in_reply_to, 8, LIA_ID_BYTES);
	}
}

/* A verification request's body must repeat its header's route, and
 * only a request has one; an answer names its request. */
static void test_verification_route(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_header h;
	json_t *bj = body_for(LIA_KIND_VERIFICATION_REQUEST);
	uint8_t *body, *env = NULL;
	size_t body_len, env_len;
	assert_int_equal(lia_body_from_json(bj, &body, &body_len, err), 0);
	json_decref(bj);
	const struct lia_cert *rc[1] = {&bob.cert};
	struct lia_sealer *s = lia_sealer_new(&alice.cert, alice.sign, alice.box);
	header_for(&h, LIA_KIND_VERIFICATION_REQUEST);
	memcpy(h.verification.issuing_state, "HR", 3); /* the body says LY */
	assert_int_equal(lia_seal(s, &h, body, body_len, rc, 1, &env, &env_len, err), -1);
	assert_non_null(strstr(err, "differs from the header's route"));
	header_for(&h, LIA_KIND_VERIFICATION_REQUEST);
	h.verification.urgency = LIA_URGENCY_ROUTINE;
	assert_int_equal(lia_seal(s, &h, body, body_len, rc, 1, &env, &env_len, err), -1);
	header_for(&h, LIA_KIND_VERIFICATION_REQUEST);
	h.has_verification = false; /* no route: the header does not encode */
	assert_int_equal(lia_seal(s, &h, body, body_len, rc, 1, &env, &env_len, err), -1);
	free(body);
	bj = body_for(LIA_KIND_NOTE);
	assert_int_equal(lia_body_from_json(bj, &body, &body_len, err), 0);
	json_decref(bj);
	header_for(&h, LIA_KIND_NOTE);
	h.has_verification = true; /* a route on a note */
	memcpy(h.verification.issuing_state, "HR", 3);
	h.verification.urgency = LIA_URGENCY_URGENT;
	assert_int_equal(lia_seal(s, &h, body, body_len, rc, 1, &env, &env_len, err), -1);
	free(body);
	bj = body_for(LIA_KIND_VERIFICATION_ANSWER);
	assert_int_equal(lia_body_from_json(bj, &body, &body_len, err), 0);
	json_decref(bj);
	header_for(&h, LIA_KIND_VERIFICATION_ANSWER);
	h.has_in_reply_to = false;
	assert_int_equal(lia_seal(s, &h, body, body_len, rc, 1, &env, &env_len, err), -1);
	assert_null(env);
	free(body);
	lia_sealer_destroy(&s);
}

/* Seal a message of kind from `from` to the given recipients. */
static void seal(const struct fx_principal *from, enum lia_kind kind,
		 const struct fx_principal *const *to, size_t n, struct lia_header *h, uint8_t **env,
		 size_t *env_len)
{
	char err[LIA_ERR_MAX];
	header_for(h, kind);
	json_t *bj = body_for(kind);
	uint8_t *body;
	size_t body_len;
	if (lia_body_from_json(bj, &body, &body_len, err) != 0)
		fail_msg("body: %s", err);
	json_decref(bj);
	const struct lia_cert *rc[8];
	for (size_t i = 0; i < n; i++)
		rc[i] = &to[i]->cert;
	struct lia_sealer *s = lia_sealer_new(&from->cert, from->sign, from->box);
	assert_non_null(s);
	if (lia_seal(s, h, body, body_len, rc, n, env, env_len, err) != 0)
		fail_msg("seal: %s", err);
	lia_sealer_destroy(&s);
	assert_null(s);
	free(body);
}

static enum lia_env_status open_as(const struct fx_principal *me, const struct fx_principal *from,
				   const uint8_t *env, size_t len, const struct lia_crl *crl,
				   struct lia_opened *out)
{
	struct lia_opener *o = lia_opener_new(&me->cert, me->box);
	assert_non_null(o);
	enum lia_env_status st = lia_open(o, env, len, &from->cert, crl, out);
	lia_opener_destroy(&o);
	if (st != LIA_ENV_OK) {
		/* Nothing of a failed message is returned. */
		assert_null(out->body);
		assert_int_equal(out->body_len, 0);
	}
	return st;
}

static void test_round_trip_every_kind(void **state)
{
	(void)state;
	const struct fx_principal *to[] = {&bob, &alice};
	for (int k = 1; k <= LIA_KIND_MAX; k++) {
		struct lia_header h;
		uint8_t *env;
		size_t len;
		seal(&alice, (enum lia_kind)k, to, 2, &h, &env, &len);
		struct lia_opened o;
		assert_int_equal(open_as(&bob, &alice, env, len, NULL, &o), LIA_ENV_OK);
		assert_memory_equal(o.header.id, h.id, LIA_ID_BYTES);
		assert_int_equal(o.header.kind, k);
		assert_string_equal(o.header.originator, "IT-GDF/ventimiglia");
		assert_int_equal(o.header.restrictions.tlp, LIA_TLP_AMBER);
		assert_int_equal(o.header.evaluation.source, 'B');
		json_t *got = lia_body_to_json(o.body, o.body_len);
		json_t *want = body_for((enum lia_kind)k);
		if (!json_equal(got, want)) {
			char *a = json_dumps(got, 0), *b = json_dumps(want, 0);
			fail_msg("kind %d: got %s want %s", k, a, b);
		}
		json_decref(got);
		json_decref(want);
		lia_opened_clear(&o);
		/* The originator reads its own message too. */
		assert_int_equal(open_as(&alice, &alice, env, len, NULL, &o), LIA_ENV_OK);
		lia_opened_clear(&o);
		free(env);
	}
}

/* Decode an envelope for editing, and encode it back. */
static Liaison__V1__Envelope *unpack(const uint8_t *env, size_t len)
{
	Liaison__V1__Envelope *e = liaison__v1__envelope__unpack(NULL, len, env);
	assert_non_null(e);
	return e;
}

static uint8_t *repack(const Liaison__V1__Envelope *e, size_t *len)
{
	*len = liaison__v1__envelope__get_packed_size(e);
	uint8_t *b = malloc(*len);
	liaison__v1__envelope__pack(e, b);
	return b;
}

static enum lia_env_status open_edited(Liaison__V1__Envelope *e)
{
	size_t len;
	uint8_t *b = repack(e, &len);
	struct lia_opened o;
	enum lia_env_status st = open_as(&bob, &alice, b, len, NULL, &o);
	lia_opened_clear(&o);
	free(b);
	return st;
}

/* The index of bob's wrap. */
static size_t bob_wrap(const Liaison__V1__Envelope *e)
{
	for (size_t i = 0; i < e->n_wraps; i++)
		if (memcmp(e->wraps[i]->recipient_key_id.data, bob.cert.box_kid, LIA_KEYID_BYTES) == 0)
			return i;
	fail_msg("no wrap for bob");
	return 0;
}

static void test_tampering(void **state)
{
	(void)state;
	const struct fx_principal *to[] = {&bob, &carol};
	struct lia_header h;
	uint8_t *env;
	size_t len;
	seal(&alice, LIA_KIND_ROUTE, to, 2, &h, &env, &len);
	Liaison__V1__Envelope *e = unpack(env, len);
	size_t w = bob_wrap(e);

	/* A byte of the header (inside the topic "aaaaaaaa"). */
	uint8_t *p = find(e->header.data, e->header.len, "aaaaaaaa");
	assert_non_null(p);
	p[3] ^= 1;
	assert_int_equal(open_edited(e), LIA_ENV_BAD_SIGNATURE);
	p[3] ^= 1;
	assert_int_equal(open_edited(e), LIA_ENV_OK);
	/* Every byte of the header: some fail to parse, none open. */
	for (size_t i = 0; i < e->header.len; i++) {
		e->header.data[i] ^= 0x20;
		assert_int_not_equal(open_edited(e), LIA_ENV_OK);
		e->header.data[i] ^= 0x20;
	}
	e->signature.data[10] ^= 1;
	assert_int_equal(open_edited(e), LIA_ENV_BAD_SIGNATURE);
	e->signature.data[10] ^= 1;
	e->ciphertext.data[5] ^= 1;
	assert_int_equal(open_edited(e), LIA_ENV_CIPHERTEXT_HASH);
	e->ciphertext.data[5] ^= 1;
	e->wraps[w]->recipient_key_id.data[0] ^= 1;
	assert_int_equal(open_edited(e), LIA_ENV_NO_WRAP);
	e->wraps[w]->recipient_key_id.data[0] ^= 1;
	e->wraps[w]->nonce.data[0] ^= 1;
	assert_int_equal(open_edited(e), LIA_ENV_WRAP_INVALID);
	e->wraps[w]->nonce.data[0] ^= 1;
	for (size_t i = 0; i < e->wraps[w]->box.len; i++) {
		e->wraps[w]->box.data[i] ^= 1;
		assert_int_equal(open_edited(e), LIA_ENV_WRAP_INVALID);
		e->wraps[w]->box.data[i] ^= 1;
	}
	assert_int_equal(open_edited(e), LIA_ENV_OK);
	/* Removing every other wrap does not matter to bob. */
	Liaison__V1__Wrap *mine = e->wraps[w];
	Liaison__V1__Wrap **saved = e->wraps;
	size_t saved_n = e->n_wraps;
	e->wraps = &mine;
	e->n_wraps = 1;
	assert_int_equal(open_edited(e), LIA_ENV_OK);
	e->n_wraps = 0;
	assert_int_equal(open_edited(e), LIA_ENV_NO_WRAP);
	e->wraps = saved;
	e->n_wraps = saved_n;
	liaison__v1__envelope__free_unpacked(e, NULL);
	free(env);
}

static void test_swapped_wraps(void **state)
{
	(void)state;
	const struct fx_principal *to[] = {&bob};
	struct lia_header h1, h2;
	uint8_t *env1, *env2;
	size_t len1, len2;
	seal(&alice, LIA_KIND_NOTE, to, 1, &h1, &env1, &len1);
	seal(&alice, LIA_KIND_NOTE, to, 1, &h2, &env2, &len2);
	Liaison__V1__Envelope *e1 = unpack(env1, len1), *e2 = unpack(env2, len2);
	Liaison__V1__Wrap *tmp = e1->wraps[bob_wrap(e1)];
	e1->wraps[bob_wrap(e1)] = e2->wraps[bob_wrap(e2)];
	assert_int_equal(open_edited(e1), LIA_ENV_WRAP_ID);
	e1->wraps[bob_wrap(e1)] = tmp;
	assert_int_equal(open_edited(e1), LIA_ENV_OK);
	liaison__v1__envelope__free_unpacked(e1, NULL);
	liaison__v1__envelope__free_unpacked(e2, NULL);
	free(env1);
	free(env2);
}

/* A dishonest originator signs a header whose commitment is to another
 * key than the one in the wraps: the wrap opens, the ciphertext would
 * decrypt, but the commitment check refuses it. */
static void test_key_commitment(void **state)
{
	(void)state;
	const struct fx_principal *to[] = {&bob};
	struct lia_header h;
	uint8_t *env;
	size_t len;
	const char *why;
	seal(&alice, LIA_KIND_NOTE, to, 1, &h, &env, &len);
	Liaison__V1__Envelope *e = unpack(env, len);
	h.key_commitment[0] ^= 1;
	uint8_t *hb;
	size_t hlen;
	/* header_int.h is internal; re-encode through the protobuf instead. */
	Liaison__V1__Header *ph = liaison__v1__header__unpack(NULL, e->header.len, e->header.data);
	assert_non_null(ph);
	ph->key_commitment.data[0] ^= 1;
	hlen = liaison__v1__header__get_packed_size(ph);
	hb = malloc(hlen);
	liaison__v1__header__pack(ph, hb);
	uint8_t sig[64];
	lia_sign(sig, LIA_CTX_HEADER, hb, hlen, alice.sign->sk);
	ProtobufCBinaryData old_header = e->header, old_sig = e->signature;
	e->header = (ProtobufCBinaryData){hlen, hb};
	e->signature = (ProtobufCBinaryData){64, sig};
	assert_int_equal(open_edited(e), LIA_ENV_KEY_COMMITMENT);
	(void)why;
	/* Signed by someone else: refused at the signature. */
	lia_sign(sig, LIA_CTX_HEADER, hb, hlen, bob.sign->sk);
	assert_int_equal(open_edited(e), LIA_ENV_BAD_SIGNATURE);
	/* The same bytes signed under another context: refused. */
	lia_sign(sig, LIA_CTX_CERT, hb, hlen, alice.sign->sk);
	assert_int_equal(open_edited(e), LIA_ENV_BAD_SIGNATURE);
	e->header = old_header;
	e->signature = old_sig;
	free(hb);
	liaison__v1__header__free_unpacked(ph, NULL);
	liaison__v1__envelope__free_unpacked(e, NULL);
	free(env);
}

static void test_non_recipient_and_wrong_originator(void **state)
{
	(void)state;
	const struct fx_principal *to[] = {&bob};
	struct lia_header h;
	uint8_t *env;
	size_t len;
	seal(&alice, LIA_KIND_NOTE, to, 1, &h, &env, &len);
	struct lia_opened o;
	assert_int_equal(open_as(&carol, &alice, env, len, NULL, &o), LIA_ENV_NO_WRAP);
	/* Verifying against another principal's certificate. */
	assert_int_equal(open_as(&bob, &carol, env, len, NULL, &o), LIA_ENV_ORIGINATOR_MISMATCH);
	free(env);
}

static void test_originator_certificate_state(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	const struct fx_principal *to[] = {&bob};
	struct lia_header h;
	uint8_t *env;
	size_t len;
	struct lia_opened o;
	/* Sealed with an expired certificate (created_at after not_after). */
	seal(&expired, LIA_KIND_NOTE, to, 1, &h, &env, &len);
	assert_int_equal(open_as(&bob, &expired, env, len, NULL, &o), LIA_ENV_CERT_EXPIRED);
	free(env);
	seal(&future, LIA_KIND_NOTE, to, 1, &h, &env, &len);
	assert_int_equal(open_as(&bob, &future, env, len, NULL, &o), LIA_ENV_CERT_NOT_YET_VALID);
	free(env);
	/* Revoked before creation: refused; revoked after: readable, flagged. */
	seal(&alice, LIA_KIND_NOTE, to, 1, &h, &env, &len);
	struct lia_crl crl = {.number = 2};
	assert_int_equal(lia_crl_add(&crl, alice.cert.serial, T0 - 1, "stolen", err), 0);
	assert_int_equal(open_as(&bob, &alice, env, len, &crl, &o), LIA_ENV_CERT_REVOKED);
	crl.v[0].revoked_at = T0;
	assert_int_equal(open_as(&bob, &alice, env, len, &crl, &o), LIA_ENV_CERT_REVOKED);
	crl.v[0].revoked_at = T0 + 60;
	assert_int_equal(open_as(&bob, &alice, env, len, &crl, &o), LIA_ENV_OK);
	assert_int_equal(o.originator_revoked_at, T0 + 60);
	lia_opened_clear(&o);
	lia_crl_clear(&crl);
	free(env);
}

static void test_sizes_refused_before_allocation(void **state)
{
	(void)state;
	const struct fx_principal *to[] = {&bob};
	struct lia_header h;
	uint8_t *env;
	size_t len;
	struct lia_opened o;
	struct lia_envelope *dec;
	seal(&alice, LIA_KIND_NOTE, to, 1, &h, &env, &len);
	/* Every truncation fails. */
	for (size_t n = 0; n < len; n++)
		assert_int_not_equal(open_as(&bob, &alice, env, n, NULL, &o), LIA_ENV_OK);
	/* Over the envelope limit: refused by size alone. */
	assert_int_equal(lia_envelope_decode(&dec, env, LIA_ENVELOPE_MAX + 1), LIA_ENV_TOO_LARGE);
	assert_null(dec);

	/* A header declaring a 4 GiB body, correctly signed: refused at
	 * parsing, before anything is allocated for it. */
	Liaison__V1__Envelope *e = unpack(env, len);
	Liaison__V1__Header *ph = liaison__v1__header__unpack(NULL, e->header.len, e->header.data);
	ph->body_length = 0xffffffffu;
	size_t hlen = liaison__v1__header__get_packed_size(ph);
	uint8_t *hb = malloc(hlen);
	liaison__v1__header__pack(ph, hb);
	uint8_t sig[64];
	lia_sign(sig, LIA_CTX_HEADER, hb, hlen, alice.sign->sk);
	uint8_t *oldh = e->header.data, *olds = e->signature.data;
	size_t oldhl = e->header.len;
	e->header = (ProtobufCBinaryData){hlen, hb};
	e->signature = (ProtobufCBinaryData){64, sig};
	assert_int_equal(open_edited(e), LIA_ENV_HEADER_INVALID);
	/* A ciphertext longer than lz4's bound for the declared length. */
	ph->body_length = 10;
	hlen = liaison__v1__header__get_packed_size(ph);
	liaison__v1__header__pack(ph, hb);
	e->header.len = hlen;
	uint8_t big[200];
	memset(big, 0, sizeof big);
	ProtobufCBinaryData oldct = e->ciphertext;
	e->ciphertext = (ProtobufCBinaryData){sizeof big, big};
	assert_int_equal(open_edited(e), LIA_ENV_TOO_LARGE);
	e->ciphertext = oldct;
	e->header = (ProtobufCBinaryData){oldhl, oldh};
	e->signature.data = olds;
	free(hb);
	liaison__v1__header__free_unpacked(ph, NULL);

	/* Too many wraps: refused by count. */
	size_t n = LIA_WRAPS_MAX + 1;
	Liaison__V1__Wrap **many = calloc(n, sizeof *many);
	for (size_t i = 0; i < n; i++)
		many[i] = e->wraps[0];
	Liaison__V1__Wrap **keep = e->wraps;
	size_t keep_n = e->n_wraps;
	e->wraps = many;
	e->n_wraps = n;
	assert_int_equal(open_edited(e), LIA_ENV_TOO_LARGE);
	e->wraps = keep;
	e->n_wraps = keep_n;
	free(many);

	/* A header with thousands of regions: the bounded list refuses it. */
	ph = liaison__v1__header__unpack(NULL, e->header.len, e->header.data);
	size_t nr = 5000;
	char **regions = calloc(nr, sizeof *regions);
	for (size_t i = 0; i < nr; i++)
		regions[i] = (char *)"MED-CENTRAL";
	char **oldr = ph->regions;
	size_t oldn = ph->n_regions;
	ph->regions = regions;
	ph->n_regions = nr;
	hlen = liaison__v1__header__get_packed_size(ph);
	hb = malloc(hlen);
	liaison__v1__header__pack(ph, hb);
	lia_sign(sig, LIA_CTX_HEADER, hb, hlen, alice.sign->sk);
	e->header = (ProtobufCBinaryData){hlen, hb};
	e->signature = (ProtobufCBinaryData){64, sig};
	enum lia_env_status st = open_edited(e);
	assert_true(st == LIA_ENV_HEADER_INVALID || st == LIA_ENV_TOO_LARGE);
	e->header = (ProtobufCBinaryData){oldhl, oldh};
	e->signature.data = olds;
	ph->regions = oldr;
	ph->n_regions = oldn;
	free(regions);
	free(hb);
	liaison__v1__header__free_unpacked(ph, NULL);
	liaison__v1__envelope__free_unpacked(e, NULL);
	free(env);
}

static void test_seal_refuses_bad_input(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	struct lia_header h;
	header_for(&h, LIA_KIND_ROUTE);
	json_t *bj = body_for(LIA_KIND_NETWORK); /* network body, route header */
	uint8_t *body, *env = NULL;
	size_t body_len, env_len;
	assert_int_equal(lia_body_from_json(bj, &body, &body_len, err), 0);
	json_decref(bj);
	const struct lia_cert *rc[] = {&bob.cert};
	struct lia_sealer *s = lia_sealer_new(&alice.cert, alice.sign, alice.box);
	assert_int_equal(lia_seal(s, &h, body, body_len, rc, 1, &env, &env_len, err), -1);
	assert_non_null(strstr(err, "does not match"));
	/* Personal data in the body that the header does not declare. */
	header_for(&h, LIA_KIND_NETWORK);
	h.subjects = 0;
	assert_int_equal(lia_seal(s, &h, body, body_len, rc, 1, &env, &env_len, err), -1);
	assert_non_null(strstr(err, "personal data"));
	/* H3 without text is never signed. */
	header_for(&h, LIA_KIND_NETWORK);
	h.restrictions.handling |= LIA_HANDLING_H3;
	assert_int_equal(lia_seal(s, &h, body, body_len, rc, 1, &env, &env_len, err), -1);
	/* The same recipient twice. */
	header_for(&h, LIA_KIND_NETWORK);
	const struct lia_cert *twice[] = {&bob.cert, &bob.cert};
	assert_int_equal(lia_seal(s, &h, body, body_len, twice, 2, &env, &env_len, err), -1);
	assert_null(env);
	/* A sealer refuses keys its certificate does not name. */
	assert_null(lia_sealer_new(&alice.cert, bob.sign, alice.box));
	assert_null(lia_opener_new(&alice.cert, bob.box));
	lia_sealer_destroy(&s);
	free(body);
}

static void test_encode_for_and_add_wrap(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	const struct fx_principal *to[] = {&bob, &alice};
	struct lia_header h;
	uint8_t *env, *one, *more;
	size_t len, one_len, more_len;
	seal(&alice, LIA_KIND_NOTE, to, 2, &h, &env, &len);
	struct lia_envelope *e;
	assert_int_equal(lia_envelope_decode(&e, env, len), LIA_ENV_OK);
	assert_int_equal(lia_envelope_verify(e, &alice.cert, NULL), LIA_ENV_OK);
	assert_int_equal(lia_envelope_wrap_count(e), 2);
	assert_int_equal(lia_envelope_encode_for(e, carol.cert.box_kid, &one, &one_len), LIA_ENV_NO_WRAP);
	assert_int_equal(lia_envelope_encode_for(e, bob.cert.box_kid, &one, &one_len), LIA_ENV_OK);
	struct lia_envelope *e1;
	assert_int_equal(lia_envelope_decode(&e1, one, one_len), LIA_ENV_OK);
	assert_int_equal(lia_envelope_wrap_count(e1), 1);
	assert_true(lia_envelope_has_wrap(e1, bob.cert.box_kid));
	assert_false(lia_envelope_has_wrap(e1, alice.cert.box_kid));
	lia_envelope_destroy(&e1);
	struct lia_opened o;
	assert_int_equal(open_as(&bob, &alice, one, one_len, NULL, &o), LIA_ENV_OK);
	lia_opened_clear(&o);
	/* The originator recovers the data key and wraps it for carol. */
	assert_int_equal(open_as(&alice, &alice, env, len, NULL, &o), LIA_ENV_OK);
	struct lia_sealer *s = lia_sealer_new(&alice.cert, alice.sign, alice.box);
	assert_int_equal(lia_envelope_add_wrap(s, env, len, o.data_key, &carol.cert, &more, &more_len, err), 0);
	struct lia_opened oc;
	assert_int_equal(open_as(&carol, &alice, more, more_len, NULL, &oc), LIA_ENV_OK);
	assert_memory_equal(oc.header.id, h.id, LIA_ID_BYTES);
	lia_opened_clear(&oc);
	/* The broker takes only the new wraps it is told to from the
	 * originator's copy, and only from the same message. */
	struct lia_envelope *ex;
	assert_int_equal(lia_envelope_decode(&ex, more, more_len), LIA_ENV_OK);
	uint8_t kids[3][LIA_KEYID_BYTES];
	memcpy(kids[0], carol.cert.box_kid, LIA_KEYID_BYTES);
	memcpy(kids[1], bob.cert.box_kid, LIA_KEYID_BYTES); /* already in the base */
	memcpy(kids[2], carol.cert.box_kid, LIA_KEYID_BYTES); /* named twice */
	uint8_t *merged;
	size_t merged_len, added;
	assert_int_equal(lia_envelope_take_wraps(e, ex, (const uint8_t(*)[LIA_KEYID_BYTES])kids, 3, &merged,
						 &merged_len, &added, err), 0);
	assert_int_equal(added, 1);
	struct lia_envelope *em;
	assert_int_equal(lia_envelope_decode(&em, merged, merged_len), LIA_ENV_OK);
	assert_int_equal(lia_envelope_wrap_count(em), 3);
	assert_int_equal(lia_envelope_verify(em, &alice.cert, NULL), LIA_ENV_OK);
	lia_envelope_destroy(&em);
	assert_int_equal(open_as(&carol, &alice, merged, merged_len, NULL, &oc), LIA_ENV_OK);
	lia_opened_clear(&oc);
	free(merged);
	assert_int_equal(lia_envelope_take_wraps(e, ex, (const uint8_t(*)[LIA_KEYID_BYTES])kids + 1, 1,
						 &merged, &merged_len, &added, err), 0);
	assert_int_equal(added, 0); /* carol not asked for: not taken */
	free(merged);
	lia_envelope_destroy(&ex);
	/* A wrap padded with an unknown field is taken without the padding:
	 * the stored message cannot be made to grow past its bound. */
	Liaison__V1__Envelope *pe = liaison__v1__envelope__unpack(NULL, more_len, more);
	assert_non_null(pe);
	static uint8_t pad[100000];
	/* An unknown field's data is what follows its tag: here the length
	 * varint of 99997 (0x1869d), then 99997 zero bytes. */
	pad[0] = 0x9d, pad[1] = 0x8d, pad[2] = 0x06;
	ProtobufCMessageUnknownField uf = {.tag = 15, .wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED,
					   .len = sizeof pad, .data = pad};
	for (size_t i = 0; i < pe->n_wraps; i++) {
		pe->wraps[i]->base.n_unknown_fields = 1;
		pe->wraps[i]->base.unknown_fields = &uf;
	}
	size_t padded_len = liaison__v1__envelope__get_packed_size(pe);
	uint8_t *padded = malloc(padded_len);
	liaison__v1__envelope__pack(pe, padded);
	for (size_t i = 0; i < pe->n_wraps; i++) {
		pe->wraps[i]->base.n_unknown_fields = 0;
		pe->wraps[i]->base.unknown_fields = NULL;
	}
	liaison__v1__envelope__free_unpacked(pe, NULL);
	assert_true(padded_len > more_len + sizeof pad);
	assert_int_equal(lia_envelope_decode(&ex, padded, padded_len), LIA_ENV_OK);
	assert_int_equal(lia_envelope_take_wraps(e, ex, (const uint8_t(*)[LIA_KEYID_BYTES])kids, 1, &merged,
						 &merged_len, &added, err), 0);
	assert_int_equal(added, 1);
	assert_true(merged_len < more_len + 16);
	assert_int_equal(open_as(&carol, &alice, merged, merged_len, NULL, &oc), LIA_ENV_OK);
	lia_opened_clear(&oc);
	free(merged);
	lia_envelope_destroy(&ex);
	free(padded);
	/* Another message, or this one with its header changed: refused. */
	struct lia_header h2;
	uint8_t *other;
	size_t other_len;
	seal(&alice, LIA_KIND_NOTE, to, 2, &h2, &other, &other_len);
	assert_int_equal(lia_envelope_decode(&ex, other, other_len), LIA_ENV_OK);
	merged = NULL;
	assert_int_equal(lia_envelope_take_wraps(e, ex, (const uint8_t(*)[LIA_KEYID_BYTES])kids, 1, &merged,
						 &merged_len, &added, err), -1);
	assert_null(merged);
	assert_non_null(strstr(err, "not the stored message"));
	lia_envelope_destroy(&ex);
	free(other);
	uint8_t *bent = malloc(more_len);
	memcpy(bent, more, more_len);
	bent[10] ^= 0x01; /* inside the header, the first field */
	assert_int_equal(lia_envelope_decode(&ex, bent, more_len), LIA_ENV_OK);
	assert_int_equal(lia_envelope_take_wraps(e, ex, (const uint8_t(*)[LIA_KEYID_BYTES])kids, 1, &merged,
						 &merged_len, &added, err), -1);
	lia_envelope_destroy(&ex);
	free(bent);
	/* Twice for the same recipient, or with a wrong key: refused. */
	uint8_t *again = NULL;
	size_t again_len;
	assert_int_equal(lia_envelope_add_wrap(s, more, more_len, o.data_key, &carol.cert, &again, &again_len, err), -1);
	o.data_key[0] ^= 1;
	assert_int_equal(lia_envelope_add_wrap(s, env, len, o.data_key, &carol.cert, &again, &again_len, err), -1);
	assert_null(again);
	/* Bob cannot add wraps to alice's message. */
	struct lia_sealer *sb = lia_sealer_new(&bob.cert, bob.sign, bob.box);
	o.data_key[0] ^= 1;
	assert_int_equal(lia_envelope_add_wrap(sb, env, len, o.data_key, &carol.cert, &again, &again_len, err), -1);
	lia_sealer_destroy(&sb);
	lia_opened_clear(&o);
	lia_sealer_destroy(&s);
	lia_envelope_destroy(&e);
	lia_envelope_destroy(&e);
	free(env);
	free(one);
	free(more);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_kind),
		cmocka_unit_test(test_verification_route),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_swapped_wraps),
		cmocka_unit_test(test_key_commitment),
		cmocka_unit_test(test_non_recipient_and_wrong_originator),
		cmocka_unit_test(test_originator_certificate_state),
		cmocka_unit_test(test_sizes_refused_before_allocation),
		cmocka_unit_test(test_seal_refuses_bad_input),
		cmocka_unit_test(test_encode_for_and_add_wrap),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
