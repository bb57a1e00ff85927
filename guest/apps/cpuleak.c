/*
 * CPU state isolation between domains (tests/qemu/cpu_state.scn). Each
 * instance puts markers that name it into the registers the hypervisor must
 * keep per vCPU: xmm0-15 (all of ymm0-15 with AVX), MXCSR, the x87 control
 * word, DR0-DR3, DR7, KernelGsBase (through a GDT-loaded GS base and SWAPGS)
 * and XCR0. Then it yields and spins many times, and after every switch checks
 * that each register still holds its own marker. A value that is another
 * instance's marker is a leak; anything else is corruption. role=reader first
 * checks that a new domain starts from the reset state, not from what ran
 * before it. With XSAVE, role=writer also checks that bad XSETBV values get
 * #GP. Guests are compiled -mgeneral-regs-only: registers are reached through
 * inline assembly only.
 *
 * args: role=writer|reader id=1..15 rounds=N spin=M (busy loop every 4th round)
 */
#include "rt/test.h"

#define MARK_BASE   0x00006d6b00000000ull   /* canonical: DR0-3 accept it */
#define CR4_OSFXSR  (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE (1ull << 18)
#define XCR0_AVX    7ull                    /* x87 | SSE | AVX */
#define MAX_REPORTS 12

enum cat { C_XMM, C_YMM, C_MXCSR, C_FCW, C_DR, C_DR7, C_KGS, C_XCR0, C_XSETBV, C_N };
static const char *const cat_name[C_N] = {
	"xmm", "ymm-upper", "mxcsr", "x87-fcw", "dr0-3", "dr7", "kernelgsbase", "xcr0", "xsetbv",
};

static unsigned my_id;
static int avx;
static uint64_t leaks[C_N], changes[C_N], reports;
/* GS bases point here: %gs:0 names the instance whose base is loaded. */
static uint64_t gs_slots[16];
static uint64_t gdt[4] __attribute__((aligned(16)));
static volatile uint64_t gp_count __attribute__((used));

static uint64_t mark(unsigned id, unsigned what) { return MARK_BASE | (uint64_t)id << 24 | what; }
static unsigned mark_owner(uint64_t v)
{
	return (v & 0xffffffff00000000ull) == MARK_BASE ? (unsigned)(v >> 24) & 0xff : 0;
}
static uint32_t mxcsr_mark(unsigned id) { return 0x1f80 | (id & 3) << 13; }
static uint16_t fcw_mark(unsigned id) { return (uint16_t)(0x037f ^ (id & 3) << 10); }
static uint64_t dr7_mark(unsigned id) { return 0x400 | ((id * 0x11) & 0xff); }

/* The owner of a control-register value, if it is some instance's marker. */
static unsigned small_owner(enum cat c, uint64_t v)
{
	for (unsigned k = 1; k < 16; k++) {
		if ((c == C_MXCSR && k < 4 && v == mxcsr_mark(k)) ||
		    (c == C_FCW && k < 4 && v == fcw_mark(k)) || (c == C_DR7 && v == dr7_mark(k)))
			return k;
	}
	return c == C_XCR0 && v == XCR0_AVX ? 99 : 0;
}

static void expect(enum cat c, unsigned idx, uint64_t got, uint64_t want, const char *when)
{
	if (got == want)
		return;
	int small = c == C_MXCSR || c == C_FCW || c == C_DR7 || c == C_XCR0;
	unsigned owner = small ? small_owner(c, got) : mark_owner(got);
	int leak = owner && owner != my_id;
	if (leak)
		leaks[c]++;
	else
		changes[c]++;
	if (reports++ < MAX_REPORTS)
		gprintf("cpuleak %u: %s %s%u = 0x%lx, want 0x%lx (%s)%s\n", my_id, when, cat_name[c],
			idx, got, want, leak ? "another domain's marker" : "changed",
			leak ? ": LEAK" : "");
}

