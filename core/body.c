/*
 * body.c — Body <-> JSON by walking protobuf-c descriptors, and the
 * body's agreement with its header.
 *
 * Why reflection instead of one function per body kind: the schema has
 * eleven kinds and some forty messages; a single walker keeps JSON names
 * identical to the schema, so docs/formats.md and the .proto files are
 * the whole reference, and a new field needs no new C.
 *
 * JSON conventions: field names as in the schema; proto3 defaults are
 * omitted on output; enums by their value name without the enum prefix,
 * lower case with '-' ("stolen-blank"); int64 times as integers (input
 * also accepts "2026-11-28T10:00:00Z"); bytes as hex.
 */
#include "body.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "body.pb-c.h"
#include "check.h"
#include "pb_int.h"
#include "util.h"

#define JSON_DEPTH_MAX 8
#define JSON_ARRAY_MAX 1024
#define JSON_STRING_MAX (64u * 1024)

/* The enum-name prefix is value 0's name minus "UNSPECIFIED". */
static size_t enum_prefix_len(const ProtobufCEnumDescriptor *d)
{
	const char *zero = d->values[0].name;
	const char *u = strstr(zero, "UNSPECIFIED");
	return u ? (size_t)(u - zero) : 0;
}

static void enum_short_name(char *out, size_t cap, const ProtobufCEnumDescriptor *d, const char *name)
{
	const char *s = name + enum_prefix_len(d);
	size_t i = 0;
	for (; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = s[i] == '_' ? '-' : (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	out[i] = '\0';
}

static int enum_from_name(const ProtobufCEnumDescriptor *d, const char *s, int *out)
{
	char buf[96];
	for (unsigned i = 1; i < d->n_values; i++) {
		enum_short_name(buf, sizeof buf, d, d->values[i].name);
		if (strcmp(buf, s) == 0) {
			*out = d->values[i].value;
			return 0;
		}
	}
	return -1;
}

static size_t scalar_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_FLOAT:
		return 4;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

/* --- JSON to message --- */

static ProtobufCMessage *msg_from_json(const ProtobufCMessageDescriptor *d, const json_t *j,
				       int depth, const char *path, char err[static LIA_ERR_MAX]);

/* Convert one JSON value into the field storage at p. */
static int value_from_json(const ProtobufCFieldDescriptor *f, void *p, const json_t *v, int depth,
			   const char *path, char err[static LIA_ERR_MAX])
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		if (!json_is_string(v))
			return lia_errf(err, "%s: expected a string", path);
		size_t n = json_string_length(v);
		const char *s = json_string_value(v);
		if (n > JSON_STRING_MAX || strlen(s) != n)
			return lia_errf(err, "%s: string too long or contains NUL", path);
		char *c = malloc(n + 1);
		if (c == NULL)
			return lia_errf(err, "out of memory");
		memcpy(c, s, n + 1);
		*(char **)p = c;
		return 0;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		if (!json_is_string(v) || json_string_length(v) % 2 != 0 ||
		    json_string_length(v) > 2 * JSON_STRING_MAX)
			return lia_errf(err, "%s: expected hex", path);
		size_t n = json_string_length(v) / 2;
		uint8_t *b = malloc(n ? n : 1);
		if (b == NULL)
			return lia_errf(err, "out of memory");
		if (lia_unhex(b, n, json_string_value(v)) != 0) {
			free(b);
			return lia_errf(err, "%s: expected hex", path);
		}
		*(ProtobufCBinaryData *)p = (ProtobufCBinaryData){n, b};
		return 0;
	}
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(v))
			return lia_errf(err, "%s: expected true or false", path);
		*(protobuf_c_boolean *)p = json_is_true(v);
		return 0;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *ed = f->descriptor;
		int val;
		if (!json_is_string(v) || enum_from_name(ed, json_string_value(v), &val) != 0) {
			char names[LIA_ERR_MAX / 2];
			size_t off = 0;
			names[0] = '\0';
			for (unsigned i = 1; i < ed->n_values && off + 40 < sizeof names; i++) {
				char one[64];
				enum_short_name(one, sizeof one, ed, ed->values[i].name);
				int w = snprintf(names + off, sizeof names - off, "%s%s", i > 1 ? ", " : "", one);
				if (w < 0 || (size_t)w >= sizeof names - off)
					break;
				off += (size_t)w;
			}
			return lia_errf(err, "%s: expected one of %s", path, names);
		}
		*(int *)p = val;
		return 0;
	}
	case PROTOBUF_C_TYPE_DOUBLE:
	case PROTOBUF_C_TYPE_FLOAT: {
		if (!json_is_number(v))
			return lia_errf(err, "%s: expected a number", path);
		double d = json_number_value(v);
		if (f->type == PROTOBUF_C_TYPE_DOUBLE)
			*(double *)p = d;
		else
			*(float *)p = (float)d;
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		if (depth >= JSON_DEPTH_MAX)
			return lia_errf(err, "%s: nested too deeply", path);
		ProtobufCMessage *m = msg_from_json(f->descriptor, v, depth + 1, path, err);
		if (m == NULL)
			return -1;
		*(ProtobufCMessage **)p = m;
		return 0;
	}
	default:
		break;
	}
	/* Integers. Times may be given as text. */
	int64_t i;
	if (json_is_integer(v)) {
		i = (int64_t)json_integer_value(v);
	} else if (json_is_string(v) && (f->type == PROTOBUF_C_TYPE_INT64) &&
		   lia_time_parse(json_string_value(v), &i) == 0) {
		/* parsed */
	} else {
		return lia_errf(err, "%s: expected an integer", path);
	}
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		if (i < 0 || i > (int64_t)UINT32_MAX)
			return lia_errf(err, "%s: out of range", path);
		*(uint32_t *)p = (uint32_t)i;
		return 0;
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		if (i < INT32_MIN || i > INT32_MAX)
			return lia_errf(err, "%s: out of range", path);
		*(int32_t *)p = (int32_t)i;
		return 0;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		if (i < 0)
			return lia_errf(err, "%s: out of range", path);
		*(uint64_t *)p = (uint64_t)i;
		return 0;
	default:
		*(int64_t *)p = i;
		return 0;
	}
}

