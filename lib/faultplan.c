/* Fault plan parser shared by the hypervisor and the host tests (faultplan.h). */
#include <stdbool.h>
#include "faultplan.h"
#include "fmt.h"
#include "kstring.h"

static const char *const type_names[FP_NTYPES] = {
	"regsrc", "regdst", "pointer", "interface", "branch", "bitflip", "nop", "init", "irq",
	"dma_wild", "dma_irqwin", "irq_storm", "irq_lost", "dev_stop", "desc_len", "desc_status",
	"hang_irqon", "hang_irqoff", "wd_starve",
	"proto_garbage", "proto_back", "proto_ahead", "proto_badid", "evt_storm",
	"cl_garbage", "cl_back", "cl_ahead", "cl_badid", "cl_evtstorm",
	"serve_none",
};

const char *faultplan_type_name(enum faultplan_type t)
{
	return (unsigned)t < FP_NTYPES ? type_names[t] : "?";
}

/* Bytes [p, p + n) of the line: a word or a field's value. */
struct span {
	const char *p;
	size_t n;
};

static bool span_is(struct span s, const char *word)
{
	size_t i = 0;

	for (; word[i]; i++)
		if (i >= s.n || s.p[i] != word[i])
			return false;
	return i == s.n;
}

/* Up to 20 characters of s, NUL-terminated, for a message. */
static const char *quote(struct span s, char buf[24])
{
	size_t n = s.n < 20 ? s.n : 20;

	for (size_t i = 0; i < n; i++)
		buf[i] = s.p[i];
	buf[n] = 0;
	return buf;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Lowercase hex only: the plan has one spelling for each value. */
static int hex_val(char c)
{
	if (is_digit(c))
		return c - '0';
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
	       c == '-';
}

/* Decimal in min..max, without sign or leading zeros. */
static int parse_dec(struct span v, const char *key, uint64_t min, uint64_t max,
		     uint64_t *out, char *why, size_t wl)
{
	char q[24];
	uint64_t x = 0;
	bool ok = v.n >= 1 && v.n <= 10 && !(v.n > 1 && v.p[0] == '0');

	for (size_t i = 0; ok && i < v.n; i++) {
		ok = is_digit(v.p[i]);
		x = x * 10 + (uint64_t)(v.p[i] - '0');
	}
	if (!ok) {
		fmt_snprintf(why, wl, "%s '%s' is not a decimal number (at most 10 digits, "
			     "no leading zeros)", key, quote(v, q));
		return -1;
	}
	if (x < min || x > max) {
		fmt_snprintf(why, wl, "%s %llu outside %llu..%llu", key, (unsigned long long)x,
			     (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = x;
	return 0;
}

static int parse_name(struct span v, char *out, char *why, size_t wl)
{
	char q[24];

	if (v.n == 0 || v.n >= FAULTPLAN_NAME_LEN) {
		fmt_snprintf(why, wl, "domain name must have 1..%u characters",
			     FAULTPLAN_NAME_LEN - 1);
		return -1;
	}
	for (size_t i = 0; i < v.n; i++) {
		if (!name_char(v.p[i])) {
			fmt_snprintf(why, wl, "domain '%s' has a character outside [A-Za-z0-9_-]",
				     quote(v, q));
			return -1;
		}
		out[i] = v.p[i];
	}
	out[v.n] = 0;
	return 0;
}

static int parse_addr(struct span v, uint64_t *out, char *why, size_t wl)
{
	char q[24];
	uint64_t x = 0;
	bool ok = v.n >= 3 && v.n <= 18 && v.p[0] == '0' && v.p[1] == 'x';

	for (size_t i = 2; ok && i < v.n; i++) {
		int h = hex_val(v.p[i]);
		ok = h >= 0;
		x = x << 4 | (uint64_t)(h & 15);
	}
	if (!ok) {
		fmt_snprintf(why, wl, "addr '%s' is not 0x and 1..16 lowercase hex digits",
			     quote(v, q));
		return -1;
	}
	*out = x;
	return 0;
}

/* 1..15 bytes as lowercase hex digit pairs; returns the byte count or -1. */
static int parse_bytes(struct span v, const char *key, uint8_t *out, char *why, size_t wl)
{
	char q[24];

	if (v.n == 0 || v.n % 2 || v.n > 2 * FAULTPLAN_MAX_BYTES) {
		fmt_snprintf(why, wl, "%s must be 1..%u bytes as pairs of hex digits (%u digits given)",
			     key, FAULTPLAN_MAX_BYTES, (unsigned)v.n);
		return -1;
	}
	for (size_t i = 0; i < v.n; i += 2) {
		int hi = hex_val(v.p[i]), lo = hex_val(v.p[i + 1]);
		if (hi < 0 || lo < 0) {
			fmt_snprintf(why, wl, "%s '%s' is not lowercase hex", key, quote(v, q));
			return -1;
		}
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(v.n / 2);
}

static int parse_type(struct span v, enum faultplan_type *out, char *why, size_t wl)
{
	char q[24];

	_Static_assert(sizeof(type_names) / sizeof(type_names[0]) == FP_NTYPES, "one name per type");
	for (unsigned t = 0; t < FP_NTYPES; t++) {
		if (span_is(v, type_names[t])) {
			*out = (enum faultplan_type)t;
			return 0;
		}
	}
	fmt_snprintf(why, wl, "type '%s' unknown (code: regsrc regdst pointer interface branch "
		     "bitflip nop init irq; site: dma_wild ... cl_evtstorm, serve_none)", quote(v, q));
	return -1;
}

/* The fields in their fixed order, after the word "fault". */
enum field { F_ID, F_DOMAIN, F_GEN, F_AFTER, F_ADDR, F_ORIG, F_NEW, F_TYPE, F_COUNT };
static const char *const field_keys[F_COUNT] = {
	"id", "domain", "gen", "after", "addr", "orig", "new", "type",
};

/*
 * Split s into "fault" and the eight values, checking the separators (one
 * space each) and the keys, each in its place.
 */
static int split_fields(struct span s, struct span val[F_COUNT], char *why, size_t wl)
{
	const char *p = s.p, *end = s.p + s.n;
	char q[24];

	if (s.n < 5 || !span_is((struct span){ p, 5 }, "fault") || (s.n > 5 && p[5] != ' ')) {
		fmt_snprintf(why, wl, "expected 'fault' at the start, found '%s'", quote(s, q));
		return -1;
	}
	p += 5;
	for (unsigned k = 0; k < F_COUNT; k++) {
		const char *key = field_keys[k];
		if (p == end) {
			fmt_snprintf(why, wl, "missing field %s= (fields: id domain gen after addr "
				     "orig new type)", key);
			return -1;
		}
		p++;                                    /* the one space */
		const char *w = p;
		while (p < end && *p != ' ')
			p++;
		struct span word = { w, (size_t)(p - w) };
		size_t kl = 0;
		while (key[kl])
			kl++;
		if (word.n <= kl || !span_is((struct span){ w, kl }, key) || w[kl] != '=') {
			fmt_snprintf(why, wl, "field %u: expected %s=<value> after one space, "
				     "found '%s'", k + 1, key, quote(word, q));
			return -1;
		}
		val[k] = (struct span){ w + kl + 1, word.n - kl - 1 };
	}
	if (p != end) {
		fmt_snprintf(why, wl, "unexpected text after type=: '%s'",
			     quote((struct span){ p, (size_t)(end - p) }, q));
		return -1;
	}
	return 0;
}

static int parse_fault(struct span s, struct faultplan_fault *f, char *why, size_t wl)
{
	struct span v[F_COUNT];
	uint64_t x;
	int n;

	if (split_fields(s, v, why, wl))
		return -1;
	if (parse_dec(v[F_ID], "id", 0, FAULTPLAN_MAX_ID, &x, why, wl))
		return -1;
	f->id = (uint32_t)x;
	if (parse_name(v[F_DOMAIN], f->domain, why, wl))
		return -1;
	if (parse_dec(v[F_GEN], "gen", 1, FAULTPLAN_MAX_GEN, &x, why, wl))
		return -1;
	f->gen = (uint32_t)x;
	if (parse_dec(v[F_AFTER], "after", 0, FAULTPLAN_MAX_AFTER, &f->after, why, wl))
		return -1;
	if (parse_addr(v[F_ADDR], &f->addr, why, wl))
		return -1;
	if ((n = parse_bytes(v[F_ORIG], "orig", f->orig, why, wl)) < 0)
		return -1;
	f->len = (uint8_t)n;
	if ((n = parse_bytes(v[F_NEW], "new", f->repl, why, wl)) < 0)
		return -1;
	if (n != f->len) {
		fmt_snprintf(why, wl, "new has %d bytes, orig %u: they must be the same length",
			     n, f->len);
		return -1;
	}
	if (f->addr > UINT64_MAX - f->len) {
		fmt_snprintf(why, wl, "addr 0x%llx + %u bytes wraps around",
			     (unsigned long long)f->addr, f->len);
		return -1;
	}
	return parse_type(v[F_TYPE], &f->type, why, wl);
}

/* Rules across lines: unique ids, each domain's generations strictly increasing. */
static int check_against_earlier(const struct faultplan *plan, const struct faultplan_fault *f,
				 char *why, size_t wl)
{
	const struct faultplan_fault *last = 0;

	for (unsigned i = 0; i < plan->n; i++) {
		const struct faultplan_fault *e = &plan->f[i];
		if (e->id == f->id) {
			fmt_snprintf(why, wl, "id %u already used on line %u", f->id, e->line);
			return -1;
		}
		if (!strncmp(e->domain, f->domain, FAULTPLAN_NAME_LEN))
			last = e;
	}
	if (last && f->gen <= last->gen) {
		fmt_snprintf(why, wl, "gen %u for %s must be above gen %u on line %u", f->gen,
			     f->domain, last->gen, last->line);
		return -1;
	}
	return 0;
}

/*
 * The text of one line without its comment and trailing blanks; every byte
 * of the raw line must be printable ASCII, a tab or a CR (CRLF files).
 */
static int clean_line(struct span raw, struct span *out, char *why, size_t wl)
{
	size_t n = raw.n;

	if (n > FAULTPLAN_MAX_LINE) {
		fmt_snprintf(why, wl, "longer than %u characters", FAULTPLAN_MAX_LINE);
		return -1;
	}
	for (size_t i = 0; i < raw.n; i++) {
		unsigned char c = (unsigned char)raw.p[i];
		if ((c < 0x20 || c > 0x7e) && c != '\t' && c != '\r') {
			fmt_snprintf(why, wl, "byte 0x%02x at column %u is not printable ASCII",
				     c, (unsigned)i + 1);
			return -1;
		}
		if (c == '#' && i < n)
			n = i;
	}
	while (n && (raw.p[n - 1] == ' ' || raw.p[n - 1] == '\t' || raw.p[n - 1] == '\r'))
		n--;
	for (size_t i = 0; i < n; i++) {
		if (raw.p[i] == '\t' || raw.p[i] == '\r') {
			fmt_snprintf(why, wl, "%s at column %u: fields are separated by single spaces",
				     raw.p[i] == '\t' ? "tab" : "CR", (unsigned)i + 1);
			return -1;
		}
	}
	*out = (struct span){ raw.p, n };
	return 0;
}

int faultplan_parse(const char *text, size_t len, struct faultplan *out, unsigned *line,
		    char *whybuf, size_t whylen)
{
	size_t pos = 0;

	out->n = 0;
	*line = 0;
	if (whylen)
		whybuf[0] = 0;
	while (pos < len) {
		size_t e = pos;
		while (e < len && text[e] != '\n')
			e++;
		struct span s;
		++*line;
		if (clean_line((struct span){ text + pos, e - pos }, &s, whybuf, whylen))
			return -1;
		pos = e + 1;
		if (!s.n)
			continue;
		if (out->n == FAULTPLAN_MAX_FAULTS) {
			fmt_snprintf(whybuf, whylen, "more than %u faults", FAULTPLAN_MAX_FAULTS);
			return -1;
		}
		struct faultplan_fault *f = &out->f[out->n];
		f->line = *line;
		if (parse_fault(s, f, whybuf, whylen) || check_against_earlier(out, f, whybuf, whylen))
			return -1;
		out->n++;
	}
	return 0;
}
