/*
 * online.c — the commands that talk to a broker: profile, publish, send,
 * subscribe, unsubscribe, feeds, listen, inbox, read, disclosures,
 * directory, checkpoint.
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder, so
 * nobody repeats flags; secrets still come only from key files and
 * passphrase files.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "body.h"
#include "client.h"
#include "commands.h"
#include "compose.h"
#include "envelope.h"
#include "util.h"

#define DEFAULT_TIMEOUT_MS 10000

enum {
	O_PROFILE = 1, O_JSON, O_HELP, O_TIMEOUT, O_TO, O_COUNT, O_WAIT, O_AFTER, O_LIMIT,
	O_KIND, O_REGION, O_AGENCY, O_MINEVAL, O_BROKER, O_BROKER_CERT, O_KEYS, O_AUTH, O_PASS,
	O_ENVELOPE, O_PURPOSE,
};

static int fail(const char *cmd, int code, const char *msg)
{
	fprintf(stderr, PROG " %s: %s\n", cmd, msg);
	return code;
}

/* Common: --profile or $LIAISON_PROFILE, then connect. */
static int connect_profile(struct lia_client *c, const char *cmd, const char *profile, unsigned which,
			   bool receive, uint32_t window, int timeout_ms)
{
	char err[LIA_ERR_MAX];
	if (profile == NULL)
		profile = getenv("LIAISON_PROFILE");
	if (profile == NULL || profile[0] == '\0')
		return lia_usage_error(cmd, "--profile NAME is required (or set LIAISON_PROFILE)");
	struct lia_profile p;
	if (lia_profile_load(&p, profile, err) != 0)
		return fail(cmd, LIA_EXIT_FAIL, err);
	int rc = lia_client_open(c, &p, which, receive, window, timeout_ms, err);
	if (rc != LIA_EXIT_OK)
		return fail(cmd, rc, err);
	return LIA_EXIT_OK;
}

static int error_reply(const char *cmd, const struct lia_frame *f)
{
	char msg[LIA_ERR_MAX];
	snprintf(msg, sizeof msg, "the broker answered: %s: %.200s", lia_error_code_str(f->u.error.code),
		 f->u.error.detail);
	return fail(cmd, lia_client_error_exit(f), msg);
}

/* Connect, send req, wait for its reply. On LIA_EXIT_OK *rep is a reply
 * of type `expect`; an error or any other type was printed and refused
 * (the caller reads the union member of `expect` only: a broker must not
 * make us read another). The caller clears *rep and closes *cl (both
 * safe after a failure). */
static int call_once(const char *cmd, const char *profile, unsigned which, struct lia_client *cl,
		     struct lia_frame *req, struct lia_frame *rep, enum lia_frame_type expect)
{
	char err[LIA_ERR_MAX];
	memset(rep, 0, sizeof *rep);
	memset(cl, 0, sizeof *cl);
	int rc = connect_profile(cl, cmd, profile, which, false, 0, DEFAULT_TIMEOUT_MS);
	if (rc != LIA_EXIT_OK)
		return rc;
	rc = lia_client_call(cl, req, rep, err);
	if (rc != LIA_EXIT_OK)
		return fail(cmd, rc, err);
	if (rep->type == LIA_FRAME_ERROR)
		return error_reply(cmd, rep);
	if (rep->type != expect)
		return fail(cmd, LIA_EXIT_FAIL, "unexpected answer from the broker");
	return LIA_EXIT_OK;
}

static void call_done(struct lia_client *cl, struct lia_frame *rep)
{
	lia_frame_clear(rep);
	if (cl->zctx != NULL)
		lia_client_close(cl);
}

/* The option loop of the commands that take only --profile, --json (when
 * json_ok) and --help. Returns -1 to go on, or the exit status to return
 * at once (help printed, or a usage error). */
static int simple_options(const char *cmd, int argc, char **argv, const char *help, bool json_ok,
			  const char **profile, int *as_json)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	int c;
	*profile = NULL;
	*as_json = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == O_PROFILE)
			*profile = optarg;
		else if (c == O_JSON && json_ok)
			*as_json = 1;
		else if (c == O_HELP) {
			puts(help);
			return LIA_EXIT_OK;
		} else
			return lia_usage_error(cmd, "invalid option");
	}
	return -1;
}

/* --- profile --- */

int lia_cmd_profile(int argc, char **argv)
{
	static const struct option opts[] = {
		{"broker", required_argument, NULL, O_BROKER},
		{"broker-cert", required_argument, NULL, O_BROKER_CERT},
		{"keys", required_argument, NULL, O_KEYS},
		{"authority-key", required_argument, NULL, O_AUTH},
		{"passphrase-file", required_argument, NULL, O_PASS},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	struct lia_profile p;
	memset(&p, 0, sizeof p);
	const char *vals[5] = {0};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_BROKER: vals[0] = optarg; break;
		case O_BROKER_CERT: vals[1] = optarg; break;
		case O_KEYS: vals[2] = optarg; break;
		case O_AUTH: vals[3] = optarg; break;
		case O_PASS: vals[4] = optarg; break;
		case O_HELP:
			puts("usage: " PROG " profile create NAME --broker ENDPOINT --broker-cert FILE --keys DIR\n"
			     "          --authority-key FILE [--passphrase-file FILE]\n"
			     "       " PROG " profile show NAME\n"
			     "\n"
			     "A profile names a broker connection and your key folder, so other commands take\n"
			     "only --profile NAME (or LIAISON_PROFILE=NAME). Profiles are YAML files in\n"
			     "$LIAISON_PROFILES or ~/.config/liaison; NAME may also be a path to one.\n"
			     "Paths are stored as given: give absolute paths.\n"
			     "\n"
			     "example:\n"
			     "  " PROG " profile create ventimiglia --broker tcp://broker.example:7400 \\\n"
			     "      --broker-cert /etc/liaison/broker.crt --keys ~/liaison/keys \\\n"
			     "      --authority-key /etc/liaison/authority.pub");
			return LIA_EXIT_OK;
		default: return lia_usage_error("profile", "invalid option");
		}
	}
	if (optind + 2 != argc)
		return lia_usage_error("profile", "expected \"create NAME\" or \"show NAME\"");
	const char *verb = argv[optind], *name = argv[optind + 1];
	char err[LIA_ERR_MAX], path[PATH_MAX];
	if (strcmp(verb, "show") == 0) {
		if (lia_profile_load(&p, name, err) != 0)
			return fail("profile", LIA_EXIT_FAIL, err);
		printf("broker              %s\nbroker_certificate  %s\nkeys                %s\n"
		       "authority_key       %s\npassphrase_file     %s\n",
		       p.broker, p.broker_certificate, p.keys, p.authority_key,
		       p.passphrase_file[0] ? p.passphrase_file : "-");
		return LIA_EXIT_OK;
	}
	if (strcmp(verb, "create") != 0)
		return lia_usage_error("profile", "expected \"create NAME\" or \"show NAME\"");
	if (vals[0] == NULL || vals[1] == NULL || vals[2] == NULL || vals[3] == NULL)
		return lia_usage_error("profile", "--broker, --broker-cert, --keys and --authority-key are required");
	char *fields[5] = {p.broker, p.broker_certificate, p.keys, p.authority_key, p.passphrase_file};
	size_t sizes[5] = {sizeof p.broker, PATH_MAX, PATH_MAX, PATH_MAX, PATH_MAX};
	for (int i = 0; i < 5; i++) {
		if (vals[i] == NULL)
			continue;
		if (strlen(vals[i]) >= sizes[i])
			return lia_usage_error("profile", "a value is too long");
		memcpy(fields[i], vals[i], strlen(vals[i]) + 1);
	}
	if (lia_profile_save(&p, name, path, err) != 0)
		return fail("profile", LIA_EXIT_FAIL, err);
	printf("profile %s written to %s\n", name, path);
	return LIA_EXIT_OK;
}

/* --- publish / send --- */

