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
	return lia_cli_usage_error_cmd(PROG, cmd, "%s", msg);
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

/* --- the index of what this authority issued (DIR/issued.idx) ---
 *
 * One line per certificate, in the order issued:
 *   SERIAL SUBJECT SIGN-KEY BOX-KEY TRANSPORT-KEY
 * (decimal serial, hex public keys). It lets `issue` refuse a key already
 * certified for another subject, and `revoke --serial` refuse a serial
 * the authority never issued (a mistyped or JSON-rounded one would
 * otherwise "succeed" and revoke nobody). The whole keys, not their 8-byte
 * ids: ids collide with 2^32 work, and a collision must not block a
 * request. Each issue rewrites the file through a temporary file, fsync
 * and rename, so a crash leaves the old index or the new one, never half
 * a line. The authority is offline and issues few certificates; reading
 * the whole file (capped) each time costs nothing worth a database. */

#define ISSUED_INDEX "issued.idx"
#define ISSUED_MAX_BYTES (32u << 20) /* about 110 000 certificates */
#define ISSUED_LINE_MAX (20 + 1 + LIA_NAME_MAX + 3 * 65 + 2)

struct issued {
	uint8_t *buf; /* the file's bytes, NUL-terminated */
	size_t len;
	bool exists;
};

static int issued_load(struct issued *ix, const char *path, char err[static LIA_ERR_MAX])
{
	memset(ix, 0, sizeof *ix);
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return lia_errf(err, "cannot read \"%s\": %s", path, strerror(errno));
		return 0;
	}
	uint8_t *raw = NULL;
	size_t len = 0;
	if (lia_file_read(path, ISSUED_MAX_BYTES, &raw, &len, err) != 0)
		return -1;
	ix->buf = malloc(len + 1);
	if (ix->buf == NULL) {
		free(raw);
		return lia_errf(err, "out of memory reading \"%s\"", path);
	}
	if (len > 0)
		memcpy(ix->buf, raw, len);
	free(raw);
	ix->buf[len] = '\0';
	ix->len = len;
	ix->exists = true;
	if (memchr(ix->buf, '\0', len) != NULL || (len > 0 && ix->buf[len - 1] != '\n')) {
		free(ix->buf);
		ix->buf = NULL;
		return lia_errf(err, "\"%s\" is not an index of issued certificates", path);
	}
	return 0;
}

/* One parsed line; fields point into a copy held by the caller. */
struct issued_line {
	uint64_t serial;
	char subject[LIA_NAME_MAX];
	char key[3][65]; /* sign, box, transport */
};

/* Calls fn on each line until it returns nonzero (which is returned);
 * -1 on a malformed line. */
static int issued_each(const struct issued *ix, const char *path,
		       int (*fn)(const struct issued_line *l, void *ctx), void *ctx,
		       char err[static LIA_ERR_MAX])
{
	const char *p = (const char *)ix->buf, *end = p + ix->len;
	for (size_t n = 1; p < end; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)(nl - p);
		char line[ISSUED_LINE_MAX], serial[21];
		struct issued_line l;
		int used = 0;
		if (ll >= sizeof line)
			return lia_errf(err, "\"%s\" line %zu is too long", path, n);
		memcpy(line, p, ll);
		line[ll] = '\0';
		if (sscanf(line, "%20s %63s %64s %64s %64s%n", serial, l.subject, l.key[0], l.key[1],
			   l.key[2], &used) != 5 ||
		    (size_t)used != ll || lia_parse_u64(serial, &l.serial) != 0 ||
		    !lia_name_is_subject(l.subject))
			return lia_errf(err, "\"%s\" line %zu is malformed", path, n);
		int rc = fn(&l, ctx);
		if (rc != 0)
			return rc;
		p = nl + 1;
	}
	return 0;
}

struct reuse_ctx {
	const struct lia_cert *t;
	char key[3][65];
	uint64_t serial;
	const char *purpose;
	char subject[LIA_NAME_MAX];
};

static int reuse_fn(const struct issued_line *l, void *ctx)
{
	static const char *const purposes[3] = {"signing", "box", "transport"};
	struct reuse_ctx *r = ctx;
	if (strcmp(l->subject, r->t->subject) == 0)
		return 0; /* a renewal: the same subject may keep its keys */
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (strcmp(l->key[j], r->key[i]) == 0) {
				r->serial = l->serial;
				r->purpose = purposes[i];
				memcpy(r->subject, l->subject, sizeof r->subject);
				return 1;
			}
	return 0;
}

