/*
 * frame_session.c — the frames of a session's life: Hello and Welcome
 * (opening), Error (any refusal of a request), Ok, Ping and Pong, and
 * DirectoryRequest, which like Ok and Ping carries nothing.
 */
#include "frame_int.h"

#include <string.h>

static int hello_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			char why[static LIA_ERR_MAX])
{
	const Liaison__V1__Hello *m = pb->hello;
	f->u.hello.protocol = m->protocol;
	if (lia_wire_str_in(f->u.hello.client, LIA_CLIENT_MAX, m->client, "client", why))
		return -1;
	f->u.hello.receive = m->receive;
	if (m->window > LIA_WINDOW_MAX)
		return lia_errf(why, "window: at most %d", LIA_WINDOW_MAX);
	f->u.hello.window = m->window ? m->window : LIA_WINDOW_DEFAULT;
	return 0;
}

static int hello_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__Hello *m = &e->m.hello;
	liaison__v1__hello__init(m);
	m->protocol = f->u.hello.protocol;
	m->client = (char *)f->u.hello.client;
	m->receive = f->u.hello.receive;
	m->window = f->u.hello.window;
	e->fr.hello = m;
	return 0;
}

static int welcome_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			  char why[static LIA_ERR_MAX])
{
	const Liaison__V1__Welcome *m = pb->welcome;
	f->u.welcome.protocol = m->protocol;
	if (lia_wire_name_in(f->u.welcome.broker, m->broker, lia_name_is_subject, "broker", why) ||
	    lia_wire_name_in(f->u.welcome.subject, m->subject, lia_name_is_subject, "subject", why))
		return -1;
	if (lia_pb_fixed(f->u.welcome.policy_hash, 32, &m->policy_hash) != 0)
		return lia_wire_fail(why, "policy_hash: 32 bytes expected");
	f->u.welcome.pending = m->pending;
	f->u.welcome.now = m->now;
	return lia_wire_checkpoint_in(&f->u.welcome.checkpoint, m->checkpoint, why);
}

static int welcome_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__Welcome *m = &e->m.welcome;
	liaison__v1__welcome__init(m);
	m->protocol = f->u.welcome.protocol;
	m->broker = (char *)f->u.welcome.broker;
	m->subject = (char *)f->u.welcome.subject;
	m->pending = f->u.welcome.pending;
	m->policy_hash = BIN(f->u.welcome.policy_hash, 32);
	m->now = f->u.welcome.now;
	if (f->u.welcome.checkpoint.len > LIA_WIRE_CHECKPOINT_MAX ||
	    (m->checkpoint = lia_wire_checkpoint_out(e, &f->u.welcome.checkpoint)) == NULL)
		return -1;
	e->fr.welcome = m;
	return 0;
}

static int error_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			char why[static LIA_ERR_MAX])
{
	if (!lia_pb_enum_in((int)pb->error->code, 1, LIA_ERROR_LIMIT))
		return lia_wire_fail(why, "error code: unknown");
	f->u.error.code = (enum lia_error_code)pb->error->code;
	return lia_wire_str_in(f->u.error.detail, LIA_DETAIL_MAX, pb->error->detail, "detail", why);
}

static int error_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	Liaison__V1__Error *m = &e->m.error;
	liaison__v1__error__init(m);
	m->code = (Liaison__V1__ErrorCode)f->u.error.code;
	m->detail = (char *)f->u.error.detail;
	e->fr.error = m;
	return 0;
}

/* Ok, Ping and DirectoryRequest carry nothing. */
static int empty_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
			char why[static LIA_ERR_MAX])
{
	(void)f;
	(void)pb;
	(void)why;
	return 0;
}

static int ok_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	(void)f;
	liaison__v1__ok__init(&e->m.ok);
	e->fr.ok = &e->m.ok;
	return 0;
}

static int ping_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	(void)f;
	liaison__v1__ping__init(&e->m.ping);
	e->fr.ping = &e->m.ping;
	return 0;
}

static int pong_decode(struct lia_frame *f, const Liaison__V1__Frame *pb,
		       char why[static LIA_ERR_MAX])
{
	(void)why;
	f->u.pong.now = pb->pong->now;
	return 0;
}

static int pong_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	liaison__v1__pong__init(&e->m.pong);
	e->m.pong.now = f->u.pong.now;
	e->fr.pong = &e->m.pong;
	return 0;
}

static int directory_request_encode(struct lia_wire_enc *e, const struct lia_frame *f)
{
	(void)f;
	liaison__v1__directory_request__init(&e->m.directory_request);
	e->fr.directory_request = &e->m.directory_request;
	return 0;
}

const struct lia_wire_codec lia_wire_codec_hello = {
	.type = LIA_FRAME_HELLO,
	.name = "hello",
	.decode = hello_decode,
	.encode = hello_encode,
};

const struct lia_wire_codec lia_wire_codec_welcome = {
	.type = LIA_FRAME_WELCOME,
	.name = "welcome",
	.decode = welcome_decode,
	.encode = welcome_encode,
};

const struct lia_wire_codec lia_wire_codec_error = {
	.type = LIA_FRAME_ERROR,
	.name = "error",
	.decode = error_decode,
	.encode = error_encode,
};

const struct lia_wire_codec lia_wire_codec_ok = {
	.type = LIA_FRAME_OK,
	.name = "ok",
	.decode = empty_decode,
	.encode = ok_encode,
};

const struct lia_wire_codec lia_wire_codec_ping = {
	.type = LIA_FRAME_PING,
	.name = "ping",
	.decode = empty_decode,
	.encode = ping_encode,
};

const struct lia_wire_codec lia_wire_codec_pong = {
	.type = LIA_FRAME_PONG,
	.name = "pong",
	.decode = pong_decode,
	.encode = pong_encode,
};

const struct lia_wire_codec lia_wire_codec_directory_request = {
	.type = LIA_FRAME_DIRECTORY_REQUEST,
	.name = "directory-request",
	.decode = empty_decode,
	.encode = directory_request_encode,
};
