/*
 * fimut: each fault type on known instructions (exact variant sets, from
 * tests/unit/fimut_sample.S), eligibility rules, determinism, and for many
 * generated plans: orig is the ELF's bytes at addr, new has the same length
 * and, for the types that promise it, decodes to a valid instruction. Also
 * run on build/guest/netdd.elf when it has been built. Site faults (rt/fisite.h):
 * types found from fi_site_X/fi_hook_X, the call's rel32, and code faults never
 * in a site or a hook.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "unit.h"
#include "fimut_elf.h"
#include "fimut_opts.h"
#include "fimut_plan.h"
#include "fimut_scan.h"
#include "fimut_x86.h"

static csh h;
static struct fimut_elf elf;
static struct fimut_code code;

static const struct fimut_insn *insn_at(const char *fname, uint64_t off)
{
	for (unsigned f = 0; f < elf.nfuncs; f++) {
		if (strcmp(elf.funcs[f].name, fname))
			continue;
		for (size_t i = 0; i < code.n; i++)
			if (code.v[i].addr == elf.funcs[f].addr + off)
				return &code.v[i];
	}
	printf("FAIL: no instruction at %s+%llu\n", fname, (unsigned long long)off);
	exit(1);
}

/* The instruction's bytes are what the sample's comment says. */
static const struct fimut_insn *known(const char *fname, uint64_t off, const char *hex)
{
	const struct fimut_insn *in = insn_at(fname, off);
	char got[2 * FIMUT_INSN_MAX + 1] = "";

	for (unsigned i = 0; i < in->len; i++)
		sprintf(got + 2 * i, "%02x", in->bytes[i]);
	if (strcmp(got, hex)) {
		printf("FAIL: %s+%llu is %s, expected %s (assembler chose another encoding?)\n",
		       fname, (unsigned long long)off, got, hex);
		exit(1);
	}
	return in;
}

static struct fimut_variants vars;

static void variants_of(const struct fimut_insn *in, int t)
{
	cs_insn *d = fimut_x86_decode(h, in->bytes, in->len, in->addr);

	CHECK(d != NULL);
	fimut_variants(h, t, d, &vars);
	cs_free(d, 1);
}

/* The variant set equals exactly the n expected (bytes, kind) pairs. */
static void check_set(const char *what, uint8_t (*exp)[FIMUT_INSN_MAX], const uint8_t *kind, unsigned n)
{
	int ok = vars.n == n;

	for (unsigned i = 0; ok && i < n; i++) {
		int found = 0;
		for (unsigned j = 0; j < vars.n; j++)
			found |= !memcmp(vars.b[j], exp[i], vars.len) && vars.kind[j] == kind[i];
		ok = found;
	}
	unit_checks++;
	if (!ok) {
		unit_failed++;
		printf("FAIL %s: %u variants, expected %u:", what, vars.n, n);
		for (unsigned j = 0; j < vars.n; j++) {
			printf(" ");
			for (unsigned i = 0; i < vars.len; i++)
				printf("%02x", vars.b[j][i]);
			printf("/%u", vars.kind[j]);
		}
		printf("\n");
	}
}

static uint8_t exp_b[FIMUT_MAX_VARIANTS][FIMUT_INSN_MAX], exp_k[FIMUT_MAX_VARIANTS];
static unsigned exp_n;

static void expect(unsigned kind, unsigned len, ...)
{
	va_list ap;

	va_start(ap, len);
	for (unsigned i = 0; i < len; i++)
		exp_b[exp_n][i] = (uint8_t)va_arg(ap, int);
	va_end(ap);
	exp_k[exp_n++] = (uint8_t)kind;
}

static void expect_done(const char *what)
{
	check_set(what, exp_b, exp_k, exp_n);
	exp_n = 0;
}

