/*
 * frame_message.c — the frames that move messages: Publish and its
 * PublishAck, Deliver and Ack, Erase notices, the Inbox listing and
 * Fetch of one delivered message.
 */
#include "frame_int.h"

#include <stdlib.h>
#include <string.h>

static int publish_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			  char why[static LIA_ERR_MAX])
{
	const Liaison__V1__Publish *m = pb->publish;
	if (lia_wire_bytes_in(&f->u.publish.envelope, &m->envelope, LIA_ENVELOPE_MAX, "envelope", why) ||
	    lia_wire_names_in(&f->u.publish.to, m->to, m->n_to, lia_name_is_subject, "to", why))
		return -1;
	if (f->u.publish.envelope.len == 0)
		return lia_wire_fail(why, "envelope: empty");
	return 0;
}

static int publish_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__Publish *m = &e->m.publish;
	liaison__v1__publish__init(m);
	m->envelope = BIN(f->u.publish.envelope.p, f->u.publish.envelope.len);
	m->to = lia_names_to_pb(e->names, &f->u.publish.to, &m->n_to);
	e->fr.publish = m;
	return 0;
}

static int publish_ack_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			      char why[static LIA_ERR_MAX])
{
	const Liaison__V1__PublishAck *m = pb->publish_ack;
	f->u.publish_ack.accepted = m->accepted;
	if (m->message_id.len != 0 &&
	    lia_wire_id_in(f->u.publish_ack.message_id, &m->message_id, "message_id", why))
		return -1;
	f->u.publish_ack.sequence = m->sequence;
	f->u.publish_ack.duplicate = m->duplicate;
	if (!lia_pb_enum_in((int)m->refusal, 0, LIA_REFUSAL_UNAVAILABLE))
		return lia_wire_fail(why, "refusal: unknown code");
	f->u.publish_ack.refusal = (enum lia_refusal)m->refusal;
	if (lia_wire_str_in(f->u.publish_ack.rule, LIA_RULE_ID_MAX, m->rule, "rule", why) ||
	    lia_wire_str_in(f->u.publish_ack.reason, LIA_DETAIL_MAX, m->reason, "reason", why))
		return -1;
	f->u.publish_ack.recipients = m->recipients;
	f->u.publish_ack.withheld = m->withheld;
	return 0;
}

static int publish_ack_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__PublishAck *m = &e->m.publish_ack;
	liaison__v1__publish_ack__init(m);
	m->accepted = f->u.publish_ack.accepted;
	m->message_id = BIN(f->u.publish_ack.message_id, LIA_ID_BYTES);
	m->sequence = f->u.publish_ack.sequence;
	m->duplicate = f->u.publish_ack.duplicate;
	m->refusal = (Liaison__V1__RefusalCode)f->u.publish_ack.refusal;
	m->rule = (char *)f->u.publish_ack.rule;
	m->reason = (char *)f->u.publish_ack.reason;
	m->recipients = f->u.publish_ack.recipients;
	m->withheld = f->u.publish_ack.withheld;
	e->fr.publish_ack = m;
	return 0;
}

/* The supersession fields of a Deliver or an InboxEntry: none when by
 * is empty, else a message id and the subject that sent it. */
static int superseded_in(struct lia_supersession *o, const ProtobufCBinaryData *by, bool recalled,
			 int64_t at, const char *actor, char why[static LIA_ERR_MAX])
{
	memset(o, 0, sizeof *o);
	if (by->len == 0)
		return 0;
	if (lia_wire_id_in(o->by, by, "superseded_by", why) ||
	    lia_wire_name_in(o->actor, actor, lia_name_is_subject, "superseded_actor", why))
		return -1;
	o->present = true;
	o->recall = recalled;
	o->at = at;
	return 0;
}

#define SUPERSEDED_OUT(m, sup)                                          \
	do {                                                            \
		if ((sup)->present) {                                   \
			(m)->superseded_by = BIN((sup)->by, LIA_ID_BYTES); \
			(m)->recalled = (sup)->recall;                  \
			(m)->superseded_at = (sup)->at;                 \
			(m)->superseded_actor = (char *)(sup)->actor;   \
		}                                                       \
	} while (0)

static int deliver_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			  char why[static LIA_ERR_MAX])
{
	const Liaison__V1__Deliver *m = pb->deliver;
	f->u.deliver.sequence = m->sequence;
	if (lia_wire_bytes_in(&f->u.deliver.envelope, &m->envelope, LIA_ENVELOPE_MAX, "envelope", why) ||
	    lia_wire_name_in(f->u.deliver.originator, m->originator, lia_name_is_subject, "originator",
			     why) ||
	    lia_wire_str_in(f->u.deliver.via, LIA_FEED_NAME_MAX, m->via, "via", why) ||
	    superseded_in(&f->u.deliver.superseded, &m->superseded_by, m->recalled, m->superseded_at,
			  m->superseded_actor, why))
		return -1;
	f->u.deliver.received_at = m->received_at;
	f->u.deliver.erased_at = m->erased_at;
	if ((m->erased_at != 0) != (m->envelope.len == 0))
		return lia_wire_fail(why, "envelope: empty exactly when erased_at is set");
	return 0;
}

