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

static const struct pci_dev *dev_of(struct domain *d, uint64_t dev)
{
	return dev < d->ndevs ? &pci_devs[d->devs[dev]] : 0;
}

static int args_ok(uint64_t off, uint64_t size)
{
	return (size == 1 || size == 2 || size == 4) && off < 4096 && off % size == 0;
}

int64_t pcicfg_read(struct domain *d, uint64_t dev, uint64_t off, uint64_t size)
{
	const struct pci_dev *p = dev_of(d, dev);

	if (!p)
		return -HV_ENOENT;
	if (!args_ok(off, size))
		return -HV_EINVAL;
	uint32_t v = pci_read32(p->bus, p->dev, p->fn, (uint16_t)(off & ~3ull));
	v >>= 8 * (off & 3);
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

int64_t pcicfg_write(struct domain *d, uint64_t dev, uint64_t off, uint64_t size, uint64_t val)
{
	const struct pci_dev *p = dev_of(d, dev);

	if (!p)
		return -HV_ENOENT;
	if (!args_ok(off, size) || val >> (8 * size))
		return -HV_EINVAL;
	if (off != PCI_COMMAND || size < 2)
		return -HV_EPERM;
	if (val & 0xffff & ~CMD_GUEST_BITS)
		return -HV_EPERM;       /* I/O space, SERR, parity...: not the driver's */
	uint32_t cur = pci_read32(p->bus, p->dev, p->fn, PCI_COMMAND) & 0xffff;
	uint32_t v = (cur & ~CMD_GUEST_BITS) | ((uint32_t)val & CMD_GUEST_BITS);
	/* Upper half is the status register (write 1 to clear): write zeros. */
	pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, v);
	return 0;
}
