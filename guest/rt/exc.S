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
exc_common:
	mov %rsp, %rdi
	and $-16, %rsp
	call rt_exception
1:	hlt
	jmp 1b

.section .note.GNU-stack, "", @progbits
