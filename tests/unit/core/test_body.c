/* Bodies as JSON and their agreement with headers (core/body.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "util.h"

static void test_json_round_trip(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	json_error_t jerr;
	json_t *in = json_loads("{\"title\":\"t\",\"summary\":\"s\",\"data_subjects\":[\"suspect\","
				"\"smuggled-migrant\"],\"document\":{\"type\":\"passport\","
				"\"issuing_state\":\"LY\",\"status\":\"forged\","
				"\"compromised_features\":[\"MRZ\",\"UV ink\"]}}", 0, &jerr);
	assert_non_null(in);
	uint8_t *b;
	size_t n;
	assert_int_equal(lia_body_from_json(in, &b, &n, err), 0);
	json_t *out = lia_body_to_json(b, n);
	assert_true(json_equal(in, out));
	int mismatch;
	uint32_t subj = LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT) | LIA_SUBJECT_BIT(LIA_SUBJECT_SMUGGLED_MIGRANT);
	struct lia_header h = {.kind = LIA_KIND_DOCUMENT, .subjects = subj};
	assert_int_equal(lia_body_check(b, n, &h, &mismatch, err), 0);
	h.kind = LIA_KIND_ROUTE;
	assert_int_equal(lia_body_check(b, n, &h, &mismatch, err), -1);
	assert_int_equal(mismatch, 1);
	h = (struct lia_header){.kind = LIA_KIND_DOCUMENT, .subjects = LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT)};
	assert_int_equal(lia_body_check(b, n, &h, &mismatch, err), -1);
	assert_int_equal(mismatch, 1);
	char title[8];
	lia_body_title(b, n, title, sizeof title);
	assert_string_equal(title, "t");
	free(b);
	json_decref(in);
	json_decref(out);
}

static void expect_error(const char *text, const char *needle)
{
	char err[LIA_ERR_MAX];
	json_error_t jerr;
	json_t *in = json_loads(text, 0, &jerr);
	assert_non_null(in);
	uint8_t *b = NULL;
	size_t n;
	assert_int_equal(lia_body_from_json(in, &b, &n, err), -1);
	assert_null(b);
	if (strstr(err, needle) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
	json_decref(in);
}

static void test_json_errors_name_the_field(void **state)
{
	(void)state;
	expect_error("{\"titel\":\"x\"}", "body.titel: unknown field");
	expect_error("{\"title\":5}", "body.title: expected a string");
	expect_error("{\"route\":{\"mode\":\"teleport\"}}", "body.route.mode: expected one of sea");
	expect_error("{\"route\":{\"capacity\":-1}}", "body.route.capacity: out of range");
	expect_error("{\"route\":{}, \"note\":{}}", "only one of the alternatives");
	expect_error("{\"route\":{\"embarkation\":{}}}", "expected a list");
	expect_error("{\"route\":[]}", "expected an object");
	expect_error("{}", "empty");
}

static void test_set_paths(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	json_t *b = NULL;
	assert_int_equal(lia_body_set(&b, "route.embarkation[1].name", "Sabratha", err), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(b, "route"), "embarkation")), 2);
	assert_int_equal(lia_body_set(&b, "route.period_start", "2026-11-01", err), 0);
	assert_int_equal(lia_body_set(&b, "route.nope", "1", err), -1);
	err[0] = '\0';
	assert_int_equal(lia_body_set(&b, "title", "Zuwara\xff", err), -1);
	assert_string_equal(err, "title: not valid UTF-8"); /* jansson alone says nothing */
	assert_int_equal(lia_body_set(&b, "route.embarkation.name", "x", err), -1);
	assert_int_equal(lia_body_set(&b, "route.embarkation[99999].name", "x", err), -1);
	assert_int_equal(lia_body_set(&b, "route.capacity", "many", err), -1);
	assert_int_equal(lia_body_set(&b, "route", "x", err), -1);
	assert_int_equal(lia_body_set(&b, "title.x", "x", err), -1);
	assert_string_equal(lia_body_content_field(LIA_KIND_VERIFICATION_REQUEST), "verification_request");
	json_decref(b);
}

