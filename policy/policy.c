/*
 * policy.c — lookups over a loaded exchange policy, its retention
 * arithmetic, and its canonical form and hash.
 *
 * The canonical form is built with jansson (sorted keys, compact, UTF-8
 * as is) from the validated struct, never from the YAML text, so it
 * depends only on what the policy means. It uses the key names of the
 * policy file, which makes it a policy file itself: loading it gives back
 * the same hash (tests/unit/policy and the fuzz harness check this).
 */
#include "policy.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"
#include "util.h"

#define SECONDS_PER_DAY INT64_C(86400)

const char *lia_agreement_type_str(enum lia_agreement_type t)
{
	switch (t) {
	case LIA_AGREEMENT_BILATERAL:
		return "bilateral";
	case LIA_AGREEMENT_MULTILATERAL:
		return "multilateral";
	}
	return NULL;
}

void lia_policy_destroy(struct lia_policy **pp)
{
	if (pp == NULL || *pp == NULL)
		return;
	struct lia_policy *p = *pp;
	free(p->regions);
	free(p->agencies);
	free(p->agreements);
	free(p->offices);
	free(p);
	*pp = NULL;
}

/* Binary search over an array of structs that each begin with a name. */
static int name_index(const void *base, size_t n, size_t size, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *at = (const char *)base + mid * size;
		int c = strcmp(name, at);
		if (c == 0)
			return (int)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int lia_policy_agency_index(const struct lia_policy *p, const char *name)
{
	return name_index(p->agencies, p->n_agencies, sizeof p->agencies[0], name);
}

int lia_policy_region_index(const struct lia_policy *p, const char *name)
{
	return name_index(p->regions, p->n_regions, sizeof p->regions[0], name);
}

const struct lia_policy_agency *lia_policy_agency(const struct lia_policy *p, const char *name)
{
	int i = lia_policy_agency_index(p, name);
	return i < 0 ? NULL : &p->agencies[i];
}

const struct lia_policy_office *lia_policy_office(const struct lia_policy *p, const char *country)
{
	int i = name_index(p->offices, p->n_offices, sizeof p->offices[0], country);
	return i < 0 ? NULL : &p->offices[i];
}

uint32_t lia_policy_retention_days(const struct lia_policy *p, enum lia_kind kind,
				   uint32_t subjects)
{
	uint32_t days = p->retention_days[0];
	if (kind >= 1 && kind <= LIA_KIND_MAX)
		days = p->retention_days[kind];
	if (subjects != 0 && p->pd_max_days < days)
		days = p->pd_max_days;
	if ((subjects & LIA_SUBJECT_BIT(LIA_SUBJECT_SMUGGLED_MIGRANT)) && p->protected_max_days < days)
		days = p->protected_max_days;
	return days;
}

/* created_at + days, saturating: created_at comes from a signed header
 * and may be anything an int64_t holds. */
static int64_t add_days(int64_t t, uint32_t days)
{
	int64_t d = (int64_t)days * SECONDS_PER_DAY;
	if (t > INT64_MAX - d)
		return INT64_MAX;
	return t + d;
}

int64_t lia_policy_expiry(const struct lia_policy *p, const struct lia_header *h)
{
	const struct lia_restrictions *r = &h->restrictions;
	int64_t t = add_days(h->created_at, lia_policy_retention_days(p, h->kind, h->subjects));
	if ((r->handling & LIA_HANDLING_H3) && r->h3.max_retention_days != 0) {
		int64_t h3 = add_days(h->created_at, r->h3.max_retention_days);
		if (h3 < t)
			t = h3;
	}
	if (r->expires_at != 0 && r->expires_at < t)
		t = r->expires_at;
	return t;
}

enum lia_tlp lia_policy_effective_tlp(const struct lia_policy *p, const struct lia_header *h)
{
	enum lia_tlp t = h->restrictions.tlp;
	if (h->subjects != 0 && p->pd_min_tlp > t)
		t = p->pd_min_tlp;
	if ((h->subjects & LIA_SUBJECT_BIT(LIA_SUBJECT_SMUGGLED_MIGRANT)) && p->protected_min_tlp > t)
		t = p->protected_min_tlp;
	return t;
}

uint32_t lia_policy_effective_handling(const struct lia_policy *p, const struct lia_header *h)
{
	uint32_t x = h->restrictions.handling;
	if (h->subjects & LIA_SUBJECT_BIT(LIA_SUBJECT_SMUGGLED_MIGRANT))
		x |= p->protected_handling;
	return x;
}

bool lia_policy_in_regions(const struct lia_policy *p, const struct lia_policy_agency *a,
			   const struct lia_names *regions)
{
	for (size_t i = 0; i < regions->n; i++) {
		int r = lia_policy_region_index(p, regions->v[i]);
		if (r >= 0 && ((a->regions >> r) & 1u))
			return true;
	}
	return false;
}

void lia_policy_hash_hex(const struct lia_policy *p, char out[static LIA_POLICY_HASH_HEX])
{
	sodium_bin2hex(out, LIA_POLICY_HASH_HEX, p->hash, sizeof p->hash);
}

/* --- canonical form --- */

/* Every json_*_set_new below steals its value even on failure, so one
 * check of the final result after building is enough only if we also
 * notice failures; set() keeps a sticky error flag instead. */
struct builder {
	int failed;
};

static void set(struct builder *b, json_t *obj, const char *key, json_t *val)
{
	if (obj == NULL || val == NULL || json_object_set_new(obj, key, val) != 0)
		b->failed = 1;
}

static void push(struct builder *b, json_t *arr, json_t *val)
{
	if (arr == NULL || val == NULL || json_array_append_new(arr, val) != 0)
		b->failed = 1;
}

static json_t *kind_list(struct builder *b, uint32_t kinds)
{
	json_t *a = json_array();
	for (int k = 1; k <= LIA_KIND_MAX; k++)
		if (kinds & LIA_KIND_BIT(k))
			push(b, a, json_string(lia_kind_str((enum lia_kind)k)));
	return a;
}

static json_t *agency_list(struct builder *b, const struct lia_policy *p,
			   const struct lia_agency_set *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->n_agencies; i++)
		if (lia_agency_set_has(s, i))
			push(b, a, json_string(p->agencies[i].name));
	return a;
}

