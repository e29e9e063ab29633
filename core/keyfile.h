/*
 * keyfile.h — secret and public key files (docs/formats.md).
 *
 * A secret key file holds one keypair of one purpose. It is created with
 * O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600, so an existing file is never
 * overwritten, and it is refused on load when group or world may read it
 * or when it is not a regular file. By default the secret is sealed with
 * crypto_secretbox under a key derived from a passphrase with Argon2id;
 * an explicit insecure choice stores it unprotected (daemons, demos).
 *
 * Passphrases come from the terminal (echo off) or from a file given by
 * path; never from argv or the environment.
 *
 * Secrets live in sodium_malloc memory (guarded, locked) and are wiped by
 * lia_secret_destroy(). Input files are untrusted: sizes and Argon2
 * parameters are bounded before use.
 *
 * Errors: functions return 0 / -1 and write a message that names the file
 * and the cause (never key bytes) into the caller's err buffer.
 * Thread safety: none needed; no shared state.
 */
#ifndef LIA_KEYFILE_H
#define LIA_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "marking.h"

#define LIA_PASS_MAX 1024

enum lia_key_purpose {
	LIA_KEY_SIGN = 1,      /* Ed25519 */
	LIA_KEY_BOX = 2,       /* X25519 */
	LIA_KEY_TRANSPORT = 3, /* X25519, CurveZMQ */
	LIA_KEY_AUTHORITY = 4, /* Ed25519 */
};

const char *lia_key_purpose_str(enum lia_key_purpose p);

/* A keypair in guarded memory. sk is 64 bytes for Ed25519 purposes and 32
 * for X25519 ones (sk_len says which). */
struct lia_secret {
	enum lia_key_purpose purpose;
	uint8_t pk[32];
	uint8_t kid[LIA_KEYID_BYTES];
	size_t sk_len;
	uint8_t *sk; /* sodium_malloc'd */
};

/* A passphrase in guarded memory, or none (insecure). */
struct lia_pass {
	char *s;     /* sodium_malloc'd, NUL-terminated; NULL = unprotected */
	size_t len;
};

/* Keep this process's secrets out of core files and away from ptrace:
 * RLIMIT_CORE 0 (soft and hard) and prctl(PR_SET_DUMPABLE, 0). Our own
 * keys are in locked sodium_malloc memory, but libzmq keeps a copy of the
 * CURVE secret in ordinary heap and a crash would write it to disk. Call
 * first thing in main() of every program that loads a secret key. */
int lia_process_no_core(char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Generate a fresh keypair of the given purpose. NULL on allocation failure. */
struct lia_secret *lia_secret_generate(enum lia_key_purpose purpose);

/* Wipe and free; accepts NULL; sets *s to NULL. */
void lia_secret_destroy(struct lia_secret **s);

/* Write a new secret key file. pass NULL or pass->s NULL stores the
 * secret unprotected. Refuses an existing path. comment is public text. */
int lia_secret_save(const struct lia_secret *s, const char *path, const struct lia_pass *pass,
		    const char *comment, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

/* Load a secret key file and check its purpose. A protected file needs
 * pass; an unprotected one is loaded only when pass is NULL or empty.
 * Returns NULL and fills err on any failure (wrong passphrase included). */
struct lia_secret *lia_secret_load(const char *path, enum lia_key_purpose purpose,
				   const struct lia_pass *pass, char err[static LIA_ERR_MAX]);

/* 1 when the file exists and is passphrase-protected, 0 when it is not,
 * -1 on error. Lets a tool ask for a passphrase only when needed. */
int lia_secret_is_protected(const char *path, char err[static LIA_ERR_MAX]);

/* Passphrases. read_file takes the first line of a file that must not be
 * group/world readable; read_tty prompts on /dev/tty with echo off
 * (confirm != 0 asks twice). Both return 0 / -1. */
int lia_pass_read_file(struct lia_pass *p, const char *path, char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));
int lia_pass_read_tty(struct lia_pass *p, const char *prompt, int confirm,
		      char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
void lia_pass_wipe(struct lia_pass *p);

/* Load a key file, asking for a passphrase only when it is protected:
 * the first line of pass_file when given, else the terminal. */
struct lia_secret *lia_secret_open(const char *path, enum lia_key_purpose purpose,
				   const char *pass_file, char err[static LIA_ERR_MAX]);

/* The passphrase for new key files: none when insecure, else pass_file
 * or the terminal (asked twice). */
int lia_pass_for_new(struct lia_pass *p, int insecure, const char *pass_file,
		     char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* Public key files (the authority's root of trust). */
int lia_pubkey_save(const char *path, enum lia_key_purpose purpose, const uint8_t pk[static 32],
		    const char *name, char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));
int lia_pubkey_load(const char *path, enum lia_key_purpose purpose, uint8_t pk[static 32],
		    char name[static LIA_NAME_MAX], char err[static LIA_ERR_MAX])
	__attribute__((warn_unused_result));

#endif
