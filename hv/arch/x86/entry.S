/*
 * Interrupt and exception entry: 256 stubs of 16 bytes each push their
 * vector and share one path that makes the frame uniform (vector, error code,
 * CPU frame), saves the scratch and callee-saved registers into a struct
 * x86_trap_frame (hv/arch/x86/trap.h) and calls x86_trap().
 *
 * Whether the CPU pushed an error code is read from the stack, not assumed
 * from the vector: a device can send any vector as an interrupt (a forged
 * MSI), and an interrupt never pushes one. In 64-bit mode the CPU aligns RSP
 * to 16 bytes before it pushes SS, RSP, RFLAGS, CS, RIP (5 x 8 bytes) and an
 * optional error code, so at stub entry RSP is 8 mod 16 without an error code
 * and 0 mod 16 with one (Intel SDM 6.14.2; QEMU's do_interrupt64 does the
 * same). After the stub's push of the vector that flips: bit 3 of RSP clear
 * means no error code. The common path then inserts a zero error code and
 * marks the vector X86_TRAP_HW_ERROR (bit 8) when the CPU did push one.
 */
.section .text
.balign 16
.global x86_isr_stubs
x86_isr_stubs:
.set vec, 0
.rept 256
	.balign 16
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
.endr

isr_common:
	testb $8, %spl
	jz 1f
	orq $0x100, (%rsp)              /* the CPU pushed an error code */
	jmp 2f
1:	pushq (%rsp)                    /* [vector][rip]... -> [vector][0][rip]... */
	movq $0, 8(%rsp)
2:	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	call x86_trap
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

.section .note.GNU-stack, "", @progbits
