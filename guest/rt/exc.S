/* 32 exception stubs, 16 bytes each: normalise the error code, call rt_exception. */
.section .text
.balign 16
.global rt_exc_stubs
rt_exc_stubs:
.set vec, 0
.rept 32
	.balign 16
	.if (vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp exc_common
	.set vec, vec + 1
.endr
/* Event upcall: save the caller-saved registers, run rt_upcall, return. */
.global rt_upcall_stub
rt_upcall_stub:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %rbp
	mov %rsp, %rbp
	and $-16, %rsp
	call rt_upcall
	mov %rbp, %rsp
	pop %rbp
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	iretq

exc_common:
	mov %rsp, %rdi
	and $-16, %rsp
	call rt_exception
1:	hlt
	jmp 1b

.section .note.GNU-stack, "", @progbits