/* Whom to wrap the data key for: the marking's audience rule
 * (core/marking.h), as the broker's decide() applies it, with what the
 * agent cannot know taken as admitting. The agent has no exchange policy,
 * so region membership and the policy's floors are left to the broker:
 * wrapping for fewer principals than decide() permits would lose
 * deliveries (envelope.no-wrap); wrapping for more discloses nothing. */
static bool audience_admits(const struct lia_header *h, const struct lia_cert *self,
			    const struct lia_cert *c)
{
	const struct lia_audience a = {&h->restrictions, h->restrictions.tlp,
				       h->restrictions.handling, self->agency};
	return lia_audience_refusals(&a, c, true) == 0;
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
	struct lia_compose comp;
	lia_compose_init(&comp);
	struct lia_names to = {0};
	const char *profile = NULL, *envelope_file = NULL;
	int as_json = 0, timeout_ms = DEFAULT_TIMEOUT_MS, c, rc = LIA_EXIT_FAIL;
	char err[LIA_ERR_MAX];
	uint64_t u;
	struct lia_client cl;
	memset(&cl, 0, sizeof cl);
	uint8_t *body = NULL, *env = NULL;
	size_t body_len = 0, env_len = 0;
	const struct lia_cert **rcpt = NULL;
	struct lia_sealer *sealer = NULL;
	struct lia_frame req, rep;
	memset(&rep, 0, sizeof rep);

	if (direct_to != NULL) {
		if (!lia_name_is_subject(direct_to) || lia_names_add(&to, direct_to) != 0) {
			rc = lia_usage_error(cmd, "the recipient must be a principal like MT-AFM/valletta");
			goto done;
		}
		comp.hdr.kind = LIA_KIND_NOTE;
		comp.hdr.restrictions.tlp = LIA_TLP_RED;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; continue;
		case O_JSON: as_json = 1; continue;
		case O_ENVELOPE: envelope_file = optarg; continue;
		case O_TIMEOUT:
			if (lia_parse_u64(optarg, &u) != 0 || u < 100 || u > 600000) {
				rc = lia_usage_error(cmd, "--timeout-ms: 100 to 600000");
				goto done;
			}
			timeout_ms = (int)u;
			continue;
		case O_TO:
			if (!lia_name_is_subject(optarg) || lia_names_has(&to, optarg) || lia_names_add(&to, optarg) != 0) {
				rc = lia_usage_error(cmd, "--to: a principal like MT-AFM/valletta, each once");
				goto done;
			}
			continue;
		case O_HELP:
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
			rc = LIA_EXIT_OK;
			goto done;
		default: {
			int r = lia_compose_option(&comp, c, optarg, err);
			if (r == 1)
				continue;
			rc = lia_usage_error(cmd, r < 0 ? err : "invalid option");
			goto done;
		}
		}
	}
	if (optind != argc) {
		rc = lia_usage_error(cmd, "unexpected argument");
		goto done;
	}
	if (direct_to != NULL && comp.hdr.restrictions.release_principals.n == 0 &&
	    comp.hdr.restrictions.tlp == LIA_TLP_RED && lia_names_add(&comp.hdr.restrictions.release_principals, direct_to) != 0)
		goto done;
	if (envelope_file != NULL) {
		struct lia_envelope *pre = NULL;
		if (lia_file_read(envelope_file, LIA_ENVELOPE_MAX, &env, &env_len, err) != 0) {
			rc = fail(cmd, LIA_EXIT_FAIL, err);
			goto done;
		}
		if (lia_envelope_decode(&pre, env, env_len) != LIA_ENV_OK) {
			rc = fail(cmd, LIA_EXIT_FAIL, "the envelope file does not decode");
			goto done;
		}
		memcpy(comp.hdr.id, lia_envelope_header(pre)->id, LIA_ID_BYTES);
		lia_envelope_destroy(&pre);
	} else if (lia_compose_finish(&comp, &body, &body_len, err) != 0) {
		rc = lia_usage_error(cmd, err);
		goto done;
	}
	rc = connect_profile(&cl, cmd, profile, LIA_ID_SIGN | LIA_ID_BOX, false, 0, timeout_ms);
	if (rc != LIA_EXIT_OK)
		goto done;
	rc = LIA_EXIT_FAIL;
	if (lia_client_directory(&cl, err) != 0) {
		fail(cmd, LIA_EXIT_FAIL, err);
		goto done;
	}
	for (size_t i = 0; i < to.n; i++)
		if (lia_directory_find(&cl.dir, to.v[i]) == NULL) {
			snprintf(err, sizeof err, "\"%s\" is not in the broker's directory", to.v[i]);
			fail(cmd, LIA_EXIT_FAIL, err);
			goto done;
		}
	/* Wrap for the admitted audience: valid, unrevoked principals. */
	int64_t now = lia_now();
	comp.hdr.created_at = now;
	lia_subject_agency(cl.id.cert.subject, err); /* scratch */
	rcpt = calloc(cl.dir.n + 1, sizeof *rcpt);
	if (rcpt == NULL)
		goto done;
	size_t nr = 0;
	rcpt[nr++] = &cl.id.cert;
	for (size_t i = 0; i < cl.dir.n; i++) {
		const struct lia_cert *cc = &cl.dir.v[i].cert;
		if (strcmp(cc->subject, cl.id.cert.subject) == 0 ||
		    lia_cert_check(cc, &cl.dir.crl, now) != LIA_CERT_OK ||
		    !audience_admits(&comp.hdr, &cl.id.cert, cc))
			continue;
		rcpt[nr++] = cc;
	}
	sealer = lia_sealer_new(&cl.id.cert, cl.id.sign, cl.id.box);
	if (envelope_file != NULL) {
		/* already sealed */
	} else if (sealer == NULL || lia_seal(sealer, &comp.hdr, body, body_len, rcpt, nr, &env, &env_len, err) != 0) {
		fail(cmd, LIA_EXIT_FAIL, sealer ? err : "cannot set up sealing");
		goto done;
	}
	lia_frame_init(&req, LIA_FRAME_PUBLISH, 0);
	req.u.publish.envelope = (struct lia_bytes){env, env_len};
	req.u.publish.to = to;
	rc = lia_client_call(&cl, &req, &rep, err);
	if (rc != LIA_EXIT_OK) {
		fail(cmd, rc, err);
		goto done;
	}
	if (rep.type == LIA_FRAME_ERROR) {
		rc = error_reply(cmd, &rep);
		goto done;
	}
	if (rep.type != LIA_FRAME_PUBLISH_ACK) {
		rc = fail(cmd, LIA_EXIT_FAIL, "unexpected answer from the broker");
		goto done;
	}
	char idh[2 * LIA_ID_BYTES + 1];
	lia_id_hex(idh, comp.hdr.id);
#define a (&rep.u.publish_ack)
	if (as_json)
		lia_json_print(json_pack("{s:s, s:b, s:b, s:I, s:i, s:i, s:s, s:s, s:s}", "id", idh, "accepted",
				     a->accepted, "duplicate", a->duplicate, "sequence", (json_int_t)a->sequence,
				     "disclosed", (int)a->recipients, "withheld", (int)a->withheld, "refusal",
				     a->accepted ? "" : lia_refusal_str(a->refusal), "rule", a->rule, "reason", a->reason));
	if (!a->accepted) {
		if (!as_json)
			fprintf(stderr, PROG " %s: refused by the broker: %s%s%s%s: %s\n", cmd,
				lia_refusal_str(a->refusal), a->rule[0] ? " (rule " : "", a->rule,
				a->rule[0] ? ")" : "", a->reason);
		rc = a->refusal == LIA_REFUSAL_UNAVAILABLE ? LIA_EXIT_UNREACHABLE : LIA_EXIT_REFUSED;
		goto done;
	}
	if (!as_json)
		printf("published %s (sequence %" PRIu64 "): disclosed to %u, withheld from %u%s\n", idh,
		       a->sequence, a->recipients, a->withheld, a->duplicate ? " (already published)" : "");
