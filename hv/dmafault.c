/*
 * DMA and interrupt-remapping faults: each recorded fault names the requester
 * (bus:dev.fn, the source id the IOMMU saw on the bus, which a device cannot
 * choose). The device's owner is killed with one line, and the device stops
 * mastering at once so it cannot keep trying while the domain is torn down.
 * A fault whose requester is no assigned device (the I/O APIC, an unassigned
 * function, QEMU's "no source id") is logged and charged to nobody: a guess
 * could kill an innocent domain.
 */
#include "hv/domain.h"
#include "hv/iommu.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "hv/strayirq.h"

/* Interrupt-remapping fault reasons (VT-d spec 7.1.3, table 24). */
static const char *irq_reason(uint8_t reason)
{
	switch (reason) {
	case 0x20: return "reserved field set in the request";
	case 0x21: return "index beyond the remapping table";
	case 0x22: return "no remapping entry at that index";
	case 0x23: return "remapping table unreadable";
	case 0x24: return "reserved field set in the entry";
	case 0x25: return "compatibility-format interrupt blocked";
	case 0x26: return "source id not allowed for that entry";
	case 0x27: return "posted-interrupt descriptor unreadable";
	}
	return "interrupt request refused";
}

static struct pci_dev *requester(uint16_t sid)
{
	uint8_t bus = sid >> 8, dev = (sid >> 3) & 0x1f, fn = sid & 7;

	for (unsigned i = 0; i < pci_ndevs; i++)
		if (pci_devs[i].bus == bus && pci_devs[i].dev == dev && pci_devs[i].fn == fn)
			return &pci_devs[i];
	return 0;
}

static void charge(const struct vtd_fault *f)
{
	uint8_t bus = f->sid >> 8, dev = (f->sid >> 3) & 0x1f, fn = f->sid & 7;
	struct pci_dev *p = requester(f->sid);
	struct domain *d = p && p->owner ? domain_by_id(p->owner) : 0;
	int irq = VTD_FAULT_IS_IRQ(f->reason);

	if (p) {
		uint32_t cmd = pci_read32(bus, dev, fn, 0x04) & 0xffff;
		pci_write32(bus, dev, fn, 0x04, cmd & ~0x4u);
	}
	if (!d) {
		if (irq)
			printk("hv: vtd: interrupt-remapping fault from unassigned requester "
			       "%02x:%02x.%x: %s (reason 0x%x, index %u)\n", bus, dev, fn,
			       irq_reason(f->reason), f->reason, f->irq_index);
		else
			printk("hv: vtd: DMA fault from unassigned device %02x:%02x.%x at 0x%lx\n",
			       bus, dev, fn, f->addr);
		return;
	}
	if (irq)
		domain_crash(d, "interrupt-remapping fault: device %02x:%02x.%x sent an interrupt "
			     "it may not: %s (VT-d reason 0x%x, index %u)", bus, dev, fn,
			     irq_reason(f->reason), f->reason, f->irq_index);
	else
		domain_crash(d, "DMA fault: device %02x:%02x.%x %s at 0x%lx outside its memory "
			     "(VT-d reason 0x%x)", bus, dev, fn, f->is_read ? "read" : "write",
			     f->addr, f->reason);
}

int iommu_poll_faults(void)
{
	struct vtd_fault f;
	int n = 0;

	while (vtd_take_fault(0, &f)) {
		n++;
		if (VTD_FAULT_IS_IRQ(f.reason))
			strayirq_count(STRAY_IR_FAULT, -1);
		charge(&f);
	}
	return n;
}
