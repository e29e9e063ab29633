/*
 * bench_noisy.c — the noisy-neighbour benchmark (issue 11). A victim
 * principal publishes at a steady 100 msgs/s while another principal
 * floods one request type at a time: publish, fetch (never read), audit
 * queries, hello, consent listing, and ~1,100 half-open TCP connections.
 * The broker is restarted for every phase, so its VmHWM is that phase's
 * peak memory; the data folder is kept, so history grows phase to phase
 * (the publish flood gives hello and consent listing a history to scan).
 *
 * Victim latency: Publish sent -> PublishAck received by the victim.
 * Targets: p99 under any flood <= 10 ms and <= 5x the quiet p99; broker
 * peak RSS <= LIA_BENCH_MEM_MIB (default 256 MiB, the bound documented in
 * docs/operations.md once item 1 lands).
 *
 * usage: bench_noisy [victim publishes per phase, default 500]
 * The flooder is a child process; it is killed at the end of each phase.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <arpa/inet.h>
#include <sodium.h>

#include "bench_world.h"
#include "body.h"
#include "client.h"
#include "envelope.h"
#include "util.h"

#define VICTIM_RATE 100.0
#define FLOOD_WINDOW 256   /* requests a flooder keeps in flight */
#define HALF_OPEN 1100
#define FLOOD_MAX_S 30.0   /* a flooder dies by itself after this */

enum flood { F_NONE, F_PUBLISH, F_FETCH, F_QUERY, F_HELLO, F_CONSENT, F_HALFOPEN };
static const char *const flood_names[] = {"quiet", "publish", "fetch", "queries", "hello", "consent list", "half-open"};

struct noisy {
	struct bench_env env;
	struct party broker, victim, flooder;
	uint8_t big_id[LIA_ID_BYTES]; /* the flooder's large message */
};

