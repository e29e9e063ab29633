/*
 * liaison-certs — the exchange authority's tool: create the authority,
 * let principals make keys and signing requests, issue certificates,
 * revoke them, inspect and verify any of these files.
 *
 * Keys stay where they were made: `keygen` runs at the principal's
 * office and only its request travels to the authority; `issue` signs
 * what the request proves and what the authority decides (agency,
 * country, regions, roles, validity).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cert.h"
#include "keyfile.h"
#include "sig.h"
#include "cli.h"
#include "util.h"
#include "version.h"

#define PROG "liaison-certs"


/* Default start of validity before now: a certificate is used at once,
 * on other machines whose clocks may be a little behind ours. */
#define CERT_BACKDATE_SECONDS 300
static int fail(const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
	return LIA_EXIT_FAIL;
}

static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, PROG " %s: %s; see " PROG " %s --help\n", cmd, msg, cmd);
	return LIA_EXIT_USAGE;
}

/* Join dir and name into out; -1 when it does not fit. */
static int path_join(char out[static PATH_MAX], const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
	return (n < 0 || n >= PATH_MAX) ? -1 : 0;
}

static int make_dir(const char *dir, mode_t mode, char err[static LIA_ERR_MAX])
{
	if (mkdir(dir, mode) != 0 && errno != EEXIST)
		return lia_errf(err, "cannot create directory \"%s\": %s", dir, strerror(errno));
	return 0;
}

/* --- init --- */

static int cmd_init(int argc, char **argv)
{
	const char *dir = NULL, *name = "liaison-exchange", *pass_file = NULL;
	int insecure = 0;
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"name", required_argument, NULL, 'n'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"insecure", no_argument, NULL, 'I'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "d:n:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': name = optarg; break;
		case 'p': pass_file = optarg; break;
		case 'I': insecure = 1; break;
		case 'h':
			puts("usage: " PROG " init --dir DIR [--name EXCHANGE] [--passphrase-file F | --insecure]\n"
			     "\n"
			     "Creates the exchange authority in DIR (created 0700 if needed):\n"
			     "  authority.sec     the Ed25519 authority key (0600; keep it offline)\n"
			     "  authority.pub     its public key: the exchange's root of trust\n"
			     "  revocations.crl   an empty signed revocation list, number 1\n"
			     "\n"
			     "example: " PROG " init --dir authority --name eu-smuggling-exchange");
			return LIA_EXIT_OK;
		default: return usage_error("init", "invalid option");
		}
	}
	if (dir == NULL || optind != argc)
		return usage_error("init", "--dir is required and no other arguments are taken");
	if (strlen(name) == 0 || strlen(name) >= LIA_NAME_MAX)
		return usage_error("init", "--name must have 1 to 63 characters");

	char err[LIA_ERR_MAX], sec[PATH_MAX], pub[PATH_MAX], crlp[PATH_MAX];
	if (path_join(sec, dir, "authority.sec") || path_join(pub, dir, "authority.pub") ||
	    path_join(crlp, dir, "revocations.crl"))
		return fail("directory name too long");
	struct lia_pass pass;
	if (lia_pass_for_new(&pass, insecure, pass_file, err) != 0)
		return fail(err);
	struct lia_secret *auth = lia_secret_generate(LIA_KEY_AUTHORITY);
	int rc = LIA_EXIT_FAIL;
	uint8_t *crlbuf = NULL;
	size_t crllen = 0;
	struct lia_crl crl = {.number = 1, .issued_at = lia_now()};
	if (auth == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	if (make_dir(dir, 0700, err) != 0 || lia_secret_save(auth, sec, &pass, name, err) != 0 ||
	    lia_pubkey_save(pub, LIA_KEY_AUTHORITY, auth->pk, name, err) != 0 ||
	    lia_crl_encode(&crlbuf, &crllen, &crl, auth, err) != 0 ||
	    lia_file_write_new(crlp, crlbuf, crllen, 0644, err) != 0)
		goto out;
	char kid[LIA_KEYID_HEX];
	lia_keyid_hex(kid, auth->kid);
	printf("authority \"%s\" created in %s\n  key id %s%s\n", name, dir, kid,
	       pass.s ? "" : "\n  WARNING: the authority key is stored without a passphrase");
	rc = LIA_EXIT_OK;
out:
	if (rc != LIA_EXIT_OK)
		fprintf(stderr, PROG " init: %s\n", err);
	free(crlbuf);
	lia_pass_wipe(&pass);
	lia_secret_destroy(&auth);
	return rc;
}