#undef a
	rc = LIA_EXIT_OK;
done:
	lia_frame_clear(&rep);
	lia_sealer_destroy(&sealer);
	free(rcpt);
	free(env);
	free(body);
	lia_compose_clear(&comp);
	if (cl.zctx != NULL)
		lia_client_close(&cl);
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

/* --- feeds --- */

int lia_cmd_subscribe(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"kind", required_argument, NULL, O_KIND},
		{"region", required_argument, NULL, O_REGION},
		{"agency", required_argument, NULL, O_AGENCY},
		{"min-evaluation", required_argument, NULL, O_MINEVAL},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_SUBSCRIBE, 0);
	struct lia_feed_filter *f = &req.u.subscribe.filter;
	enum lia_kind k;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_KIND:
			if (lia_kind_parse(optarg, &k) != 0)
				return lia_usage_error("subscribe", "--kind: route, carrier, network, document, concealment, ...");
			f->kinds |= 1u << k;
			break;
		case O_REGION:
			if (!lia_name_is_region(optarg) || lia_names_add(&f->regions, optarg) != 0)
				return lia_usage_error("subscribe", "--region: a region like MED-CENTRAL");
			break;
		case O_AGENCY:
			if (!lia_name_is_agency(optarg) || lia_names_add(&f->agencies, optarg) != 0)
				return lia_usage_error("subscribe", "--agency: an agency like IT-GDF");
			break;
		case O_MINEVAL: {
			const char *s = optarg;
			f->min_eval.scheme = LIA_EVAL_EUROPOL_4X4;
			if (strncmp(s, "6x6:", 4) == 0)
				f->min_eval.scheme = LIA_EVAL_ADMIRALTY_6X6, s += 4;
			else if (strncmp(s, "4x4:", 4) == 0)
				s += 4;
			if (strlen(s) != 2 || s[1] < '1' || s[1] > '6')
				return lia_usage_error("subscribe", "--min-evaluation: e.g. B2 or 6x6:C3");
			f->min_eval.source = s[0];
			f->min_eval.information = (uint8_t)(s[1] - '0');
			break;
		}
		case O_HELP:
			puts("usage: " PROG " subscribe FEED --profile NAME [--kind KIND]... [--region REGION]...\n"
			     "          [--agency AGENCY]... [--min-evaluation CODE]\n"
			     "\n"
			     "Creates (or replaces) your persistent feed FEED ([a-z0-9-]{1,32}). Every\n"
			     "criterion given must match; an empty one matches anything. You receive only\n"
			     "what the exchange policy permits: nothing of withheld messages reaches you.\n"
			     "Offline, the broker keeps your deliveries; 'listen' catches up in order.\n"
			     "\n"
			     "example:\n"
			     "  " PROG " subscribe med-routes --profile analysis --kind route --kind carrier \\\n"
			     "      --region MED-CENTRAL --min-evaluation B2");
			return LIA_EXIT_OK;
		default: return lia_usage_error("subscribe", "invalid option");
		}
	}
	if (optind + 1 != argc || !lia_feed_name_valid(argv[optind]))
		return lia_usage_error("subscribe", "name the feed: [a-z0-9-]{1,32}");
	memcpy(req.u.subscribe.name, argv[optind], strlen(argv[optind]) + 1);
	struct lia_client cl;
	int rc = call_once("subscribe", profile, 0, &cl, &req, &rep, LIA_FRAME_OK);
	if (rc == LIA_EXIT_OK)
		printf("subscribed: feed %s\n", req.u.subscribe.name);
	call_done(&cl, &rep);
	return rc;
}

int lia_cmd_unsubscribe(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = simple_options("unsubscribe", argc, argv,
		"usage: " PROG " unsubscribe FEED --profile NAME\n\nRemoves your feed FEED.",
		false, &profile, &as_json);
	if (done >= 0)
		return done;
	if (optind + 1 != argc || !lia_feed_name_valid(argv[optind]))
		return lia_usage_error("unsubscribe", "name the feed");
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_UNSUBSCRIBE, 0);
	memcpy(req.u.unsubscribe.name, argv[optind], strlen(argv[optind]) + 1);
	struct lia_client cl;
	int rc = call_once("unsubscribe", profile, 0, &cl, &req, &rep, LIA_FRAME_OK);
	if (rc == LIA_EXIT_OK)
		printf("unsubscribed: feed %s\n", req.u.unsubscribe.name);
	call_done(&cl, &rep);
	return rc;
}

static json_t *filter_json(const struct lia_feed_filter *f)
{
	json_t *kinds = json_array(), *regions = json_array(), *agencies = json_array();
	for (int k = 1; k <= LIA_KIND_MAX; k++)
		if (f->kinds & (1u << k))
			json_array_append_new(kinds, json_string(lia_kind_str((enum lia_kind)k)));
	for (size_t i = 0; i < f->regions.n; i++)
		json_array_append_new(regions, json_string(f->regions.v[i]));
	for (size_t i = 0; i < f->agencies.n; i++)
		json_array_append_new(agencies, json_string(f->agencies.v[i]));
	char ev[16] = "";
	if (f->min_eval.scheme != LIA_EVAL_NONE)
		snprintf(ev, sizeof ev, "%s:%c%u", lia_eval_scheme_str(f->min_eval.scheme), f->min_eval.source,
			 (unsigned)f->min_eval.information);
	return json_pack("{s:o, s:o, s:o, s:s}", "kinds", kinds, "regions", regions, "originator_agencies",
			 agencies, "min_evaluation", ev);
}

int lia_cmd_feeds(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = simple_options("feeds", argc, argv,
		"usage: " PROG " feeds --profile NAME [--json]\n\nLists your feeds and their filters.",
		true, &profile, &as_json);
	if (done >= 0)
		return done;
	struct lia_client cl;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_FEED_LIST, 0);
	int rc = call_once("feeds", profile, 0, &cl, &req, &rep, LIA_FRAME_FEED_LIST);
	if (rc == LIA_EXIT_OK)
		for (size_t i = 0; i < rep.u.feed_list.n; i++) {
			json_t *j = filter_json(&rep.u.feed_list.v[i].filter);
			json_object_set_new(j, "name", json_string(rep.u.feed_list.v[i].name));
			if (as_json) {
				lia_json_print(j);
			} else {
				char *s = json_dumps(json_object_get(j, "kinds"), JSON_COMPACT);
				char *r = json_dumps(json_object_get(j, "regions"), JSON_COMPACT);
				char *a = json_dumps(json_object_get(j, "originator_agencies"), JSON_COMPACT);
				printf("%-20s kinds %s regions %s agencies %s min %s\n", rep.u.feed_list.v[i].name,
				       s, r, a, json_string_value(json_object_get(j, "min_evaluation"))[0]
						    ? json_string_value(json_object_get(j, "min_evaluation")) : "-");
				free(s);
				free(r);
				free(a);
				json_decref(j);
			}
		}
	call_done(&cl, &rep);
	return rc;
}

/* --- receiving: listen, inbox, read --- */

/* Verify and open a delivered envelope with the originator's certificate
 * from the directory. Prints the failure and returns a status. */
static enum lia_env_status open_delivered(struct lia_client *cl, struct lia_opener *op,
					  const uint8_t *env, size_t len, const char *originator,
					  struct lia_opened *out)
{
	char err[LIA_ERR_MAX];
	memset(out, 0, sizeof *out);
	if (lia_client_directory(cl, err) != 0)
		return LIA_ENV_ORIGINATOR_MISMATCH;
	const struct lia_directory_entry *e = lia_directory_find(&cl->dir, originator);
	if (e == NULL)
		return LIA_ENV_ORIGINATOR_MISMATCH;
	return lia_open(op, env, len, &e->cert, &cl->dir.crl, out);
}

