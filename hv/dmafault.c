/*
 * DMA faults: each recorded fault names the requester (bus:dev.fn). The
 * device's owner is killed with one line, and the device stops mastering at
 * once so it cannot keep trying while the domain is torn down.
 */
#include "hv/domain.h"
#include "hv/iommu.h"
#include "hv/pci.h"
#include "hv/printk.h"

int iommu_poll_faults(void)
{
	struct vtd_fault f;
	int n = 0;

	while (vtd_take_fault(0, &f)) {
		uint8_t bus = f.sid >> 8, dev = (f.sid >> 3) & 0x1f, fn = f.sid & 7;
		struct pci_dev *p = 0;
		for (unsigned i = 0; i < pci_ndevs && !p; i++)
			if (pci_devs[i].bus == bus && pci_devs[i].dev == dev && pci_devs[i].fn == fn)
				p = &pci_devs[i];
		struct domain *d = p && p->owner ? domain_by_id(p->owner) : 0;
		n++;
		if (p) {
			uint32_t cmd = pci_read32(bus, dev, fn, 0x04) & 0xffff;
			pci_write32(bus, dev, fn, 0x04, cmd & ~0x4u);
		}
		if (!d) {
			printk("hv: vtd: DMA fault from unassigned device %02x:%02x.%x at 0x%lx\n",
			       bus, dev, fn, f.addr);
			continue;
		}
		domain_crash(d, "DMA fault: device %02x:%02x.%x %s at 0x%lx outside its memory "
			     "(VT-d reason 0x%x)", bus, dev, fn, f.is_read ? "read" : "write",
			     f.addr, f.reason);
	}
	return n;
}
