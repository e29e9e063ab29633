/*
 * cmd_publish.c — `liaison publish` and `liaison send`: options and
 * printing; the work is publish.h's.
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_int.h"
#include "compose.h"
#include "publish.h"

/* What the options of publish and send ask for. */
struct publish_args {
	const char *cmd;
	const char *direct_to; /* send: the one recipient; NULL for publish */
	struct lia_compose comp;
	struct lia_names to;
	const char *profile, *envelope_file;
	int as_json, timeout_ms;
};

static void publish_help(const char *direct_to)
{
	if (direct_to == NULL)
		puts("usage: " PROG " publish --profile NAME --kind KIND --tlp LEVEL [--to PRINCIPAL]...\n"
		     "          [message options]\n"
		     "\n"
		     "Seals a message and publishes it through the broker. The data key is wrapped\n"
		     "for every principal in the broker's directory whom the restrictions admit\n"
		     "(and for yourself); the broker then decides, for every addressed principal\n"
		     "and every matching feed subscriber, whether it may receive it, records each\n"
		     "decision in the ledger, and acknowledges once all is durable.\n"
		     "\n"
		     "  --profile NAME      connection profile (or LIAISON_PROFILE)\n"
		     "  --to PRINCIPAL      address a principal directly (repeatable)\n"
		     "  --envelope FILE     publish an envelope sealed earlier ('liaison seal') instead\n"
		     "                      of composing one; it must be yours\n"
		     "  --json              print the acknowledgement as JSON\n"
		     "  --timeout-ms N      how long to wait for the broker (default 10000)\n");
	else
		puts("usage: " PROG " send PRINCIPAL --profile NAME [--kind KIND] [--tlp LEVEL]\n"
		     "          [message options]\n"
		     "\n"
		     "A direct message to one principal: by default a note (--text), TLP RED and\n"
		     "releasable to that principal only.\n");
	lia_compose_help(stdout);
	puts("\nexamples:\n"
	     "  " PROG " publish --profile ventimiglia --kind route --tlp AMBER --handling H2 \\\n"
	     "      --region MED-CENTRAL --title \"Night departures from Zuwara\" --set mode=sea\n"
	     "  " PROG " send MT-AFM/valletta --profile ventimiglia --text \"call me on the secure line\"");
}

/* The option loop. Returns -1 to go on, or the exit status to return at
 * once (help printed, or a usage error). */
static int publish_options(struct publish_args *a, int argc, char **argv,
			   const struct option *opts)
{
	char err[LIA_ERR_MAX];
	uint64_t u;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: a->profile = optarg; continue;
		case O_JSON: a->as_json = 1; continue;
		case O_ENVELOPE: a->envelope_file = optarg; continue;
		case O_TIMEOUT:
			if (lia_parse_u64(optarg, &u) != 0 || u < 100 || u > 600000)
				return lia_usage_error(a->cmd, "--timeout-ms: 100 to 600000");
			a->timeout_ms = (int)u;
			continue;
		case O_TO:
			if (!lia_name_is_subject(optarg) || lia_names_has(&a->to, optarg) ||
			    lia_names_add(&a->to, optarg) != 0)
				return lia_usage_error(a->cmd, "--to: a principal like MT-AFM/valletta, each once");
			continue;
		case O_HELP:
			publish_help(a->direct_to);
			return LIA_EXIT_OK;
		default: {
			int r = lia_compose_option(&a->comp, c, optarg, err);
			if (r == 1)
				continue;
			return lia_usage_error(a->cmd, r < 0 ? err : "invalid option");
		}
		}
	}
	if (optind != argc)
		return lia_usage_error(a->cmd, "unexpected argument");
	return -1;
}

static void print_result(const struct publish_args *a, const struct lia_publish_result *r)
{
	if (a->as_json)
		lia_json_print(json_pack("{s:s, s:b, s:b, s:I, s:i, s:i, s:s, s:s, s:s}", "id", r->id_hex,
				     "accepted", r->accepted, "duplicate", r->duplicate, "sequence",
				     (json_int_t)r->sequence, "disclosed", (int)r->disclosed,
				     "withheld", (int)r->withheld, "refusal",
				     r->accepted ? "" : lia_refusal_str(r->refusal), "rule", r->rule,
				     "reason", r->reason));
	else if (r->accepted)
		printf("published %s (sequence %" PRIu64 "): disclosed to %u, withheld from %u%s\n",
		       r->id_hex, r->sequence, r->disclosed, r->withheld,
		       r->duplicate ? " (already published)" : "");
}

