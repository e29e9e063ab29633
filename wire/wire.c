/*
 * wire.c — Frame protobuf <-> struct lia_frame, and socket setup.
 *
 * The decoder is the trust boundary of the broker: every string is
 * copied into a fixed-size field after a length and character check,
 * every enum is checked against its range, every repeated field against
 * its cap, before the struct is handed on.
 */
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "pb_int.h"
#include "util.h"
#include "wire.pb-c.h"

struct priv {
	struct lia_pb_budget budget;
	Liaison__V1__Frame *pb;
};

static const char *const type_names[] = {
	[LIA_FRAME_HELLO] = "hello",
	[LIA_FRAME_WELCOME] = "welcome",
	[LIA_FRAME_PUBLISH] = "publish",
	[LIA_FRAME_PUBLISH_ACK] = "publish-ack",
	[LIA_FRAME_SUBSCRIBE] = "subscribe",
	[LIA_FRAME_UNSUBSCRIBE] = "unsubscribe",
	[LIA_FRAME_FEED_LIST] = "feed-list",
	[LIA_FRAME_DELIVER] = "deliver",
	[LIA_FRAME_ACK] = "ack",
	[LIA_FRAME_INBOX] = "inbox",
	[LIA_FRAME_INBOX_LIST] = "inbox-list",
	[LIA_FRAME_FETCH] = "fetch",
	[LIA_FRAME_DIRECTORY_REQUEST] = "directory-request",
	[LIA_FRAME_DIRECTORY] = "directory",
	[LIA_FRAME_AUDIT_QUERY] = "audit-query",
	[LIA_FRAME_AUDIT_ANSWER] = "audit-answer",
	[LIA_FRAME_ERROR] = "error",
	[LIA_FRAME_ERASE] = "erase",
	[LIA_FRAME_OK] = "ok",
	[LIA_FRAME_PING] = "ping",
	[LIA_FRAME_PONG] = "pong",
	[LIA_FRAME_CONSENT_ASK] = "consent-ask",
	[LIA_FRAME_CONSENT_QUERY] = "consent-query",
	[LIA_FRAME_CONSENT_LIST] = "consent-list",
	[LIA_FRAME_CONSENT_ANSWER] = "consent-answer",
};

const char *lia_frame_type_str(enum lia_frame_type t)
{
	if ((size_t)t >= sizeof type_names / sizeof type_names[0] || type_names[t] == NULL)
		return "unknown";
	return type_names[t];
}

const char *lia_refusal_str(enum lia_refusal r)
{
	switch (r) {
	case LIA_REFUSAL_NONE: return "none";
	case LIA_REFUSAL_MALFORMED: return "malformed envelope";
	case LIA_REFUSAL_NOT_ORIGINATOR: return "envelope not signed by the sender";
	case LIA_REFUSAL_VERIFICATION: return "verification failed";
	case LIA_REFUSAL_SKEW: return "creation time outside the skew window";
	case LIA_REFUSAL_POLICY: return "refused by the exchange policy";
	case LIA_REFUSAL_UNKNOWN_RECIPIENT: return "unknown recipient";
	case LIA_REFUSAL_RATE: return "publish rate limit reached";
	case LIA_REFUSAL_TOO_LARGE: return "too large";
	case LIA_REFUSAL_UNAVAILABLE: return "broker unavailable";
	}
	return "unknown refusal";
}

const char *lia_error_code_str(enum lia_error_code c)
{
	switch (c) {
	case LIA_ERROR_MALFORMED: return "malformed frame";
	case LIA_ERROR_VERSION: return "unsupported protocol version";
	case LIA_ERROR_NO_SESSION: return "no session: send hello first";
	case LIA_ERROR_FORBIDDEN: return "forbidden";
	case LIA_ERROR_NOT_FOUND: return "not found";
	case LIA_ERROR_INVALID: return "invalid request";
	case LIA_ERROR_UNAVAILABLE: return "unavailable";
	case LIA_ERROR_REVOKED: return "certificate revoked";
	}
	return "unknown error";
}

void lia_frame_init(struct lia_frame *f, enum lia_frame_type type, uint64_t request_id)
{
	memset(f, 0, sizeof *f);
	f->type = type;
	f->request_id = request_id;
}

void lia_frame_clear(struct lia_frame *f)
{
	struct priv *p = f->priv;
	if (p != NULL) {
		switch (f->type) {
		case LIA_FRAME_FEED_LIST: free(f->u.feed_list.v); break;
		case LIA_FRAME_INBOX_LIST: free(f->u.inbox_list.v); break;
		case LIA_FRAME_CONSENT_LIST: free(f->u.consent_list.v); break;
		case LIA_FRAME_DIRECTORY: free(f->u.directory.certs); break;
		case LIA_FRAME_AUDIT_ANSWER:
			free(f->u.audit_answer.disclosures);
			free(f->u.audit_answer.records);
			free(f->u.audit_answer.proof);
			break;
		default: break;
		}
		if (p->pb != NULL)
			liaison__v1__frame__free_unpacked(p->pb, &p->budget.alloc);
		free(p);
	}
	memset(f, 0, sizeof *f);
}

/* --- decoding helpers: each returns 0 or -1 with *why set --- */

#define FAIL(msg)                                                                              \
	do {                                                                                   \
		lia_errf(why, "%s", msg);                                                      \
		return -1;                                                                     \
	} while (0)

static int str_in(char *out, size_t cap, const char *s, const char *field, char why[static LIA_ERR_MAX])
{
	if (lia_pb_str(out, cap, s) != 0)
		return lia_errf(why, "%s: longer than %zu bytes or has control characters", field, cap - 1);
	return 0;
}

static int name_in(char *out, const char *s, bool (*valid)(const char *), const char *field,
		   char why[static LIA_ERR_MAX])
{
	if (str_in(out, LIA_NAME_MAX, s, field, why) != 0)
		return -1;
	if (!valid(out))
		return lia_errf(why, "%s: \"%s\" is not a valid name", field, out);
	return 0;
}

static int names_in(struct lia_names *out, char **v, size_t n, bool (*valid)(const char *),
		    const char *field, char why[static LIA_ERR_MAX])
{
	out->n = 0;
	if (n > LIA_LIST_MAX)
		return lia_errf(why, "%s: more than %d entries", field, LIA_LIST_MAX);
	for (size_t i = 0; i < n; i++) {
		char tmp[LIA_NAME_MAX];
		if (name_in(tmp, v[i], valid, field, why) != 0)
			return -1;
		if (lia_names_has(out, tmp))
			return lia_errf(why, "%s: \"%s\" repeated", field, tmp);
		if (lia_names_add(out, tmp) != 0)
			return lia_errf(why, "%s: too many", field);
	}
	return 0;
}

