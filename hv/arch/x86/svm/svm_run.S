/*
 * void svm_enter(uint64_t vmcb_pa, struct svm_gprs *g, uint64_t host_save_pa)
 *
 * Load the guest's general registers (RAX lives in the VMCB), run it, and
 * store them back on #VMEXIT. VMRUN does not switch FS, GS, TR, LDTR,
 * KernelGsBase or the syscall MSRs: VMLOAD puts the guest's in place just
 * before it, VMSAVE keeps them in its VMCB afterwards and VMLOAD of
 * host_save_pa restores the hypervisor's, all while GIF is 0. Host IF must be 1 inside the CLGI window so a
 * physical interrupt causes an INTR exit (V_INTR_MASKING); it is taken as soon
 * as STGI opens the window again, and CLI closes it before returning.
 */
.section .text
.global svm_enter
svm_enter:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdx                       /* host save area, for VMLOAD after the exit */
	push %rsi                       /* gprs pointer, needed after the exit */

	mov %rdi, %rax                  /* VMRUN takes the VMCB address in RAX */
	mov 0x00(%rsi), %rbx
	mov 0x08(%rsi), %rcx
	mov 0x10(%rsi), %rdx
	mov 0x20(%rsi), %rdi
	mov 0x28(%rsi), %rbp
	mov 0x30(%rsi), %r8
	mov 0x38(%rsi), %r9
	mov 0x40(%rsi), %r10
	mov 0x48(%rsi), %r11
	mov 0x50(%rsi), %r12
	mov 0x58(%rsi), %r13
	mov 0x60(%rsi), %r14
	mov 0x68(%rsi), %r15
	mov 0x18(%rsi), %rsi

	clgi
	sti
	vmload %rax                     /* the guest's segment and syscall state */
	vmrun %rax
	/* GIF is 0 here: nothing interrupts until the guest state is saved.
	 * RAX is the VMCB address again; the other registers are the guest's. */
	vmsave %rax
	mov 8(%rsp), %rax
	vmload %rax                     /* the host's own FS, GS, TR, ... */
	push %rsi
	mov 8(%rsp), %rsi               /* the gprs pointer */
	mov %rbx, 0x00(%rsi)
	mov %rcx, 0x08(%rsi)
	mov %rdx, 0x10(%rsi)
	pop %rbx
	mov %rbx, 0x18(%rsi)
	mov %rdi, 0x20(%rsi)
	mov %rbp, 0x28(%rsi)
	mov %r8,  0x30(%rsi)
	mov %r9,  0x38(%rsi)
	mov %r10, 0x40(%rsi)
	mov %r11, 0x48(%rsi)
	mov %r12, 0x50(%rsi)
	mov %r13, 0x58(%rsi)
	mov %r14, 0x60(%rsi)
	mov %r15, 0x68(%rsi)

	stgi
	sti                             /* a pending interrupt is taken here... */
	nop
	cli                             /* ...and the window closes again */

	pop %rsi
	add $8, %rsp                    /* host save area */
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

.section .note.GNU-stack, "", @progbits
