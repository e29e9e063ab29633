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
#include <limits.h>
#include <unistd.h>

#include "backup.h"
#include "broker.h"
#include "cli.h"
#include "config.h"
#include "keyfile.h"
#include "util.h"
#include "version.h"

#define PROG "liaison-broker"

enum { O_CONFIG = 'c', O_CHECK = 1, O_VERSION, O_ACCEPT_LEDGER, O_OUT = 'o' };

static const struct lia_opt opts[] = {
	{"config", "FILE", "the configuration (YAML; see docs/operations.md)", O_CONFIG,
	 LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"check", NULL, "check store, ledger, keys and policy, then exit (writes nothing)", O_CHECK, 0},
	{"accept-ledger", "SIZE", "accept once a rolled-back ledger of SIZE records (see below)",
	 O_ACCEPT_LEDGER, 0},
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
		 "At start the broker checks its database (PRAGMA quick_check) and verifies its\n"
		 "whole ledger with its own key, and compares it with what it kept beside the\n"
		 "store (data/ledger.checkpoint, the last checkpoint it signed; data/ledger.size,\n"
		 "the records it committed). A damaged ledger, or one rolled back (a restore, a\n"
		 "lost or damaged WAL: it says how many acknowledged records are missing), is\n"
		 "refused with exit 3; only the latter can be accepted, with --accept-ledger.\n"
		 "\n"
		 "liaison-broker backup --config FILE --out FILE copies the store and ledger\n"
		 "while the broker runs (see liaison-broker backup --help).\n"
		 "\n"
		 "exit status: 0 clean stop, 1 failure, 2 usage error, 3 the store failed its\n"
		 "checks (damaged or rolled back: do not restart it blindly; see\n"
		 "docs/operations.md, Failures).",
	.examples = PROG " --config /etc/liaison/broker.yaml\n"
		    PROG " --config /etc/liaison/broker.yaml --check\n"
		    PROG " backup --config /etc/liaison/broker.yaml --out /backup/liaison-2026-12-02.db",
	.opts = opts,
};

/* --- backup (issue 12, item 6) --- */

