/*
 * liaison-policy — check an exchange policy file, and explain the
 * decision it gives for one message and one recipient.
 *
 * For the exchange authority writing a policy and for operators asking
 * "why was this withheld?": `check` validates a file exactly as the
 * broker will and prints its hash; `explain` runs the broker's own
 * lia_decide() (or lia_admissible(), with --publish) and prints the
 * deciding rule, the reason and every rule consulted. Inputs may be real
 * files (an envelope, certificates, a revocation list, all verified
 * against the authority key) or what-if descriptions (a JSON header,
 * --to SUBJECT:ROLE).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "cli.h"
#include "combine.h"
#include "decide.h"
#include "envelope.h"
#include "json.h"
#include "keyfile.h"
#include "load.h"
#include "policy.h"
#include "scenario.h"
#include "util.h"
#include "version.h"

#define PROG "liaison-policy"
#define MAX_CONSENTS 64

static int usage_error(const char *cmd, const char *msg)
{
	return lia_cli_usage_error_cmd(PROG, cmd, "%s", msg);
}
static int fail(const char *msg)
{
	fprintf(stderr, PROG ": %s\n", msg);
	return LIA_EXIT_FAIL;
}

static struct lia_policy *load_policy(const char *path)
{
	struct lia_policy_error e;
	struct lia_policy *p = lia_policy_load(path, &e);
	if (p == NULL)
		fprintf(stderr, PROG ": %s\n", e.msg);
	return p;
}

/* Policy JSON keeps its keys sorted: the canonical form and the
 * summaries compare as text. */
static int print_json(json_t *j)
{
	char err[LIA_ERR_MAX];
	if (lia_json_write_line(stdout, j, JSON_COMPACT | JSON_SORT_KEYS, err) != 0)
		return fail(err);
	return LIA_EXIT_OK;
}

static void print_kinds(FILE *f, uint32_t kinds)
{
	if (kinds == LIA_KIND_ALL) {
		fputs("all", f);
		return;
	}
	if (kinds == 0) {
		fputs("none", f);
		return;
	}
	const char *sep = "";
	for (int k = 1; k <= LIA_KIND_MAX; k++)
		if (kinds & LIA_KIND_BIT(k)) {
			fprintf(f, "%s%s", sep, lia_kind_str((enum lia_kind)k));
			sep = ",";
		}
}

/* --- check --- */

static const struct lia_opt check_opts[] = {
	{"json", NULL, "print the summary as one JSON object", 'j', LIA_OPT_SHORT},
	{"canonical", NULL, "print the canonical form (the hashed text) instead", 'c', LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_cmd_spec check_spec = {
	.prog = PROG,
	.name = "check",
	.args = "FILE",
	.about = "Validate the policy FILE exactly as the broker does. On success print its\n"
		 "sha256 (the value the broker records in every ledger record) and a summary;\n"
		 "on failure print FILE:LINE:COLUMN and what is wrong, and exit 1.",
	.opts = check_opts,
};

/* The flags of check and rules: -j, -c. */
struct flag_args {
	bool json, canonical;
};

static int flag_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct flag_args *a = ctx;
	(void)arg;
	(void)err;
	if (id == 'j')
		a->json = true;
	else if (id == 'c')
		a->canonical = true;
	else
		return -1;
	return 0;
}

static json_t *summary_json(const struct lia_policy *p)
{
	char hex[LIA_POLICY_HASH_HEX];
	lia_policy_hash_hex(p, hex);
	json_t *regions = json_array(), *agencies = json_array(), *agreements = json_array();
	for (size_t i = 0; i < p->n_regions; i++)
		json_array_append_new(regions, json_string(p->regions[i].name));
	for (size_t i = 0; i < p->n_agencies; i++)
		json_array_append_new(agencies, json_string(p->agencies[i].name));
	for (size_t i = 0; i < p->n_agreements; i++)
		json_array_append_new(agreements, json_string(p->agreements[i].name));
	json_t *limits = json_pack("{s:I, s:I, s:I}", "publish_per_hour", (json_int_t)p->publish_per_hour,
				   "audit_queries_per_hour", (json_int_t)p->audit_queries_per_hour,
				   "onward_requests_per_day", (json_int_t)p->onward_requests_per_day);
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "file", p->source, "exchange",
			 p->exchange, "sha256", hex, "regions", regions, "agencies", agencies,
			 "agreements", agreements, "rate_limits", limits);
}

