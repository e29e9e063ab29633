/*
 * keyfile.c — secret and public key files.
 *
 * A secret key file is a SecretKeyFile protobuf (schemas/keyfile.proto).
 * Protected files hold crypto_secretbox(secret) under
 * Argon2id(passphrase, salt); the public key is stored beside it and
 * checked against the secret on every load, so a file whose public half
 * was swapped is refused rather than trusted.
 */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include "keyfile.pb-c.h"
#include "pb_int.h"
#include "sig.h"
#include "util.h"

#define KEYFILE_MAX_BYTES 4096
/* Bounds on Argon2id parameters read from a file: a hostile file must
 * not make us spend unbounded memory or time. */
#define PWHASH_OPS_MAX crypto_pwhash_OPSLIMIT_SENSITIVE
#define PWHASH_MEM_MAX crypto_pwhash_MEMLIMIT_SENSITIVE

const char *lia_key_purpose_str(enum lia_key_purpose p)
{
	switch (p) {
	case LIA_KEY_SIGN: return "sign";
	case LIA_KEY_BOX: return "box";
	case LIA_KEY_TRANSPORT: return "transport";
	case LIA_KEY_AUTHORITY: return "authority";
	}
	return "unknown";
}

static bool purpose_is_ed25519(enum lia_key_purpose p)
{
	return p == LIA_KEY_SIGN || p == LIA_KEY_AUTHORITY;
}

