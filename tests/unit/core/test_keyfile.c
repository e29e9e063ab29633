/* Secret and public key files (core/keyfile.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "keyfile.h"
#include "util.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	fx_tmpdir(dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_tmpdir_remove(dir);
	return 0;
}

static void path_in(char out[512], const char *name)
{
	snprintf(out, 512, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

/* True when needle occurs in the file's bytes. */
static int file_contains(const char *path, const uint8_t *needle, size_t n)
{
	uint8_t *buf;
	size_t len;
	char err[LIA_ERR_MAX];
	if (lia_file_read(path, 1 << 20, &buf, &len, err) != 0)
		return 0;
	int found = 0;
	for (size_t i = 0; i + n <= len && !found; i++)
		found = memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

static void test_unprotected_round_trip(void **state)
{
	(void)state;
	char path[512], err[LIA_ERR_MAX];
	path_in(path, "plain.sec");
	for (int p = LIA_KEY_SIGN; p <= LIA_KEY_AUTHORITY; p++) {
		unlink(path);
		struct lia_secret *s = lia_secret_generate((enum lia_key_purpose)p);
		assert_non_null(s);
		assert_int_equal(lia_secret_save(s, path, NULL, "IT-GDF/a", err), 0);
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		struct lia_secret *l = lia_secret_load(path, (enum lia_key_purpose)p, NULL, err);
		assert_non_null(l);
		assert_memory_equal(l->pk, s->pk, 32);
		assert_int_equal(l->sk_len, s->sk_len);
		assert_memory_equal(l->sk, s->sk, s->sk_len);
		assert_memory_equal(l->kid, s->kid, LIA_KEYID_BYTES);
		assert_int_equal(lia_secret_is_protected(path, err), 0);
		lia_secret_destroy(&l);
		lia_secret_destroy(&s);
		assert_null(s);
		lia_secret_destroy(&s); /* idempotent */
	}
}

static void test_protected_round_trip_and_wrong_passphrase(void **state)
{
	(void)state;
	char path[512], pfile[512], bad[512], err[LIA_ERR_MAX];
	path_in(path, "prot.sec");
	path_in(pfile, "pass");
	path_in(bad, "badpass");
	write_text(pfile, "correct horse battery staple\n", 0600);
	write_text(bad, "wrong horse\n", 0600);
	struct lia_pass pass, wrong;
	assert_int_equal(lia_pass_read_file(&pass, pfile, err), 0);
	assert_int_equal(pass.len, strlen("correct horse battery staple"));
	assert_int_equal(lia_pass_read_file(&wrong, bad, err), 0);
	struct lia_secret *s = lia_secret_generate(LIA_KEY_SIGN);
	assert_int_equal(lia_secret_save(s, path, &pass, "x", err), 0);
	assert_int_equal(lia_secret_is_protected(path, err), 1);
	/* The secret is nowhere in the file. */
	assert_false(file_contains(path, s->sk, 32));
	struct lia_secret *l = lia_secret_load(path, LIA_KEY_SIGN, &wrong, err);
	assert_null(l);
	assert_non_null(strstr(err, "wrong passphrase"));
	l = lia_secret_load(path, LIA_KEY_SIGN, NULL, err);
	assert_null(l);
	assert_non_null(strstr(err, "passphrase-protected"));
	l = lia_secret_open(path, LIA_KEY_SIGN, pfile, err);
	assert_non_null(l);
	assert_memory_equal(l->sk, s->sk, s->sk_len);
	/* Error messages never carry key material. */
	char hex[129];
	sodium_bin2hex(hex, sizeof hex, s->sk, 32);
	assert_null(strstr(err, hex));
	lia_secret_destroy(&l);
	lia_secret_destroy(&s);
	lia_pass_wipe(&pass);
	lia_pass_wipe(&wrong);
}

static void test_overwrite_refused(void **state)
{
	(void)state;
	char path[512], err[LIA_ERR_MAX];
	path_in(path, "once.sec");
	struct lia_secret *s = lia_secret_generate(LIA_KEY_BOX);
	assert_int_equal(lia_secret_save(s, path, NULL, "", err), 0);
	assert_int_equal(lia_secret_save(s, path, NULL, "", err), -1);
	assert_non_null(strstr(err, "refusing to overwrite"));
	/* A symlink in the secret's place is not followed either. */
	char link[512], target[512];
	path_in(link, "link.sec");
	path_in(target, "should-not-exist"); /* in the test's own folder */
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(lia_secret_save(s, link, NULL, "", err), -1);
	assert_int_equal(access(target, F_OK), -1);
	lia_secret_destroy(&s);
}

static void test_group_readable_refused(void **state)
{
	(void)state;
	char path[512], err[LIA_ERR_MAX];
	path_in(path, "open.sec");
	struct lia_secret *s = lia_secret_generate(LIA_KEY_SIGN);
	assert_int_equal(lia_secret_save(s, path, NULL, "", err), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_null(lia_secret_load(path, LIA_KEY_SIGN, NULL, err));
	assert_non_null(strstr(err, "chmod 600"));
	assert_int_equal(chmod(path, 0640), 0);
	assert_null(lia_secret_load(path, LIA_KEY_SIGN, NULL, err));
	assert_int_equal(chmod(path, 0600), 0);
	struct lia_secret *l = lia_secret_load(path, LIA_KEY_SIGN, NULL, err);
	assert_non_null(l);
	lia_secret_destroy(&l);
	/* A passphrase file readable by others is refused too. */
	char pfile[512];
	path_in(pfile, "openpass");
	write_text(pfile, "secret\n", 0644);
	struct lia_pass p;
	assert_int_equal(lia_pass_read_file(&p, pfile, err), -1);
	lia_secret_destroy(&s);
}

static void test_wrong_purpose_and_tampering(void **state)
{
	(void)state;
	char path[512], other[512], err[LIA_ERR_MAX];
	path_in(path, "box.sec");
	path_in(other, "swapped.sec");
	struct lia_secret *s = lia_secret_generate(LIA_KEY_BOX);
	assert_int_equal(lia_secret_save(s, path, NULL, "", err), 0);
	assert_null(lia_secret_load(path, LIA_KEY_SIGN, NULL, err));
	assert_non_null(strstr(err, "not a sign key"));
	/* Replace the public half: refused as not belonging to the secret. */
	uint8_t *buf;
	size_t len;
	assert_int_equal(lia_file_read(path, 4096, &buf, &len, err), 0);
	for (size_t i = 0; i + 32 <= len; i++)
		if (memcmp(buf + i, s->pk, 32) == 0)
			buf[i] ^= 1;
	assert_int_equal(lia_file_write_new(other, buf, len, 0600, err), 0);
	free(buf);
	assert_null(lia_secret_load(other, LIA_KEY_BOX, NULL, err));
	assert_non_null(strstr(err, "does not belong"));
	/* Garbage and truncation. */
	char junk[512];
	path_in(junk, "junk.sec");
	write_text(junk, "this is not a key file at all", 0600);
	assert_null(lia_secret_load(junk, LIA_KEY_BOX, NULL, err));
	lia_secret_destroy(&s);
}

static void test_pubkey_file(void **state)
{
	(void)state;
	char path[512], err[LIA_ERR_MAX], name[LIA_NAME_MAX];
	path_in(path, "authority.pub");
	struct lia_secret *s = lia_secret_generate(LIA_KEY_AUTHORITY);
	assert_int_equal(lia_pubkey_save(path, LIA_KEY_AUTHORITY, s->pk, "ex", err), 0);
	uint8_t pk[32];
	assert_int_equal(lia_pubkey_load(path, LIA_KEY_AUTHORITY, pk, name, err), 0);
	assert_memory_equal(pk, s->pk, 32);
	assert_string_equal(name, "ex");
	assert_int_equal(lia_pubkey_load(path, LIA_KEY_SIGN, pk, name, err), -1);
	lia_secret_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unprotected_round_trip),
		cmocka_unit_test(test_protected_round_trip_and_wrong_passphrase),
		cmocka_unit_test(test_overwrite_refused),
		cmocka_unit_test(test_group_readable_refused),
		cmocka_unit_test(test_wrong_purpose_and_tampering),
		cmocka_unit_test(test_pubkey_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
