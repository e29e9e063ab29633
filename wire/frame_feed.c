/*
 * frame_feed.c — the frames about what an agent may receive and whom it
 * can reach: Subscribe, Unsubscribe and FeedList (feeds and their
 * filters), and Directory (certificates and the revocation list).
 */
#include "frame_int.h"

#include <stdlib.h>
#include <string.h>

static int feedname_in(char out[static LIA_FEED_NAME_MAX], const char *s,
		       char why[static LIA_ERR_MAX])
{
	if (strlen(s) >= LIA_FEED_NAME_MAX || !lia_feed_name_valid(s))
		return lia_errf(why, "feed name: expected [a-z0-9-]{1,32}");
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int filter_in(struct lia_feed_filter *f, const Liaison__V1__FeedFilter *p,
		     char why[static LIA_ERR_MAX])
{
	memset(f, 0, sizeof *f);
	if (p == NULL)
		return 0;
	if (!lia_pb_count_ok(p->n_kinds, LIA_KIND_MAX))
		return lia_wire_fail(why, "filter kinds: too many");
	/* A filter's kinds may repeat (a set built by hand): no lia_pb_enum_set. */
	for (size_t i = 0; i < p->n_kinds; i++) {
		int k = (int)p->kinds[i];
		if (!lia_pb_enum_in(k, 1, LIA_KIND_MAX))
			return lia_wire_fail(why, "filter kinds: unknown kind");
		f->kinds |= 1u << k;
	}
	const char *ev_why = NULL;
	if (lia_wire_names_in(&f->regions, p->regions, p->n_regions, lia_name_is_region,
			      "filter regions", why) ||
	    lia_wire_names_in(&f->agencies, p->originator_agencies, p->n_originator_agencies,
			      lia_name_is_agency, "filter originator_agencies", why))
		return -1;
	if (lia_evaluation_from_pb(&f->min_eval, p->min_evaluation, &ev_why) != 0)
		return lia_wire_fail(why, ev_why);
	return 0;
}

static Liaison__V1__FeedFilter *filter_out(struct lia_wire_filter_pb *s,
					   const struct lia_feed_filter *f)
{
	Liaison__V1__FeedFilter *pf = &s->msg;
	liaison__v1__feed_filter__init(pf);
	for (int k = 1; k <= LIA_KIND_MAX; k++)
		if (f->kinds & (1u << k))
			s->kinds[pf->n_kinds++] = (Liaison__V1__MessageKind)k;
	pf->kinds = s->kinds;
	pf->regions = lia_names_to_pb(s->regions, &f->regions, &pf->n_regions);
	pf->originator_agencies =
		lia_names_to_pb(s->agencies, &f->agencies, &pf->n_originator_agencies);
	pf->min_evaluation = lia_evaluation_to_pb(&s->eval, &f->min_eval);
	return pf;
}

static int subscribe_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			    char why[static LIA_ERR_MAX])
{
	if (feedname_in(f->u.subscribe.name, pb->subscribe->name, why) ||
	    filter_in(&f->u.subscribe.filter, pb->subscribe->filter, why))
		return -1;
	return 0;
}

static int subscribe_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__Subscribe *m = &e->m.subscribe;
	liaison__v1__subscribe__init(m);
	m->name = (char *)f->u.subscribe.name;
	m->filter = filter_out(&e->filter, &f->u.subscribe.filter);
	e->fr.subscribe = m;
	return 0;
}

static int unsubscribe_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			      char why[static LIA_ERR_MAX])
{
	return feedname_in(f->u.unsubscribe.name, pb->unsubscribe->name, why);
}

static int unsubscribe_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	liaison__v1__unsubscribe__init(&e->m.unsubscribe);
	e->m.unsubscribe.name = (char *)f->u.unsubscribe.name;
	e->fr.unsubscribe = &e->m.unsubscribe;
	return 0;
}

static int feed_in(void *out, const void *in, char why[static LIA_ERR_MAX])
{
	struct lia_feed *o = out;
	const Liaison__V1__Feed *m = in;
	if (feedname_in(o->name, m->name, why) || filter_in(&o->filter, m->filter, why))
		return -1;
	o->created_at = m->created_at;
	return 0;
}

static int feed_list_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			    char why[static LIA_ERR_MAX])
{
	const Liaison__V1__FeedList *m = pb->feed_list;
	if (!lia_pb_count_ok(m->n_feeds, LIA_LIST_REPLY_MAX))
		return lia_wire_fail(why, "feeds: too many");
	void *v = NULL;
	int rc = lia_wire_list_in(&v, &f->u.feed_list.n, sizeof *f->u.feed_list.v,
				  (void *const *)m->feeds, m->n_feeds, feed_in, why);
	f->u.feed_list.v = v;
	return rc;
}