/* A per-principal limit as text: the number, or "none" for 0. */
static const char *limit_str(uint32_t n, char out[static 16])
{
	if (n == 0)
		return "none";
	snprintf(out, 16, "%u", n);
	return out;
}

static void summary_text(const struct lia_policy *p)
{
	char hex[LIA_POLICY_HASH_HEX], l[3][16];
	lia_policy_hash_hex(p, hex);
	printf("policy      %s: valid\n", p->source);
	printf("exchange    %s\n", p->exchange);
	printf("sha256      %s\n", hex);
	printf("regions     %zu\n", p->n_regions);
	for (size_t i = 0; i < p->n_regions; i++) {
		const struct lia_policy_region *r = &p->regions[i];
		printf("  %-22s", r->name);
		const char *sep = "";
		for (size_t c = 0; c < r->n_countries; c++) {
			printf("%s%s", sep, r->countries[c]);
			sep = " ";
		}
		for (size_t a = 0; a < p->n_agencies; a++)
			if (lia_agency_set_has(&r->agencies, a)) {
				printf("%s%s", sep, p->agencies[a].name);
				sep = " ";
			}
		putchar('\n');
	}
	printf("agencies    %zu\n", p->n_agencies);
	for (size_t i = 0; i < p->n_agencies; i++) {
		const struct lia_policy_agency *a = &p->agencies[i];
		printf("  %-22s %s  personal data: %s%s\n", a->name, a->country,
		       a->may_receive_personal_data ? "yes" : "no", a->judicial ? "  judicial" : "");
	}
	printf("agreements  %zu\n", p->n_agreements);
	for (size_t i = 0; i < p->n_agreements; i++) {
		const struct lia_policy_agreement *g = &p->agreements[i];
		size_t parties = 0;
		for (size_t a = 0; a < p->n_agencies; a++)
			parties += lia_agency_set_has(&g->parties, a);
		printf("  %-22s %-12s %zu parties  personal data: %s  kinds: ", g->name,
		       lia_agreement_type_str(g->type), parties, g->personal_data ? "yes" : "no");
		print_kinds(stdout, g->kinds);
		putchar('\n');
	}
	printf("roles\n");
	for (int r = LIA_ROLE_LIAISON; r <= LIA_ROLE_AUDITOR; r++) {
		printf("  %-22s publish: ", lia_role_str((enum lia_role)r));
		print_kinds(stdout, p->roles[r].publish);
		printf("  receive: ");
		print_kinds(stdout, p->roles[r].receive);
		putchar('\n');
	}
	printf("floors      personal data TLP:%s %u days; smuggled migrants TLP:%s %s%s%u days\n",
	       lia_tlp_str(p->pd_min_tlp), p->pd_max_days, lia_tlp_str(p->protected_min_tlp),
	       (p->protected_handling & LIA_HANDLING_H1) ? "H1 " : "",
	       (p->protected_handling & LIA_HANDLING_H2) ? "H2 " : "", p->protected_max_days);
	/* Per principal, enforced by the broker; defaults included. */
	printf("limits      publish_per_hour %s, audit_queries_per_hour %s, onward_requests_per_day %s\n",
	       limit_str(p->publish_per_hour, l[0]), limit_str(p->audit_queries_per_hour, l[1]),
	       limit_str(p->onward_requests_per_day, l[2]));
}

static int cmd_check(int argc, char **argv)
{
	struct flag_args a = {false, false};
	int first, rc = lia_cli_parse(&check_spec, argc, argv, NULL, flag_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc - 1)
		return usage_error("check", "give exactly one policy file");
	bool json = a.json, canonical = a.canonical;
	if (json && canonical)
		return usage_error("check", "--json and --canonical exclude each other");
	struct lia_policy *p = load_policy(argv[first]);
	if (p == NULL)
		return LIA_EXIT_FAIL;
	rc = LIA_EXIT_OK;
	if (canonical) {
		char *text, err[LIA_ERR_MAX];
		size_t len;
		if (lia_policy_canonical(p, &text, &len, err) != 0) {
			rc = fail(err);
		} else {
			fwrite(text, 1, len, stdout);
			fputc('\n', stdout);
			free(text);
		}
	} else if (json) {
		rc = print_json(summary_json(p));
	} else {
		summary_text(p);
	}
	lia_policy_destroy(&p);
	return rc;
}

/* --- rules --- */

