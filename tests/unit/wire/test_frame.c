/* Frames: every type round-trips; every bound is enforced by the
 * decoder (wire/wire.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "wire.pb-c.h"

static void round_trip(struct lia_frame *in, struct lia_frame *out)
{
	uint8_t *buf;
	size_t len;
	char why[LIA_ERR_MAX];
	assert_int_equal(lia_frame_encode(in, &buf, &len), 0);
	if (lia_frame_decode(out, buf, len, why) != 0)
		fail_msg("decode: %s", why);
	free(buf);
	assert_int_equal(out->type, in->type);
	assert_int_equal(out->request_id, in->request_id);
}

static void test_simple_frames(void **state)
{
	(void)state;
	struct lia_frame f, g;
	lia_frame_init(&f, LIA_FRAME_HELLO, 7);
	f.u.hello.protocol = 1;
	memcpy(f.u.hello.client, "liaison test", 13);
	f.u.hello.receive = true;
	f.u.hello.window = 0; /* default */
	round_trip(&f, &g);
	assert_string_equal(g.u.hello.client, "liaison test");
	assert_true(g.u.hello.receive);
	assert_int_equal(g.u.hello.window, LIA_WINDOW_DEFAULT);
	lia_frame_clear(&g);

	/* The Welcome carries the latest checkpoint (issue 12, item 5); an
	 * empty one means none yet. */
	static const char note[] = "EU-EXCH/broker\n9\nlZ/r6vxbZQIYZHXsz49+iWgPEUzIalL+5WNd/nX7BhA=\n\n";
	lia_frame_init(&f, LIA_FRAME_WELCOME, 8);
	f.u.welcome.protocol = 1;
	memcpy(f.u.welcome.broker, "EU-EXCH/broker", 15);
	memcpy(f.u.welcome.subject, "IT-PS/roma", 11);
	f.u.welcome.checkpoint = (struct lia_bytes){(const uint8_t *)note, sizeof note - 1};
	round_trip(&f, &g);
	assert_int_equal(g.u.welcome.checkpoint.len, sizeof note - 1);
	assert_memory_equal(g.u.welcome.checkpoint.p, note, sizeof note - 1);
	lia_frame_clear(&g);
	f.u.welcome.checkpoint = (struct lia_bytes){NULL, 0};
	round_trip(&f, &g);
	assert_int_equal(g.u.welcome.checkpoint.len, 0);
	lia_frame_clear(&g);
	/* One the peer would refuse is not sent. */
	char *big = calloc(1, LIA_WIRE_CHECKPOINT_MAX + 1);
	assert_non_null(big);
	memset(big, 'x', LIA_WIRE_CHECKPOINT_MAX + 1);
	f.u.welcome.checkpoint = (struct lia_bytes){(const uint8_t *)big, LIA_WIRE_CHECKPOINT_MAX + 1};
	uint8_t *buf;
	size_t len;
	assert_int_not_equal(lia_frame_encode(&f, &buf, &len), 0);
	free(big);

	lia_frame_init(&f, LIA_FRAME_PUBLISH_ACK, 9);
	f.u.publish_ack.accepted = false;
	f.u.publish_ack.refusal = LIA_REFUSAL_POLICY;
	memcpy(f.u.publish_ack.rule, "tlp.red.named-only", 19);
	memcpy(f.u.publish_ack.reason, "because", 8);
	memset(f.u.publish_ack.message_id, 3, LIA_ID_BYTES);
	round_trip(&f, &g);
	assert_int_equal(g.u.publish_ack.refusal, LIA_REFUSAL_POLICY);
	assert_string_equal(g.u.publish_ack.rule, "tlp.red.named-only");
	lia_frame_clear(&g);

	lia_frame_init(&f, LIA_FRAME_SUBSCRIBE, 1);
	memcpy(f.u.subscribe.name, "med-routes", 11);
	f.u.subscribe.filter.kinds = (1u << LIA_KIND_ROUTE) | (1u << LIA_KIND_CARRIER);
	assert_int_equal(lia_names_add(&f.u.subscribe.filter.regions, "MED-CENTRAL"), 0);
	assert_int_equal(lia_names_add(&f.u.subscribe.filter.agencies, "IT-GDF"), 0);
	f.u.subscribe.filter.min_eval = (struct lia_evaluation){LIA_EVAL_EUROPOL_4X4, 'B', 2};
	round_trip(&f, &g);
	assert_string_equal(g.u.subscribe.name, "med-routes");
	assert_int_equal(g.u.subscribe.filter.kinds, f.u.subscribe.filter.kinds);
	assert_string_equal(g.u.subscribe.filter.regions.v[0], "MED-CENTRAL");
	assert_int_equal(g.u.subscribe.filter.min_eval.source, 'B');
	lia_frame_clear(&g);

	lia_frame_init(&f, LIA_FRAME_ACK, 2);
	f.u.ack.n = 3;
	f.u.ack.v[0] = 5, f.u.ack.v[1] = 6, f.u.ack.v[2] = 1ull << 40;
	round_trip(&f, &g);
	assert_int_equal(g.u.ack.n, 3);
	assert_int_equal(g.u.ack.v[2], 1ull << 40);
	lia_frame_clear(&g);
	f.u.ack.erased = true; /* confirms erase notices instead */
	round_trip(&f, &g);
	assert_true(g.u.ack.erased);
	lia_frame_clear(&g);

	for (int t = LIA_FRAME_OK; t <= LIA_FRAME_PONG; t++) {
		lia_frame_init(&f, (enum lia_frame_type)t, 11);
		round_trip(&f, &g);
		lia_frame_clear(&g);
	}
}