static void test_registers(void)
{
	const struct fimut_insn *mov = known("helper", 0, "4889d7");   /* mov rdi, rdx */
	variants_of(mov, FIMUT_REGSRC);         /* reg field (rdx), REX.R */
	for (unsigned r = 0; r < 16; r++)
		if (r != 2)
			expect(0, 3, 0x48 | (r & 8 ? 4 : 0), 0x89, 0xc7 | (r & 7) << 3);
	expect_done("regsrc mov rdi, rdx");
	variants_of(mov, FIMUT_REGDST);         /* rm field (rdi), REX.B */
	for (unsigned r = 0; r < 16; r++)
		if (r != 7)
			expect(1, 3, 0x48 | (r & 8 ? 1 : 0), 0x89, 0xd0 | (r & 7));
	expect_done("regdst mov rdi, rdx");

	/* Same register in both fields: the read-write operand is the destination. */
	const struct fimut_insn *xor = known("helper", 3, "31c0");
	variants_of(xor, FIMUT_REGSRC);
	for (unsigned r = 1; r < 8; r++)        /* no REX: only 3 bits */
		expect(0, 2, 0x31, 0xc0 | r << 3);
	expect_done("regsrc xor eax, eax");
	variants_of(xor, FIMUT_REGDST);
	for (unsigned r = 1; r < 8; r++)
		expect(1, 2, 0x31, 0xc0 | r);
	expect_done("regdst xor eax, eax");

	const struct fimut_insn *add = known("helper", 5, "01c1");     /* add ecx, eax */
	variants_of(add, FIMUT_REGDST);
	for (unsigned r = 0; r < 8; r++)
		if (r != 1)
			expect(1, 2, 0x01, 0xc0 | r);
	expect_done("regdst add ecx, eax");
	variants_of(add, FIMUT_REGSRC);
	for (unsigned r = 1; r < 8; r++)
		expect(0, 2, 0x01, 0xc1 | r << 3);
	expect_done("regsrc add ecx, eax");

	/* A memory operand is no register operand. */
	variants_of(known("helper", 7, "034310"), FIMUT_REGSRC);
	CHECK_EQ(vars.n, 0);
}

static void test_pointer(void)
{
	const struct fimut_insn *in = known("helper", 7, "034310");   /* add eax, [rbx+0x10] */
	variants_of(in, FIMUT_POINTER);
	for (unsigned b = 0; b < 8; b++)
		expect(0, 3, 0x03, 0x43, 0x10 ^ (1 << b));
	/* rm=4 would need a SIB byte (longer): not offered; rm=5 with mod=1 is rbp. */
	for (unsigned r = 0; r < 8; r++)
		if (r != 3 && r != 4)
			expect(1, 3, 0x03, 0x40 | r, 0x10);
	expect_done("pointer add eax, [rbx+0x10]");

	in = known("helper", 10, "498b442408");                        /* mov rax, [r12+8] */
	variants_of(in, FIMUT_POINTER);
	for (unsigned b = 0; b < 8; b++)
		expect(0, 5, 0x49, 0x8b, 0x44, 0x24, 0x08 ^ (1 << b));
	for (unsigned r = 0; r < 16; r++)      /* SIB base with REX.B */
		if (r != 12)
			expect(1, 5, 0x48 | (r >> 3), 0x8b, 0x44, 0x20 | (r & 7), 0x08);
	expect_done("pointer mov rax, [r12+8]");

	/* No base register (RIP-relative, SIB without base): only the displacement. */
	variants_of(known("riprel", 0, "488b0510000000"), FIMUT_POINTER);
	for (unsigned b = 0; b < 32; b++) {
		uint32_t d = 0x10u ^ (1u << b);
		expect(0, 7, 0x48, 0x8b, 0x05, d & 0xff, (d >> 8) & 0xff, (d >> 16) & 0xff, d >> 24);
	}
	expect_done("pointer mov rax, [rip+0x10]");
	variants_of(known("riprel", 7, "8b048d00100000"), FIMUT_POINTER);
	for (unsigned b = 0; b < 32; b++) {
		uint32_t d = 0x1000u ^ (1u << b);
		expect(0, 7, 0x8b, 0x04, 0x8d, d & 0xff, (d >> 8) & 0xff, (d >> 16) & 0xff, d >> 24);
	}
	expect_done("pointer mov eax, [rcx*4+0x1000]");

	variants_of(known("helper", 0, "4889d7"), FIMUT_POINTER);
	CHECK_EQ(vars.n, 0);
}

