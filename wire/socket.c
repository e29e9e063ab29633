/*
 * socket.c — the ZeroMQ sockets both sides use (see wire.h): a CURVE
 * ROUTER for the broker, a CURVE DEALER for agents, and sending one
 * encoded frame.
 */
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <sodium.h>
#include <zmq.h>

#include "util.h"

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

/* ZMQ_ZAP_ENFORCE_DOMAIN is declared by zmq.h of libzmq 4.3 only for
 * builds with the DRAFT API, but the library honours it (Debian's
 * 4.3.4 does); lia_wire_server reads it back and refuses to serve if it
 * did not take. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

/* The backstop of issue 10, item 12: without it, a CURVE server whose
 * ZAP handler has gone away admits every client with a valid handshake
 * and no User-Id (libzmq's "Stonehouse" legacy mode); with it, no
 * connection is admitted unless the handler answered 200. */
static int enforce_zap(void *s, char err[static LIA_ERR_MAX])
{
	int one = 1, got = 0;
	size_t got_len = sizeof got;
	if (zmq_setsockopt(s, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one) != 0 ||
	    zmq_getsockopt(s, ZMQ_ZAP_ENFORCE_DOMAIN, &got, &got_len) != 0 || got != 1)
		return lia_errf(err, "this libzmq cannot enforce ZAP authentication (ZMQ_ZAP_ENFORCE_DOMAIN): %s",
				got == 0 && zmq_errno() != 0 ? zmq_strerror(zmq_errno()) : "not in effect");
	return 0;
}

void *lia_wire_server(void *zctx, const char *endpoint, const struct lia_secret *transport, int handshake_ms,
		      char err[static LIA_ERR_MAX])
{
	void *s = zmq_socket(zctx, ZMQ_ROUTER);
	if (s == NULL) {
		lia_errf(err, "cannot create socket: %s", zmq_strerror(zmq_errno()));
		return NULL;
	}
	int one = 1, rcvhwm = LIA_WIRE_SERVER_RCVHWM;
	if (common_options(s, err) != 0)
		goto fail;
	if (zmq_setsockopt(s, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, transport->sk, 32) != 0 ||
	    zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "liaison", 7) != 0 ||
	    zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof one) != 0 ||
	    zmq_setsockopt(s, ZMQ_HANDSHAKE_IVL, &handshake_ms, sizeof handshake_ms) != 0) {
		lia_errf(err, "cannot configure CURVE server: %s", zmq_strerror(zmq_errno()));
		goto fail;
	}
	if (enforce_zap(s, err) != 0)
		goto fail;
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
	/* The routing id is 32 random bytes of this connection, never a
	 * key: the broker routes replies and deliveries by it, and libzmq
	 * lets any authenticated peer claim any id, so an id another
	 * principal can compute (our transport key is in the directory)
	 * could be taken (issue 10, item 1). It travels only inside the
	 * CURVE handshake and the broker binds it to our key at Hello. The
	 * first byte is never 0: libzmq reserves those ids for its own. */
	uint8_t rid[LIA_ROUTING_ID_BYTES];
	randombytes_buf(rid, sizeof rid);
	rid[0] |= 0x80;
	if (zmq_setsockopt(s, ZMQ_ROUTING_ID, rid, sizeof rid) != 0 ||
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
