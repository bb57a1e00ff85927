/*
 * Device interrupts of driver domains. A domain binds its device's interrupt
 * to an event port; the hypervisor gives the device a host vector (kept for
 * the device's lifetime) and an interrupt-remapping entry that only that
 * device (or, for INTx, the I/O APIC) may use, and programs MSI-X entry 0, MSI
 * or the I/O APIC itself: the domain cannot choose the vector or the
 * destination. An interrupt marks the vector pending; the scheduler turns it
 * into an event for the owner outside interrupt context. A level-triggered
 * INTx line is masked when it fires and stays masked until the owner has
 * serviced its device and says so (HC_DEVICE_IRQ_ACK), so a driver that never
 * acknowledges silences only its own device.
 */
#include "hv/arch.h"
#include "hv/channel.h"
#include "hv/domain.h"
#include "hv/iommu.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "public/hv_errno.h"


static volatile uint64_t pending[4];    /* one bit per vector */
static uint8_t vector_gsi[256];         /* INTx vectors: the line to mask when it fires */


static void on_irq(unsigned vector)
{
	__atomic_fetch_or(&pending[vector / 64], 1ull << (vector % 64), __ATOMIC_SEQ_CST);
}

static void on_intx(unsigned vector)
{
	if (vector_gsi[vector & 0xff])
		arch_intx_mask(vector_gsi[vector & 0xff], 1);
	on_irq(vector);
}

/* Program MSI-X entry 0 (preferred) or MSI with addr/data and enable it. */
static int program_msi(const struct pci_dev *p, uint64_t addr, uint32_t data)
{
	unsigned cap = pci_find_cap(p, PCI_CAP_MSIX);

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
	if ((cap = pci_find_cap(p, PCI_CAP_MSI))) {
		uint32_t ctl = pci_read32(p->bus, p->dev, p->fn, (uint16_t)cap);
		int is64 = (ctl >> 23) & 1;
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)(cap + 4), (uint32_t)addr);
		if (is64)
			pci_write32(p->bus, p->dev, p->fn, (uint16_t)(cap + 8), (uint32_t)(addr >> 32));
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)(cap + (is64 ? 12 : 8)), data);
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)cap, (ctl | (1u << 16)) & ~(7u << 20));
		return 0;
	}
	return -HV_ENOSYS;
}

static int has_msi(const struct pci_dev *p)
{
	return pci_find_cap(p, PCI_CAP_MSIX) || pci_find_cap(p, PCI_CAP_MSI);
}

/* The device's INTx line through the I/O APIC: its GSI, shared with no other
 * bound device (a shared line would let one owner's device mask another's). */
static int intx_line(const struct pci_dev *p, unsigned *gsi, uint16_t *sid)
{
	unsigned slot, pin;

	if (pci_intx_root(p, &slot, &pin))
		return -HV_ENOSYS;
	int g = arch_intx_gsi(slot, pin);
	int apic = g > 0 && g < 256 ? arch_intx_ioapic_id((unsigned)g) : -1;
	if (apic < 0 || iommu_ioapic_sid((unsigned)apic, sid))
		return -HV_ENOSYS;
	for (unsigned i = 0; i < pci_ndevs; i++)
		if (&pci_devs[i] != p && pci_devs[i].intx_gsi == g)
			return -HV_EBUSY;
	*gsi = (unsigned)g;
	return 0;
}

static int64_t intx_bind(struct domain *d, struct pci_dev *p, unsigned index)
{
	unsigned gsi;
	uint16_t sid;
	uint64_t addr;
	uint32_t data;
	int rc = intx_line(p, &gsi, &sid);

	if (rc)
		return rc;
	if (!p->irq_vector) {
		if (arch_irq_alloc(on_intx, &addr, &data))
			return -HV_ENOMEM;
		p->irq_vector = (uint8_t)data;
	}
	evport_t port;
	if ((rc = evtchn_alloc_device(d, &port)))
		return rc;
	rc = iommu_irq_route(index, sid, p->irq_vector, 1, &addr, &data);
	if (!rc)
		rc = arch_intx_route(gsi, index, p->irq_vector) ? -HV_EINVAL : 0;
	if (rc) {
		iommu_irq_unroute(index);
		evtchn_close(d, port);
		return rc;
	}
	vector_gsi[p->irq_vector] = (uint8_t)gsi;
	p->intx_gsi = (uint8_t)gsi;
	p->irq_port = (uint8_t)port.v;
	arch_intx_mask(gsi, 0);
	printk("hv: pci %02x:%02x.%x INTx on GSI %u -> domain %u port %u\n", p->bus, p->dev,
	       p->fn, gsi, d->id, port.v);
	return port.v;
}

