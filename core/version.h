/*
 * version.h — what a program's --version prints: its name and version,
 * then the version of every third-party library the programs link.
 *
 * Not part of lia::core: it is its own library, lia::version, linked by
 * the programs only, so that core links just the libraries it uses
 * (libsodium, jansson, protobuf-c, lz4, libyaml) and not libzmq or
 * SQLite for one line of output. Trusts nothing from outside; cannot
 * fail.
 */
#ifndef LIA_VERSION_H
#define LIA_VERSION_H

#include <stdio.h>

/* Print "PROG VERSION" and one line per linked library to f. The shape
 * of struct lia_prog's version callback (cli.h). */
void lia_version_print(FILE *f, const char *prog);

#endif