/* --- keygen --- */

static int cmd_keygen(int argc, char **argv)
{
	const char *dir = NULL, *subject = NULL, *pass_file = NULL;
	int insecure = 0;
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"subject", required_argument, NULL, 's'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"insecure", no_argument, NULL, 'I'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "d:s:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 's': subject = optarg; break;
		case 'p': pass_file = optarg; break;
		case 'I': insecure = 1; break;
		case 'h':
			puts("usage: " PROG " keygen --subject AGENCY/name --dir DIR [--passphrase-file F | --insecure]\n"
			     "\n"
			     "Makes, in DIR (created 0700 if needed), three keypairs for three purposes\n"
			     "and a certificate request signed with the new signing key:\n"
			     "  sign.sec        Ed25519: signs messages and consents\n"
			     "  box.sec         X25519: opens the key wraps of messages sent to you\n"
			     "  transport.sec   X25519: authenticates your CurveZMQ connection\n"
			     "  request.req     send this (public) file to the authority\n"
			     "The same command makes a broker's keys (e.g. --subject EU-EXCH/broker).\n"
			     "\n"
			     "example: " PROG " keygen --subject IT-GDF/ventimiglia --dir keys/ventimiglia");
			return LIA_EXIT_OK;
		default: return usage_error("keygen", "invalid option");
		}
	}
	if (dir == NULL || subject == NULL || optind != argc)
		return usage_error("keygen", "--dir and --subject are required");
	if (!lia_name_is_subject(subject))
		return usage_error("keygen", "--subject must look like AGENCY/name, e.g. IT-GDF/ventimiglia");

	char err[LIA_ERR_MAX], p_sign[PATH_MAX], p_box[PATH_MAX], p_tr[PATH_MAX], p_req[PATH_MAX];
	if (path_join(p_sign, dir, "sign.sec") || path_join(p_box, dir, "box.sec") ||
	    path_join(p_tr, dir, "transport.sec") || path_join(p_req, dir, "request.req"))
		return fail("directory name too long");
	struct lia_pass pass;
	if (lia_pass_for_new(&pass, insecure, pass_file, err) != 0)
		return fail(err);
	struct lia_secret *sign = lia_secret_generate(LIA_KEY_SIGN);
	struct lia_secret *box = lia_secret_generate(LIA_KEY_BOX);
	struct lia_secret *tr = lia_secret_generate(LIA_KEY_TRANSPORT);
	uint8_t *req = NULL;
	size_t req_len = 0;
	int rc = LIA_EXIT_FAIL;
	if (sign == NULL || box == NULL || tr == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	if (make_dir(dir, 0700, err) != 0 ||
	    lia_request_make(&req, &req_len, subject, sign, box, tr, lia_now(), err) != 0 ||
	    lia_secret_save(sign, p_sign, &pass, subject, err) != 0 ||
	    lia_secret_save(box, p_box, &pass, subject, err) != 0 ||
	    lia_secret_save(tr, p_tr, &pass, subject, err) != 0 ||
	    lia_file_write_new(p_req, req, req_len, 0644, err) != 0)
		goto out;
	char kid[LIA_KEYID_HEX];
	lia_keyid_hex(kid, sign->kid);
	printf("keys for %s created in %s (sign key id %s)\nsend %s to the authority\n", subject,
	       dir, kid, p_req);
	rc = LIA_EXIT_OK;
out:
	if (rc != LIA_EXIT_OK)
		fprintf(stderr, PROG " keygen: %s\n", err);
	free(req);
	lia_pass_wipe(&pass);
	lia_secret_destroy(&sign);
	lia_secret_destroy(&box);
	lia_secret_destroy(&tr);
	return rc;
}

/* --- issue --- */