/* ctx: one FeedFilter scratch per entry. */
static int feed_out(void *msg, const void *in, void *ctx, size_t i)
{
	Liaison__V1__Feed *o = msg;
	const struct lia_feed *s = in;
	struct lia_wire_filter_pb *filters = ctx;
	liaison__v1__feed__init(o);
	o->name = (char *)s->name;
	o->created_at = s->created_at;
	o->filter = filter_out(&filters[i], &s->filter);
	return 0;
}

static int feed_list_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	size_t n = f->u.feed_list.n;
	if (!lia_pb_count_ok(n, LIA_LIST_REPLY_MAX))
		return -1;
	struct lia_wire_filter_pb *filters = lia_wire_enc_alloc(e, n, sizeof *filters);
	if (filters == NULL)
		return -1;
	void **ptrs = lia_wire_list_out(e, n, sizeof(Liaison__V1__Feed), f->u.feed_list.v,
					sizeof *f->u.feed_list.v, feed_out, filters);
	if (ptrs == NULL)
		return -1;
	Liaison__V1__FeedList *m = &e->m.feed_list;
	liaison__v1__feed_list__init(m);
	m->feeds = (Liaison__V1__Feed **)ptrs;
	m->n_feeds = n;
	e->fr.feed_list = m;
	return 0;
}

static void feed_list_clear(struct lia_frame *f)
{
	free(f->u.feed_list.v);
}

static int directory_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			    char why[static LIA_ERR_MAX])
{
	const Liaison__V1__Directory *m = pb->directory;
	if (!lia_pb_count_ok(m->n_certificates, LIA_DIRECTORY_MAX))
		return lia_wire_fail(why, "directory: too many certificates");
	if (lia_wire_bytes_in(&f->u.directory.crl, &m->revocation_list, LIA_CRL_MAX_BYTES,
			      "revocation_list", why) ||
	    lia_wire_bytes_in(&f->u.directory.broker_cert, &m->broker_certificate, LIA_CERT_MAX_BYTES,
			      "broker_certificate", why))
		return -1;
	if (m->n_certificates == 0)
		return 0;
	f->u.directory.certs = lia_wire_list_alloc(m->n_certificates, sizeof *f->u.directory.certs, why);
	if (f->u.directory.certs == NULL)
		return -1;
	for (size_t i = 0; i < m->n_certificates; i++) {
		if (lia_wire_bytes_in(&f->u.directory.certs[i], &m->certificates[i], LIA_CERT_MAX_BYTES,
				      "certificate", why))
			return -1;
		f->u.directory.n = i + 1;
	}
	return 0;
}

static int directory_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	size_t n = f->u.directory.n;
	if (!lia_pb_count_ok(n, LIA_DIRECTORY_MAX))
		return -1;
	ProtobufCBinaryData *items = lia_wire_enc_alloc(e, n, sizeof *items);
	if (items == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		items[i] = BIN(f->u.directory.certs[i].p, f->u.directory.certs[i].len);
	Liaison__V1__Directory *m = &e->m.directory;
	liaison__v1__directory__init(m);
	m->certificates = items;
	m->n_certificates = n;
	m->revocation_list = BIN(f->u.directory.crl.p, f->u.directory.crl.len);
	m->broker_certificate = BIN(f->u.directory.broker_cert.p, f->u.directory.broker_cert.len);
	e->fr.directory = m;
	return 0;
}

static void directory_clear(struct lia_frame *f)
{
	free(f->u.directory.certs);
}

const struct lia_wire_codec lia_wire_codec_subscribe = {
	.type = LIA_FRAME_SUBSCRIBE,
	.name = "subscribe",
	.decode = subscribe_decode,
	.encode = subscribe_encode,
};

const struct lia_wire_codec lia_wire_codec_unsubscribe = {
	.type = LIA_FRAME_UNSUBSCRIBE,
	.name = "unsubscribe",
	.decode = unsubscribe_decode,
	.encode = unsubscribe_encode,
};

const struct lia_wire_codec lia_wire_codec_feed_list = {
	.type = LIA_FRAME_FEED_LIST,
	.name = "feed-list",
	.decode = feed_list_decode,
	.encode = feed_list_encode,
	.clear = feed_list_clear,
};

const struct lia_wire_codec lia_wire_codec_directory = {
	.type = LIA_FRAME_DIRECTORY,
	.name = "directory",
	.decode = directory_decode,
	.encode = directory_encode,
	.clear = directory_clear,
};