static json_t *region_list(struct builder *b, const struct lia_policy *p, uint64_t regions)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->n_regions; i++)
		if ((regions >> i) & 1u)
			push(b, a, json_string(p->regions[i].name));
	return a;
}

static void set_description(struct builder *b, json_t *obj, const char *text)
{
	if (text[0] != '\0')
		set(b, obj, "description", json_string(text));
}

static json_t *handling_list(struct builder *b, uint32_t handling)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} codes[] = {
		{LIA_HANDLING_H1, "H1"}, {LIA_HANDLING_H2, "H2"}, {LIA_HANDLING_H3, "H3"}};
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (handling & codes[i].bit)
			push(b, a, json_string(codes[i].name));
	return a;
}

static json_t *canonical_tree(struct builder *b, const struct lia_policy *p)
{
	json_t *root = json_object();
	set(b, root, "version", json_integer(LIA_POLICY_VERSION));
	set(b, root, "exchange", json_string(p->exchange));
	set_description(b, root, p->description);

	json_t *ev = json_object();
	set(b, ev, "scheme", json_string(lia_eval_scheme_str(p->eval_scheme)));
	set(b, ev, "required", json_boolean(p->eval_required));
	set(b, root, "evaluation", ev);
	set(b, root, "skew_seconds", json_integer(p->skew_seconds));

	json_t *rl = json_object();
	set(b, rl, "publish_per_hour", json_integer(p->publish_per_hour));
	set(b, rl, "onward_requests_per_day", json_integer(p->onward_requests_per_day));
	set(b, rl, "audit_queries_per_hour", json_integer(p->audit_queries_per_hour));
	set(b, root, "rate_limits", rl);

	json_t *ret = json_object();
	set(b, ret, "default_days", json_integer(p->retention_days[0]));
	json_t *rk = json_object();
	for (int k = 1; k <= LIA_KIND_MAX; k++)
		set(b, rk, lia_kind_str((enum lia_kind)k), json_integer(p->retention_days[k]));
	set(b, ret, "kinds", rk);
	set(b, root, "retention", ret);

	json_t *pd = json_object();
	set(b, pd, "min_tlp", json_string(lia_tlp_str(p->pd_min_tlp)));
	set(b, pd, "max_retention_days", json_integer(p->pd_max_days));
	set(b, root, "personal_data", pd);

	json_t *pp = json_object();
	set(b, pp, "min_tlp", json_string(lia_tlp_str(p->protected_min_tlp)));
	set(b, pp, "handling", handling_list(b, p->protected_handling));
	set(b, pp, "max_retention_days", json_integer(p->protected_max_days));
	set(b, root, "protected_persons", pp);

	json_t *roles = json_object();
	for (int r = LIA_ROLE_LIAISON; r <= LIA_ROLE_BROKER; r++) {
		json_t *ro = json_object();
		set(b, ro, "publish", kind_list(b, p->roles[r].publish));
		set(b, ro, "receive", kind_list(b, p->roles[r].receive));
		set(b, roles, lia_role_str((enum lia_role)r), ro);
	}
	set(b, root, "roles", roles);

	json_t *regions = json_object();
	for (size_t i = 0; i < p->n_regions; i++) {
		const struct lia_policy_region *rg = &p->regions[i];
		json_t *o = json_object();
		set_description(b, o, rg->description);
		json_t *c = json_array();
		for (size_t j = 0; j < rg->n_countries; j++)
			push(b, c, json_string(rg->countries[j]));
		set(b, o, "countries", c);
		set(b, o, "agencies", agency_list(b, p, &rg->agencies));
		set(b, regions, rg->name, o);
	}
	set(b, root, "regions", regions);

	json_t *agencies = json_object();
	for (size_t i = 0; i < p->n_agencies; i++) {
		const struct lia_policy_agency *a = &p->agencies[i];
		json_t *o = json_object();
		set(b, o, "country", json_string(a->country));
		set_description(b, o, a->description);
		set(b, o, "may_receive_personal_data", json_boolean(a->may_receive_personal_data));
		set(b, o, "judicial", json_boolean(a->judicial));
		set(b, agencies, a->name, o);
	}
	set(b, root, "agencies", agencies);

	json_t *agreements = json_object();
	for (size_t i = 0; i < p->n_agreements; i++) {
		const struct lia_policy_agreement *g = &p->agreements[i];
		json_t *o = json_object();
		set(b, o, "type", json_string(lia_agreement_type_str(g->type)));
		set_description(b, o, g->description);
		set(b, o, "parties", agency_list(b, p, &g->named));
		set(b, o, "regions", region_list(b, p, g->regions));
		set(b, o, "kinds", kind_list(b, g->kinds));
		set(b, o, "personal_data", json_boolean(g->personal_data));
		set(b, agreements, g->name, o);
	}
	set(b, root, "agreements", agreements);

	json_t *vf = json_object();
	json_t *dl = json_object();
	for (int u = LIA_URGENCY_URGENT; u <= LIA_URGENCY_MAX; u++)
		set(b, dl, lia_urgency_str((enum lia_urgency)u), json_integer(p->verif_deadline[u]));
	set(b, vf, "deadlines", dl);
	set(b, vf, "remind_before", json_integer(p->verif_remind_before));
	set(b, vf, "liaison_officers_answer", json_boolean(p->verif_liaison_answer));
	json_t *offices = json_object();
	for (size_t i = 0; i < p->n_offices; i++)
		set(b, offices, p->offices[i].country, json_string(p->offices[i].name));
	set(b, vf, "offices", offices);
	set(b, root, "verification", vf);
	json_t *rc = json_object();
	set(b, rc, "liaison_officers", json_boolean(p->recall_liaison));
	set(b, root, "recall", rc);
	return root;
}

int lia_policy_canonical(const struct lia_policy *p, char **out, size_t *out_len,
			 char err[static LIA_ERR_MAX])
{
	struct builder b = {0};
	json_t *root = canonical_tree(&b, p);
	char *text = NULL;
	if (!b.failed && root != NULL)
		text = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	if (text == NULL)
		return lia_errf(err, "cannot build the canonical form of policy \"%s\": out of memory",
				p->exchange);
	*out = text;
	*out_len = strlen(text);
	return 0;
}

int lia_policy_seal(struct lia_policy *p, char err[static LIA_ERR_MAX])
{
	char *text;
	size_t len;
	if (lia_policy_canonical(p, &text, &len, err) != 0)
		return -1;
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)LIA_POLICY_HASH_DOMAIN,
				  strlen(LIA_POLICY_HASH_DOMAIN));
	crypto_hash_sha256_update(&st, (const uint8_t *)text, len);
	crypto_hash_sha256_final(&st, p->hash);
	free(text);
	return 0;
}
