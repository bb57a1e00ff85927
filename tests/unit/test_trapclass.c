/* Trap classification: exception, NMI or (stray) interrupt, from the error
 * code, the ISR bit and the interrupted context's IF. */
#include <stdint.h>
#include "hv/arch/x86/trap.h"
#include "unit.h"

#define IF (1ull << 9)

int main(void)
{
	/* Real exceptions: with an error code, or no ISR bit, or IF=0. */
	CHECK_EQ(x86_trap_classify(14, 1, 0, 0, 0), TRAP_EXCEPTION);
	CHECK_EQ(x86_trap_classify(14, 1, 0, IF, 0), TRAP_EXCEPTION);
	CHECK_EQ(x86_trap_classify(6, 0, 0, 0, 0), TRAP_EXCEPTION);
	CHECK_EQ(x86_trap_classify(6, 0, 0, IF, 0), TRAP_EXCEPTION);
	/* #UD inside the handler of a forged vector 6: ISR set, but IF=0. */
	CHECK_EQ(x86_trap_classify(6, 0, 1, 0, 0), TRAP_EXCEPTION);
	/* Forged interrupts in the exception range, error-code vectors too. */
	for (unsigned v = 0; v < 32; v++)
		CHECK_EQ(x86_trap_classify(v, 0, 1, IF | 0x2, 0), TRAP_STRAY_EXC_RANGE);
	/* NMI: vector 2 without an interrupt's marks, even while a forged fixed
	 * vector 2 is in service (the NMI lands in its handler, IF=0). */
	CHECK_EQ(x86_trap_classify(2, 0, 0, IF, 0), TRAP_NMI);
	CHECK_EQ(x86_trap_classify(2, 0, 0, 0, 0), TRAP_NMI);
	CHECK_EQ(x86_trap_classify(2, 0, 1, 0, 0), TRAP_NMI);
	CHECK_EQ(x86_trap_classify(2, 0, 1, IF, 0), TRAP_STRAY_EXC_RANGE);
	CHECK_EQ(x86_trap_classify(2, 1, 0, 0, 0), TRAP_EXCEPTION);
	/* Vectors >= 32. */
	CHECK_EQ(x86_trap_classify(X86_VEC_TIMER, 0, 1, IF, 1), TRAP_HANDLER);
	CHECK_EQ(x86_trap_classify(0x40, 0, 1, IF, 0), TRAP_STRAY_UNALLOCATED);
	CHECK_EQ(x86_trap_classify(X86_VEC_SPURIOUS, 0, 1, IF, 0), TRAP_SPURIOUS_ISR);
	CHECK_EQ(x86_trap_classify(X86_VEC_SPURIOUS, 0, 0, IF, 0), TRAP_SPURIOUS);
	CHECK_EQ(x86_trap_classify(0x1ff, 0, 0, IF, 0), TRAP_SPURIOUS);   /* flag bits masked */
	return unit_done("trapclass");
}
