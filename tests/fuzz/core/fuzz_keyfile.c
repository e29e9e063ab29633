/*
 * fuzz_keyfile.c — libFuzzer harness for key files: the bytes are
 * written to a private temporary file and loaded as every purpose, with
 * and without a passphrase (the Argon2 parameters from the file are
 * bounded, so a hostile file cannot make a load slow or huge).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (sodium_init() < 0)
		return 0;
	char path[] = "/tmp/lia-fuzz-key-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	char err[LIA_ERR_MAX];
	char word[] = "fuzz";
	struct lia_pass pass = {word, 4};
	(void)lia_secret_is_protected(path, err);
	for (int p = LIA_KEY_SIGN; p <= LIA_KEY_AUTHORITY; p++) {
		struct lia_secret *s = lia_secret_load(path, (enum lia_key_purpose)p, NULL, err);
		lia_secret_destroy(&s);
		s = lia_secret_load(path, (enum lia_key_purpose)p, &pass, err);
		lia_secret_destroy(&s);
	}
	unlink(path);
	return 0;
}
