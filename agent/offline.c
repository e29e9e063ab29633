/*
 * offline.c — `liaison seal` and `liaison open`: envelopes as files, for
 * agencies that must move a message by other means than a broker.
 *
 * Sealing always adds a wrap for the originator itself: the originator
 * can then re-read its message and, after a consent, wrap the data key
 * for a new recipient without re-signing.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "commands.h"
#include "compose.h"
#include "envelope.h"
#include "identity.h"
#include "util.h"

#define MAX_RECIPIENTS 256

enum { O_TO = 1, O_OUT, O_FROM };

#define OPT_AUTHORITY_KEY_REQUIRED                                                      \
	{"authority-key", "FILE", "the exchange authority's public key", LIA_OPT_ID_AUTHORITY_KEY, \
	 LIA_OPT_REQUIRED}

static const struct lia_opt seal_opts[] = {
	{"keys", "DIR", "your key folder (sign.sec, box.sec, cert.crt)", LIA_OPT_ID_KEYS,
	 LIA_OPT_REQUIRED},
	OPT_AUTHORITY_KEY_REQUIRED,
	LIA_OPT_PASSPHRASE_FILE,
	{"to", "CERT", "a recipient's certificate (repeatable)", O_TO, 0},
	{"out", "FILE", "the envelope file to create (never overwritten)", O_OUT, LIA_OPT_REQUIRED},
	LIA_OPT_END,
};

static const struct lia_cmd_spec seal_spec = {
	PROG, "seal", NULL,
	"Writes a signed, encrypted envelope readable only by the recipients named by\n"
	"their certificate files (and by you). The header, signed by your key, carries\n"
	"the restrictions; the body is encrypted end to end. --kind and --tlp are\n"
	"required.",
	PROG " seal --keys keys/ventimiglia --authority-key authority.pub \\\n"
	"    --to keys/valletta/cert.crt --kind document --tlp GREEN \\\n"
	"    --title \"Stolen blank passports\" --set type=passport \\\n"
	"    --set issuing_state=LY --set serial_from=A1000 --set serial_to=A1999 \\\n"
	"    --set status=stolen-blank --out alert.env",
	seal_opts, lia_compose_groups, 0, NULL,
};

static const struct lia_opt open_opts[] = {
	{"keys", "DIR", "your key folder (box.sec, cert.crt)", LIA_OPT_ID_KEYS, LIA_OPT_REQUIRED},
	OPT_AUTHORITY_KEY_REQUIRED,
	LIA_OPT_PASSPHRASE_FILE,
	{"from", "CERT", "the originator's certificate", O_FROM, LIA_OPT_REQUIRED},
	LIA_OPT_CRL,
	LIA_OPT_JSON("one JSON object: {\"header\":..., \"body\":...}"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec open_spec = {
	PROG, "open", "ENVELOPE",
	"Verifies and decrypts an envelope file, in this order: the originator's\n"
	"certificate (issued by the authority, valid when the message was created, not\n"
	"revoked before), the signature, the ciphertext hash, your key wrap, the key\n"
	"commitment, decryption, decompression and the body. Any failure names its\n"
	"cause and exits 3; nothing of a message that failed is shown.\n"
	"The restrictions and evaluation are printed first, then the body.",
	PROG " open --keys keys/valletta --authority-key authority.pub \\\n"
	"    --from keys/ventimiglia/cert.crt --crl revocations.crl alert.env",
	open_opts, NULL, 0, NULL,
};

static const struct lia_opt verify_opts[] = {
	OPT_AUTHORITY_KEY_REQUIRED,
	{"from", "CERT", "the originator's certificate", O_FROM, LIA_OPT_REQUIRED},
	LIA_OPT_CRL,
	LIA_OPT_JSON("one JSON object: {\"valid\":..., \"header\":..., \"wraps\":...}"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec verify_spec = {
	PROG, "verify", "ENVELOPE",
	"Checks an envelope without decrypting it (anyone can, recipient or not): the\n"
	"originator's certificate, the signature over the header and the ciphertext\n"
	"hash. Prints the signed header; exits 3 with the reason when a check fails.",
	PROG " verify --authority-key authority.pub --from ventimiglia.crt alert.env",
	verify_opts, NULL, 0, NULL,
};

/* The one option of open and verify that is not common: --from. */
static int from_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	(void)err;
	(void)id;
	assert(id == O_FROM);
	*(const char **)ctx = arg;
	return 0;
}

