/*
 * bench_world.h — what the end-to-end benchmarks share: a scratch folder
 * with an authority, certified parties and their keys, a broker
 * configuration, and the real broker started as a child process. Owns
 * nothing but that folder's files; trusts the broker only to be the
 * program the build made.
 */
#ifndef LIA_BENCH_WORLD_H
#define LIA_BENCH_WORLD_H

#include <stddef.h>
#include <sys/types.h>

#include "client.h"

struct bench_env {
	char dir[256];
	int port;
	struct lia_secret *auth;
	const char *prog; /* for messages */
};

struct party {
	char name[64];
	struct lia_cert cert;
	struct lia_secret *sign, *box, *tr;
};

double now_s(void);
void bench_die(const struct bench_env *env, const char *what, const char *err) __attribute__((noreturn));
void path_of(const struct bench_env *env, char *out, size_t cap, const char *a, const char *b);

/* A fresh folder under /tmp with the authority, an empty CRL, certs/ and
 * data/, and the example policy with publish_per_hour set to 0 (none). */
void bench_env_init(struct bench_env *env, const char *prog);
/* broker.yaml listening on env->port; extra: more YAML lines or "". */
void bench_env_config(const struct bench_env *env, const char *extra);

void make_party(const struct bench_env *env, struct party *p, const char *subject, const char *agency,
		const char *country, enum lia_role role, int broker);
struct lia_profile profile_of(const struct bench_env *env, const struct party *p);

/* The broker as a child; its stderr goes to broker.log in the folder. */
pid_t start_broker(const struct bench_env *env);
void stop_broker(pid_t *pid);

/* From /proc/<pid>/status: "VmRSS:" or "VmHWM:" in KiB, -1 if unknown. */
long proc_kib(pid_t pid, const char *field);

#endif