struct find_ctx {
	uint64_t serial;
	bool found;
};

static int find_fn(const struct issued_line *l, void *ctx)
{
	struct find_ctx *f = ctx;
	if (l->serial == f->serial) {
		f->found = true;
		return 1;
	}
	return 0;
}

/* Refuses (returns -1) a certificate whose keys the index shows certified
 * for another subject, naming that subject and serial; otherwise rewrites
 * the index with t's line added, durably, before the certificate leaves. */
static int issued_add(const char *path, const struct lia_cert *t, char err[static LIA_ERR_MAX])
{
	struct issued ix;
	if (issued_load(&ix, path, err) != 0)
		return -1;
	if (!ix.exists)
		/* An authority made before the index existed: go on, since it
		 * cannot be rebuilt from here, but say what is not checked. */
		fprintf(stderr, PROG " issue: warning: no index \"%s\"; starting one, but keys "
				     "certified before it cannot be checked for reuse\n",
			path);
	struct reuse_ctx r = {.t = t};
	lia_hex(r.key[0], t->sign_pk, 32);
	lia_hex(r.key[1], t->box_pk, 32);
	lia_hex(r.key[2], t->transport_pk, 32);
	int rc = issued_each(&ix, path, reuse_fn, &r, err);
	if (rc > 0)
		rc = lia_errf(err, "the request's %s key is already certified for \"%s\" (serial %" PRIu64
				   "): one key, one subject",
			      r.purpose, r.subject, r.serial);
	struct find_ctx f = {.serial = t->serial};
	if (rc == 0 && issued_each(&ix, path, find_fn, &f, err) < 0)
		rc = -1;
	if (rc == 0 && f.found)
		rc = lia_errf(err, "serial %" PRIu64 " is already in \"%s\"; try again", t->serial, path);
	char line[ISSUED_LINE_MAX];
	int n = snprintf(line, sizeof line, "%" PRIu64 " %s %s %s %s\n", t->serial, t->subject,
			 r.key[0], r.key[1], r.key[2]);
	uint8_t *next = NULL;
	if (rc == 0 && (n < 0 || (size_t)n >= sizeof line || ix.len + (size_t)n > ISSUED_MAX_BYTES))
		rc = lia_errf(err, "\"%s\" is full", path);
	if (rc == 0 && (next = malloc(ix.len + (size_t)n)) == NULL)
		rc = lia_errf(err, "out of memory");
	if (rc == 0) {
		if (ix.len > 0)
			memcpy(next, ix.buf, ix.len);
		memcpy(next + ix.len, line, (size_t)n);
		rc = lia_file_replace(path, next, ix.len + (size_t)n, 0644, err);
	}
	free(next);
	free(ix.buf);
	return rc;
}

/* 1 when the index lists serial, 0 when not, -1 on error (a missing
 * index included: without it no serial can be shown to be ours). */
static int issued_has(const char *path, uint64_t serial, char err[static LIA_ERR_MAX])
{
	struct issued ix;
	if (issued_load(&ix, path, err) != 0)
		return -1;
	if (!ix.exists)
		return lia_errf(err, "there is no index of issued certificates \"%s\" (an authority made "
				     "before it existed): revoke with --cert FILE",
				path);
	struct find_ctx f = {.serial = serial};
	int rc = issued_each(&ix, path, find_fn, &f, err);
	free(ix.buf);
	return rc < 0 ? -1 : f.found ? 1 : 0;
}

/* --- init --- */

static const struct lia_opt init_opts[] = {
	{"dir", "DIR", "where to create the authority (created 0700 if needed)", 'd',
	 LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"name", "EXCHANGE", "the exchange's name (default liaison-exchange)", 'n', LIA_OPT_SHORT},
	{"passphrase-file", "F", "protect the key with the first line of F", 'p', LIA_OPT_SHORT},
	{"insecure", NULL, "store the key without a passphrase", 'I', 0},
	LIA_OPT_END,
};

static const struct lia_cmd_spec init_spec = {
	.prog = PROG,
	.name = "init",
	.about = "Creates the exchange authority in DIR (created 0700 if needed):\n"
		 "  authority.sec     the Ed25519 authority key (0600; keep it offline)\n"
		 "  authority.pub     its public key: the exchange's root of trust\n"
		 "  revocations.crl   an empty signed revocation list, number 1\n"
		 "  issued.idx        the index of issued certificates (serial, subject, keys)",
	.examples = PROG " init --dir authority --name eu-smuggling-exchange",
	.opts = init_opts,
};