static int deliver_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__Deliver *m = &e->m.deliver;
	liaison__v1__deliver__init(m);
	m->sequence = f->u.deliver.sequence;
	m->envelope = BIN(f->u.deliver.envelope.p, f->u.deliver.envelope.len);
	m->originator = (char *)f->u.deliver.originator;
	m->received_at = f->u.deliver.received_at;
	m->via = (char *)f->u.deliver.via;
	SUPERSEDED_OUT(m, &f->u.deliver.superseded);
	m->erased_at = f->u.deliver.erased_at;
	e->fr.deliver = m;
	return 0;
}

static int ack_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
		      char why[static LIA_ERR_MAX])
{
	const Liaison__V1__Ack *m = pb->ack;
	if (m->n_sequences == 0 || !lia_pb_count_ok(m->n_sequences, LIA_ACK_MAX))
		return lia_errf(why, "ack: 1 to %d sequences", LIA_ACK_MAX);
	memcpy(f->u.ack.v, m->sequences, m->n_sequences * sizeof(uint64_t));
	f->u.ack.n = m->n_sequences;
	f->u.ack.erased = m->erased;
	return 0;
}

static int ack_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	if (f->u.ack.n == 0 || !lia_pb_count_ok(f->u.ack.n, LIA_ACK_MAX))
		return -1;
	Liaison__V1__Ack *m = &e->m.ack;
	liaison__v1__ack__init(m);
	m->sequences = (uint64_t *)f->u.ack.v;
	m->n_sequences = f->u.ack.n;
	m->erased = f->u.ack.erased;
	e->fr.ack = m;
	return 0;
}

static int erase_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			char why[static LIA_ERR_MAX])
{
	f->u.erase.sequence = pb->erase->sequence;
	f->u.erase.expired_at = pb->erase->expired_at;
	f->u.erase.on_demand = pb->erase->on_demand;
	f->u.erase.erased_at = pb->erase->erased_at;
	return lia_wire_id_in(f->u.erase.message_id, &pb->erase->message_id, "message_id", why);
}

static int erase_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__Erase *m = &e->m.erase;
	liaison__v1__erase__init(m);
	m->message_id = BIN(f->u.erase.message_id, LIA_ID_BYTES);
	m->sequence = f->u.erase.sequence;
	m->expired_at = f->u.erase.expired_at;
	m->on_demand = f->u.erase.on_demand;
	m->erased_at = f->u.erase.erased_at;
	e->fr.erase = m;
	return 0;
}

static int inbox_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			char why[static LIA_ERR_MAX])
{
	f->u.inbox.after = pb->inbox->after;
	if (pb->inbox->limit > LIA_LIST_REPLY_MAX)
		return lia_errf(why, "inbox limit: at most %d", LIA_LIST_REPLY_MAX);
	f->u.inbox.limit = pb->inbox->limit ? pb->inbox->limit : 100;
	return 0;
}

static int inbox_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__Inbox *m = &e->m.inbox;
	liaison__v1__inbox__init(m);
	m->after = f->u.inbox.after;
	m->limit = f->u.inbox.limit;
	e->fr.inbox = m;
	return 0;
}

static int inbox_entry_in(void *out, const void *in, char why[static LIA_ERR_MAX])
{
	struct lia_inbox_entry *o = out;
	const Liaison__V1__InboxEntry *e = in;
	o->sequence = e->sequence;
	if (lia_wire_id_in(o->message_id, &e->message_id, "message_id", why) ||
	    lia_wire_name_in(o->originator, e->originator, lia_name_is_subject, "originator", why) ||
	    lia_wire_str_in(o->via, LIA_FEED_NAME_MAX, e->via, "via", why) ||
	    superseded_in(&o->superseded, &e->superseded_by, e->recalled, e->superseded_at,
			  e->superseded_actor, why))
		return -1;
	if (!lia_pb_enum_in((int)e->kind, 1, LIA_KIND_MAX))
		return lia_wire_fail(why, "kind: unknown");
	o->kind = (enum lia_kind)e->kind;
	o->created_at = e->created_at;
	o->acknowledged = e->acknowledged;
	o->erased = e->erased;
	return 0;
}

static int inbox_list_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			     char why[static LIA_ERR_MAX])
{
	const Liaison__V1__InboxList *m = pb->inbox_list;
	if (!lia_pb_count_ok(m->n_entries, LIA_LIST_REPLY_MAX))
		return lia_wire_fail(why, "inbox entries: too many");
	void *v = NULL;
	int rc = lia_wire_list_in(&v, &f->u.inbox_list.n, sizeof *f->u.inbox_list.v,
				  (void *const *)m->entries, m->n_entries, inbox_entry_in, why);
	f->u.inbox_list.v = v;
	return rc;
}