static void print_delivery(const struct lia_opened *o, uint64_t seq, const char *via, int as_json)
{
	json_t *body = lia_body_to_json(o->body, o->body_len);
	char revoked[32] = "";
	if (o->originator_revoked_at != 0)
		lia_time_format(o->originator_revoked_at, revoked);
	if (as_json) {
		json_t *h = lia_header_to_json(&o->header);
		if (revoked[0])
			json_object_set_new(h, "originator_revoked_at", json_string(revoked));
		lia_json_print(json_pack("{s:s, s:I, s:s, s:o, s:o}", "event", "message", "sequence",
				     (json_int_t)seq, "via", via, "header", h, "body", body ? body : json_null()));
		return;
	}
	char idh[2 * LIA_ID_BYTES + 1], title[128];
	lia_id_hex(idh, o->header.id);
	lia_body_title(o->body, o->body_len, title, sizeof title);
	/* The title is the originator's text: no terminal control codes. */
	for (char *t = title; *t != '\0'; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			*t = '?';
	printf("%s  TLP:%-12s %-12s from %-24s via %-12s %s%s%s%s\n", idh,
	       lia_tlp_str(o->header.restrictions.tlp), lia_kind_str(o->header.kind), o->header.originator,
	       via, title[0] ? title : "(no title)", revoked[0] ? "  [signed by a key revoked at " : "",
	       revoked, revoked[0] ? "]" : "");
	fflush(stdout);
	json_decref(body);
}

/* Message ids already shown, so that a redelivery (after a reconnect,
 * or a crash between showing and acknowledging) is shown once. The last
 * SEEN_MAX ids persist in KEYS/seen (16 bytes each, 0600), rewritten
 * compactly when the file has grown to four times that. */
#define SEEN_MAX 4096

struct seen {
	uint8_t ids[SEEN_MAX][LIA_ID_BYTES];
	size_t n, next; /* ring */
	char path[PATH_MAX];
	FILE *log;
};

static bool seen_has(const struct seen *s, const uint8_t id[static LIA_ID_BYTES])
{
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->ids[i], id, LIA_ID_BYTES) == 0)
			return true;
	return false;
}

static void seen_put(struct seen *s, const uint8_t id[static LIA_ID_BYTES])
{
	memcpy(s->ids[s->next], id, LIA_ID_BYTES);
	s->next = (s->next + 1) % SEEN_MAX;
	if (s->n < SEEN_MAX)
		s->n++;
}

static void seen_open(struct seen *s, const char *keys_dir)
{
	char err[LIA_ERR_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int w = snprintf(s->path, sizeof s->path, "%s/seen", keys_dir);
	if (w < 0 || (size_t)w >= sizeof s->path)
		return;
	if (lia_file_read_private(s->path, 4 * SEEN_MAX * LIA_ID_BYTES, &buf, &len, err) == 0) {
		size_t count = len / LIA_ID_BYTES, first = count > SEEN_MAX ? count - SEEN_MAX : 0;
		for (size_t i = first; i < count; i++)
			seen_put(s, buf + i * LIA_ID_BYTES);
		free(buf);
	} else if (access(s->path, F_OK) == 0) {
		/* Too large or unreadable: start afresh from what we keep. */
		unlink(s->path);
	}
	if (s->n > 0 && len / LIA_ID_BYTES >= 2 * SEEN_MAX) {
		/* Compact: only the ring survives. */
		uint8_t *out = malloc(s->n * LIA_ID_BYTES);
		if (out != NULL) {
			for (size_t i = 0; i < s->n; i++)
				memcpy(out + i * LIA_ID_BYTES, s->ids[(s->next + SEEN_MAX - s->n + i) % SEEN_MAX], LIA_ID_BYTES);
			if (lia_file_replace(s->path, out, s->n * LIA_ID_BYTES, 0600, err) != 0)
				fprintf(stderr, PROG " listen: %s\n", err);
			free(out);
		}
	}
	int fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	s->log = fd >= 0 ? fdopen(fd, "ab") : NULL;
}

/* True when id is new: remember it (and persist it). */
static bool seen_add(struct seen *s, const uint8_t id[static LIA_ID_BYTES])
{
	if (seen_has(s, id))
		return false;
	seen_put(s, id);
	if (s->log != NULL) {
		fwrite(id, 1, LIA_ID_BYTES, s->log);
		fflush(s->log);
	}
	return true;
}

static void seen_close(struct seen *s)
{
	if (s->log != NULL)
		fclose(s->log);
	s->log = NULL;
}

int lia_cmd_listen(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"count", required_argument, NULL, O_COUNT},
		{"timeout", required_argument, NULL, O_WAIT},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	int as_json = 0, c;
	uint64_t count = 0, timeout_s = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_COUNT:
			if (lia_parse_u64(optarg, &count) != 0 || count == 0)
				return lia_usage_error("listen", "--count: a positive number");
			break;
		case O_WAIT:
			if (lia_parse_u64(optarg, &timeout_s) != 0 || timeout_s == 0 || timeout_s > 86400 * 365)
				return lia_usage_error("listen", "--timeout: seconds, positive");
			break;
		case O_HELP:
			puts("usage: " PROG " listen --profile NAME [--count N] [--timeout SECONDS] [--json]\n"
			     "\n"
			     "Receives your deliveries (addressed messages and feed matches) as they come,\n"
			     "first everything waiting for you, in the order the broker committed it. Each\n"
			     "is verified and decrypted, printed one line each (--json: one object each),\n"
			     "then acknowledged. A message delivered twice (after a reconnect) is shown once.\n"
			     "Also shown: erase notices (a message expired: purge it; confirmed to the\n"
			     "broker), consent requests about your messages, and answers to yours.\n"
			     "Stops after N messages or SECONDS of silence (exit 0), or on Ctrl-C.\n"
			     "\n"
			     "example:\n"
			     "  " PROG " listen --profile analysis --count 10 --timeout 30");
			return LIA_EXIT_OK;
		default: return lia_usage_error("listen", "invalid option");
		}
	}
	if (optind != argc)
		return lia_usage_error("listen", "unexpected argument");
	struct lia_client cl;
	int rc = connect_profile(&cl, "listen", profile, LIA_ID_BOX, true, 64, DEFAULT_TIMEOUT_MS);
	if (rc != LIA_EXIT_OK)
		return rc;
	char err[LIA_ERR_MAX];
	if (lia_client_directory(&cl, err) != 0) {
		lia_client_close(&cl);
		return fail("listen", LIA_EXIT_FAIL, err);
	}
	struct lia_opener *op = lia_opener_new(&cl.id.cert, cl.id.box);
	struct seen *seen = calloc(1, sizeof *seen);
	if (seen == NULL) {
		lia_client_close(&cl);
		return fail("listen", LIA_EXIT_FAIL, "out of memory");
	}
	seen_open(seen, cl.keys_dir);
	uint64_t got = 0;
	time_t last = time(NULL), last_ping = last;
	rc = LIA_EXIT_OK;
	if (!as_json)
		fprintf(stderr, "listening as %s (%" PRIu64 " waiting)\n", cl.id.cert.subject,
			cl.welcome.u.welcome.pending);
	while (op != NULL && (count == 0 || got < count)) {
		struct lia_frame f;
		int r = lia_client_recv(&cl, &f, 1000);
		time_t now = time(NULL);
		if (r < 0) {
			rc = fail("listen", LIA_EXIT_FAIL, "connection error");
			break;
		}
		if (r == 0) {
			if (timeout_s != 0 && (uint64_t)(now - last) >= timeout_s)
				break;
			if (now - last_ping >= 10) { /* keep the session alive */
				struct lia_frame p;
				lia_frame_init(&p, LIA_FRAME_PING, 0);
				(void)lia_client_send(&cl, &p);
				last_ping = now;
			}
			continue;
		}
		last = now;
		if (f.type == LIA_FRAME_DELIVER) {
			struct lia_opened o;
			enum lia_env_status st = open_delivered(&cl, op, f.u.deliver.envelope.p, f.u.deliver.envelope.len,
								 f.u.deliver.originator, &o);
			if (st == LIA_ENV_OK) {
				if (seen_add(seen, o.header.id)) {
					print_delivery(&o, f.u.deliver.sequence, f.u.deliver.via, as_json);
					got++;
				}
				lia_opened_clear(&o);
			} else if (as_json) {
				lia_json_print(json_pack("{s:s, s:I, s:s, s:s}", "event", "refused", "sequence",
						     (json_int_t)f.u.deliver.sequence, "from", f.u.deliver.originator,
						     "reason", lia_env_status_str(st)));
			} else {
				fprintf(stderr, "delivery %" PRIu64 " from %s failed verification: %s\n",
					f.u.deliver.sequence, f.u.deliver.originator, lia_env_status_str(st));
			}
			/* Acknowledged once handled (shown, or refused and reported),
			 * so that it is not redelivered forever. */
			struct lia_frame ack;
			lia_frame_init(&ack, LIA_FRAME_ACK, 0);
			ack.u.ack.v[0] = f.u.deliver.sequence;
			ack.u.ack.n = 1;
			(void)lia_client_send(&cl, &ack);
		} else if (f.type == LIA_FRAME_ERASE) {
			char idh[2 * LIA_ID_BYTES + 1];
			lia_id_hex(idh, f.u.erase.message_id);
			if (as_json)
				lia_json_print(json_pack("{s:s, s:s, s:I}", "event", "erase", "id", idh, "expired_at",
						     (json_int_t)f.u.erase.expired_at));
			else
				printf("%s  ERASE: the message expired; purge every copy of it\n", idh);
			/* This agent keeps no copy of its own beyond what it printed:
			 * confirm, so that the broker stops owing the notice. */
			struct lia_frame ack;
			lia_frame_init(&ack, LIA_FRAME_ACK, 0);
			ack.u.ack.v[0] = f.u.erase.sequence;
			ack.u.ack.n = 1;
			ack.u.ack.erased = true;
			(void)lia_client_send(&cl, &ack);
		} else if (f.type == LIA_FRAME_CONSENT_LIST && f.u.consent_list.n == 1) {
			/* A request about our message, or the answer to ours. */
			const struct lia_consent_request *cr = &f.u.consent_list.v[0];
			char idh[2 * LIA_ID_BYTES + 1];
			lia_id_hex(idh, cr->message_id);
			if (as_json)
				lia_json_print(json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "event", "consent",
							 "request", (json_int_t)cr->request, "state",
							 lia_consent_state_str(cr->state), "id", idh, "requested_by",
							 cr->requested_by, "grantee", cr->grantee, "purpose", cr->purpose,
							 "reason", cr->reason));
			else if (cr->state == LIA_CONSENT_PENDING)
				printf("%s  CONSENT REQUEST %" PRIu64 ": %s asks to pass it to %s: \"%s\"\n"
				       "    answer: " PROG " consent grant %" PRIu64 "  or  " PROG
				       " consent refuse %" PRIu64 " --reason TEXT\n",
				       idh, cr->request, cr->requested_by, cr->grantee, cr->purpose, cr->request,
				       cr->request);
			else
				printf("%s  CONSENT %s for %s (request %" PRIu64 ")%s%s%s\n", idh,
				       cr->state == LIA_CONSENT_GRANTED ? "GRANTED" : "REFUSED", cr->grantee,
				       cr->request, cr->reason[0] ? ": \"" : "", cr->reason, cr->reason[0] ? "\"" : "");
		} else if (f.type == LIA_FRAME_ERROR) {
			rc = error_reply("listen", &f);
			lia_frame_clear(&f);
			break;
		}
		lia_frame_clear(&f);
	}
	seen_close(seen);
	free(seen);
	lia_opener_destroy(&op);
	lia_client_close(&cl);
	return rc;
}

