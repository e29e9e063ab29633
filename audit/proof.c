/*
 * proof.c — proof files: C2SP tlog-proof for inclusion, the same shape
 * for consistency (see proof.h).
 *
 * The parser walks lines with a cursor over a bounded buffer; each step
 * either consumes exactly the line it expects or fails naming it.
 */
#include "proof.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_int.h"
#include "util.h"

const char *lia_proof_status_str(enum lia_proof_status st)
{
	switch (st) {
	case LIA_PROOF_OK: return "ok";
	case LIA_PROOF_MALFORMED: return "malformed proof";
	case LIA_PROOF_BAD_CHECKPOINT: return "checkpoint not signed by the key";
	case LIA_PROOF_BAD_RECORD: return "record does not match the proof";
	case LIA_PROOF_INVALID: return "proof does not verify";
	case LIA_PROOF_NO_MEMORY: return "out of memory";
	}
	return "unknown proof status";
}

void lia_inclusion_proof_clear(struct lia_inclusion_proof *p)
{
	free(p->record);
	free(p->checkpoint);
	memset(p, 0, sizeof *p);
}

void lia_consistency_proof_clear(struct lia_consistency_proof *p)
{
	free(p->old_note);
	free(p->new_note);
	memset(p, 0, sizeof *p);
}

/* --- writing --- */

/* A growable output buffer with a hard cap. */
struct out {
	char *buf;
	size_t len, cap;
	int failed;
};

