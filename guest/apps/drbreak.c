/*
 * Hardware breakpoints must stay inside the domain that armed them.
 * role=armer: arms DR0 as an instruction breakpoint at addr= (an address in
 * the hypervisor, given by the test) or, without addr=, at this image's
 * victim_fn; DR1 and DR2 as 8-byte write and read/write watchpoints at waddr=
 * (hypervisor data the test names) or, without it, at this image's 'calls'
 * counter, which the victim instance writes at the same address. Then it
 * keeps yielding: neither the hypervisor nor another domain may ever take its
 * breakpoints, and its DR7 must read back as written every time. It also
 * writes and reads DR7 through RAX, R9/R11 and RSP first (the hypervisor
 * decodes each of these instructions itself).
 * role=victim: calls victim_fn and writes 'calls' between yields; a #DB it
 * never armed would crash it; its own DR7 and DR0-DR3 stay at reset values.
 * role=stale: runs a MOV to DR7 from a page whose PTE it has just cleared
 * without flushing its TLB: the CPU still executes it, the hypervisor cannot
 * read it through the page tables and must kill this domain (not itself).
 */
#include "rt/rt.h"
#include "public/guest_layout.h"

#define DR7_FIXED       0x400ull
#define DR7_L(n)        (1ull << (2 * (n)))
#define DR7_RW(n, t)    ((uint64_t)(t) << (16 + 4 * (n)))      /* 0 exec, 1 write, 3 access */
#define DR7_LEN8(n)     (2ull << (18 + 4 * (n)))

static volatile uint64_t calls;

__attribute__((noinline)) void victim_fn(void);
__attribute__((noinline)) void victim_fn(void)
{
	calls++;
}

static uint64_t dr7_read(void)
{
	uint64_t v;
	__asm__ volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static void dr7_check(uint64_t got, uint64_t want, const char *how)
{
	if (got != want)
		rt_fail("drbreak: DR7 %s read 0x%lx, wrote 0x%lx", how, got, want);
}

/* The same value in and out through different registers. */
static void dr7_encodings(void)
{
	uint64_t v;

	__asm__ volatile("mov %1, %%dr7\n\tmov %%dr7, %0" : "=a"(v) : "a"(DR7_FIXED | 0x100));
	dr7_check(v, DR7_FIXED | 0x100, "via rax");
	__asm__ volatile("mov %1, %%r9\n\tmov %%r9, %%dr7\n\tmov %%dr7, %%r11\n\tmov %%r11, %0"
			 : "=r"(v) : "r"(DR7_FIXED | 0x200) : "r9", "r11");
	dr7_check(v, DR7_FIXED | 0x200, "via r9/r11");
	/* RSP holds the value for two instructions; nothing touches the stack. */
	__asm__ volatile("mov %%rsp, %%r10\n\tmov %1, %%rsp\n\tmov %%rsp, %%dr7\n\t"
			 "xor %%esp, %%esp\n\tmov %%dr7, %%rsp\n\tmov %%rsp, %0\n\tmov %%r10, %%rsp"
			 : "=r"(v) : "r"(DR7_FIXED | 0x300) : "r10");
	dr7_check(v, DR7_FIXED | 0x300, "via rsp");
}

/* Starts a page: clearing that PTE hides it (and whatever follows on the page). */
__attribute__((noinline, aligned(4096), section(".text.drpage")))
static void dr7_alone(void)
{
	__asm__ volatile("mov %0, %%dr7" :: "r"(DR7_FIXED));
}

static void stale(void)
{
	uint64_t va = (uint64_t)(uintptr_t)dr7_alone;
	volatile uint64_t *pte = (volatile uint64_t *)(uintptr_t)GUEST_PT0_GPA + ((va >> 12) & 511);

	if (va >= 0x200000)
		rt_fail("drbreak: dr7_alone at 0x%lx is not in the first 2 MiB", va);
	dr7_alone();                    /* its translation is now in the TLB */
	*pte &= ~1ull;                  /* not present, no INVLPG */
	dr7_alone();
	gprintf("drbreak: stale MOV DR7 was emulated: the hypervisor read a page that is not mapped\n");
}

static void armer(uint64_t rounds)
{
	uint64_t addr = rt_arg_u64("addr", (uint64_t)(uintptr_t)victim_fn);
	uint64_t waddr = rt_arg_u64("waddr", (uint64_t)(uintptr_t)&calls);
	uint64_t dr7 = DR7_FIXED | DR7_L(0) | DR7_L(1) | DR7_L(2) |
		       DR7_RW(1, 1) | DR7_LEN8(1) | DR7_RW(2, 3) | DR7_LEN8(2);

	dr7_encodings();
	__asm__ volatile("mov %0, %%dr0\n\tmov %1, %%dr1\n\tmov %1, %%dr2"
			 :: "r"(addr), "r"(waddr));
	__asm__ volatile("mov %0, %%dr7" :: "r"(dr7));
	for (uint64_t i = 0; i < rounds; i++) {
		hv_yield();
		dr7_check(dr7_read(), dr7, "after a yield");
	}
	gprintf("drbreak: armer kept DR0 0x%lx, DR1/DR2 0x%lx armed (DR7 0x%lx) for %lu hypercalls\n",
		addr, waddr, dr7, rounds);
}

static void victim(uint64_t rounds)
{
	uint64_t d[4];

	for (uint64_t i = 0; i < rounds; i++) {
		victim_fn();
		hv_yield();
		dr7_check(dr7_read(), DR7_FIXED, "in the victim (never written)");
	}
	__asm__ volatile("mov %%dr0, %0\n\tmov %%dr1, %1\n\tmov %%dr2, %2\n\tmov %%dr3, %3"
			 : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3]));
	for (unsigned i = 0; i < 4; i++)
		if (d[i])
			rt_fail("drbreak: victim's DR%u is 0x%lx, never written", i, d[i]);
	gprintf("drbreak: victim called victim_fn %lu times, no breakpoint of another domain\n",
		calls);
}

int main(void)
{
	char role[16];
	uint64_t rounds = rt_arg_u64("rounds", 2000);

	if (!rt_arg_str("role", role, sizeof(role)))
		rt_fail("role=armer|victim");
	if (!strcmp(role, "armer"))
		armer(rounds);
	else if (!strcmp(role, "stale"))
		stale();
	else
		victim(rounds);
	return 0;
}