/* Every variant can be picked, and each kind half the time (not 8 : 15). */
static void test_pick(void)
{
	static const struct { const char *f; uint64_t off; const char *hex; int type; } cases[] = {
		{ "helper", 10, "498b442408", FIMUT_POINTER },
		{ "helper", 0, "4889d7", FIMUT_REGSRC },
		{ "helper", 3, "31c0", FIMUT_BITFLIP },
	};

	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		unsigned hits[FIMUT_MAX_VARIANTS] = { 0 }, kind1 = 0, unreached = 0, kinds = 0;
		variants_of(known(cases[c].f, cases[c].off, cases[c].hex), cases[c].type);
		for (unsigned i = 0; i < vars.n; i++)
			kinds |= 1u << vars.kind[i];
		for (uint64_t k = 0; k < 4000; k++) {
			struct fimut_rng r = fimut_rng_for(1, k);
			unsigned i = fimut_variant_pick(&vars, &r);
			hits[i]++;
			kind1 += vars.kind[i];
		}
		for (unsigned i = 0; i < vars.n; i++)
			unreached += !hits[i];
		CHECK_EQ(unreached, 0);
		if (kinds == 3)
			CHECK(kind1 > 1800 && kind1 < 2200);
	}
}

static void test_interface(void)
{
	const struct fimut_insn *in = known("irq_ack", 0, "b803000000");
	variants_of(in, FIMUT_INTERFACE);
	for (unsigned b = 0; b < 32; b++) {
		uint32_t v = 3u ^ (1u << b);
		expect(0, 5, 0xb8, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24);
	}
	expect(1, 5, 0xb8, 0x04, 0, 0, 0);
	expect(1, 5, 0xb8, 0x02, 0, 0, 0);
	expect_done("interface mov eax, 3");
	CHECK(in->types & (1u << FIMUT_INTERFACE));

	/* Context: loaded, then overwritten before the call; too far from the call. */
	CHECK(!(known("dead_imm", 0, "be05000000")->types & (1u << FIMUT_INTERFACE)));
	CHECK(known("dead_imm", 5, "be06000000")->types & (1u << FIMUT_INTERFACE));
	CHECK(!(known("dead_imm", 15, "bf07000000")->types & (1u << FIMUT_INTERFACE)));
	CHECK(known("hc_user", 0, "b814000000")->types & (1u << FIMUT_INTERFACE));
	/* Only argument registers: the call's (SysV) or the vmmcall's. */
	CHECK(!(known("callee_saved", 0, "bb09000000")->types & (1u << FIMUT_INTERFACE)));
	CHECK(!(known("callee_saved", 5, "41ba01000000")->types & (1u << FIMUT_INTERFACE)));
	CHECK(known("callee_saved", 16, "41ba02000000")->types & (1u << FIMUT_INTERFACE));
}

static void test_branch_nop(void)
{
	variants_of(known("helper", 15, "7406"), FIMUT_BRANCH);
	expect(0, 2, 0x75, 0x06);
	expect_done("branch je short");
	variants_of(known("helper", 17, "0f8500000000"), FIMUT_BRANCH);
	expect(0, 6, 0x0f, 0x84, 0, 0, 0, 0);
	expect_done("branch jne near");
	variants_of(known("helper", 3, "31c0"), FIMUT_BRANCH);
	CHECK_EQ(vars.n, 0);

	variants_of(known("helper", 10, "498b442408"), FIMUT_NOP);
	expect(0, 5, 0x90, 0x90, 0x90, 0x90, 0x90);
	expect_done("nop mov");

	variants_of(known("helper", 3, "31c0"), FIMUT_BITFLIP);
	for (unsigned b = 0; b < 16; b++)
		expect(0, 2, 0x31 ^ (b < 8 ? 1 << b : 0), 0xc0 ^ (b >= 8 ? 1 << (b - 8) : 0));
	expect_done("bitflip xor");
}