static const ProtobufCFieldDescriptor *field_by_name(const ProtobufCMessageDescriptor *d,
						     const char *name)
{
	for (unsigned i = 0; i < d->n_fields; i++)
		if (strcmp(d->fields[i].name, name) == 0)
			return &d->fields[i];
	return NULL;
}

static ProtobufCMessage *msg_from_json(const ProtobufCMessageDescriptor *d, const json_t *j,
				       int depth, const char *path, char err[static LIA_ERR_MAX])
{
	if (!json_is_object(j)) {
		lia_errf(err, "%s: expected an object", path);
		return NULL;
	}
	ProtobufCMessage *m = calloc(1, d->sizeof_message);
	if (m == NULL) {
		lia_errf(err, "out of memory");
		return NULL;
	}
	d->message_init(m);
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)j, key, v) {
		char sub[LIA_ERR_MAX / 2];
		int w = snprintf(sub, sizeof sub, "%s.%s", path, key);
		if (w < 0 || (size_t)w >= sizeof sub) {
			lia_errf(err, "%s: field path too long", path);
			goto fail;
		}
		const ProtobufCFieldDescriptor *f = field_by_name(d, key);
		if (f == NULL) {
			lia_errf(err, "%s: unknown field", sub);
			goto fail;
		}
		uint8_t *base = (uint8_t *)m;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t *n = (size_t *)(base + f->quantifier_offset);
			if (!json_is_array(v) || json_array_size(v) > JSON_ARRAY_MAX) {
				lia_errf(err, "%s: expected a list of at most %d items", sub, JSON_ARRAY_MAX);
				goto fail;
			}
			if (*n != 0) {
				lia_errf(err, "%s: given twice", sub);
				goto fail;
			}
			size_t cnt = json_array_size(v), sz = scalar_size(f->type);
			uint8_t *arr = calloc(cnt ? cnt : 1, sz);
			if (arr == NULL) {
				lia_errf(err, "out of memory");
				goto fail;
			}
			*(void **)(base + f->offset) = arr;
			for (size_t i = 0; i < cnt; i++) {
				if (value_from_json(f, arr + i * sz, json_array_get(v, i), depth, sub,
						    err) != 0)
					goto fail;
				*n = i + 1;
			}
			continue;
		}
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t *which = (uint32_t *)(base + f->quantifier_offset);
			if (*which != 0) {
				lia_errf(err, "%s: only one of the alternatives may be given", sub);
				goto fail;
			}
			if (value_from_json(f, base + f->offset, v, depth, sub, err) != 0)
				goto fail;
			*which = f->id;
			continue;
		}
		if (value_from_json(f, base + f->offset, v, depth, sub, err) != 0)
			goto fail;
	}
	return m;