static int cmd_issue(int argc, char **argv)
{
	const char *authdir = NULL, *reqpath = NULL, *out = NULL, *pass_file = NULL;
	const char *not_before = NULL, *not_after = NULL;
	struct lia_cert t;
	memset(&t, 0, sizeof t);
	t.kind = LIA_CERT_PRINCIPAL;
	uint64_t days = 365;
	static const struct option opts[] = {
		{"authority", required_argument, NULL, 'a'},
		{"request", required_argument, NULL, 'r'},
		{"agency", required_argument, NULL, 'A'},
		{"country", required_argument, NULL, 'C'},
		{"region", required_argument, NULL, 'R'},
		{"role", required_argument, NULL, 'o'},
		{"days", required_argument, NULL, 'D'},
		{"not-before", required_argument, NULL, 'B'},
		{"not-after", required_argument, NULL, 'E'},
		{"broker", no_argument, NULL, 'K'},
		{"out", required_argument, NULL, 'O'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	enum lia_role role;
	while ((c = getopt_long(argc, argv, "a:r:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': authdir = optarg; break;
		case 'r': reqpath = optarg; break;
		case 'O': out = optarg; break;
		case 'p': pass_file = optarg; break;
		case 'B': not_before = optarg; break;
		case 'E': not_after = optarg; break;
		case 'K': t.kind = LIA_CERT_BROKER; break;
		case 'A':
			if (!lia_name_is_agency(optarg) || strlen(optarg) >= sizeof t.agency)
				return usage_error("issue", "--agency must look like IT-GDF");
			memcpy(t.agency, optarg, strlen(optarg) + 1);
			break;
		case 'C':
			if (!lia_name_is_country(optarg))
				return usage_error("issue", "--country must be an ISO 3166 alpha-2 code, e.g. IT");
			memcpy(t.country, optarg, 3);
			break;
		case 'R':
			if (!lia_name_is_region(optarg) || lia_names_has(&t.regions, optarg) ||
			    lia_names_add(&t.regions, optarg) != 0)
				return usage_error("issue", "--region must look like MED-CENTRAL, each once");
			break;
		case 'o':
			if (lia_role_parse(optarg, &role) != 0 || role == LIA_ROLE_BROKER)
				return usage_error("issue", "--role is liaison, analyst or auditor");
			t.roles |= LIA_ROLE_BIT(role);
			break;
		case 'D':
			if (lia_parse_u64(optarg, &days) != 0 || days == 0 || days > 3650)
				return usage_error("issue", "--days must be 1 to 3650");
			break;
		case 'h':
			puts("usage: " PROG " issue --authority DIR --request FILE --agency AGENCY --country CC\n"
			     "          [--region REGION]... (--role ROLE... | --broker) --out FILE\n"
			     "          [--days N | --not-after TIME] [--not-before TIME] [--passphrase-file F]\n"
			     "\n"
			     "Verifies the request's self-signature, then signs a certificate binding the\n"
			     "subject and its three public keys to the agency, country, regions and roles\n"
			     "the authority decides. Roles: liaison, analyst, auditor (repeatable).\n"
			     "--broker issues a broker certificate instead (no roles).\n"
			     "The serial is random. TIME is 2026-11-28, 2026-11-28T10:00:00Z or @SECONDS.\n"
			     "The default validity starts 5 minutes ago (clocks of the exchange's\n"
			     "machines differ a little) and lasts 365 days.\n"
			     "\n"
			     "example: " PROG " issue --authority authority --request ventimiglia.req \\\n"
			     "           --agency IT-GDF --country IT --region MED-CENTRAL --role liaison \\\n"
			     "           --out ventimiglia.crt");
			return LIA_EXIT_OK;
		default: return usage_error("issue", "invalid option");
		}
	}
	if (authdir == NULL || reqpath == NULL || out == NULL || optind != argc)
		return usage_error("issue", "--authority, --request and --out are required");
	if (t.agency[0] == '\0' || t.country[0] == '\0')
		return usage_error("issue", "--agency and --country are required");
	if (t.kind == LIA_CERT_BROKER) {
		if (t.roles != 0)
			return usage_error("issue", "a broker certificate takes no --role");
		t.roles = LIA_ROLE_BIT(LIA_ROLE_BROKER);
	} else if (t.roles == 0) {
		return usage_error("issue", "at least one --role is required");
	}
	int64_t now = lia_now();
	t.issued_at = now;
	t.not_before = now - CERT_BACKDATE_SECONDS;
	if (not_before != NULL && lia_time_parse(not_before, &t.not_before) != 0)
		return usage_error("issue", "--not-before is not a time");
	t.not_after = t.not_before + (int64_t)days * 86400;
	if (not_after != NULL && lia_time_parse(not_after, &t.not_after) != 0)
		return usage_error("issue", "--not-after is not a time");
	if (t.not_after <= t.not_before)
		return usage_error("issue", "the validity window is empty");

	char err[LIA_ERR_MAX], sec[PATH_MAX];
	uint8_t *buf = NULL, *cert = NULL;
	size_t len = 0, cert_len = 0;
	struct lia_request req;
	struct lia_secret *auth = NULL;
	int rc = LIA_EXIT_FAIL;
	if (path_join(sec, authdir, "authority.sec") != 0)
		return fail("directory name too long");
	if (lia_file_read(reqpath, LIA_CERT_MAX_BYTES, &buf, &len, err) != 0)
		goto out;
	enum lia_cert_status st = lia_request_decode(&req, buf, len);
	if (st != LIA_CERT_OK) {
		lia_errf(err, "request \"%s\": %s", reqpath, lia_cert_status_str(st));
		goto out;
	}
	memcpy(t.subject, req.subject, sizeof t.subject);
	memcpy(t.sign_pk, req.sign_pk, 32);
	memcpy(t.box_pk, req.box_pk, 32);
	memcpy(t.transport_pk, req.transport_pk, 32);
	char agency[LIA_NAME_MAX];
	lia_subject_agency(t.subject, agency);
	if (strcmp(agency, t.agency) != 0) {
		lia_errf(err, "the request's subject \"%s\" does not belong to agency \"%s\"",
			 t.subject, t.agency);
		goto out;
	}
	randombytes_buf(&t.serial, sizeof t.serial);
	t.serial &= INT64_MAX; /* stays positive in JSON and SQL */
	if (t.serial == 0)
		t.serial = 1;
	auth = lia_secret_open(sec, LIA_KEY_AUTHORITY, pass_file, err);
	if (auth == NULL || lia_cert_issue(&cert, &cert_len, &t, auth, err) != 0 ||
	    lia_file_write_new(out, cert, cert_len, 0644, err) != 0)
		goto out;
	printf("issued certificate %" PRIu64 " for %s -> %s\n", t.serial, t.subject, out);
	rc = LIA_EXIT_OK;
out:
	if (rc != LIA_EXIT_OK)
		fprintf(stderr, PROG " issue: %s\n", err);
	free(buf);
	free(cert);
	lia_secret_destroy(&auth);
	return rc;
}

/* --- revoke --- */

static int cmd_revoke(int argc, char **argv)
{
	const char *authdir = NULL, *crlpath = NULL, *reason = "", *pass_file = NULL;
	uint64_t serial = 0;
	static const struct option opts[] = {
		{"authority", required_argument, NULL, 'a'},
		{"serial", required_argument, NULL, 's'},
		{"reason", required_argument, NULL, 'r'},
		{"crl", required_argument, NULL, 'c'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "a:s:r:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': authdir = optarg; break;
		case 'c': crlpath = optarg; break;
		case 'r': reason = optarg; break;
		case 'p': pass_file = optarg; break;
		case 's':
			if (lia_parse_u64(optarg, &serial) != 0 || serial == 0)
				return usage_error("revoke", "--serial must be a certificate serial");
			break;
		case 'h':
			puts("usage: " PROG " revoke --authority DIR --serial N [--reason TEXT] [--crl FILE]\n"
			     "\n"
			     "Adds the serial to the revocation list (default DIR/revocations.crl), raises\n"
			     "its number, signs it and replaces the file atomically. Give the new list to\n"
			     "the brokers; they reload it on SIGHUP and drop sessions of revoked keys.\n"
			     "\n"
			     "example: " PROG " revoke --authority authority --serial 1234 --reason \"laptop stolen\"");
			return LIA_EXIT_OK;
		default: return usage_error("revoke", "invalid option");
		}
	}
	if (authdir == NULL || serial == 0 || optind != argc)
		return usage_error("revoke", "--authority and --serial are required");
	char err[LIA_ERR_MAX], sec[PATH_MAX], defcrl[PATH_MAX];
	if (path_join(sec, authdir, "authority.sec") != 0 ||
	    path_join(defcrl, authdir, "revocations.crl") != 0)
		return fail("directory name too long");
	if (crlpath == NULL)
		crlpath = defcrl;
	struct lia_secret *auth = lia_secret_open(sec, LIA_KEY_AUTHORITY, pass_file, err);
	if (auth == NULL)
		return fail(err);
	struct lia_crl crl;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = LIA_EXIT_FAIL;
	int64_t now = lia_now();
	if (lia_crl_load(&crl, crlpath, auth->pk, err) != 0 ||
	    lia_crl_add(&crl, serial, now, reason, err) != 0)
		goto out;
	crl.number++;
	crl.issued_at = now;
	if (lia_crl_encode(&buf, &len, &crl, auth, err) != 0 ||
	    lia_file_replace(crlpath, buf, len, 0644, err) != 0)
		goto out;
	printf("revoked %" PRIu64 "; revocation list %s is now number %" PRIu64 " with %zu entries\n",
	       serial, crlpath, crl.number, crl.n);
	rc = LIA_EXIT_OK;
out:
	if (rc != LIA_EXIT_OK)
		fprintf(stderr, PROG " revoke: %s\n", err);
	free(buf);
	lia_crl_clear(&crl);
	lia_secret_destroy(&auth);
	return rc;
}

/* --- inspect --- */

static int inspect_one(const char *path, int as_json, const uint8_t *auth_pk)
{
	char err[LIA_ERR_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	if (lia_file_read(path, LIA_CRL_MAX_BYTES, &buf, &len, err) != 0) {
		fprintf(stderr, PROG " inspect: %s\n", err);
		return LIA_EXIT_FAIL;
	}
	int rc = LIA_EXIT_OK;
	struct lia_cert cert;
	struct lia_request req;
	struct lia_crl crl;
	uint8_t pk[32];
	char name[LIA_NAME_MAX];
	const char *checked = auth_pk ? "signature verified" : "signature NOT checked (give --authority-key)";
	if (lia_cert_decode_unverified(&cert, buf, len) == LIA_CERT_OK) {
		enum lia_cert_status st = auth_pk ? lia_cert_decode(&cert, buf, len, auth_pk) : LIA_CERT_OK;
		if (st != LIA_CERT_OK) {
			fprintf(stderr, PROG " inspect: \"%s\": %s\n", path, lia_cert_status_str(st));
			rc = LIA_EXIT_VERIFY;
		} else if (as_json) {
			json_t *j = lia_cert_to_json(&cert);
			json_object_set_new(j, "signature_checked", json_boolean(auth_pk != NULL));
			lia_json_print(j);
		} else {
			lia_cert_print(stdout, &cert);
			printf("  (%s)\n", checked);
		}
	} else if (lia_request_decode(&req, buf, len) == LIA_CERT_OK) {
		if (as_json) {
			lia_json_print(lia_request_to_json(&req));
		} else {
			char kid[LIA_KEYID_HEX], ts[32];
			uint8_t k[LIA_KEYID_BYTES];
			lia_keyid(k, req.sign_pk);
			lia_keyid_hex(kid, k);
			lia_time_format(req.created_at, ts);
			printf("certificate request for %s\n  created     %s\n  sign key    %s\n"
			       "  (self-signature verified)\n",
			       req.subject, ts, kid);
		}
	} else if ((auth_pk ? lia_crl_decode(&crl, buf, len, auth_pk)
			    : lia_crl_decode_unverified(&crl, buf, len)) == LIA_CERT_OK) {
		if (as_json) {
			lia_json_print(lia_crl_to_json(&crl));
		} else {
			char ts[32], kid[LIA_KEYID_HEX];
			lia_time_format(crl.issued_at, ts);
			lia_keyid_hex(kid, crl.issuer_kid);
			printf("revocation list number %" PRIu64 ", issued %s by authority key %s\n",
			       crl.number, ts, kid);
			for (size_t i = 0; i < crl.n; i++) {
				lia_time_format(crl.v[i].revoked_at, ts);
				printf("  %" PRIu64 "  revoked %s  %s\n", crl.v[i].serial, ts,
				       crl.v[i].reason);
			}
			printf("  (%s)\n", checked);
		}
		lia_crl_clear(&crl);
	} else if (lia_pubkey_load(path, LIA_KEY_AUTHORITY, pk, name, err) == 0) {
		uint8_t k[LIA_KEYID_BYTES];
		char kid[LIA_KEYID_HEX], hex[65];
		lia_keyid(k, pk);
		lia_keyid_hex(kid, k);
		lia_hex(hex, pk, 32);
		if (as_json)
			lia_json_print(json_pack("{s:s, s:s, s:s, s:s}", "type", "authority-public-key",
					     "name", name, "key", hex, "key_id", kid));
		else
			printf("authority public key \"%s\"\n  key id      %s\n  key         %s\n", name,
			       kid, hex);
	} else {
		fprintf(stderr, PROG " inspect: \"%s\" is not a certificate, request, revocation "
				"list or authority public key\n", path);
		rc = LIA_EXIT_FAIL;
	}
	free(buf);
	return rc;
}

static int cmd_inspect(int argc, char **argv)
{
	int as_json = 0;
	const char *authkey = NULL;
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"authority-key", required_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "jk:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': as_json = 1; break;
		case 'k': authkey = optarg; break;
		case 'h':
			puts("usage: " PROG " inspect [--json] [--authority-key FILE] FILE...\n"
			     "\n"
			     "Shows certificates, requests, revocation lists and authority public keys.\n"
			     "With --authority-key, signatures are verified too (exit 3 if one fails).\n"
			     "--json prints one object per line. Secret key files are never shown.\n"
			     "\n"
			     "example: " PROG " inspect --json keys/ventimiglia/cert.crt");
			return LIA_EXIT_OK;
		default: return usage_error("inspect", "invalid option");
		}
	}
	if (optind >= argc)
		return usage_error("inspect", "name at least one file");
	uint8_t pk[32];
	char name[LIA_NAME_MAX], err[LIA_ERR_MAX];
	if (authkey != NULL && lia_pubkey_load(authkey, LIA_KEY_AUTHORITY, pk, name, err) != 0)
		return fail(err);
	int rc = LIA_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		int r = inspect_one(argv[i], as_json, authkey ? pk : NULL);
		if (r > rc)
			rc = r;
	}
	return rc;
}

/* --- verify --- */

static int cmd_verify(int argc, char **argv)
{
	const char *authkey = NULL, *crlpath = NULL, *at = NULL;
	int as_json = 0;
	static const struct option opts[] = {
		{"authority-key", required_argument, NULL, 'k'},
		{"crl", required_argument, NULL, 'c'},
		{"at", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "k:c:t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': authkey = optarg; break;
		case 'c': crlpath = optarg; break;
		case 't': at = optarg; break;
		case 'j': as_json = 1; break;
		case 'h':
			puts("usage: " PROG " verify --authority-key FILE [--crl FILE] [--at TIME] [--json] CERT...\n"
			     "\n"
			     "Checks each certificate: issued by this authority, signature, fields, validity\n"
			     "at TIME (default now) and, with --crl, not revoked. Prints one line per\n"
			     "certificate; exits 3 when any fails, naming the reason.\n"
			     "\n"
			     "example: " PROG " verify --authority-key authority/authority.pub \\\n"
			     "           --crl authority/revocations.crl keys/ventimiglia/cert.crt");
			return LIA_EXIT_OK;
		default: return usage_error("verify", "invalid option");
		}
	}
	if (authkey == NULL || optind >= argc)
		return usage_error("verify", "--authority-key and at least one certificate are required");
	int64_t now = lia_now();
	if (at != NULL && lia_time_parse(at, &now) != 0)
		return usage_error("verify", "--at is not a time");
	uint8_t pk[32];
	char name[LIA_NAME_MAX], err[LIA_ERR_MAX];
	if (lia_pubkey_load(authkey, LIA_KEY_AUTHORITY, pk, name, err) != 0)
		return fail(err);
	struct lia_crl crl = {0};
	if (crlpath != NULL && lia_crl_load(&crl, crlpath, pk, err) != 0)
		return fail(err);
	int rc = LIA_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		uint8_t *buf = NULL;
		size_t len = 0;
		struct lia_cert cert;
		enum lia_cert_status st;
		if (lia_file_read(argv[i], LIA_CERT_MAX_BYTES, &buf, &len, err) != 0) {
			fprintf(stderr, PROG " verify: %s\n", err);
			rc = LIA_EXIT_VERIFY;
			continue;
		}
		st = lia_cert_decode(&cert, buf, len, pk);
		free(buf);
		if (st == LIA_CERT_OK)
			st = lia_cert_check(&cert, crlpath ? &crl : NULL, now);
		if (as_json) {
			json_t *j = json_pack("{s:s, s:b, s:s, s:s}", "file", argv[i], "valid",
					      st == LIA_CERT_OK, "status", lia_cert_status_str(st),
					      "subject", st == LIA_CERT_OK || cert.subject[0] ? cert.subject : "");
			lia_json_print(j);
		} else if (st == LIA_CERT_OK) {
			printf("%s: valid (%s, serial %" PRIu64 ")\n", argv[i], cert.subject, cert.serial);
		} else {
			printf("%s: INVALID: %s\n", argv[i], lia_cert_status_str(st));
		}
		if (st != LIA_CERT_OK)
			rc = LIA_EXIT_VERIFY;
	}
	lia_crl_clear(&crl);
	return rc;
}

