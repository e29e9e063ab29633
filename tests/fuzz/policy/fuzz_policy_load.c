/*
 * fuzz_policy_load.c — libFuzzer harness for the exchange policy loader.
 *
 * Any input must either load or be refused with a terminated message
 * that names a position. A policy that loads must survive its own
 * canonical form (which is a policy file with the same hash), and
 * lia_decide() and lia_admissible() must give a complete answer under
 * it for messages between its first and last agencies. The committed
 * corpus is replayed by the normal test run (fuzz-replay.policy_load).
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "load.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

static void principal(struct lia_cert *c, const struct lia_policy_agency *a, uint32_t roles)
{
	memset(c, 0, sizeof *c);
	size_t n = strlen(a->name);
	memcpy(c->agency, a->name, n + 1);
	memcpy(c->subject, a->name, n);
	memcpy(c->subject + n, "/desk", sizeof "/desk");
	memcpy(c->country, a->country, 3);
	c->kind = LIA_CERT_PRINCIPAL;
	c->roles = roles;
	c->serial = 1;
	c->not_before = 0;
	c->not_after = INT64_MAX;
}

static void exercise(const struct lia_policy *p)
{
	static struct lia_header h;
	struct lia_cert oc, rc;
	struct lia_decision d;
	principal(&oc, &p->agencies[0], LIA_ROLE_BIT(LIA_ROLE_LIAISON));
	principal(&rc, &p->agencies[p->n_agencies - 1], LIA_ROLE_BIT(LIA_ROLE_ANALYST));
	memset(&h, 0, sizeof h);
	memcpy(h.originator, oc.subject, sizeof h.originator);
	h.created_at = 1772359200;
	for (int kind = 1; kind <= LIA_KIND_MAX; kind++) {
		for (int tlp = LIA_TLP_CLEAR; tlp <= LIA_TLP_RED; tlp++) {
			h.kind = (enum lia_kind)kind;
			h.restrictions.tlp = (enum lia_tlp)tlp;
			h.subjects = (uint32_t)(kind & 1) << LIA_SUBJECT_SMUGGLED_MIGRANT;
			h.restrictions.handling = (uint32_t)(tlp & 3) << 1;
			struct lia_decide_input in = {&h,  &oc,	 &rc, NULL, LIA_PATH_ONWARD,
						      NULL, 0, h.created_at + 60};
			if (lia_decide(&d, p, &in) != d.verdict || lia_rule_id(d.rule) == NULL ||
			    d.n_trail == 0 || d.n_trail > LIA_TRAIL_MAX)
				abort();
			if (lia_admissible(&d, p, &h, &oc, NULL, h.created_at) != d.verdict ||
			    lia_rule_id(d.rule) == NULL)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_policy_error e;
	struct lia_policy *p = lia_policy_parse("fuzz.yaml", data, size, &e);
	if (p == NULL) {
		if (memchr(e.msg, '\0', sizeof e.msg) == NULL || e.msg[0] == '\0' ||
		    strncmp(e.msg, "fuzz.yaml:", 10) != 0)
			abort();
		return 0;
	}
	char *text, err[LIA_ERR_MAX];
	size_t len;
	if (lia_policy_canonical(p, &text, &len, err) != 0)
		abort();
	struct lia_policy *q = lia_policy_parse("canonical.json", (const uint8_t *)text, len, &e);
	if (q == NULL || memcmp(q->hash, p->hash, sizeof p->hash) != 0)
		abort();
	free(text);
	exercise(p);
	lia_policy_destroy(&q);
	lia_policy_destroy(&p);
	return 0;
}
