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
	} else if (!strcmp(kind, "wild")) {
		/* The CPU strays outside its memory (a nested page fault). */
		*(volatile uint64_t *)(uintptr_t)0x3f800000ull = 1;
	} else {
		return -1;
	}
	return -1;
}