static const struct lia_opt rules_opts[] = {
	{"json", NULL, "one JSON array of {rule, summary}", 'j', LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_cmd_spec rules_spec = {
	.prog = PROG,
	.name = "rules",
	.about = "List every rule id, in decision order, with its meaning (docs/policy.md\n"
		 "explains each).",
	.opts = rules_opts,
};

static int cmd_rules(int argc, char **argv)
{
	struct flag_args a = {false, false};
	int first, rc = lia_cli_parse(&rules_spec, argc, argv, NULL, flag_opt, &a, &first);
	if (rc != -1)
		return rc;
	if (first != argc)
		return usage_error("rules", "unknown argument");
	bool json = a.json;
	json_t *all = json ? json_array() : NULL;
	for (int r = 1; r < LIA_RULE_COUNT; r++) {
		if (json)
			json_array_append_new(all, json_pack("{s:s, s:s}", "rule",
							     lia_rule_id((enum lia_rule)r), "summary",
							     lia_rule_summary((enum lia_rule)r)));
		else
			printf("%-26s %s\n", lia_rule_id((enum lia_rule)r),
			       lia_rule_summary((enum lia_rule)r));
	}
	return json ? print_json(all) : LIA_EXIT_OK;
}

/* --- explain --- */

static const struct lia_opt explain_message_opts[] = {
	{"header", "FILE", "a header as JSON, in the shape `liaison ... --json`\n"
			   "prints (what-if: edit it freely)", 'H', LIA_OPT_SHORT},
	{"envelope", "FILE", "a sealed envelope; its header is decoded and, with\n"
			     "--originator and --authority, verified", 'e', LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_opt explain_principal_opts[] = {
	{"to", "SUBJECT[:ROLES]", "a what-if recipient, e.g. RS-MUP/belgrade:analyst\n"
				  "(roles comma-separated; default analyst)", 't', LIA_OPT_SHORT},
	{"recipient", "CERT", "the recipient's certificate file", 'r', LIA_OPT_SHORT},
	{"originator", "CERT", "the originator's certificate file (default: a liaison\n"
			       "officer named by the header, valid at any time)", 'o', LIA_OPT_SHORT},
	{"authority", "PUB", "authority public key that certificates and the CRL\n"
			     "are verified against", 'a', LIA_OPT_SHORT},
	{"unverified", NULL, "read certificates and CRL without verifying them\n"
			     "(inspection only)", 'U', LIA_OPT_SHORT},
	{"crl", "FILE", "revocation list", 'c', LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_opt explain_situation_opts[] = {
	{"now", "TIME", "decide at TIME (2026-11-28T10:00:00Z, @SECONDS);\n"
			"default: the current time", 'n', LIA_OPT_SHORT},
	{"onward", NULL, "the recipient would receive it onward (a forward\n"
			 "asked by another recipient), not from the originator", 'O', LIA_OPT_SHORT},
	{"consent", "GRANTEE", "a consent of the originator's agency for GRANTEE\n"
			       "(principal or agency); repeatable", 'C', LIA_OPT_SHORT},
	{"publish", NULL, "check the publish side (admissible) instead", 'p', LIA_OPT_SHORT},
	{"json", NULL, "print one JSON object", 'j', LIA_OPT_SHORT},
	LIA_OPT_END,
};

static const struct lia_opt_group explain_groups[] = {
	{"the message (--header or --envelope):", explain_message_opts},
	{"the principals (--to or --recipient):", explain_principal_opts},
	{"the situation:", explain_situation_opts},
	{NULL, NULL},
};

static const struct lia_cmd_spec explain_spec = {
	.prog = PROG,
	.name = "explain",
	.args = "POLICY",
	.about = "Run the broker's decision for one message and one candidate recipient, and\n"
		 "print PERMIT or DENY, the deciding rule, the reason and the trail of rules.",
	.groups = explain_groups,
};

struct explain_opts {
	const char *policy, *header, *envelope, *to, *recipient, *originator, *authority, *crl;
	const char *now_text;
	bool unverified, onward, publish, json;
	const char *consents[MAX_CONSENTS];
	size_t n_consents;
};

static int explain_opt(void *ctx, int id, const char *arg, char err[static LIA_ERR_MAX])
{
	struct explain_opts *o = ctx;
	switch (id) {
	case 'H': o->header = arg; return 0;
	case 'e': o->envelope = arg; return 0;
	case 't': o->to = arg; return 0;
	case 'r': o->recipient = arg; return 0;
	case 'o': o->originator = arg; return 0;
	case 'a': o->authority = arg; return 0;
	case 'U': o->unverified = true; return 0;
	case 'c': o->crl = arg; return 0;
	case 'n': o->now_text = arg; return 0;
	case 'O': o->onward = true; return 0;
	case 'p': o->publish = true; return 0;
	case 'j': o->json = true; return 0;
	case 'C':
		if (o->n_consents == MAX_CONSENTS)
			return lia_errf(err, "too many --consent");
		o->consents[o->n_consents++] = arg;
		return 0;
	}
	return -1;
}

/* -1 after --help, 0 to go on, else the exit status. */
static int parse_explain(struct explain_opts *o, int argc, char **argv)
{
	int first, rc = lia_cli_parse(&explain_spec, argc, argv, NULL, explain_opt, o, &first);
	if (rc == LIA_EXIT_OK)
		return -1;
	if (rc != -1)
		return rc;
	if (first != argc - 1)
		return usage_error("explain", "give exactly one policy file");
	o->policy = argv[first];
	if ((o->header == NULL) == (o->envelope == NULL))
		return usage_error("explain", "give --header or --envelope");
	if (!o->publish && (o->to == NULL) == (o->recipient == NULL))
		return usage_error("explain", "give --to or --recipient");
	bool files = o->recipient != NULL || o->originator != NULL || o->crl != NULL;
	if (files && o->authority == NULL && !o->unverified)
		return usage_error("explain",
				   "certificate and CRL files need --authority (or --unverified)");
	return 0;
}

/* Certificates and CRLs: verified against the authority key, or read
 * as they are with --unverified. */
struct trust {
	bool unverified;
	uint8_t pk[32];
};

static int read_cert(struct lia_cert *c, const char *path, const struct trust *t,
		     char err[static LIA_ERR_MAX])
{
	if (!t->unverified)
		return lia_cert_load(c, path, t->pk, err);
	uint8_t *buf;
	size_t len;
	if (lia_file_read(path, LIA_CERT_MAX_BYTES, &buf, &len, err) != 0)
		return -1;
	enum lia_cert_status st = lia_cert_decode_unverified(c, buf, len);
	free(buf);
	if (st != LIA_CERT_OK)
		return lia_errf(err, "\"%s\": %s", path, lia_cert_status_str(st));
	return 0;
}

static int read_crl(struct lia_crl *crl, const char *path, const struct trust *t,
		    char err[static LIA_ERR_MAX])
{
	if (!t->unverified)
		return lia_crl_load(crl, path, t->pk, err);
	uint8_t *buf;
	size_t len;
	if (lia_file_read(path, LIA_CRL_MAX_BYTES, &buf, &len, err) != 0)
		return -1;
	enum lia_cert_status st = lia_crl_decode_unverified(crl, buf, len);
	free(buf);
	if (st != LIA_CERT_OK)
		return lia_errf(err, "\"%s\": %s", path, lia_cert_status_str(st));
	return 0;
}

static int read_header_json(struct lia_header *h, const char *path, int64_t now,
			    char err[static LIA_ERR_MAX])
{
	uint8_t *buf;
	size_t len;
	if (lia_file_read(path, 1u << 20, &buf, &len, err) != 0)
		return -1;
	json_error_t je;
	json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (j == NULL)
		return lia_errf(err, "\"%s\":%d:%d: %s", path, je.line, je.column, je.text);
	char why[LIA_ERR_MAX];
	int rc = lia_scenario_header(h, j, now, why);
	json_decref(j);
	if (rc != 0)
		return lia_errf(err, "\"%s\": %s", path, why);
	return 0;
}

static void print_decision_text(const struct lia_decision *d, const struct lia_policy *p,
				const char *who, const char *path)
{
	char hex[LIA_POLICY_HASH_HEX], t[32];
	lia_policy_hash_hex(p, hex);
	lia_time_format(d->expires_at, t);
	printf("decision  %s\n", lia_verdict_str(d->verdict));
	printf("rule      %s\n", lia_rule_id(d->rule));
	printf("reason    %s\n", d->reason);
	if (who != NULL)
		printf("recipient %s (%s)\n", who, path);
	if (d->tlp != 0)
		printf("marking   TLP:%s%s%s%s, expires %s\n", lia_tlp_str(d->tlp),
		       (d->handling & LIA_HANDLING_H1) ? " H1" : "",
		       (d->handling & LIA_HANDLING_H2) ? " H2" : "",
		       (d->handling & LIA_HANDLING_H3) ? " H3" : "", t);
	printf("policy    %s sha256:%s\n", p->exchange, hex);
	printf("trail\n");
	for (size_t i = 0; i < d->n_trail; i++)
		printf("  %-7s %-26s %s\n", lia_outcome_str(d->trail[i].outcome),
		       lia_rule_id(d->trail[i].rule), lia_rule_summary(d->trail[i].rule));
}

static json_t *decision_json(const struct lia_decision *d, const struct lia_policy *p,
			     const char *who, const char *path, int64_t now)
{
	char hex[LIA_POLICY_HASH_HEX], t[32], tn[32];
	lia_policy_hash_hex(p, hex);
	lia_time_format(d->expires_at, t);
	lia_time_format(now, tn);
	json_t *trail = json_array(), *handling = json_array();
	for (size_t i = 0; i < d->n_trail; i++)
		json_array_append_new(trail, json_pack("{s:s, s:s}", "rule",
						       lia_rule_id(d->trail[i].rule), "outcome",
						       lia_outcome_str(d->trail[i].outcome)));
	for (int c = 1; c <= 3; c++)
		if (d->handling & (1u << c)) {
			char code[3] = {'H', (char)('0' + c), '\0'};
			json_array_append_new(handling, json_string(code));
		}
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o}", "decision",
			      lia_verdict_str(d->verdict), "rule", lia_rule_id(d->rule), "reason",
			      d->reason, "now", tn, "policy", "exchange", p->exchange, "sha256", hex,
			      "trail", trail);
	if (j != NULL && d->tlp != 0)
		json_object_set_new(j, "marking",
				    json_pack("{s:s, s:o, s:s}", "tlp", lia_tlp_str(d->tlp),
					      "handling", handling, "expires_at", t));
	else
		json_decref(handling);
	if (j != NULL && who != NULL) {
		json_object_set_new(j, "recipient", json_string(who));
		json_object_set_new(j, "path", json_string(path));
	}
	return j;
}

static int cmd_explain(int argc, char **argv)
{
	struct explain_opts o = {0};
	int rc = parse_explain(&o, argc, argv);
	if (rc != 0)
		return rc < 0 ? LIA_EXIT_OK : rc;
	char err[LIA_ERR_MAX];
	int64_t now = lia_now();
	if (o.now_text != NULL && lia_time_parse(o.now_text, &now) != 0)
		return usage_error("explain", "--now takes a time such as 2026-11-28T10:00:00Z");

	struct lia_policy *p = NULL;
	struct lia_envelope *env = NULL;
	struct lia_crl crl = {0};
	bool have_crl = false;
	struct lia_header *h = calloc(1, sizeof *h);
	struct lia_consent *consents = calloc(MAX_CONSENTS, sizeof *consents);
	struct lia_decision *d = calloc(1, sizeof *d);
	struct lia_cert oc, rc_cert;
	struct trust t = {.unverified = o.unverified};
	rc = LIA_EXIT_FAIL;
	if (h == NULL || consents == NULL || d == NULL) {
		fail("out of memory");
		goto out;
	}
	if ((p = load_policy(o.policy)) == NULL)
		goto out;
	if (o.authority != NULL) {
		char name[LIA_NAME_MAX];
		if (lia_pubkey_load(o.authority, LIA_KEY_AUTHORITY, t.pk, name, err) != 0) {
			fail(err);
			goto out;
		}
	}
	if (o.crl != NULL) {
		if (read_crl(&crl, o.crl, &t, err) != 0) {
			rc = LIA_EXIT_VERIFY;
			fail(err);
			goto out;
		}
		have_crl = true;
	}

	/* The message. */
	if (o.header != NULL) {
		if (read_header_json(h, o.header, now, err) != 0) {
			fail(err);
			goto out;
		}
	} else {
		uint8_t *buf;
		size_t len;
		if (lia_file_read(o.envelope, LIA_ENVELOPE_MAX, &buf, &len, err) != 0) {
			fail(err);
			goto out;
		}
		enum lia_env_status st = lia_envelope_decode(&env, buf, len);
		free(buf);
		if (st != LIA_ENV_OK) {
			fprintf(stderr, PROG ": \"%s\": %s\n", o.envelope, lia_env_status_str(st));
			rc = LIA_EXIT_VERIFY;
			goto out;
		}
		*h = *lia_envelope_header(env);
	}

	/* The principals. */
	if (o.originator != NULL) {
		if (read_cert(&oc, o.originator, &t, err) != 0) {
			fail(err);
			rc = LIA_EXIT_VERIFY;
			goto out;
		}
	} else if (lia_scenario_principal(&oc, h->originator, LIA_ROLE_LIAISON, p, err) != 0) {
		fail(err);
		goto out;
	}
	if (env != NULL && o.originator != NULL && !o.unverified) {
		enum lia_env_status st = lia_envelope_verify(env, &oc, have_crl ? &crl : NULL);
		if (st != LIA_ENV_OK) {
			fprintf(stderr, PROG ": \"%s\": %s\n", o.envelope, lia_env_status_str(st));
			rc = LIA_EXIT_VERIFY;
			goto out;
		}
	}
	const struct lia_crl *crlp = have_crl ? &crl : NULL;
	if (o.publish) {
		lia_admissible(d, p, h, &oc, crlp, now);
		if (o.json)
			print_json(decision_json(d, p, NULL, NULL, now));
		else
			print_decision_text(d, p, NULL, NULL);
		rc = d->verdict == LIA_PERMIT ? LIA_EXIT_OK : LIA_EXIT_REFUSED;
		goto out;
	}
	if (o.recipient != NULL) {
		if (read_cert(&rc_cert, o.recipient, &t, err) != 0) {
			fail(err);
			rc = LIA_EXIT_VERIFY;
			goto out;
		}
	} else if (lia_scenario_principal(&rc_cert, o.to, LIA_ROLE_ANALYST, p, err) != 0) {
		fail(err);
		rc = LIA_EXIT_USAGE;
		goto out;
	}

	/* Consents as the broker would hold them: granted by the header's
	 * originator, asked for by someone else, effective now. */
	for (size_t i = 0; i < o.n_consents; i++) {
		struct lia_consent *c = &consents[i];
		const char *g = o.consents[i];
		if (strlen(g) >= sizeof c->grantee || (!lia_name_is_subject(g) && !lia_name_is_agency(g))) {
			rc = usage_error("explain", "--consent takes a principal or an agency");
			goto out;
		}
		memcpy(c->message_id, h->id, LIA_ID_BYTES);
		memcpy(c->grantee, g, strlen(g) + 1);
		memcpy(c->granted_by, h->originator, sizeof c->granted_by);
		memcpy(c->requested_by, "(requester)", sizeof "(requester)");
		c->granted_at = now;
	}
	struct lia_decide_input in = {
		.header = h,
		.originator = &oc,
		.recipient = &rc_cert,
		.crl = crlp,
		.path = o.onward ? LIA_PATH_ONWARD : LIA_PATH_DIRECT,
		.consents = consents,
		.n_consents = o.n_consents,
		.now = now,
	};
	lia_decide(d, p, &in);
	if (o.json)
		print_json(decision_json(d, p, rc_cert.subject, lia_path_str(in.path), now));
	else
		print_decision_text(d, p, rc_cert.subject, lia_path_str(in.path));
	rc = d->verdict == LIA_PERMIT ? LIA_EXIT_OK : LIA_EXIT_REFUSED;
out:
	if (have_crl)
		lia_crl_clear(&crl);
	lia_envelope_destroy(&env);
	lia_policy_destroy(&p);
	free(h);
	free(consents);
	free(d);
	return rc;
}

static const struct lia_cmd cmds[] = {
	{"check", cmd_check, "validate a policy file; print its hash and a summary"},
	{"explain", cmd_explain, "decide one message for one recipient and show every rule consulted"},
	{"rules", cmd_rules, "list every rule id with its meaning"},
	LIA_CMD_END,
};

static const struct lia_prog prog = {
	.name = PROG,
	.about = "Check exchange policy files and explain the decisions they give.",
	.cmds = cmds,
	.examples = PROG " check policy/examples/exchange.yaml\n"
		    PROG " check --canonical exchange.yaml > exchange.canonical.json\n"
		    PROG " explain exchange.yaml --header msg.json --to RS-MUP/belgrade:analyst\n"
		    PROG " explain exchange.yaml --header msg.json --to HR-MUP/zagreb --onward \\\n"
		    "    --consent HR-MUP --json\n"
		    PROG " explain exchange.yaml --envelope msg.env --authority authority.pub \\\n"
		    "    --originator rome.crt --recipient belgrade.crt --crl revocations.crl\n"
		    PROG " explain exchange.yaml --header msg.json --publish",
	.footer = "exit status: 0 ok (explain: PERMIT), 1 failure (e.g. an invalid policy),\n"
		  "2 usage error, 3 an envelope or certificate failed verification,\n"
		  "4 explain: DENY.",
	.version = lia_version_print,
};

int main(int argc, char **argv)
{
	return lia_cli_dispatch(&prog, argc, argv);
}