static void test_init_irq(void)
{
	const struct fimut_insn *call = known("start", 0, "e801000000");
	variants_of(call, FIMUT_INIT);
	expect(0, 5, 0x90, 0x90, 0x90, 0x90, 0x90);
	expect_done("init call");
	CHECK(call->types & (1u << FIMUT_INIT));
	CHECK(!(known("dead_imm", 10, "e8adffffff")->types & (1u << FIMUT_INIT)));

	const struct fimut_insn *vmm = known("irq_ack", 5, "0f01d9");
	variants_of(vmm, FIMUT_IRQ);
	expect(0, 3, 0x90, 0x90, 0x90);
	expect_done("irq vmmcall");
	CHECK(vmm->types & (1u << FIMUT_IRQ));
	CHECK(known("hc_user", 8, "0f01d9")->types & (1u << FIMUT_IRQ));      /* HC 20 */
	CHECK(!(known("hc_user", 16, "0f01d9")->types & (1u << FIMUT_IRQ)));  /* HC 3 */
	CHECK_EQ(code.ncand[FIMUT_IRQ], 2);
	CHECK_EQ(code.ncand[FIMUT_INIT], 1);
	CHECK_EQ(code.ncand[FIMUT_BRANCH], 2);
}

/* Parse args; o points into a static buffer until the next call. */
static int opts(struct fimut_opts *o, char *err, const char *args)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "fimut %s", args);
	for (char *p = strtok(buf, " "); p && argc < 31; p = strtok(NULL, " "))
		argv[argc++] = p;
	argv[argc] = NULL;
	return fimut_opts_parse(argc, argv, o, err, 200);
}

/* The whole plan text for these arguments (on the code scanned from 'e'). */
static char *plan(const struct fimut_code *c, const char *args)
{
	struct fimut_opts o;
	char err[200], *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	CHECK_EQ(opts(&o, err, args), 0);
	CHECK_EQ(fimut_plan_fit_types(&o, c, NULL, err, sizeof(err)), 0);
	CHECK_EQ(fimut_plan_write(h, &o, c, f, err, sizeof(err)), 0);
	fclose(f);
	return text;
}

static void test_determinism(void)
{
	char *a = plan(&code, "--elf x --seed 1 --count 200");
	char *b = plan(&code, "--elf x --seed 1 --count 200");
	char *c = plan(&code, "--elf x --seed 2 --count 200");
	char *d = plan(&code, "--elf x --seed 1 --count 20");
	char *e = plan(&code, "--elf x --seed 1 --count 1 --id-start 7 --gen-start 8");

	CHECK(!strcmp(a, b));
	CHECK(strcmp(a, c));
	CHECK(!strncmp(a, d, strlen(d)));               /* fault k does not depend on N */
	const char *line7 = strstr(a, "fault id=7 ");
	CHECK(line7 && !strncmp(line7, e, strlen(e)));  /* replay of one fault */
	CHECK(!strncmp(a, "fault id=0 domain=netdd gen=1 after=0 addr=0x", 45));
	free(a), free(b), free(c), free(d), free(e);

	a = plan(&code, "--elf x --seed 3 --count 4 --types branch,nop --domain nic0 --after 500");
	CHECK(strstr(a, "fault id=0 domain=nic0 gen=1 after=500 ") && strstr(a, " type=branch\n"));
	CHECK(strstr(a, "fault id=1 domain=nic0 gen=2 after=500 ") && strstr(a, " type=nop\n"));
	free(a);
}

/* b decodes to one instruction of len bytes (with Capstone id 'id' if not 0). */
static int decodes_same_len(const uint8_t *b, unsigned len, uint64_t addr, unsigned id)
{
	cs_insn *d = fimut_x86_decode(h, b, len, addr);
	int ok = d && (!id || d->id == id);

	if (d)
		cs_free(d, 1);
	return ok;
}

/* b decodes to valid instructions covering exactly len bytes (NOP padding). */
static int decodes_all(const uint8_t *b, unsigned len, uint64_t addr)
{
	cs_insn *d;
	size_t n = cs_disasm(h, b, len, addr, 0, &d), sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += d[i].size;
	if (n)
		cs_free(d, n);
	return n && sum == len;
}