fail:
	protobuf_c_message_free_unpacked(m, NULL);
	return NULL;
}

int lia_body_from_json(const json_t *j, uint8_t **out, size_t *out_len,
		       char err[static LIA_ERR_MAX])
{
	ProtobufCMessage *m = msg_from_json(&liaison__v1__body__descriptor, j, 0, "body", err);
	if (m == NULL)
		return -1;
	size_t len = protobuf_c_message_get_packed_size(m);
	int rc = -1;
	if (len == 0 || len > LIA_BODY_MAX) {
		lia_errf(err, "body is empty or larger than %u bytes once encoded", LIA_BODY_MAX);
		goto out;
	}
	uint8_t *buf = malloc(len);
	if (buf == NULL) {
		lia_errf(err, "out of memory");
		goto out;
	}
	protobuf_c_message_pack(m, buf);
	*out = buf;
	*out_len = len;
	rc = 0;
out:
	protobuf_c_message_free_unpacked(m, NULL);
	return rc;
}

/* --- message to JSON --- */

static json_t *msg_to_json(const ProtobufCMessage *m);

static json_t *value_to_json(const ProtobufCFieldDescriptor *f, const void *p, int *is_default)
{
	*is_default = 0;
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;
		*is_default = s == NULL || s[0] == '\0';
		return *is_default ? NULL : json_string(s);
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		*is_default = b->len == 0;
		if (*is_default)
			return NULL;
		char *hex = malloc(2 * b->len + 1);
		if (hex == NULL)
			return NULL;
		lia_hex(hex, b->data, b->len);
		json_t *r = json_string(hex);
		free(hex);
		return r;
	}
	case PROTOBUF_C_TYPE_BOOL:
		*is_default = !*(const protobuf_c_boolean *)p;
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;
		*is_default = v == 0;
		const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
		if (ev == NULL)
			return json_integer(v);
		char name[96];
		enum_short_name(name, sizeof name, f->descriptor, ev->name);
		return json_string(name);
	}
	case PROTOBUF_C_TYPE_DOUBLE:
		*is_default = *(const double *)p == 0.0;
		return json_real(*(const double *)p);
	case PROTOBUF_C_TYPE_FLOAT:
		*is_default = *(const float *)p == 0.0f;
		return json_real(*(const float *)p);
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;
		*is_default = sub == NULL;
		return sub ? msg_to_json(sub) : NULL;
	}
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		*is_default = *(const uint32_t *)p == 0;
		return json_integer(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		*is_default = *(const int32_t *)p == 0;
		return json_integer(*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: {
		uint64_t u = *(const uint64_t *)p;
		*is_default = u == 0;
		return u > (uint64_t)LLONG_MAX ? json_real((double)u) : json_integer((json_int_t)u);
	}
	default:
		*is_default = *(const int64_t *)p == 0;
		return json_integer(*(const int64_t *)p);
	}
}

static json_t *msg_to_json(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	const uint8_t *base = (const uint8_t *)m;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		int is_default = 0;
		json_t *v = NULL;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset);
			if (n == 0)
				continue;
			const uint8_t *arr = *(const uint8_t *const *)(base + f->offset);
			size_t sz = scalar_size(f->type);
			v = json_array();
			for (size_t k = 0; v != NULL && k < n; k++) {
				int dflt;
				json_t *e = value_to_json(f, arr + k * sz, &dflt);
				if (e == NULL)
					e = json_null();
				json_array_append_new(v, e);
			}
		} else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
				continue;
			v = value_to_json(f, base + f->offset, &is_default);
			if (v == NULL)
				v = json_object();
			is_default = 0;
		} else {
			v = value_to_json(f, base + f->offset, &is_default);
		}
		if (v == NULL || is_default) {
			json_decref(v);
			continue;
		}
		json_object_set_new(o, f->name, v);
	}
	return o;
}

static Liaison__V1__Body *body_unpack(struct lia_pb_budget *b, const uint8_t *body, size_t len)
{
	if (len > LIA_BODY_MAX)
		return NULL;
	lia_pb_budget_init(b, LIA_PB_BUDGET(len));
	return liaison__v1__body__unpack(&b->alloc, len, body);
}

