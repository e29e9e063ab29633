/*
 * export.c — JSON-lines and CSV exports of the ledger, and reading a
 * JSON-lines export back into an in-memory ledger (see export.h).
 *
 * One function, record_to_json(), decides what a record looks like in
 * JSON; query --json, the export writer and the import check all use it,
 * so "the decoded fields equal the record bytes" is a json_equal() of two
 * renderings.
 */
#include "export.h"
#include "json.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sig.h"
#include "text_int.h"
#include "util.h"

/* --- rendering --- */

/* json_object_set_new that tolerates a NULL value by failing the object. */
static int set(json_t *o, const char *k, json_t *v)
{
	if (v == NULL)
		return -1;
	return json_object_set_new(o, k, v);
}

static json_t *party_json(const struct lia_record_party *p)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	int rc = 0;
	if (p->subject[0])
		rc |= set(o, "subject", json_string(p->subject));
	if (p->agency[0])
		rc |= set(o, "agency", json_string(p->agency));
	if (p->has_key_id)
		rc |= set(o, "key_id", lia_json_hex(p->key_id, LIA_KEYID_BYTES));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *restrictions_json(const struct lia_restrictions *x)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	int rc = set(o, "tlp", json_string(lia_tlp_str(x->tlp)));
	json_t *h = json_array();
	for (unsigned code = 1; h && code <= 3; code++) {
		char name[3] = {'H', (char)('0' + code), '\0'};
		if (x->handling & (1u << code))
			json_array_append_new(h, json_string(name));
	}
	rc |= set(o, "handling", h);
	if (x->handling & LIA_HANDLING_H3) {
		json_t *h3 = json_object();
		json_t *roles = json_array();
		for (unsigned r = 1; roles && r <= 4; r++) {
			if (x->h3.allowed_roles & LIA_ROLE_BIT(r))
				json_array_append_new(roles, json_string(lia_role_str((enum lia_role)r)));
		}
		if (h3) {
			rc |= set(h3, "text", json_string(x->h3.text));
			rc |= set(h3, "deny_agencies", lia_json_names(&x->h3.deny_agencies));
			rc |= set(h3, "deny_countries", lia_json_names(&x->h3.deny_countries));
			rc |= set(h3, "allowed_roles", roles);
			roles = NULL;
			rc |= set(h3, "max_retention_days", json_integer(x->h3.max_retention_days));
		}
		json_decref(roles);
		rc |= set(o, "h3", h3);
	}
	rc |= set(o, "release_agencies", lia_json_names(&x->release_agencies));
	rc |= set(o, "release_principals", lia_json_names(&x->release_principals));
	rc |= set(o, "release_regions", lia_json_names(&x->release_regions));
	if (x->embargo_until)
		rc |= set(o, "embargo_until", lia_json_time(x->embargo_until));
	if (x->expires_at)
		rc |= set(o, "expires_at", lia_json_time(x->expires_at));
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *record_to_json(const struct lia_record *r, const uint8_t *bytes, size_t len)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	int rc = 0;
	rc |= set(o, "seq", json_integer((json_int_t)r->seq));
	rc |= set(o, "time", lia_json_time(r->time));
	rc |= set(o, "operation", json_string(lia_record_op_str(r->op)));
	if (r->actor.subject[0] || r->actor.agency[0] || r->actor.has_key_id)
		rc |= set(o, "actor", party_json(&r->actor));
	if (r->recipient.subject[0] || r->recipient.agency[0] || r->recipient.has_key_id)
		rc |= set(o, "recipient", party_json(&r->recipient));
	if (r->has_message_id)
		rc |= set(o, "message_id", lia_json_hex(r->message_id, LIA_ID_BYTES));
	if (r->originator[0])
		rc |= set(o, "originator", json_string(r->originator));
	if (r->kind)
		rc |= set(o, "kind", json_string(lia_kind_str((enum lia_kind)r->kind)));
	if (r->has_restrictions)
		rc |= set(o, "restrictions", restrictions_json(&r->restrictions));
	if (r->decision != LIA_RECORD_NO_DECISION)
		rc |= set(o, "decision", json_string(lia_record_decision_str(r->decision)));
	if (r->rule[0])
		rc |= set(o, "rule", json_string(r->rule));
	if (r->justification[0])
		rc |= set(o, "justification", json_string(r->justification));
	if (r->has_policy_hash)
		rc |= set(o, "policy_hash", lia_json_hex(r->policy_hash, LIA_POLICY_HASH_BYTES));
	if (r->cert_serial)
		rc |= set(o, "certificate_serial", lia_json_serial(r->cert_serial));
	if (bytes != NULL) {
		char *b64 = lia_b64_encode(bytes, len);
		lia_merkle_hash leaf;
		lia_merkle_leaf_hash(leaf, bytes, len);
		rc |= set(o, "record", b64 ? json_string(b64) : NULL);
		rc |= set(o, "leaf", lia_json_hex(leaf, sizeof leaf));
		free(b64);
	}
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int lia_export_record_json(FILE *out, const struct lia_record *r, const uint8_t *bytes, size_t len,
			   char err[static LIA_ERR_MAX])
{
	return lia_json_write_line(out, record_to_json(r, bytes, len), LIA_JSON_LINE, err);
}

