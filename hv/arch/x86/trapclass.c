/*
 * What arrived at a vector (see hv/arch/x86/trap.c for the facts used). Pure,
 * so the host unit test (tests/unit/test_trapclass.c) covers the cases QEMU
 * cannot produce on demand, such as an exception inside a stray handler.
 */
#include "trap.h"

#define X86_RFLAGS_IF (1ull << 9)

enum x86_trap_class x86_trap_classify(unsigned vector, int hw_error, int in_service,
				      uint64_t rflags, int allocated)
{
	/* A maskable interrupt never pushes an error code, always sets its ISR
	 * bit and is only taken with IF=1. */
	int is_irq = !hw_error && in_service && (rflags & X86_RFLAGS_IF);

	vector &= 0xff;
	if (vector < 32 && !is_irq)
		return vector == X86_VEC_NMI && !hw_error ? TRAP_NMI : TRAP_EXCEPTION;
	if (vector < 32)
		return TRAP_STRAY_EXC_RANGE;
	if (vector == X86_VEC_SPURIOUS)
		return in_service ? TRAP_SPURIOUS_ISR : TRAP_SPURIOUS;
	return allocated ? TRAP_HANDLER : TRAP_STRAY_UNALLOCATED;
}
