/*
 * cmd_admin.c — the commands about the connection and the exchange rather
 * than messages: profile, disclosures, directory, checkpoint.
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
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
#include "cmd_int.h"
#include "queries.h"
#include "watch.h"

/* --- profile --- */

static const struct lia_opt profile_opts[] = {
	{"broker", "ENDPOINT", "create: the broker's endpoint (tcp://host:port)", O_BROKER, 0},
	{"broker-cert", "FILE", "create: the broker's certificate", O_BROKER_CERT, 0},
	LIA_OPT_KEYS("create: your key folder"),
	LIA_OPT_AUTHORITY_KEY,
	LIA_OPT_PASSPHRASE_FILE,
	LIA_OPT_END,
};

static const struct lia_cmd_spec profile_spec = {
	PROG, "profile", "create|show NAME",
	"create NAME needs --broker, --broker-cert, --keys and --authority-key\n"
	"(--passphrase-file is optional); show NAME prints one.\n"
	"\n"
	"A profile names a broker connection and your key folder, so other commands take\n"
	"only --profile NAME (or LIAISON_PROFILE=NAME). Profiles are YAML files in\n"
	"$LIAISON_PROFILES or ~/.config/liaison; NAME may also be a path to one.\n"
	"Paths are stored as given: give absolute paths.",
	PROG " profile create ventimiglia --broker tcp://broker.example:7400 \\\n"
	"    --broker-cert /etc/liaison/broker.crt --keys ~/liaison/keys \\\n"
	"    --authority-key /etc/liaison/authority.pub\n" PROG " profile show ventimiglia",
	profile_opts, NULL, 0, NULL,
};

/* --broker and --broker-cert: vals[0], vals[1]. */
static int profile_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	const char **vals = ctx;
	(void)err;
	vals[id == O_BROKER ? 0 : 1] = arg;
	return 0;
}

