/*
 * Guest entry. The hypervisor starts us in long mode, identity-mapped, with
 * RDI = guest-physical address of struct guest_start_info and no stack.
 */
.section .text.entry, "ax"
.global _start
_start:
	lea rt_stack_top(%rip), %rsp
	xor %rbp, %rbp
	call rt_start
1:	hlt
	jmp 1b

.section .bss
.balign 16
rt_stack:	.skip 32768
rt_stack_top:

.section .note.GNU-stack, "", @progbits