int lia_cmd_inbox(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"after", required_argument, NULL, O_AFTER},
		{"limit", required_argument, NULL, O_LIMIT},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	int as_json = 0, c;
	uint64_t after = 0, limit = 100;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_AFTER:
			if (lia_parse_u64(optarg, &after) != 0)
				return lia_usage_error("inbox", "--after: a delivery number");
			break;
		case O_LIMIT:
			if (lia_parse_u64(optarg, &limit) != 0 || limit == 0 || limit > LIA_LIST_REPLY_MAX)
				return lia_usage_error("inbox", "--limit: 1 to 1000");
			break;
		case O_HELP:
			puts("usage: " PROG " inbox --profile NAME [--after N] [--limit N] [--json]\n"
			     "\n"
			     "Lists what was delivered to you: delivery number, message id, originator, kind,\n"
			     "and whether you acknowledged it. Read one with '" PROG " read ID'.");
			return LIA_EXIT_OK;
		default: return lia_usage_error("inbox", "invalid option");
		}
	}
	struct lia_client cl;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_INBOX, 0);
	req.u.inbox.after = after;
	req.u.inbox.limit = (uint32_t)limit;
	int rc = call_once("inbox", profile, 0, &cl, &req, &rep, LIA_FRAME_INBOX_LIST);
	if (rc == LIA_EXIT_OK)
		for (size_t i = 0; i < rep.u.inbox_list.n; i++) {
			const struct lia_inbox_entry *e = &rep.u.inbox_list.v[i];
			char idh[2 * LIA_ID_BYTES + 1], ts[32];
			lia_id_hex(idh, e->message_id);
			lia_time_format(e->created_at, ts);
			if (as_json)
				lia_json_print(json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:b, s:s}", "sequence",
						     (json_int_t)e->sequence, "id", idh, "originator", e->originator,
						     "kind", lia_kind_str(e->kind), "created_at", ts, "acknowledged",
						     e->acknowledged, "erased", e->erased, "via", e->via));
			else
				printf("%6" PRIu64 "  %s  %-12s from %-24s %s  via %s%s\n", e->sequence, idh,
				       lia_kind_str(e->kind), e->originator, ts, e->via,
				       e->erased ? "  [expired]" : e->acknowledged ? "" : "  [new]");
		}
	call_done(&cl, &rep);
	return rc;
}

int lia_cmd_read(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = simple_options("read", argc, argv,
		"usage: " PROG " read ID --profile NAME [--json]\n"
			     "\n"
			     "Fetches a message delivered to you, verifies and decrypts it, and prints its\n"
			     "restrictions and evaluation first, then the body. Exit 3 if it fails\n"
			     "verification (nothing of it is shown).",
		true, &profile, &as_json);
	if (done >= 0)
		return done;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_FETCH, 0);
	if (optind + 1 != argc || lia_id_parse(req.u.fetch.message_id, argv[optind]) != 0)
		return lia_usage_error("read", "give one message id (32 hex digits)");
	struct lia_client cl;
	char err[LIA_ERR_MAX];
	struct lia_opener *op = NULL;
	int rc = call_once("read", profile, LIA_ID_BOX, &cl, &req, &rep, LIA_FRAME_DELIVER);
	if (rc == LIA_EXIT_OK)
		op = lia_opener_new(&cl.id.cert, cl.id.box);
	if (rc != LIA_EXIT_OK) {
		/* call_once said why */
	} else if (rep.type != LIA_FRAME_DELIVER || op == NULL)
		rc = fail("read", LIA_EXIT_FAIL, "unexpected answer from the broker");
	else {
		struct lia_opened o;
		enum lia_env_status st = open_delivered(&cl, op, rep.u.deliver.envelope.p, rep.u.deliver.envelope.len,
							 rep.u.deliver.originator, &o);
		if (st != LIA_ENV_OK) {
			snprintf(err, sizeof err, "the message failed verification: %s", lia_env_status_str(st));
			rc = fail("read", LIA_EXIT_VERIFY, err);
		} else {
			json_t *body = lia_body_to_json(o.body, o.body_len);
			if (as_json) {
				lia_json_print(json_pack("{s:o, s:o}", "header", lia_header_to_json(&o.header), "body",
						     body ? body : json_null()));
			} else {
				lia_header_print_banner(stdout, &o.header, lia_color(stdout));
				if (o.originator_revoked_at != 0) {
					char ts[32];
					lia_time_format(o.originator_revoked_at, ts);
					printf("  NOTE: signed by a key revoked at %s (after the message was created)\n", ts);
				}
				char *s = body ? json_dumps(body, JSON_INDENT(2)) : NULL;
				printf("%s\n", s ? s : "{}");
				free(s);
				json_decref(body);
			}
			lia_opened_clear(&o);
		}
	}
	lia_opener_destroy(&op);
	call_done(&cl, &rep);
	return rc;
}

