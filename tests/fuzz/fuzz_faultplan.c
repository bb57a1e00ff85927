/*
 * libFuzzer target: the fault plan parser (lib/faultplan.c, run by the
 * hypervisor on the "faultplan" module) on arbitrary bytes. On refusal the
 * message is a terminated, non-empty string and the line number lies inside
 * the text. On acceptance every field is in the range hv/faultinject.c relies
 * on (byte counts index 15-byte arrays, the domain name is compared with
 * strcmp, the type names a table entry, addr + len does not wrap), ids are
 * unique, each domain's generations increase, and printing the plan in its
 * canonical form and parsing that gives the same plan back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "faultplan.h"

static struct faultplan plan, again;

static void die(const char *what, unsigned i)
{
	fprintf(stderr, "fuzz_faultplan: accepted plan breaks an invariant: %s (fault %u)\n",
		what, i);
	abort();
}

static void check_fault(const struct faultplan_fault *f, unsigned i)
{
	size_t n = strnlen(f->domain, FAULTPLAN_NAME_LEN);

	if (n == 0 || n == FAULTPLAN_NAME_LEN)
		die("domain name not 1..31 characters", i);
	for (size_t k = 0; k < n; k++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
			    f->domain[k]))
			die("domain name character", i);
	if (f->id > FAULTPLAN_MAX_ID || f->gen < 1 || f->gen > FAULTPLAN_MAX_GEN ||
	    f->after > FAULTPLAN_MAX_AFTER)
		die("id, gen or after out of range", i);
	if (f->len < 1 || f->len > FAULTPLAN_MAX_BYTES)
		die("byte count out of range", i);
	if ((unsigned)f->type >= FP_NTYPES)
		die("type out of range", i);
	if (f->addr > UINT64_MAX - f->len)
		die("addr + len wraps", i);
	for (unsigned j = 0; j < i; j++) {
		if (plan.f[j].id == f->id)
			die("duplicate id", i);
		if (!strcmp(plan.f[j].domain, f->domain) && plan.f[j].gen >= f->gen)
			die("generations not increasing", i);
		if (plan.f[j].line >= f->line)
			die("line numbers not increasing", i);
	}
}

static size_t print_hex(char *p, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sprintf(p + 2 * i, "%02x", b[i]);
	return 2 * n;
}

/* The accepted plan printed canonically parses to the same faults. */
static void round_trip(void)
{
	static char text[FAULTPLAN_MAX_FAULTS * 300];
	size_t n = 0;
	unsigned line;
	char why[160];

	for (unsigned i = 0; i < plan.n; i++) {
		const struct faultplan_fault *f = &plan.f[i];
		n += sprintf(text + n, "fault id=%u domain=%s gen=%u after=%llu addr=0x%llx orig=",
			     f->id, f->domain, f->gen, (unsigned long long)f->after,
			     (unsigned long long)f->addr);
		n += print_hex(text + n, f->orig, f->len);
		n += sprintf(text + n, " new=");
		n += print_hex(text + n, f->repl, f->len);
		n += sprintf(text + n, " type=%s\n", faultplan_type_name(f->type));
	}
	if (faultplan_parse(text, n, &again, &line, why, sizeof(why)))
		die(why, line);
	if (again.n != plan.n)
		die("round trip: count", 0);
	for (unsigned i = 0; i < plan.n; i++) {
		struct faultplan_fault a = plan.f[i], b = again.f[i];
		a.line = b.line = 0;
		if (memcmp(&a, &b, sizeof(a)))
			die("round trip: fault differs", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[160];
	unsigned line, lines = 1;
	char *buf = malloc(size ? size : 1);    /* exactly sized: ASan sees overreads */

	memcpy(buf, data, size);
	memset(&plan, 0, sizeof(plan));         /* padding and name tails compare equal */
	memset(&again, 0, sizeof(again));
	for (size_t i = 0; i < size; i++)
		lines += buf[i] == '\n';
	if (faultplan_parse(buf, size, &plan, &line, why, sizeof(why))) {
		if (!memchr(why, 0, sizeof(why)) || !why[0])
			die("message not terminated or empty", 0);
		if (line < 1 || line > lines)
			die("error line outside the text", line);
		free(buf);
		return 0;
	}
	free(buf);
	if (plan.n > FAULTPLAN_MAX_FAULTS)
		die("too many faults", plan.n);
	for (unsigned i = 0; i < plan.n; i++)
		check_fault(&plan.f[i], i);
	round_trip();
	return 0;
}