static void test_list_frames(void **state)
{
	(void)state;
	struct lia_frame f, g;
	struct lia_inbox_entry e[2];
	memset(e, 0, sizeof e);
	for (int i = 0; i < 2; i++) {
		e[i].sequence = (uint64_t)i + 10;
		memset(e[i].message_id, i + 1, LIA_ID_BYTES);
		memcpy(e[i].originator, "IT-GDF/a", 9);
		e[i].kind = LIA_KIND_ROUTE;
		memcpy(e[i].via, "direct", 7);
	}
	lia_frame_init(&f, LIA_FRAME_INBOX_LIST, 4);
	f.u.inbox_list.n = 2;
	f.u.inbox_list.v = e;
	round_trip(&f, &g);
	assert_int_equal(g.u.inbox_list.n, 2);
	assert_int_equal(g.u.inbox_list.v[1].sequence, 11);
	lia_frame_clear(&g);

	struct lia_disclosure d = {.disclosed = true, .at = 5};
	memcpy(d.recipient, "MT-AFM/b", 9);
	memcpy(d.rule, "tlp.clear", 10);
	uint8_t proof[2][32];
	memset(proof, 9, sizeof proof);
	const char note[] = "origin\n1\nroot\n";
	lia_frame_init(&f, LIA_FRAME_AUDIT_ANSWER, 5);
	f.u.audit_answer.n_disclosures = 1;
	f.u.audit_answer.disclosures = &d;
	f.u.audit_answer.n_proof = 2;
	f.u.audit_answer.proof = proof;
	f.u.audit_answer.checkpoint = (struct lia_bytes){(const uint8_t *)note, sizeof note - 1};
	round_trip(&f, &g);
	assert_int_equal(g.u.audit_answer.n_disclosures, 1);
	assert_string_equal(g.u.audit_answer.disclosures[0].recipient, "MT-AFM/b");
	assert_int_equal(g.u.audit_answer.n_proof, 2);
	assert_memory_equal(g.u.audit_answer.proof[1], proof[1], 32);
	assert_int_equal(g.u.audit_answer.checkpoint.len, sizeof note - 1);
	lia_frame_clear(&g);
}

