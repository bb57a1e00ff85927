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

/* What a vector's arrival was, from facts a device cannot forge. */
enum x86_trap_class {
	TRAP_EXCEPTION,         /* a real CPU exception: the hypervisor's own bug */
	TRAP_NMI,
	TRAP_HANDLER,           /* an allocated vector >= 32 */
	TRAP_STRAY_EXC_RANGE,   /* vector 0-31 sent as an interrupt */
	TRAP_STRAY_UNALLOCATED,
	TRAP_SPURIOUS_ISR,      /* the spurious vector sent as a real interrupt */
	TRAP_SPURIOUS,          /* the APIC's own spurious interrupt (no ISR bit) */
};
/* hw_error: the CPU pushed an error code; in_service: the vector's ISR bit
 * (read only when hw_error is 0); rflags: the interrupted context's. */
enum x86_trap_class x86_trap_classify(unsigned vector, int hw_error, int in_service,
				      uint64_t rflags, int allocated);

void x86_trap_init(void);
/* C entry from boot.S, with the multiboot2 magic and info address. */
void x86_boot(uint32_t magic, uint32_t info);
/* Every vector's entry stub (entry.S) ends here with the saved frame. */
void x86_trap(struct x86_trap_frame *f);
void x86_irq_register(unsigned vector, void (*fn)(unsigned vector));

#endif
