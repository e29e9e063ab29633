/*
 * marking.h — the validated, in-memory form of an envelope header and its
 * use restrictions (DESIGN §3, §4).
 *
 * These are plain fixed-size structs: the policy engine, the broker and
 * the store handle them without allocation and without seeing protobuf.
 * They are produced only by lia_header_parse() (envelope.h), which
 * validates every field once at the edge; code that receives a
 * struct lia_header may rely on every invariant stated here.
 *
 * Thread safety: the structs are values; the functions are pure.
 */
#ifndef LIA_MARKING_H
#define LIA_MARKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LIA_ID_BYTES 16     /* message id */
#define LIA_KEYID_BYTES 8   /* key id: first 8 bytes of BLAKE2b-256(public key) */
#define LIA_HASH_BYTES 32   /* BLAKE2b-256 / SHA-256 */
#define LIA_NAME_MAX 64     /* subject, agency, region names incl. NUL */
#define LIA_TOPIC_MAX 128   /* topic incl. NUL */
#define LIA_TEXT_MAX 512    /* H3 free text incl. NUL */
#define LIA_LIST_MAX 32     /* entries in any list of names */
#define LIA_BODY_MAX (1u << 20) /* serialized body, before compression */

/* Traffic Light Protocol 2.0, ordered: larger is more restrictive. */
enum lia_tlp {
	LIA_TLP_CLEAR = 1,
	LIA_TLP_GREEN = 2,
	LIA_TLP_AMBER = 3,
	LIA_TLP_AMBER_STRICT = 4,
	LIA_TLP_RED = 5,
};

/* Handling codes as a bit set; H0 is always implied and has no bit. */
enum {
	LIA_HANDLING_H1 = 1u << 1,
	LIA_HANDLING_H2 = 1u << 2,
	LIA_HANDLING_H3 = 1u << 3,
	LIA_HANDLING_ALL = LIA_HANDLING_H1 | LIA_HANDLING_H2 | LIA_HANDLING_H3,
};

/* Data-subject categories as a bit set (bit = 1 << enum value). */
enum lia_subject {
	LIA_SUBJECT_SUSPECT = 1,
	LIA_SUBJECT_VICTIM = 2,
	LIA_SUBJECT_WITNESS = 3,
	LIA_SUBJECT_CONTACT = 4,
	LIA_SUBJECT_SMUGGLED_MIGRANT = 5,
};
#define LIA_SUBJECT_BIT(s) (1u << (s))
#define LIA_SUBJECT_ALL 0x3eu

/* Roles as a bit set (bit = 1 << enum value), same numbers as Role. */
enum lia_role {
	LIA_ROLE_LIAISON = 1,
	LIA_ROLE_ANALYST = 2,
	LIA_ROLE_AUDITOR = 3,
	LIA_ROLE_BROKER = 4,
};
#define LIA_ROLE_BIT(r) (1u << (r))
#define LIA_ROLE_ALL 0x1eu

/* Message kinds, same numbers as MessageKind in schemas/common.proto. */
enum lia_kind {
	LIA_KIND_ROUTE = 1,
	LIA_KIND_CARRIER = 2,
	LIA_KIND_NETWORK = 3,
	LIA_KIND_DOCUMENT = 4,
	LIA_KIND_CONCEALMENT = 5,
	LIA_KIND_LEGISLATION = 6,
	LIA_KIND_TECHNICAL = 7,
	LIA_KIND_VERIFICATION_REQUEST = 8,
	LIA_KIND_VERIFICATION_ANSWER = 9,
	LIA_KIND_NOTE = 10,
	LIA_KIND_RECALL = 11,
};
#define LIA_KIND_MAX 11

/* How soon a document verification request must be answered (Art. 13);
 * same numbers as Urgency in schemas/common.proto. */
enum lia_urgency {
	LIA_URGENCY_URGENT = 1,
	LIA_URGENCY_NORMAL = 2,
	LIA_URGENCY_ROUTINE = 3,
};
#define LIA_URGENCY_MAX 3

