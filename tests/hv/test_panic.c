/* A fault inside the hypervisor itself is the one thing that stops it: it
 * prints the registers and reports PANIC (the runner expects exactly that). */
#include <stdint.h>
#include "hv/hvtest.h"

HVTEST(hv_fault)
{
	/* Hide the address from the compiler's bounds warnings. */
	uintptr_t addr = 0x8;
	__asm__ volatile("" : "+r"(addr));
	*(volatile uint64_t *)addr = 0x1234;        /* physical page 0 is unmapped in the hypervisor */
	EXPECT(0);              /* not reached */
}