/* Self first, then each certificate file of to: verified against the
 * authority, valid now, a principal's. rcpt points into certs. */
static int seal_recipients(const struct lia_identity *id, const char *const *to, size_t n_to,
			   int64_t now, struct lia_cert *certs, const struct lia_cert **rcpt,
			   size_t *n_out, char err[static LIA_ERR_MAX])
{
	size_t n = 0;
	rcpt[n++] = &id->cert;
	for (size_t i = 0; i < n_to; i++) {
		if (lia_identity_peer(id, &certs[i], to[i], err) != 0)
			return -1;
		enum lia_cert_status st = lia_cert_check(&certs[i], NULL, now);
		if (st != LIA_CERT_OK)
			return lia_errf(err, "recipient certificate \"%s\" is %s", to[i],
					lia_cert_status_str(st));
		if (certs[i].kind != LIA_CERT_PRINCIPAL)
			return lia_errf(err, "\"%s\" is a broker certificate; brokers never receive content",
					to[i]);
		if (strcmp(certs[i].subject, id->cert.subject) == 0)
			continue; /* already there */
		rcpt[n++] = &certs[i];
	}
	*n_out = n;
	return 0;
}

/* What the options of seal ask for. */
struct seal_args {
	struct lia_cli_common common;
	const char *out;
	const char *to[MAX_RECIPIENTS];
	size_t n_to;
	struct lia_compose comp;
};

static int seal_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct seal_args *a = ctx;
	switch (id) {
	case O_OUT: a->out = arg; return 0;
	case O_TO:
		if (a->n_to >= MAX_RECIPIENTS)
			return lia_errf(err, "too many --to recipients");
		a->to[a->n_to++] = arg;
		return 0;
	default:
		return lia_compose_option(&a->comp, id, arg, err) == 1 ? 0 : -1;
	}
}

/* The option loop. Returns -1 to go on, or the exit status to return at
 * once (help printed, or a usage error). */
static int seal_options(struct seal_args *a, int argc, char **argv)
{
	int first;
	int rc = lia_cli_parse(&seal_spec, argc, argv, &a->common, seal_option, a, &first);
	if (rc < 0 && first != argc)
		return lia_cli_usage_error(&seal_spec, "unexpected argument");
	return rc;
}

/* Seal body under hdr as id for self and the certificates of a->to, into
 * *env; *n: the recipients wrapped for. 0, or -1 with err. */
static int seal_for(const struct lia_identity *id, const struct seal_args *a, struct lia_header *hdr,
		    const uint8_t *body, size_t body_len, uint8_t **env, size_t *env_len, size_t *n,
		    char err[static LIA_ERR_MAX])
{
	int64_t now = lia_now();
	enum lia_cert_status st = lia_cert_check(&id->cert, NULL, now);
	if (st != LIA_CERT_OK)
		return lia_errf(err, "your certificate is %s", lia_cert_status_str(st));
	struct lia_cert *certs = calloc(a->n_to + 1, sizeof *certs);
	const struct lia_cert **rcpt = calloc(a->n_to + 1, sizeof *rcpt);
	struct lia_sealer *sealer = NULL;
	int rc = -1;
	if (certs == NULL || rcpt == NULL)
		lia_errf(err, "out of memory");
	else if (seal_recipients(id, a->to, a->n_to, now, certs, rcpt, n, err) != 0)
		rc = -1; /* err says why */
	else if ((sealer = lia_sealer_new(&id->cert, id->sign, id->box)) == NULL)
		lia_errf(err, "cannot set up sealing");
	else
		rc = lia_seal(sealer, hdr, body, body_len, rcpt, *n, env, env_len, err);
	lia_sealer_destroy(&sealer);
	free(certs);
	free(rcpt);
	return rc;
}