static int id_in(uint8_t out[static LIA_ID_BYTES], const ProtobufCBinaryData *d, const char *field,
		 char why[static LIA_ERR_MAX])
{
	if (d->len != LIA_ID_BYTES)
		return lia_errf(why, "%s: a message id has 16 bytes, not %zu", field, d->len);
	memcpy(out, d->data, LIA_ID_BYTES);
	return 0;
}

static int feedname_in(char out[static LIA_FEED_NAME_MAX], const char *s, char why[static LIA_ERR_MAX])
{
	if (strlen(s) >= LIA_FEED_NAME_MAX || !lia_feed_name_valid(s))
		return lia_errf(why, "feed name: expected [a-z0-9-]{1,32}");
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int evaluation_in(struct lia_evaluation *e, const Liaison__V1__Evaluation *p,
			 char why[static LIA_ERR_MAX])
{
	memset(e, 0, sizeof *e);
	if (p == NULL)
		return 0;
	int src = (int)p->source;
	bool ok;
	if (p->scheme == LIAISON__V1__EVALUATION_SCHEME__EVALUATION_SCHEME_EUROPOL_4X4)
		ok = (src == 1 || src == 2 || src == 3 || src == 7) && p->information >= 1 &&
		     p->information <= 4;
	else if (p->scheme == LIAISON__V1__EVALUATION_SCHEME__EVALUATION_SCHEME_ADMIRALTY_6X6)
		ok = src >= 1 && src <= 6 && p->information >= 1 && p->information <= 6;
	else
		ok = false;
	if (!ok)
		return lia_errf(why, "evaluation out of range for its scheme");
	e->scheme = (enum lia_eval_scheme)p->scheme;
	e->source = src == 7 ? 'X' : (char)('A' + src - 1);
	e->information = (uint8_t)p->information;
	return 0;
}

static int filter_in(struct lia_feed_filter *f, const Liaison__V1__FeedFilter *p,
		     char why[static LIA_ERR_MAX])
{
	memset(f, 0, sizeof *f);
	if (p == NULL)
		return 0;
	if (p->n_kinds > LIA_KIND_MAX)
		FAIL("filter kinds: too many");
	for (size_t i = 0; i < p->n_kinds; i++) {
		int k = (int)p->kinds[i];
		if (k < 1 || k > LIA_KIND_MAX)
			FAIL("filter kinds: unknown kind");
		f->kinds |= 1u << k;
	}
	if (names_in(&f->regions, p->regions, p->n_regions, lia_name_is_region, "filter regions", why) ||
	    names_in(&f->agencies, p->originator_agencies, p->n_originator_agencies,
		     lia_name_is_agency, "filter originator_agencies", why) ||
	    evaluation_in(&f->min_eval, p->min_evaluation, why))
		return -1;
	return 0;
}

static int bytes_in(struct lia_bytes *out, const ProtobufCBinaryData *d, size_t max,
		    const char *field, char why[static LIA_ERR_MAX])
{
	if (d->len > max)
		return lia_errf(why, "%s: %zu bytes, at most %zu", field, d->len, max);
	out->p = d->data;
	out->len = d->len;
	return 0;
}

/* A consent grantee: a principal or a whole agency. */
static int grantee_in(char out[static LIA_NAME_MAX], const char *s, char why[static LIA_ERR_MAX])
{
	if (strlen(s) >= LIA_NAME_MAX || !(lia_name_is_subject(s) || lia_name_is_agency(s)))
		return lia_errf(why, "grantee: a principal (AGENCY/name) or an agency expected");
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* Text a person must give (a purpose, a reason): 1..255 printable bytes. */
static int purpose_in(char out[static LIA_PURPOSE_MAX], const char *s, const char *field,
		      char why[static LIA_ERR_MAX])
{
	if (!lia_purpose_valid(s))
		return lia_errf(why, "%s: 1 to %d printable bytes", field, LIA_PURPOSE_MAX - 1);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int decode_body(struct lia_frame *f, const Liaison__V1__Frame *pb, char why[static LIA_ERR_MAX])
{
	switch (pb->body_case) {
	case LIAISON__V1__FRAME__BODY_HELLO: {
		const Liaison__V1__Hello *m = pb->hello;
		f->type = LIA_FRAME_HELLO;
		f->u.hello.protocol = m->protocol;
		if (str_in(f->u.hello.client, LIA_CLIENT_MAX, m->client, "client", why))
			return -1;
		f->u.hello.receive = m->receive;
		if (m->window > LIA_WINDOW_MAX)
			return lia_errf(why, "window: at most %d", LIA_WINDOW_MAX);
		f->u.hello.window = m->window ? m->window : LIA_WINDOW_DEFAULT;
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_WELCOME: {
		const Liaison__V1__Welcome *m = pb->welcome;
		f->type = LIA_FRAME_WELCOME;
		f->u.welcome.protocol = m->protocol;
		if (name_in(f->u.welcome.broker, m->broker, lia_name_is_subject, "broker", why) ||
		    name_in(f->u.welcome.subject, m->subject, lia_name_is_subject, "subject", why))
			return -1;
		if (m->policy_hash.len != 32)
			FAIL("policy_hash: 32 bytes expected");
		memcpy(f->u.welcome.policy_hash, m->policy_hash.data, 32);
		f->u.welcome.pending = m->pending;
		f->u.welcome.now = m->now;
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_PUBLISH: {
		const Liaison__V1__Publish *m = pb->publish;
		f->type = LIA_FRAME_PUBLISH;
		if (bytes_in(&f->u.publish.envelope, &m->envelope, LIA_ENVELOPE_MAX, "envelope", why) ||
		    names_in(&f->u.publish.to, m->to, m->n_to, lia_name_is_subject, "to", why))
			return -1;
		if (f->u.publish.envelope.len == 0)
			FAIL("envelope: empty");
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_PUBLISH_ACK: {
		const Liaison__V1__PublishAck *m = pb->publish_ack;
		f->type = LIA_FRAME_PUBLISH_ACK;
		f->u.publish_ack.accepted = m->accepted;
		if (m->message_id.len != 0 && id_in(f->u.publish_ack.message_id, &m->message_id, "message_id", why))
			return -1;
		f->u.publish_ack.sequence = m->sequence;
		f->u.publish_ack.duplicate = m->duplicate;
		if ((int)m->refusal < 0 || (int)m->refusal > LIA_REFUSAL_UNAVAILABLE)
			FAIL("refusal: unknown code");
		f->u.publish_ack.refusal = (enum lia_refusal)m->refusal;
		if (str_in(f->u.publish_ack.rule, LIA_RULE_ID_MAX, m->rule, "rule", why) ||
		    str_in(f->u.publish_ack.reason, LIA_DETAIL_MAX, m->reason, "reason", why))
			return -1;
		f->u.publish_ack.recipients = m->recipients;
		f->u.publish_ack.withheld = m->withheld;
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_SUBSCRIBE:
		f->type = LIA_FRAME_SUBSCRIBE;
		if (feedname_in(f->u.subscribe.name, pb->subscribe->name, why) ||
		    filter_in(&f->u.subscribe.filter, pb->subscribe->filter, why))
			return -1;
		return 0;
	case LIAISON__V1__FRAME__BODY_UNSUBSCRIBE:
		f->type = LIA_FRAME_UNSUBSCRIBE;
		return feedname_in(f->u.unsubscribe.name, pb->unsubscribe->name, why);
	case LIAISON__V1__FRAME__BODY_FEED_LIST: {
		const Liaison__V1__FeedList *m = pb->feed_list;
		f->type = LIA_FRAME_FEED_LIST;
		if (m->n_feeds > LIA_LIST_REPLY_MAX)
			FAIL("feeds: too many");
		if (m->n_feeds == 0)
			return 0;
		f->u.feed_list.v = calloc(m->n_feeds, sizeof *f->u.feed_list.v);
		if (f->u.feed_list.v == NULL)
			FAIL("out of memory");
		for (size_t i = 0; i < m->n_feeds; i++) {
			struct lia_feed *o = &f->u.feed_list.v[i];
			if (feedname_in(o->name, m->feeds[i]->name, why) ||
			    filter_in(&o->filter, m->feeds[i]->filter, why))
				return -1;
			o->created_at = m->feeds[i]->created_at;
			f->u.feed_list.n = i + 1;
		}
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_DELIVER: {
		const Liaison__V1__Deliver *m = pb->deliver;
		f->type = LIA_FRAME_DELIVER;
		f->u.deliver.sequence = m->sequence;
		if (bytes_in(&f->u.deliver.envelope, &m->envelope, LIA_ENVELOPE_MAX, "envelope", why) ||
		    name_in(f->u.deliver.originator, m->originator, lia_name_is_subject, "originator", why) ||
		    str_in(f->u.deliver.via, LIA_FEED_NAME_MAX, m->via, "via", why))
			return -1;
		f->u.deliver.received_at = m->received_at;
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_ACK:
		f->type = LIA_FRAME_ACK;
		if (pb->ack->n_sequences == 0 || pb->ack->n_sequences > LIA_ACK_MAX)
			return lia_errf(why, "ack: 1 to %d sequences", LIA_ACK_MAX);
		memcpy(f->u.ack.v, pb->ack->sequences, pb->ack->n_sequences * sizeof(uint64_t));
		f->u.ack.n = pb->ack->n_sequences;
		f->u.ack.erased = pb->ack->erased;
		return 0;
	case LIAISON__V1__FRAME__BODY_INBOX:
		f->type = LIA_FRAME_INBOX;
		f->u.inbox.after = pb->inbox->after;
		if (pb->inbox->limit > LIA_LIST_REPLY_MAX)
			return lia_errf(why, "inbox limit: at most %d", LIA_LIST_REPLY_MAX);
		f->u.inbox.limit = pb->inbox->limit ? pb->inbox->limit : 100;
		return 0;
	case LIAISON__V1__FRAME__BODY_INBOX_LIST: {
		const Liaison__V1__InboxList *m = pb->inbox_list;
		f->type = LIA_FRAME_INBOX_LIST;
		if (m->n_entries > LIA_LIST_REPLY_MAX)
			FAIL("inbox entries: too many");
		if (m->n_entries == 0)
			return 0;
		f->u.inbox_list.v = calloc(m->n_entries, sizeof *f->u.inbox_list.v);
		if (f->u.inbox_list.v == NULL)
			FAIL("out of memory");
		for (size_t i = 0; i < m->n_entries; i++) {
			const Liaison__V1__InboxEntry *e = m->entries[i];
			struct lia_inbox_entry *o = &f->u.inbox_list.v[i];
			o->sequence = e->sequence;
			if (id_in(o->message_id, &e->message_id, "message_id", why) ||
			    name_in(o->originator, e->originator, lia_name_is_subject, "originator", why) ||
			    str_in(o->via, LIA_FEED_NAME_MAX, e->via, "via", why))
				return -1;
			if (e->kind < 1 || e->kind > LIA_KIND_MAX)
				FAIL("kind: unknown");
			o->kind = (enum lia_kind)e->kind;
			o->created_at = e->created_at;
			o->acknowledged = e->acknowledged;
			o->erased = e->erased;
			f->u.inbox_list.n = i + 1;
		}
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_FETCH:
		f->type = LIA_FRAME_FETCH;
		return id_in(f->u.fetch.message_id, &pb->fetch->message_id, "message_id", why);
	case LIAISON__V1__FRAME__BODY_DIRECTORY_REQUEST:
		f->type = LIA_FRAME_DIRECTORY_REQUEST;
		return 0;
	case LIAISON__V1__FRAME__BODY_DIRECTORY: {
		const Liaison__V1__Directory *m = pb->directory;
		f->type = LIA_FRAME_DIRECTORY;
		if (m->n_certificates > LIA_DIRECTORY_MAX)
			FAIL("directory: too many certificates");
		if (bytes_in(&f->u.directory.crl, &m->revocation_list, LIA_CRL_MAX_BYTES, "revocation_list", why) ||
		    bytes_in(&f->u.directory.broker_cert, &m->broker_certificate, LIA_CERT_MAX_BYTES, "broker_certificate", why))
			return -1;
		if (m->n_certificates == 0)
			return 0;
		f->u.directory.certs = calloc(m->n_certificates, sizeof *f->u.directory.certs);
		if (f->u.directory.certs == NULL)
			FAIL("out of memory");
		for (size_t i = 0; i < m->n_certificates; i++) {
			if (bytes_in(&f->u.directory.certs[i], &m->certificates[i], LIA_CERT_MAX_BYTES, "certificate", why))
				return -1;
			f->u.directory.n = i + 1;
		}
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_AUDIT_QUERY: {
		const Liaison__V1__AuditQuery *m = pb->audit_query;
		f->type = LIA_FRAME_AUDIT_QUERY;
		if ((int)m->kind < 1 || (int)m->kind > LIA_AUDIT_CONSISTENCY)
			FAIL("audit query kind: unknown");
		f->u.audit_query.kind = (enum lia_audit_kind)m->kind;
		if (m->message_id.len != 0) {
			if (id_in(f->u.audit_query.message_id, &m->message_id, "message_id", why))
				return -1;
			f->u.audit_query.has_message_id = true;
		}
		f->u.audit_query.from = m->from;
		f->u.audit_query.to = m->to;
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_AUDIT_ANSWER: {
		const Liaison__V1__AuditAnswer *m = pb->audit_answer;
		f->type = LIA_FRAME_AUDIT_ANSWER;
		if (m->n_disclosures > LIA_LIST_REPLY_MAX || m->n_records > LIA_LIST_REPLY_MAX ||
		    m->n_proof > LIA_PROOF_MAX)
			FAIL("audit answer: too many entries");
		if (bytes_in(&f->u.audit_answer.checkpoint, &(ProtobufCBinaryData){strlen(m->checkpoint), (uint8_t *)m->checkpoint}, 4096, "checkpoint", why))
			return -1;
		f->u.audit_answer.first = m->first;
		f->u.audit_answer.query_record = m->query_record;
		if (m->n_disclosures > 0) {
			f->u.audit_answer.disclosures = calloc(m->n_disclosures, sizeof(struct lia_disclosure));
			if (f->u.audit_answer.disclosures == NULL)
				FAIL("out of memory");
			for (size_t i = 0; i < m->n_disclosures; i++) {
				const Liaison__V1__DisclosureEntry *d = m->disclosures[i];
				struct lia_disclosure *o = &f->u.audit_answer.disclosures[i];
				if (name_in(o->recipient, d->recipient, lia_name_is_subject, "recipient", why) ||
				    str_in(o->rule, LIA_RULE_ID_MAX, d->rule, "rule", why) ||
				    str_in(o->reason, LIA_DETAIL_MAX, d->reason, "reason", why))
					return -1;
				o->disclosed = d->disclosed;
				o->at = d->at;
				o->acknowledged = d->acknowledged;
				f->u.audit_answer.n_disclosures = i + 1;
			}
		}
		if (m->n_records > 0) {
			f->u.audit_answer.records = calloc(m->n_records, sizeof(struct lia_bytes));
			if (f->u.audit_answer.records == NULL)
				FAIL("out of memory");
			for (size_t i = 0; i < m->n_records; i++) {
				if (bytes_in(&f->u.audit_answer.records[i], &m->records[i], 64 * 1024, "record", why))
					return -1;
				f->u.audit_answer.n_records = i + 1;
			}
		}
		if (m->n_proof > 0) {
			f->u.audit_answer.proof = calloc(m->n_proof, 32);
			if (f->u.audit_answer.proof == NULL)
				FAIL("out of memory");
			for (size_t i = 0; i < m->n_proof; i++) {
				if (m->proof[i].len != 32)
					FAIL("proof: hashes have 32 bytes");
				memcpy(f->u.audit_answer.proof[i], m->proof[i].data, 32);
				f->u.audit_answer.n_proof = i + 1;
			}
		}
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_ERROR:
		f->type = LIA_FRAME_ERROR;
		if ((int)pb->error->code < 1 || (int)pb->error->code > LIA_ERROR_REVOKED)
			FAIL("error code: unknown");
		f->u.error.code = (enum lia_error_code)pb->error->code;
		return str_in(f->u.error.detail, LIA_DETAIL_MAX, pb->error->detail, "detail", why);
	case LIAISON__V1__FRAME__BODY_ERASE:
		f->type = LIA_FRAME_ERASE;
		f->u.erase.sequence = pb->erase->sequence;
		f->u.erase.expired_at = pb->erase->expired_at;
		return id_in(f->u.erase.message_id, &pb->erase->message_id, "message_id", why);
	case LIAISON__V1__FRAME__BODY_OK:
		f->type = LIA_FRAME_OK;
		return 0;
	case LIAISON__V1__FRAME__BODY_PING:
		f->type = LIA_FRAME_PING;
		return 0;
	case LIAISON__V1__FRAME__BODY_PONG:
		f->type = LIA_FRAME_PONG;
		f->u.pong.now = pb->pong->now;
		return 0;
	case LIAISON__V1__FRAME__BODY_CONSENT_ASK: {
		const Liaison__V1__ConsentAsk *m = pb->consent_ask;
		f->type = LIA_FRAME_CONSENT_ASK;
		if (id_in(f->u.consent_ask.message_id, &m->message_id, "message_id", why) ||
		    grantee_in(f->u.consent_ask.grantee, m->grantee, why) ||
		    purpose_in(f->u.consent_ask.purpose, m->purpose, "purpose", why))
			return -1;
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_CONSENT_QUERY:
		f->type = LIA_FRAME_CONSENT_QUERY;
		f->u.consent_query.request = pb->consent_query->request;
		f->u.consent_query.before = pb->consent_query->before;
		return 0;
	case LIAISON__V1__FRAME__BODY_CONSENT_LIST: {
		const Liaison__V1__ConsentList *m = pb->consent_list;
		f->type = LIA_FRAME_CONSENT_LIST;
		if (m->n_requests > LIA_LIST_REPLY_MAX)
			FAIL("consent requests: too many");
		if (m->n_requests == 0)
			return 0;
		f->u.consent_list.v = calloc(m->n_requests, sizeof *f->u.consent_list.v);
		if (f->u.consent_list.v == NULL)
			FAIL("out of memory");
		for (size_t i = 0; i < m->n_requests; i++) {
			const Liaison__V1__ConsentRequest *e = m->requests[i];
			struct lia_consent_request *o = &f->u.consent_list.v[i];
			o->request = e->request;
			if (id_in(o->message_id, &e->message_id, "message_id", why) ||
			    name_in(o->originator, e->originator, lia_name_is_subject, "originator", why) ||
			    name_in(o->requested_by, e->requested_by, lia_name_is_subject, "requested_by", why) ||
			    grantee_in(o->grantee, e->grantee, why) ||
			    purpose_in(o->purpose, e->purpose, "purpose", why) ||
			    str_in(o->reason, LIA_PURPOSE_MAX, e->reason, "reason", why))
				return -1;
			if ((int)e->state < LIA_CONSENT_PENDING || (int)e->state > LIA_CONSENT_REFUSED)
				FAIL("consent state: unknown");
			o->state = (enum lia_consent_state)e->state;
			o->requested_at = e->requested_at;
			o->answered_at = e->answered_at;
			o->disclosed = e->disclosed;
			o->withheld = e->withheld;
			if (e->consent.len > LIA_CONSENT_MAX_BYTES)
				FAIL("consent: too large");
			if (e->consent.len > 0)
				memcpy(o->consent, e->consent.data, e->consent.len);
			o->consent_len = e->consent.len;
			f->u.consent_list.n = i + 1;
		}
		return 0;
	}
	case LIAISON__V1__FRAME__BODY_CONSENT_ANSWER: {
		const Liaison__V1__ConsentAnswer *m = pb->consent_answer;
		f->type = LIA_FRAME_CONSENT_ANSWER;
		f->u.consent_answer.request = m->request;
		f->u.consent_answer.grant = m->grant;
		if (m->request == 0)
			FAIL("request: a request number is needed");
		if (bytes_in(&f->u.consent_answer.consent, &m->consent, LIA_CONSENT_MAX_BYTES, "consent", why) ||
		    bytes_in(&f->u.consent_answer.envelope, &m->envelope, LIA_ENVELOPE_MAX, "envelope", why))
			return -1;
		if (m->grant) {
			if (f->u.consent_answer.consent.len == 0 || f->u.consent_answer.envelope.len == 0)
				FAIL("granting needs the signed consent and the envelope");
			return str_in(f->u.consent_answer.reason, LIA_PURPOSE_MAX, m->reason, "reason", why);
		}
		if (f->u.consent_answer.consent.len != 0 || f->u.consent_answer.envelope.len != 0)
			FAIL("refusing carries no consent and no envelope");
		return purpose_in(f->u.consent_answer.reason, m->reason, "reason", why);
	}
	default:
		FAIL("frame has no known body");
	}
}

int lia_frame_decode(struct lia_frame *f, const uint8_t *buf, size_t len, char why[static LIA_ERR_MAX])
{
	memset(f, 0, sizeof *f);
	if (len > LIA_FRAME_MAX)
		return lia_errf(why, "frame of %zu bytes, at most %u", len, (unsigned)LIA_FRAME_MAX);
	struct priv *p = calloc(1, sizeof *p);
	if (p == NULL)
		return lia_errf(why, "out of memory");
	lia_pb_budget_init(&p->budget, LIA_PB_BUDGET(len));
	p->pb = liaison__v1__frame__unpack(&p->budget.alloc, len, buf);
	f->priv = p;
	if (p->pb == NULL) {
		lia_frame_clear(f);
		return lia_errf(why, "frame does not decode");
	}
	if (p->pb->version != LIA_PROTOCOL_VERSION) {
		uint32_t v = p->pb->version;
		lia_frame_clear(f);
		return lia_errf(why, "protocol version %u, this side speaks %d", v, LIA_PROTOCOL_VERSION);
	}
	f->request_id = p->pb->request_id;
	if (decode_body(f, p->pb, why) != 0) {
		lia_frame_clear(f);
		return -1;
	}
	return 0;
}

/* --- encoding --- */

struct strs {
	char *v[LIA_LIST_MAX];
};

static char **strs_of(struct strs *s, const struct lia_names *l, size_t *n)
{
	for (size_t i = 0; i < l->n; i++)
		s->v[i] = (char *)l->v[i];
	*n = l->n;
	return s->v;
}

/* Encoding storage that must live until packing. */
struct enc {
	Liaison__V1__Frame fr;
	union {
		Liaison__V1__Hello hello;
		Liaison__V1__Welcome welcome;
		Liaison__V1__Publish publish;
		Liaison__V1__PublishAck publish_ack;
		Liaison__V1__Subscribe subscribe;
		Liaison__V1__Unsubscribe unsubscribe;
		Liaison__V1__FeedList feed_list;
		Liaison__V1__Deliver deliver;
		Liaison__V1__Ack ack;
		Liaison__V1__Inbox inbox;
		Liaison__V1__InboxList inbox_list;
		Liaison__V1__Fetch fetch;
		Liaison__V1__DirectoryRequest directory_request;
		Liaison__V1__Directory directory;
		Liaison__V1__AuditQuery audit_query;
		Liaison__V1__AuditAnswer audit_answer;
		Liaison__V1__Error error;
		Liaison__V1__Erase erase;
		Liaison__V1__Ok ok;
		Liaison__V1__Ping ping;
		Liaison__V1__Pong pong;
		Liaison__V1__ConsentAsk consent_ask;
		Liaison__V1__ConsentQuery consent_query;
		Liaison__V1__ConsentList consent_list;
		Liaison__V1__ConsentAnswer consent_answer;
	} m;
	Liaison__V1__FeedFilter filter;
	Liaison__V1__Evaluation eval;
	Liaison__V1__MessageKind kinds[LIA_KIND_MAX];
	struct strs s1, s2;
};

static void filter_out(struct enc *e, Liaison__V1__FeedFilter *pf, Liaison__V1__Evaluation *pe,
		       Liaison__V1__MessageKind *kinds, struct strs *s1, struct strs *s2,
		       const struct lia_feed_filter *f)
{
	liaison__v1__feed_filter__init(pf);
	(void)e;
	for (int k = 1; k <= LIA_KIND_MAX; k++)
		if (f->kinds & (1u << k))
			kinds[pf->n_kinds++] = (Liaison__V1__MessageKind)k;
	pf->kinds = kinds;
	pf->regions = strs_of(s1, &f->regions, &pf->n_regions);
	pf->originator_agencies = strs_of(s2, &f->agencies, &pf->n_originator_agencies);
	if (f->min_eval.scheme != LIA_EVAL_NONE) {
		liaison__v1__evaluation__init(pe);
		pe->scheme = (Liaison__V1__EvaluationScheme)f->min_eval.scheme;
		pe->source = f->min_eval.source == 'X' ? 7 : (Liaison__V1__SourceReliability)(f->min_eval.source - 'A' + 1);
		pe->information = f->min_eval.information;
		pf->min_evaluation = pe;
	}
}

#define BIN(p, n) ((ProtobufCBinaryData){(n), (uint8_t *)(p)})

/* Per-list-entry storage for the frames that carry lists. */
struct listbuf {
	void *items;
	void **ptrs;
	void *extra;
	void *extra2;
};

static int encode_lists(const struct lia_frame *f, struct enc *e, struct listbuf *lb)
{
	switch (f->type) {
	case LIA_FRAME_FEED_LIST: {
		size_t n = f->u.feed_list.n;
		if (n > LIA_LIST_REPLY_MAX)
			return -1;
		Liaison__V1__Feed *items = calloc(n ? n : 1, sizeof *items);
		Liaison__V1__Feed **ptrs = calloc(n ? n : 1, sizeof *ptrs);
		struct {
			Liaison__V1__FeedFilter f;
			Liaison__V1__Evaluation ev;
			Liaison__V1__MessageKind k[LIA_KIND_MAX];
			struct strs s1, s2;
		} *x = calloc(n ? n : 1, sizeof *x);
		lb->items = items;
		lb->ptrs = (void **)ptrs;
		lb->extra = x;
		if (items == NULL || ptrs == NULL || x == NULL)
			return -1;
		for (size_t i = 0; i < n; i++) {
			liaison__v1__feed__init(&items[i]);
			items[i].name = (char *)f->u.feed_list.v[i].name;
			items[i].created_at = f->u.feed_list.v[i].created_at;
			filter_out(e, &x[i].f, &x[i].ev, x[i].k, &x[i].s1, &x[i].s2, &f->u.feed_list.v[i].filter);
			items[i].filter = &x[i].f;
			ptrs[i] = &items[i];
		}
		e->m.feed_list.feeds = ptrs;
		e->m.feed_list.n_feeds = n;
		return 0;
	}
	case LIA_FRAME_INBOX_LIST: {
		size_t n = f->u.inbox_list.n;
		if (n > LIA_LIST_REPLY_MAX)
			return -1;
		Liaison__V1__InboxEntry *items = calloc(n ? n : 1, sizeof *items);
		Liaison__V1__InboxEntry **ptrs = calloc(n ? n : 1, sizeof *ptrs);
		lb->items = items;
		lb->ptrs = (void **)ptrs;
		if (items == NULL || ptrs == NULL)
			return -1;
		for (size_t i = 0; i < n; i++) {
			const struct lia_inbox_entry *s = &f->u.inbox_list.v[i];
			liaison__v1__inbox_entry__init(&items[i]);
			items[i].sequence = s->sequence;
			items[i].message_id = BIN(s->message_id, LIA_ID_BYTES);
			items[i].originator = (char *)s->originator;
			items[i].kind = (Liaison__V1__MessageKind)s->kind;
			items[i].created_at = s->created_at;
			items[i].acknowledged = s->acknowledged;
			items[i].erased = s->erased;
			items[i].via = (char *)s->via;
			ptrs[i] = &items[i];
		}
		e->m.inbox_list.entries = ptrs;
		e->m.inbox_list.n_entries = n;
		return 0;
	}
	case LIA_FRAME_CONSENT_LIST: {
		size_t n = f->u.consent_list.n;
		if (n > LIA_LIST_REPLY_MAX)
			return -1;
		Liaison__V1__ConsentRequest *items = calloc(n ? n : 1, sizeof *items);
		Liaison__V1__ConsentRequest **ptrs = calloc(n ? n : 1, sizeof *ptrs);
		lb->items = items;
		lb->ptrs = (void **)ptrs;
		if (items == NULL || ptrs == NULL)
			return -1;
		for (size_t i = 0; i < n; i++) {
			const struct lia_consent_request *s = &f->u.consent_list.v[i];
			liaison__v1__consent_request__init(&items[i]);
			items[i].request = s->request;
			items[i].message_id = BIN(s->message_id, LIA_ID_BYTES);
			items[i].originator = (char *)s->originator;
			items[i].requested_by = (char *)s->requested_by;
			items[i].grantee = (char *)s->grantee;
			items[i].purpose = (char *)s->purpose;
			items[i].state = (Liaison__V1__ConsentState)s->state;
			items[i].requested_at = s->requested_at;
			items[i].answered_at = s->answered_at;
			items[i].reason = (char *)s->reason;
			items[i].disclosed = s->disclosed;
			items[i].withheld = s->withheld;
			if (s->consent_len > LIA_CONSENT_MAX_BYTES)
				return -1;
			items[i].consent = BIN(s->consent, s->consent_len);
			ptrs[i] = &items[i];
		}
		e->m.consent_list.requests = ptrs;
		e->m.consent_list.n_requests = n;
		return 0;
	}
	case LIA_FRAME_DIRECTORY: {
		size_t n = f->u.directory.n;
		if (n > LIA_DIRECTORY_MAX)
			return -1;
		ProtobufCBinaryData *items = calloc(n ? n : 1, sizeof *items);
		lb->items = items;
		if (items == NULL)
			return -1;
		for (size_t i = 0; i < n; i++)
			items[i] = BIN(f->u.directory.certs[i].p, f->u.directory.certs[i].len);
		e->m.directory.certificates = items;
		e->m.directory.n_certificates = n;
		e->m.directory.revocation_list = BIN(f->u.directory.crl.p, f->u.directory.crl.len);
		e->m.directory.broker_certificate = BIN(f->u.directory.broker_cert.p, f->u.directory.broker_cert.len);
		return 0;
	}
	case LIA_FRAME_AUDIT_ANSWER: {
		size_t nd = f->u.audit_answer.n_disclosures, nr = f->u.audit_answer.n_records,
		       np = f->u.audit_answer.n_proof;
		if (nd > LIA_LIST_REPLY_MAX || nr > LIA_LIST_REPLY_MAX || np > LIA_PROOF_MAX)
			return -1;
		Liaison__V1__DisclosureEntry *items = calloc(nd ? nd : 1, sizeof *items);
		Liaison__V1__DisclosureEntry **ptrs = calloc(nd ? nd : 1, sizeof *ptrs);
		ProtobufCBinaryData *recs = calloc(nr ? nr : 1, sizeof *recs);
		ProtobufCBinaryData *proof = calloc(np ? np : 1, sizeof *proof);
		lb->items = items;
		lb->ptrs = (void **)ptrs;
		lb->extra = recs;
		lb->extra2 = proof;
		if (items == NULL || ptrs == NULL || recs == NULL || proof == NULL)
			return -1;
		for (size_t i = 0; i < nd; i++) {
			const struct lia_disclosure *d = &f->u.audit_answer.disclosures[i];
			liaison__v1__disclosure_entry__init(&items[i]);
			items[i].recipient = (char *)d->recipient;
			items[i].disclosed = d->disclosed;
			items[i].rule = (char *)d->rule;
			items[i].reason = (char *)d->reason;
			items[i].at = d->at;
			items[i].acknowledged = d->acknowledged;
			ptrs[i] = &items[i];
		}
		for (size_t i = 0; i < nr; i++)
			recs[i] = BIN(f->u.audit_answer.records[i].p, f->u.audit_answer.records[i].len);
		for (size_t i = 0; i < np; i++)
			proof[i] = BIN(f->u.audit_answer.proof[i], 32);
		e->m.audit_answer.disclosures = ptrs;
		e->m.audit_answer.n_disclosures = nd;
		e->m.audit_answer.records = recs;
		e->m.audit_answer.n_records = nr;
		e->m.audit_answer.proof = proof;
		e->m.audit_answer.n_proof = np;
		return 0;
	}
	default:
		return 0;
	}
}

int lia_frame_encode(const struct lia_frame *f, uint8_t **out, size_t *out_len)
{
	struct enc *e = calloc(1, sizeof *e);
	struct listbuf lb = {0};
	char *checkpoint = NULL;
	int rc = -1;
	if (e == NULL)
		return -1;
	liaison__v1__frame__init(&e->fr);
	e->fr.version = LIA_PROTOCOL_VERSION;
	e->fr.request_id = f->request_id;
	switch (f->type) {
	case LIA_FRAME_HELLO:
		liaison__v1__hello__init(&e->m.hello);
		e->m.hello.protocol = f->u.hello.protocol;
		e->m.hello.client = (char *)f->u.hello.client;
		e->m.hello.receive = f->u.hello.receive;
		e->m.hello.window = f->u.hello.window;
		e->fr.hello = &e->m.hello;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_HELLO;
		break;
	case LIA_FRAME_WELCOME:
		liaison__v1__welcome__init(&e->m.welcome);
		e->m.welcome.protocol = f->u.welcome.protocol;
		e->m.welcome.broker = (char *)f->u.welcome.broker;
		e->m.welcome.subject = (char *)f->u.welcome.subject;
		e->m.welcome.pending = f->u.welcome.pending;
		e->m.welcome.policy_hash = BIN(f->u.welcome.policy_hash, 32);
		e->m.welcome.now = f->u.welcome.now;
		e->fr.welcome = &e->m.welcome;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_WELCOME;
		break;
	case LIA_FRAME_PUBLISH:
		liaison__v1__publish__init(&e->m.publish);
		e->m.publish.envelope = BIN(f->u.publish.envelope.p, f->u.publish.envelope.len);
		e->m.publish.to = strs_of(&e->s1, &f->u.publish.to, &e->m.publish.n_to);
		e->fr.publish = &e->m.publish;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_PUBLISH;
		break;
	case LIA_FRAME_PUBLISH_ACK:
		liaison__v1__publish_ack__init(&e->m.publish_ack);
		e->m.publish_ack.accepted = f->u.publish_ack.accepted;
		e->m.publish_ack.message_id = BIN(f->u.publish_ack.message_id, LIA_ID_BYTES);
		e->m.publish_ack.sequence = f->u.publish_ack.sequence;
		e->m.publish_ack.duplicate = f->u.publish_ack.duplicate;
		e->m.publish_ack.refusal = (Liaison__V1__RefusalCode)f->u.publish_ack.refusal;
		e->m.publish_ack.rule = (char *)f->u.publish_ack.rule;
		e->m.publish_ack.reason = (char *)f->u.publish_ack.reason;
		e->m.publish_ack.recipients = f->u.publish_ack.recipients;
		e->m.publish_ack.withheld = f->u.publish_ack.withheld;
		e->fr.publish_ack = &e->m.publish_ack;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_PUBLISH_ACK;
		break;
	case LIA_FRAME_SUBSCRIBE:
		liaison__v1__subscribe__init(&e->m.subscribe);
		e->m.subscribe.name = (char *)f->u.subscribe.name;
		filter_out(e, &e->filter, &e->eval, e->kinds, &e->s1, &e->s2, &f->u.subscribe.filter);
		e->m.subscribe.filter = &e->filter;
		e->fr.subscribe = &e->m.subscribe;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_SUBSCRIBE;
		break;
	case LIA_FRAME_UNSUBSCRIBE:
		liaison__v1__unsubscribe__init(&e->m.unsubscribe);
		e->m.unsubscribe.name = (char *)f->u.unsubscribe.name;
		e->fr.unsubscribe = &e->m.unsubscribe;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_UNSUBSCRIBE;
		break;
	case LIA_FRAME_FEED_LIST:
		liaison__v1__feed_list__init(&e->m.feed_list);
		e->fr.feed_list = &e->m.feed_list;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_FEED_LIST;
		break;
	case LIA_FRAME_DELIVER:
		liaison__v1__deliver__init(&e->m.deliver);
		e->m.deliver.sequence = f->u.deliver.sequence;
		e->m.deliver.envelope = BIN(f->u.deliver.envelope.p, f->u.deliver.envelope.len);
		e->m.deliver.originator = (char *)f->u.deliver.originator;
		e->m.deliver.received_at = f->u.deliver.received_at;
		e->m.deliver.via = (char *)f->u.deliver.via;
		e->fr.deliver = &e->m.deliver;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_DELIVER;
		break;
	case LIA_FRAME_ACK:
		if (f->u.ack.n == 0 || f->u.ack.n > LIA_ACK_MAX)
			goto out;
		liaison__v1__ack__init(&e->m.ack);
		e->m.ack.sequences = (uint64_t *)f->u.ack.v;
		e->m.ack.n_sequences = f->u.ack.n;
		e->m.ack.erased = f->u.ack.erased;
		e->fr.ack = &e->m.ack;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_ACK;
		break;
	case LIA_FRAME_INBOX:
		liaison__v1__inbox__init(&e->m.inbox);
		e->m.inbox.after = f->u.inbox.after;
		e->m.inbox.limit = f->u.inbox.limit;
		e->fr.inbox = &e->m.inbox;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_INBOX;
		break;
	case LIA_FRAME_INBOX_LIST:
		liaison__v1__inbox_list__init(&e->m.inbox_list);
		e->fr.inbox_list = &e->m.inbox_list;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_INBOX_LIST;
		break;
	case LIA_FRAME_FETCH:
		liaison__v1__fetch__init(&e->m.fetch);
		e->m.fetch.message_id = BIN(f->u.fetch.message_id, LIA_ID_BYTES);
		e->fr.fetch = &e->m.fetch;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_FETCH;
		break;
	case LIA_FRAME_DIRECTORY_REQUEST:
		liaison__v1__directory_request__init(&e->m.directory_request);
		e->fr.directory_request = &e->m.directory_request;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_DIRECTORY_REQUEST;
		break;
	case LIA_FRAME_DIRECTORY:
		liaison__v1__directory__init(&e->m.directory);
		e->fr.directory = &e->m.directory;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_DIRECTORY;
		break;
	case LIA_FRAME_AUDIT_QUERY:
		liaison__v1__audit_query__init(&e->m.audit_query);
		e->m.audit_query.kind = (Liaison__V1__AuditQueryKind)f->u.audit_query.kind;
		if (f->u.audit_query.has_message_id)
			e->m.audit_query.message_id = BIN(f->u.audit_query.message_id, LIA_ID_BYTES);
		e->m.audit_query.from = f->u.audit_query.from;
		e->m.audit_query.to = f->u.audit_query.to;
		e->fr.audit_query = &e->m.audit_query;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_AUDIT_QUERY;
		break;
	case LIA_FRAME_AUDIT_ANSWER:
		liaison__v1__audit_answer__init(&e->m.audit_answer);
		checkpoint = malloc(f->u.audit_answer.checkpoint.len + 1);
		if (checkpoint == NULL)
			goto out;
		if (f->u.audit_answer.checkpoint.len)
			memcpy(checkpoint, f->u.audit_answer.checkpoint.p, f->u.audit_answer.checkpoint.len);
		checkpoint[f->u.audit_answer.checkpoint.len] = '\0';
		e->m.audit_answer.checkpoint = checkpoint;
		e->m.audit_answer.first = f->u.audit_answer.first;
		e->m.audit_answer.query_record = f->u.audit_answer.query_record;
		e->fr.audit_answer = &e->m.audit_answer;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_AUDIT_ANSWER;
		break;
	case LIA_FRAME_ERROR:
		liaison__v1__error__init(&e->m.error);
		e->m.error.code = (Liaison__V1__ErrorCode)f->u.error.code;
		e->m.error.detail = (char *)f->u.error.detail;
		e->fr.error = &e->m.error;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_ERROR;
		break;
	case LIA_FRAME_ERASE:
		liaison__v1__erase__init(&e->m.erase);
		e->m.erase.message_id = BIN(f->u.erase.message_id, LIA_ID_BYTES);
		e->m.erase.sequence = f->u.erase.sequence;
		e->m.erase.expired_at = f->u.erase.expired_at;
		e->fr.erase = &e->m.erase;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_ERASE;
		break;
	case LIA_FRAME_OK:
		liaison__v1__ok__init(&e->m.ok);
		e->fr.ok = &e->m.ok;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_OK;
		break;
	case LIA_FRAME_PING:
		liaison__v1__ping__init(&e->m.ping);
		e->fr.ping = &e->m.ping;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_PING;
		break;
	case LIA_FRAME_PONG:
		liaison__v1__pong__init(&e->m.pong);
		e->m.pong.now = f->u.pong.now;
		e->fr.pong = &e->m.pong;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_PONG;
		break;
	case LIA_FRAME_CONSENT_ASK:
		liaison__v1__consent_ask__init(&e->m.consent_ask);
		e->m.consent_ask.message_id = BIN(f->u.consent_ask.message_id, LIA_ID_BYTES);
		e->m.consent_ask.grantee = (char *)f->u.consent_ask.grantee;
		e->m.consent_ask.purpose = (char *)f->u.consent_ask.purpose;
		e->fr.consent_ask = &e->m.consent_ask;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_CONSENT_ASK;
		break;
	case LIA_FRAME_CONSENT_QUERY:
		liaison__v1__consent_query__init(&e->m.consent_query);
		e->m.consent_query.request = f->u.consent_query.request;
		e->m.consent_query.before = f->u.consent_query.before;
		e->fr.consent_query = &e->m.consent_query;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_CONSENT_QUERY;
		break;
	case LIA_FRAME_CONSENT_LIST:
		liaison__v1__consent_list__init(&e->m.consent_list);
		e->fr.consent_list = &e->m.consent_list;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_CONSENT_LIST;
		break;
	case LIA_FRAME_CONSENT_ANSWER:
		if (f->u.consent_answer.consent.len > LIA_CONSENT_MAX_BYTES ||
		    f->u.consent_answer.envelope.len > LIA_ENVELOPE_MAX)
			goto out;
		liaison__v1__consent_answer__init(&e->m.consent_answer);
		e->m.consent_answer.request = f->u.consent_answer.request;
		e->m.consent_answer.grant = f->u.consent_answer.grant;
		e->m.consent_answer.reason = (char *)f->u.consent_answer.reason;
		e->m.consent_answer.consent = BIN(f->u.consent_answer.consent.p, f->u.consent_answer.consent.len);
		e->m.consent_answer.envelope = BIN(f->u.consent_answer.envelope.p, f->u.consent_answer.envelope.len);
		e->fr.consent_answer = &e->m.consent_answer;
		e->fr.body_case = LIAISON__V1__FRAME__BODY_CONSENT_ANSWER;
		break;
	default:
		goto out;
	}
	if (encode_lists(f, e, &lb) != 0)
		goto out;
	size_t len = liaison__v1__frame__get_packed_size(&e->fr);
	if (len > LIA_FRAME_MAX)
		goto out;
	uint8_t *buf = malloc(len ? len : 1);
	if (buf == NULL)
		goto out;
	liaison__v1__frame__pack(&e->fr, buf);
	*out = buf;
	*out_len = len;
	rc = 0;
out:
	free(lb.items);
	free(lb.ptrs);
	free(lb.extra);
	free(lb.extra2);
	free(checkpoint);
	free(e);
	return rc;
}

/* --- sockets --- */

static int common_options(void *s, char err[static LIA_ERR_MAX])
{
	int linger = 1000, hb_ivl = 5000, hb_timeout = 15000, hwm = 10000;
	int64_t maxmsg = (int64_t)LIA_FRAME_MAX;
	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) != 0 ||
	    zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof hb_ivl) != 0 ||
	    zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout) != 0 ||
	    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm) != 0 ||
	    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm) != 0)
		return lia_errf(err, "cannot set socket options: %s", zmq_strerror(zmq_errno()));
	return 0;
}

void *lia_wire_server(void *zctx, const char *endpoint, const struct lia_secret *transport,
		      char err[static LIA_ERR_MAX])
{
	void *s = zmq_socket(zctx, ZMQ_ROUTER);
	if (s == NULL) {
		lia_errf(err, "cannot create socket: %s", zmq_strerror(zmq_errno()));
		return NULL;
	}
	int one = 1;
	if (common_options(s, err) != 0)
		goto fail;
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, transport->sk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "liaison", 7) != 0 ||
	    zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof one) != 0) {
		lia_errf(err, "cannot configure CURVE server: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (zmq_bind(s, endpoint) != 0) {
		lia_errf(err, "cannot listen on \"%s\": %s", endpoint, zmq_strerror(zmq_errno()));
		goto fail;
	}
	return s;
fail:
	zmq_close(s);
	return NULL;
}

void *lia_wire_client(void *zctx, const char *endpoint, const uint8_t server_pk[static 32],
		      const struct lia_secret *transport, char err[static LIA_ERR_MAX])
{
	void *s = zmq_socket(zctx, ZMQ_DEALER);
	if (s == NULL) {
		lia_errf(err, "cannot create socket: %s", zmq_strerror(zmq_errno()));
		return NULL;
	}
	int zero = 0;
	if (common_options(s, err) != 0)
		goto fail;
	/* The routing id is our transport public key: the broker routes
	 * replies by it and accepts a connection only when it is the key
	 * the handshake authenticated, so no peer can take another's. */
	if (zmq_setsockopt(s, ZMQ_ROUTING_ID, transport->pk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_pk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, transport->pk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, transport->sk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &(int){200}, sizeof(int)) != 0 ||
	    zmq_setsockopt(s, ZMQ_IMMEDIATE, &zero, sizeof zero) != 0) {
		lia_errf(err, "cannot configure CURVE client: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (endpoint != NULL && zmq_connect(s, endpoint) != 0) {
		lia_errf(err, "cannot connect to \"%s\": %s", endpoint, zmq_strerror(zmq_errno()));
		goto fail;
	}
	return s;
fail:
	zmq_close(s);
	return NULL;
}

int lia_wire_send(void *sock, const struct lia_bytes *routing_id, const struct lia_frame *f, int flags)
{
	uint8_t *buf;
	size_t len;
	if (lia_frame_encode(f, &buf, &len) != 0) {
		errno = EINVAL;
		return -1;
	}
	int rc = 0;
	if (routing_id != NULL && zmq_send(sock, routing_id->p, routing_id->len, ZMQ_SNDMORE | flags) < 0)
		rc = -1;
	if (rc == 0 && zmq_send(sock, buf, len, flags) < 0)
		rc = -1;
	int e = errno;
	free(buf);
	errno = e;
	return rc;
}
