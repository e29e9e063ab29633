/*
 * policy.h — the exchange policy in memory: regions, agencies, agreements,
 * role permissions, retention ceilings, personal-data and protected-person
 * floors (DESIGN §4, docs/policy.md).
 *
 * A struct lia_policy is produced only by the loader (load.h), which
 * validates every field, resolves every reference and computes the
 * policy's hash before handing it out. After that it is read-only: code
 * holding a const struct lia_policy may rely on every invariant below,
 * and any number of threads may read one policy at the same time. A
 * reload builds a new policy and swaps the pointer; nothing is edited in
 * place.
 *
 * Invariants: agencies[] is sorted by name and regions[] by name, so an
 * agency or region is identified by its index; names are unique and valid
 * (marking.h); every set of agencies is a bit set over agency indices;
 * every count is within its LIA_POLICY_MAX_* cap.
 *
 * The hash is SHA-256 over "liaison-policy/v1\n" followed by the
 * canonical form (lia_policy_canonical): compact JSON with sorted keys,
 * every default written out, every set sorted. It depends on what the
 * policy means, not on how the YAML was written (key order, comments,
 * whitespace, "all" versus a full list), and goes into every ledger
 * record as the name of the rules in force.
 *
 * Lookups are pure and never allocate.
 */
#ifndef LIA_POLICY_H
#define LIA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keyfile.h" /* LIA_ERR_MAX */
#include "marking.h"

#define LIA_POLICY_VERSION 1
#define LIA_POLICY_MAX_BYTES (1u << 20) /* a larger file is refused unread */
#define LIA_POLICY_MAX_AGENCIES 512
#define LIA_POLICY_MAX_REGIONS 64       /* a region set is one uint64_t */
#define LIA_POLICY_MAX_AGREEMENTS 256
#define LIA_POLICY_MAX_COUNTRIES 64     /* countries named by one region */
#define LIA_POLICY_DESC_MAX 257         /* description text incl. NUL */
#define LIA_POLICY_MAX_DAYS 36500       /* any retention, in days */
#define LIA_POLICY_MAX_SKEW 86400       /* seconds */
#define LIA_POLICY_MAX_RATE 1000000     /* any rate limit */
#define LIA_POLICY_MAX_OFFICES 256      /* verification offices, one per country */
#define LIA_POLICY_MAX_DEADLINE (366 * 86400) /* any verification deadline, seconds */
#define LIA_POLICY_HASH_BYTES 32
#define LIA_POLICY_HASH_HEX (2 * LIA_POLICY_HASH_BYTES + 1)
#define LIA_POLICY_HASH_DOMAIN "liaison-policy/v1\n"

#define LIA_POLICY_AGENCY_WORDS (LIA_POLICY_MAX_AGENCIES / 64)

/* Kinds as a bit set: bit (1u << kind). */
#define LIA_KIND_BIT(k) (1u << (k))
#define LIA_KIND_ALL (((1u << (LIA_KIND_MAX + 1)) - 1) & ~1u)

/* A set of agencies of one policy, by index. */
struct lia_agency_set {
	uint64_t w[LIA_POLICY_AGENCY_WORDS];
};

static inline bool lia_agency_set_has(const struct lia_agency_set *s, size_t i)
{
	return (s->w[i / 64] >> (i % 64)) & 1u;
}

static inline void lia_agency_set_add(struct lia_agency_set *s, size_t i)
{
	s->w[i / 64] |= (uint64_t)1 << (i % 64);
}

struct lia_policy_agency {
	char name[LIA_NAME_MAX];
	char country[3];
	bool may_receive_personal_data; /* default false */
	bool judicial;                  /* a judicial authority: H1 needs consent */
	uint64_t regions;               /* bit r: member of regions[r] */
	char description[LIA_POLICY_DESC_MAX];
};

struct lia_policy_region {
	char name[LIA_NAME_MAX];
	char description[LIA_POLICY_DESC_MAX];
	size_t n_countries;
	char countries[LIA_POLICY_MAX_COUNTRIES][3]; /* sorted */
	struct lia_agency_set agencies;               /* members named one by one */
};

enum lia_agreement_type {
	LIA_AGREEMENT_BILATERAL = 1,    /* exactly two agencies */
	LIA_AGREEMENT_MULTILATERAL = 2, /* any agencies and regions */
};
const char *lia_agreement_type_str(enum lia_agreement_type t);

struct lia_policy_agreement {
	char name[LIA_NAME_MAX];
	char description[LIA_POLICY_DESC_MAX];
	enum lia_agreement_type type;
	struct lia_agency_set named;   /* agencies named as parties */
	uint64_t regions;              /* regions named as parties */
	struct lia_agency_set parties; /* named ∪ every member of the named regions */
	uint32_t kinds;                /* LIA_KIND_BIT set that may flow */
	bool personal_data;            /* may personal data flow under it? */
};

/* What a role may do: kinds it may publish and kinds it may receive. */
struct lia_policy_role {
	uint32_t publish;
	uint32_t receive;
};