/* Where the call e8 rel32 at addr goes (0 if b is not such a call). */
static uint64_t call_target(const uint8_t *b, uint64_t addr)
{
	int32_t rel = (int32_t)((uint32_t)b[1] | (uint32_t)b[2] << 8 | (uint32_t)b[3] << 16 |
				(uint32_t)b[4] << 24);

	return b[0] == 0xe8 ? addr + 5 + (int64_t)rel : 0;
}

/* Every fault of many plans: orig from the ELF, new valid where promised. */
static void check_plans(const struct fimut_elf *e, const struct fimut_code *c, const char *what)
{
	unsigned bad = 0, total = 0;

	for (uint64_t seed = 1; seed <= 10; seed++) {
		struct fimut_opts o;
		char err[200], args[100];
		snprintf(args, sizeof(args), "--elf x --seed %llu --count 900", (unsigned long long)seed);
		CHECK_EQ(opts(&o, err, args), 0);
		CHECK_EQ(fimut_plan_fit_types(&o, c, NULL, err, sizeof(err)), 0);
		for (unsigned i = 0; i < o.count; i++, total++) {
			struct fimut_fault f;
			if (fimut_plan_fault(h, &o, c, i, &f)) {
				bad++;
				continue;
			}
			const uint8_t *text = fimut_elf_text(e, f.addr, f.len);
			cs_insn *d = fimut_x86_decode(h, f.orig, f.len, f.addr);
			unsigned id = d ? d->id : 0;
			if (d)
				cs_free(d, 1);
			int ok = text && !memcmp(text, f.orig, f.len) && id && memcmp(f.orig, f.new, f.len);
			switch (f.type) {
			case FIMUT_REGSRC: case FIMUT_REGDST: case FIMUT_POINTER:
				ok &= decodes_same_len(f.new, f.len, f.addr, id);
				break;
			case FIMUT_BRANCH: case FIMUT_INTERFACE:
				ok &= decodes_same_len(f.new, f.len, f.addr, 0);
				break;
			case FIMUT_NOP: case FIMUT_INIT: case FIMUT_IRQ:
				ok &= decodes_all(f.new, f.len, f.addr);
				break;
			case FIMUT_BITFLIP:     /* promises nothing */
				break;
			default:                /* a site: its NOP becomes a call to the hook */
				ok &= f.type >= FIMUT_NTYPES && f.len == 5 &&
				      !memcmp(f.orig, fimut_site_nop, 5) &&
				      call_target(f.new, f.addr) == c->st[f.type - FIMUT_NTYPES].hook;
				break;
			}
			if (!ok && bad++ < 5)
				printf("FAIL %s: seed %llu fault %u (type %s at 0x%llx)\n", what,
				       (unsigned long long)seed, i, fimut_code_type_name(c, f.type),
				       (unsigned long long)f.addr);
		}
	}
	CHECK_EQ(bad, 0);
	printf("%s: %u faults checked\n", what, total);
}