/* What init and keygen take: where, whose, and how the keys are kept. */
struct keys_args {
	const char *dir, *name, *subject, *pass_file;
	int insecure;
};

static int keys_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct keys_args *a = ctx;
	(void)err;
	switch (id) {
	case 'd': a->dir = arg; return 0;
	case 'n': a->name = arg; return 0;
	case 's': a->subject = arg; return 0;
	case 'p': a->pass_file = arg; return 0;
	case 'I': a->insecure = 1; return 0;
	}
	return -1;
}

static int cmd_init(int argc, char **argv)
{
	struct keys_args a = {.name = "liaison-exchange"};
	int first, rc = lia_cli_parse(&init_spec, argc, argv, NULL, keys_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&init_spec, "unexpected argument \"%.64s\"", argv[first]);
	const char *dir = a.dir, *name = a.name, *pass_file = a.pass_file;
	int insecure = a.insecure;
	if (strlen(name) == 0 || strlen(name) >= LIA_NAME_MAX)
		return usage_error("init", "--name must have 1 to 63 characters");

	char err[LIA_ERR_MAX], sec[PATH_MAX], pub[PATH_MAX], crlp[PATH_MAX], idx[PATH_MAX];
	if (path_join(sec, dir, "authority.sec") || path_join(pub, dir, "authority.pub") ||
	    path_join(crlp, dir, "revocations.crl") || path_join(idx, dir, ISSUED_INDEX))
		return fail("directory name too long");
	struct lia_pass pass;
	if (lia_pass_for_new(&pass, insecure, pass_file, err) != 0)
		return fail(err);
	struct lia_secret *auth = lia_secret_generate(LIA_KEY_AUTHORITY);
	rc = LIA_EXIT_FAIL;
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
	    lia_file_write_new(crlp, crlbuf, crllen, 0644, err) != 0 ||
	    lia_file_write_new(idx, (const uint8_t *)"", 0, 0644, err) != 0)
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

static const struct lia_opt keygen_opts[] = {
	{"subject", "AGENCY/name", "whose keys, e.g. IT-GDF/ventimiglia", 's',
	 LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"dir", "DIR", "where to make them (created 0700 if needed)", 'd',
	 LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"passphrase-file", "F", "protect the keys with the first line of F", 'p', LIA_OPT_SHORT},
	{"insecure", NULL, "store the keys without a passphrase", 'I', 0},
	LIA_OPT_END,
};

static const struct lia_cmd_spec keygen_spec = {
	.prog = PROG,
	.name = "keygen",
	.about = "Makes, in DIR (created 0700 if needed), three keypairs for three purposes\n"
		 "and a certificate request signed with the new signing key:\n"
		 "  sign.sec        Ed25519: signs messages and consents\n"
		 "  box.sec         X25519: opens the key wraps of messages sent to you\n"
		 "  transport.sec   X25519: authenticates your CurveZMQ connection\n"
		 "  request.req     send this (public) file to the authority\n"
		 "The same command makes a broker's keys (e.g. --subject EU-EXCH/broker).",
	.examples = PROG " keygen --subject IT-GDF/ventimiglia --dir keys/ventimiglia",
	.opts = keygen_opts,
};

