/* Scenario text parser and descriptor writer. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg_check.h"
#include "scenario.h"

struct parser {
	const char *file;
	unsigned line;
	char *err;
	size_t errlen;
	struct scenario *s;
	int have_scenario;
	unsigned key_line[BOOTCFG_MAX_DOMAINS][8];     /* image, memory, role, args, device, restart,
							  restart_limit, restart_backoff */
};

static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->file, p->line, msg);
	return -1;
}

static int valid_name(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= BOOTCFG_NAME_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '-')
			return 0;
	return 1;
}

static int single_word(struct parser *p, const char *key, const char *v)
{
	if (!*v)
		return perr(p, "'%s' needs a value", key);
	if (strpbrk(v, " \t"))
		return perr(p, "trailing text after the value of '%s'", key);
	return 0;
}

static int parse_memory(struct parser *p, const char *v, uint64_t *out)
{
	char *end;
	uint64_t mult = 1;

	if (!isdigit((unsigned char)*v))
		return perr(p, "memory '%s' is not a size (e.g. 4M)", v);
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (*end == 'K' || *end == 'k')
		mult = 1ull << 10, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1ull << 20, end++;
	else if (*end == 'G' || *end == 'g')
		mult = 1ull << 30, end++;
	if (*end)
		return perr(p, "memory '%s' is not a size (e.g. 4M)", v);
	if (errno || n > UINT64_MAX / mult)
		return perr(p, "memory '%s' is too large", v);
	*out = n * mult;
	if (*out % BOOTCFG_MEM_ALIGN)
		return perr(p, "memory '%s' is not a multiple of 2M", v);
	if (*out < BOOTCFG_MEM_MIN || *out > BOOTCFG_MEM_MAX)
		return perr(p, "memory '%s' is outside 2M..1G", v);
	return 0;
}

static int parse_role(struct parser *p, const char *v, uint32_t *out)
{
	if (!strcmp(v, "client"))
		*out = BOOTCFG_ROLE_CLIENT;
	else if (!strcmp(v, "driver"))
		*out = BOOTCFG_ROLE_DRIVER;
	else if (!strcmp(v, "test"))
		*out = BOOTCFG_ROLE_TEST;
	else
		return perr(p, "unknown role '%s' (client, driver or test)", v);
	return 0;
}

static int parse_restart(struct parser *p, const char *v, uint32_t *flags)
{
	if (!strcmp(v, "yes"))
		*flags |= BOOTCFG_F_RESTART;
	else if (strcmp(v, "no"))
		return perr(p, "restart '%s' is neither yes nor no", v);
	return 0;
}

/* A whole number in lo..hi followed by exactly 'unit' ("" for none). */
static int number_with_unit(const char *v, const char *unit, unsigned long lo, unsigned long hi,
			    unsigned long *out, const char **rest)
{
	char *end;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || n < lo || n > hi || strncmp(end, unit, strlen(unit)))
		return -1;
	*out = n;
	*rest = end + strlen(unit);
	return 0;
}

/* "N/Ts": at most N restarts (1..255) within any T seconds (1..255). */
static int parse_restart_limit(struct parser *p, const char *v, struct bootcfg_domain *d)
{
	unsigned long n, t;
	const char *rest;

	if (number_with_unit(v, "/", 1, 255, &n, &rest) ||
	    number_with_unit(rest, "s", 1, 255, &t, &rest) || *rest)
		return perr(p, "restart_limit '%s' is not N/Ts (N restarts within T seconds, "
			    "each 1..255)", v);
	d->restart_max = (uint8_t)n;
	d->restart_window_s = (uint8_t)t;
	return 0;
}

/* "Bms": the first restart's delay, doubled for each further one in the window. */
static int parse_restart_backoff(struct parser *p, const char *v, struct bootcfg_domain *d)
{
	unsigned long ms;
	const char *rest;

	if (number_with_unit(v, "ms", 0, BOOTCFG_BACKOFF_MAX_MS, &ms, &rest) || *rest)
		return perr(p, "restart_backoff '%s' is not a delay of 0ms..%ums", v,
			    BOOTCFG_BACKOFF_MAX_MS);
	d->restart_backoff_ms = (uint16_t)ms;
	return 0;
}