enum lia_eval_scheme {
	LIA_EVAL_NONE = 0,          /* the originator gave no evaluation */
	LIA_EVAL_EUROPOL_4X4 = 1,   /* source A,B,C,X; information 1-4 */
	LIA_EVAL_ADMIRALTY_6X6 = 2, /* source A-F; information 1-6 */
};

/* A bounded list of names; each entry is NUL-terminated and validated. */
struct lia_names {
	size_t n;
	char v[LIA_LIST_MAX][LIA_NAME_MAX];
};

struct lia_h3 {
	char text[LIA_TEXT_MAX];        /* non-empty when H3 is set */
	struct lia_names deny_agencies;
	struct lia_names deny_countries;
	uint32_t allowed_roles;         /* role bits; 0 = any role */
	uint32_t max_retention_days;    /* 0 = policy default */
};

struct lia_restrictions {
	enum lia_tlp tlp;
	uint32_t handling;              /* LIA_HANDLING_* bits */
	struct lia_h3 h3;               /* meaningful only with LIA_HANDLING_H3 */
	struct lia_names release_agencies;
	struct lia_names release_principals;
	struct lia_names release_regions;
	int64_t embargo_until;          /* 0 = none */
	int64_t expires_at;             /* 0 = policy default */
};

struct lia_evaluation {
	enum lia_eval_scheme scheme;
	char source;                    /* 'A'..'F' or 'X'; 0 when scheme is NONE */
	uint8_t information;            /* 1..4 or 1..6; 0 when scheme is NONE */
};

struct lia_header {
	uint8_t id[LIA_ID_BYTES];
	char originator[LIA_NAME_MAX];
	uint8_t originator_sign_kid[LIA_KEYID_BYTES];
	uint8_t originator_box_kid[LIA_KEYID_BYTES];
	int64_t created_at;
	enum lia_kind kind;
	struct lia_names regions;
	char topic[LIA_TOPIC_MAX];
	bool has_in_reply_to;
	uint8_t in_reply_to[LIA_ID_BYTES];
	bool has_supersedes;
	uint8_t supersedes[LIA_ID_BYTES];
	struct lia_restrictions restrictions;
	struct lia_evaluation evaluation;
	uint32_t subjects;              /* LIA_SUBJECT_BIT set */
	uint8_t ciphertext_hash[LIA_HASH_BYTES];
	uint8_t key_commitment[LIA_HASH_BYTES];
	uint32_t body_len;              /* <= LIA_BODY_MAX */
	/* Exactly for kind verification-request: where the broker sends it
	 * and by when it must be answered (schemas/envelope.proto). */
	bool has_verification;
	struct {
		char issuing_state[3];  /* ISO alpha-2 */
		enum lia_urgency urgency;
	} verification;
};

/* Names of enum values as used in policy files, flags and JSON:
 * "CLEAR".."RED", "H1".., "route".., "liaison".., "smuggled-migrant"...
 * Each returns NULL for a value outside the enum. */
const char *lia_tlp_str(enum lia_tlp tlp);
const char *lia_kind_str(enum lia_kind kind);
const char *lia_role_str(enum lia_role role);
const char *lia_subject_str(enum lia_subject s);
const char *lia_eval_scheme_str(enum lia_eval_scheme s);
const char *lia_urgency_str(enum lia_urgency u); /* "urgent", "normal", "routine" */

/* Parsers for the same names; return 0 and set *out, or -1. Case-sensitive
 * except TLP, which also accepts lower case ("amber+strict"). */
int lia_tlp_parse(const char *s, enum lia_tlp *out);
int lia_kind_parse(const char *s, enum lia_kind *out);
int lia_role_parse(const char *s, enum lia_role *out);
int lia_subject_parse(const char *s, enum lia_subject *out);
int lia_handling_parse(const char *s, uint32_t *bit);
int lia_urgency_parse(const char *s, enum lia_urgency *out);