static int cmd_keygen(int argc, char **argv)
{
	struct keys_args a = {.dir = NULL};
	int first, rc = lia_cli_parse(&keygen_spec, argc, argv, NULL, keys_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&keygen_spec, "unexpected argument \"%.64s\"", argv[first]);
	const char *dir = a.dir, *subject = a.subject, *pass_file = a.pass_file;
	int insecure = a.insecure;
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
	rc = LIA_EXIT_FAIL;
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

static const struct lia_opt issue_opts[] = {
	{"authority", "DIR", "the authority's folder (authority.sec)", 'a',
	 LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"request", "FILE", "the principal's signing request", 'r', LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"agency", "AGENCY", "the subject's agency, e.g. IT-GDF", 'A', LIA_OPT_REQUIRED},
	{"country", "CC", "ISO 3166 alpha-2 country code, e.g. IT", 'C', LIA_OPT_REQUIRED},
	{"region", "REGION", "a region of interest, e.g. MED-CENTRAL (repeatable)", 'R', 0},
	{"role", "ROLE", "liaison, analyst or auditor (repeatable)", 'o', LIA_OPT_SHORT},
	{"broker", NULL, "issue a broker certificate instead (no roles)", 'K', 0},
	{"out", "FILE", "the certificate file to write", 'O', LIA_OPT_REQUIRED},
	{"days", "N", "validity in days, 1 to 3650 (default 365)", 'D', 0},
	{"not-after", "TIME", "end of validity, instead of --days", 'E', 0},
	{"not-before", "TIME", "start of validity (default 5 minutes ago)", 'B', 0},
	{"passphrase-file", "F", "passphrase of the authority key (else asked)", 'p', 0},
	LIA_OPT_END,
};

static const struct lia_cmd_spec issue_spec = {
	.prog = PROG,
	.name = "issue",
	.about = "Verifies the request's self-signature, then signs a certificate binding the\n"
		 "subject and its three public keys to the agency, country, regions and roles\n"
		 "the authority decides. Roles: liaison, analyst, auditor (repeatable), or\n"
		 "--broker for a broker certificate (no roles).\n"
		 "The serial is random. TIME is 2026-11-28, 2026-11-28T10:00:00Z, @SECONDS\n"
		 "or a duration from now: +72h, 90d.\n"
		 "The default validity starts 5 minutes ago (clocks of the exchange's\n"
		 "machines differ a little) and lasts 365 days.",
	.examples = PROG " issue --authority authority --request ventimiglia.req \\\n"
		    "    --agency IT-GDF --country IT --region MED-CENTRAL --role liaison \\\n"
		    "    --out ventimiglia.crt",
	.opts = issue_opts,
};

struct issue_args {
	const char *authdir, *reqpath, *out, *pass_file, *not_before, *not_after;
	struct lia_cert t;
	uint64_t days;
};

static int issue_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct issue_args *a = ctx;
	struct lia_cert *t = &a->t;
	enum lia_role role;
	switch (id) {
	case 'a': a->authdir = arg; return 0;
	case 'r': a->reqpath = arg; return 0;
	case 'O': a->out = arg; return 0;
	case 'p': a->pass_file = arg; return 0;
	case 'B': a->not_before = arg; return 0;
	case 'E': a->not_after = arg; return 0;
	case 'K': t->kind = LIA_CERT_BROKER; return 0;
	case 'A':
		if (!lia_name_is_agency(arg) || strlen(arg) >= sizeof t->agency)
			return lia_errf(err, "--agency must look like IT-GDF");
		memcpy(t->agency, arg, strlen(arg) + 1);
		return 0;
	case 'C':
		if (!lia_name_is_country(arg))
			return lia_errf(err, "--country must be an ISO 3166 alpha-2 code, e.g. IT");
		memcpy(t->country, arg, 3);
		return 0;
	case 'R':
		if (!lia_name_is_region(arg) || lia_names_has(&t->regions, arg) ||
		    lia_names_add(&t->regions, arg) != 0)
			return lia_errf(err, "--region must look like MED-CENTRAL, each once");
		return 0;
	case 'o':
		if (lia_role_parse(arg, &role) != 0 || role == LIA_ROLE_BROKER)
			return lia_errf(err, "--role is liaison, analyst or auditor");
		t->roles |= LIA_ROLE_BIT(role);
		return 0;
	case 'D':
		if (lia_parse_u64(arg, &a->days) != 0 || a->days == 0 || a->days > 3650)
			return lia_errf(err, "--days must be 1 to 3650");
		return 0;
	}
	return -1;
}

