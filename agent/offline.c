/*
 * offline.c — `liaison seal` and `liaison open`: envelopes as files, for
 * agencies that must move a message by other means than a broker.
 *
 * Sealing always adds a wrap for the originator itself: the originator
 * can then re-read its message and, after a consent, wrap the data key
 * for a new recipient without re-signing.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "commands.h"
#include "compose.h"
#include "envelope.h"
#include "identity.h"
#include "util.h"

#define MAX_RECIPIENTS 256

enum { O_KEYS = 1, O_AUTH, O_PASS, O_TO, O_OUT, O_FROM, O_CRL, O_JSON, O_HELP };

static struct option *merge_options(const struct option *own, size_t n_own)
{
	size_t n = lia_compose_option_count();
	struct option *all = calloc(n + n_own + 1, sizeof *all);
	if (all == NULL)
		return NULL;
	memcpy(all, lia_compose_options, n * sizeof *all);
	memcpy(all + n, own, n_own * sizeof *all);
	return all;
}

static void seal_help(void)
{
	puts("usage: " PROG " seal --keys DIR --authority-key FILE --to CERT... --out FILE\n"
	     "          --kind KIND --tlp LEVEL [message options]\n"
	     "\n"
	     "Writes a signed, encrypted envelope readable only by the recipients named by\n"
	     "their certificate files (and by you). The header, signed by your key, carries\n"
	     "the restrictions; the body is encrypted end to end.\n"
	     "\n"
	     "  --keys DIR             your key folder (sign.sec, box.sec, cert.crt)\n"
	     "  --authority-key FILE   the exchange authority's public key\n"
	     "  --passphrase-file F    passphrase for protected key files (else asked)\n"
	     "  --to CERT              a recipient's certificate (repeatable)\n"
	     "  --out FILE             the envelope file to create (never overwritten)\n");
	lia_compose_help(stdout);
	puts("\nexample:\n"
	     "  " PROG " seal --keys keys/ventimiglia --authority-key authority.pub \\\n"
	     "      --to keys/valletta/cert.crt --kind document --tlp GREEN \\\n"
	     "      --title \"Stolen blank passports\" --set type=passport \\\n"
	     "      --set issuing_state=LY --set serial_from=A1000 --set serial_to=A1999 \\\n"
	     "      --set status=stolen-blank --out alert.env");
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
	const char *keys, *auth, *pass, *out;
	const char *to[MAX_RECIPIENTS];
	size_t n_to;
	struct lia_compose comp;
};

/* The option loop. Returns -1 to go on, or the exit status to return at
 * once (help printed, or a usage error). */
static int seal_options(struct seal_args *a, int argc, char **argv, const struct option *opts)
{
	char err[LIA_ERR_MAX];
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_KEYS: a->keys = optarg; continue;
		case O_AUTH: a->auth = optarg; continue;
		case O_PASS: a->pass = optarg; continue;
		case O_OUT: a->out = optarg; continue;
		case O_TO:
			if (a->n_to >= MAX_RECIPIENTS)
				return lia_usage_error("seal", "too many --to recipients");
			a->to[a->n_to++] = optarg;
			continue;
		case O_HELP:
			seal_help();
			return LIA_EXIT_OK;
		default: {
			int r = lia_compose_option(&a->comp, c, optarg, err);
			if (r == 1)
				continue;
			return r < 0 ? lia_usage_error("seal", err) : lia_usage_error("seal", "invalid option");
		}
		}
	}
	if (a->keys == NULL || a->auth == NULL || a->out == NULL || optind != argc)
		return lia_usage_error("seal", "--keys, --authority-key and --out are required");
	return -1;
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
	static const struct option own[] = {
		{"keys", required_argument, NULL, O_KEYS},
		{"authority-key", required_argument, NULL, O_AUTH},
		{"passphrase-file", required_argument, NULL, O_PASS},
		{"to", required_argument, NULL, O_TO},
		{"out", required_argument, NULL, O_OUT},
		{"help", no_argument, NULL, O_HELP},
	};
	struct option *opts = merge_options(own, sizeof own / sizeof own[0]);
	struct seal_args *a = calloc(1, sizeof *a);
	if (opts == NULL || a == NULL) {
		free(opts);
		free(a);
		return LIA_EXIT_FAIL;
	}
	lia_compose_init(&a->comp);
	char err[LIA_ERR_MAX];
	struct lia_identity id;
	memset(&id, 0, sizeof id);
	uint8_t *body = NULL, *env = NULL;
	size_t body_len = 0, env_len = 0, n = 0;
	int rc = seal_options(a, argc, argv, opts);
	if (rc >= 0)
		goto done;
	if (lia_compose_finish(&a->comp, &body, &body_len, err) != 0) {
		rc = lia_usage_error("seal", err);
		goto done;
	}
	rc = LIA_EXIT_FAIL;
	if (lia_identity_load(&id, a->keys, a->auth, LIA_ID_SIGN | LIA_ID_BOX, a->pass, err) != 0 ||
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
	free(opts);
	return rc;
}