/* ---- register access ---- */
static uint64_t cr4_read(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static void cr4_write(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static void xsetbv(uint32_t idx, uint64_t v)
{
	__asm__ volatile("xsetbv" :: "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}
static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

#define IRP16 ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
static void vec_write(const uint64_t *b)     /* 16 x 32 bytes */
{
	if (avx)
		__asm__ volatile(IRP16 "vmovdqu \\r*32(%0), %%ymm\\r\n\t.endr" :: "r"(b) : "memory");
	else
		__asm__ volatile(IRP16 "movdqu \\r*32(%0), %%xmm\\r\n\t.endr" :: "r"(b) : "memory");
}
static void vec_read(uint64_t *b)
{
	if (avx)
		__asm__ volatile(IRP16 "vmovdqu %%ymm\\r, \\r*32(%0)\n\t.endr" :: "r"(b) : "memory");
	else
		__asm__ volatile(IRP16 "movdqu %%xmm\\r, \\r*32(%0)\n\t.endr" :: "r"(b) : "memory");
}

static void dr_write(const uint64_t d[4], uint64_t dr7)
{
	__asm__ volatile("mov %0, %%dr0\n\tmov %1, %%dr1\n\tmov %2, %%dr2\n\tmov %3, %%dr3\n\t"
			 "mov %4, %%dr7" :: "r"(d[0]), "r"(d[1]), "r"(d[2]), "r"(d[3]), "r"(dr7));
}
static void dr_read(uint64_t d[5])
{
	__asm__ volatile("mov %%dr0, %0\n\tmov %%dr1, %1\n\tmov %%dr2, %2\n\tmov %%dr3, %3\n\t"
			 "mov %%dr7, %4" : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3]), "=r"(d[4]));
}

/* KernelGsBase := &gs_slots[id]: load GS from a descriptor of our own GDT
 * (a 32-bit base), then SWAPGS moves that base into KernelGsBase. */
static void kgs_write(unsigned id)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p;
	uint32_t b = (uint32_t)(uintptr_t)&gs_slots[id];

	__asm__ volatile("sgdt %0" : "=m"(p));
	for (unsigned i = 0; i < 3; i++)
		gdt[i] = ((volatile uint64_t *)(uintptr_t)p.base)[i];
	gdt[3] = 0x00cf92000000ffffull | (uint64_t)(b & 0xffffff) << 16 | (uint64_t)(b >> 24) << 56;
	p.limit = sizeof(gdt) - 1;
	p.base = (uint64_t)(uintptr_t)gdt;
	__asm__ volatile("lgdt %0\n\tmov $0x18, %%eax\n\tmov %%eax, %%gs\n\tswapgs"
			 :: "m"(p) : "rax", "memory");
}
/* What KernelGsBase points at (it must point into gs_slots: a base of 0
 * would fault). */
static uint64_t kgs_read(void)
{
	uint64_t v;
	__asm__ volatile("swapgs\n\tmov %%gs:0, %0\n\tswapgs" : "=r"(v) :: "memory");
	return v;
}

/* ---- the markers ---- */
static void set_markers(void)
{
	static uint64_t v[64] __attribute__((aligned(32)));
	uint64_t d[4];
	uint32_t mx = mxcsr_mark(my_id);
	uint16_t fcw = fcw_mark(my_id);

	for (unsigned i = 0; i < 64; i++)
		v[i] = mark(my_id, 0x100 + i);
	vec_write(v);
	__asm__ volatile("ldmxcsr %0\n\tfldcw %1" :: "m"(mx), "m"(fcw));
	for (unsigned i = 0; i < 4; i++)
		d[i] = mark(my_id, 0x300 + i);
	dr_write(d, dr7_mark(my_id));
	kgs_write(my_id);
}

static void check_markers(const char *when)
{
	static uint64_t v[64] __attribute__((aligned(32)));
	uint64_t d[5];
	uint32_t mx;
	uint16_t fcw;

	vec_read(v);
	for (unsigned i = 0; i < 64; i++)
		if (avx || (i & 3) < 2)
			expect((i & 3) < 2 ? C_XMM : C_YMM, i / 4, v[i], mark(my_id, 0x100 + i), when);
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx), "=m"(fcw));
	expect(C_MXCSR, 0, mx, mxcsr_mark(my_id), when);
	expect(C_FCW, 0, fcw, fcw_mark(my_id), when);
	dr_read(d);
	for (unsigned i = 0; i < 4; i++)
		expect(C_DR, i, d[i], mark(my_id, 0x300 + i), when);
	expect(C_DR7, 7, d[4], dr7_mark(my_id), when);
	expect(C_KGS, 0, kgs_read(), mark(my_id, 0x400), when);
	if (avx)
		expect(C_XCR0, 0, xgetbv0(), XCR0_AVX, when);
}

/* A new domain: registers in their reset state. KernelGsBase is 0 there and
 * cannot be dereferenced; the periodic checks cover it. */
