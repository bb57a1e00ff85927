#ifndef X86_TRAP_H
#define X86_TRAP_H

#include <stdint.h>

/* Layout pushed by entry.S, lowest address first. */
struct x86_trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Set by entry.S in the vector field when the CPU pushed an error code. */
#define X86_TRAP_HW_ERROR 0x100u

#define X86_VEC_NMI      2
#define X86_VEC_TIMER    0xf0
#define X86_VEC_SPURIOUS 0xff
#define X86_VEC_DEVICE_FIRST 0xe0
#define X86_VEC_DEVICE_LAST  0xef

void x86_trap_init(void);
void x86_irq_register(unsigned vector, void (*fn)(unsigned vector));

#endif