static void test_garbage_bytes(void **state)
{
	(void)state;
	char err[LIA_ERR_MAX];
	int mismatch;
	static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	assert_null(lia_body_to_json(junk, sizeof junk));
	assert_int_equal(lia_body_check(junk, sizeof junk, &(struct lia_header){.kind = LIA_KIND_NOTE}, &mismatch, err), -1);
	assert_int_equal(mismatch, 0);
}

#define SUSPECT LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT)
#define VICTIM LIA_SUBJECT_BIT(LIA_SUBJECT_VICTIM)
#define MIGRANT LIA_SUBJECT_BIT(LIA_SUBJECT_SMUGGLED_MIGRANT)

/* Issue 10, item 11: the categories a body's filled fields imply must be
 * declared. Each row: a body, the declared categories, and NULL when that
 * is enough or the words the refusal must hold. */
static void test_implied_subjects(void **state)
{
	(void)state;
	static const struct {
		const char *body;
		uint32_t declared;
		const char *refused;
	} rows[] = {
		/* A verification request naming the holder needs some category. */
		{"{\"verification_request\":{\"type\":\"passport\",\"number\":\"X1\","
		 "\"holder_name\":\"A. Person\"}}", 0,
		 "verification_request.holder_name names the document's holder"},
		{"{\"verification_request\":{\"holder_name\":\"A. Person\"}}", MIGRANT, NULL},
		{"{\"verification_request\":{\"holder_name\":\"A. Person\"}}", VICTIM, NULL},
		{"{\"verification_request\":{\"holder_birth_date\":86400}}", 0,
		 "declare the data-subject category suspect, victim, witness, contact or "
		 "smuggled-migrant"},
		/* Without holder fields the document number alone asks nothing of
		 * a verification request: it is the question, not a person. */
		{"{\"verification_request\":{\"type\":\"passport\",\"number\":\"X1\"}}", 0, NULL},
		/* A single document's number names its holder; a blank range does not. */
		{"{\"document\":{\"type\":\"passport\",\"number\":\"X1\"}}", 0, "document.number"},
		{"{\"document\":{\"number\":\"X1\",\"status\":\"stolen-blank\"}}", VICTIM, NULL},
		{"{\"document\":{\"serial_from\":\"A1\",\"serial_to\":\"A9\"}}", 0, NULL},
		/* Members of a network are suspects, and only "suspect" covers them. */
		{"{\"network\":{\"actors\":[{\"aliases\":[\"the doctor\"]}]}}", 0,
		 "network.actors names members of a smuggling network, which is personal data: "
		 "declare the data-subject category suspect"},
		{"{\"network\":{\"actors\":[{\"role\":\"guide\"}]}}", VICTIM | MIGRANT, "suspect"},
		{"{\"network\":{\"actors\":[{\"role\":\"guide\"}]}}", SUSPECT, NULL},
		{"{\"network\":{\"network_name\":\"N-17\",\"modus_operandi\":\"x\"}}", 0, NULL},
		/* Kinds without such fields imply nothing. */
		{"{\"route\":{\"capacity\":80}}", 0, NULL},
		{"{\"title\":\"t\",\"note\":{\"text\":\"x\"}}", 0, NULL},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char err[LIA_ERR_MAX] = "";
		json_error_t jerr;
		json_t *in = json_loads(rows[i].body, 0, &jerr);
		if (in == NULL)
			fail_msg("row %zu: %s", i, jerr.text);
		uint8_t *b;
		size_t n;
		assert_int_equal(lia_body_from_json(in, &b, &n, err), 0);
		int rc = lia_body_subjects_cover(b, n, rows[i].declared, err);
		if (rows[i].refused == NULL && rc != 0)
			fail_msg("row %zu refused: %s", i, err);
		if (rows[i].refused != NULL && (rc != -1 || strstr(err, rows[i].refused) == NULL))
			fail_msg("row %zu: rc %d, \"%s\" lacks \"%s\"", i, rc, err, rows[i].refused);
		free(b);
		json_decref(in);
	}
	static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	char err[LIA_ERR_MAX];
	assert_int_equal(lia_body_subjects_cover(junk, sizeof junk, 0, err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_errors_name_the_field),
		cmocka_unit_test(test_set_paths),
		cmocka_unit_test(test_garbage_bytes),
		cmocka_unit_test(test_implied_subjects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