json_t *lia_body_to_json(const uint8_t *body, size_t len)
{
	struct lia_pb_budget b;
	Liaison__V1__Body *m = body_unpack(&b, body, len);
	if (m == NULL)
		return NULL;
	json_t *j = msg_to_json(&m->base);
	liaison__v1__body__free_unpacked(m, &b.alloc);
	return j;
}

/* Which content case each kind must carry. */
static const Liaison__V1__Body__ContentCase kind_case[LIA_KIND_MAX + 1] = {
	[LIA_KIND_ROUTE] = LIAISON__V1__BODY__CONTENT_ROUTE,
	[LIA_KIND_CARRIER] = LIAISON__V1__BODY__CONTENT_CARRIER,
	[LIA_KIND_NETWORK] = LIAISON__V1__BODY__CONTENT_NETWORK,
	[LIA_KIND_DOCUMENT] = LIAISON__V1__BODY__CONTENT_DOCUMENT,
	[LIA_KIND_CONCEALMENT] = LIAISON__V1__BODY__CONTENT_CONCEALMENT,
	[LIA_KIND_LEGISLATION] = LIAISON__V1__BODY__CONTENT_LEGISLATION,
	[LIA_KIND_TECHNICAL] = LIAISON__V1__BODY__CONTENT_TECHNICAL,
	[LIA_KIND_VERIFICATION_REQUEST] = LIAISON__V1__BODY__CONTENT_VERIFICATION_REQUEST,
	[LIA_KIND_VERIFICATION_ANSWER] = LIAISON__V1__BODY__CONTENT_VERIFICATION_ANSWER,
	[LIA_KIND_NOTE] = LIAISON__V1__BODY__CONTENT_NOTE,
	[LIA_KIND_RECALL] = LIAISON__V1__BODY__CONTENT_RECALL,
};

/* --- personal data the fields imply (docs/policy.md) --- */

static bool vr_holder_name(const Liaison__V1__Body *m)
{
	return m->content_case == LIAISON__V1__BODY__CONTENT_VERIFICATION_REQUEST &&
	       m->verification_request->holder_name[0] != '\0';
}

static bool vr_holder_birth_date(const Liaison__V1__Body *m)
{
	return m->content_case == LIAISON__V1__BODY__CONTENT_VERIFICATION_REQUEST &&
	       m->verification_request->holder_birth_date != 0;
}

static bool doc_number(const Liaison__V1__Body *m)
{
	return m->content_case == LIAISON__V1__BODY__CONTENT_DOCUMENT &&
	       m->document->number[0] != '\0';
}

static bool network_actors(const Liaison__V1__Body *m)
{
	return m->content_case == LIAISON__V1__BODY__CONTENT_NETWORK && m->network->n_actors > 0;
}

/* Each rule: when the field is filled, at least one of `any_of` must be
 * declared. A field that names a person of unknown standing takes any
 * category (the originator knows which); the actors of a smuggling
 * network are suspects by what the report says of them. Free text
 * (title, summary, remarks) may name people too, but no machine can tell;
 * it stays the originator's declaration. */
static const struct implied_subjects {
	const char *field;
	const char *names;
	uint32_t any_of;
	bool (*filled)(const Liaison__V1__Body *m);
} implied[] = {
	{"verification_request.holder_name", "the document's holder", LIA_SUBJECT_ALL, vr_holder_name},
	{"verification_request.holder_birth_date", "the document's holder", LIA_SUBJECT_ALL,
	 vr_holder_birth_date},
	{"document.number", "the holder of a single document", LIA_SUBJECT_ALL, doc_number},
	{"network.actors", "members of a smuggling network", LIA_SUBJECT_BIT(LIA_SUBJECT_SUSPECT),
	 network_actors},
};

/* "suspect", or "suspect, victim or witness", into out. */
static void subjects_words(char *out, size_t cap, uint32_t bits)
{
	size_t n = 0, total = 0;
	for (int s = LIA_SUBJECT_SUSPECT; s <= LIA_SUBJECT_SMUGGLED_MIGRANT; s++)
		total += (bits & LIA_SUBJECT_BIT(s)) != 0;
	out[0] = '\0';
	for (int s = LIA_SUBJECT_SUSPECT; s <= LIA_SUBJECT_SMUGGLED_MIGRANT; s++) {
		if (!(bits & LIA_SUBJECT_BIT(s)))
			continue;
		size_t used = strlen(out);
		const char *sep = n == 0 ? "" : n + 1 == total ? " or " : ", ";
		(void)snprintf(out + used, cap - used, "%s%s", sep, lia_subject_str((enum lia_subject)s));
		n++;
	}
}