int lia_cmd_seal(int argc, char **argv)
{
	struct seal_args *a = calloc(1, sizeof *a);
	if (a == NULL)
		return LIA_EXIT_FAIL;
	lia_compose_init(&a->comp);
	char err[LIA_ERR_MAX];
	struct lia_identity id;
	memset(&id, 0, sizeof id);
	uint8_t *body = NULL, *env = NULL;
	size_t body_len = 0, env_len = 0, n = 0;
	int rc = seal_options(a, argc, argv);
	if (rc >= 0)
		goto done;
	if (lia_compose_finish(&a->comp, &body, &body_len, err) != 0) {
		rc = lia_usage_error("seal", err);
		goto done;
	}
	rc = LIA_EXIT_FAIL;
	if (lia_identity_load(&id, a->common.keys, a->common.authority_key, LIA_ID_SIGN | LIA_ID_BOX,
			      a->common.passphrase_file, err) != 0 ||
	    seal_for(&id, a, &a->comp.hdr, body, body_len, &env, &env_len, &n, err) != 0 ||
	    lia_file_write_new(a->out, env, env_len, 0600, err) != 0) {
		fprintf(stderr, PROG " seal: %s\n", err);
		goto done;
	}
	char idhex[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idhex, a->comp.hdr.id);
	printf("sealed message %s for %zu recipient%s -> %s\n", idhex, n, n == 1 ? "" : "s", a->out);
	rc = LIA_EXIT_OK;
done:
	lia_identity_clear(&id);
	lia_compose_clear(&a->comp);
	free(a);
	free(body);
	free(env);
	return rc;
}