static void open_help(void)
{
	puts("usage: " PROG " open --keys DIR --authority-key FILE --from CERT [--crl FILE]\n"
	     "          [--json] ENVELOPE\n"
	     "\n"
	     "Verifies and decrypts an envelope file, in this order: the originator's\n"
	     "certificate (issued by the authority, valid when the message was created, not\n"
	     "revoked before), the signature, the ciphertext hash, your key wrap, the key\n"
	     "commitment, decryption, decompression and the body. Any failure names its\n"
	     "cause and exits 3; nothing of a message that failed is shown.\n"
	     "The restrictions and evaluation are printed first, then the body.\n"
	     "\n"
	     "  --keys DIR             your key folder (box.sec, cert.crt)\n"
	     "  --authority-key FILE   the exchange authority's public key\n"
	     "  --from CERT            the originator's certificate\n"
	     "  --crl FILE             the authority's revocation list\n"
	     "  --json                 one JSON object: {\"header\":..., \"body\":...}\n"
	     "\n"
	     "example:\n"
	     "  " PROG " open --keys keys/valletta --authority-key authority.pub \\\n"
	     "      --from keys/ventimiglia/cert.crt --crl revocations.crl alert.env");
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
	static const struct option opts[] = {
		{"keys", required_argument, NULL, O_KEYS},
		{"authority-key", required_argument, NULL, O_AUTH},
		{"passphrase-file", required_argument, NULL, O_PASS},
		{"from", required_argument, NULL, O_FROM},
		{"crl", required_argument, NULL, O_CRL},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *keys = NULL, *auth = NULL, *pass = NULL, *from = NULL, *crlpath = NULL;
	int as_json = 0, c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_KEYS: keys = optarg; break;
		case O_AUTH: auth = optarg; break;
		case O_PASS: pass = optarg; break;
		case O_FROM: from = optarg; break;
		case O_CRL: crlpath = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_HELP:
			open_help();
			return LIA_EXIT_OK;
		default: return lia_usage_error("open", "invalid option");
		}
	}
	if (keys == NULL || auth == NULL || from == NULL || optind + 1 != argc)
		return lia_usage_error("open", "--keys, --authority-key, --from and one envelope file are required");
	const char *path = argv[optind];
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
	static const struct option opts[] = {
		{"authority-key", required_argument, NULL, O_AUTH},
		{"from", required_argument, NULL, O_FROM},
		{"crl", required_argument, NULL, O_CRL},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *auth = NULL, *from = NULL, *crlpath = NULL;
	int as_json = 0, c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_AUTH: auth = optarg; break;
		case O_FROM: from = optarg; break;
		case O_CRL: crlpath = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_HELP:
			puts("usage: " PROG " verify --authority-key FILE --from CERT [--crl FILE] [--json] ENVELOPE\n"
			     "\n"
			     "Checks an envelope without decrypting it (anyone can, recipient or not): the\n"
			     "originator's certificate, the signature over the header and the ciphertext\n"
			     "hash. Prints the signed header; exits 3 with the reason when a check fails.\n"
			     "\n"
			     "example:\n"
			     "  " PROG " verify --authority-key authority.pub --from ventimiglia.crt alert.env");
			return LIA_EXIT_OK;
		default: return lia_usage_error("verify", "invalid option");
		}
	}
	if (auth == NULL || from == NULL || optind + 1 != argc)
		return lia_usage_error("verify", "--authority-key, --from and one envelope file are required");
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
	    lia_file_read(argv[optind], LIA_ENVELOPE_MAX, &buf, &len, err) != 0)
		goto fail;
	enum lia_env_status st = lia_envelope_decode(&e, buf, len);
	if (st == LIA_ENV_OK)
		st = lia_envelope_verify(e, &orig, crlpath ? &crl : NULL);
	if (st != LIA_ENV_OK) {
		lia_errf(err, "\"%s\" failed verification: %s", argv[optind], lia_env_status_str(st));
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