static const struct lia_opt backup_opts[] = {
	{"config", "FILE", "the broker's configuration (its data folder holds liaison.db)", O_CONFIG,
	 LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	{"out", "FILE", "the copy to create (0600; an existing file is refused)", O_OUT,
	 LIA_OPT_REQUIRED | LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_cmd_spec backup_spec = {
	.prog = PROG,
	.name = "backup",
	.about = "Copies the broker's database (store and ledger) into a new file with SQLite's\n"
		 "online backup API: a consistent snapshot of the last commit, taken while the\n"
		 "broker runs and without stopping it. The copy is one self-contained file,\n"
		 "created 0600 (never over an existing file or through a symbolic link) and\n"
		 "checked with PRAGMA quick_check; what it holds is printed: pages, bytes, ledger\n"
		 "records and the latest signed checkpoint.\n"
		 "\n"
		 "Restoring a copy rolls the ledger back to it: agents that saw a later\n"
		 "checkpoint refuse the broker (exit 3). Read docs/operations.md, \"Backups and\n"
		 "restores\", before restoring.",
	.examples = PROG " backup --config /etc/liaison/broker.yaml --out /backup/liaison-2026-12-02.db",
	.opts = backup_opts,
	.footer = "exit status: 0 copied, 1 failure (nothing is left behind), 2 usage error.",
};

struct backup_args {
	const char *config, *out;
};

static int on_backup_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct backup_args *a = ctx;
	(void)err;
	if (id == O_CONFIG)
		a->config = arg;
	else
		a->out = arg;
	return 0;
}

static int run_backup(int argc, char **argv)
{
	char err[LIA_ERR_MAX], db[PATH_MAX];
	struct backup_args a = {NULL, NULL};
	int first;
	int rc = lia_cli_parse(&backup_spec, argc, argv, NULL, on_backup_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&backup_spec, "unexpected argument \"%.64s\"", argv[first]);
	struct lia_broker_config cfg;
	if (lia_broker_config_load(&cfg, a.config, err) != 0) {
		fprintf(stderr, PROG " backup: %s\n", err);
		return LIA_EXIT_FAIL;
	}
	int w = snprintf(db, sizeof db, "%s/liaison.db", cfg.data);
	if (w < 0 || (size_t)w >= sizeof db) {
		fprintf(stderr, PROG " backup: data folder path too long\n");
		return LIA_EXIT_FAIL;
	}
	struct lia_backup_info info;
	if (lia_store_backup(db, a.out, &info, err) != 0) {
		fprintf(stderr, PROG " backup: %s\n", err);
		return LIA_EXIT_FAIL;
	}
	printf("copied \"%s\" to \"%s\" (0600)\n", db, a.out);
	printf("pages         %llu (%llu bytes)\n", (unsigned long long)info.pages, (unsigned long long)info.bytes);
	printf("ledger        %llu records, origin %s\n", (unsigned long long)info.ledger_records, info.origin);
	if (info.has_checkpoint) {
		char root[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
		sodium_bin2base64(root, sizeof root, info.checkpoint.root, 32, sodium_base64_VARIANT_ORIGINAL);
		printf("checkpoint    %llu records, root %s\n", (unsigned long long)info.checkpoint.size, root);
	} else {
		printf("checkpoint    none yet\n");
	}
	printf("quick_check   ok\n");
	return LIA_EXIT_OK;
}

struct broker_args {
	const char *config;
	struct lia_broker_start start;
};

static int on_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct broker_args *a = ctx;
	switch (id) {
	case O_CONFIG: a->config = arg; return 0;
	case O_CHECK: a->start.check = true; return 0;
	case O_ACCEPT_LEDGER:
		if (lia_parse_u64(arg, &a->start.accept_ledger) != 0)
			return lia_errf(err, "--accept-ledger: a number of records, as the refusal names it");
		a->start.has_accept_ledger = true;
		return 0;
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
	if (argc > 1 && strcmp(argv[1], "backup") == 0) {
		if (sodium_init() < 0) {
			fputs(PROG ": libsodium failed to initialise\n", stderr);
			return LIA_EXIT_FAIL;
		}
		return run_backup(argc - 1, argv + 1);
	}
	struct broker_args a;
	memset(&a, 0, sizeof a);
	int first;
	int rc = lia_cli_parse(&spec, argc, argv, NULL, on_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return lia_cli_usage_error(&spec, "unexpected argument \"%.64s\"", argv[first]);
	if (a.start.check && a.start.has_accept_ledger)
		return lia_cli_usage_error(&spec, "--check writes nothing: it cannot accept a ledger");
	if (sodium_init() < 0) {
		fputs(PROG ": libsodium failed to initialise\n", stderr);
		return LIA_EXIT_FAIL;
	}
	struct lia_broker_config cfg;
	if (lia_broker_config_load(&cfg, a.config, err) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return LIA_EXIT_FAIL;
	}
	if (a.start.check)
		snprintf(cfg.listen, sizeof cfg.listen, "inproc://check");
	struct lia_broker *b = lia_broker_new(&cfg, &a.start, err);
	if (b == NULL) {
		fprintf(stderr, PROG ": %s\n", err);
		if (a.start.refused)
			fprintf(stderr, PROG ": refusing to start; %s\n", a.start.todo);
		return a.start.refused ? LIA_EXIT_VERIFY : LIA_EXIT_FAIL;
	}
	rc = 0;
	if (a.start.check)
		printf("database, ledger, configuration, keys, certificates and policy are in order\n");
	else
		rc = lia_broker_run(b, notify_ready);
	lia_broker_destroy(&b);
	return rc == 0 ? LIA_EXIT_OK : LIA_EXIT_FAIL;
}