static void print_opened(const struct lia_opened *o, int as_json)
{
	json_t *body = lia_body_to_json(o->body, o->body_len);
	if (as_json) {
		json_t *h = lia_header_to_json(&o->header);
		if (o->originator_revoked_at != 0) {
			char ts[32];
			lia_time_format(o->originator_revoked_at, ts);
			json_object_set_new(h, "originator_revoked_at", json_string(ts));
		}
		lia_json_print(json_pack("{s:o, s:o}", "header", h, "body", body ? body : json_null()));
	} else {
		lia_header_print_banner(stdout, &o->header, lia_color(stdout));
		if (o->originator_revoked_at != 0) {
			char ts[32];
			lia_time_format(o->originator_revoked_at, ts);
			printf("  NOTE: signed by a key revoked at %s (after the message was created)\n", ts);
		}
		char *s = body ? json_dumps(body, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		printf("%s\n", s ? s : "{}");
		free(s);
		json_decref(body);
	}
}

int lia_cmd_open(int argc, char **argv)
{
	struct lia_cli_common cm;
	const char *from = NULL;
	int first;
	int done = lia_cli_parse(&open_spec, argc, argv, &cm, from_option, &from, &first);
	if (done >= 0)
		return done;
	if (first + 1 != argc)
		return lia_cli_usage_error(&open_spec, "one envelope file is required");
	const char *keys = cm.keys, *auth = cm.authority_key, *pass = cm.passphrase_file;
	const char *crlpath = cm.crl;
	int as_json = cm.json;
	const char *path = argv[first];
	char err[LIA_ERR_MAX];
	struct lia_identity id;
	struct lia_cert orig;
	struct lia_crl crl = {0};
	struct lia_opener *op = NULL;
	struct lia_opened opened = {0};
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = LIA_EXIT_FAIL;
	if (lia_identity_load(&id, keys, auth, LIA_ID_BOX, pass, err) != 0) {
		fprintf(stderr, PROG " open: %s\n", err);
		return LIA_EXIT_FAIL;
	}
	if (lia_identity_peer(&id, &orig, from, err) != 0) {
		rc = LIA_EXIT_VERIFY;
		goto fail;
	}
	if (crlpath != NULL && lia_crl_load(&crl, crlpath, id.authority_pk, err) != 0)
		goto fail;
	if (lia_file_read(path, LIA_ENVELOPE_MAX, &buf, &len, err) != 0)
		goto fail;
	op = lia_opener_new(&id.cert, id.box);
	if (op == NULL) {
		lia_errf(err, "cannot set up opening");
		goto fail;
	}
	enum lia_env_status st = lia_open(op, buf, len, &orig, crlpath ? &crl : NULL, &opened);
	if (st != LIA_ENV_OK) {
		lia_errf(err, "\"%s\" failed verification: %s", path, lia_env_status_str(st));
		rc = LIA_EXIT_VERIFY;
		goto fail;
	}
	print_opened(&opened, as_json);
	rc = LIA_EXIT_OK;
	goto done;
fail:
	fprintf(stderr, PROG " open: %s\n", err);
done:
	lia_opened_clear(&opened);
	lia_opener_destroy(&op);
	lia_crl_clear(&crl);
	lia_identity_clear(&id);
	free(buf);
	return rc;
}

int lia_cmd_verify(int argc, char **argv)
{
	struct lia_cli_common cm;
	const char *from = NULL;
	int first;
	int done = lia_cli_parse(&verify_spec, argc, argv, &cm, from_option, &from, &first);
	if (done >= 0)
		return done;
	if (first + 1 != argc)
		return lia_cli_usage_error(&verify_spec, "one envelope file is required");
	const char *auth = cm.authority_key, *crlpath = cm.crl, *path = argv[first];
	int as_json = cm.json;
	char err[LIA_ERR_MAX], name[LIA_NAME_MAX];
	uint8_t pk[32];
	struct lia_cert orig;
	struct lia_crl crl = {0};
	uint8_t *buf = NULL;
	size_t len = 0;
	struct lia_envelope *e = NULL;
	int rc = LIA_EXIT_FAIL;
	if (lia_pubkey_load(auth, LIA_KEY_AUTHORITY, pk, name, err) != 0)
		goto fail;
	if (lia_cert_load(&orig, from, pk, err) != 0) {
		rc = LIA_EXIT_VERIFY;
		goto fail;
	}
	if ((crlpath != NULL && lia_crl_load(&crl, crlpath, pk, err) != 0) ||
	    lia_file_read(path, LIA_ENVELOPE_MAX, &buf, &len, err) != 0)
		goto fail;
	enum lia_env_status st = lia_envelope_decode(&e, buf, len);
	if (st == LIA_ENV_OK)
		st = lia_envelope_verify(e, &orig, crlpath ? &crl : NULL);
	if (st != LIA_ENV_OK) {
		lia_errf(err, "\"%s\" failed verification: %s", path, lia_env_status_str(st));
		rc = LIA_EXIT_VERIFY;
		goto fail;
	}
	if (as_json) {
		json_t *h = lia_header_to_json(lia_envelope_header(e));
		lia_json_print(json_pack("{s:b, s:o, s:i}", "valid", 1, "header", h, "wraps",
				     (int)lia_envelope_wrap_count(e)));
	} else {
		lia_header_print_banner(stdout, lia_envelope_header(e), lia_color(stdout));
		printf("signature valid: signed by %s; %zu key wrap%s\n", orig.subject,
		       lia_envelope_wrap_count(e), lia_envelope_wrap_count(e) == 1 ? "" : "s");
	}
	rc = LIA_EXIT_OK;
	goto done;
fail:
	fprintf(stderr, PROG " verify: %s\n", err);
done:
	lia_envelope_destroy(&e);
	lia_crl_clear(&crl);
	free(buf);
	return rc;
}
