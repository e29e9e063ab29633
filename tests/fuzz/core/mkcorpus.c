/*
 * mkcorpus.c — writes the seed corpus of the core fuzz harnesses from the
 * fixed exchange of fuzz_keys.h: envelopes of several kinds, a
 * certificate, a request, revocation lists, bodies, a consent and key
 * files. Run by hand when the formats change: mkcorpus DIR (DIR/envelope,
 * DIR/cert, DIR/consent, DIR/body, DIR/keyfile must exist and be empty).
 */
#include <stdio.h>

#include "body.h"
#include "consent.h"
#include "envelope.h"
#include "fuzz_keys.h"
#include "util.h"

static void put(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char path[512], err[LIA_ERR_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (lia_file_write_new(path, b, n, 0644, err) != 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

static void body_of(const char *text, uint8_t **b, size_t *n)
{
	char err[LIA_ERR_MAX];
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	if (j == NULL || lia_body_from_json(j, b, n, err) != 0) {
		fprintf(stderr, "bad body %s\n", text);
		exit(1);
	}
	json_decref(j);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	char d_env[400], d_cert[400], d_body[400], d_key[400], err[LIA_ERR_MAX];
	snprintf(d_env, sizeof d_env, "%s/envelope", argv[1]);
	snprintf(d_cert, sizeof d_cert, "%s/cert", argv[1]);
	snprintf(d_body, sizeof d_body, "%s/body", argv[1]);
	snprintf(d_key, sizeof d_key, "%s/keyfile", argv[1]);
	struct fuzz_exchange x;
	fuzz_exchange_init(&x);
	static const struct {
		enum lia_kind kind;
		uint32_t subjects;
		const char *json;
	} msgs[] = {
		{LIA_KIND_ROUTE, 0, "{\"title\":\"Zuwara\",\"route\":{\"embarkation\":[{\"name\":\"Zuwara\",\"country\":\"LY\",\"has_position\":true,\"latitude\":32.9,\"longitude\":12.1}],\"mode\":\"sea\",\"capacity\":80,\"price_per_person\":300000,\"price_currency\":\"EUR\"}}"},
		{LIA_KIND_NETWORK, LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT), "{\"title\":\"N\",\"data_subjects\":[\"suspect\"],\"network\":{\"network_name\":\"N-17\",\"actors\":[{\"aliases\":[\"doc\"],\"role\":\"organiser\",\"communications\":[{\"type\":\"phone\",\"value\":\"+000\"}]}]}}"},
		{LIA_KIND_DOCUMENT, 0, "{\"title\":\"blanks\",\"document\":{\"type\":\"passport\",\"issuing_state\":\"LY\",\"serial_from\":\"A1\",\"serial_to\":\"A9\",\"status\":\"stolen-blank\"}}"},
		{LIA_KIND_NOTE, 0, "{\"note\":{\"text\":\"hello\"}}"},
		{LIA_KIND_VERIFICATION_REQUEST, LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT), "{\"title\":\"genuine?\",\"data_subjects\":[\"suspect\"],\"verification_request\":{\"type\":\"passport\",\"issuing_state\":\"HR\",\"number\":\"012345678\",\"holder_name\":\"I. Example\",\"urgency\":\"urgent\"}}"},
	};
	char name[64];
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		uint8_t *b, *env;
		size_t n, env_len;
		body_of(msgs[i].json, &b, &n);
		snprintf(name, sizeof name, "body-%zu", i);
		uint8_t *pre = malloc(n + 1);
		pre[0] = 0;
		memcpy(pre + 1, b, n);
		put(d_body, name, pre, n + 1);
		free(pre);
		snprintf(name, sizeof name, "json-%zu", i);
		put(d_body, name, (const uint8_t *)msgs[i].json, strlen(msgs[i].json));
		struct lia_header h;
		memset(&h, 0, sizeof h);
		h.kind = msgs[i].kind;
		h.subjects = msgs[i].subjects;
		h.created_at = FUZZ_T0;
		h.restrictions.tlp = (enum lia_tlp)(1 + i % 5);
		h.restrictions.handling = LIA_HANDLING_H2 | (i == 1 ? LIA_HANDLING_H3 : 0);
		if (i == 1) {
			memcpy(h.restrictions.h3.text, "no use against minors", 22);
			if (lia_names_add(&h.restrictions.h3.deny_countries, "XX") != 0)
				return 1;
		}
		if (lia_names_add(&h.regions, "MED-CENTRAL") != 0 ||
		    lia_names_add(&h.restrictions.release_agencies, "MT-AFM") != 0)
			return 1;
		h.evaluation = (struct lia_evaluation){LIA_EVAL_EUROPOL_4X4, 'B', 2};
		if (h.kind == LIA_KIND_VERIFICATION_REQUEST) { /* its route, as the body says */
			h.has_verification = true;
			memcpy(h.verification.issuing_state, "HR", 3);
			h.verification.urgency = LIA_URGENCY_URGENT;
		}
		const struct lia_cert *to[] = {&x.bob.cert, &x.alice.cert};
		struct lia_sealer *s = lia_sealer_new(&x.alice.cert, x.alice.sign, x.alice.box);
		if (lia_seal(s, &h, b, n, to, 2, &env, &env_len, err) != 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		snprintf(name, sizeof name, "envelope-%zu", i);
		put(d_env, name, env, env_len);
		lia_sealer_destroy(&s);
		free(env);
		free(b);
	}
	put(d_cert, "cert-alice", x.alice.cert_bytes, x.alice.cert_len);
	uint8_t *buf;
	size_t len;
	if (lia_request_make(&buf, &len, "GR-HCG/piraeus", x.bob.sign, x.bob.box, x.bob.transport,
			     FUZZ_T0, err) != 0)
		return 1;
	put(d_cert, "request", buf, len);
	free(buf);
	struct lia_crl crl = {.number = 3, .issued_at = FUZZ_T0};
	if (lia_crl_add(&crl, 1001, FUZZ_T0, "stolen", err) != 0 ||
	    lia_crl_add(&crl, 77, FUZZ_T0, "left", err) != 0 ||
	    lia_crl_encode(&buf, &len, &crl, x.authority, err) != 0)
		return 1;
	put(d_cert, "crl", buf, len);
	free(buf);
	lia_crl_clear(&crl);
	char d_consent[400];
	snprintf(d_consent, sizeof d_consent, "%s/consent", argv[1]);
	struct lia_consent_grant g = {.request = 3, .granted_at = FUZZ_T0};
	memset(g.message_id, 0x5c, LIA_ID_BYTES);
	memcpy(g.grantee, "HR-MUP", 7);
	memcpy(g.requested_by, "MT-AFM/valletta", 16);
	memcpy(g.granted_by, "IT-GDF/ventimiglia", 19);
	memcpy(g.purpose, "joint operation", 16);
	if (lia_consent_sign(&g, x.alice.sign, &buf, &len, err) != 0)
		return 1;
	put(d_consent, "consent-alice", buf, len);
	free(buf);
	char path[512];
	snprintf(path, sizeof path, "%s/plain-sign", d_key);
	if (lia_secret_save(x.alice.sign, path, NULL, "fuzz", err) != 0)
		return 1;
	snprintf(path, sizeof path, "%s/protected-box", d_key);
	char word[] = "fuzz";
	struct lia_pass pass = {word, 4};
	if (lia_secret_save(x.alice.box, path, &pass, "fuzz", err) != 0)
		return 1;
	return 0;
}