/* --- CSV --- */

static const char *const csv_columns[] = {
	"seq", "time", "operation", "actor_subject", "actor_agency", "actor_key_id",
	"recipient_subject", "recipient_agency", "recipient_key_id", "message_id", "originator",
	"kind", "tlp", "handling", "restrictions", "decision", "rule", "justification",
	"policy_hash", "certificate_serial", "record", "leaf",
};

/* One RFC 4180 field. Text from records is made inert for spreadsheets. */
static void csv_field(FILE *out, const char *s, bool first, bool text)
{
	if (!first)
		fputc(',', out);
	bool quote = strpbrk(s, ",\"\n\r") != NULL;
	bool formula = text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
	if (quote || formula)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	if (quote || formula)
		fputc('"', out);
}

static int csv_row(FILE *out, const struct lia_record *r, const uint8_t *bytes, size_t len,
		   char err[static LIA_ERR_MAX])
{
	char num[32], t[32], akid[LIA_KEYID_HEX], rkid[LIA_KEYID_HEX], mid[2 * LIA_ID_BYTES + 1];
	char ph[2 * LIA_POLICY_HASH_BYTES + 1], hand[16], serial[32], leafhex[65];
	snprintf(num, sizeof num, "%" PRIu64, r->seq);
	lia_time_format(r->time, t);
	akid[0] = rkid[0] = mid[0] = ph[0] = hand[0] = serial[0] = '\0';
	if (r->actor.has_key_id)
		lia_keyid_hex(akid, r->actor.key_id);
	if (r->recipient.has_key_id)
		lia_keyid_hex(rkid, r->recipient.key_id);
	if (r->has_message_id)
		lia_hex(mid, r->message_id, LIA_ID_BYTES);
	if (r->has_policy_hash)
		lia_hex(ph, r->policy_hash, LIA_POLICY_HASH_BYTES);
	if (r->cert_serial)
		snprintf(serial, sizeof serial, "%" PRIu64, r->cert_serial);
	char *restr = NULL;
	const char *tlp = "";
	if (r->has_restrictions) {
		lia_record_handling_str(r->restrictions.handling, hand);
		tlp = lia_tlp_str(r->restrictions.tlp);
		json_t *j = restrictions_json(&r->restrictions);
		restr = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		json_decref(j);
		if (restr == NULL)
			return lia_errf(err, "cannot render restrictions: out of memory");
	}
	char *b64 = lia_b64_encode(bytes, len);
	if (b64 == NULL) {
		free(restr);
		return lia_errf(err, "cannot render record: out of memory");
	}
	lia_merkle_hash leaf;
	lia_merkle_leaf_hash(leaf, bytes, len);
	lia_hex(leafhex, leaf, sizeof leaf);
	const char *kind = r->kind ? lia_kind_str((enum lia_kind)r->kind) : "";
	csv_field(out, num, true, false);
	csv_field(out, t, false, false);
	csv_field(out, lia_record_op_str(r->op), false, false);
	csv_field(out, r->actor.subject, false, true);
	csv_field(out, r->actor.agency, false, true);
	csv_field(out, akid, false, false);
	csv_field(out, r->recipient.subject, false, true);
	csv_field(out, r->recipient.agency, false, true);
	csv_field(out, rkid, false, false);
	csv_field(out, mid, false, false);
	csv_field(out, r->originator, false, true);
	csv_field(out, kind, false, false);
	csv_field(out, tlp, false, false);
	csv_field(out, hand, false, false);
	csv_field(out, restr ? restr : "", false, false);
	csv_field(out, lia_record_decision_str(r->decision), false, false);
	csv_field(out, r->rule, false, true);
	csv_field(out, r->justification, false, true);
	csv_field(out, ph, false, false);
	csv_field(out, serial, false, false);
	csv_field(out, b64, false, false);
	csv_field(out, leafhex, false, false);
	free(b64);
	free(restr);
	if (fputs("\r\n", out) == EOF)
		return lia_errf(err, "cannot write CSV output");
	return 0;
}

