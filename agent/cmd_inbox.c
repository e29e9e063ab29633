/*
 * cmd_inbox.c — receiving: listen (deliveries as they come), inbox (what
 * is waiting) and read (one message).
 *
 * Every command takes --profile NAME (or $LIAISON_PROFILE) for the
 * broker endpoint, the broker certificate and the user's key folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "body.h"
#include "client.h"
#include "commands.h"
#include "compose.h"
#include "envelope.h"
#include "util.h"
#include "cmd_int.h"

/* --- receiving: listen, inbox, read --- */

static void print_delivery(const struct lia_opened *o, uint64_t seq, const char *via, int as_json)
{
	json_t *body = lia_body_to_json(o->body, o->body_len);
	char revoked[32] = "";
	if (o->originator_revoked_at != 0)
		lia_time_format(o->originator_revoked_at, revoked);
	if (as_json) {
		json_t *h = lia_header_to_json(&o->header);
		if (revoked[0])
			json_object_set_new(h, "originator_revoked_at", json_string(revoked));
		lia_json_print(json_pack("{s:s, s:I, s:s, s:o, s:o}", "event", "message", "sequence",
				     (json_int_t)seq, "via", via, "header", h, "body", body ? body : json_null()));
		return;
	}
	char idh[2 * LIA_ID_BYTES + 1], title[128];
	lia_id_hex(idh, o->header.id);
	lia_body_title(o->body, o->body_len, title, sizeof title);
	/* The title is the originator's text: no terminal control codes. */
	for (char *t = title; *t != '\0'; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			*t = '?';
	printf("%s  TLP:%-12s %-12s from %-24s via %-12s %s%s%s%s\n", idh,
	       lia_tlp_str(o->header.restrictions.tlp), lia_kind_str(o->header.kind), o->header.originator,
	       via, title[0] ? title : "(no title)", revoked[0] ? "  [signed by a key revoked at " : "",
	       revoked, revoked[0] ? "]" : "");
	fflush(stdout);
	json_decref(body);
}

/* Message ids already shown, so that a redelivery (after a reconnect,
 * or a crash between showing and acknowledging) is shown once. The last
 * SEEN_MAX ids persist in KEYS/seen (16 bytes each, 0600), rewritten
 * compactly when the file has grown to four times that. */
#define SEEN_MAX 4096

struct seen {
	uint8_t ids[SEEN_MAX][LIA_ID_BYTES];
	size_t n, next; /* ring */
	char path[PATH_MAX];
	FILE *log;
};

static bool seen_has(const struct seen *s, const uint8_t id[static LIA_ID_BYTES])
{
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->ids[i], id, LIA_ID_BYTES) == 0)
			return true;
	return false;
}

static void seen_put(struct seen *s, const uint8_t id[static LIA_ID_BYTES])
{
	memcpy(s->ids[s->next], id, LIA_ID_BYTES);
	s->next = (s->next + 1) % SEEN_MAX;
	if (s->n < SEEN_MAX)
		s->n++;
}

static void seen_open(struct seen *s, const char *keys_dir)
{
	char err[LIA_ERR_MAX];
	uint8_t *buf = NULL;
	size_t len = 0;
	int w = snprintf(s->path, sizeof s->path, "%s/seen", keys_dir);
	if (w < 0 || (size_t)w >= sizeof s->path)
		return;
	if (lia_file_read_private(s->path, 4 * SEEN_MAX * LIA_ID_BYTES, &buf, &len, err) == 0) {
		size_t count = len / LIA_ID_BYTES, first = count > SEEN_MAX ? count - SEEN_MAX : 0;
		for (size_t i = first; i < count; i++)
			seen_put(s, buf + i * LIA_ID_BYTES);
		free(buf);
	} else if (access(s->path, F_OK) == 0) {
		/* Too large or unreadable: start afresh from what we keep. */
		unlink(s->path);
	}
	if (s->n > 0 && len / LIA_ID_BYTES >= 2 * SEEN_MAX) {
		/* Compact: only the ring survives. */
		uint8_t *out = malloc(s->n * LIA_ID_BYTES);
		if (out != NULL) {
			for (size_t i = 0; i < s->n; i++)
				memcpy(out + i * LIA_ID_BYTES, s->ids[(s->next + SEEN_MAX - s->n + i) % SEEN_MAX], LIA_ID_BYTES);
			if (lia_file_replace(s->path, out, s->n * LIA_ID_BYTES, 0600, err) != 0)
				fprintf(stderr, PROG " listen: %s\n", err);
			free(out);
		}
	}
	int fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	s->log = fd >= 0 ? fdopen(fd, "ab") : NULL;
}