static int start_domain(struct parser *p, const char *v)
{
	struct scenario *s = p->s;

	if (single_word(p, "domain", v))
		return -1;
	if (!valid_name(v))
		return perr(p, "bad domain name '%s' (1-31 of [A-Za-z0-9_-])", v);
	for (unsigned i = 0; i < s->ndomains; i++)
		if (!strcmp(s->dom[i].name, v))
			return perr(p, "duplicate domain '%s' (first defined at line %u)", v,
				    s->dom_line[i]);
	if (s->ndomains == BOOTCFG_MAX_DOMAINS)
		return perr(p, "too many domains (at most %u)", BOOTCFG_MAX_DOMAINS);
	struct bootcfg_domain *d = &s->dom[s->ndomains];
	memset(d, 0, sizeof(*d));
	strcpy(d->name, v);
	d->role = BOOTCFG_ROLE_CLIENT;
	s->dom_line[s->ndomains++] = p->line;
	return 0;
}

static int hexnum(const char *s, unsigned digits_min, unsigned digits_max, unsigned *out)
{
	unsigned n = 0, v = 0;

	for (; isxdigit((unsigned char)s[n]); n++)
		v = v * 16 + (unsigned)(isdigit((unsigned char)s[n]) ? s[n] - '0' :
					 tolower((unsigned char)s[n]) - 'a' + 10);
	if (n < digits_min || n > digits_max)
		return -1;
	*out = v;
	return (int)n;
}

/* "BB:DD.F" or "VVVV:DDDD" (hex), e.g. 01:00.0 or 8086:100e. */
static int parse_device(struct parser *p, struct bootcfg_domain *d, const char *v)
{
	struct bootcfg_device dev = { 0 };
	unsigned a, b, c;
	int n;

	if (single_word(p, "device", v))
		return -1;
	if (d->ndevices == BOOTCFG_MAX_DEVICES)
		return perr(p, "more than %u devices in domain '%s'", BOOTCFG_MAX_DEVICES, d->name);
	if ((n = hexnum(v, 4, 4, &a)) == 4 && v[4] == ':' && hexnum(v + 5, 4, 4, &b) == 4 && !v[9]) {
		if (a == 0 || a == 0xffff)
			return perr(p, "device '%s': invalid vendor id", v);
		dev = (struct bootcfg_device){ BOOTCFG_DEV_ID, 0, 0, 0, (uint16_t)a, (uint16_t)b };
	} else if ((n = hexnum(v, 2, 2, &a)) == 2 && v[2] == ':' && hexnum(v + 3, 2, 2, &b) == 2 &&
		   v[5] == '.' && hexnum(v + 6, 1, 1, &c) == 1 && !v[7]) {
		if (b >= 32 || c >= 8)
			return perr(p, "device '%s': device must be < 20, function < 8", v);
		dev = (struct bootcfg_device){ BOOTCFG_DEV_BDF, (uint8_t)a, (uint8_t)b, (uint8_t)c, 0, 0 };
	} else {
		return perr(p, "device '%s' is neither BB:DD.F nor VVVV:DDDD", v);
	}
	for (unsigned i = 0; i < d->ndevices; i++)
		if (!memcmp(&d->devices[i], &dev, sizeof(dev)))
			return perr(p, "device '%s' listed twice", v);
	d->devices[d->ndevices++] = dev;
	return 0;
}