/* Name validation shared by certificates, headers and policy files.
 * agency: [A-Z0-9][A-Z0-9-]{1,31}             e.g. "IT-GDF"
 * subject: AGENCY "/" [a-z0-9][a-z0-9._-]{0,30} e.g. "IT-GDF/ventimiglia"
 * region: [A-Z0-9][A-Z0-9-]{1,31}             e.g. "MED-CENTRAL"
 * country: two upper-case letters (ISO 3166-1 alpha-2 shape) */
bool lia_name_is_agency(const char *s);
bool lia_name_is_subject(const char *s);
bool lia_name_is_region(const char *s);
bool lia_name_is_country(const char *s);

/* The agency part of a valid subject, copied into out (LIA_NAME_MAX). */
void lia_subject_agency(const char *subject, char out[static LIA_NAME_MAX]);

/* Whether subject names a principal of agency ("IT-GDF/x" of "IT-GDF"). */
bool lia_subject_in_agency(const char *subject, const char *agency);

/* List helpers. lia_names_has is exact string comparison. */
bool lia_names_has(const struct lia_names *l, const char *name);
int lia_names_add(struct lia_names *l, const char *name) __attribute__((warn_unused_result));

/* Evaluation: an evaluation "meets" a minimum when its source is at least
 * as reliable and its information at least as credible (A before F, 1
 * before 6; X counts as least reliable). Different schemes never meet. */
bool lia_evaluation_meets(const struct lia_evaluation *e, const struct lia_evaluation *min);

/* --- The audience rule (DESIGN §4) ---
 *
 * Whether a marking admits a principal, rule by rule: the one statement
 * of the audience rules, used by lia_decide() (policy/decide.c), which is
 * the authority, and by the agent when it chooses whom to wrap the data
 * key for. Each set bit is a rule that refuses; 0 means the marking
 * admits the principal. The bits are returned together so that decide()
 * can consult them in its own documented order and name the first.
 *
 * What the rule does not know is the caller's: whether the principal's
 * agency is in one of the released regions (the broker knows it from the
 * exchange policy; the agent does not and passes true, see
 * agent/publish.h), the exchange's floors for TLP and handling (the
 * caller passes the marking as it enforces it), and everything the policy
 * adds (membership, agreements, roles per kind, personal data, judicial
 * authorities, consents). An agent that wraps for fewer principals than
 * the broker permits loses deliveries (envelope.no-wrap); one that wraps
 * for more discloses nothing, since the broker withholds the envelope,
 * though every recipient can see the key ids the data key was wrapped
 * for. */
struct lia_cert;

enum {
	LIA_AUDIENCE_BROKER = 1u << 0,            /* brokers never receive content */
	LIA_AUDIENCE_AUDITOR = 1u << 1,           /* nor do auditors */
	LIA_AUDIENCE_H3_AGENCY = 1u << 2,         /* H3: agency excluded */
	LIA_AUDIENCE_H3_COUNTRY = 1u << 3,        /* H3: country excluded */
	LIA_AUDIENCE_H3_ROLE = 1u << 4,           /* H3: none of the allowed roles */
	LIA_AUDIENCE_TLP = 1u << 5,               /* the TLP's audience */
	LIA_AUDIENCE_RELEASE_AGENCY = 1u << 6,    /* not among the agencies named */
	LIA_AUDIENCE_RELEASE_PRINCIPAL = 1u << 7, /* not among the principals named */
	LIA_AUDIENCE_RELEASE_REGION = 1u << 8,    /* in none of the regions named */
};

struct lia_audience {
	const struct lia_restrictions *restrictions;
	enum lia_tlp tlp;              /* as enforced (>= restrictions->tlp) */
	uint32_t handling;             /* as enforced (>= restrictions->handling) */
	const char *originator_agency; /* for AMBER and AMBER+STRICT */
};

/* The rules of a that refuse principal c (LIA_AUDIENCE_* bits; 0 admits).
 * in_released_region: whether c's agency is a member of one of the
 * regions named; unused when none is named. */
uint32_t lia_audience_refusals(const struct lia_audience *a, const struct lia_cert *c,
			       bool in_released_region);

/* Whether some name is in both lists. */
bool lia_names_meet(const struct lia_names *a, const struct lia_names *b);

#endif