/* True when id is new: remember it (and persist it). */
static bool seen_add(struct seen *s, const uint8_t id[static LIA_ID_BYTES])
{
	if (seen_has(s, id))
		return false;
	seen_put(s, id);
	if (s->log != NULL) {
		fwrite(id, 1, LIA_ID_BYTES, s->log);
		fflush(s->log);
	}
	return true;
}

static void seen_close(struct seen *s)
{
	if (s->log != NULL)
		fclose(s->log);
	s->log = NULL;
}

int lia_cmd_listen(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"count", required_argument, NULL, O_COUNT},
		{"timeout", required_argument, NULL, O_WAIT},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	int as_json = 0, c;
	uint64_t count = 0, timeout_s = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_COUNT:
			if (lia_parse_u64(optarg, &count) != 0 || count == 0)
				return lia_usage_error("listen", "--count: a positive number");
			break;
		case O_WAIT:
			if (lia_parse_u64(optarg, &timeout_s) != 0 || timeout_s == 0 || timeout_s > 86400 * 365)
				return lia_usage_error("listen", "--timeout: seconds, positive");
			break;
		case O_HELP:
			puts("usage: " PROG " listen --profile NAME [--count N] [--timeout SECONDS] [--json]\n"
			     "\n"
			     "Receives your deliveries (addressed messages and feed matches) as they come,\n"
			     "first everything waiting for you, in the order the broker committed it. Each\n"
			     "is verified and decrypted, printed one line each (--json: one object each),\n"
			     "then acknowledged. A message delivered twice (after a reconnect) is shown once.\n"
			     "Also shown: erase notices (a message expired: purge it; confirmed to the\n"
			     "broker), consent requests about your messages, and answers to yours.\n"
			     "Stops after N messages or SECONDS of silence (exit 0), or on Ctrl-C.\n"
			     "\n"
			     "example:\n"
			     "  " PROG " listen --profile analysis --count 10 --timeout 30");
			return LIA_EXIT_OK;
		default: return lia_usage_error("listen", "invalid option");
		}
	}
	if (optind != argc)
		return lia_usage_error("listen", "unexpected argument");
	struct lia_client cl;
	int rc = lia_cmd_connect(&cl, "listen", profile, LIA_ID_BOX, true, 64, DEFAULT_TIMEOUT_MS);
	if (rc != LIA_EXIT_OK)
		return rc;
	char err[LIA_ERR_MAX];
	if (lia_client_directory(&cl, err) != 0) {
		lia_client_close(&cl);
		return lia_cmd_fail("listen", LIA_EXIT_FAIL, err);
	}
	struct lia_opener *op = lia_opener_new(&cl.id.cert, cl.id.box);
	struct seen *seen = calloc(1, sizeof *seen);
	if (seen == NULL) {
		lia_client_close(&cl);
		return lia_cmd_fail("listen", LIA_EXIT_FAIL, "out of memory");
	}
	seen_open(seen, cl.keys_dir);
	uint64_t got = 0;
	time_t last = time(NULL), last_ping = last;
	rc = LIA_EXIT_OK;
	if (!as_json)
		fprintf(stderr, "listening as %s (%" PRIu64 " waiting)\n", cl.id.cert.subject,
			cl.welcome.u.welcome.pending);
	while (op != NULL && (count == 0 || got < count)) {
		struct lia_frame f;
		int r = lia_client_recv(&cl, &f, 1000);
		time_t now = time(NULL);
		if (r < 0) {
			rc = lia_cmd_fail("listen", LIA_EXIT_FAIL, "connection error");
			break;
		}
		if (r == 0) {
			if (timeout_s != 0 && (uint64_t)(now - last) >= timeout_s)
				break;
			if (now - last_ping >= 10) { /* keep the session alive */
				struct lia_frame p;
				lia_frame_init(&p, LIA_FRAME_PING, 0);
				(void)lia_client_send(&cl, &p);
				last_ping = now;
			}
			continue;
		}
		last = now;
		if (f.type == LIA_FRAME_DELIVER) {
			struct lia_opened o;
			enum lia_env_status st = lia_agent_open_delivered(&cl, op, f.u.deliver.envelope.p, f.u.deliver.envelope.len,
								 f.u.deliver.originator, &o);
			if (st == LIA_ENV_OK) {
				if (seen_add(seen, o.header.id)) {
					print_delivery(&o, f.u.deliver.sequence, f.u.deliver.via, as_json);
					got++;
				}
				lia_opened_clear(&o);
			} else if (as_json) {
				lia_json_print(json_pack("{s:s, s:I, s:s, s:s}", "event", "refused", "sequence",
						     (json_int_t)f.u.deliver.sequence, "from", f.u.deliver.originator,
						     "reason", lia_env_status_str(st)));
			} else {
				fprintf(stderr, "delivery %" PRIu64 " from %s failed verification: %s\n",
					f.u.deliver.sequence, f.u.deliver.originator, lia_env_status_str(st));
			}
			/* Acknowledged once handled (shown, or refused and reported),
			 * so that it is not redelivered forever. */
			struct lia_frame ack;
			lia_frame_init(&ack, LIA_FRAME_ACK, 0);
			ack.u.ack.v[0] = f.u.deliver.sequence;
			ack.u.ack.n = 1;
			(void)lia_client_send(&cl, &ack);
		} else if (f.type == LIA_FRAME_ERASE) {
			char idh[2 * LIA_ID_BYTES + 1];
			lia_id_hex(idh, f.u.erase.message_id);
			if (as_json)
				lia_json_print(json_pack("{s:s, s:s, s:I}", "event", "erase", "id", idh, "expired_at",
						     (json_int_t)f.u.erase.expired_at));
			else
				printf("%s  ERASE: the message expired; purge every copy of it\n", idh);
			/* This agent keeps no copy of its own beyond what it printed:
			 * confirm, so that the broker stops owing the notice. */
			struct lia_frame ack;
			lia_frame_init(&ack, LIA_FRAME_ACK, 0);
			ack.u.ack.v[0] = f.u.erase.sequence;
			ack.u.ack.n = 1;
			ack.u.ack.erased = true;
			(void)lia_client_send(&cl, &ack);
		} else if (f.type == LIA_FRAME_CONSENT_LIST && f.u.consent_list.n == 1) {
			/* A request about our message, or the answer to ours. */
			const struct lia_consent_request *cr = &f.u.consent_list.v[0];
			char idh[2 * LIA_ID_BYTES + 1];
			lia_id_hex(idh, cr->message_id);
			if (as_json)
				lia_json_print(json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "event", "consent",
							 "request", (json_int_t)cr->request, "state",
							 lia_consent_state_str(cr->state), "id", idh, "requested_by",
							 cr->requested_by, "grantee", cr->grantee, "purpose", cr->purpose,
							 "reason", cr->reason));
			else if (cr->state == LIA_CONSENT_PENDING)
				printf("%s  CONSENT REQUEST %" PRIu64 ": %s asks to pass it to %s: \"%s\"\n"
				       "    answer: " PROG " consent grant %" PRIu64 "  or  " PROG
				       " consent refuse %" PRIu64 " --reason TEXT\n",
				       idh, cr->request, cr->requested_by, cr->grantee, cr->purpose, cr->request,
				       cr->request);
			else
				printf("%s  CONSENT %s for %s (request %" PRIu64 ")%s%s%s\n", idh,
				       cr->state == LIA_CONSENT_GRANTED ? "GRANTED" : "REFUSED", cr->grantee,
				       cr->request, cr->reason[0] ? ": \"" : "", cr->reason, cr->reason[0] ? "\"" : "");
		} else if (f.type == LIA_FRAME_ERROR) {
			rc = lia_cmd_error_reply("listen", &f);
			lia_frame_clear(&f);
			break;
		}
		lia_frame_clear(&f);
	}
	seen_close(seen);
	free(seen);
	lia_opener_destroy(&op);
	lia_client_close(&cl);
	return rc;
}

