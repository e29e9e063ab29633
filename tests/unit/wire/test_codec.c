/* The codec table behind lia_frame_encode/decode (wire/frame_int.h):
 * every frame type has its codec, a type without one is refused both
 * ways, and a list that fails part-way is freed whole (run under ASan,
 * a leak or a double free here fails the build's sanitizer job). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "wire.pb-c.h"

static void test_every_type_has_a_codec(void **state)
{
	(void)state;
	for (int t = LIA_FRAME_HELLO; t <= LIA_FRAME_THREAD_LIST; t++)
		assert_string_not_equal(lia_frame_type_str((enum lia_frame_type)t), "unknown");
	assert_string_equal(lia_frame_type_str(LIA_FRAME_AUDIT_ANSWER), "audit-answer");
	assert_string_equal(lia_frame_type_str((enum lia_frame_type)9), "unknown");
	assert_string_equal(lia_frame_type_str((enum lia_frame_type)40), "unknown");
	assert_string_equal(lia_frame_type_str((enum lia_frame_type)-1), "unknown");
}

static void test_unknown_type_refused(void **state)
{
	(void)state;
	struct lia_frame f;
	uint8_t *buf = NULL;
	size_t len = 0;
	lia_frame_init(&f, (enum lia_frame_type)40, 1);
	assert_int_equal(lia_frame_encode(&f, &buf, &len), -1);
	assert_null(buf);
	lia_frame_init(&f, (enum lia_frame_type)0, 1);
	assert_int_equal(lia_frame_encode(&f, &buf, &len), -1);

	/* A Frame with no body: version and request id alone. */
	Liaison__V1__Frame pb = LIAISON__V1__FRAME__INIT;
	pb.version = LIA_PROTOCOL_VERSION;
	pb.request_id = 5;
	uint8_t raw[32];
	size_t n = liaison__v1__frame__pack(&pb, raw);
	char why[LIA_ERR_MAX];
	assert_int_equal(lia_frame_decode(&f, raw, n, why), -1);
	assert_non_null(strstr(why, "no known body"));
	assert_null(f.priv);
}

/* Every simple type encodes and decodes to its own type. */
static void test_types_round_trip(void **state)
{
	(void)state;
	static const enum lia_frame_type types[] = {
		LIA_FRAME_OK,    LIA_FRAME_PING,          LIA_FRAME_PONG,
		LIA_FRAME_INBOX, LIA_FRAME_CONSENT_QUERY, LIA_FRAME_DIRECTORY_REQUEST,
		LIA_FRAME_FEED_LIST, LIA_FRAME_INBOX_LIST, LIA_FRAME_CONSENT_LIST,
		LIA_FRAME_DIRECTORY, LIA_FRAME_VERIFICATION_QUERY, LIA_FRAME_VERIFICATION_LIST,
		LIA_FRAME_THREAD_QUERY, LIA_FRAME_THREAD_LIST,
	};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		struct lia_frame f, g;
		lia_frame_init(&f, types[i], 40 + i);
		uint8_t *buf;
		size_t len;
		char why[LIA_ERR_MAX];
		assert_int_equal(lia_frame_encode(&f, &buf, &len), 0);
		if (lia_frame_decode(&g, buf, len, why) != 0)
			fail_msg("%s: %s", lia_frame_type_str(types[i]), why);
		assert_int_equal(g.type, types[i]);
		assert_int_equal(g.request_id, 40 + i);
		lia_frame_clear(&g);
		free(buf);
	}
}

/* An InboxList whose third entry is bad: refused, naming the field, and
 * the two entries decoded before it are freed with the frame. */
static void test_list_fails_part_way(void **state)
{
	(void)state;
	uint8_t id[16] = {1};
	Liaison__V1__InboxEntry e[3];
	Liaison__V1__InboxEntry *ptrs[3];
	for (size_t i = 0; i < 3; i++) {
		liaison__v1__inbox_entry__init(&e[i]);
		e[i].sequence = i + 1;
		e[i].message_id = (ProtobufCBinaryData){16, id};
		e[i].originator = "IT-PS/rome";
		e[i].kind = LIAISON__V1__MESSAGE_KIND__MESSAGE_KIND_ROUTE;
		ptrs[i] = &e[i];
	}
	e[2].kind = (Liaison__V1__MessageKind)99;
	Liaison__V1__InboxList list = LIAISON__V1__INBOX_LIST__INIT;
	list.entries = ptrs;
	list.n_entries = 3;
	Liaison__V1__Frame pb = LIAISON__V1__FRAME__INIT;
	pb.version = LIA_PROTOCOL_VERSION;
	pb.body_case = LIAISON__V1__FRAME__BODY_INBOX_LIST;
	pb.inbox_list = &list;
	uint8_t raw[512];
	size_t n = liaison__v1__frame__pack(&pb, raw);
	struct lia_frame f;
	char why[LIA_ERR_MAX];
	assert_int_equal(lia_frame_decode(&f, raw, n, why), -1);
	assert_non_null(strstr(why, "kind"));

	e[2].kind = LIAISON__V1__MESSAGE_KIND__MESSAGE_KIND_NOTE;
	n = liaison__v1__frame__pack(&pb, raw);
	assert_int_equal(lia_frame_decode(&f, raw, n, why), 0);
	assert_int_equal(f.u.inbox_list.n, 3);
	assert_int_equal(f.u.inbox_list.v[2].kind, LIA_KIND_NOTE);
	lia_frame_clear(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type_has_a_codec),
		cmocka_unit_test(test_unknown_type_refused),
		cmocka_unit_test(test_types_round_trip),
		cmocka_unit_test(test_list_fails_part_way),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