/* An envelope sealed earlier (--envelope): its bytes and its id. */
static int read_envelope(struct publish_args *a, uint8_t **env, size_t *env_len)
{
	char err[LIA_ERR_MAX];
	struct lia_envelope *pre = NULL;
	if (lia_file_read(a->envelope_file, LIA_ENVELOPE_MAX, env, env_len, err) != 0)
		return lia_cmd_fail(a->cmd, LIA_EXIT_FAIL, err);
	if (lia_envelope_decode(&pre, *env, *env_len) != LIA_ENV_OK)
		return lia_cmd_fail(a->cmd, LIA_EXIT_FAIL, "the envelope file does not decode");
	memcpy(a->comp.hdr.id, lia_envelope_header(pre)->id, LIA_ID_BYTES);
	lia_envelope_destroy(&pre);
	return LIA_EXIT_OK;
}

/* Compose (or read) the message, connect, publish, print. */
static int publish_run(struct publish_args *a)
{
	char err[LIA_ERR_MAX];
	uint8_t *body = NULL, *env = NULL;
	size_t body_len = 0, env_len = 0;
	struct lia_client cl;
	memset(&cl, 0, sizeof cl);
	int rc;
	if (a->envelope_file != NULL)
		rc = read_envelope(a, &env, &env_len);
	else if (lia_compose_finish(&a->comp, &body, &body_len, err) != 0)
		rc = lia_usage_error(a->cmd, err);
	else
		rc = LIA_EXIT_OK;
	if (rc == LIA_EXIT_OK)
		rc = lia_cmd_connect(&cl, a->cmd, a->profile, LIA_ID_SIGN | LIA_ID_BOX, false, 0,
				     a->timeout_ms);
	if (rc == LIA_EXIT_OK) {
		struct lia_publish_result res;
		rc = lia_publish(&cl, &a->comp.hdr, body, body_len, env, env_len, &a->to, &res, err);
		if (res.answered)
			print_result(a, &res);
		if (rc != LIA_EXIT_OK && !(res.answered && a->as_json))
			lia_cmd_fail(a->cmd, rc, err);
	}
	free(env);
	free(body);
	lia_agent_done(&cl, NULL);
	return rc;
}

static int publish_common(const char *cmd, int argc, char **argv, const char *direct_to)
{
	static const struct option own[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"to", required_argument, NULL, O_TO},
		{"timeout-ms", required_argument, NULL, O_TIMEOUT},
		{"envelope", required_argument, NULL, O_ENVELOPE},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
	};
	size_t n = lia_compose_option_count(), n_own = sizeof own / sizeof own[0];
	struct option *opts = calloc(n + n_own + 1, sizeof *opts);
	if (opts == NULL)
		return LIA_EXIT_FAIL;
	memcpy(opts, lia_compose_options, n * sizeof *opts);
	memcpy(opts + n, own, n_own * sizeof *opts);
	struct publish_args a = {.cmd = cmd, .direct_to = direct_to,
				 .timeout_ms = DEFAULT_TIMEOUT_MS};
	lia_compose_init(&a.comp);
	int rc = -1;
	if (direct_to != NULL) {
		if (!lia_name_is_subject(direct_to) || lia_names_add(&a.to, direct_to) != 0)
			rc = lia_usage_error(cmd, "the recipient must be a principal like MT-AFM/valletta");
		a.comp.hdr.kind = LIA_KIND_NOTE;
		a.comp.hdr.restrictions.tlp = LIA_TLP_RED;
	}
	if (rc < 0)
		rc = publish_options(&a, argc, argv, opts);
	struct lia_restrictions *r = &a.comp.hdr.restrictions;
	if (rc < 0 && direct_to != NULL && r->release_principals.n == 0 && r->tlp == LIA_TLP_RED &&
	    lia_names_add(&r->release_principals, direct_to) != 0)
		rc = LIA_EXIT_FAIL;
	if (rc < 0)
		rc = publish_run(&a);
	lia_compose_clear(&a.comp);
	free(opts);
	return rc;
}

int lia_cmd_publish(int argc, char **argv)
{
	return publish_common("publish", argc, argv, NULL);
}

int lia_cmd_send(int argc, char **argv)
{
	if (argc >= 2 && argv[1][0] != '-') {
		const char *to = argv[1];
		argv[1] = argv[0];
		return publish_common("send", argc - 1, argv + 1, to);
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0)
			return publish_common("send", argc, argv, "X-X/help");
	return lia_usage_error("send", "name the recipient first: send PRINCIPAL --profile NAME ...");
}
