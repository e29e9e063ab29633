/*
 * liaison-broker — the daemon. Reads its configuration, runs in the
 * foreground (under systemd with Type=notify, it says READY=1 once it
 * listens), reloads policy, certificates and revocations on SIGHUP, and
 * stops cleanly on SIGTERM.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "broker.h"
#include "cli.h"
#include "config.h"
#include "keyfile.h"
#include "util.h"
#include "version.h"

#define PROG "liaison-broker"

enum { O_CONFIG = 'c', O_CHECK = 1, O_VERSION };

static const struct lia_opt opts[] = {
	{"config", "FILE", "the configuration (YAML; see docs/operations.md)", O_CONFIG,
	 LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"check", NULL, "load everything, report, and exit without listening", O_CHECK, 0},
	{"version", NULL, "print the version and the linked libraries", O_VERSION, 0},
	LIA_OPT_END,
};

static const struct lia_cmd_spec spec = {
	.prog = PROG,
	.about = "The Liaison broker: authenticates agents over CurveZMQ, verifies every\n"
		 "envelope, decides every disclosure under the exchange policy, records it in\n"
		 "the ledger, and delivers only after the record is durable.",
	.footer = "signals: SIGHUP reloads policy, certificates and the revocation list (a bad\n"
		 "file keeps the old one and says why); SIGTERM and SIGINT stop cleanly.\n"
		 "The operational log goes to stderr, one event a line.\n"
		 "\n"
		 "exit status: 0 clean stop, 1 failure, 2 usage error.",
	.examples = PROG " --config /etc/liaison/broker.yaml",
	.opts = opts,
};

struct broker_args {
	const char *config;
	bool check;
};

static int on_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct broker_args *a = ctx;
	(void)err;
	switch (id) {
	case O_CONFIG: a->config = arg; return 0;
	case O_CHECK: a->check = true; return 0;
	case O_VERSION: lia_version_print(stdout, PROG); return LIA_CLI_DONE;
	}
	return -1;
}

/* systemd readiness (sd_notify without libsystemd): one datagram. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	size_t n = strlen(path);
	if (n >= sizeof sa.sun_path)
		return;
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	close(fd);
}

int main(int argc, char **argv)
{
	char err[LIA_ERR_MAX];
	/* Before any key is loaded: libzmq's copy of our CURVE secret must
	 * never reach a core file (docs/security.md, item 8). */
	if (lia_process_no_core(err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return LIA_EXIT_FAIL;
	}
	struct broker_args a = {NULL, false};
	int first;
	int rc = lia_cli_parse(&spec, argc, argv, NULL, on_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&spec, "unexpected argument \"%.64s\"", argv[first]);
	if (sodium_init() < 0) {
		fputs(PROG ": libsodium failed to initialise\n", stderr);
		return LIA_EXIT_FAIL;
	}
	struct lia_broker_config cfg;
	if (lia_broker_config_load(&cfg, a.config, err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return LIA_EXIT_FAIL;
	}
	if (a.check)
		snprintf(cfg.listen, sizeof cfg.listen, "inproc://check");
	struct lia_broker *b = lia_broker_new(&cfg, err);
	if (b == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return LIA_EXIT_FAIL;
	}
	rc = 0;
	if (a.check)
		printf("configuration, keys, certificates and policy are in order\n");
	else
		rc = lia_broker_run(b, notify_ready);
	lia_broker_destroy(&b);
	return rc == 0 ? LIA_EXIT_OK : LIA_EXIT_FAIL;
}
