/*
 * Executes an INT3 of its own after some hypercalls (fi_reflect test): with a
 * planted fault armed elsewhere in its code (never_called), the hypervisor
 * traps INT3 for this vCPU and must hand this one to the guest as its own
 * #BP, as if nothing had been trapped. The runtime's handler then reports
 * "EXCEPTION vector 3" and crashes with code 0x103.
 */
#include "rt/test.h"

/* Never runs: the plan's fault sits on its first instruction. */
static __attribute__((noinline, used)) void bptrap_never_called(void)
{
	gprintf("bptrap: never_called ran\n");
}

int main(void)
{
	struct hv_self_info me;

	for (unsigned i = 0; i < 50; i++)       /* exits, so the planted fault gets applied */
		hv_self_info(&me);
	gprintf("bptrap: executing int3 at %p\n", (void *)&&at);
at:
	__asm__ volatile("int3");
	gprintf("bptrap: int3 returned without the guest's handler\n");
	return 1;
}
