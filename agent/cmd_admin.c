/*
 * cmd_admin.c — the commands about the connection and the exchange rather
 * than messages: profile, disclosures, directory, checkpoint.
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
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
#include "cmd_int.h"
#include "queries.h"

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

int lia_cmd_disclosures(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = lia_cmd_simple_options("disclosures", argc, argv,
		"usage: " PROG " disclosures ID --profile NAME [--json]\n"
			     "\n"
			     "The originator's view of its own message (auditors: of any message): who\n"
			     "received it, who was refused and by which rule, who acknowledged. The question\n"
			     "is itself recorded in the ledger.",
		true, &profile, &as_json);
	if (done >= 0)
		return done;
	uint8_t id[LIA_ID_BYTES];
	if (optind + 1 != argc || lia_id_parse(id, argv[optind]) != 0)
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
		if (!as_json)
			printf("(this question is ledger record %" PRIu64 ")\n", rep.u.audit_answer.query_record);
	}
	lia_agent_done(&cl, &rep);
	return rc;
}

int lia_cmd_directory(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = lia_cmd_simple_options("directory", argc, argv,
		"usage: " PROG " directory --profile NAME [--json]\n\n"
			     "Lists the principals of the exchange as the broker knows them (certificates\n"
			     "verified against the authority, revocations applied).",
		true, &profile, &as_json);
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

int lia_cmd_checkpoint(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = lia_cmd_simple_options("checkpoint", argc, argv,
		"usage: " PROG " checkpoint --profile NAME\n\n"
			     "Auditors: prints the broker's latest signed checkpoint of the ledger (C2SP\n"
			     "signed note), to keep and to check proofs against with liaison-audit.",
		false, &profile, &as_json);
	if (done >= 0)
		return done;
	struct lia_client cl;
	struct lia_frame rep;
	char err[LIA_ERR_MAX];
	int rc = lia_query_checkpoint(&cl, profile, &rep, err);
	if (rc != LIA_EXIT_OK)
		lia_cmd_report("checkpoint", rc, err);
	else
		fwrite(rep.u.audit_answer.checkpoint.p, 1, rep.u.audit_answer.checkpoint.len, stdout);
	lia_agent_done(&cl, &rep);
	return rc;
}
