/*
 * bench_world.c — the shared set-up of the end-to-end benchmarks (see
 * bench_world.h). Everything here dies on error: a benchmark that cannot
 * set itself up has nothing to measure.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench_world.h"
#include "util.h"

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The broker this process started, stopped by bench_die: a benchmark
 * that fails must not leave a broker holding its output pipe. */
static pid_t running_broker;

void bench_die(const struct bench_env *env, const char *what, const char *err)
{
	fprintf(stderr, "%s: %s: %s\n", env->prog, what, err);
	if (running_broker > 0)
		kill(running_broker, SIGTERM);
	exit(1);
}

void path_of(const struct bench_env *env, char *out, size_t cap, const char *a, const char *b)
{
	int w = b ? snprintf(out, cap, "%s/%s/%s", env->dir, a, b) : snprintf(out, cap, "%s/%s", env->dir, a);
	if (w < 0 || (size_t)w >= cap)
		bench_die(env, "path", "too long");
}

void make_party(const struct bench_env *env, struct party *p, const char *subject, const char *agency,
		const char *country, enum lia_role role, int broker)
{
	char err[LIA_ERR_MAX], d[512], f[512];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", strchr(subject, '/') + 1);
	p->sign = lia_secret_generate(LIA_KEY_SIGN);
	p->box = lia_secret_generate(LIA_KEY_BOX);
	p->tr = lia_secret_generate(LIA_KEY_TRANSPORT);
	struct lia_cert t;
	memset(&t, 0, sizeof t);
	randombytes_buf(&t.serial, sizeof t.serial);
	t.serial = (t.serial & INT64_MAX) | 1;
	t.kind = broker ? LIA_CERT_BROKER : LIA_CERT_PRINCIPAL;
	snprintf(t.subject, sizeof t.subject, "%s", subject);
	snprintf(t.agency, sizeof t.agency, "%s", agency);
	memcpy(t.country, country, 3);
	if (lia_names_add(&t.regions, "MED-CENTRAL") != 0)
		bench_die(env, "names", "full");
	t.roles = LIA_ROLE_BIT(role);
	t.not_before = lia_now() - 60;
	t.not_after = lia_now() + 86400;
	t.issued_at = t.not_before;
	memcpy(t.sign_pk, p->sign->pk, 32);
	memcpy(t.box_pk, p->box->pk, 32);
	memcpy(t.transport_pk, p->tr->pk, 32);
	uint8_t *buf;
	size_t len;
	if (lia_cert_issue(&buf, &len, &t, env->auth, err) != 0 ||
	    lia_cert_decode(&p->cert, buf, len, env->auth->pk) != LIA_CERT_OK)
		bench_die(env, "issue", err);
	path_of(env, d, sizeof d, p->name, NULL);
	mkdir(d, 0700);
	path_of(env, f, sizeof f, p->name, "cert.crt");
	if (lia_file_write_new(f, buf, len, 0644, err) != 0)
		bench_die(env, "cert", err);
	if (!broker) {
		char c[512];
		snprintf(c, sizeof c, "%s/certs/%s.crt", env->dir, p->name);
		if (lia_file_write_new(c, buf, len, 0644, err) != 0)
			bench_die(env, "cert", err);
	}
	free(buf);
	const char *names[] = {"sign.sec", "box.sec", "transport.sec"};
	struct lia_secret *keys[] = {p->sign, p->box, p->tr};
	for (int i = 0; i < 3; i++) {
		path_of(env, f, sizeof f, p->name, names[i]);
		if (lia_secret_save(keys[i], f, NULL, subject, err) != 0)
			bench_die(env, "key", err);
	}
}

struct lia_profile profile_of(const struct bench_env *env, const struct party *p)
{
	struct lia_profile pr;
	memset(&pr, 0, sizeof pr);
	snprintf(pr.broker, sizeof pr.broker, "tcp://127.0.0.1:%d", env->port);
	path_of(env, pr.broker_certificate, sizeof pr.broker_certificate, "broker", "cert.crt");
	path_of(env, pr.keys, sizeof pr.keys, p->name, NULL);
	path_of(env, pr.authority_key, sizeof pr.authority_key, "authority.pub", NULL);
	return pr;
}