/* Decode raw protobuf built field by field, expecting refusal. */
static void expect_refused(const Liaison__V1__Frame *pb, const char *needle)
{
	size_t len = liaison__v1__frame__get_packed_size(pb);
	uint8_t *buf = malloc(len ? len : 1);
	liaison__v1__frame__pack(pb, buf);
	struct lia_frame f;
	char why[LIA_ERR_MAX];
	if (lia_frame_decode(&f, buf, len, why) == 0) {
		lia_frame_clear(&f);
		fail_msg("decoded, but \"%s\" was expected", needle);
	}
	if (strstr(why, needle) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", why, needle);
	free(buf);
}

static void test_bounds(void **state)
{
	(void)state;
	Liaison__V1__Frame pb = LIAISON__V1__FRAME__INIT;
	pb.version = 1;
	expect_refused(&pb, "no known body");
	pb.version = 2;
	Liaison__V1__Ping ping = LIAISON__V1__PING__INIT;
	pb.ping = &ping;
	pb.body_case = LIAISON__V1__FRAME__BODY_PING;
	expect_refused(&pb, "protocol version 2");
	pb.version = 1;

	Liaison__V1__Hello h = LIAISON__V1__HELLO__INIT;
	h.window = LIA_WINDOW_MAX + 1;
	pb.hello = &h;
	pb.body_case = LIAISON__V1__FRAME__BODY_HELLO;
	expect_refused(&pb, "window");
	h.window = 1;
	char client[100];
	memset(client, 'x', sizeof client - 1);
	client[99] = '\0';
	h.client = client;
	expect_refused(&pb, "client");
	h.client = (char *)"bad\001byte";
	expect_refused(&pb, "control characters");

	Liaison__V1__Welcome w = LIAISON__V1__WELCOME__INIT;
	uint8_t hash[32] = {0};
	w.broker = (char *)"EU-EXCH/broker";
	w.subject = (char *)"IT-PS/roma";
	w.policy_hash = (ProtobufCBinaryData){32, hash};
	char *cp = calloc(1, LIA_WIRE_CHECKPOINT_MAX + 2);
	assert_non_null(cp);
	memset(cp, 'x', LIA_WIRE_CHECKPOINT_MAX + 1);
	w.checkpoint = cp;
	pb.welcome = &w;
	pb.body_case = LIAISON__V1__FRAME__BODY_WELCOME;
	expect_refused(&pb, "checkpoint: 4097 bytes, at most 4096");
	free(cp);

	Liaison__V1__Publish p = LIAISON__V1__PUBLISH__INIT;
	pb.publish = &p;
	pb.body_case = LIAISON__V1__FRAME__BODY_PUBLISH;
	expect_refused(&pb, "envelope: empty");
	uint8_t env[4] = {1, 2, 3, 4};
	p.envelope = (ProtobufCBinaryData){4, env};
	char *to[40];
	for (int i = 0; i < 40; i++)
		to[i] = (char *)"IT-GDF/a";
	p.to = to;
	p.n_to = 40;
	expect_refused(&pb, "more than 32");
	p.n_to = 2;
	expect_refused(&pb, "repeated");
	to[0] = (char *)"not a subject";
	p.n_to = 1;
	expect_refused(&pb, "not a valid name");

	Liaison__V1__Ack a = LIAISON__V1__ACK__INIT;
	pb.ack = &a;
	pb.body_case = LIAISON__V1__FRAME__BODY_ACK;
	expect_refused(&pb, "1 to");
	uint64_t *many = calloc(LIA_ACK_MAX + 1, sizeof *many);
	a.sequences = many;
	a.n_sequences = LIA_ACK_MAX + 1;
	expect_refused(&pb, "1 to");
	free(many);

	Liaison__V1__Subscribe s = LIAISON__V1__SUBSCRIBE__INIT;
	s.name = (char *)"Bad Name";
	pb.subscribe = &s;
	pb.body_case = LIAISON__V1__FRAME__BODY_SUBSCRIBE;
	expect_refused(&pb, "feed name");
	s.name = (char *)"ok";
	Liaison__V1__FeedFilter ff = LIAISON__V1__FEED_FILTER__INIT;
	Liaison__V1__MessageKind k[1] = {(Liaison__V1__MessageKind)99};
	ff.kinds = k;
	ff.n_kinds = 1;
	s.filter = &ff;
	expect_refused(&pb, "unknown kind");
	ff.n_kinds = 0;
	Liaison__V1__Evaluation ev = LIAISON__V1__EVALUATION__INIT;
	ev.scheme = LIAISON__V1__EVALUATION_SCHEME__EVALUATION_SCHEME_EUROPOL_4X4;
	ev.source = LIAISON__V1__SOURCE_RELIABILITY__SOURCE_RELIABILITY_F;
	ev.information = 2;
	ff.min_evaluation = &ev;
	expect_refused(&pb, "evaluation");

	Liaison__V1__Fetch fe = LIAISON__V1__FETCH__INIT;
	fe.message_id = (ProtobufCBinaryData){4, env};
	pb.fetch = &fe;
	pb.body_case = LIAISON__V1__FRAME__BODY_FETCH;
	expect_refused(&pb, "16 bytes");

	Liaison__V1__Inbox in = LIAISON__V1__INBOX__INIT;
	in.limit = LIA_LIST_REPLY_MAX + 1;
	pb.inbox = &in;
	pb.body_case = LIAISON__V1__FRAME__BODY_INBOX;
	expect_refused(&pb, "limit");

	/* Consent frames: grantee a principal or agency, purpose and reason
	 * 1..255 printable bytes, a grant with its consent and envelope, a
	 * refusal without. */
	uint8_t id16[16] = {0};
	Liaison__V1__ConsentAsk ca = LIAISON__V1__CONSENT_ASK__INIT;
	ca.message_id = (ProtobufCBinaryData){16, id16};
	ca.grantee = (char *)"HR-MUP/zagreb";
	ca.purpose = (char *)"";
	pb.consent_ask = &ca;
	pb.body_case = LIAISON__V1__FRAME__BODY_CONSENT_ASK;
	expect_refused(&pb, "purpose: 1 to 255");
	char longp[300];
	memset(longp, 'p', sizeof longp - 1);
	longp[sizeof longp - 1] = '\0';
	ca.purpose = longp;
	expect_refused(&pb, "purpose: 1 to 255");
	ca.purpose = (char *)"joint operation";
	ca.grantee = (char *)"nobody at all";
	expect_refused(&pb, "grantee");
	ca.grantee = (char *)"HR-MUP";
	ca.message_id = (ProtobufCBinaryData){4, env};
	expect_refused(&pb, "16 bytes");

	Liaison__V1__ConsentAnswer an = LIAISON__V1__CONSENT_ANSWER__INIT;
	pb.consent_answer = &an;
	pb.body_case = LIAISON__V1__FRAME__BODY_CONSENT_ANSWER;
	expect_refused(&pb, "request number");
	an.request = 3;
	an.grant = true;
	expect_refused(&pb, "granting needs");
	an.consent = (ProtobufCBinaryData){4, env};
	an.envelope = (ProtobufCBinaryData){4, env};
	uint8_t *bigc = calloc(1, LIA_CONSENT_MAX_BYTES + 1);
	an.consent = (ProtobufCBinaryData){LIA_CONSENT_MAX_BYTES + 1, bigc};
	expect_refused(&pb, "consent:");
	free(bigc);
	an.grant = false;
	an.consent = (ProtobufCBinaryData){0, NULL};
	an.envelope = (ProtobufCBinaryData){0, NULL};
	an.reason = (char *)"";
	expect_refused(&pb, "reason: 1 to 255");
	an.reason = (char *)"source protection";
	an.envelope = (ProtobufCBinaryData){4, env};
	expect_refused(&pb, "refusing carries no");

	Liaison__V1__ConsentList cl = LIAISON__V1__CONSENT_LIST__INIT;
	Liaison__V1__ConsentRequest cr = LIAISON__V1__CONSENT_REQUEST__INIT, *crp = &cr;
	cr.message_id = (ProtobufCBinaryData){16, id16};
	cr.originator = (char *)"IT-GDF/ventimiglia";
	cr.requested_by = (char *)"IT-PS/roma";
	cr.grantee = (char *)"HR-MUP";
	cr.purpose = (char *)"p";
	cr.state = (Liaison__V1__ConsentState)9;
	cl.requests = &crp;
	cl.n_requests = 1;
	pb.consent_list = &cl;
	pb.body_case = LIAISON__V1__FRAME__BODY_CONSENT_LIST;
	expect_refused(&pb, "consent state");
	cr.state = LIAISON__V1__CONSENT_STATE__CONSENT_STATE_GRANTED;
	uint8_t *bigs = calloc(1, LIA_CONSENT_MAX_BYTES + 1);
	cr.consent = (ProtobufCBinaryData){LIA_CONSENT_MAX_BYTES + 1, bigs};
	expect_refused(&pb, "consent: too large");
	free(bigs);

	/* Oversized: refused by length before decoding. */
	struct lia_frame f;
	char why[LIA_ERR_MAX];
	uint8_t *big = calloc(1, LIA_FRAME_MAX + 1);
	assert_int_equal(lia_frame_decode(&f, big, LIA_FRAME_MAX + 1, why), -1);
	assert_non_null(strstr(why, "at most"));
	free(big);
	assert_int_equal(lia_frame_decode(&f, (const uint8_t *)"\xff\xff", 2, why), -1);
}


/* Verification frames: a round trip of each, and the fields a peer
 * could get wrong refused by name. */
static void test_verification_frames(void **state)
{
	(void)state;
	struct lia_frame f, g;
	lia_frame_init(&f, LIA_FRAME_VERIFICATION_QUERY, 3);
	f.u.verification_query.has_request_id = true;
	memset(f.u.verification_query.request_id, 7, LIA_ID_BYTES);
	f.u.verification_query.state = LIA_VERIF_OVERDUE;
	f.u.verification_query.before = 1234;
	round_trip(&f, &g);
	assert_true(g.u.verification_query.has_request_id);
	assert_int_equal(g.u.verification_query.request_id[15], 7);
	assert_int_equal(g.u.verification_query.state, LIA_VERIF_OVERDUE);
	assert_int_equal(g.u.verification_query.before, 1234);
	lia_frame_clear(&g);

	struct lia_verification v[2];
	memset(v, 0, sizeof v);
	for (int i = 0; i < 2; i++) {
		memset(v[i].request_id, i + 1, LIA_ID_BYTES);
		snprintf(v[i].requester, sizeof v[i].requester, "%s", "IT-GDF/ventimiglia");
		snprintf(v[i].office, sizeof v[i].office, "%s", i ? "HR-MUP" : "HR-MUP/zagreb");
		memcpy(v[i].issuing_state, "HR", 3);
		v[i].urgency = i ? LIA_URGENCY_ROUTINE : LIA_URGENCY_URGENT;
		v[i].state = i ? LIA_VERIF_OPEN : LIA_VERIF_ANSWERED;
		v[i].requested_at = 100;
		v[i].deadline = 200;
	}
	v[0].answered_at = 150;
	snprintf(v[0].answered_by, sizeof v[0].answered_by, "%s", "HR-MUP/zagreb");
	v[0].has_answer = true;
	memset(v[0].answer_id, 9, LIA_ID_BYTES);
	v[0].answers = 2;
	v[0].late = true;
	lia_frame_init(&f, LIA_FRAME_VERIFICATION_LIST, 0);
	f.u.verification_list.v = v;
	f.u.verification_list.n = 2;
	f.u.verification_list.notice = LIA_VERIF_NOTICE_ANSWERED;
	round_trip(&f, &g);
	assert_int_equal(g.u.verification_list.n, 2);
	assert_int_equal(g.u.verification_list.notice, LIA_VERIF_NOTICE_ANSWERED);
	assert_memory_equal(&g.u.verification_list.v[0], &v[0], sizeof v[0]);
	assert_memory_equal(&g.u.verification_list.v[1], &v[1], sizeof v[1]);
	lia_frame_clear(&g);

	Liaison__V1__Frame pb = LIAISON__V1__FRAME__INIT;
	pb.version = 1;
	uint8_t id16[16] = {1}, id5[5] = {1};
	Liaison__V1__VerificationQuery vq = LIAISON__V1__VERIFICATION_QUERY__INIT;
	pb.verification_query = &vq;
	pb.body_case = LIAISON__V1__FRAME__BODY_VERIFICATION_QUERY;
	vq.request_id = (ProtobufCBinaryData){5, id5};
	expect_refused(&pb, "request_id");
	vq.request_id = (ProtobufCBinaryData){0, NULL};
	vq.state = (Liaison__V1__VerificationState)7;
	expect_refused(&pb, "state: unknown");
	vq.state = 0;
	vq.before = -1;
	expect_refused(&pb, "before");

	Liaison__V1__VerificationList vl = LIAISON__V1__VERIFICATION_LIST__INIT;
	Liaison__V1__Verification ve = LIAISON__V1__VERIFICATION__INIT, *vep = &ve;
	ve.request_id = (ProtobufCBinaryData){16, id16};
	ve.requester = (char *)"IT-GDF/ventimiglia";
	ve.office = (char *)"HR-MUP";
	ve.issuing_state = (char *)"HR";
	ve.urgency = LIAISON__V1__URGENCY__URGENCY_URGENT;
	ve.state = LIAISON__V1__VERIFICATION_STATE__VERIFICATION_STATE_OPEN;
	vl.requests = &vep;
	vl.n_requests = 1;
	pb.verification_list = &vl;
	pb.body_case = LIAISON__V1__FRAME__BODY_VERIFICATION_LIST;
	ve.office = (char *)"hr mup";
	expect_refused(&pb, "office");
	ve.office = (char *)"HR-MUP";
	ve.issuing_state = (char *)"HRV";
	expect_refused(&pb, "issuing_state");
	ve.issuing_state = (char *)"HR";
	ve.urgency = 0;
	expect_refused(&pb, "urgency");
	ve.urgency = LIAISON__V1__URGENCY__URGENCY_URGENT;
	ve.answer_id = (ProtobufCBinaryData){5, id5};
	expect_refused(&pb, "answer_id");
	ve.answer_id = (ProtobufCBinaryData){0, NULL};
	vl.notice = (Liaison__V1__VerificationNotice)9;
	expect_refused(&pb, "notice");
}

/* Recall and correction (issue 13): a Deliver and an InboxEntry carry
 * how the message was superseded; a Deliver of an erased message has no
 * envelope, and only it. */
static void test_supersession_frames(void **state)
{
	(void)state;
	struct lia_frame f, g;
	const uint8_t env[3] = {1, 2, 3};
	lia_frame_init(&f, LIA_FRAME_DELIVER, 2);
	f.u.deliver.sequence = 4;
	f.u.deliver.envelope = (struct lia_bytes){env, sizeof env};
	memcpy(f.u.deliver.originator, "IT-GDF/a", 9);
	memcpy(f.u.deliver.via, "holder", 7);
	f.u.deliver.superseded.present = true;
	f.u.deliver.superseded.recall = true;
	f.u.deliver.superseded.at = 900;
	memset(f.u.deliver.superseded.by, 5, LIA_ID_BYTES);
	memcpy(f.u.deliver.superseded.actor, "IT-GDF/b", 9);
	round_trip(&f, &g);
	assert_memory_equal(&g.u.deliver.superseded, &f.u.deliver.superseded, sizeof f.u.deliver.superseded);
	assert_int_equal(g.u.deliver.erased_at, 0);
	lia_frame_clear(&g);
	f.u.deliver.envelope = (struct lia_bytes){NULL, 0};
	f.u.deliver.erased_at = 950;
	round_trip(&f, &g);
	assert_int_equal(g.u.deliver.erased_at, 950);
	assert_int_equal(g.u.deliver.envelope.len, 0);
	lia_frame_clear(&g);

	struct lia_inbox_entry e;
	memset(&e, 0, sizeof e);
	e.sequence = 3;
	memset(e.message_id, 1, LIA_ID_BYTES);
	memcpy(e.originator, "IT-GDF/a", 9);
	e.kind = LIA_KIND_ROUTE;
	memcpy(e.via, "direct", 7);
	e.superseded = f.u.deliver.superseded;
	e.superseded.recall = false;
	lia_frame_init(&f, LIA_FRAME_INBOX_LIST, 4);
	f.u.inbox_list.n = 1;
	f.u.inbox_list.v = &e;
	round_trip(&f, &g);
	assert_memory_equal(&g.u.inbox_list.v[0].superseded, &e.superseded, sizeof e.superseded);
	lia_frame_clear(&g);

	Liaison__V1__Frame pb = LIAISON__V1__FRAME__INIT;
	pb.version = 1;
	uint8_t id16[16] = {1}, id5[5] = {1};
	Liaison__V1__Deliver d = LIAISON__V1__DELIVER__INIT;
	d.envelope = (ProtobufCBinaryData){3, (uint8_t *)env};
	d.originator = (char *)"IT-GDF/a";
	d.via = (char *)"direct";
	pb.deliver = &d;
	pb.body_case = LIAISON__V1__FRAME__BODY_DELIVER;
	d.superseded_by = (ProtobufCBinaryData){5, id5};
	d.superseded_actor = (char *)"IT-GDF/b";
	expect_refused(&pb, "superseded_by");
	d.superseded_by = (ProtobufCBinaryData){16, id16};
	d.superseded_actor = (char *)"no actor";
	expect_refused(&pb, "superseded_actor");
	d.superseded_actor = (char *)"IT-GDF/b";
	d.erased_at = 5; /* erased, yet with an envelope */
	expect_refused(&pb, "envelope: empty exactly when erased_at is set");
	d.erased_at = 0;
	d.envelope = (ProtobufCBinaryData){0, NULL}; /* no envelope, not erased */
	expect_refused(&pb, "envelope: empty exactly when erased_at is set");
}

/* Threads (issue 13): ThreadQuery and ThreadList round-trip; ids,
 * kinds and depths are checked. */
static void test_thread_frames(void **state)
{
	(void)state;
	struct lia_frame f, g;
	lia_frame_init(&f, LIA_FRAME_THREAD_QUERY, 8);
	memset(f.u.thread_query.message_id, 3, LIA_ID_BYTES);
	round_trip(&f, &g);
	assert_memory_equal(g.u.thread_query.message_id, f.u.thread_query.message_id, LIA_ID_BYTES);
	lia_frame_clear(&g);
	struct lia_thread_entry e[2];
	memset(e, 0, sizeof e);
	for (int i = 0; i < 2; i++) {
		memset(e[i].message_id, i + 1, LIA_ID_BYTES);
		memcpy(e[i].originator, "IT-GDF/a", 9);
		e[i].kind = i ? LIA_KIND_NOTE : LIA_KIND_ROUTE;
		e[i].created_at = 100 + i;
		e[i].depth = (uint32_t)i;
	}
	e[1].has_in_reply_to = true;
	memset(e[1].in_reply_to, 1, LIA_ID_BYTES);
	e[1].sequence = 7;
	e[1].erased = true;
	lia_frame_init(&f, LIA_FRAME_THREAD_LIST, 8);
	f.u.thread_list.n = 2;
	f.u.thread_list.v = e;
	round_trip(&f, &g);
	assert_int_equal(g.u.thread_list.n, 2);
	assert_memory_equal(&g.u.thread_list.v[0], &e[0], sizeof e[0]);
	assert_memory_equal(&g.u.thread_list.v[1], &e[1], sizeof e[1]);
	lia_frame_clear(&g);

	Liaison__V1__Frame pb = LIAISON__V1__FRAME__INIT;
	pb.version = 1;
	uint8_t id16[16] = {1}, id5[5] = {1};
	Liaison__V1__ThreadQuery tq = LIAISON__V1__THREAD_QUERY__INIT;
	pb.thread_query = &tq;
	pb.body_case = LIAISON__V1__FRAME__BODY_THREAD_QUERY;
	tq.message_id = (ProtobufCBinaryData){5, id5};
	expect_refused(&pb, "message_id");
	Liaison__V1__ThreadList tl = LIAISON__V1__THREAD_LIST__INIT;
	Liaison__V1__ThreadEntry te = LIAISON__V1__THREAD_ENTRY__INIT, *tep = &te;
	te.message_id = (ProtobufCBinaryData){16, id16};
	te.originator = (char *)"IT-GDF/a";
	te.kind = LIAISON__V1__MESSAGE_KIND__MESSAGE_KIND_NOTE;
	tl.entries = &tep;
	tl.n_entries = 1;
	pb.thread_list = &tl;
	pb.body_case = LIAISON__V1__FRAME__BODY_THREAD_LIST;
	te.depth = LIA_THREAD_DEPTH_MAX + 1;
	expect_refused(&pb, "depth");
	te.depth = 1;
	te.in_reply_to = (ProtobufCBinaryData){5, id5};
	expect_refused(&pb, "in_reply_to");
	te.in_reply_to = (ProtobufCBinaryData){0, NULL};
	te.kind = 0;
	expect_refused(&pb, "kind");
	te.kind = LIAISON__V1__MESSAGE_KIND__MESSAGE_KIND_NOTE;
	te.originator = (char *)"nobody";
	expect_refused(&pb, "originator");
}

static void test_consent_frames(void **state)
{
	(void)state;
	struct lia_frame f, g;
	lia_frame_init(&f, LIA_FRAME_CONSENT_ASK, 3);
	memset(f.u.consent_ask.message_id, 7, LIA_ID_BYTES);
	snprintf(f.u.consent_ask.grantee, sizeof f.u.consent_ask.grantee, "%s", "HR-MUP/zagreb");
	snprintf(f.u.consent_ask.purpose, sizeof f.u.consent_ask.purpose, "%s", "joint operation");
	round_trip(&f, &g);
	assert_string_equal(g.u.consent_ask.grantee, "HR-MUP/zagreb");
	assert_string_equal(g.u.consent_ask.purpose, "joint operation");
	assert_memory_equal(g.u.consent_ask.message_id, f.u.consent_ask.message_id, LIA_ID_BYTES);
	lia_frame_clear(&g);

	lia_frame_init(&f, LIA_FRAME_CONSENT_QUERY, 4);
	f.u.consent_query.request = 12;
	round_trip(&f, &g);
	assert_int_equal(g.u.consent_query.request, 12);
	lia_frame_clear(&g);

	struct lia_consent_request v[2];
	memset(v, 0, sizeof v);
	for (int i = 0; i < 2; i++) {
		v[i].request = (uint64_t)i + 1;
		memset(v[i].message_id, i + 1, LIA_ID_BYTES);
		snprintf(v[i].originator, sizeof v[i].originator, "%s", "IT-GDF/ventimiglia");
		snprintf(v[i].requested_by, sizeof v[i].requested_by, "%s", "IT-PS/roma");
		snprintf(v[i].grantee, sizeof v[i].grantee, "%s", i ? "GR-HCG" : "HR-MUP/zagreb");
		snprintf(v[i].purpose, sizeof v[i].purpose, "%s", "why");
		v[i].state = i ? LIA_CONSENT_REFUSED : LIA_CONSENT_GRANTED;
		v[i].requested_at = 100;
		v[i].answered_at = 200;
		v[i].disclosed = 3;
		v[i].withheld = 1;
	}
	snprintf(v[1].reason, sizeof v[1].reason, "%s", "source protection");
	memset(v[0].consent, 0xc5, 100); /* a granted request carries its signed consent */
	v[0].consent_len = 100;
	lia_frame_init(&f, LIA_FRAME_CONSENT_LIST, 5);
	f.u.consent_list.v = v;
	f.u.consent_list.n = 2;
	round_trip(&f, &g);
	assert_int_equal(g.u.consent_list.n, 2);
	assert_memory_equal(&g.u.consent_list.v[0], &v[0], sizeof v[0]);
	assert_memory_equal(&g.u.consent_list.v[1], &v[1], sizeof v[1]);
	lia_frame_clear(&g);

	uint8_t consent[70] = {1}, env[90] = {2};
	lia_frame_init(&f, LIA_FRAME_CONSENT_ANSWER, 6);
	f.u.consent_answer.request = 1;
	f.u.consent_answer.grant = true;
	f.u.consent_answer.consent = (struct lia_bytes){consent, sizeof consent};
	f.u.consent_answer.envelope = (struct lia_bytes){env, sizeof env};
	round_trip(&f, &g);
	assert_true(g.u.consent_answer.grant);
	assert_int_equal(g.u.consent_answer.consent.len, sizeof consent);
	assert_memory_equal(g.u.consent_answer.envelope.p, env, sizeof env);
	lia_frame_clear(&g);
}

static void test_feed_filter(void **state)
{
	(void)state;
	struct lia_header h;
	memset(&h, 0, sizeof h);
	h.kind = LIA_KIND_ROUTE;
	memcpy(h.originator, "IT-GDF/ventimiglia", 19);
	assert_int_equal(lia_names_add(&h.regions, "MED-CENTRAL"), 0);
	h.evaluation = (struct lia_evaluation){LIA_EVAL_EUROPOL_4X4, 'B', 2};
	struct lia_feed_filter f;
	memset(&f, 0, sizeof f);
	assert_true(lia_feed_filter_match(&f, &h));
	f.kinds = 1u << LIA_KIND_CARRIER;
	assert_false(lia_feed_filter_match(&f, &h));
	f.kinds |= 1u << LIA_KIND_ROUTE;
	assert_true(lia_feed_filter_match(&f, &h));
	assert_int_equal(lia_names_add(&f.regions, "WESTERN-BALKANS"), 0);
	assert_false(lia_feed_filter_match(&f, &h));
	assert_int_equal(lia_names_add(&f.regions, "MED-CENTRAL"), 0);
	assert_true(lia_feed_filter_match(&f, &h));
	assert_int_equal(lia_names_add(&f.agencies, "MT-AFM"), 0);
	assert_false(lia_feed_filter_match(&f, &h));
	assert_int_equal(lia_names_add(&f.agencies, "IT-GDF"), 0);
	assert_true(lia_feed_filter_match(&f, &h));
	f.min_eval = (struct lia_evaluation){LIA_EVAL_EUROPOL_4X4, 'A', 1};
	assert_false(lia_feed_filter_match(&f, &h));
	f.min_eval = (struct lia_evaluation){LIA_EVAL_EUROPOL_4X4, 'C', 3};
	assert_true(lia_feed_filter_match(&f, &h));
	assert_true(lia_feed_name_valid("med-routes-2"));
	assert_false(lia_feed_name_valid(""));
	assert_false(lia_feed_name_valid("Med"));
	assert_false(lia_feed_name_valid("abcdefghijklmnopqrstuvwxyz0123456"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_frames),
		cmocka_unit_test(test_list_frames),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_feed_filter),
		cmocka_unit_test(test_supersession_frames),
		cmocka_unit_test(test_thread_frames),
		cmocka_unit_test(test_consent_frames),
		cmocka_unit_test(test_verification_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