static void test_errors(void)
{
	struct fimut_opts o;
	struct fimut_elf e;
	char err[200];

	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 3 --types nop,Bogus"), -1);
	CHECK(strstr(err, "unknown fault type 'Bogus'"));
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 3 --types nop,bogus"), 0);
	CHECK_EQ(fimut_plan_fit_types(&o, &code, NULL, err, sizeof(err)), -1);
	CHECK(strstr(err, "unknown fault type 'bogus'"));
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 3 --types nop,nop"), -1);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 0"), -1);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 1001"), -1);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 1000"), 0);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 12 --gen-start 990"), -1);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 11 --gen-start 990"), 0);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 2 --id-start 999999"), -1);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 1 --after 1000000001"), -1);
	CHECK_EQ(opts(&o, err, "--elf x --seed -1 --count 1"), -1);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 1 --domain bad.name"), -1);
	CHECK_EQ(opts(&o, err, "--seed 1 --count 1"), -1);
	CHECK(strstr(err, "--elf"));
	CHECK_EQ(opts(&o, err, "--elf x --count 1"), -1);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count"), -1);
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 1 --frobnicate"), -1);
	CHECK_EQ(opts(&o, err, "--list-types"), 0);

	/* A type without candidates: an error when asked for, left out by default. */
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 1 --types irq"), 0);
	struct fimut_code few;
	CHECK_EQ(fimut_scan(h, &elf, "helper", &few), 0);
	CHECK_EQ(fimut_plan_fit_types(&o, &few, NULL, err, sizeof(err)), -1);
	CHECK(strstr(err, "'irq'"));
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 1"), 0);
	CHECK_EQ(fimut_plan_fit_types(&o, &few, NULL, err, sizeof(err)), 0);
	CHECK_EQ(o.ntypes, 6 + 2);              /* no interface, init, irq in helper; sites kick, stall */
	fimut_code_free(&few);

	CHECK_EQ(fimut_elf_load(FIMUT_SAMPLE ".no-such-file", &e, err, sizeof(err)), -1);
	CHECK(strstr(err, "No such file"));
	CHECK_EQ(fimut_elf_load(FIMUT_NOT_ELF, &e, err, sizeof(err)), -1);
	CHECK(strstr(err, "not an ELF"));
	uint8_t *cut = malloc(200);             /* headers promise more than the file has */
	memcpy(cut, elf.data, 200);
	CHECK_EQ(fimut_elf_parse(cut, 200, &e, err, sizeof(err)), -1);
	fimut_elf_free(&e);
}

/* Corrupted ELFs: rejected or read within bounds (ASan watches). */
static void test_elf_corrupt(void)
{
	unsigned parsed = 0;

	for (uint64_t k = 0; k < 3000; k++) {
		struct fimut_rng r = fimut_rng_for(99, k);
		struct fimut_elf e;
		struct fimut_code c;
		char err[200];
		uint8_t *b = malloc(elf.len);
		memcpy(b, elf.data, elf.len);
		for (unsigned n = 1 + (unsigned)fimut_rng_below(&r, 4); n--;)
			b[fimut_rng_below(&r, elf.len)] = (uint8_t)fimut_rng_next(&r);
		if (!fimut_elf_parse(b, elf.len, &e, err, sizeof(err))) {
			parsed++;
			CHECK_EQ(fimut_scan(h, &e, NULL, &c), 0);
			fimut_code_free(&c);
		}
		fimut_elf_free(&e);
	}
	CHECK(parsed > 0);
}

static void test_elf(void)
{
	CHECK_EQ(elf.nsecs, 1);
	CHECK_EQ(elf.nfuncs, 12);               /* sites are not functions, hooks are */
	CHECK_EQ(elf.nsites, 5);
	CHECK_EQ(elf.nhooks, 3);
	CHECK(!strcmp(elf.funcs[0].name, "start") && elf.funcs[0].size == 6);
	CHECK(!strcmp(elf.funcs[1].name, "helper") && elf.funcs[1].addr == 0x100006);
	CHECK(fimut_elf_text(&elf, 0x100000, 1) && fimut_elf_text(&elf, 0x100000, 1)[0] == 0xe8);
	CHECK(!fimut_elf_text(&elf, 0xfffff, 1));
	CHECK(!fimut_elf_text(&elf, elf.secs[0].addr + elf.secs[0].size - 1, 2));
}

static uint64_t func_addr(const struct fimut_elf *e, const char *name)
{
	for (unsigned i = 0; i < e->nfuncs; i++)
		if (!strcmp(e->funcs[i].name, name))
			return e->funcs[i].addr;
	return 0;
}

/* No code fault in a site's NOP, a hook (fi_hook*) or a helper only faults
 * run (nicfaults_*). */
static void check_code_avoids_sites(const struct fimut_elf *e, const struct fimut_code *c,
				    const char *what)
{
	unsigned bad = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct fimut_insn *in = &c->v[i];
		if (fimut_in_site(e, in->addr, in->len) ||
		    !strncmp(e->funcs[in->func].name, "fi_hook", 7) ||
		    !strncmp(e->funcs[in->func].name, "nicfaults_", 10))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK(c->n > 0);
	printf("%s: %zu code candidates, none in %u sites or the hooks\n", what, c->n, e->nsites);
}

