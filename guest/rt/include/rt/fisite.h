/*
 * Fault sites and hooks: where a device, DMA, protocol or hang fault enters
 * driver code (docs/faultinject.md, "Site faults").
 *
 * FI_SITE(name, arg) marks one spot: a global label fi_site_<name> on a
 * 5-byte NOP (0f 1f 44 00 00), with 'arg' (a pointer) in %rdi. With no
 * fault planned it costs that NOP. A site fault's plan line has orig = the
 * NOP and new = "call fi_hook_<type>" (e8 rel32): the hypervisor writes the
 * call when the driver first reaches the site (that is when the fault is
 * activated), and it stays until the generation ends. The site's type is
 * <name>, or <name> without a "_<digits>" suffix (several sites of one type:
 * fi_site_desc_len_2). Each name once per image: the label is global, so a
 * site in a function the compiler inlines or clones twice fails the build
 * ("symbol already defined"); put sites in FI_NOIPA or non-static functions.
 *
 * FI_HOOK(name, cfunc) defines fi_hook_<name>, a trampoline that keeps every
 * register and the flags as they were at the site (the site's asm tells the
 * compiler only that %rdi is read and memory may change), aligns the stack
 * to 16 and calls static void cfunc(void *arg) with the site's %rdi. Guests
 * are built with -mno-red-zone (nothing lives below %rsp, so the call's push
 * overwrites nothing) and -mgeneral-regs-only (no vector or x87 state in use,
 * so saving the general registers and rflags is saving all that a C call may
 * clobber). cfunc sees the ABI's state: DF is clear at any compiled site.
 */
#ifndef RT_FISITE_H
#define RT_FISITE_H

#define FI_SITE_NOP "0f1f440000"

#define FI_SITE(name, arg)                                                      \
	__asm__ volatile(".globl fi_site_" #name "\n"                           \
			 "fi_site_" #name ":\n\t"                               \
			 ".byte 0x0f, 0x1f, 0x44, 0x00, 0x00"                   \
			 : : "D"(arg) : "memory")

/* For a static function holding a site: never inlined or cloned (a second
 * copy would define the label twice). clang, which builds the host fuzz
 * targets of guest code, has no noipa: noinline is what matters there. */
#if defined(__clang__)
#define FI_NOIPA __attribute__((noinline))
#else
#define FI_NOIPA __attribute__((noipa))
#endif

#define FI_HOOK(name, cfunc)                                                    \
	static void cfunc(void *arg) __attribute__((used));                     \
	__asm__(".pushsection .text.fi_hook_" #name ",\"ax\",@progbits\n"       \
		".globl fi_hook_" #name "\n"                                    \
		".type fi_hook_" #name ", @function\n"                          \
		"fi_hook_" #name ":\n\t"                                        \
		"pushfq\n\t"                                                    \
		"push %rax\n\tpush %rcx\n\tpush %rdx\n\tpush %rsi\n\tpush %rdi\n\t" \
		"push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\tpush %rbp\n\t" \
		"mov %rsp, %rbp\n\t"                                            \
		"and $-16, %rsp\n\t"                                            \
		"call " #cfunc "\n\t"                                           \
		"mov %rbp, %rsp\n\t"                                            \
		"pop %rbp\n\tpop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"    \
		"pop %rdi\n\tpop %rsi\n\tpop %rdx\n\tpop %rcx\n\tpop %rax\n\t"  \
		"popfq\n\t"                                                     \
		"ret\n"                                                         \
		".size fi_hook_" #name ", . - fi_hook_" #name "\n"              \
		".popsection\n")

#endif
