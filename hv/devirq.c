/*
 * Device interrupts of driver domains. A domain binds its device's interrupt
 * to an event port; the hypervisor gives the device a host vector (kept for
 * the device's lifetime), an interrupt-remapping entry that only that device
 * may use, and programs MSI-X entry 0 (or MSI) itself: the domain cannot
 * choose the vector or the destination. An interrupt marks the vector pending;
 * the scheduler turns it into an event for the owner outside interrupt context.
 */
#include "hv/arch.h"
#include "hv/channel.h"
#include "hv/domain.h"
#include "hv/iommu.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "public/hv_errno.h"

#define CAP_MSI   0x05
#define CAP_MSIX  0x11

static volatile uint64_t pending[4];    /* one bit per vector */

int arch_map_mmio(uint64_t pa, uint64_t size);
void evtchn_raise_device(struct domain *d, uint32_t port);

static void on_irq(unsigned vector)
{
	__atomic_fetch_or(&pending[vector / 64], 1ull << (vector % 64), __ATOMIC_SEQ_CST);
}

static unsigned find_cap(const struct pci_dev *p, uint8_t id)
{
	unsigned off = pci_read32(p->bus, p->dev, p->fn, 0x34) & 0xfc;

	for (int n = 0; off >= 0x40 && n < 48; n++) {
		uint32_t hdr = pci_read32(p->bus, p->dev, p->fn, (uint16_t)off);
		if ((hdr & 0xff) == id)
			return off;
		off = (hdr >> 8) & 0xfc;
	}
	return 0;
}

/* Program MSI-X entry 0 (preferred) or MSI with addr/data and enable it. */
static int program_msi(const struct pci_dev *p, uint64_t addr, uint32_t data)
{
	unsigned cap = find_cap(p, CAP_MSIX);

	if (cap) {
		uint32_t tbl = pci_read32(p->bus, p->dev, p->fn, (uint16_t)(cap + 4));
		const struct pci_bar *bar = &p->bar[tbl & 7];
		uint64_t entry = bar->base + (tbl & ~7u);
		if (!bar->size || bar->is_io || arch_map_mmio(entry, 16))
			return -HV_EINVAL;
		mmio_write32_pa(entry, (uint32_t)addr);
		mmio_write32_pa(entry + 4, (uint32_t)(addr >> 32));
		mmio_write32_pa(entry + 8, data);
		mmio_write32_pa(entry + 12, 0);                 /* unmasked */
		uint32_t ctl = pci_read32(p->bus, p->dev, p->fn, (uint16_t)cap);
		ctl = (ctl | (1u << 31)) & ~(1u << 30);         /* enable, function unmask */
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)cap, ctl);
		return 0;
	}
	if ((cap = find_cap(p, CAP_MSI))) {
		uint32_t ctl = pci_read32(p->bus, p->dev, p->fn, (uint16_t)cap);
		int is64 = (ctl >> 23) & 1;
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)(cap + 4), (uint32_t)addr);
		if (is64)
			pci_write32(p->bus, p->dev, p->fn, (uint16_t)(cap + 8), (uint32_t)(addr >> 32));
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)(cap + (is64 ? 12 : 8)), data);
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)cap, (ctl | (1u << 16)) & ~(7u << 20));
		return 0;
	}
	return -HV_ENOSYS;      /* INTx-only devices: IOAPIC routing comes later */
}

int64_t devirq_bind(struct domain *d, uint64_t dev)
{
	if (dev >= d->ndevs)
		return -HV_ENOENT;
	struct pci_dev *p = &pci_devs[d->devs[dev]];
	unsigned index = (unsigned)d->devs[dev];         /* one remapping entry per device */
	uint64_t addr;
	uint32_t data;

	if (p->irq_port)
		return -HV_EBUSY;
	if (!p->irq_vector) {
		if (arch_irq_alloc(on_irq, &addr, &data))
			return -HV_ENOMEM;
		p->irq_vector = (uint8_t)data;
	}
	int64_t port = evtchn_alloc_device(d);
	if (port < 0)
		return port;
	int rc = iommu_irq_route(index, (uint16_t)(p->bus << 8 | p->dev << 3 | p->fn),
				 p->irq_vector, &addr, &data);
	if (!rc)
		rc = program_msi(p, addr, data);
	if (rc) {
		evtchn_close(d, (uint64_t)port);
		return rc;
	}
	p->irq_port = (uint8_t)port;
	return port;
}

/* The device is being released: silence it and drop its route. */
void devirq_release(struct pci_dev *p, unsigned index)
{
	unsigned cap;

	if ((cap = find_cap(p, CAP_MSIX)))
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)cap,
			    pci_read32(p->bus, p->dev, p->fn, (uint16_t)cap) & ~(1u << 31));
	if ((cap = find_cap(p, CAP_MSI)))
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)cap,
			    pci_read32(p->bus, p->dev, p->fn, (uint16_t)cap) & ~(1u << 16));
	iommu_irq_unroute(index);
	p->irq_port = 0;
}

void devirq_deliver(void)
{
	for (unsigned w = 0; w < 4; w++) {
		uint64_t bits = __atomic_exchange_n(&pending[w], 0, __ATOMIC_SEQ_CST);
		for (unsigned b = 0; bits && b < 64; b++) {
			if (!(bits & (1ull << b)))
				continue;
			bits &= ~(1ull << b);
			for (unsigned i = 0; i < pci_ndevs; i++) {
				struct pci_dev *p = &pci_devs[i];
				struct domain *d = p->owner ? domain_by_id(p->owner) : 0;
				if (p->irq_vector == w * 64 + b && d && p->irq_port)
					evtchn_raise_device(d, p->irq_port);
			}
		}
	}
}