static uint8_t *seal_one(struct noisy *n, const struct party *p, size_t text_len, size_t *len,
			 uint8_t id[LIA_ID_BYTES])
{
	char err[LIA_ERR_MAX];
	/* A summary is short; a large body is a technical report whose
	 * references (at most 60 000 characters each) carry the bulk. */
	bool big = text_len > 4096;
	size_t piece = big ? 60000 : text_len;
	char *text = malloc(piece + 1);
	for (size_t i = 0; i < piece; i++)
		text[i] = "Zuwara departures at night, rubber dinghies, 80-120 persons "[i % 60];
	text[piece] = '\0';
	json_t *b = NULL;
	if (lia_body_set(&b, "title", "noisy", err) ||
	    (!big && (lia_body_set(&b, "summary", text, err) || lia_body_set(&b, "route.mode", "sea", err))))
		bench_die(&n->env, "body", err);
	if (big) { /* random text: the envelope's compression must not shrink it */
		json_t *refs = json_array();
		for (size_t done = 0; done < text_len; done += piece) {
			for (size_t i = 0; i < piece; i++)
				text[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[randombytes_uniform(64)];
			json_array_append_new(refs, json_string(text));
		}
		json_object_set_new(b, "technical", json_pack("{s:s, s:o}", "domain", "detection", "references", refs));
	}
	free(text);
	uint8_t *body, *env;
	size_t body_len;
	if (lia_body_from_json(b, &body, &body_len, err) != 0)
		bench_die(&n->env, "body", err);
	json_decref(b);
	const struct lia_cert *to[1] = {&p->cert};
	struct lia_sealer *s = lia_sealer_new(&p->cert, p->sign, p->box);
	struct lia_header h;
	memset(&h, 0, sizeof h);
	h.kind = big ? LIA_KIND_TECHNICAL : LIA_KIND_ROUTE;
	h.restrictions.tlp = LIA_TLP_GREEN;
	if (lia_names_add(&h.regions, "MED-CENTRAL") != 0)
		bench_die(&n->env, "names", "full");
	if (lia_seal(s, &h, body, body_len, to, 1, &env, len, err) != 0)
		bench_die(&n->env, "seal", err);
	lia_sealer_destroy(&s);
	free(body);
	struct lia_envelope *e;
	if (lia_envelope_decode(&e, env, *len) != LIA_ENV_OK)
		bench_die(&n->env, "decode", "own envelope");
	memcpy(id, lia_envelope_header(e)->id, LIA_ID_BYTES);
	lia_envelope_destroy(&e);
	return env;
}

static void open_client(struct noisy *n, struct lia_client *c, const struct party *p)
{
	char err[LIA_ERR_MAX];
	struct lia_profile pr = profile_of(&n->env, p);
	if (lia_client_open(c, &pr, 0, false, 0, 5000, err) != LIA_EXIT_OK)
		bench_die(&n->env, p->name, err);
}

/* --- the flooder (a child process) --- */

static void flood_frame(struct noisy *n, enum flood kind, struct lia_frame *f, uint8_t id[LIA_ID_BYTES])
{
	switch (kind) {
	case F_PUBLISH: {
		size_t len;
		uint8_t *env = seal_one(n, &n->flooder, 200, &len, id);
		lia_frame_init(f, LIA_FRAME_PUBLISH, 0);
		f->u.publish.envelope = (struct lia_bytes){env, len};
		break;
	}
	case F_FETCH:
		lia_frame_init(f, LIA_FRAME_FETCH, 0);
		memcpy(f->u.fetch.message_id, n->big_id, LIA_ID_BYTES);
		break;
	case F_QUERY:
		lia_frame_init(f, LIA_FRAME_AUDIT_QUERY, 0);
		f->u.audit_query.kind = LIA_AUDIT_DISCLOSURES;
		f->u.audit_query.has_message_id = true;
		memcpy(f->u.audit_query.message_id, n->big_id, LIA_ID_BYTES);
		break;
	case F_HELLO:
		lia_frame_init(f, LIA_FRAME_HELLO, 0);
		f->u.hello.protocol = 1;
		break;
	default:
		lia_frame_init(f, LIA_FRAME_CONSENT_QUERY, 0);
		break;
	}
}

/* Pipelined requests, FLOOD_WINDOW in flight; fetch replies are never
 * read (the memory attack of item 1): those only block on the HWM. */
static void flood_requests(struct noisy *n, enum flood kind)
{
	struct lia_client c;
	open_client(n, &c, &n->flooder);
	size_t inflight = 0;
	double t0 = now_s();
	uint8_t id[LIA_ID_BYTES];
	while (now_s() - t0 < FLOOD_MAX_S) {
		while (kind == F_FETCH || inflight < FLOOD_WINDOW) {
			struct lia_frame f;
			flood_frame(n, kind, &f, id);
			uint8_t *owned = kind == F_PUBLISH ? (uint8_t *)f.u.publish.envelope.p : NULL;
			if (lia_client_send(&c, &f) != 0)
				_exit(0);
			free(owned);
			inflight++;
			if (kind == F_FETCH && now_s() - t0 >= FLOOD_MAX_S)
				_exit(0);
		}
		struct lia_frame r;
		if (lia_client_recv(&c, &r, 100) == 1) {
			inflight--;
			lia_frame_clear(&r);
			while (lia_client_recv(&c, &r, 0) == 1) {
				inflight--;
				lia_frame_clear(&r);
			}
		}
	}
	_exit(0);
}

/* Plain TCP connections that send nothing; descriptors up to the hard
 * limit so the bench itself is not what runs out. */
static void flood_half_open(struct noisy *n)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)n->env.port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int opened = 0;
	for (int i = 0; i < HALF_OPEN; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
			break;
		opened++;
	}
	fprintf(stderr, "  (half-open: %d connections held)\n", opened);
	sleep((unsigned)FLOOD_MAX_S);
	_exit(0);
}

static pid_t start_flooder(struct noisy *n, enum flood kind)
{
	if (kind == F_NONE)
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		if (kind == F_HALFOPEN)
			flood_half_open(n);
		flood_requests(n, kind);
	}
	return pid;
}

/* --- the victim --- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Publish count envelopes at VICTIM_RATE; lat[i] = send -> PublishAck.
 * Returns how many were acknowledged (accepted or not: refusals count
 * as answers, the caller reports them). */