static int domain_key(struct parser *p, const char *key, const char *v)
{
	static const char *const keys[] = { "image", "memory", "role", "args", "device", "restart",
					    "restart_limit", "restart_backoff" };
	struct scenario *s = p->s;
	unsigned k;

	for (k = 0; k < 8 && strcmp(keys[k], key); k++)
		;
	if (k == 8)
		return perr(p, "unknown key '%s'", key);
	if (!s->ndomains)
		return perr(p, "'%s' outside a domain block", key);
	struct bootcfg_domain *d = &s->dom[s->ndomains - 1];
	if (k == 4)
		return parse_device(p, d, v);
	unsigned *seen = &p->key_line[s->ndomains - 1][k];
	if (*seen)
		return perr(p, "duplicate '%s' in domain '%s' (first at line %u)", key, d->name, *seen);
	*seen = p->line;
	if (k == 3) {
		if (strlen(v) >= BOOTCFG_ARGS_LEN)
			return perr(p, "args longer than %u characters", BOOTCFG_ARGS_LEN - 1);
		for (const char *c = v; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				return perr(p, "args contain a non-printable character");
		strcpy(d->args, v);
		return 0;
	}
	if (single_word(p, key, v))
		return -1;
	if (k == 5)
		return parse_restart(p, v, &d->flags);
	if (k == 6)
		return parse_restart_limit(p, v, d);
	if (k == 7)
		return parse_restart_backoff(p, v, d);
	if (k == 0) {
		if (!valid_name(v))
			return perr(p, "bad image name '%s' (1-31 of [A-Za-z0-9_-])", v);
		strcpy(d->image, v);
		return 0;
	}
	return k == 1 ? parse_memory(p, v, &d->mem_bytes) : parse_role(p, v, &d->role);
}

static int parse_line(struct parser *p, char *line)
{
	char *hash = strchr(line, '#');

	if (hash)
		*hash = 0;
	char *end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = 0;
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line)
		return 0;
	char *v = line + strcspn(line, " \t");
	if (*v)
		*v++ = 0;
	while (*v == ' ' || *v == '\t')
		v++;
	if (!strcmp(line, "scenario")) {
		if (p->have_scenario)
			return perr(p, "a second 'scenario' line");
		if (single_word(p, "scenario", v))
			return -1;
		if (!valid_name(v))
			return perr(p, "bad scenario name '%s' (1-31 of [A-Za-z0-9_-])", v);
		strcpy(p->s->name, v);
		p->have_scenario = 1;
		return 0;
	}
	if (!p->have_scenario)
		return perr(p, "the file must start with 'scenario NAME'");
	if (!strcmp(line, "domain"))
		return start_domain(p, v);
	if (!strcmp(line, "machine")) {
		if (p->s->ndomains || p->s->machine[0])
			return perr(p, "'machine' goes once, before the first domain");
		if (single_word(p, "machine", v))
			return -1;
		if (!valid_name(v))
			return perr(p, "bad machine name '%s' (1-31 of [A-Za-z0-9_-])", v);
		strcpy(p->s->machine, v);
		return 0;
	}
	return domain_key(p, line, v);
}

static int finish(struct parser *p)
{
	struct scenario *s = p->s;

	if (!p->have_scenario)
		return perr(p, "no 'scenario NAME' line");
	if (!s->ndomains)
		return perr(p, "no domains");
	for (unsigned i = 0; i < s->ndomains; i++) {
		p->line = s->dom_line[i];
		if (!p->key_line[i][0])
			return perr(p, "domain '%s' has no image", s->dom[i].name);
		if (!p->key_line[i][1])
			return perr(p, "domain '%s' has no memory", s->dom[i].name);
		if (s->dom[i].ndevices && s->dom[i].role != BOOTCFG_ROLE_DRIVER)
			return perr(p, "domain '%s' has devices but is not 'role driver' (only "
				    "driver domains own devices)", s->dom[i].name);
		if ((p->key_line[i][6] || p->key_line[i][7]) &&
		    !(s->dom[i].flags & BOOTCFG_F_RESTART))
			return perr(p, "domain '%s' has a restart policy but not 'restart yes'",
				    s->dom[i].name);
	}
	return 0;
}

int scenario_parse(const char *text, size_t len, const char *file, struct scenario *out,
		   char *err, size_t errlen)
{
	struct parser p = { .file = file, .err = err, .errlen = errlen, .s = out };
	char line[1024];

	memset(out, 0, sizeof(*out));
	for (size_t pos = 0; pos < len;) {
		size_t n = 0;
		p.line++;
		while (pos < len && text[pos] != '\n') {
			if (text[pos] == '\0')
				return perr(&p, "NUL byte in the file");
			if (n + 1 >= sizeof(line))
				return perr(&p, "line longer than %zu characters", sizeof(line) - 1);
			line[n++] = text[pos++];
		}
		pos++;
		line[n] = 0;
		if (parse_line(&p, line))
			return -1;
	}
	return finish(&p);
}

size_t scenario_size(const struct scenario *s)
{
	return sizeof(struct bootcfg_header) + s->ndomains * sizeof(struct bootcfg_domain);
}

size_t scenario_serialise(const struct scenario *s, void *buf)
{
	struct bootcfg_header *h = buf;
	size_t size = scenario_size(s);

	memset(buf, 0, size);
	h->magic = BOOTCFG_MAGIC;
	h->version = BOOTCFG_VERSION;
	h->header_size = sizeof(*h);
	h->domain_size = sizeof(struct bootcfg_domain);
	h->ndomains = (uint16_t)s->ndomains;
	h->total_size = (uint32_t)size;
	memcpy(h->name, s->name, sizeof(h->name));
	memcpy(h + 1, s->dom, s->ndomains * sizeof(struct bootcfg_domain));
	h->checksum = bootcfg_checksum(buf, size);
	return size;
}