int lia_body_subjects_cover(const uint8_t *body, size_t len, uint32_t declared,
			    char err[static LIA_ERR_MAX])
{
	struct lia_pb_budget b;
	Liaison__V1__Body *m = body_unpack(&b, body, len);
	if (m == NULL)
		return lia_errf(err, "body does not decode");
	int rc = 0;
	for (size_t i = 0; i < sizeof implied / sizeof implied[0]; i++) {
		const struct implied_subjects *r = &implied[i];
		if (!r->filled(m) || (declared & r->any_of) != 0)
			continue;
		char words[96];
		subjects_words(words, sizeof words, r->any_of);
		rc = lia_errf(err, "%s names %s, which is personal data: declare the data-subject "
				   "category %s",
			      r->field, r->names, words);
		break;
	}
	liaison__v1__body__free_unpacked(m, &b.alloc);
	return rc;
}

int lia_body_check(const uint8_t *body, size_t len, const struct lia_header *h, int *mismatch,
		   char err[static LIA_ERR_MAX])
{
	enum lia_kind kind = h->kind;
	uint32_t subjects = h->subjects;
	*mismatch = 0;
	struct lia_pb_budget b;
	Liaison__V1__Body *m = body_unpack(&b, body, len);
	if (m == NULL)
		return lia_errf(err, "body does not decode");
	int rc = -1;
	uint32_t found = 0;
	for (size_t i = 0; i < m->n_data_subjects; i++) {
		int s = (int)m->data_subjects[i];
		if (s < 1 || s > 5) {
			lia_errf(err, "body lists an unknown data-subject category (%d)", s);
			goto out;
		}
		found |= LIA_SUBJECT_BIT(s);
	}
	if ((int)kind < 1 || (int)kind > LIA_KIND_MAX || m->content_case != kind_case[kind]) {
		*mismatch = 1;
		lia_errf(err, "body content does not match the message kind \"%s\"",
			 lia_kind_str(kind) ? lia_kind_str(kind) : "?");
		goto out;
	}
	if (found & ~subjects) {
		*mismatch = 1;
		lia_errf(err, "body holds personal data of categories the header does not declare");
		goto out;
	}
	/* The broker routed and timed the request by the header's route:
	 * a body naming another state or urgency would mislead its reader. */
	if (m->content_case == LIAISON__V1__BODY__CONTENT_VERIFICATION_REQUEST &&
	    (!h->has_verification ||
	     strcmp(m->verification_request->issuing_state, h->verification.issuing_state) != 0 ||
	     (int)m->verification_request->urgency != (int)h->verification.urgency)) {
		*mismatch = 1;
		lia_errf(err, "the body's issuing state or urgency differs from the header's route");
		goto out;
	}
	rc = 0;
out:
	liaison__v1__body__free_unpacked(m, &b.alloc);
	return rc;
}

void lia_body_title(const uint8_t *body, size_t len, char *out, size_t cap)
{
	out[0] = '\0';
	struct lia_pb_budget b;
	Liaison__V1__Body *m = body_unpack(&b, body, len);
	if (m == NULL)
		return;
	size_t n = strlen(m->title);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, m->title, n);
	out[n] = '\0';
	liaison__v1__body__free_unpacked(m, &b.alloc);
}

const char *lia_body_content_field(enum lia_kind kind)
{
	if ((int)kind < 1 || (int)kind > LIA_KIND_MAX)
		return NULL;
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field(&liaison__v1__body__descriptor,
							(unsigned)kind_case[kind]);
	return f ? f->name : NULL;
}