/* Who answers document verification requests for one issuing state
 * (Art. 13): an agency (its principals holding the role liaison) or one
 * principal. */
struct lia_policy_office {
	char country[3];                /* first: sorted and searched by it */
	char name[LIA_NAME_MAX];        /* an agency or a subject */
	bool is_agency;
};

struct lia_policy {
	char exchange[LIA_NAME_MAX];
	char description[LIA_POLICY_DESC_MAX];
	char source[LIA_NAME_MAX * 4];          /* file name it was loaded from */

	enum lia_eval_scheme eval_scheme;       /* the exchange's evaluation scheme */
	bool eval_required;                     /* every message carries an evaluation */
	int64_t skew_seconds;                   /* created_at vs now at publish */
	uint32_t publish_per_hour;              /* per principal; 0 = no limit */
	uint32_t onward_requests_per_day;       /* per principal; 0 = no limit */
	uint32_t audit_queries_per_hour;        /* per principal; 0 = no limit */

	/* Retention ceilings in days: retention_days[kind] for each kind
	 * (index 0 is the default the file gave); personal data and
	 * protected persons lower them further. */
	uint32_t retention_days[LIA_KIND_MAX + 1];
	enum lia_tlp pd_min_tlp;                /* floor for any personal data */
	uint32_t pd_max_days;
	enum lia_tlp protected_min_tlp;         /* floor for smuggled migrants */
	uint32_t protected_handling;            /* handling codes forced on them */
	uint32_t protected_max_days;

	struct lia_policy_role roles[LIA_ROLE_BROKER + 1]; /* by enum lia_role */

	/* Document verification (verification:): the deadline of each
	 * urgency and the reminder before it, in seconds; whether the
	 * office agency's other liaison officers may answer; the offices. */
	int64_t verif_deadline[LIA_URGENCY_MAX + 1]; /* by enum lia_urgency; [0] unused */
	int64_t verif_remind_before;            /* < every deadline; 0: no reminder before */
	bool verif_liaison_answer;
	size_t n_offices;
	struct lia_policy_office *offices;      /* sorted by country */

	/* Recall and correction (recall:): whether a liaison officer of the
	 * originator's agency may recall or correct the agency's messages
	 * (the originator always may). */
	bool recall_liaison;

	size_t n_regions;
	struct lia_policy_region *regions;     /* sorted by name */
	size_t n_agencies;
	struct lia_policy_agency *agencies;    /* sorted by name */
	size_t n_agreements;
	struct lia_policy_agreement *agreements; /* sorted by name */

	uint8_t hash[LIA_POLICY_HASH_BYTES];
};

/* Free a policy; accepts NULL; sets *p to NULL. */
void lia_policy_destroy(struct lia_policy **p);

/* --- lookups (pure, O(log n)) --- */

/* Index of the agency or region with this exact name, or -1. */
int lia_policy_agency_index(const struct lia_policy *p, const char *name);
int lia_policy_region_index(const struct lia_policy *p, const char *name);
/* The agency with this name, or NULL. */
const struct lia_policy_agency *lia_policy_agency(const struct lia_policy *p, const char *name);

/* The office that answers verification requests for documents of
 * country, or NULL when the policy names none. */
const struct lia_policy_office *lia_policy_office(const struct lia_policy *p, const char *country);

/* Ceiling in days for a message of this kind with these data-subject
 * categories, before any H3 limit of the originator. */
uint32_t lia_policy_retention_days(const struct lia_policy *p, enum lia_kind kind,
				   uint32_t subjects);

/* When a message expires everywhere: the earliest of its own expires_at
 * (if set), created_at plus the retention ceiling, and created_at plus its
 * H3 max_retention_days (if set). The broker deletes the ciphertext then. */
int64_t lia_policy_expiry(const struct lia_policy *p, const struct lia_header *h);

/* The marking as the exchange enforces it: the originator's TLP raised
 * to personal_data.min_tlp when the message holds personal data and to
 * protected_persons.min_tlp when it concerns smuggled migrants, and its
 * handling codes with protected_persons.handling added for the latter. */
enum lia_tlp lia_policy_effective_tlp(const struct lia_policy *p, const struct lia_header *h);
uint32_t lia_policy_effective_handling(const struct lia_policy *p, const struct lia_header *h);

/* Is agency a a member of at least one of the regions named (names the
 * policy does not define count as no region)? */
bool lia_policy_in_regions(const struct lia_policy *p, const struct lia_policy_agency *a,
			   const struct lia_names *regions);

/* --- canonical form and hash --- */

/* The canonical form (see above) in *out (malloc'd, NUL-terminated, caller
 * frees). The canonical form is itself a valid policy file with the same
 * hash. Returns 0, or -1 with err set (allocation failure). */
int lia_policy_canonical(const struct lia_policy *p, char **out, size_t *out_len,
			 char err[static LIA_ERR_MAX]) __attribute__((warn_unused_result));

/* The hash as 64 lower-case hex digits. */
void lia_policy_hash_hex(const struct lia_policy *p, char out[static LIA_POLICY_HASH_HEX]);

#endif