/* --- writing an export --- */

int lia_export_write(struct lia_ledger *l, enum lia_export_format fmt, FILE *out, FILE *cp_out,
		     uint64_t *count, lia_ledger_progress_fn progress, void *progress_ctx,
		     char err[static LIA_ERR_MAX])
{
	*count = 0;
	if (fmt == LIA_EXPORT_CSV && cp_out == NULL)
		return lia_errf(err, "a CSV export needs somewhere to write its checkpoint");
	uint64_t size = 0;
	char *note = NULL;
	size_t note_len = 0;
	int rc = lia_ledger_checkpoint_latest(l, &size, &note, &note_len, err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return lia_errf(err, "ledger has no checkpoint yet: nothing verifiable to export");
	int ret = -1;
	struct lia_ledger_iter *it = NULL;
	struct lia_record *r = malloc(sizeof *r);
	if (r == NULL) {
		lia_errf(err, "export: out of memory");
		goto done;
	}
	if (fmt == LIA_EXPORT_JSONL) {
		json_t *h = json_object();
		if (h == NULL || set(h, "format", json_string(LIA_EXPORT_FORMAT)) != 0 ||
		    set(h, "origin", json_string(lia_ledger_origin(l))) != 0 ||
		    set(h, "size", json_integer((json_int_t)size)) != 0) {
			json_decref(h);
			lia_errf(err, "export: out of memory");
			goto done;
		}
		if (lia_json_write_line(out, h, LIA_JSON_LINE, err) != 0)
			goto done;
	} else {
		for (size_t i = 0; i < sizeof csv_columns / sizeof csv_columns[0]; i++)
			csv_field(out, csv_columns[i], i == 0, false);
		fputs("\r\n", out);
	}
	if (lia_ledger_iter_new(l, &it, err) != 0)
		goto done;
	uint64_t e = 0;
	int step;
	int64_t seq = 0;
	const uint8_t *b = NULL;
	size_t n = 0;
	char why[LIA_ERR_MAX];
	/* Every row below the checkpoint's size, in order: the rows after it
	 * are not part of the export. */
	while ((step = lia_ledger_iter_next(it, &seq, &b, &n, why)) == 1 &&
	       seq < (int64_t)(size & INT64_MAX)) {
		if (seq < 0 || (uint64_t)seq != e) {
			lia_errf(err, "export: record %" PRIu64 " is missing (run verify)", e);
			goto done;
		}
		if (b == NULL || n == 0 || lia_record_decode(r, b, n, why) != 0) {
			lia_errf(err, "export: record %" PRIu64 " cannot be read (run verify): %s", e,
				 b == NULL ? "empty" : why);
			goto done;
		}
		if (fmt == LIA_EXPORT_JSONL
			    ? lia_json_write_line(out, record_to_json(r, b, n), LIA_JSON_LINE, err) != 0
			    : csv_row(out, r, b, n, err) != 0)
			goto done;
		e++;
		if (progress && (e & 8191) == 0)
			progress(progress_ctx, e, size);
	}
	if (step < 0) {
		lia_errf(err, "export: %s", why);
		goto done;
	}
	if (e != size) {
		lia_errf(err, "export: the latest checkpoint covers %" PRIu64 " records but the "
			      "ledger has %" PRIu64 " (run verify)", size, e);
		goto done;
	}
	if (fmt == LIA_EXPORT_JSONL) {
		json_t *c = json_object();
		if (c == NULL || set(c, "checkpoint", json_stringn(note, note_len)) != 0) {
			json_decref(c);
			lia_errf(err, "export: out of memory");
			goto done;
		}
		if (lia_json_write_line(out, c, LIA_JSON_LINE, err) != 0)
			goto done;
	}
	if (cp_out != NULL && fwrite(note, 1, note_len, cp_out) != note_len) {
		lia_errf(err, "export: cannot write the checkpoint");
		goto done;
	}
	if (progress)
		progress(progress_ctx, e, size);
	if (fflush(out) != 0 || (cp_out && fflush(cp_out) != 0)) {
		lia_errf(err, "export: cannot write output");
		goto done;
	}
	*count = e;
	ret = 0;
done:
	lia_ledger_iter_destroy(&it);
	free(r);
	free(note);
	return ret;
}

/* --- reading an export --- */

enum line_kind { LINE_HEADER, LINE_RECORD, LINE_CHECKPOINT };

/* A parsed export line. Owned pointers are freed by line_clear. */
struct line {
	enum line_kind kind;
	char origin[LIA_NOTE_NAME_MAX];
	uint64_t size;           /* header */
	uint64_t seq;            /* record */
	uint8_t *record;         /* record bytes (malloc'd) */
	size_t record_len;
	char *note;              /* checkpoint (malloc'd) */
	size_t note_len;
};

static void line_clear(struct line *ln)
{
	free(ln->record);
	free(ln->note);
	memset(ln, 0, sizeof *ln);
}

static int parse_line(struct line *ln, const char *text, size_t len, struct lia_record *scratch,
		      char err[static LIA_ERR_MAX])
{
	memset(ln, 0, sizeof *ln);
	if (len > LIA_EXPORT_LINE_MAX)
		return lia_errf(err, "line longer than %u bytes", LIA_EXPORT_LINE_MAX);
	json_error_t jerr;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &jerr);
	if (o == NULL)
		return lia_errf(err, "not JSON: %s", jerr.text);
	int ret = -1;
	if (!json_is_object(o)) {
		lia_errf(err, "not a JSON object");
		goto done;
	}
	json_t *fmt = json_object_get(o, "format");
	json_t *cp = json_object_get(o, "checkpoint");
	if (fmt != NULL) {
		json_t *origin = json_object_get(o, "origin");
		json_t *size = json_object_get(o, "size");
		if (json_object_size(o) != 3 || !json_is_string(fmt) ||
		    strcmp(json_string_value(fmt), LIA_EXPORT_FORMAT) != 0 || !json_is_string(origin) ||
		    !json_is_integer(size) || json_integer_value(size) < 0) {
			lia_errf(err, "not a \"%s\" header", LIA_EXPORT_FORMAT);
			goto done;
		}
		const char *og = json_string_value(origin);
		if (!lia_note_name_valid(og)) {
			lia_errf(err, "header origin is not valid");
			goto done;
		}
		ln->kind = LINE_HEADER;
		memcpy(ln->origin, og, strlen(og) + 1);
		ln->size = (uint64_t)json_integer_value(size);
		ret = 0;
	} else if (cp != NULL) {
		if (json_object_size(o) != 1 || !json_is_string(cp) ||
		    json_string_length(cp) > LIA_NOTE_MAX_BYTES || json_string_length(cp) == 0) {
			lia_errf(err, "checkpoint line is not {\"checkpoint\": NOTE}");
			goto done;
		}
		ln->kind = LINE_CHECKPOINT;
		ln->note_len = json_string_length(cp);
		ln->note = malloc(ln->note_len + 1);
		if (ln->note == NULL) {
			lia_errf(err, "out of memory");
			goto done;
		}
		memcpy(ln->note, json_string_value(cp), ln->note_len + 1);
		ret = 0;
	} else {
		json_t *seq = json_object_get(o, "seq");
		json_t *rec = json_object_get(o, "record");
		if (!json_is_integer(seq) || json_integer_value(seq) < 0 || !json_is_string(rec)) {
			lia_errf(err, "record line has no \"seq\" and \"record\"");
			goto done;
		}
		size_t b64_len = json_string_length(rec);
		size_t cap = b64_len / 4 * 3;
		if (cap > LIA_RECORD_MAX_BYTES + 2) {
			lia_errf(err, "record is larger than any ledger record");
			goto done;
		}
		ln->kind = LINE_RECORD;
		ln->seq = (uint64_t)json_integer_value(seq);
		ln->record = malloc(cap ? cap : 1);
		if (ln->record == NULL) {
			lia_errf(err, "out of memory");
			goto done;
		}
		if (lia_b64_decode(ln->record, cap, &ln->record_len, json_string_value(rec), b64_len) !=
		    0) {
			lia_errf(err, "\"record\" is not canonical base64");
			goto done;
		}
		char why[LIA_ERR_MAX];
		if (lia_record_decode(scratch, ln->record, ln->record_len, why) != 0) {
			lia_errf(err, "record bytes: %s", why);
			goto done;
		}
		if (scratch->seq != ln->seq) {
			lia_errf(err, "\"seq\" %" PRIu64 " but the record says %" PRIu64, ln->seq,
				 scratch->seq);
			goto done;
		}
		json_t *again = record_to_json(scratch, ln->record, ln->record_len);
		if (again == NULL) {
			lia_errf(err, "out of memory");
			goto done;
		}
		bool same = json_equal(o, again);
		json_decref(again);
		if (!same) {
			lia_errf(err, "the readable fields do not match the record bytes");
			goto done;
		}
		ret = 0;
	}
done:
	json_decref(o);
	if (ret != 0)
		line_clear(ln);
	return ret;
}

