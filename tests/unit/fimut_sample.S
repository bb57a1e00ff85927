/*
 * Known instructions for tests/unit/test_fimut.c. The test checks the bytes
 * at each offset, so if the assembler picks another encoding it says so.
 * Offsets in comments are from the function's start.
 */
	.text
	.globl start
	.type start, @function
start:                          /* "start": its call is an init target */
	call helper             /* 0: e8 rel32 */
	ret                     /* 5 */
	.size start, . - start

	.globl helper
	.type helper, @function
helper:
	mov %rdx, %rdi          /* 0: 48 89 d7 */
	xor %eax, %eax          /* 3: 31 c0 */
	add %eax, %ecx          /* 5: 01 c1 */
	add 0x10(%rbx), %eax    /* 7: 03 43 10 */
	mov 0x8(%r12), %rax     /* 10: 49 8b 44 24 08 */
	je 1f                   /* 15: 74 06 */
	.byte 0x0f, 0x85        /* 17: jne near, rel32 0 */
	.long 0
1:	ret                     /* 23 */
	.size helper, . - helper

	.globl riprel
	.type riprel, @function
riprel:                         /* memory operands without a base register */
	mov 0x10(%rip), %rax    /* 0: 48 8b 05 10 00 00 00 */
	mov 0x1000(,%rcx,4), %eax       /* 7: 8b 04 8d 00 10 00 00 */
	ret
	.size riprel, . - riprel

	.globl irq_ack
	.type irq_ack, @function
irq_ack:                        /* "irq": any vmmcall is an irq target */
	mov $3, %eax            /* 0: b8 03 00 00 00, interface */
	vmmcall                 /* 5: 0f 01 d9 */
	ret                     /* 8 */
	.size irq_ack, . - irq_ack

	.globl hc_user
	.type hc_user, @function
hc_user:
	mov $20, %eax           /* 0: HC_DEVICE_IRQ_BIND */
	mov %rdx, %rsi          /* 5 */
	vmmcall                 /* 8: irq by its hypercall number */
	mov $3, %eax            /* 11: HC_TIME */
	vmmcall                 /* 16: not irq */
	ret                     /* 19 */
	.size hc_user, . - hc_user

	.globl dead_imm
	.type dead_imm, @function
dead_imm:
	mov $5, %esi            /* 0: overwritten before the call: not interface */
	mov $6, %esi            /* 5: interface */
	call helper             /* 10: not init (name) */
	mov $7, %edi            /* 15: the call is 9 instructions away: not interface */
	inc %eax
	inc %eax
	inc %eax
	inc %eax
	inc %eax
	inc %eax
	inc %eax
	inc %eax
	call helper
	ret
	.size dead_imm, . - dead_imm

	.globl callee_saved
	.type callee_saved, @function
callee_saved:
	mov $9, %ebx            /* 0: no argument register: not interface */
	mov $1, %r10d           /* 5: a hypercall's argument, but a call follows */
	call helper             /* 11 */
	mov $2, %r10d           /* 16: interface */
	vmmcall                 /* 22 */
	ret
	.size callee_saved, . - callee_saved

	/* Fault sites (rt/fisite.h): labels inside a function, 5-byte NOPs. */
	.globl sited
	.type sited, @function
sited:
	mov %rdx, %rdi          /* 0: a code candidate */
	.globl fi_site_stall
fi_site_stall:
	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00      /* 3: type stall */
	add %eax, %ecx          /* 8: still in sited (a site does not cut it) */
	.globl fi_site_stall_2
fi_site_stall_2:
	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00      /* 10: type stall, second site */
	.globl fi_site_kick
fi_site_kick:
	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00      /* 15: type kick */
	.globl fi_site_orphan
fi_site_orphan:
	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00      /* 20: no fi_hook_orphan: no type */
	.globl fi_site_bad
fi_site_bad:
	.byte 0x90, 0x90, 0x90, 0x90, 0x90      /* 25: not the NOP: not a site */
	ret                     /* 30 */
	.size sited, . - sited

	.globl fi_hook_stall
	.type fi_hook_stall, @function
fi_hook_stall:                  /* never a code candidate */
	mov %rdx, %rdi
	ret
	.size fi_hook_stall, . - fi_hook_stall

	.globl fi_hook_kick
	.type fi_hook_kick, @function
fi_hook_kick:
	mov %rdx, %rdi
	ret
	.size fi_hook_kick, . - fi_hook_kick

	.globl nicfaults_helper
	.type nicfaults_helper, @function
nicfaults_helper:               /* fault machinery: never a code candidate */
	mov %rdx, %rdi
	add $1, %rdi
	ret
	.size nicfaults_helper, . - nicfaults_helper

	.globl fi_hook_bad
	.type fi_hook_bad, @function
fi_hook_bad:
	ret
	.size fi_hook_bad, . - fi_hook_bad

	.section .note.GNU-stack, "", @progbits