/* dev comes decoded: an index below the caller's device count. */
int64_t devirq_ack(struct domain *d, devidx_t dev)
{
	struct pci_dev *p = &pci_devs[d->devs[dev.v]];

	if (!p->irq_port)
		return -HV_EINVAL;
	if (p->intx_gsi)
		arch_intx_mask(p->intx_gsi, 0);
	return 0;
}

int64_t devirq_ack_mask_check(struct domain *d, uint64_t mask)
{
	if (d->ndevs < 64 && mask >> d->ndevs)
		return -HV_ENOENT;
	for (unsigned i = 0; i < d->ndevs && i < 64; i++)
		if (mask >> i & 1 && !pci_devs[d->devs[i]].irq_port)
			return -HV_EINVAL;
	return 0;
}

int64_t devirq_ack_mask(struct domain *d, uint64_t mask)
{
	int64_t rc = devirq_ack_mask_check(d, mask);

	if (rc)
		return rc;
	for (unsigned i = 0; i < d->ndevs && i < 64; i++)
		if (mask >> i & 1)
			devirq_ack(d, devidx_of(i));
	return 0;
}

int64_t devirq_bind(struct domain *d, devidx_t dev)
{
	struct pci_dev *p = &pci_devs[d->devs[dev.v]];
	unsigned index = (unsigned)d->devs[dev.v];       /* one remapping entry per device */
	uint64_t addr;
	uint32_t data;
	evport_t port;
	int rc;

	if (p->irq_port)
		return -HV_EBUSY;
	if (!has_msi(p))
		return intx_bind(d, p, index);
	if (!p->irq_vector) {
		if (arch_irq_alloc(on_irq, &addr, &data))
			return -HV_ENOMEM;
		p->irq_vector = (uint8_t)data;
	}
	if ((rc = evtchn_alloc_device(d, &port)))
		return rc;
	rc = iommu_irq_route(index, (uint16_t)(p->bus << 8 | p->dev << 3 | p->fn),
			     p->irq_vector, 0, &addr, &data);
	if (!rc)
		rc = program_msi(p, addr, data);
	if (rc) {
		evtchn_close(d, port);
		return rc;
	}
	p->irq_port = (uint8_t)port.v;
	return port.v;
}

/* The device is being released: silence it and drop its route. */
void devirq_release(struct pci_dev *p, unsigned index)
{
	unsigned cap;

	if ((cap = pci_find_cap(p, PCI_CAP_MSIX)))
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)cap,
			    pci_read32(p->bus, p->dev, p->fn, (uint16_t)cap) & ~(1u << 31));
	if ((cap = pci_find_cap(p, PCI_CAP_MSI)))
		pci_write32(p->bus, p->dev, p->fn, (uint16_t)cap,
			    pci_read32(p->bus, p->dev, p->fn, (uint16_t)cap) & ~(1u << 16));
	if (p->intx_gsi) {
		arch_intx_unroute(p->intx_gsi);
		vector_gsi[p->irq_vector] = 0;
		p->intx_gsi = 0;
	}
	iommu_irq_unroute(index);
	p->irq_port = 0;
}

/* Does d drive a device whose interrupt is bound? Then that interrupt can
 * still wake it. */
int devirq_can_wake(const struct domain *d)
{
	for (unsigned i = 0; i < d->ndevs; i++) {
		const struct pci_dev *p = &pci_devs[d->devs[i]];
		if (p->irq_port && p->owner == d->id)
			return 1;
	}
	return 0;
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
					evtchn_raise_device(d, evport_of(p->irq_port));
			}
		}
	}
}