static void test_sites(void)
{
	struct fimut_opts o;
	char err[300];
	uint64_t sited = func_addr(&elf, "sited"), stall = func_addr(&elf, "fi_hook_stall"),
		 kick = func_addr(&elf, "fi_hook_kick");

	CHECK_EQ(fimut_site_type_len("desc_len_2"), 8);
	CHECK_EQ(fimut_site_type_len("dma_wild"), 8);
	CHECK_EQ(fimut_site_type_len("x_12"), 1);
	CHECK_EQ(fimut_site_type_len("_3"), 2);
	CHECK_EQ(fimut_site_type_len("a_"), 2);
	CHECK(sited && stall && kick && func_addr(&elf, "nicfaults_helper"));
	/* Two types, by name; stall's two sites by address; orphan (no hook) and bad (no NOP) none. */
	CHECK_EQ(code.nst, 2);
	CHECK(!strcmp(code.st[0].name, "kick") && code.st[0].nsites == 1 && code.st[0].hook == kick);
	CHECK(code.st[0].sites[0] == sited + 15);
	CHECK(!strcmp(code.st[1].name, "stall") && code.st[1].nsites == 2 && code.st[1].hook == stall);
	CHECK(code.st[1].sites[0] == sited + 3 && code.st[1].sites[1] == sited + 10);
	CHECK(insn_at("sited", 8)->func == insn_at("sited", 0)->func);  /* a site does not cut it */
	unsigned in_sites = 0;
	for (size_t i = 0; i < code.n; i++)
		in_sites += code.v[i].addr >= sited + 3 && code.v[i].addr < sited + 30 &&
			    code.v[i].addr != sited + 8;
	CHECK_EQ(in_sites, 0);
	check_code_avoids_sites(&elf, &code, "sample");

	/* The default: code types with candidates, then the site types by name. */
	CHECK_EQ(opts(&o, err, "--elf x --seed 1 --count 11"), 0);
	CHECK_EQ(fimut_plan_fit_types(&o, &code, NULL, err, sizeof(err)), 0);
	CHECK_EQ(o.ntypes, FIMUT_NTYPES + 2);
	CHECK_EQ(o.types[FIMUT_NTYPES], FIMUT_NTYPES);
	char *a = plan(&code, "--elf x --seed 1 --count 11");
	CHECK(strstr(a, "fault id=9 ") && strstr(strstr(a, "fault id=9 "), "type=kick\n"));
	CHECK(strstr(a, "fault id=10 ") && strstr(strstr(a, "fault id=10 "), "type=stall\n"));
	free(a);

	/* The call's rel32, little endian, to the hook; both stall sites get picked. */
	char line[160];
	snprintf(line, sizeof(line), "fault id=1 domain=netdd gen=2 after=0 addr=0x%llx "
		 "orig=0f1f440000 new=e8%02x%02x%02x%02x type=kick\n", (unsigned long long)(sited + 15),
		 (unsigned)((kick - sited - 20) & 0xff), (unsigned)((kick - sited - 20) >> 8 & 0xff),
		 (unsigned)((kick - sited - 20) >> 16 & 0xff), (unsigned)((kick - sited - 20) >> 24 & 0xff));
	unsigned seen[2] = { 0, 0 };
	for (unsigned seed = 1; seed <= 20; seed++) {
		char args[80];
		snprintf(args, sizeof(args), "--elf x --seed %u --count 2 --types stall,kick", seed);
		a = plan(&code, args);
		CHECK(strstr(a, line) != NULL);
		char *s2 = strstr(a, "fault id=0 ");
		seen[0] += s2 && strstr(s2, "addr=0x") &&
			   strtoull(strstr(s2, "addr=0x") + 5, NULL, 16) == sited + 3;
		seen[1] += s2 && strtoull(strstr(s2, "addr=0x") + 5, NULL, 16) == sited + 10;
		free(a);
	}
	CHECK(seen[0] > 0 && seen[1] > 0 && seen[0] + seen[1] == 20);
	/* Determinism: same arguments, same faults; fault k alone is the same line. */
	a = plan(&code, "--elf x --seed 7 --count 30 --types stall,nop,kick");
	char *b = plan(&code, "--elf x --seed 7 --count 30 --types stall,nop,kick");
	char *one = plan(&code, "--elf x --seed 7 --count 1 --types stall,nop,kick --id-start 12 --gen-start 13");
	CHECK(!strcmp(a, b));
	CHECK(strstr(a, one) != NULL && strstr(one, "type=stall"));
	free(a), free(b), free(one);

	/* A site type the ELF lacks (a site without a hook, a site that is not the NOP). */
	const char *missing[] = { "kick,orphan", "bad", "stall_2", "fi_site_stall" };
	for (unsigned i = 0; i < 4; i++) {
		char args[80];
		snprintf(args, sizeof(args), "--elf x --seed 1 --count 2 --types %s", missing[i]);
		CHECK_EQ(opts(&o, err, args), 0);
		CHECK_EQ(fimut_plan_fit_types(&o, &code, NULL, err, sizeof(err)), -1);
		CHECK(strstr(err, "unknown fault type"));
	}
#ifdef FIMUT_BIN
	/* The tool itself: exit status 2 for such a type, 0 for a present one. */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "%s --elf %s --seed 1 --count 1 --types orphan 2>/dev/null >/dev/null",
		 FIMUT_BIN, FIMUT_SAMPLE);
	int rc = system(cmd);
	CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
	snprintf(cmd, sizeof(cmd), "%s --elf %s --seed 1 --count 1 --types kick >/dev/null",
		 FIMUT_BIN, FIMUT_SAMPLE);
	rc = system(cmd);
	CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