static size_t victim_run(struct noisy *n, struct lia_client *c, size_t count, double *lat, size_t *refused)
{
	uint8_t **envs = calloc(count, sizeof *envs);
	size_t *lens = calloc(count, sizeof *lens);
	double *sent_at = calloc(count, sizeof *sent_at);
	uint8_t id[LIA_ID_BYTES];
	for (size_t i = 0; i < count; i++)
		envs[i] = seal_one(n, &n->victim, 1024, &lens[i], id);
	size_t next = 0, acked = 0;
	*refused = 0;
	uint64_t first_req = 0;
	double t0 = now_s();
	while (acked < count && now_s() - t0 < (double)count / VICTIM_RATE + 20.0) {
		while (next < count && now_s() - t0 >= (double)next / VICTIM_RATE) {
			struct lia_frame f;
			lia_frame_init(&f, LIA_FRAME_PUBLISH, 1000 + next); /* its answer names it */
			f.u.publish.envelope = (struct lia_bytes){envs[next], lens[next]};
			sent_at[next] = now_s();
			if (lia_client_send(c, &f) != 0)
				bench_die(&n->env, "victim send", zmq_strerror(zmq_errno()));
			if (next == 0)
				first_req = f.request_id;
			next++;
		}
		double due = (double)next / VICTIM_RATE - (now_s() - t0);
		int wait_ms = next >= count ? 100 : due <= 0 ? 0 : (int)(due * 1000.0) + 1;
		struct lia_frame r;
		if (lia_client_recv(c, &r, wait_ms) != 1)
			continue;
		if (r.type == LIA_FRAME_PUBLISH_ACK || r.type == LIA_FRAME_ERROR) {
			size_t i = (size_t)(r.request_id - first_req);
			if (i < next && lat[i] < 0) {
				lat[i] = now_s() - sent_at[i];
				acked++;
				if (r.type == LIA_FRAME_ERROR || !r.u.publish_ack.accepted)
					(*refused)++;
			}
		}
		lia_frame_clear(&r);
	}
	for (size_t i = 0; i < count; i++)
		free(envs[i]);
	free(envs);
	free(lens);
	free(sent_at);
	return acked;
}

struct result {
	double p50, p99;
	size_t answered, refused;
	long hwm_kib;
};

static struct result phase(struct noisy *n, enum flood kind, size_t count)
{
	struct result res = {0};
	pid_t broker = start_broker(&n->env);
	struct lia_client victim;
	open_client(n, &victim, &n->victim);
	pid_t fl = start_flooder(n, kind);
	if (fl > 0)
		nanosleep(&(struct timespec){1, 0}, NULL); /* let the flood build up */
	double *lat = malloc(count * sizeof *lat);
	for (size_t i = 0; i < count; i++)
		lat[i] = -1;
	res.answered = victim_run(n, &victim, count, lat, &res.refused);
	res.hwm_kib = proc_kib(broker, "VmHWM:");
	if (fl > 0) {
		kill(fl, SIGKILL);
		waitpid(fl, NULL, 0);
	}
	/* unanswered publishes count as infinitely late */
	for (size_t i = 0; i < count; i++)
		if (lat[i] < 0)
			lat[i] = 1e9;
	qsort(lat, count, sizeof *lat, cmp_double);
	res.p50 = lat[count / 2] * 1e3;
	res.p99 = lat[(size_t)((double)count * 0.99)] * 1e3;
	free(lat);
	lia_client_close(&victim);
	stop_broker(&broker);
	return res;
}

/* The flooder's one large message, the target of its fetches and queries. */
static void publish_big(struct noisy *n)
{
	char err[LIA_ERR_MAX];
	pid_t broker = start_broker(&n->env);
	struct lia_client c;
	open_client(n, &c, &n->flooder);
	size_t len;
	uint8_t *env = seal_one(n, &n->flooder, 700 * 1024, &len, n->big_id);
	struct lia_frame f, r;
	lia_frame_init(&f, LIA_FRAME_PUBLISH, 0);
	f.u.publish.envelope = (struct lia_bytes){env, len};
	if (lia_client_call(&c, &f, &r, err) != LIA_EXIT_OK)
		bench_die(&n->env, "big publish", err);
	if (r.type != LIA_FRAME_PUBLISH_ACK || !r.u.publish_ack.accepted)
		bench_die(&n->env, "big publish", "refused");
	lia_frame_clear(&r);
	free(env);
	printf("  flooder's large message: %zu KiB envelope\n", len / 1024);
	lia_client_close(&c);
	stop_broker(&broker);
}

