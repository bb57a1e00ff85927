/*
 * Multiboot2 entry. GRUB leaves us in 32-bit protected mode with paging off,
 * EAX = magic, EBX = physical address of the boot information. We build a
 * temporary identity map of the first 4 GiB (2 MiB pages), enter long mode and
 * call x86_boot(magic, info). The C code replaces these tables with its own.
 */
#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0

.section .multiboot2, "a"
.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* end tag */
	.short 0
	.short 0
	.long 8
mb2_header_end:

.section .text.boot, "ax"
.code32
.global _start
_start:
	cli
	cld
	mov %eax, %edi                  /* keep magic and info for x86_boot */
	mov %ebx, %esi
	mov $boot_stack_top, %esp

	/* zero .bss (page tables and this stack live there: keep magic in ebp) */
	mov %edi, %ebp
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov %ebp, %edi

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..3; PDs map 4 GiB with 2 MiB pages */
	mov $boot_pdpt, %eax
	or $0x3, %eax
	mov %eax, boot_pml4
	mov $boot_pd, %eax
	or $0x3, %eax
	xor %ebx, %ebx
1:	mov %eax, boot_pdpt(,%ebx,8)
	add $4096, %eax
	inc %ebx
	cmp $4, %ebx
	jne 1b
	xor %ebx, %ebx
	mov $0x83, %eax                 /* P | RW | PS */
2:	mov %eax, boot_pd(,%ebx,8)
	movl $0, boot_pd+4(,%ebx,8)
	add $0x200000, %eax
	inc %ebx
	cmp $2048, %ebx
	jne 2b

	mov %cr4, %eax
	or $0x20, %eax                  /* PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx           /* EFER */
	rdmsr
	or $0x900, %eax                 /* LME | NXE */
	wrmsr
	mov %cr0, %eax
	or $0x80010001, %eax            /* PG | WP | PE */
	mov %eax, %cr0
	lgdt boot_gdt_ptr
	ljmp $0x08, $long_entry

.code64
long_entry:
	/* The outermost frame: a debugger's backtrace ends here (no return
	 * address to unwind to), instead of wandering through the boot stack. */
	.cfi_sections .debug_frame
	.cfi_startproc
	.cfi_undefined rip
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	mov %edi, %edi                  /* zero-extend magic and info */
	mov %esi, %esi
	xor %rbp, %rbp
	/* edi = magic, esi = info (already zero-extended by the 32-bit movs) */
	call x86_boot
3:	cli
	hlt
	jmp 3b
	.cfi_endproc

.section .rodata
.balign 16
.global boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

.section .bss
.balign 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4096 * 4
.global boot_stack_top
boot_stack:	.skip 65536
boot_stack_top:

.section .note.GNU-stack, "", @progbits