int lia_cmd_inbox(int argc, char **argv)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, O_PROFILE},
		{"after", required_argument, NULL, O_AFTER},
		{"limit", required_argument, NULL, O_LIMIT},
		{"json", no_argument, NULL, O_JSON},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	const char *profile = NULL;
	int as_json = 0, c;
	uint64_t after = 0, limit = 100;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PROFILE: profile = optarg; break;
		case O_JSON: as_json = 1; break;
		case O_AFTER:
			if (lia_parse_u64(optarg, &after) != 0)
				return lia_usage_error("inbox", "--after: a delivery number");
			break;
		case O_LIMIT:
			if (lia_parse_u64(optarg, &limit) != 0 || limit == 0 || limit > LIA_LIST_REPLY_MAX)
				return lia_usage_error("inbox", "--limit: 1 to 1000");
			break;
		case O_HELP:
			puts("usage: " PROG " inbox --profile NAME [--after N] [--limit N] [--json]\n"
			     "\n"
			     "Lists what was delivered to you: delivery number, message id, originator, kind,\n"
			     "and whether you acknowledged it. Read one with '" PROG " read ID'.");
			return LIA_EXIT_OK;
		default: return lia_usage_error("inbox", "invalid option");
		}
	}
	struct lia_client cl;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_INBOX, 0);
	req.u.inbox.after = after;
	req.u.inbox.limit = (uint32_t)limit;
	int rc = lia_cmd_call("inbox", profile, 0, &cl, &req, &rep, LIA_FRAME_INBOX_LIST);
	if (rc == LIA_EXIT_OK)
		for (size_t i = 0; i < rep.u.inbox_list.n; i++) {
			const struct lia_inbox_entry *e = &rep.u.inbox_list.v[i];
			char idh[2 * LIA_ID_BYTES + 1], ts[32];
			lia_id_hex(idh, e->message_id);
			lia_time_format(e->created_at, ts);
			if (as_json)
				lia_json_print(json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:b, s:s}", "sequence",
						     (json_int_t)e->sequence, "id", idh, "originator", e->originator,
						     "kind", lia_kind_str(e->kind), "created_at", ts, "acknowledged",
						     e->acknowledged, "erased", e->erased, "via", e->via));
			else
				printf("%6" PRIu64 "  %s  %-12s from %-24s %s  via %s%s\n", e->sequence, idh,
				       lia_kind_str(e->kind), e->originator, ts, e->via,
				       e->erased ? "  [expired]" : e->acknowledged ? "" : "  [new]");
		}
	lia_agent_done(&cl, &rep);
	return rc;
}