/* --- originators and auditors --- */

int lia_cmd_disclosures(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = simple_options("disclosures", argc, argv,
		"usage: " PROG " disclosures ID --profile NAME [--json]\n"
			     "\n"
			     "The originator's view of its own message (auditors: of any message): who\n"
			     "received it, who was refused and by which rule, who acknowledged. The question\n"
			     "is itself recorded in the ledger.",
		true, &profile, &as_json);
	if (done >= 0)
		return done;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_AUDIT_QUERY, 0);
	req.u.audit_query.kind = LIA_AUDIT_DISCLOSURES;
	req.u.audit_query.has_message_id = true;
	if (optind + 1 != argc || lia_id_parse(req.u.audit_query.message_id, argv[optind]) != 0)
		return lia_usage_error("disclosures", "give one message id (32 hex digits)");
	struct lia_client cl;
	int rc = call_once("disclosures", profile, 0, &cl, &req, &rep, LIA_FRAME_AUDIT_ANSWER);
	if (rc != LIA_EXIT_OK) {
		/* call_once said why */
	} else {
		for (size_t i = 0; i < rep.u.audit_answer.n_disclosures; i++) {
			const struct lia_disclosure *d = &rep.u.audit_answer.disclosures[i];
			char ts[32];
			lia_time_format(d->at, ts);
			if (as_json)
				lia_json_print(json_pack("{s:s, s:b, s:s, s:s, s:s, s:b}", "recipient", d->recipient,
						     "disclosed", d->disclosed, "rule", d->rule, "reason", d->reason,
						     "at", ts, "acknowledged", d->acknowledged));
			else
				printf("%-24s %-9s %s  rule %-24s %s%s\n", d->recipient,
				       d->disclosed ? "RECEIVED" : "REFUSED", ts, d->rule, d->reason,
				       d->acknowledged ? "  (acknowledged)" : "");
		}
		if (!as_json)
			printf("(this question is ledger record %" PRIu64 ")\n", rep.u.audit_answer.query_record);
	}
	call_done(&cl, &rep);
	return rc;
}

int lia_cmd_directory(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = simple_options("directory", argc, argv,
		"usage: " PROG " directory --profile NAME [--json]\n\n"
			     "Lists the principals of the exchange as the broker knows them (certificates\n"
			     "verified against the authority, revocations applied).",
		true, &profile, &as_json);
	if (done >= 0)
		return done;
	struct lia_client cl;
	int rc = connect_profile(&cl, "directory", profile, 0, false, 0, DEFAULT_TIMEOUT_MS);
	if (rc != LIA_EXIT_OK)
		return rc;
	char err[LIA_ERR_MAX];
	if (lia_client_directory(&cl, err) != 0) {
		rc = fail("directory", LIA_EXIT_FAIL, err);
	} else {
		int64_t now = lia_now();
		for (size_t i = 0; i < cl.dir.n; i++) {
			const struct lia_cert *ce = &cl.dir.v[i].cert;
			enum lia_cert_status st = lia_cert_check(ce, &cl.dir.crl, now);
			json_t *j = lia_cert_to_json(ce);
			json_object_set_new(j, "status", json_string(lia_cert_status_str(st)));
			if (as_json) {
				lia_json_print(j);
				continue;
			}
			char *roles = json_dumps(json_object_get(j, "roles"), JSON_COMPACT);
			char *regions = json_dumps(json_object_get(j, "regions"), JSON_COMPACT);
			printf("%-28s %-3s %-28s %-22s %s\n", ce->subject, ce->country, regions, roles,
			       lia_cert_status_str(st));
			free(roles);
			free(regions);
			json_decref(j);
		}
	}
	lia_client_close(&cl);
	return rc;
}

int lia_cmd_checkpoint(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = simple_options("checkpoint", argc, argv,
		"usage: " PROG " checkpoint --profile NAME\n\n"
			     "Auditors: prints the broker's latest signed checkpoint of the ledger (C2SP\n"
			     "signed note), to keep and to check proofs against with liaison-audit.",
		false, &profile, &as_json);
	if (done >= 0)
		return done;
	struct lia_client cl;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_AUDIT_QUERY, 0);
	req.u.audit_query.kind = LIA_AUDIT_CHECKPOINT;
	int rc = call_once("checkpoint", profile, 0, &cl, &req, &rep, LIA_FRAME_AUDIT_ANSWER);
	if (rc == LIA_EXIT_OK)
		fwrite(rep.u.audit_answer.checkpoint.p, 1, rep.u.audit_answer.checkpoint.len, stdout);
	call_done(&cl, &rep);
	return rc;
}

/* --- onward dissemination: consent requests --- */

/* One request as its viewer may see it: how many received the message
 * through it only for the originator (the broker shows nobody else);
 * check says whether the signed consent verified ("" when not checked). */
static void print_consent(const struct lia_consent_request *c, const char *viewer, const char *check,
			  int as_json)
{
	char idh[2 * LIA_ID_BYTES + 1], asked[32], answered[32] = "", digest_hex[LIA_CONSENT_DIGEST_HEX] = "";
	lia_id_hex(idh, c->message_id);
	lia_time_format(c->requested_at, asked);
	if (c->answered_at != 0)
		lia_time_format(c->answered_at, answered);
	if (c->consent_len > 0)
		lia_consent_digest_hex(c->consent, c->consent_len, digest_hex);
	bool mine = strcmp(c->originator, viewer) == 0;
	if (as_json) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "request",
				      (json_int_t)c->request, "id", idh, "originator", c->originator,
				      "requested_by", c->requested_by, "grantee", c->grantee, "purpose",
				      c->purpose, "state", lia_consent_state_str(c->state), "requested_at", asked,
				      "answered_at", answered, "reason", c->reason);
		if (j != NULL && mine && c->state == LIA_CONSENT_GRANTED) {
			json_object_set_new(j, "disclosed", json_integer(c->disclosed));
			json_object_set_new(j, "withheld", json_integer(c->withheld));
		}
		if (j != NULL && digest_hex[0] != '\0')
			json_object_set_new(j, "consent_sha256", json_string(digest_hex));
		if (j != NULL && check[0] != '\0')
			json_object_set_new(j, "consent_signature", json_string(check));
		lia_json_print(j);
		return;
	}
	printf("request %" PRIu64 "  %-8s  message %s from %s\n", c->request,
	       lia_consent_state_str(c->state), idh, c->originator);
	printf("    %s asks to pass it to %s, %s: \"%s\"\n", c->requested_by, c->grantee, asked, c->purpose);
	if (c->state == LIA_CONSENT_GRANTED && mine)
		printf("    granted %s: disclosed to %u, withheld from %u by the policy\n", answered,
		       c->disclosed, c->withheld);
	else if (c->state == LIA_CONSENT_GRANTED)
		printf("    granted %s\n", answered);
	else if (c->state == LIA_CONSENT_REFUSED)
		printf("    refused %s: \"%s\"\n", answered, c->reason);
	if (digest_hex[0] != '\0')
		printf("    signed consent sha256:%s%s%s\n", digest_hex, check[0] ? ", signature " : "", check);
}

