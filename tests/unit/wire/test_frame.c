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
	assert_int_equal(lia_frame_decode(&f, buf, len, why), -1);
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

	/* Oversized: refused by length before decoding. */
	struct lia_frame f;
	char why[LIA_ERR_MAX];
	uint8_t *big = calloc(1, LIA_FRAME_MAX + 1);
	assert_int_equal(lia_frame_decode(&f, big, LIA_FRAME_MAX + 1, why), -1);
	assert_non_null(strstr(why, "at most"));
	free(big);
	assert_int_equal(lia_frame_decode(&f, (const uint8_t *)"\xff\xff", 2, why), -1);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
