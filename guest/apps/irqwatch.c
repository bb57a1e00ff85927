/*
 * The owner of an e1000 that keeps its NIC silent: it binds the device's
 * interrupt, masks every interrupt cause in the device, and then only counts
 * what arrives on the bound port. Any event is an interrupt the NIC did not
 * raise (a test of forged interrupts watches events_received). Runs until
 * destroyed.
 */
#include "rt/channel.h"
#include "errname.h"
#include "rt/rt.h"

#define E1000_ICR  0x00c0
#define E1000_IMC  0x00d8

int main(void)
{
	volatile uint32_t *regs;
	uint64_t seen = 0;

	if (rt_info.ndevices != 1 || !rt_info.devices[0].bar_gpa[0])
		rt_fail("irqwatch: needs one device with a memory BAR");
	regs = (volatile uint32_t *)(uintptr_t)rt_info.devices[0].bar_gpa[0];
	if (hv_pci_cfg_write(0, 0x04, 2, 0x2))          /* memory decoding, no bus master */
		rt_fail("irqwatch: cannot enable memory decoding");
	regs[E1000_IMC / 4] = 0xffffffffu;
	(void)regs[E1000_ICR / 4];
	int64_t port = hv_device_irq_bind(0);
	if (port <= 0)
		rt_fail("irqwatch: bind failed: %s", hv_errname(port));
	gprintf("irqwatch: interrupt bound to port %ld, device silenced\n", (long)port);
	for (;;) {
		rt_wait_event(1000000000ull);
		if (!(rt_events_take() >> port & 1))
			continue;
		seen++;
		gprintf("irqwatch: event %lu on the device port (cause 0x%x)\n", seen,
			regs[E1000_ICR / 4]);
		hv_device_irq_ack(0);
	}
}