int lia_process_no_core(char err[static LIA_ERR_MAX])
{
	/* Both: the limit also covers a core piped to a handler that ignores
	 * dumpability (kernel.core_pattern "|..."), and not-dumpable also
	 * keeps a same-uid process from reading our memory via ptrace or
	 * /proc/PID/mem. */
	const struct rlimit none = {0, 0};
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return lia_errf(err, "cannot disable core dumps: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return lia_errf(err, "cannot mark the process not dumpable: %s", strerror(errno));
	return 0;
}

static struct lia_secret *secret_alloc(enum lia_key_purpose purpose)
{
	struct lia_secret *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->purpose = purpose;
	s->sk_len = purpose_is_ed25519(purpose) ? crypto_sign_SECRETKEYBYTES : crypto_box_SECRETKEYBYTES;
	s->sk = sodium_malloc(s->sk_len);
	if (s->sk == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

struct lia_secret *lia_secret_generate(enum lia_key_purpose purpose)
{
	if (sodium_init() < 0)
		return NULL;
	struct lia_secret *s = secret_alloc(purpose);
	if (s == NULL)
		return NULL;
	if (purpose_is_ed25519(purpose))
		crypto_sign_keypair(s->pk, s->sk);
	else
		crypto_box_keypair(s->pk, s->sk);
	lia_keyid(s->kid, s->pk);
	return s;
}

void lia_secret_destroy(struct lia_secret **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	struct lia_secret *s = *sp;
	sodium_free(s->sk); /* sodium_free wipes before freeing */
	sodium_memzero(s, sizeof *s);
	free(s);
	*sp = NULL;
}

/* Does sk's public half equal pk? */
static bool secret_matches(const struct lia_secret *s)
{
	uint8_t pk[32];
	if (purpose_is_ed25519(s->purpose))
		crypto_sign_ed25519_sk_to_pk(pk, s->sk);
	else
		crypto_scalarmult_base(pk, s->sk);
	return sodium_memcmp(pk, s->pk, 32) == 0;
}

static int derive_key(uint8_t key[static crypto_secretbox_KEYBYTES], const struct lia_pass *pass,
		      const uint8_t *salt, uint64_t ops, uint64_t mem)
{
	return crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass->s, pass->len, salt, ops,
			     (size_t)mem, crypto_pwhash_ALG_ARGON2ID13);
}

int lia_secret_save(const struct lia_secret *s, const char *path, const struct lia_pass *pass,
		    const char *comment, char err[static LIA_ERR_MAX])
{
	Liaison__V1__SecretKeyFile f = LIAISON__V1__SECRET_KEY_FILE__INIT;
	uint8_t salt[crypto_pwhash_SALTBYTES];
	uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t key[crypto_secretbox_KEYBYTES];
	uint8_t *sealed = NULL, *buf = NULL;
	size_t sealed_len = 0, len = 0;
	int rc = -1;

	f.version = 1;
	f.purpose = (Liaison__V1__KeyPurpose)s->purpose;
	f.public_key.data = (uint8_t *)s->pk;
	f.public_key.len = 32;
	f.comment = (char *)(comment ? comment : "");
	if (pass != NULL && pass->s != NULL) {
		if (pass->len == 0)
			return lia_errf(err, "empty passphrase for \"%s\"", path);
		randombytes_buf(salt, sizeof salt);
		randombytes_buf(nonce, sizeof nonce);
		if (derive_key(key, pass, salt, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			       crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
			lia_errf(err, "cannot derive a key for \"%s\": out of memory", path);
			goto out;
		}
		sealed_len = s->sk_len + crypto_secretbox_MACBYTES;
		sealed = malloc(sealed_len);
		if (sealed == NULL) {
			lia_errf(err, "out of memory");
			goto out;
		}
		crypto_secretbox_easy(sealed, s->sk, s->sk_len, nonce, key);
		f.protected_ = 1;
		f.salt.data = salt;
		f.salt.len = sizeof salt;
		f.opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		f.memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		f.nonce.data = nonce;
		f.nonce.len = sizeof nonce;
		f.secret.data = sealed;
		f.secret.len = sealed_len;
	} else {
		f.secret.data = s->sk;
		f.secret.len = s->sk_len;
	}
	len = liaison__v1__secret_key_file__get_packed_size(&f);
	/* sodium_malloc: an unprotected file's buffer holds the secret. */
	buf = sodium_malloc(len ? len : 1);
	if (buf == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	liaison__v1__secret_key_file__pack(&f, buf);
	rc = lia_file_write_new(path, buf, len, 0600, err);
out:
	sodium_memzero(key, sizeof key);
	if (sealed != NULL)
		free(sealed);
	if (buf != NULL)
		sodium_free(buf);
	return rc;
}

/* Decode a key file into *out; the caller wipes and frees with
 * free_unpacked after wiping the secret field. */
static Liaison__V1__SecretKeyFile *decode_keyfile(const char *path, struct lia_pb_budget *budget,
						  char err[static LIA_ERR_MAX])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (lia_file_read_private(path, KEYFILE_MAX_BYTES, &buf, &len, err) != 0)
		return NULL;
	lia_pb_budget_init(budget, LIA_PB_BUDGET(len));
	Liaison__V1__SecretKeyFile *f = liaison__v1__secret_key_file__unpack(&budget->alloc, len, buf);
	sodium_memzero(buf, len);
	free(buf);
	if (f == NULL)
		lia_errf(err, "\"%s\" is not a Liaison secret key file", path);
	else if (f->version != 1) {
		lia_errf(err, "\"%s\": unsupported key file version %u", path, f->version);
		liaison__v1__secret_key_file__free_unpacked(f, &budget->alloc);
		f = NULL;
	}
	return f;
}

static void free_keyfile(Liaison__V1__SecretKeyFile *f, struct lia_pb_budget *budget)
{
	if (f == NULL)
		return;
	if (f->secret.data != NULL)
		sodium_memzero(f->secret.data, f->secret.len);
	liaison__v1__secret_key_file__free_unpacked(f, &budget->alloc);
}

int lia_secret_is_protected(const char *path, char err[static LIA_ERR_MAX])
{
	struct lia_pb_budget budget;
	Liaison__V1__SecretKeyFile *f = decode_keyfile(path, &budget, err);
	if (f == NULL)
		return -1;
	int p = f->protected_ ? 1 : 0;
	free_keyfile(f, &budget);
	return p;
}

struct lia_secret *lia_secret_load(const char *path, enum lia_key_purpose purpose,
				   const struct lia_pass *pass, char err[static LIA_ERR_MAX])
{
	if (sodium_init() < 0) {
		lia_errf(err, "libsodium failed to initialise");
		return NULL;
	}
	struct lia_pb_budget budget;
	uint8_t key[crypto_secretbox_KEYBYTES];
	struct lia_secret *s = NULL;
	Liaison__V1__SecretKeyFile *f = decode_keyfile(path, &budget, err);
	if (f == NULL)
		return NULL;
	if ((int)f->purpose != (int)purpose) {
		lia_errf(err, "\"%s\" holds a %s key, not a %s key", path,
			 lia_key_purpose_str((enum lia_key_purpose)f->purpose),
			 lia_key_purpose_str(purpose));
		goto fail;
	}
	s = secret_alloc(purpose);
	if (s == NULL) {
		lia_errf(err, "out of memory");
		goto fail;
	}
	if (f->public_key.len != 32) {
		lia_errf(err, "\"%s\": public key has %zu bytes, expected 32", path, f->public_key.len);
		goto fail;
	}
	memcpy(s->pk, f->public_key.data, 32);
	if (f->protected_) {
		if (pass == NULL || pass->s == NULL) {
			lia_errf(err, "\"%s\" is passphrase-protected; give a passphrase", path);
			goto fail;
		}
		if (f->salt.len != crypto_pwhash_SALTBYTES ||
		    f->nonce.len != crypto_secretbox_NONCEBYTES ||
		    f->secret.len != s->sk_len + crypto_secretbox_MACBYTES) {
			lia_errf(err, "\"%s\": malformed protected key", path);
			goto fail;
		}
		if (f->opslimit < crypto_pwhash_OPSLIMIT_MIN || f->opslimit > PWHASH_OPS_MAX ||
		    f->memlimit < crypto_pwhash_MEMLIMIT_MIN || f->memlimit > PWHASH_MEM_MAX) {
			lia_errf(err, "\"%s\": passphrase hashing parameters out of range", path);
			goto fail;
		}
		if (derive_key(key, pass, f->salt.data, f->opslimit, f->memlimit) != 0) {
			lia_errf(err, "\"%s\": cannot derive the key: out of memory", path);
			goto fail;
		}
		if (crypto_secretbox_open_easy(s->sk, f->secret.data, f->secret.len, f->nonce.data,
					       key) != 0) {
			lia_errf(err, "\"%s\": wrong passphrase (or the file was altered)", path);
			goto fail;
		}
	} else {
		if (pass != NULL && pass->s != NULL && pass->len > 0) {
			lia_errf(err, "\"%s\" is not passphrase-protected, but a passphrase was given",
				 path);
			goto fail;
		}
		if (f->secret.len != s->sk_len) {
			lia_errf(err, "\"%s\": secret key has %zu bytes, expected %zu", path,
				 f->secret.len, s->sk_len);
			goto fail;
		}
		memcpy(s->sk, f->secret.data, s->sk_len);
	}
	if (!secret_matches(s)) {
		lia_errf(err, "\"%s\": the public key does not belong to the secret key", path);
		goto fail;
	}
	lia_keyid(s->kid, s->pk);
	sodium_memzero(key, sizeof key);
	free_keyfile(f, &budget);
	return s;
fail:
	sodium_memzero(key, sizeof key);
	free_keyfile(f, &budget);
	lia_secret_destroy(&s);
	return NULL;
}

/* --- passphrases --- */

static int pass_set(struct lia_pass *p, const char *line, size_t n, char err[static LIA_ERR_MAX])
{
	if (n == 0)
		return lia_errf(err, "empty passphrase");
	p->s = sodium_malloc(n + 1);
	if (p->s == NULL)
		return lia_errf(err, "out of memory");
	memcpy(p->s, line, n);
	p->s[n] = '\0';
	p->len = n;
	return 0;
}

int lia_pass_read_file(struct lia_pass *p, const char *path, char err[static LIA_ERR_MAX])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	p->s = NULL;
	p->len = 0;
	if (lia_file_read_private(path, LIA_PASS_MAX, &buf, &len, err) != 0)
		return -1;
	size_t n = 0;
	while (n < len && buf[n] != '\n' && buf[n] != '\r')
		n++;
	int rc = pass_set(p, (const char *)buf, n, err);
	if (rc != 0)
		lia_errf(err, "passphrase file \"%s\" is empty", path);
	sodium_memzero(buf, len);
	free(buf);
	return rc;
}

/* Read one line from fd into line (cap bytes); returns its length or -1. */
static ssize_t tty_line(int fd, char *line, size_t cap)
{
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n > 0 ? (ssize_t)n : -1;
		if (c == '\n' || c == '\r')
			return (ssize_t)n;
		if (n + 1 >= cap)
			return -1;
		line[n++] = c;
	}
}

static ssize_t tty_prompt(int fd, const char *prompt, char *line, size_t cap)
{
	struct termios old, quiet;
	if (tcgetattr(fd, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
		return -1;
	ssize_t n = tty_line(fd, line, cap);
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		return -1;
	return n;
}

int lia_pass_read_tty(struct lia_pass *p, const char *prompt, int confirm,
		      char err[static LIA_ERR_MAX])
{
	p->s = NULL;
	p->len = 0;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return lia_errf(err, "no terminal to ask for a passphrase; use --passphrase-file");
	char *a = sodium_malloc(LIA_PASS_MAX), *b = sodium_malloc(LIA_PASS_MAX);
	int rc = -1;
	if (a == NULL || b == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	ssize_t na = tty_prompt(fd, prompt, a, LIA_PASS_MAX);
	if (na < 0) {
		lia_errf(err, "cannot read a passphrase from the terminal");
		goto out;
	}
	if (confirm) {
		ssize_t nb = tty_prompt(fd, "repeat passphrase: ", b, LIA_PASS_MAX);
		if (nb != na || sodium_memcmp(a, b, (size_t)na) != 0) {
			lia_errf(err, "the passphrases do not match");
			goto out;
		}
	}
	rc = pass_set(p, a, (size_t)na, err);
out:
	if (a != NULL)
		sodium_free(a);
	if (b != NULL)
		sodium_free(b);
	close(fd);
	return rc;
}

void lia_pass_wipe(struct lia_pass *p)
{
	if (p->s != NULL)
		sodium_free(p->s);
	p->s = NULL;
	p->len = 0;
}

/* --- public key files --- */

int lia_pubkey_save(const char *path, enum lia_key_purpose purpose, const uint8_t pk[static 32],
		    const char *name, char err[static LIA_ERR_MAX])
{
	Liaison__V1__PublicKeyFile f = LIAISON__V1__PUBLIC_KEY_FILE__INIT;
	f.version = 1;
	f.purpose = (Liaison__V1__KeyPurpose)purpose;
	f.public_key.data = (uint8_t *)pk;
	f.public_key.len = 32;
	f.name = (char *)(name ? name : "");
	uint8_t buf[512];
	size_t len = liaison__v1__public_key_file__get_packed_size(&f);
	if (len > sizeof buf)
		return lia_errf(err, "name too long for \"%s\"", path);
	liaison__v1__public_key_file__pack(&f, buf);
	return lia_file_write_new(path, buf, len, 0644, err);
}

int lia_pubkey_load(const char *path, enum lia_key_purpose purpose, uint8_t pk[static 32],
		    char name[static LIA_NAME_MAX], char err[static LIA_ERR_MAX])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (lia_file_read(path, 512, &buf, &len, err) != 0)
		return -1;
	struct lia_pb_budget budget;
	lia_pb_budget_init(&budget, LIA_PB_BUDGET(len));
	Liaison__V1__PublicKeyFile *f = liaison__v1__public_key_file__unpack(&budget.alloc, len, buf);
	free(buf);
	int rc = -1;
	if (f == NULL || f->version != 1)
		lia_errf(err, "\"%s\" is not a Liaison public key file", path);
	else if ((int)f->purpose != (int)purpose)
		lia_errf(err, "\"%s\" holds a %s key, not a %s key", path,
			 lia_key_purpose_str((enum lia_key_purpose)f->purpose),
			 lia_key_purpose_str(purpose));
	else if (f->public_key.len != 32)
		lia_errf(err, "\"%s\": public key has %zu bytes, expected 32", path, f->public_key.len);
	else if (lia_pb_str(name, LIA_NAME_MAX, f->name) != 0)
		lia_errf(err, "\"%s\": invalid name", path);
	else {
		memcpy(pk, f->public_key.data, 32);
		rc = 0;
	}
	if (f != NULL)
		liaison__v1__public_key_file__free_unpacked(f, &budget.alloc);
	return rc;
}

struct lia_secret *lia_secret_open(const char *path, enum lia_key_purpose purpose,
				   const char *pass_file, char err[static LIA_ERR_MAX])
{
	struct lia_pass pass = {0};
	int prot = lia_secret_is_protected(path, err);
	if (prot < 0)
		return NULL;
	if (prot) {
		int rc;
		if (pass_file != NULL) {
			rc = lia_pass_read_file(&pass, pass_file, err);
		} else {
			char prompt[LIA_ERR_MAX];
			int n = snprintf(prompt, sizeof prompt, "passphrase for %s: ", path);
			if (n < 0 || (size_t)n >= sizeof prompt)
				memcpy(prompt, "passphrase: ", sizeof "passphrase: ");
			rc = lia_pass_read_tty(&pass, prompt, 0, err);
		}
		if (rc != 0)
			return NULL;
	}
	struct lia_secret *s = lia_secret_load(path, purpose, prot ? &pass : NULL, err);
	lia_pass_wipe(&pass);
	return s;
}

int lia_pass_for_new(struct lia_pass *p, int insecure, const char *pass_file,
		     char err[static LIA_ERR_MAX])
{
	p->s = NULL;
	p->len = 0;
	if (insecure && pass_file != NULL)
		return lia_errf(err, "--insecure and --passphrase-file exclude each other");
	if (insecure)
		return 0;
	if (pass_file != NULL)
		return lia_pass_read_file(p, pass_file, err);
	return lia_pass_read_tty(p, "new passphrase: ", 1, err);
}
