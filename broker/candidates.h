/*
 * candidates.h — who a message may reach, and what decide() said of each.
 *
 * The candidates of a publish or a consent grant are in b->cand (at most
 * CANDIDATES_MAX); this module decides each with lia_decide() and writes
 * the disclose/withhold record and, for a permitted one, the delivery.
 *
 * Gathering and deciding are pure (they fill caller-owned arrays);
 * recording writes. Owns b->cand while a publish or grant runs. Trusts its inputs: the
 * header is verified, the certificates come from the directory. May
 * call policy's decide(), the envelope's wrap lookup, the store, the
 * record and session modules. Errors: 0 / -1 with the turn aborted.
 */
#ifndef LIA_BROKER_CANDIDATES_H
#define LIA_BROKER_CANDIDATES_H

#include "broker_int.h"
#include "decide.h"

/* A publish refused by rule id (may be ""): rule and why (printf fmt)
 * set; returns -1. */
int lia_cand_refuse(char rule[static LIA_RULE_ID_MAX], const char *id, char why[static LIA_DETAIL_MAX],
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A granted consent request as decide() takes it, granted at
 * granted_at. */
void lia_cand_consent(struct lia_consent *k, const struct lia_consent_request *c, int64_t granted_at);
/* The granted consents of message message_seq, at most
 * CONSENTS_PER_MESSAGE, in *out (malloc'd, free it; NULL when none) and
 * *n. 0, or -1 when the store could not be read or memory ran out. */
int lia_cand_consents(struct lia_broker *b, uint64_t message_seq, struct lia_consent **out, size_t *n)
	__attribute__((warn_unused_result));

/* The candidates of a publish from sender with header h: the
 * principals addressed in to, in order, then every feed subscriber whose
 * filter matches h, each principal once (the first way it is reached
 * gives its via: "direct" or the feed's name), never the sender, at
 * most max. Pure. 0 with *n set, or -1 with why naming an addressee that
 * is not in the directory (the publish is refused). */
int lia_cand_gather(struct lia_candidate *out, size_t max, size_t *n, const struct lia_directory *dir,
		    const struct lia_store_feed *feeds, size_t n_feeds, const struct lia_cert *sender,
		    const struct lia_header *h, const struct lia_names *to, char why[static LIA_DETAIL_MAX])
	__attribute__((warn_unused_result));

/* Decide each candidate cand[0..nc) for the message with header h by
 * originator, on path with consents, as of decide_at, under policy p
 * and revocations crl. A permitted one also needs its wrap in env, or
 * it is withheld (rule envelope.no-wrap); a DENY is a withhold. Pure.
 * Fills permit[] and decs[]; returns how many were permitted. */
size_t lia_cand_decide(const struct lia_policy *p, const struct lia_crl *crl,
		       const struct lia_candidate *cand, size_t nc, const struct lia_header *h,
		       const struct lia_cert *originator, const struct lia_envelope *env,
		       enum lia_path path, const struct lia_consent *cons, size_t n_cons,
		       int64_t decide_at, bool *permit, struct lia_decision *decs);

/* One disclose or withhold record per decision, by actor, and a delivery
 * (via the candidate's feed, "direct" or "consent") for each permitted
 * one, inside the turn's transaction. The justification reads "via
 * LABEL: reason", LABEL the candidate's via unless label is given, with
 * the embargo's end when embargo_until is set. *ledger_to becomes one
 * past the last record appended. 0, or -1 with the turn aborted. */
int lia_cand_record(struct lia_broker *b, const struct lia_header *h,
		    const struct lia_cert *actor, uint64_t message_seq, int64_t embargo_until,
		    const char *label, size_t nc, const bool *permit,
		    const struct lia_decision *decs, uint64_t *ledger_to);

#endif
