/* The fault plan parser (lib/faultplan.c): every rule of docs/faultinject.md section 1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "faultplan.h"
#include "unit.h"

static struct faultplan plan;
static char why[160];
static unsigned line;

#define GOOD "fault id=7 domain=netdd gen=2 after=5000 addr=0x101234 orig=89c7 new=89c6 type=regsrc"

/* Parse an exactly sized copy (ASan catches any read past the end). */
static int parse(const char *text)
{
	size_t n = strlen(text);
	char *copy = malloc(n ? n : 1);

	memcpy(copy, text, n);
	int rc = faultplan_parse(copy, n, &plan, &line, why, sizeof(why));
	free(copy);
	return rc;
}

/* 'text' is refused on line 'at' with a message containing 'msg'. */
static void bad(const char *text, unsigned at, const char *msg)
{
	int rc = parse(text);

	CHECK_EQ(rc, -1);
	CHECK_EQ(line, at);
	CHECK(strstr(why, msg) != NULL);
	if (rc != -1 || line != at || !strstr(why, msg))
		printf("  text '%s': rc %d line %u why '%s' (want '%s')\n", text, rc, line, why, msg);
}

/* GOOD with field 'key' replaced by 'value'. */
static const char *with(const char *key, const char *value)
{
	static char buf[512];
	char pat[32];

	snprintf(pat, sizeof(pat), " %s=", key);
	const char *at = strstr(GOOD, pat);
	const char *end = strchr(at + 1, ' ');
	snprintf(buf, sizeof(buf), "%.*s%s%s%s", (int)(at - GOOD), GOOD, pat, value,
		 end ? end : "");
	return buf;
}

static void test_good(void)
{
	CHECK_EQ(parse(GOOD "\n"), 0);
	CHECK_EQ(plan.n, 1);
	const struct faultplan_fault *f = &plan.f[0];
	CHECK_EQ(f->id, 7);
	CHECK(!strcmp(f->domain, "netdd"));
	CHECK_EQ(f->gen, 2);
	CHECK_EQ(f->after, 5000);
	CHECK_EQ(f->addr, 0x101234);
	CHECK_EQ(f->len, 2);
	CHECK_EQ(f->orig[0], 0x89);
	CHECK_EQ(f->orig[1], 0xc7);
	CHECK_EQ(f->repl[1], 0xc6);
	CHECK_EQ(f->type, FP_REGSRC);
	CHECK_EQ(f->line, 1);
	CHECK(!strcmp(faultplan_type_name(f->type), "regsrc"));
	CHECK(!strcmp(faultplan_type_name(FP_IRQ), "irq"));
	CHECK(!strcmp(faultplan_type_name((enum faultplan_type)99), "?"));

	/* Comments, blank lines, CRLF, no final newline, trailing blanks. */
	CHECK_EQ(parse("# plan\n\n   \n" GOOD "  # trailing comment\r\n"
		       "fault id=0 domain=netdd gen=3 after=0 addr=0x0 orig=90 new=cc type=nop\r\n"
		       "fault id=999999 domain=a_b-C9 gen=1000 after=1000000000 addr=0xffffffffffffff00 "
		       "orig=000102030405060708090a0b0c0d0e new=0f0e0d0c0b0a09080706050403020100 type=irq"), -1);
	CHECK(strstr(why, "new must be 1..15 bytes") != NULL);
	CHECK_EQ(parse("# plan\n\n   \n" GOOD "  # trailing comment\r\n"
		       "fault id=0 domain=netdd gen=3 after=0 addr=0x0 orig=90 new=cc type=nop\r\n"
		       "fault id=999999 domain=a_b-C9 gen=1000 after=1000000000 addr=0xffffffffffffff00 "
		       "orig=000102030405060708090a0b0c0d0e new=0e0d0c0b0a09080706050403020100 type=irq"), 0);
	CHECK_EQ(plan.n, 3);
	CHECK_EQ(plan.f[0].line, 4);
	CHECK_EQ(plan.f[1].id, 0);
	CHECK_EQ(plan.f[1].after, 0);
	CHECK_EQ(plan.f[1].type, FP_NOP);
	CHECK_EQ(plan.f[2].line, 6);
	CHECK_EQ(plan.f[2].len, 15);
	CHECK_EQ(plan.f[2].after, 1000000000);
	CHECK_EQ(plan.f[2].addr, 0xffffffffffffff00ull);
	CHECK_EQ(plan.f[2].repl[14], 0x00);
	CHECK_EQ(plan.f[2].orig[14], 0x0e);
	CHECK(!strcmp(plan.f[2].domain, "a_b-C9"));

	/* An empty plan is valid (nothing to inject). */
	CHECK_EQ(parse(""), 0);
	CHECK_EQ(plan.n, 0);
	CHECK_EQ(parse("# nothing\n"), 0);
	CHECK_EQ(plan.n, 0);

	static const char *const types[] = { "regsrc", "regdst", "pointer", "interface", "branch",
					     "bitflip", "nop", "init", "irq" };
	for (unsigned t = 0; t < 9; t++) {
		CHECK_EQ(parse(with("type", types[t])), 0);
		CHECK_EQ(plan.f[0].type, t);
	}
}