/* Text to a JSON value of the field's type. */
static json_t *text_to_json(const ProtobufCFieldDescriptor *f, const char *value,
			    char err[static LIA_ERR_MAX])
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_ENUM:
	case PROTOBUF_C_TYPE_BYTES: {
		/* Checked here, with its reason: jansson refuses text that is
		 * not UTF-8 by returning NULL and saying nothing (issue 16). */
		if (lia_text_scan(value, strlen(value), LIA_TEXT_NEWLINE | LIA_TEXT_FORMAT, NULL) ==
		    LIA_TEXT_NOT_UTF8) {
			lia_errf(err, "%s: not valid UTF-8", f->name);
			return NULL;
		}
		json_t *v = json_string(value);
		if (v == NULL)
			lia_errf(err, "out of memory");
		return v;
	}
	case PROTOBUF_C_TYPE_BOOL:
		if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0)
			return json_true();
		if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0)
			return json_false();
		lia_errf(err, "%s: expected true or false", f->name);
		return NULL;
	case PROTOBUF_C_TYPE_DOUBLE:
	case PROTOBUF_C_TYPE_FLOAT: {
		char *end;
		double d = strtod(value, &end);
		if (*value == '\0' || *end != '\0') {
			lia_errf(err, "%s: expected a number", f->name);
			return NULL;
		}
		return json_real(d);
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		lia_errf(err, "%s: is a group of fields; set %s.FIELD instead", f->name, f->name);
		return NULL;
	default: {
		int64_t i;
		if (lia_parse_i64(value, &i) == 0)
			return json_integer((json_int_t)i);
		if (f->type == PROTOBUF_C_TYPE_INT64 && lia_time_parse(value, &i) == 0)
			return json_integer((json_int_t)i);
		lia_errf(err, "%s: expected an integer", f->name);
		return NULL;
	}
	}
}

int lia_body_set(json_t **root, const char *path, const char *value, char err[static LIA_ERR_MAX])
{
	if (*root == NULL && (*root = json_object()) == NULL)
		return lia_errf(err, "out of memory");
	char buf[256];
	size_t plen = strlen(path);
	if (plen == 0 || plen >= sizeof buf)
		return lia_errf(err, "field path \"%s\" is empty or too long", path);
	memcpy(buf, path, plen + 1);
	const ProtobufCMessageDescriptor *d = &liaison__v1__body__descriptor;
	json_t *obj = *root;
	char *seg = buf;
	for (int depth = 0; depth < JSON_DEPTH_MAX; depth++) {
		char *dot = strchr(seg, '.');
		if (dot != NULL)
			*dot = '\0';
		long index = -1;
		char *br = strchr(seg, '[');
		if (br != NULL) {
			char *end;
			index = strtol(br + 1, &end, 10);
			if (end == br + 1 || *end != ']' || end[1] != '\0' || index < 0 ||
			    index >= JSON_ARRAY_MAX)
				return lia_errf(err, "%s: bad index in \"%s\"", path, seg);
			*br = '\0';
		}
		const ProtobufCFieldDescriptor *f = field_by_name(d, seg);
		if (f == NULL)
			return lia_errf(err, "%s: no field \"%s\" here", path, seg);
		bool repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
		if ((index >= 0) != (repeated && f->type == PROTOBUF_C_TYPE_MESSAGE))
			return lia_errf(err, "%s: \"%s\" %s an index", path, seg,
					index >= 0 ? "takes no" : "needs");
		if (dot == NULL) {
			json_t *v = text_to_json(f, value, err);
			if (v == NULL)
				return -1;
			if (!repeated)
				return json_object_set_new(obj, seg, v) == 0 ? 0 : lia_errf(err, "out of memory");
			json_t *arr = json_object_get(obj, seg);
			if (arr == NULL) {
				arr = json_array();
				json_object_set_new(obj, seg, arr);
			}
			if (json_array_size(arr) >= JSON_ARRAY_MAX) {
				json_decref(v);
				return lia_errf(err, "%s: too many values", path);
			}
			return json_array_append_new(arr, v) == 0 ? 0 : lia_errf(err, "out of memory");
		}
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			return lia_errf(err, "%s: \"%s\" has no sub-fields", path, seg);
		json_t *next;
		if (index >= 0) {
			json_t *arr = json_object_get(obj, seg);
			if (arr == NULL) {
				arr = json_array();
				json_object_set_new(obj, seg, arr);
			}
			while (json_array_size(arr) <= (size_t)index)
				json_array_append_new(arr, json_object());
			next = json_array_get(arr, (size_t)index);
		} else {
			next = json_object_get(obj, seg);
			if (next == NULL) {
				next = json_object();
				json_object_set_new(obj, seg, next);
			}
		}
		if (!json_is_object(next))
			return lia_errf(err, "%s: \"%s\" is not a group of fields", path, seg);
		obj = next;
		d = f->descriptor;
		seg = dot + 1;
	}
	return lia_errf(err, "%s: nested too deeply", path);
}
