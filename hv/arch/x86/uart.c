/* COM1 16550 UART, polled: the hypervisor's console and the test channel. */
#include <stddef.h>
#include "hv/arch.h"
#include "cpu.h"

#define COM1 0x3f8

static int uart_ready;

static void uart_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1 */
	outb(COM1 + 2, 0xc7);   /* FIFO on, cleared */
	outb(COM1 + 4, 0x03);
	uart_ready = 1;
}

static void uart_putc(char c)
{
	/* Bounded: a missing UART must not hang the hypervisor. */
	for (unsigned i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (uint8_t)c);
}

void arch_console_write(const char *s, size_t n)
{
	if (!uart_ready)
		uart_init();
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}
