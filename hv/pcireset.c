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

int pci_reset(const struct pci_dev *p)
{
	if (p->parent < 0 || !alone_on_bus(p)) {
		if (!pci_flr(p))
			return 0;
		printk("hv: pci %02x:%02x.%x: no private bus to reset and no FLR; bus mastering off only\n",
		       p->bus, p->dev, p->fn);
		return -1;
	}
	const struct pci_dev *br = &pci_devs[p->parent];
	uint32_t ctl = pci_read32(br->bus, br->dev, br->fn, PCI_BRIDGE_CONTROL);
	uint64_t t0 = arch_time_ns();

	pci_write32(br->bus, br->dev, br->fn, PCI_BRIDGE_CONTROL, ctl | BCTL_BUS_RESET);
	delay_us(1000);         /* PCIe: hold reset >= 1 ms */
	pci_write32(br->bus, br->dev, br->fn, PCI_BRIDGE_CONTROL, ctl & ~BCTL_BUS_RESET);
	/* The device answers config reads again when it is out of reset (bounded). */
	for (int i = 0; i < 100000; i++)
		if ((pci_read32(p->bus, p->dev, p->fn, 0) & 0xffff) == p->vendor)
			break;
	restore_bars(p);
	pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, 0);
	printk("hv: pci %02x:%02x.%x reset through %02x:%02x.%x in %lu us\n", p->bus, p->dev, p->fn,
	       br->bus, br->dev, br->fn, (arch_time_ns() - t0) / 1000);
	return 0;
}