static void out_add(struct out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->len + n + 1 > LIA_PROOF_MAX_BYTES) {
		o->failed = 1;
		return;
	}
	if (o->len + n + 1 > o->cap) {
		size_t ncap = o->cap ? o->cap : 1024;
		while (ncap < o->len + n + 1)
			ncap *= 2;
		char *nb = realloc(o->buf, ncap);
		if (nb == NULL) {
			o->failed = 1;
			return;
		}
		o->buf = nb;
		o->cap = ncap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void out_str(struct out *o, const char *s) { out_add(o, s, strlen(s)); }

static void out_b64_line(struct out *o, const char *prefix, const uint8_t *b, size_t n)
{
	char *t = lia_b64_encode(b, n);
	if (t == NULL) {
		o->failed = 1;
		return;
	}
	out_str(o, prefix);
	out_str(o, t);
	out_str(o, "\n");
	free(t);
}

static void out_path(struct out *o, const struct lia_merkle_proof *path)
{
	for (size_t i = 0; i < path->n; i++)
		out_b64_line(o, "", path->h[i], LIA_MERKLE_HASH_BYTES);
}

static int out_finish(struct out *o, char **out, size_t *out_len, char err[static LIA_ERR_MAX])
{
	if (o->failed) {
		free(o->buf);
		return lia_errf(err, "cannot write proof: out of memory or over %u bytes",
				LIA_PROOF_MAX_BYTES);
	}
	*out = o->buf;
	*out_len = o->len;
	return 0;
}

int lia_inclusion_proof_format(char **out, size_t *out_len, const struct lia_inclusion_proof *p,
			       char err[static LIA_ERR_MAX])
{
	*out = NULL;
	*out_len = 0;
	struct out o = {0};
	char line[64];
	out_str(&o, LIA_INCLUSION_PROOF_HEADER "\n");
	out_b64_line(&o, "extra ", p->record, p->record_len);
	int w = snprintf(line, sizeof line, "index %" PRIu64 "\n", p->index);
	if (w < 0 || (size_t)w >= sizeof line)
		o.failed = 1;
	else
		out_add(&o, line, (size_t)w);
	out_path(&o, &p->path);
	out_str(&o, "\n");
	out_add(&o, p->checkpoint, p->checkpoint_len);
	return out_finish(&o, out, out_len, err);
}

int lia_consistency_proof_format(char **out, size_t *out_len,
				 const struct lia_consistency_proof *p,
				 char err[static LIA_ERR_MAX])
{
	*out = NULL;
	*out_len = 0;
	struct out o = {0};
	out_str(&o, LIA_CONSISTENCY_PROOF_HEADER "\n");
	out_path(&o, &p->path);
	out_str(&o, "\n");
	out_add(&o, p->old_note, p->old_len);
	out_str(&o, "\n");
	out_add(&o, p->new_note, p->new_len);
	return out_finish(&o, out, out_len, err);
}

/* --- parsing --- */

struct cursor {
	const char *p, *end;
	unsigned line;
};

/* The next line without its newline; -1 at the end or without newline. */
static int next_line(struct cursor *c, const char **line, size_t *len)
{
	if (c->p >= c->end)
		return -1;
	const char *eol = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (eol == NULL)
		return -1;
	*line = c->p;
	*len = (size_t)(eol - c->p);
	c->p = eol + 1;
	c->line++;
	return 0;
}

static enum lia_proof_status malformed(char err[static LIA_ERR_MAX], const char *what,
				       unsigned line)
{
	lia_errf(err, "malformed proof, line %u: %s", line, what);
	return LIA_PROOF_MALFORMED;
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*out = v;
	return 0;
}

/* Hash lines up to and including the empty line. */
static enum lia_proof_status parse_path(struct cursor *c, struct lia_merkle_proof *path,
					char err[static LIA_ERR_MAX])
{
	path->n = 0;
	for (;;) {
		const char *l;
		size_t n;
		if (next_line(c, &l, &n) != 0)
			return malformed(err, "missing the empty line before the checkpoint", c->line + 1);
		if (n == 0)
			return LIA_PROOF_OK;
		if (path->n >= LIA_MERKLE_PROOF_MAX)
			return malformed(err, "more proof hashes than any tree needs", c->line);
		size_t hl = 0;
		if (n != 44 || lia_b64_decode(path->h[path->n], LIA_MERKLE_HASH_BYTES, &hl, l, n) != 0 ||
		    hl != LIA_MERKLE_HASH_BYTES)
			return malformed(err, "proof hash is not canonical base64 of 32 bytes", c->line);
		path->n++;
	}
}

/* Both proof formats are bounded UTF-8 text without control characters. */
static int proof_text_check(const char *buf, size_t len, char err[static LIA_ERR_MAX])
{
	if (len > LIA_PROOF_MAX_BYTES)
		return lia_errf(err, "proof of %zu bytes is over the limit of %u", len, LIA_PROOF_MAX_BYTES);
	if (lia_text_check(buf, len, true) != 0)
		return lia_errf(err, "malformed proof: not UTF-8 text without control characters");
	return 0;
}

static char *dup_bytes(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

enum lia_proof_status lia_inclusion_proof_parse(struct lia_inclusion_proof *p, const char *buf,
						size_t len, char err[static LIA_ERR_MAX])
{
	memset(p, 0, sizeof *p);
	if (proof_text_check(buf, len, err) != 0)
		return LIA_PROOF_MALFORMED;
	struct cursor c = {buf, buf + len, 0};
	const char *l;
	size_t n;
	enum lia_proof_status st;
	if (next_line(&c, &l, &n) != 0 || n != strlen(LIA_INCLUSION_PROOF_HEADER) ||
	    memcmp(l, LIA_INCLUSION_PROOF_HEADER, n) != 0)
		return malformed(err, "first line is not \"" LIA_INCLUSION_PROOF_HEADER "\"", 1);
	if (next_line(&c, &l, &n) != 0 || n < 7 || memcmp(l, "extra ", 6) != 0)
		return malformed(err, "no \"extra\" line with the record", c.line);
	size_t cap = (n - 6) / 4 * 3;
	if (cap > LIA_RECORD_MAX_BYTES + 2)
		return malformed(err, "record is larger than any ledger record", c.line);
	p->record = malloc(cap ? cap : 1);
	if (p->record == NULL) {
		lia_errf(err, "cannot parse proof: out of memory");
		return LIA_PROOF_NO_MEMORY;
	}
	if (lia_b64_decode(p->record, cap, &p->record_len, l + 6, n - 6) != 0 ||
	    p->record_len == 0) {
		st = malformed(err, "record is not canonical base64", c.line);
		goto fail;
	}
	if (next_line(&c, &l, &n) != 0 || n < 7 || memcmp(l, "index ", 6) != 0 ||
	    parse_u64(l + 6, n - 6, &p->index) != 0) {
		st = malformed(err, "no \"index N\" line (decimal, no leading zeros)", c.line);
		goto fail;
	}
	if ((st = parse_path(&c, &p->path, err)) != LIA_PROOF_OK)
		goto fail;
	size_t rest = (size_t)(c.end - c.p);
	if (rest == 0 || lia_note_split(c.p, rest) != rest) {
		st = malformed(err, "the checkpoint is not one signed note, or text follows it",
			       c.line + 1);
		goto fail;
	}
	p->checkpoint = dup_bytes(c.p, rest);
	if (p->checkpoint == NULL) {
		lia_errf(err, "cannot parse proof: out of memory");
		st = LIA_PROOF_NO_MEMORY;
		goto fail;
	}
	p->checkpoint_len = rest;
	return LIA_PROOF_OK;
fail:
	lia_inclusion_proof_clear(p);
	return st;
}

enum lia_proof_status lia_consistency_proof_parse(struct lia_consistency_proof *p,
						  const char *buf, size_t len,
						  char err[static LIA_ERR_MAX])
{
	memset(p, 0, sizeof *p);
	if (proof_text_check(buf, len, err) != 0)
		return LIA_PROOF_MALFORMED;
	struct cursor c = {buf, buf + len, 0};
	const char *l;
	size_t n;
	enum lia_proof_status st;
	if (next_line(&c, &l, &n) != 0 || n != strlen(LIA_CONSISTENCY_PROOF_HEADER) ||
	    memcmp(l, LIA_CONSISTENCY_PROOF_HEADER, n) != 0)
		return malformed(err, "first line is not \"" LIA_CONSISTENCY_PROOF_HEADER "\"", 1);
	if ((st = parse_path(&c, &p->path, err)) != LIA_PROOF_OK)
		goto fail;
	size_t rest = (size_t)(c.end - c.p);
	size_t first = lia_note_split(c.p, rest);
	if (first == 0 || first + 1 >= rest || c.p[first] != '\n') {
		st = malformed(err, "no older checkpoint followed by an empty line", c.line + 1);
		goto fail;
	}
	const char *second = c.p + first + 1;
	size_t second_len = rest - first - 1;
	if (lia_note_split(second, second_len) != second_len) {
		st = malformed(err, "the newer checkpoint is not one signed note, or text follows it",
			       c.line + 1);
		goto fail;
	}
	p->old_note = dup_bytes(c.p, first);
	p->new_note = dup_bytes(second, second_len);
	if (p->old_note == NULL || p->new_note == NULL) {
		lia_errf(err, "cannot parse proof: out of memory");
		st = LIA_PROOF_NO_MEMORY;
		goto fail;
	}
	p->old_len = first;
	p->new_len = second_len;
	return LIA_PROOF_OK;
fail:
	lia_consistency_proof_clear(p);
	return st;
}

/* --- verification --- */

enum lia_proof_status lia_inclusion_proof_verify(const struct lia_inclusion_proof *p,
						 const struct lia_note_verifier *v,
						 struct lia_checkpoint *cp, struct lia_record *rec,
						 char err[static LIA_ERR_MAX])
{
	struct lia_checkpoint c;
	char why[LIA_ERR_MAX];
	if (lia_checkpoint_open(&c, p->checkpoint, p->checkpoint_len, v, why) != LIA_NOTE_OK) {
		lia_errf(err, "checkpoint: %s", why);
		return LIA_PROOF_BAD_CHECKPOINT;
	}
	lia_merkle_hash leaf;
	lia_merkle_leaf_hash(leaf, p->record, p->record_len);
	enum lia_merkle_status ms = lia_merkle_verify_inclusion(leaf, p->index, c.size, &p->path,
								 c.root);
	if (ms != LIA_MERKLE_OK) {
		lia_errf(err, "record %" PRIu64 " is not proven in the tree of %" PRIu64
			      " records: %s", p->index, c.size, lia_merkle_status_str(ms));
		return LIA_PROOF_INVALID;
	}
	/* Proven to be in the log; now check it is a record we can read and
	 * that it knows its own place. */
	struct lia_record *r = malloc(sizeof *r);
	if (r == NULL) {
		lia_errf(err, "cannot check record: out of memory");
		return LIA_PROOF_NO_MEMORY;
	}
	enum lia_proof_status st = LIA_PROOF_OK;
	if (lia_record_decode(r, p->record, p->record_len, why) != 0) {
		lia_errf(err, "record %" PRIu64 " is logged but unreadable: %s", p->index, why);
		st = LIA_PROOF_BAD_RECORD;
	} else if (r->seq != p->index) {
		lia_errf(err, "record at index %" PRIu64 " carries sequence number %" PRIu64, p->index,
			 r->seq);
		st = LIA_PROOF_BAD_RECORD;
	} else {
		if (cp)
			*cp = c;
		if (rec)
			*rec = *r;
	}
	free(r);
	return st;
}

enum lia_proof_status lia_consistency_proof_verify(const struct lia_consistency_proof *p,
						   const struct lia_note_verifier *v,
						   struct lia_checkpoint *old_cp,
						   struct lia_checkpoint *new_cp,
						   char err[static LIA_ERR_MAX])
{
	struct lia_checkpoint a, b;
	char why[LIA_ERR_MAX];
	if (lia_checkpoint_open(&a, p->old_note, p->old_len, v, why) != LIA_NOTE_OK) {
		lia_errf(err, "older checkpoint: %s", why);
		return LIA_PROOF_BAD_CHECKPOINT;
	}
	if (lia_checkpoint_open(&b, p->new_note, p->new_len, v, why) != LIA_NOTE_OK) {
		lia_errf(err, "newer checkpoint: %s", why);
		return LIA_PROOF_BAD_CHECKPOINT;
	}
	enum lia_merkle_status ms =
		lia_merkle_verify_consistency(a.size, b.size, &p->path, a.root, b.root);
	if (ms != LIA_MERKLE_OK) {
		lia_errf(err, "the tree of %" PRIu64 " records is not proven a prefix of the tree of "
			      "%" PRIu64 ": %s", a.size, b.size, lia_merkle_status_str(ms));
		return LIA_PROOF_INVALID;
	}
	if (old_cp)
		*old_cp = a;
	if (new_cp)
		*new_cp = b;
	return LIA_PROOF_OK;
}