static void check_fresh(int xsave)
{
	static uint64_t v[64] __attribute__((aligned(32)));
	uint64_t d[5];
	uint32_t mx;
	uint16_t fcw;

	__asm__ volatile(IRP16 "movdqu %%xmm\\r, \\r*32(%0)\n\t.endr" :: "r"(v) : "memory");
	for (unsigned i = 0; i < 64; i++)
		if ((i & 3) < 2)
			expect(C_XMM, i / 4, v[i], 0, "at start");
	__asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx), "=m"(fcw));
	expect(C_MXCSR, 0, mx, 0x1f80, "at start");
	expect(C_FCW, 0, fcw, 0x037f, "at start");
	dr_read(d);
	for (unsigned i = 0; i < 4; i++)
		expect(C_DR, i, d[i], 0, "at start");
	expect(C_DR7, 7, d[4], 0x400, "at start");
	if (xsave)
		expect(C_XCR0, 0, xgetbv0(), 1, "at start");
}

/* ---- XSETBV validation: bad values must raise #GP, not be taken ---- */
__asm__(".text\n"
	"cpuleak_gp_stub:\n\t"
	"add $8, %rsp\n\t"                   /* error code */
	"addq $3, (%rsp)\n\t"                /* step over XSETBV (0f 01 d1) */
	"lock incq gp_count(%rip)\n\t"
	"iretq\n");
extern char cpuleak_gp_stub[];

static void set_gate(unsigned vec, void *fn)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p;
	uint64_t a = (uint64_t)(uintptr_t)fn;

	__asm__ volatile("sidt %0" : "=m"(p));
	volatile uint64_t *g = (volatile uint64_t *)(uintptr_t)(p.base + 16 * vec);
	g[0] = (a & 0xffff) | 0x08ull << 16 | 0x8eull << 40 | (a >> 16 & 0xffff) << 48;
	g[1] = a >> 32;
}

static void check_xsetbv(void)
{
	static const struct { uint32_t idx; uint64_t v; } bad[] = {
		{ 1, 1 }, { 0, 0 }, { 0, 2 }, { 0, 1ull << 62 }, { 0, 0x5 }, { 0, 0x20 | XCR0_AVX },
	};
	unsigned n = 0;

	set_gate(13, cpuleak_gp_stub);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t before = gp_count;
		xsetbv(bad[i].idx, bad[i].v);
		n++;
		expect(C_XSETBV, i, gp_count - before, 1, "#GP count for a bad value");
	}
	expect(C_XCR0, 0, xgetbv0(), 1, "after bad XSETBVs");
	xsetbv(0, 3);
	expect(C_XCR0, 0, xgetbv0(), 3, "after XSETBV 3");
	expect(C_XSETBV, 99, gp_count, n, "total #GP");
}

static void spin(uint64_t n)
{
	for (volatile uint64_t i = 0; i < n; i++)
		;
}

int main(void)
{
	char role[16];
	uint32_t r[4];
	uint64_t rounds = rt_arg_u64("rounds", 200), spins = rt_arg_u64("spin", 200000);

	my_id = (unsigned)rt_arg_u64("id", 0);
	if (!rt_arg_str("role", role, sizeof(role)) || my_id < 1 || my_id > 15)
		rt_fail("cpuleak: want role=writer|reader id=1..15");
	int reader = !strcmp(role, "reader");
	for (unsigned i = 0; i < 16; i++)
		gs_slots[i] = mark(i, 0x400);

	cpuid(1, 0, r);
	int xsave = (r[2] >> 26) & 1, has_avx = (r[2] >> 28) & 1;
	cr4_write(cr4_read() | CR4_OSFXSR | CR4_OSXMMEXCPT | (xsave ? CR4_OSXSAVE : 0));
	if (reader)
		check_fresh(xsave);
	if (xsave && !reader)
		check_xsetbv();
	if (xsave && has_avx) {
		cpuid(0xd, 0, r);
		if ((r[0] & XCR0_AVX) == XCR0_AVX) {
			xsetbv(0, XCR0_AVX);
			avx = 1;
		}
	}
	gprintf("cpuleak %u %s: xsave %s, avx %s, %lu rounds\n", my_id, role,
		xsave ? "on" : "off", avx ? "on" : "off", rounds);
	set_markers();
	check_markers("after setting");
	for (uint64_t i = 0; i < rounds; i++) {
		if (i % 4 == 3)
			spin(spins);
		else
			hv_yield();
		check_markers("after a switch");
	}

	uint64_t nl = 0, nc = 0;
	for (unsigned c = 0; c < C_N; c++) {
		nl += leaks[c];
		nc += changes[c];
		if (leaks[c] || changes[c])
			gprintf("cpuleak %u: %s: %lu leaked values, %lu changed values\n", my_id,
				cat_name[c], leaks[c], changes[c]);
	}
	gprintf("cpuleak %u %s: %lu rounds, %lu leaks, %lu changes\n", my_id, role, rounds, nl, nc);
	return nl + nc ? 1 : 0;
}