static int consent_ask(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"to", required_argument, NULL, O_TO},
		{"purpose", required_argument, NULL, O_PURPOSE},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL, *to = NULL, *purpose = NULL;
	int as_json = 0, c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_TO: to = optarg; break;
		case O_PURPOSE: purpose = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_HELP:
			puts("usage: " PROG " consent ask ID --to PRINCIPAL|AGENCY --purpose TEXT --profile NAME [--json]\n"
			     "\n"
			     "Asks the originator of a message delivered to you for consent to pass it on\n"
			     "(onward dissemination, e.g. under handling code H2 or outside its audience).\n"
			     "The originator sees your purpose and grants or refuses; if it grants, the\n"
			     "broker discloses the message to the grantee as far as the exchange policy\n"
			     "allows. Every step is in the ledger. Asking again returns the same request.\n"
			     "\n"
			     "example:\n"
			     "  " PROG " consent ask 5f0c...e1 --to HR-MUP/zagreb --purpose \"joint operation\" \\\n"
			     "      --profile roma");
			return LIA_EXIT_OK;
		default: return lia_usage_error("consent ask", "invalid option");
		}
	}
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_CONSENT_ASK, 0);
	if (optind + 1 != argc || lia_id_parse(req.u.consent_ask.message_id, argv[optind]) != 0)
		return lia_usage_error("consent ask", "give one message id (32 hex digits)");
	if (to == NULL || strlen(to) >= LIA_NAME_MAX || !(lia_name_is_subject(to) || lia_name_is_agency(to)))
		return lia_usage_error("consent ask", "--to: a principal (AGENCY/name) or an agency");
	if (purpose == NULL || !lia_purpose_valid(purpose))
		return lia_usage_error("consent ask", "--purpose: 1 to 255 printable bytes");
	memcpy(req.u.consent_ask.grantee, to, strlen(to) + 1);
	memcpy(req.u.consent_ask.purpose, purpose, strlen(purpose) + 1);
	struct lia_client cl;
	int rc = call_once("consent ask", profile, 0, &cl, &req, &rep, LIA_FRAME_CONSENT_LIST);
	if (rc == LIA_EXIT_OK && rep.u.consent_list.n == 1)
		print_consent(&rep.u.consent_list.v[0], cl.id.cert.subject, "", as_json);
	else if (rc == LIA_EXIT_OK)
		rc = fail("consent ask", LIA_EXIT_FAIL, "unexpected answer from the broker");
	call_done(&cl, &rep);
	return rc;
}

static int consent_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"before", required_argument, NULL, O_AFTER},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	int as_json = 0, opt;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_CONSENT_QUERY, 0);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case O_PROFILE: profile = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_AFTER:
			if (lia_parse_u64(optarg, &req.u.consent_query.before) != 0 ||
			    req.u.consent_query.before == 0)
				return lia_usage_error("consent list", "--before: a request number");
			break;
		case O_HELP:
			puts("usage: " PROG " consent list [REQUEST] [--before N] --profile NAME [--json]\n"
			     "\n"
			     "Consent requests you made, and those about your messages that you must\n"
			     "answer (an auditor: all), newest first, 200 at most; --before N shows the\n"
			     "ones numbered below N (the next page). REQUEST shows only that one. A\n"
			     "granted request shows the SHA-256 of the originator's signed consent (as\n"
			     "in the ledger) and whether its signature verifies.");
			return LIA_EXIT_OK;
		default: return lia_usage_error("consent list", "invalid option");
		}
	}
	if (optind + 1 == argc) {
		if (lia_parse_u64(argv[optind], &req.u.consent_query.request) != 0 ||
		    req.u.consent_query.request == 0)
			return lia_usage_error("consent list", "REQUEST: a request number");
	} else if (optind != argc) {
		return lia_usage_error("consent list", "unexpected argument");
	}
	struct lia_client cl;
	int rc = call_once("consent list", profile, 0, &cl, &req, &rep, LIA_FRAME_CONSENT_LIST);
	if (rc == LIA_EXIT_OK) {
		char err[LIA_ERR_MAX];
		bool have_dir = lia_client_directory(&cl, err) == 0;
		for (size_t i = 0; i < rep.u.consent_list.n; i++) {
			const struct lia_consent_request *c = &rep.u.consent_list.v[i];
			/* Check the originator's signature ourselves, against the
			 * certificate in the verified directory. */
			char check[LIA_ERR_MAX + 32] = "";
			if (c->consent_len > 0) {
				const struct lia_directory_entry *o =
					have_dir ? lia_directory_find(&cl.dir, c->originator) : NULL;
				struct lia_consent_grant g;
				if (o == NULL)
					snprintf(check, sizeof check, "not checked: %s is not in the directory",
						 c->originator);
				else if (lia_consent_verify(c->consent, c->consent_len, &o->cert, &g, err) != 0)
					snprintf(check, sizeof check, "INVALID: %s", err);
				else if (g.request != c->request || strcmp(g.grantee, c->grantee) != 0 ||
					 strcmp(g.requested_by, c->requested_by) != 0 ||
					 memcmp(g.message_id, c->message_id, LIA_ID_BYTES) != 0)
					snprintf(check, sizeof check, "INVALID: it consents to something else");
				else
					snprintf(check, sizeof check, "verified");
			}
			print_consent(c, cl.id.cert.subject, check, as_json);
		}
		if (!as_json && rep.u.consent_list.n == 0)
			puts("no consent requests");
	}
	call_done(&cl, &rep);
	return rc;
}

/* Fetch our own message back, recover its data key and wrap it for every
 * principal of the grantee that has no wrap yet. *out malloc'd. */
static int wrap_for_grantee(struct lia_client *cl, const struct lia_consent_request *c, uint8_t **out,
			    size_t *out_len, char err[static LIA_ERR_MAX])
{
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_FETCH, 0);
	memcpy(req.u.fetch.message_id, c->message_id, LIA_ID_BYTES);
	int rc = lia_client_call(cl, &req, &rep, err);
	if (rc != LIA_EXIT_OK)
		return -1;
	struct lia_opener *op = lia_opener_new(&cl->id.cert, cl->id.box);
	struct lia_sealer *sealer = lia_sealer_new(&cl->id.cert, cl->id.sign, cl->id.box);
	struct lia_opened o;
	memset(&o, 0, sizeof o);
	uint8_t *env = NULL;
	size_t env_len = 0;
	rc = -1;
	if (rep.type == LIA_FRAME_ERROR) {
		lia_errf(err, "the broker answered: %s: %.200s", lia_error_code_str(rep.u.error.code),
			 rep.u.error.detail);
		goto out;
	}
	if (rep.type != LIA_FRAME_DELIVER || op == NULL || sealer == NULL) {
		lia_errf(err, "unexpected answer from the broker");
		goto out;
	}
	enum lia_env_status st = open_delivered(cl, op, rep.u.deliver.envelope.p, rep.u.deliver.envelope.len,
						 cl->id.cert.subject, &o);
	if (st != LIA_ENV_OK) {
		lia_errf(err, "your own message failed verification: %s", lia_env_status_str(st));
		goto out;
	}
	env = malloc(rep.u.deliver.envelope.len);
	if (env == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	memcpy(env, rep.u.deliver.envelope.p, rep.u.deliver.envelope.len);
	env_len = rep.u.deliver.envelope.len;
	size_t wrapped = 0;
	for (size_t i = 0; i < cl->dir.n; i++) {
		const struct lia_cert *rc2 = &cl->dir.v[i].cert;
		if (rc2->kind != LIA_CERT_PRINCIPAL ||
		    (strcmp(rc2->subject, c->grantee) != 0 && strcmp(rc2->agency, c->grantee) != 0) ||
		    lia_cert_check(rc2, &cl->dir.crl, lia_now()) != LIA_CERT_OK)
			continue;
		/* The fetched copy carries only our own wrap, and the grantee is
		 * never our agency: every grantee principal gets one here. The
		 * broker keeps only the wraps of principals it lets through,
		 * never one a first-hand recipient already has. */
		wrapped++;
		uint8_t *next = NULL;
		size_t next_len = 0;
		if (lia_envelope_add_wrap(sealer, env, env_len, o.data_key, rc2, &next, &next_len, err) != 0)
			goto out;
		free(env);
		env = next;
		env_len = next_len;
	}
	if (wrapped == 0) {
		lia_errf(err, "the directory has no valid certificate of %s to wrap the message for", c->grantee);
		goto out;
	}
	*out = env;
	*out_len = env_len;
	env = NULL;
	rc = 0;
out:
	free(env);
	lia_opened_clear(&o);
	lia_sealer_destroy(&sealer);
	lia_opener_destroy(&op);
	lia_frame_clear(&rep);
	return rc;
}