int lia_export_parse_line(const char *line, size_t len, char err[static LIA_ERR_MAX])
{
	struct lia_record *scratch = malloc(sizeof *scratch);
	if (scratch == NULL)
		return lia_errf(err, "out of memory");
	struct line ln;
	int rc = parse_line(&ln, line, len, scratch, err);
	line_clear(&ln);
	free(scratch);
	return rc;
}

/* Read one line of at most LIA_EXPORT_LINE_MAX bytes into buf (which has
 * room for that plus a newline and a NUL). 1 at end of file. */
static int read_line(FILE *in, char *buf, size_t *len, char err[static LIA_ERR_MAX])
{
	if (fgets(buf, (int)LIA_EXPORT_LINE_MAX + 2, in) == NULL)
		return ferror(in) ? lia_errf(err, "cannot read the export") : 1;
	size_t n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	else if (!feof(in))
		return lia_errf(err, "a line is longer than %u bytes", LIA_EXPORT_LINE_MAX);
	*len = n;
	return 0;
}

struct lia_ledger *lia_export_load(FILE *in, lia_ledger_progress_fn progress, void *progress_ctx,
				   char err[static LIA_ERR_MAX])
{
	char *buf = malloc(LIA_EXPORT_LINE_MAX + 2);
	struct lia_record *scratch = malloc(sizeof *scratch);
	struct lia_ledger *l = NULL;
	struct line ln;
	memset(&ln, 0, sizeof ln);
	bool in_tx = false;
	uint64_t lineno = 1, expected = 0, want = 0;
	char why[LIA_ERR_MAX];
	if (buf == NULL || scratch == NULL) {
		lia_errf(err, "export: out of memory");
		goto fail;
	}
	size_t len = 0;
	int rc = read_line(in, buf, &len, why);
	if (rc != 0) {
		lia_errf(err, "export line 1: %s", rc == 1 ? "the export is empty" : why);
		goto fail;
	}
	if (parse_line(&ln, buf, len, scratch, why) != 0 || ln.kind != LINE_HEADER) {
		lia_errf(err, "export line 1: %s", ln.kind != LINE_HEADER && why[0] == '\0'
							  ? "not a header"
							  : why);
		goto fail;
	}
	want = ln.size;
	l = lia_ledger_open_file(":memory:", ln.origin, LIA_LEDGER_CREATE, err);
	line_clear(&ln);
	if (l == NULL)
		goto fail;
	if (lia_ledger_begin(l, err) != 0)
		goto fail;
	in_tx = true;
	if (lia_ledger_batch_begin(l, err) != 0)
		goto fail;
	bool have_cp = false;
	for (;;) {
		lineno++;
		why[0] = '\0';
		rc = read_line(in, buf, &len, why);
		if (rc == 1)
			break;
		if (rc != 0 || parse_line(&ln, buf, len, scratch, why) != 0) {
			lia_errf(err, "export line %" PRIu64 ": %s", lineno, why);
			goto fail;
		}
		if (have_cp) {
			lia_errf(err, "export line %" PRIu64 ": text after the checkpoint", lineno);
			goto fail;
		}
		if (ln.kind == LINE_HEADER) {
			lia_errf(err, "export line %" PRIu64 ": a second header", lineno);
			goto fail;
		}
		if (ln.kind == LINE_CHECKPOINT) {
			lia_ledger_batch_end(l);
			if (lia_ledger_checkpoint_store(l, ln.note, ln.note_len, 0, why) != 0) {
				lia_errf(err, "export line %" PRIu64 ": %s", lineno, why);
				goto fail;
			}
			have_cp = true;
		} else {
			if (ln.seq != expected) {
				lia_errf(err, "export line %" PRIu64 ": record %" PRIu64
					      " where record %" PRIu64 " was expected",
					 lineno, ln.seq, expected);
				goto fail;
			}
			if (lia_ledger_append_encoded(l, ln.record, ln.record_len, why) != 0) {
				lia_errf(err, "export line %" PRIu64 ": %s", lineno, why);
				goto fail;
			}
			expected++;
			if (progress && (expected & 8191) == 0)
				progress(progress_ctx, expected, want);
		}
		line_clear(&ln);
	}
	if (!have_cp) {
		lia_errf(err, "export has no checkpoint line: it was cut short");
		goto fail;
	}
	if (expected != want) {
		lia_errf(err, "export header announces %" PRIu64 " records but holds %" PRIu64, want,
			 expected);
		goto fail;
	}
	if (lia_ledger_commit(l, err) != 0)
		goto fail;
	if (progress)
		progress(progress_ctx, expected, want);
	free(buf);
	free(scratch);
	return l;
fail:
	line_clear(&ln);
	if (l != NULL && in_tx) {
		lia_ledger_batch_end(l);
		lia_ledger_rollback(l);
	}
	lia_ledger_destroy(&l);
	free(buf);
	free(scratch);
	return NULL;
}