static int inbox_entry_out(void *msg, const void *in, void *ctx, size_t i)
{
	Liaison__V1__InboxEntry *o = msg;
	const struct lia_inbox_entry *s = in;
	(void)ctx;
	(void)i;
	liaison__v1__inbox_entry__init(o);
	o->sequence = s->sequence;
	o->message_id = BIN(s->message_id, LIA_ID_BYTES);
	o->originator = (char *)s->originator;
	o->kind = (Liaison__V1__MessageKind)s->kind;
	o->created_at = s->created_at;
	o->acknowledged = s->acknowledged;
	o->erased = s->erased;
	o->via = (char *)s->via;
	SUPERSEDED_OUT(o, &s->superseded);
	return 0;
}

static int inbox_list_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	size_t n = f->u.inbox_list.n;
	if (!lia_pb_count_ok(n, LIA_LIST_REPLY_MAX))
		return -1;
	void **ptrs = lia_wire_list_out(e, n, sizeof(Liaison__V1__InboxEntry), f->u.inbox_list.v,
					sizeof *f->u.inbox_list.v, inbox_entry_out, NULL);
	if (ptrs == NULL)
		return -1;
	Liaison__V1__InboxList *m = &e->m.inbox_list;
	liaison__v1__inbox_list__init(m);
	m->entries = (Liaison__V1__InboxEntry **)ptrs;
	m->n_entries = n;
	e->fr.inbox_list = m;
	return 0;
}

static void inbox_list_clear(struct lia_frame *f)
{
	free(f->u.inbox_list.v);
}

static int fetch_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			char why[static LIA_ERR_MAX])
{
	return lia_wire_id_in(f->u.fetch.message_id, &pb->fetch->message_id, "message_id", why);
}

static int fetch_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	liaison__v1__fetch__init(&e->m.fetch);
	e->m.fetch.message_id = BIN(f->u.fetch.message_id, LIA_ID_BYTES);
	e->fr.fetch = &e->m.fetch;
	return 0;
}

const struct lia_wire_codec lia_wire_codec_publish = {
	.type = LIA_FRAME_PUBLISH,
	.name = "publish",
	.decode = publish_decode,
	.encode = publish_encode,
};

const struct lia_wire_codec lia_wire_codec_publish_ack = {
	.type = LIA_FRAME_PUBLISH_ACK,
	.name = "publish-ack",
	.decode = publish_ack_decode,
	.encode = publish_ack_encode,
};

const struct lia_wire_codec lia_wire_codec_deliver = {
	.type = LIA_FRAME_DELIVER,
	.name = "deliver",
	.decode = deliver_decode,
	.encode = deliver_encode,
};

const struct lia_wire_codec lia_wire_codec_ack = {
	.type = LIA_FRAME_ACK,
	.name = "ack",
	.decode = ack_decode,
	.encode = ack_encode,
};

static int erase_request_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
				char why[static LIA_ERR_MAX])
{
	const Liaison__V1__EraseRequest *m = pb->erase_request;
	if (lia_wire_id_in(f->u.erase_request.message_id, &m->message_id, "message_id", why))
		return -1;
	if (!lia_purpose_valid(m->reason))
		return lia_wire_fail(why, "reason: 1 to 255 printable bytes");
	memcpy(f->u.erase_request.reason, m->reason, strlen(m->reason) + 1);
	return 0;
}

static int erase_request_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__EraseRequest *m = &e->m.erase_request;
	liaison__v1__erase_request__init(m);
	m->message_id = BIN(f->u.erase_request.message_id, LIA_ID_BYTES);
	m->reason = (char *)f->u.erase_request.reason;
	e->fr.erase_request = m;
	return 0;
}

const struct lia_wire_codec lia_wire_codec_erase_request = {
	.type = LIA_FRAME_ERASE_REQUEST,
	.name = "erase-request",
	.decode = erase_request_decode,
	.encode = erase_request_encode,
};

const struct lia_wire_codec lia_wire_codec_erase = {
	.type = LIA_FRAME_ERASE,
	.name = "erase",
	.decode = erase_decode,
	.encode = erase_encode,
};

const struct lia_wire_codec lia_wire_codec_inbox = {
	.type = LIA_FRAME_INBOX,
	.name = "inbox",
	.decode = inbox_decode,
	.encode = inbox_encode,
};

const struct lia_wire_codec lia_wire_codec_inbox_list = {
	.type = LIA_FRAME_INBOX_LIST,
	.name = "inbox-list",
	.decode = inbox_list_decode,
	.encode = inbox_list_encode,
	.clear = inbox_list_clear,
};

const struct lia_wire_codec lia_wire_codec_fetch = {
	.type = LIA_FRAME_FETCH,
	.name = "fetch",
	.decode = fetch_decode,
	.encode = fetch_encode,
};
