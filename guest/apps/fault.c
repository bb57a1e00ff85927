/*
 * Misbehaves as asked by mode=...: triple (fault with no IDT), write/read/exec
 * outside its memory (addr=, default 256 MiB), io (port access), uart (a line to
 * port=, default COM2, after sleep_ms=), msr (MSR
 * write), null (NULL dereference: the guest's own page fault), vmrun.
 * after=N prints N lines first so other domains are seen running before it.
 */
#include "rt/rt.h"

int main(void)
{
	char mode[16];
	uint64_t addr = rt_arg_u64("addr", 0x10000000);
	uint64_t after = rt_arg_u64("after", 0);

	if (!rt_arg_str("mode", mode, sizeof(mode)))
		rt_fail("no mode= argument");
	for (uint64_t i = 0; i < after; i++)
		gprintf("behaving %lu\n", i);
	gprintf("misbehaving: %s\n", mode);
	if (!strcmp(mode, "triple")) {
		rt_idt_clear();
		__asm__ volatile("ud2");
	} else if (!strcmp(mode, "write")) {
		*(volatile uint64_t *)(uintptr_t)addr = 0xbad0bad0bad0bad0ull;
	} else if (!strcmp(mode, "read")) {
		(void)*(volatile uint64_t *)(uintptr_t)addr;
	} else if (!strcmp(mode, "exec")) {
		((void (*)(void))(uintptr_t)addr)();
	} else if (!strcmp(mode, "io")) {
		__asm__ volatile("outb %%al, $0xf4" :: "a"(0));
	} else if (!strcmp(mode, "uart")) {
		/* A line to a UART's data port (port=, default COM2, the control
		 * channel) after sleep_ms=: only a hole in the I/O permission map
		 * would let any byte of it out. */
		static const char msg[] = "guest-was-here\n";
		uint16_t port = (uint16_t)rt_arg_u64("port", 0x2f8);
		hv_sleep(rt_arg_u64("sleep_ms", 0) * 1000000ull);
		for (unsigned i = 0; i < sizeof(msg) - 1; i++)
			__asm__ volatile("outb %%al, %%dx" :: "a"(msg[i]), "d"(port));
	} else if (!strcmp(mode, "msr")) {
		__asm__ volatile("wrmsr" :: "c"(0xc0000080u), "a"(0), "d"(0));
	} else if (!strcmp(mode, "null")) {
		(void)*(volatile uint64_t *)0;
	} else if (!strcmp(mode, "vmrun")) {
		__asm__ volatile("vmrun" :: "a"(0));
	} else {
		rt_fail("unknown mode %s", mode);
	}
	gprintf("still alive after misbehaving\n");
	return 99;
}
