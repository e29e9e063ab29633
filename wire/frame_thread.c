/*
 * frame_thread.c — threads: ThreadQuery (the messages of one thread the
 * asker may see) and ThreadList (its reply). The messages are Publish
 * frames naming one another in in_reply_to.
 */
#include "frame_int.h"

#include <stdlib.h>
#include <string.h>

static int thread_query_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			       char why[static LIA_ERR_MAX])
{
	return lia_wire_id_in(f->u.thread_query.message_id, &pb->thread_query->message_id, "message_id", why);
}

static int thread_query_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__ThreadQuery *m = &e->m.thread_query;
	liaison__v1__thread_query__init(m);
	m->message_id = BIN(f->u.thread_query.message_id, LIA_ID_BYTES);
	e->fr.thread_query = m;
	return 0;
}

static int thread_entry_in(void *out, const void *in, char why[static LIA_ERR_MAX])
{
	struct lia_thread_entry *o = out;
	const Liaison__V1__ThreadEntry *e = in;
	if (lia_wire_id_in(o->message_id, &e->message_id, "message_id", why) ||
	    lia_wire_name_in(o->originator, e->originator, lia_name_is_subject, "originator", why))
		return -1;
	if (e->in_reply_to.len != 0) {
		if (lia_wire_id_in(o->in_reply_to, &e->in_reply_to, "in_reply_to", why))
			return -1;
		o->has_in_reply_to = true;
	}
	if (!lia_pb_enum_in((int)e->kind, 1, LIA_KIND_MAX))
		return lia_wire_fail(why, "kind: unknown");
	_Static_assert(LIA_THREAD_DEPTH_MAX == 64, "LIA_THREAD_DEPTH_STR must spell LIA_THREAD_DEPTH_MAX");
	if (e->depth > LIA_THREAD_DEPTH_MAX)
		return lia_wire_fail(why, "depth: at most " LIA_THREAD_DEPTH_STR);
	o->kind = (enum lia_kind)e->kind;
	o->created_at = e->created_at;
	o->depth = e->depth;
	o->sequence = e->sequence;
	o->erased = e->erased;
	return 0;
}

static int thread_list_decode(struct lia_frame *f, const Liaison__V1__Frame *pb, char why[static LIA_ERR_MAX])
{
	const Liaison__V1__ThreadList *m = pb->thread_list;
	if (!lia_pb_count_ok(m->n_entries, LIA_THREAD_MAX))
		return lia_wire_fail(why, "thread entries: too many");
	void *v = NULL;
	int rc = lia_wire_list_in(&v, &f->u.thread_list.n, sizeof *f->u.thread_list.v,
				  (void *const *)m->entries, m->n_entries, thread_entry_in, why);
	f->u.thread_list.v = v;
	return rc;
}

static int thread_entry_out(void *msg, const void *in, void *ctx, size_t i)
{
	Liaison__V1__ThreadEntry *o = msg;
	const struct lia_thread_entry *s = in;
	(void)ctx;
	(void)i;
	liaison__v1__thread_entry__init(o);
	o->message_id = BIN(s->message_id, LIA_ID_BYTES);
	if (s->has_in_reply_to)
		o->in_reply_to = BIN(s->in_reply_to, LIA_ID_BYTES);
	o->originator = (char *)s->originator;
	o->kind = (Liaison__V1__MessageKind)s->kind;
	o->created_at = s->created_at;
	o->depth = s->depth;
	o->sequence = s->sequence;
	o->erased = s->erased;
	return 0;
}

static int thread_list_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	size_t n = f->u.thread_list.n;
	if (!lia_pb_count_ok(n, LIA_THREAD_MAX))
		return -1;
	void **ptrs = lia_wire_list_out(e, n, sizeof(Liaison__V1__ThreadEntry), f->u.thread_list.v,
					sizeof *f->u.thread_list.v, thread_entry_out, NULL);
	if (ptrs == NULL)
		return -1;
	Liaison__V1__ThreadList *m = &e->m.thread_list;
	liaison__v1__thread_list__init(m);
	m->entries = (Liaison__V1__ThreadEntry **)ptrs;
	m->n_entries = n;
	e->fr.thread_list = m;
	return 0;
}

static void thread_list_clear(struct lia_frame *f)
{
	free(f->u.thread_list.v);
}

const struct lia_wire_codec lia_wire_codec_thread_query = {
	.type = LIA_FRAME_THREAD_QUERY,
	.name = "thread-query",
	.decode = thread_query_decode,
	.encode = thread_query_encode,
};

const struct lia_wire_codec lia_wire_codec_thread_list = {
	.type = LIA_FRAME_THREAD_LIST,
	.name = "thread-list",
	.decode = thread_list_decode,
	.encode = thread_list_encode,
	.clear = thread_list_clear,
};