static const struct lia_cmd cmds[] = {
	{"init", cmd_init, "create the authority: DIR/authority.sec, authority.pub, revocations.crl"},
	{"keygen", cmd_keygen, "make a principal's or broker's three keypairs and a signing request"},
	{"issue", cmd_issue, "sign a request into a certificate (authority)"},
	{"revoke", cmd_revoke, "add a certificate serial to the revocation list (authority)"},
	{"inspect", cmd_inspect, "show a certificate, request, revocation list or public key"},
	{"verify", cmd_verify, "check certificates against the authority key and revocation list"},
	LIA_CMD_END,
};

static const struct lia_prog prog = {
	.name = PROG,
	.about = "The exchange authority's tool: keys, certificate requests, certificates and\n"
		 "revocation lists. Secret keys never leave the folder they were made in.",
	.cmds = cmds,
	.examples = PROG " init --dir authority --name eu-smuggling-exchange\n"
		    PROG " keygen --subject IT-GDF/ventimiglia --dir keys/ventimiglia\n"
		    PROG " issue --authority authority --request keys/ventimiglia/request.req \\\n"
		    "    --agency IT-GDF --country IT --region MED-CENTRAL --role liaison \\\n"
		    "    --days 365 --out keys/ventimiglia/cert.crt\n"
		    PROG " revoke --authority authority --serial 1234 --reason \"laptop stolen\"\n"
		    PROG " verify --authority-key authority/authority.pub \\\n"
		    "    --crl authority/revocations.crl keys/ventimiglia/cert.crt\n"
		    PROG " inspect --json keys/ventimiglia/cert.crt",
	.footer = "Secret key files are protected by a passphrase read from the terminal, or from\n"
		  "the first line of --passphrase-file FILE (mode 0600); --insecure stores them\n"
		  "unprotected (for daemons and demonstrations). Passphrases are never taken from\n"
		  "the command line or the environment.\n"
		  "\n"
		  "exit status: 0 ok, 1 failure, 2 usage error, 3 verification failed.",
	.version = lia_version_print,
};

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return fail("libsodium failed to initialise");
	return lia_cli_dispatch(&prog, argc, argv);
}