static int cmd_issue(int argc, char **argv)
{
	struct issue_args a;
	memset(&a, 0, sizeof a);
	a.t.kind = LIA_CERT_PRINCIPAL;
	a.days = 365;
	int first, rc = lia_cli_parse(&issue_spec, argc, argv, NULL, issue_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&issue_spec, "unexpected argument \"%.64s\"", argv[first]);
	const char *authdir = a.authdir, *reqpath = a.reqpath, *out = a.out, *pass_file = a.pass_file;
	const char *not_before = a.not_before, *not_after = a.not_after;
	struct lia_cert t = a.t;
	uint64_t days = a.days;
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

	char err[LIA_ERR_MAX], sec[PATH_MAX], idx[PATH_MAX];
	uint8_t *buf = NULL, *cert = NULL;
	size_t len = 0, cert_len = 0;
	struct lia_request req;
	struct lia_secret *auth = NULL;
	rc = LIA_EXIT_FAIL;
	if (path_join(sec, authdir, "authority.sec") != 0 || path_join(idx, authdir, ISSUED_INDEX) != 0)
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
	/* Indexed before the certificate is written: a certificate that
	 * exists but is not in the index could never be revoked by serial,
	 * while a line whose file failed to be written harms no one. */
	if (auth == NULL || lia_cert_issue(&cert, &cert_len, &t, auth, err) != 0 ||
	    issued_add(idx, &t, err) != 0 || lia_file_write_new(out, cert, cert_len, 0644, err) != 0)
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

static const struct lia_opt revoke_opts[] = {
	{"authority", "DIR", "the authority's folder (authority.sec)", 'a',
	 LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"serial", "N", "the serial of the certificate to revoke (one this authority issued)", 's',
	 LIA_OPT_SHORT},
	{"cert", "FILE", "or the certificate itself (its serial, once its signature is checked)", 'f',
	 0},
	{"reason", "TEXT", "why, recorded in the list", 'r', LIA_OPT_SHORT},
	{"crl", "FILE", "the list to update (default DIR/revocations.crl)", 'c', LIA_OPT_SHORT},
	{"passphrase-file", "F", "passphrase of the authority key (else asked)", 'p', 0},
	LIA_OPT_END,
};

static const struct lia_cmd_spec revoke_spec = {
	.prog = PROG,
	.name = "revoke",
	.about = "Adds the serial to the revocation list (default DIR/revocations.crl), raises\n"
		 "its number, signs it and replaces the file atomically. Give the new list to\n"
		 "the brokers; they reload it on SIGHUP and drop sessions of revoked keys.\n"
		 "Give --serial or --cert. A serial is refused unless DIR/issued.idx lists it:\n"
		 "a mistyped or rounded serial must fail, not revoke nobody.",
	.examples = PROG " revoke --authority authority --cert keys/zagreb/cert.crt --reason \"laptop stolen\"\n"
		    PROG " revoke --authority authority --serial 1234 --reason \"laptop stolen\"",
	.opts = revoke_opts,
};

struct revoke_args {
	const char *authdir, *crlpath, *reason, *pass_file, *cert;
	uint64_t serial;
};

static int revoke_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct revoke_args *a = ctx;
	switch (id) {
	case 'a': a->authdir = arg; return 0;
	case 'c': a->crlpath = arg; return 0;
	case 'r': a->reason = arg; return 0;
	case 'p': a->pass_file = arg; return 0;
	case 'f': a->cert = arg; return 0;
	case 's':
		if (lia_parse_u64(arg, &a->serial) != 0 || a->serial == 0)
			return lia_errf(err, "--serial must be a certificate serial");
		return 0;
	}
	return -1;
}

static int cmd_revoke(int argc, char **argv)
{
	struct revoke_args a = {.reason = ""};
	int first, rc = lia_cli_parse(&revoke_spec, argc, argv, NULL, revoke_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&revoke_spec, "unexpected argument \"%.64s\"", argv[first]);
	const char *authdir = a.authdir, *crlpath = a.crlpath, *reason = a.reason;
	const char *pass_file = a.pass_file;
	uint64_t serial = a.serial;
	if ((serial != 0) == (a.cert != NULL))
		return lia_cli_usage_error(&revoke_spec, "give exactly one of --serial and --cert");
	char err[LIA_ERR_MAX], sec[PATH_MAX], defcrl[PATH_MAX], idx[PATH_MAX];
	if (path_join(sec, authdir, "authority.sec") != 0 ||
	    path_join(defcrl, authdir, "revocations.crl") != 0 ||
	    path_join(idx, authdir, ISSUED_INDEX) != 0)
		return fail("directory name too long");
	if (crlpath == NULL)
		crlpath = defcrl;
	struct lia_secret *auth = lia_secret_open(sec, LIA_KEY_AUTHORITY, pass_file, err);
	if (auth == NULL)
		return fail(err);
	if (a.cert != NULL) {
		/* Our signature on it proves we issued it, index or not. */
		uint8_t *cbuf = NULL;
		size_t clen = 0;
		struct lia_cert c;
		if (lia_file_read(a.cert, LIA_CERT_MAX_BYTES, &cbuf, &clen, err) != 0) {
			lia_secret_destroy(&auth);
			return fail(err);
		}
		enum lia_cert_status st = lia_cert_decode(&c, cbuf, clen, auth->pk);
		free(cbuf);
		if (st != LIA_CERT_OK) {
			lia_secret_destroy(&auth);
			fprintf(stderr, PROG " revoke: certificate \"%s\": %s\n", a.cert,
				lia_cert_status_str(st));
			return LIA_EXIT_FAIL;
		}
		serial = c.serial;
	} else {
		int has = issued_has(idx, serial, err);
		if (has <= 0) {
			lia_secret_destroy(&auth);
			if (has == 0)
				fprintf(stderr, PROG " revoke: this authority never issued serial %" PRIu64
						     " (not in \"%s\"); nothing revoked\n",
					serial, idx);
			else
				fprintf(stderr, PROG " revoke: %s\n", err);
			return LIA_EXIT_FAIL;
		}
	}
	struct lia_crl crl;
	uint8_t *buf = NULL;
	size_t len = 0;
	rc = LIA_EXIT_FAIL;
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

/* inspect and verify: the authority's key, a list, a time, JSON. */
struct check_args {
	const char *authkey, *crlpath, *at;
	int as_json;
};

static int check_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct check_args *a = ctx;
	(void)err;
	switch (id) {
	case 'k': a->authkey = arg; return 0;
	case 'c': a->crlpath = arg; return 0;
	case 't': a->at = arg; return 0;
	case 'j': a->as_json = 1; return 0;
	}
	return -1;
}