static void test_syntax(void)
{
	bad("faults id=1", 1, "expected 'fault' at the start");
	bad(" " GOOD, 1, "expected 'fault' at the start");
	bad("\n\nFAULT id=1", 3, "expected 'fault'");
	bad("fault", 1, "missing field id=");
	bad("fault id=7 domain=netdd gen=2", 1, "missing field after=");
	bad("fault  id=7 domain=netdd", 1, "field 1: expected id=");
	bad("fault id=7 gen=2 domain=netdd after=1 addr=0x1 orig=90 new=90 type=nop", 1,
	    "field 2: expected domain=");
	bad("fault id=7\tdomain=netdd gen=2", 1, "tab at column 11: fields are separated by single spaces");
	bad(GOOD " extra=1", 1, "unexpected text after type=: ' extra=1'");
	bad("fault id=7 domain=netdd gen=2 after=5000 addr=0x101234 orig=89c7 new=89c6 type=", 1,
	    "type '' unknown");
	char big[400];
	memset(big, 'x', sizeof(big));
	memcpy(big, "# ", 2);
	big[399] = 0;
	bad(big, 1, "longer than 256 characters");
	bad("# ok\n" GOOD "\x01", 2, "byte 0x01 at column 86");
	bad("# caf\xc3\xa9\n", 1, "not printable ASCII");
	const char nul[] = GOOD "\n# a\0b\n";
	char *copy = malloc(sizeof(nul) - 1);
	memcpy(copy, nul, sizeof(nul) - 1);
	CHECK_EQ(faultplan_parse(copy, sizeof(nul) - 1, &plan, &line, why, sizeof(why)), -1);
	CHECK_EQ(line, 2);
	CHECK(strstr(why, "byte 0x00") != NULL);
	free(copy);
}

static void test_fields(void)
{
	bad(with("id", "1000000"), 1, "id 1000000 outside 0..999999");
	bad(with("id", "007"), 1, "id '007' is not a decimal number");
	bad(with("id", "-1"), 1, "is not a decimal");
	bad(with("id", ""), 1, "id '' is not a decimal");
	bad(with("id", "12345678901"), 1, "at most 10 digits");
	bad(with("domain", ""), 1, "domain name must have 1..31 characters");
	bad(with("domain", "abcdefghijabcdefghijabcdefghij12"), 1, "1..31 characters");
	CHECK_EQ(parse(with("domain", "abcdefghijabcdefghijabcdefghij1")), 0);
	bad(with("domain", "net.dd"), 1, "outside [A-Za-z0-9_-]");
	bad(with("gen", "0"), 1, "gen 0 outside 1..1000");
	bad(with("gen", "1001"), 1, "gen 1001 outside 1..1000");
	bad(with("after", "1000000001"), 1, "after 1000000001 outside 0..1000000000");
	bad(with("addr", "101234"), 1, "addr '101234' is not 0x");
	bad(with("addr", "0x"), 1, "is not 0x");
	bad(with("addr", "0X10"), 1, "is not 0x");
	bad(with("addr", "0x10AB"), 1, "is not 0x");
	bad(with("addr", "0x10000000000000000"), 1, "is not 0x");
	bad("fault id=1 domain=d gen=1 after=1 addr=0xfffffffffffffffe orig=9090 new=9090 type=nop",
	    1, "wraps around");
	CHECK_EQ(parse("fault id=1 domain=d gen=1 after=1 addr=0xfffffffffffffffe orig=90 new=90 "
		       "type=nop"), 0);
	bad(with("orig", ""), 1, "orig must be 1..15 bytes");
	bad(with("orig", "89c"), 1, "orig must be 1..15 bytes");
	bad(with("orig", "89C7"), 1, "orig '89C7' is not lowercase hex");
	bad(with("orig", "89 c7"), 1, "field 7: expected new=<value> after one space, found 'c7'");
	bad(with("orig", "000102030405060708090a0b0c0d0e0f"), 1, "orig must be 1..15 bytes");
	bad(with("new", "89"), 1, "new has 1 bytes, orig 2");
	bad(with("new", "89g6"), 1, "new '89g6' is not lowercase hex");
	bad(with("type", "flip"), 1, "type 'flip' unknown");
	bad(with("type", "NOP"), 1, "type 'NOP' unknown");
	bad(with("type", "nops"), 1, "type 'nops' unknown");
}

