/*
 * liaison-broker — the daemon. Reads its configuration, runs in the
 * foreground (under systemd with Type=notify, it says READY=1 once it
 * listens), reloads policy, certificates and revocations on SIGHUP, and
 * stops cleanly on SIGTERM.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "broker.h"
#include "config.h"
#include "util.h"

#define PROG "liaison-broker"

static void usage(FILE *f)
{
	fputs("usage: " PROG " --config FILE [--check]\n"
	      "\n"
	      "The Liaison broker: authenticates agents over CurveZMQ, verifies every\n"
	      "envelope, decides every disclosure under the exchange policy, records it in\n"
	      "the ledger, and delivers only after the record is durable.\n"
	      "\n"
	      "  --config FILE   the configuration (YAML; see docs/operations.md)\n"
	      "  --check         load everything, report, and exit without listening\n"
	      "  --help, --version\n"
	      "\n"
	      "signals: SIGHUP reloads policy, certificates and the revocation list (a bad\n"
	      "file keeps the old one and says why); SIGTERM and SIGINT stop cleanly.\n"
	      "The operational log goes to stderr, one event a line.\n"
	      "\n"
	      "example:\n"
	      "  " PROG " --config /etc/liaison/broker.yaml\n"
	      "\n"
	      "exit status: 0 clean stop, 1 failure, 2 usage error.\n",
	      f);
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
	const char *config = NULL;
	int check = 0, c;
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'k': check = 1; break;
		case 'h': usage(stdout); return LIA_EXIT_OK;
		case 'V': lia_print_version(stdout, PROG); return LIA_EXIT_OK;
		default: usage(stderr); return LIA_EXIT_USAGE;
		}
	}
	if (config == NULL || optind != argc) {
		usage(stderr);
		return LIA_EXIT_USAGE;
	}
	if (sodium_init() < 0) {
		fputs(PROG ": libsodium failed to initialise\n", stderr);
		return LIA_EXIT_FAIL;
	}
	char err[LIA_ERR_MAX];
	struct lia_broker_config cfg;
	if (lia_broker_config_load(&cfg, config, err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return LIA_EXIT_FAIL;
	}
	if (check)
		snprintf(cfg.listen, sizeof cfg.listen, "inproc://check");
	struct lia_broker *b = lia_broker_new(&cfg, err);
	if (b == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		return LIA_EXIT_FAIL;
	}
	int rc = 0;
	if (check)
		printf("configuration, keys, certificates and policy are in order\n");
	else
		rc = lia_broker_run(b, notify_ready);
	lia_broker_destroy(&b);
	return rc == 0 ? LIA_EXIT_OK : LIA_EXIT_FAIL;
}