int lia_cmd_profile(int argc, char **argv)
{
	struct lia_profile p;
	memset(&p, 0, sizeof p);
	const char *vals[5] = {0};
	struct lia_cli_common cm;
	int first;
	int done = lia_cli_parse(&profile_spec, argc, argv, &cm, profile_option, vals, &first);
	if (done >= 0)
		return done;
	vals[2] = cm.keys;
	vals[3] = cm.authority_key;
	vals[4] = cm.passphrase_file;
	if (first + 2 != argc)
		return lia_usage_error("profile", "expected \"create NAME\" or \"show NAME\"");
	const char *verb = argv[first], *name = argv[first + 1];
	char err[LIA_ERR_MAX], path[PATH_MAX];
	if (strcmp(verb, "show") == 0) {
		if (lia_profile_load(&p, name, err) != 0)
			return lia_cmd_fail("profile", LIA_EXIT_FAIL, err);
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
		return lia_cmd_fail("profile", LIA_EXIT_FAIL, err);
	printf("profile %s written to %s\n", name, path);
	return LIA_EXIT_OK;
}

/* --- originators and auditors --- */

static const struct lia_opt disclosures_opts[] = {
	LIA_OPT_PROFILE,
	LIA_OPT_JSON("one JSON object per recipient"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec disclosures_spec = {
	PROG, "disclosures", "ID",
	"The originator's view of its own message (auditors: of any message): who\n"
	"received it, who was refused and by which rule, who acknowledged. The question\n"
	"is itself recorded in the ledger.",
	NULL, disclosures_opts, NULL, 0, NULL,
};

int lia_cmd_disclosures(int argc, char **argv)
{
	const char *profile;
	int as_json, first;
	int done = lia_cmd_parse(&disclosures_spec, argc, argv, &profile, &as_json, &first);
	if (done >= 0)
		return done;
	uint8_t id[LIA_ID_BYTES];
	if (first + 1 != argc || lia_id_parse(id, argv[first]) != 0)
		return lia_usage_error("disclosures", "give one message id (32 hex digits)");
	struct lia_client cl;
	struct lia_frame rep;
	char err[LIA_ERR_MAX];
	int rc = lia_query_disclosures(&cl, profile, id, &rep, err);
	if (rc != LIA_EXIT_OK) {
		lia_cmd_report("disclosures", rc, err);
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
		/* 0 for an originator: the ledger's numbering counts everyone's
		 * records, so only auditors are told it. */
		if (!as_json && rep.u.audit_answer.query_record != 0)
			printf("(this question is ledger record %" PRIu64 ")\n", rep.u.audit_answer.query_record);
	}
	lia_agent_done(&cl, &rep);
	return rc;
}

static const struct lia_opt directory_opts[] = {
	LIA_OPT_PROFILE,
	LIA_OPT_JSON("one JSON object per certificate"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec directory_spec = {
	PROG, "directory", NULL,
	"Lists the principals of the exchange as the broker knows them (certificates\n"
	"verified against the authority, revocations applied).",
	NULL, directory_opts, NULL, 0, NULL,
};

int lia_cmd_directory(int argc, char **argv)
{
	const char *profile;
	int as_json, first;
	int done = lia_cmd_parse(&directory_spec, argc, argv, &profile, &as_json, &first);
	if (done >= 0)
		return done;
	struct lia_client cl;
	char err[LIA_ERR_MAX];
	int rc = lia_query_directory(&cl, profile, err);
	if (rc != LIA_EXIT_OK) {
		lia_cmd_report("directory", rc, err);
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
	lia_agent_done(&cl, NULL);
	return rc;
}

enum { O_VERIFY = 100, O_KEPT };

static const struct lia_opt checkpoint_opts[] = {
	LIA_OPT_PROFILE,
	{"verify", NULL, "check that the broker's ledger only grew since the checkpoint you kept\n"
			 "(consistency proof), and keep the newer one; exit 3 if not", O_VERIFY, 0},
	{"kept", NULL, "print the checkpoint you kept instead of the broker's latest", O_KEPT, 0},
	LIA_OPT_JSON("one JSON object: both checkpoints (size, root) and the verdict"),
	LIA_OPT_END,
};

static const struct lia_cmd_spec checkpoint_spec = {
	PROG, "checkpoint", NULL,
	"Prints the broker's latest signed checkpoint of the ledger (C2SP signed note),\n"
	"to keep and to check proofs against with liaison-audit; a summary of it and of\n"
	"the checkpoint you kept goes to stderr.\n"
	"\n"
	"Every command keeps the newest checkpoint it sees in your key folder\n"
	"(checkpoint-<broker key id>) and checks, with a consistency proof from the\n"
	"broker, that the ledger only grew since: a broker restored from an older copy\n"
	"(fewer records), a rewritten history (a failed proof) or a checkpoint the\n"
	"broker's key did not sign stops the command with exit 3 and a message naming\n"
	"both sizes. --verify makes that check by hand and says what it found; without\n"
	"it nothing is compared or kept (so that the two can be looked at after a\n"
	"failure). See docs/operations.md, \"Backups and restores\".",
	PROG " checkpoint --profile auditor > kept.checkpoint\n"
	PROG " checkpoint --verify --profile valletta",
	checkpoint_opts, NULL, 0, NULL,
};

static int checkpoint_option(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	bool *flags = ctx;
	(void)arg;
	(void)err;
	flags[id == O_VERIFY ? 0 : 1] = true;
	return 0;
}

/* {"size": N, "root": BASE64}, or null. */
static json_t *checkpoint_json(bool has, const struct lia_checkpoint *cp)
{
	if (!has)
		return json_null();
	char root[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(root, sizeof root, cp->root, 32, sodium_base64_VARIANT_ORIGINAL);
	return json_pack("{s:I, s:s}", "size", (json_int_t)cp->size, "root", root);
}

int lia_cmd_checkpoint(int argc, char **argv)
{
	bool flags[2] = {false, false}; /* --verify, --kept */
	struct lia_cli_common cm;
	int first;
	int done = lia_cli_parse(&checkpoint_spec, argc, argv, &cm, checkpoint_option, flags, &first);
	if (done >= 0)
		return done;
	if (first != argc)
		return lia_usage_error("checkpoint", "no arguments are taken");
	bool verify = flags[0], kept_only = flags[1];
	if (verify && kept_only)
		return lia_usage_error("checkpoint", "--verify and --kept do not go together");
	struct lia_client cl;
	struct lia_watch w;
	char err[LIA_ERR_MAX], *kept_note = NULL;
	int rc = lia_query_checkpoint(&cl, cm.profile, verify, &w, &kept_note, err);
	if (cm.json && (rc == LIA_EXIT_OK || rc == LIA_EXIT_VERIFY))
		lia_json_print(json_pack("{s:s, s:o, s:o, s:b, s:b, s:b, s:s?}", "kept_file", w.path, "kept",
					 checkpoint_json(w.had_kept, &w.kept), "latest",
					 checkpoint_json(w.has_latest && rc == LIA_EXIT_OK, &w.latest), "verified",
					 verify && rc == LIA_EXIT_OK, "proved", w.proved, "updated", w.updated, "error",
					 rc == LIA_EXIT_OK ? NULL : err));
	if (rc != LIA_EXIT_OK) {
		lia_cmd_report("checkpoint", rc, err);
	} else if (verify && !cm.json) {
		if (!w.has_latest)
			printf("the broker has signed no checkpoint yet: nothing to verify\n");
		else if (!w.had_kept)
			printf("ledger of %" PRIu64 " records: the first checkpoint seen, now kept in %s\n", w.latest.size,
			       w.path);
		else if (w.proved)
			printf("ledger verified: it grew from the %" PRIu64 " records you kept to %" PRIu64
			       " (consistency proof checked); now kept in %s\n", w.kept.size, w.latest.size, w.path);
		else
			printf("ledger verified: %" PRIu64 " records, the checkpoint you kept (%s)\n", w.latest.size, w.path);
	} else if (!cm.json) {
		if (kept_only && kept_note == NULL)
			rc = lia_cmd_fail("checkpoint", LIA_EXIT_FAIL, "no checkpoint kept yet");
		else if (kept_only)
			fputs(kept_note, stdout);
		else
			fwrite(cl.welcome.u.welcome.checkpoint.p, 1, cl.welcome.u.welcome.checkpoint.len, stdout);
		if (w.had_kept)
			fprintf(stderr, PROG " checkpoint: latest %" PRIu64 " records; kept %" PRIu64
				" records (%s); --verify checks that one extends the other\n",
				w.latest.size, w.kept.size, w.path);
		else
			fprintf(stderr, PROG " checkpoint: latest %" PRIu64 " records; none kept yet (%s)\n",
				w.latest.size, w.path);
	}
	free(kept_note);
	lia_agent_done(&cl, NULL);
	return rc;
}