int lia_cmd_read(int argc, char **argv)
{
	const char *profile;
	int as_json;
	int done = lia_cmd_simple_options("read", argc, argv,
		"usage: " PROG " read ID --profile NAME [--json]\n"
			     "\n"
			     "Fetches a message delivered to you, verifies and decrypts it, and prints its\n"
			     "restrictions and evaluation first, then the body. Exit 3 if it fails\n"
			     "verification (nothing of it is shown).",
		true, &profile, &as_json);
	if (done >= 0)
		return done;
	struct lia_frame req, rep;
	lia_frame_init(&req, LIA_FRAME_FETCH, 0);
	if (optind + 1 != argc || lia_id_parse(req.u.fetch.message_id, argv[optind]) != 0)
		return lia_usage_error("read", "give one message id (32 hex digits)");
	struct lia_client cl;
	char err[LIA_ERR_MAX];
	struct lia_opener *op = NULL;
	int rc = lia_cmd_call("read", profile, LIA_ID_BOX, &cl, &req, &rep, LIA_FRAME_DELIVER);
	if (rc == LIA_EXIT_OK)
		op = lia_opener_new(&cl.id.cert, cl.id.box);
	if (rc != LIA_EXIT_OK) {
		/* call_once said why */
	} else if (rep.type != LIA_FRAME_DELIVER || op == NULL)
		rc = lia_cmd_fail("read", LIA_EXIT_FAIL, "unexpected answer from the broker");
	else {
		struct lia_opened o;
		enum lia_env_status st = lia_agent_open_delivered(&cl, op, rep.u.deliver.envelope.p, rep.u.deliver.envelope.len,
							 rep.u.deliver.originator, &o);
		if (st != LIA_ENV_OK) {
			snprintf(err, sizeof err, "the message failed verification: %s", lia_env_status_str(st));
			rc = lia_cmd_fail("read", LIA_EXIT_VERIFY, err);
		} else {
			json_t *body = lia_body_to_json(o.body, o.body_len);
			if (as_json) {
				lia_json_print(json_pack("{s:o, s:o}", "header", lia_header_to_json(&o.header), "body",
						     body ? body : json_null()));
			} else {
				lia_header_print_banner(stdout, &o.header, lia_color(stdout));
				if (o.originator_revoked_at != 0) {
					char ts[32];
					lia_time_format(o.originator_revoked_at, ts);
					printf("  NOTE: signed by a key revoked at %s (after the message was created)\n", ts);
				}
				char *s = body ? json_dumps(body, JSON_INDENT(2)) : NULL;
				printf("%s\n", s ? s : "{}");
				free(s);
				json_decref(body);
			}
			lia_opened_clear(&o);
		}
	}
	lia_opener_destroy(&op);
	lia_agent_done(&cl, &rep);
	return rc;
}
