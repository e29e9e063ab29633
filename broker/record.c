/* record.c — see record.h. */
#include "record.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "turn.h"
#include "util.h"

/* Copy text into a fixed field, cutting it when longer (ledger
 * justifications and reasons are bounded by design). */
void lia_rec_text(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

void lia_rec_party(struct lia_record_party *p, const struct lia_cert *c)
{
	memset(p, 0, sizeof *p);
	memcpy(p->subject, c->subject, LIA_NAME_MAX);
	memcpy(p->agency, c->agency, LIA_NAME_MAX);
	p->has_key_id = true;
	memcpy(p->key_id, c->sign_kid, LIA_KEYID_BYTES);
}

void lia_rec_init(struct lia_broker *b, struct lia_record *r, enum lia_record_op op)
{
	lia_record_init(r);
	r->op = op;
	r->time = lia_now();
	r->has_policy_hash = true;
	memcpy(r->policy_hash, b->policy->hash, 32);
}

void lia_rec_message(struct lia_record *r, const struct lia_header *h)
{
	r->has_message_id = true;
	memcpy(r->message_id, h->id, LIA_ID_BYTES);
	memcpy(r->originator, h->originator, LIA_NAME_MAX);
	r->kind = (int)h->kind;
	r->has_restrictions = true;
	r->restrictions = h->restrictions;
}

void lia_rec_stored(struct lia_record *r, const uint8_t id[static LIA_ID_BYTES],
		    const char originator[static LIA_NAME_MAX], enum lia_kind kind)
{
	r->has_message_id = true;
	memcpy(r->message_id, id, LIA_ID_BYTES);
	memcpy(r->originator, originator, LIA_NAME_MAX);
	r->kind = (int)kind;
}

/* Append inside the turn's transaction. -1 aborts the turn's work. */
int lia_rec_append(struct lia_broker *b, struct lia_record *r)
{
	char err[LIA_ERR_MAX];
	if (lia_turn_need(b) != 0)
		return -1;
	if (lia_ledger_append(b->ledger, r, err) != 0) {
		lia_blog("ledger-error", "%s", err);
		lia_turn_abort(b, "ledger append failed");
		return -1;
	}
	return 0;
}

/* A record outside the loop's turns (start, reload): its own transaction. */
int lia_rec_now(struct lia_broker *b, struct lia_record *r)
{
	char err[LIA_ERR_MAX];
	if (b->in_txn)
		lia_turn_commit(b); /* never mix with a turn's work */
	if (lia_rec_append(b, r) != 0)
		return -1;
	b->in_txn = false;
	if (lia_turn_durable(b, err) != 0) {
		lia_blog("store-error", "%s", err);
		return -1;
	}
	return 0;
}

/* The grantee as a ledger party: the principal's certificate when it is
 * one in the directory, else the agency name alone. */
void lia_rec_grantee(struct lia_broker *b, struct lia_record_party *p, const char *grantee)
{
	const struct lia_directory_entry *who =
		lia_name_is_subject(grantee) ? lia_directory_find(&b->dir, grantee) : NULL;
	if (who != NULL) {
		lia_rec_party(p, &who->cert);
		return;
	}
	memset(p, 0, sizeof *p);
	if (lia_name_is_subject(grantee)) {
		lia_rec_text(p->subject, sizeof p->subject, grantee);
		lia_subject_agency(grantee, p->agency);
	} else {
		lia_rec_text(p->agency, sizeof p->agency, grantee);
	}
}