static void print_row(const char *name, const struct result *r, double quiet_p99, long mem_bound_kib, int *failed)
{
	double ratio = quiet_p99 > 0 ? r->p99 / quiet_p99 : 0;
	int ok = r->p99 <= 10.0 && ratio <= 5.0 && r->hwm_kib <= mem_bound_kib && r->refused == 0;
	if (!ok)
		(*failed)++;
	char p50[32], p99[32];
	snprintf(p50, sizeof p50, r->p50 >= 1e6 ? "lost" : "%.2f", r->p50);
	snprintf(p99, sizeof p99, r->p99 >= 1e6 ? "lost" : "%.2f", r->p99);
	printf("  %-13s %9s %9s %8.1fx %9.1f %6zu/%zu  %s\n", name, p50, p99, ratio, (double)r->hwm_kib / 1024.0,
	       r->answered - r->refused, r->answered, ok ? "pass" : "FAIL");
	fflush(stdout);
}

/* Whether name is one of the comma-separated names in list. */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	size_t count = argc > 1 ? strtoul(argv[1], NULL, 10) : 500;
	if (sodium_init() < 0 || count < 100)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	const char *mb = getenv("LIA_BENCH_MEM_MIB");
	long mem_bound_kib = (mb ? strtol(mb, NULL, 10) : 256) * 1024;
	struct noisy n;
	memset(&n, 0, sizeof n);
	bench_env_init(&n.env, "bench_noisy");
	make_party(&n.env, &n.broker, "EU-EXCH/broker", "EU-EXCH", "BE", LIA_ROLE_BROKER, 1);
	make_party(&n.env, &n.victim, "IT-GDF/victim", "IT-GDF", "IT", LIA_ROLE_LIAISON, 0);
	make_party(&n.env, &n.flooder, "IT-PS/flooder", "IT-PS", "IT", LIA_ROLE_LIAISON, 0);
	/* LIA_BENCH_BROKER: more broker.yaml lines, to compare settings
	 * (e.g. "turn_share: 32"); the defaults otherwise. */
	const char *extra = getenv("LIA_BENCH_BROKER");
	char lines[512];
	snprintf(lines, sizeof lines, "%s%s", extra ? extra : "", extra ? "\n" : "");
	bench_env_config(&n.env, lines);
	if (extra)
		printf("  broker settings added: %s\n", extra);
	printf("noisy-neighbour benchmark: victim publishes %zu x 1 KiB at %.0f msgs/s per phase,\n"
	       "latency = Publish sent -> PublishAck; broker restarted per phase, peak = its VmHWM\n",
	       count, VICTIM_RATE);
	publish_big(&n);
	/* LIA_BENCH_ONLY: the floods to run, comma-separated (e.g.
	 * "publish,hello": hello then has the publish flood's history). */
	const char *only = getenv("LIA_BENCH_ONLY");
	printf("  %-13s %9s %9s %9s %9s %8s  %s\n", "phase", "p50 ms", "p99 ms", "p99/quiet", "peak MiB",
	       "ok/ans", "target");
	struct result quiet = phase(&n, F_NONE, count);
	int failed = 0;
	print_row(flood_names[F_NONE], &quiet, quiet.p99, mem_bound_kib, &failed);
	for (int k = F_PUBLISH; k <= F_HALFOPEN; k++) {
		if (only != NULL && !listed(only, flood_names[k]))
			continue;
		struct result r = phase(&n, (enum flood)k, count);
		print_row(flood_names[k], &r, quiet.p99, mem_bound_kib, &failed);
	}
	printf("  targets: p99 <= 10 ms and <= 5x quiet, peak <= %ld MiB, every publish accepted; %d phase(s) failed\n"
	       "  (files in %s)\n", mem_bound_kib / 1024, failed, n.env.dir);
	return failed ? 1 : 0;
}
