/*
 * Quiescing a device whose driver domain is gone: a secondary bus reset
 * through the root port above it (Bridge Control bit 6) when the device is
 * alone on its bus, else a function-level reset when the device offers one
 * (PCIe Device Capabilities bit 28). Either returns the device's registers and
 * config space to defaults; the BARs are then written back to the addresses
 * the hypervisor recorded at boot, with decoding off.
 */
#include "hv/arch.h"
#include "hv/pci.h"
#include "hv/printk.h"

#define PCI_COMMAND        0x04
#define PCI_BAR0           0x10
#define PCI_BRIDGE_CONTROL 0x3c   /* dword: interrupt line/pin + bridge control << 16 */
#define BCTL_BUS_RESET     (1u << (16 + 6))
#define DEVCAP_FLR         (1u << 28)
#define DEVCTL_FLR         (1u << 15)

static void delay_us(uint64_t us)
{
	uint64_t end = arch_time_ns() + us * 1000;

	while (arch_time_ns() < end)
		;
}

static int alone_on_bus(const struct pci_dev *p)
{
	for (unsigned i = 0; i < pci_ndevs; i++)
		if (&pci_devs[i] != p && pci_devs[i].bus == p->bus)
			return 0;
	return 1;
}

static void restore_bars(const struct pci_dev *p)
{
	for (unsigned b = 0; b < PCI_BARS; b++) {
		const struct pci_bar *bar = &p->bar[b];
		if (!bar->size)
			continue;
		pci_write32(p->bus, p->dev, p->fn, PCI_BAR0 + 4 * b, (uint32_t)bar->base);
		if (bar->is_64)
			pci_write32(p->bus, p->dev, p->fn, PCI_BAR0 + 4 * (b + 1),
				    (uint32_t)(bar->base >> 32));
	}
}

int pci_can_flr(const struct pci_dev *p)
{
	unsigned cap = pci_find_cap(p, PCI_CAP_PCIE);

	return cap && (pci_read32(p->bus, p->dev, p->fn, (uint16_t)(cap + 4)) & DEVCAP_FLR);
}

int pci_flr(const struct pci_dev *p)
{
	unsigned cap = pci_find_cap(p, PCI_CAP_PCIE);
	uint64_t t0 = arch_time_ns();

	if (!pci_can_flr(p))
		return -1;
	uint32_t ctl = pci_read32(p->bus, p->dev, p->fn, (uint16_t)(cap + 8));
	/* Device Control is the low half; the high half (status) is write-1-to-clear. */
	pci_write32(p->bus, p->dev, p->fn, (uint16_t)(cap + 8), (ctl & 0xffff) | DEVCTL_FLR);
	delay_us(100000);       /* PCIe: 100 ms before the function must answer again */
	restore_bars(p);
	pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, 0);
	printk("hv: pci %02x:%02x.%x function-level reset in %lu us\n", p->bus, p->dev, p->fn,
	       (arch_time_ns() - t0) / 1000);
	return 0;
}

/*
 * A secondary bus reset in two halves. PCI holds RST# asserted for at least
 * Trst = 1 ms (PCI Local Bus 3.0 / PCI-to-PCI Bridge 1.2; the bridge's
 * Secondary Bus Reset bit asserts it); QEMU's root port resets the device on
 * the write itself, but we keep to the specification. Instead of spinning
 * through that millisecond, a restart asserts the reset and goes on
 * rebuilding the domain's memory; the reset is ended when the hold has passed
 * (pci_reset_poll, from the scheduler loop) or, at the latest, just before the
 * device is assigned again (pci_reset_finish waits out what is left).
 */
#define SBR_HOLD_NS 1000000ull

static uint64_t reset_t0[PCI_MAX_DEVS];    /* nonzero: SBR asserted at that time */
static uint32_t reset_ctl[PCI_MAX_DEVS];   /* the bridge's control word before it */

static unsigned index_of(const struct pci_dev *p)
{
	return (unsigned)(p - pci_devs);
}

int pci_reset_begin(const struct pci_dev *p)
{
	if (p->parent < 0 || !alone_on_bus(p)) {
		if (!pci_flr(p))
			return 0;
		printk("hv: pci %02x:%02x.%x: no private bus to reset and no FLR; bus mastering off only\n",
		       p->bus, p->dev, p->fn);
		return -1;
	}
	const struct pci_dev *br = &pci_devs[p->parent];
	unsigned i = index_of(p);

	if (reset_t0[i])
		return 0;       /* held already */
	reset_ctl[i] = pci_read32(br->bus, br->dev, br->fn, PCI_BRIDGE_CONTROL);
	pci_write32(br->bus, br->dev, br->fn, PCI_BRIDGE_CONTROL, reset_ctl[i] | BCTL_BUS_RESET);
	reset_t0[i] = arch_time_ns() | 1;       /* never 0 */
	return 0;
}

int pci_reset_pending(const struct pci_dev *p)
{
	return reset_t0[index_of(p)] != 0;
}

void pci_reset_finish(const struct pci_dev *p)
{
	unsigned i = index_of(p);
	uint64_t t0 = reset_t0[i];

	if (!t0)
		return;
	const struct pci_dev *br = &pci_devs[p->parent];
	uint64_t now = arch_time_ns();
	if (now < t0 + SBR_HOLD_NS)
		delay_us((t0 + SBR_HOLD_NS - now + 999) / 1000);
	pci_write32(br->bus, br->dev, br->fn, PCI_BRIDGE_CONTROL, reset_ctl[i] & ~BCTL_BUS_RESET);
	/* The device answers config reads again when it is out of reset (bounded). */
	for (int k = 0; k < 100000; k++)
		if ((pci_read32(p->bus, p->dev, p->fn, 0) & 0xffff) == p->vendor)
			break;
	restore_bars(p);
	pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, 0);
	reset_t0[i] = 0;
	printk("hv: pci %02x:%02x.%x reset through %02x:%02x.%x in %lu us\n", p->bus, p->dev, p->fn,
	       br->bus, br->dev, br->fn, (arch_time_ns() - t0) / 1000);
}

void pci_reset_poll(void)
{
	uint64_t now = arch_time_ns();

	for (unsigned i = 0; i < pci_ndevs; i++)
		if (reset_t0[i] && now >= reset_t0[i] + SBR_HOLD_NS)
			pci_reset_finish(&pci_devs[i]);
}

int pci_reset(const struct pci_dev *p)
{
	int rc = pci_reset_begin(p);

	pci_reset_finish(p);
	return rc;
}