static const struct lia_opt inspect_opts[] = {
	{"json", NULL, "one JSON object per line", 'j', LIA_OPT_SHORT},
	{"authority-key", "FILE", "verify signatures with this authority key", 'k', LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_cmd_spec inspect_spec = {
	.prog = PROG,
	.name = "inspect",
	.args = "FILE...",
	.about = "Shows certificates, requests, revocation lists and authority public keys.\n"
		 "With --authority-key, signatures are verified too (exit 3 if one fails).\n"
		 "--json prints one object per line. Secret key files are never shown.",
	.examples = PROG " inspect --json keys/ventimiglia/cert.crt",
	.opts = inspect_opts,
};

static int cmd_inspect(int argc, char **argv)
{
	struct check_args a = {.authkey = NULL};
	int first, rc = lia_cli_parse(&inspect_spec, argc, argv, NULL, check_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first >= argc)
		return usage_error("inspect", "name at least one file");
	const char *authkey = a.authkey;
	int as_json = a.as_json;
	uint8_t pk[32];
	char name[LIA_NAME_MAX], err[LIA_ERR_MAX];
	if (authkey != NULL && lia_pubkey_load(authkey, LIA_KEY_AUTHORITY, pk, name, err) != 0)
		return fail(err);
	rc = LIA_EXIT_OK;
	for (int i = first; i < argc; i++) {
		int r = inspect_one(argv[i], as_json, authkey ? pk : NULL);
		if (r > rc)
			rc = r;
	}
	return rc;
}

/* --- verify --- */

static const struct lia_opt verify_opts[] = {
	{"authority-key", "FILE", "the authority's public key", 'k', LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"crl", "FILE", "the authority's revocation list", 'c', LIA_OPT_SHORT},
	{"at", "TIME", "check validity at TIME (default now)", 't', LIA_OPT_SHORT},
	{"json", NULL, "one JSON object per certificate", 'j', LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_cmd_spec verify_spec = {
	.prog = PROG,
	.name = "verify",
	.args = "CERT...",
	.about = "Checks each certificate: issued by this authority, signature, fields, validity\n"
		 "at TIME (default now) and, with --crl, not revoked. Prints one line per\n"
		 "certificate; exits 3 when any fails, naming the reason.",
	.examples = PROG " verify --authority-key authority/authority.pub \\\n"
		    "    --crl authority/revocations.crl keys/ventimiglia/cert.crt",
	.opts = verify_opts,
};

static int cmd_verify(int argc, char **argv)
{
	struct check_args a = {.authkey = NULL};
	int first, rc = lia_cli_parse(&verify_spec, argc, argv, NULL, check_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first >= argc)
		return usage_error("verify", "name at least one certificate");
	const char *authkey = a.authkey, *crlpath = a.crlpath, *at = a.at;
	int as_json = a.as_json;
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
	rc = LIA_EXIT_OK;
	for (int i = first; i < argc; i++) {
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
			if (st == LIA_CERT_OK)
				json_object_set_new(j, "serial", lia_json_serial(cert.serial));
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
	char err[LIA_ERR_MAX];
	/* The authority's signing key must not reach a core file either. */
	if (lia_process_no_core(err) != 0)
		return fail(err);
	if (sodium_init() < 0)
		return fail("libsodium failed to initialise");
	return lia_cli_dispatch(&prog, argc, argv);
}