/* Site faults (a 5-byte NOP at fi_site_X becomes a call): every type by name. */
static void test_site_types(void)
{
	static const char *const names[] = {
		"dma_wild", "dma_irqwin", "irq_storm", "irq_lost", "dev_stop", "desc_len",
		"desc_status", "hang_irqon", "hang_irqoff", "wd_starve", "proto_garbage",
		"proto_back", "proto_ahead", "proto_badid", "evt_storm", "cl_garbage", "cl_back",
		"cl_ahead", "cl_badid", "cl_evtstorm", "serve_none",
	};
	char text[256];

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), "fault id=3 domain=netdd gen=4 after=2000 addr=0x100394 "
			 "orig=0f1f440000 new=e8c6340000 type=%s", names[i]);
		CHECK_EQ(parse(text), 0);
		CHECK_EQ(plan.f[0].type, FP_DMA_WILD + i);
		CHECK(!strcmp(faultplan_type_name(plan.f[0].type), names[i]));
		CHECK_EQ(plan.f[0].len, 5);
		CHECK_EQ(plan.f[0].repl[0], 0xe8);
	}
	CHECK_EQ(FP_SERVE_NONE + 1, FP_NTYPES);
	bad(with("type", "dma_wilder"), 1, "type 'dma_wilder' unknown");
	bad(with("type", "proto"), 1, "type 'proto' unknown");
	bad(with("type", "evt_storm_2"), 1, "type 'evt_storm_2' unknown");
}

static void test_across_lines(void)
{
	char buf[8192];

	bad(GOOD "\n" GOOD "\n", 2, "id 7 already used on line 1");
	bad("fault id=1 domain=netdd gen=3 after=1 addr=0x1 orig=90 new=90 type=nop\n"
	    "fault id=2 domain=other gen=1 after=1 addr=0x1 orig=90 new=90 type=nop\n"
	    "fault id=3 domain=netdd gen=3 after=1 addr=0x1 orig=90 new=90 type=nop\n", 3,
	    "gen 3 for netdd must be above gen 3 on line 1");
	bad("fault id=1 domain=netdd gen=3 after=1 addr=0x1 orig=90 new=90 type=nop\n"
	    "fault id=3 domain=netdd gen=2 after=1 addr=0x1 orig=90 new=90 type=nop\n", 2,
	    "must be above gen 3");
	CHECK_EQ(parse("fault id=1 domain=netdd gen=3 after=1 addr=0x1 orig=90 new=90 type=nop\n"
		       "fault id=2 domain=other gen=1 after=1 addr=0x1 orig=90 new=90 type=nop\n"
		       "fault id=3 domain=netdd gen=4 after=1 addr=0x1 orig=90 new=90 type=nop\n"), 0);
	CHECK_EQ(plan.n, 3);

	/* 64 faults are fine, the 65th is not. */
	size_t n = 0;
	for (unsigned i = 1; i <= 65; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "fault id=%u domain=netdd gen=%u after=1 "
			      "addr=0x1 orig=90 new=90 type=nop\n", i, i);
	bad(buf, 65, "more than 64 faults");
	buf[strlen(buf) - 1] = 0;
	*strrchr(buf, '\n') = 0;
	CHECK_EQ(parse(buf), 0);
	CHECK_EQ(plan.n, 64);
	CHECK_EQ(plan.f[63].gen, 64);
}

int main(void)
{
	test_good();
	test_syntax();
	test_fields();
	test_site_types();
	test_across_lines();
	return unit_done("faultplan");
}