static int consent_answer(int argc, char **argv, bool grant)
{
	const char *cmd = grant ? "consent grant" : "consent refuse";
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"reason", required_argument, NULL, O_PURPOSE},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL, *reason = NULL;
	int as_json = 0, c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_PURPOSE: reason = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_HELP:
			if (grant)
				puts("usage: " PROG " consent grant REQUEST --profile NAME [--reason TEXT] [--json]\n"
				     "\n"
				     "Grants a consent request about a message you originated: wraps the\n"
				     "message's key for each principal of the grantee, signs the consent, and the\n"
				     "broker discloses the message to them as far as the exchange policy allows\n"
				     "(prints how many received it and how many the policy still refused).\n"
				     "\n"
				     "example:\n"
				     "  " PROG " consent list --profile ventimiglia\n"
				     "  " PROG " consent grant 3 --profile ventimiglia");
			else
				puts("usage: " PROG " consent refuse REQUEST --reason TEXT --profile NAME [--json]\n"
				     "\n"
				     "Refuses a consent request about a message you originated; the requester\n"
				     "sees your reason. A refused request stays refused.\n"
				     "\n"
				     "example:\n"
				     "  " PROG " consent refuse 4 --reason \"source protection\" --profile ventimiglia");
			return LIA_EXIT_OK;
		default: return lia_usage_error(cmd, "invalid option");
		}
	}
	uint64_t number = 0;
	if (optind + 1 != argc || lia_parse_u64(argv[optind], &number) != 0 || number == 0)
		return lia_usage_error(cmd, "give one request number");
	if (!grant && (reason == NULL || !lia_purpose_valid(reason)))
		return lia_usage_error(cmd, "--reason: 1 to 255 printable bytes");
	if (reason != NULL && strlen(reason) >= LIA_PURPOSE_MAX)
		return lia_usage_error(cmd, "--reason: at most 255 bytes");
	struct lia_client cl;
	struct lia_frame req, rep;
	char err[LIA_ERR_MAX];
	uint8_t *consent = NULL, *env = NULL;
	size_t consent_len = 0, env_len = 0;
	memset(&rep, 0, sizeof rep);
	memset(&cl, 0, sizeof cl);
	int rc = connect_profile(&cl, cmd, profile, grant ? LIA_ID_SIGN | LIA_ID_BOX : 0, false, 0,
				 DEFAULT_TIMEOUT_MS);
	if (rc != LIA_EXIT_OK)
		return rc;
	/* The request as the broker holds it: that is what we sign. */
	lia_frame_init(&req, LIA_FRAME_CONSENT_QUERY, 0);
	req.u.consent_query.request = number;
	rc = lia_client_call(&cl, &req, &rep, err);
	if (rc != LIA_EXIT_OK) {
		rc = fail(cmd, rc, err);
		goto out;
	}
	if (rep.type == LIA_FRAME_ERROR) {
		rc = error_reply(cmd, &rep);
		goto out;
	}
	if (rep.type != LIA_FRAME_CONSENT_LIST || rep.u.consent_list.n != 1) {
		rc = fail(cmd, LIA_EXIT_FAIL, "unexpected answer from the broker");
		goto out;
	}
	struct lia_consent_request asked = rep.u.consent_list.v[0];
	lia_frame_clear(&rep);
	if (strcmp(asked.originator, cl.id.cert.subject) != 0) {
		rc = fail(cmd, LIA_EXIT_REFUSED, "only the message's originator answers a consent request");
		goto out;
	}
	lia_frame_init(&req, LIA_FRAME_CONSENT_ANSWER, 0);
	req.u.consent_answer.request = number;
	req.u.consent_answer.grant = grant;
	if (reason != NULL)
		memcpy(req.u.consent_answer.reason, reason, strlen(reason) + 1);
	if (grant) {
		struct lia_consent_grant g;
		memset(&g, 0, sizeof g);
		memcpy(g.message_id, asked.message_id, LIA_ID_BYTES);
		g.request = asked.request;
		memcpy(g.grantee, asked.grantee, LIA_NAME_MAX);
		memcpy(g.requested_by, asked.requested_by, LIA_NAME_MAX);
		memcpy(g.granted_by, cl.id.cert.subject, LIA_NAME_MAX);
		g.granted_at = lia_now();
		memcpy(g.purpose, asked.purpose, LIA_PURPOSE_MAX);
		if (lia_client_directory(&cl, err) != 0 || wrap_for_grantee(&cl, &asked, &env, &env_len, err) != 0 ||
		    lia_consent_sign(&g, cl.id.sign, &consent, &consent_len, err) != 0) {
			rc = fail(cmd, LIA_EXIT_FAIL, err);
			goto out;
		}
		req.u.consent_answer.consent = (struct lia_bytes){consent, consent_len};
		req.u.consent_answer.envelope = (struct lia_bytes){env, env_len};
	}
	rc = lia_client_call(&cl, &req, &rep, err);
	if (rc != LIA_EXIT_OK)
		rc = fail(cmd, rc, err);
	else if (rep.type == LIA_FRAME_ERROR)
		rc = error_reply(cmd, &rep);
	else if (rep.type != LIA_FRAME_CONSENT_LIST || rep.u.consent_list.n != 1)
		rc = fail(cmd, LIA_EXIT_FAIL, "unexpected answer from the broker");
	else
		print_consent(&rep.u.consent_list.v[0], cl.id.cert.subject, "", as_json);
out:
	free(consent);
	free(env);
	call_done(&cl, &rep);
	return rc;
}

int lia_cmd_consent(int argc, char **argv)
{
	static const char usage[] =
		"usage: " PROG " consent ask|list|grant|refuse ... --profile NAME\n"
		"\n"
		"Onward dissemination: a recipient asks the originator to let a message go to a\n"
		"third principal or agency; the originator, a liaison officer, grants (signing\n"
		"the consent) or refuses. Nobody approves their own request; every step is in\n"
		"the ledger. 'listen' shows requests and answers as they come.\n"
		"\n"
		"  ask ID --to WHO --purpose TEXT   ask the originator of a message you received\n"
		"  list [REQUEST] [--before N]      your requests, and those you must answer\n"
		"  grant REQUEST                    originator: consent; the broker discloses\n"
		"  refuse REQUEST --reason TEXT     originator: refuse\n"
		"\n"
		"examples:\n"
		"  " PROG " consent ask 5f0c...e1 --to HR-MUP --purpose \"joint investigation\" --profile roma\n"
		"  " PROG " consent list --profile ventimiglia\n"
		"  " PROG " consent grant 1 --profile ventimiglia\n"
		"Run '" PROG " consent ask --help' (and so on) for each.";
	if (argc < 2) {
		fprintf(stderr, "%s\n", usage);
		return LIA_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		puts(usage);
		return LIA_EXIT_OK;
	}
	argc--, argv++;
	if (strcmp(sub, "ask") == 0)
		return consent_ask(argc, argv);
	if (strcmp(sub, "list") == 0)
		return consent_list(argc, argv);
	if (strcmp(sub, "grant") == 0)
		return consent_answer(argc, argv, true);
	if (strcmp(sub, "refuse") == 0)
		return consent_answer(argc, argv, false);
	return lia_usage_error("consent", "unknown subcommand (ask, list, grant, refuse)");
}