long proc_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, field, n) == 0)
			kib = strtol(line + n, NULL, 10);
	fclose(f);
	return kib;
}

/* The example policy limits each principal to 600 publications an hour;
 * the benchmarks' publishers need no limit (0). */
static void write_policy(const struct bench_env *env)
{
	char err[LIA_ERR_MAX], p[512];
	uint8_t *pol;
	size_t pl;
	path_of(env, p, sizeof p, "exchange.yaml", NULL);
	if (lia_file_read(LIA_POLICY_PATH, 1 << 20, &pol, &pl, err) != 0)
		bench_die(env, "policy", err);
	char *lim = strstr((char *)pol, "publish_per_hour: 600");
	if (lim == NULL || (size_t)(lim - (char *)pol) + 21 > pl)
		bench_die(env, "policy", "the example policy no longer has publish_per_hour: 600");
	memcpy(lim, "publish_per_hour:   0", 21);
	if (lia_file_write_new(p, pol, pl, 0644, err) != 0)
		bench_die(env, "policy", err);
	free(pol);
}

void bench_env_init(struct bench_env *env, const char *prog)
{
	char err[LIA_ERR_MAX], p[512];
	memset(env, 0, sizeof *env);
	env->prog = prog;
	env->port = 20000 + (int)(getpid() % 12000); /* below the outgoing port range */
	snprintf(env->dir, sizeof env->dir, "/tmp/lia-bench-XXXXXX");
	if (mkdtemp(env->dir) == NULL)
		bench_die(env, "mkdtemp", strerror(errno));
	path_of(env, p, sizeof p, "certs", NULL);
	mkdir(p, 0700);
	path_of(env, p, sizeof p, "data", NULL);
	mkdir(p, 0700);
	env->auth = lia_secret_generate(LIA_KEY_AUTHORITY);
	path_of(env, p, sizeof p, "authority.pub", NULL);
	if (lia_pubkey_save(p, LIA_KEY_AUTHORITY, env->auth->pk, "bench", err) != 0)
		bench_die(env, "authority", err);
	struct lia_crl crl = {.number = 1, .issued_at = lia_now()};
	uint8_t *cb;
	size_t cl;
	path_of(env, p, sizeof p, "revocations.crl", NULL);
	if (lia_crl_encode(&cb, &cl, &crl, env->auth, err) != 0 || lia_file_write_new(p, cb, cl, 0644, err) != 0)
		bench_die(env, "crl", err);
	free(cb);
	write_policy(env);
}

void bench_env_config(const struct bench_env *env, const char *extra)
{
	char err[LIA_ERR_MAX], p[512], cfg[2048];
	int cn = snprintf(cfg, sizeof cfg,
			  "listen: tcp://127.0.0.1:%d\nkeys: broker\nauthority_key: authority.pub\n"
			  "certificates: certs\nrevocation_list: revocations.crl\npolicy: exchange.yaml\n"
			  "data: data\nwindow: 1024\nbatch: 2048\n%s", env->port, extra);
	if (cn < 0 || (size_t)cn >= sizeof cfg)
		bench_die(env, "config", "too long");
	path_of(env, p, sizeof p, "broker.yaml", NULL);
	unlink(p);
	if (lia_file_write_new(p, (uint8_t *)cfg, (size_t)cn, 0644, err) != 0)
		bench_die(env, "config", err);
}

pid_t start_broker(const struct bench_env *env)
{
	char cfg[512];
	path_of(env, cfg, sizeof cfg, "broker.yaml", NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char log[512];
		path_of(env, log, sizeof log, "broker.log", NULL);
		if (freopen(log, "a", stderr) == NULL)
			_exit(1);
		execl(LIA_BROKER_PATH, "liaison-broker", "--config", cfg, (char *)NULL);
		_exit(127);
	}
	nanosleep(&(struct timespec){0, 500000000}, NULL);
	if (waitpid(pid, NULL, WNOHANG) != 0)
		bench_die(env, "broker", "did not start; see broker.log in the bench folder");
	running_broker = pid;
	return pid;
}

void stop_broker(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	if (*pid == running_broker)
		running_broker = 0;
	*pid = 0;
}
