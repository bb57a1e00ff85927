/*
 * COM2 16550 UART, polled: the control channel (hv/ctl.c). No guest can reach
 * it: every guest's I/O permission map denies every port (svm.c), so a
 * guest's IN or OUT to 0x2f8-0x2ff exits and kills that guest; the UART
 * raises no interrupt (IER 0) and does no DMA. Only the hypervisor reads or
 * writes these ports, and only from the scheduler loop.
 */
#include <stdint.h>
#include "hv/arch.h"
#include "cpu.h"

#define COM2     0x2f8
#define UART_RBR 0      /* receive buffer (read) / transmit holding (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7      /* scratch: a present UART keeps what is written */
#define LSR_DR   0x01   /* a received byte is waiting */
#define LSR_THRE 0x20   /* transmit FIFO empty */

static int present;

int arch_ctl_init(void)
{
	/* Probe through the scratch register: a missing UART reads 0xff. */
	outb(COM2 + UART_SCR, 0x5a);
	if (inb(COM2 + UART_SCR) != 0x5a)
		return -1;
	outb(COM2 + UART_SCR, 0xa5);
	if (inb(COM2 + UART_SCR) != 0xa5)
		return -1;
	outb(COM2 + UART_IER, 0x00);    /* polled: no interrupts */
	outb(COM2 + UART_LCR, 0x80);    /* DLAB */
	outb(COM2 + 0, 0x01);           /* 115200 baud */
	outb(COM2 + 1, 0x00);
	outb(COM2 + UART_LCR, 0x03);    /* 8N1 */
	outb(COM2 + UART_FCR, 0xc7);    /* FIFOs on, cleared */
	outb(COM2 + UART_MCR, 0x03);
	present = 1;
	return 0;
}

int arch_ctl_getc(void)
{
	if (!present || !(inb(COM2 + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM2 + UART_RBR);
}

/* Up to 16 bytes fit once the FIFO is empty: the caller writes that many
 * after one positive answer. */
int arch_ctl_tx_room(void)
{
	if (!present || !(inb(COM2 + UART_LSR) & LSR_THRE))
		return 0;
	return 16;
}

void arch_ctl_putc(char c)
{
	outb(COM2 + UART_RBR, (uint8_t)c);
}