#endif
}

int main(void)
{
	char err[200];

	if (fimut_elf_load(FIMUT_SAMPLE, &elf, err, sizeof(err))) {
		printf("FAIL: %s\n", err);
		return 1;
	}
	CHECK(cs_open(CS_ARCH_X86, CS_MODE_64, &h) == CS_ERR_OK);
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	CHECK_EQ(fimut_scan(h, &elf, NULL, &code), 0);
	test_elf();
	test_elf_corrupt();
	test_registers();
	test_pointer();
	test_pick();
	test_interface();
	test_branch_nop();
	test_init_irq();
	test_determinism();
	test_errors();
	test_sites();
	check_plans(&elf, &code, "sample");

	struct fimut_elf nd;
	struct fimut_code ndc;
	if (fimut_elf_load(FIMUT_NETDD, &nd, err, sizeof(err)) == 0) {
		CHECK_EQ(fimut_scan(h, &nd, NULL, &ndc), 0);
		for (int t = 0; t < FIMUT_NTYPES; t++)
			CHECK(ndc.ncand[t] > 0);
		/* Every site type of docs/faultinject.md, one site each, hooks present. */
		static const char *const site_types[] = {
			"desc_len", "desc_status", "dev_stop", "dma_irqwin", "dma_wild", "evt_storm",
			"hang_irqoff", "hang_irqon", "irq_lost", "irq_storm", "proto_ahead",
			"proto_back", "proto_badid", "proto_garbage", "serve_none", "wd_starve",
		};
		CHECK_EQ(ndc.nst, 16);
		for (unsigned i = 0; i < ndc.nst && i < 16; i++)
			CHECK(!strcmp(ndc.st[i].name, site_types[i]) && ndc.st[i].nsites == 1 &&
			      ndc.st[i].hook);
		check_code_avoids_sites(&nd, &ndc, "netdd");
		check_plans(&nd, &ndc, "netdd");
		fimut_code_free(&ndc);
		fimut_elf_free(&nd);
	} else {
		printf("note: %s; netdd not checked (make all first)\n", err);
	}
	fimut_code_free(&code);
	fimut_elf_free(&elf);
	cs_close(&h);
	return unit_done("fimut");
}
