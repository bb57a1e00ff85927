/*
 * Mediated config-space access for driver domains. 'dev' indexes the domain's
 * own assigned devices (start info order). Reads are allowed; of the writes,
 * only the command register's memory-space, bus-master and INTx-disable bits
 * may change: BARs, bridge windows, capabilities (MSI/MSI-X address and data)
 * stay as the hypervisor set them.
 */
#include "hv/domain.h"
#include "hv/pci.h"
#include "public/hv_errno.h"

#define PCI_COMMAND          0x04
#define CMD_GUEST_BITS       (0x2u | 0x4u | 0x400u)    /* MEM, BUS MASTER, INTX DISABLE */

/* Arguments come decoded: dev is below the caller's device count, off below
 * 4096, size 1, 2 or 4, val 32 bits. Left here: how they combine. */
static const struct pci_dev *dev_of(struct domain *d, devidx_t dev)
{
	return &pci_devs[d->devs[dev.v]];
}

static uint32_t size_mask(uint32_t size)
{
	return size == 4 ? ~0u : (1u << (8 * size)) - 1;
}

int64_t pcicfg_read(struct domain *d, devidx_t dev, uint32_t off, uint32_t size)
{
	const struct pci_dev *p = dev_of(d, dev);

	if (off % size)
		return -HV_EINVAL;
	uint32_t v = pci_read32(p->bus, p->dev, p->fn, (uint16_t)(off & ~3u));
	v >>= 8 * (off & 3);
	return v & size_mask(size);
}

int64_t pcicfg_write(struct domain *d, devidx_t dev, uint32_t off, uint32_t size, uint32_t val)
{
	const struct pci_dev *p = dev_of(d, dev);

	if (off % size || (val & ~size_mask(size)))
		return -HV_EINVAL;
	if (off != PCI_COMMAND || size < 2)
		return -HV_EPERM;
	if (val & 0xffff & ~CMD_GUEST_BITS)
		return -HV_EPERM;       /* I/O space, SERR, parity...: not the driver's */
	uint32_t cur = pci_read32(p->bus, p->dev, p->fn, PCI_COMMAND) & 0xffff;
	uint32_t v = (cur & ~CMD_GUEST_BITS) | (val & CMD_GUEST_BITS);
	/* Upper half is the status register (write 1 to clear): write zeros. */
	pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, v);
	return 0;
}
