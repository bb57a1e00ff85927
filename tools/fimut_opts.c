/* fimut's command line parser: every value range-checked (docs/faultinject.md section 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fimut_opts.h"

static int fail(char *err, size_t n, const char *fmt, const char *a)
{
	snprintf(err, n, fmt, a);
	return -1;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int valid_domain(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 31)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static int valid_type_name(const char *p, unsigned len)
{
	if (len < 1 || len > FIMUT_MAX_TYPE_NAME)
		return 0;
	for (unsigned i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
			return 0;
	return 1;
}

/* Names only: whether each is a code type or a site type of the ELF is
 * decided once the ELF is read (fimut_plan_fit_types). */
static int parse_types(const char *s, struct fimut_opts *o, char *err, size_t n)
{
	o->ntypes = 0;
	o->types_given = 1;
	if (!strcmp(s, "all")) {
		o->types_given = 0;     /* like the default: types without candidates drop out */
		return 0;
	}
	for (const char *p = s;; p++) {
		const char *q = strchr(p, ',');
		unsigned len = q ? (unsigned)(q - p) : (unsigned)strlen(p);
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63), p);
		if (!valid_type_name(p, len))
			return fail(err, n, "unknown fault type '%s' (see fimut --list-types)", name);
		for (unsigned i = 0; i < o->ntypes; i++)
			if (o->type_lens[i] == len && !strncmp(o->type_names[i], p, len))
				return fail(err, n, "fault type '%s' listed twice", name);
		if (o->ntypes == FIMUT_MAX_TYPES)
			return fail(err, n, "more than 64 fault types in '%s'", s);
		o->type_names[o->ntypes] = p;
		o->type_lens[o->ntypes++] = len;
		if (!q)
			return 0;
		p = q;
	}
}

/* Value of option argv[*i]: "--opt=value" or "--opt value". */
static const char *value(int argc, char **argv, int *i, const char *eq)
{
	if (eq)
		return eq + 1;
	return *i + 1 < argc ? argv[++*i] : NULL;
}

static int set_num(const char *v, uint64_t min, uint64_t max, uint64_t *out, const char *opt,
		   char *err, size_t n)
{
	if (parse_u64(v, max, out) || *out < min) {
		snprintf(err, n, "%s: expected a number %llu..%llu", opt, (unsigned long long)min,
			 (unsigned long long)max);
		return -1;
	}
	return 0;
}

static int one_option(int argc, char **argv, int *i, struct fimut_opts *o, char *err, size_t n)
{
	const char *a = argv[*i], *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	uint64_t u;
#define IS(name) (len == strlen(name) && !strncmp(a, name, len))

	if (IS("--help") || IS("-h"))
		return o->help = 1, 0;
	if (IS("--list-types"))
		return o->list_types = 1, 0;
	const char *v = value(argc, argv, i, eq);
	if (!v && (IS("--elf") || IS("--seed") || IS("--count") || IS("--types") ||
		   IS("--func-prefix") || IS("--gen-start") || IS("--after") || IS("--domain") ||
		   IS("--id-start")))
		return fail(err, n, "%s needs a value", a);
	if (IS("--elf"))
		o->elf = v;
	else if (IS("--func-prefix"))
		o->func_prefix = v;
	else if (IS("--domain")) {
		if (!valid_domain(v))
			return fail(err, n, "bad domain name '%s' (1-31 of [A-Za-z0-9_-])", v);
		o->domain = v;
	} else if (IS("--types"))
		return parse_types(v, o, err, n);
	else if (IS("--seed")) {
		if (set_num(v, 0, UINT64_MAX, &o->seed, "--seed", err, n))
			return -1;
		o->have_seed = 1;
	} else if (IS("--count")) {
		if (set_num(v, 1, FIMUT_MAX_GEN, &u, "--count", err, n))
			return -1;
		o->count = (unsigned)u;
		o->have_count = 1;
	} else if (IS("--gen-start")) {
		if (set_num(v, 1, FIMUT_MAX_GEN, &u, "--gen-start", err, n))
			return -1;
		o->gen_start = (unsigned)u;
	} else if (IS("--id-start")) {
		if (set_num(v, 0, FIMUT_MAX_ID, &u, "--id-start", err, n))
			return -1;
		o->id_start = (unsigned)u;
	} else if (IS("--after")) {
		if (set_num(v, 0, FIMUT_MAX_AFTER, &o->after, "--after", err, n))
			return -1;
	} else
		return fail(err, n, "unknown option '%s' (see fimut --help)", a);
	return 0;
#undef IS
}

static int check_ranges(const struct fimut_opts *o, char *err, size_t n)
{
	if (o->help || o->list_types)
		return 0;
	if (!o->elf)
		return fail(err, n, "%s", "--elf FILE is required");
	if (!o->have_seed)
		return fail(err, n, "%s", "--seed S is required");
	if (!o->have_count)
		return fail(err, n, "%s", "--count N is required");
	if (o->gen_start - 1 + o->count > FIMUT_MAX_GEN)
		return fail(err, n, "%s", "--count: gen-start + N - 1 exceeds generation 1000");
	if (o->id_start + o->count - 1 > FIMUT_MAX_ID)
		return fail(err, n, "%s", "--count: id-start + N - 1 exceeds fault id 999999");
	return 0;
}

int fimut_opts_parse(int argc, char **argv, struct fimut_opts *o, char *err, size_t n)
{
	*o = (struct fimut_opts){ .domain = "netdd", .gen_start = 1 };
	for (int i = 1; i < argc; i++)
		if (one_option(argc, argv, &i, o, err, n))
			return -1;
	return check_ranges(o, err, n);
}
