/*
 * version.c — lia::version (version.h).
 */
#include <jansson.h>
#include <lz4.h>
#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <sqlite3.h>
#include <zmq.h>

#include "version.h"

#ifndef LIA_VERSION
#define LIA_VERSION "0.0.0"
#endif

void lia_version_print(FILE *f, const char *prog)
{
	int zmaj, zmin, zpat;
	zmq_version(&zmaj, &zmin, &zpat);
	int lz = LZ4_versionNumber();
	fprintf(f, "%s %s\n", prog, LIA_VERSION);
	fprintf(f, "  libsodium %s\n", sodium_version_string());
	fprintf(f, "  libzmq %d.%d.%d (CURVE %s)\n", zmaj, zmin, zpat,
		zmq_has("curve") ? "yes" : "no");
	fprintf(f, "  protobuf-c %s\n", protobuf_c_version());
	fprintf(f, "  lz4 %d.%d.%d\n", lz / 10000, (lz / 100) % 100, lz % 100);
	fprintf(f, "  sqlite %s\n", sqlite3_libversion());
	fprintf(f, "  jansson %s\n", jansson_version_str());
}
