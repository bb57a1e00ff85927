/*
 * Interrupt and exception entry: 256 stubs of 16 bytes each push a dummy
 * error code where the CPU does not, then the vector, and share one path that
 * saves the scratch and callee-saved registers into a struct x86_trap_frame
 * (hv/arch/x86/trap.h) and calls x86_trap().
 */
.section .text
.balign 16
.global x86_isr_stubs
x86_isr_stubs:
.set vec, 0
.rept 256
	.balign 16
	.if (vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
.endr

isr_common:
	push %rax
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
