/*
 * Deliberate failures for restart tests and fault injection: the ways a
 * driver domain dies that the hypervisor must notice by itself.
 */
#include "rt/channel.h"
#include "rt/rt.h"

int rt_crash(const char *kind)
{
	gprintf("crashing on purpose: %s\n", kind);
	if (!strcmp(kind, "pf")) {
		/* An unmapped page of its own address space: the guest's #PF handler
		 * reports it and the domain crashes. */
		volatile uint64_t *null_page = 0;
		__asm__ volatile("" : "+r"(null_page));  /* hide the constant from the compiler */
		(void)null_page[1];
	} else if (!strcmp(kind, "triple")) {
		rt_idt_clear();
		__asm__ volatile("ud2");
	} else if (!strcmp(kind, "hang")) {
		/* No kick ever again, no hypercall at all: only the watchdog sees it. */
		__asm__ volatile("cli");
		for (;;)
			__asm__ volatile("" ::: "memory");
	} else if (!strcmp(kind, "idt")) {
		/* Every exception gate pointing nowhere and no usable stack: the
		 * next fault reaches no handler of ours (#GP, #DF, then a triple
		 * fault), so this domain cannot report anything itself. */
		struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr;
		__asm__ volatile("sidt %0" : "=m"(idtr));
		memset((void *)(uintptr_t)idtr.base, 0xa5, (size_t)idtr.limit + 1);
		__asm__ volatile("mov %0, %%rsp\n\tud2" : : "r"(0xdead0000ull) : "memory");
	} else if (!strcmp(kind, "block")) {
		/* Wait for good, using no CPU: only a watchdog that counts time
		 * blocked (up to the deadline asked for) sees this one. */
		for (;;)
			hv_block(0);
	} else if (!strcmp(kind, "wild")) {
		/* The CPU strays outside its memory (a nested page fault). */
		*(volatile uint64_t *)(uintptr_t)0x3f800000ull = 1;
	} else {
		return -1;
	}
	return -1;
}
