/*
 * Device assignment: a driver domain gets exactly the memory BARs of its
 * devices, mapped uncached at GUEST_MMIO_GPA and up, and the IOMMU lets those
 * devices reach its RAM and nothing else. Released devices lose bus mastering
 * and go back to default deny before the domain's memory is reused.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/iommu.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "public/guest_layout.h"
#include "public/hv_errno.h"

#define PCI_COMMAND 0x04

void devirq_release(struct pci_dev *p, unsigned index);

static int resolve(const struct bootcfg_device *c)
{
	for (unsigned i = 0; i < pci_ndevs; i++) {
		const struct pci_dev *p = &pci_devs[i];
		if (c->kind == BOOTCFG_DEV_BDF && p->bus == c->bus && p->dev == c->dev && p->fn == c->fn)
			return (int)i;
		if (c->kind == BOOTCFG_DEV_ID && p->vendor == c->vendor && p->device == c->device)
			return (int)i;
	}
	return -1;
}

static uint16_t bdf(const struct pci_dev *p)
{
	return (uint16_t)(p->bus << 8 | p->dev << 3 | p->fn);
}

/* Map p's memory BARs after *next; fill the guest's view of the device. */
static int map_bars(struct domain *d, const struct pci_dev *p, uint64_t *next,
		    struct guest_device *gd)
{
	for (unsigned b = 0; b < PCI_BARS; b++) {
		const struct pci_bar *bar = &p->bar[b];
		if (!bar->size || bar->is_io)
			continue;
		uint64_t size = (bar->size + 0xfff) & ~0xfffull, align = size > 0x1000 ? size : 0x1000;
		uint64_t gpa = (*next + align - 1) & ~(align - 1);
		if (gpa + size > GUEST_MMIO_END || (bar->base & 0xfff))
			return -HV_ENOMEM;
		int rc = pt_map(&d->gpt, gpa, bar->base, size, arch_gpt_mmio_flags(), 0);
		if (rc)
			return rc;
		gd->bar_gpa[b] = gpa;
		gd->bar_size[b] = bar->size;
		*next = gpa + size;
	}
	return 0;
}

static int assign_one(struct domain *d, const struct bootcfg_device *c, uint64_t *next,
		      struct guest_device *gd)
{
	int i = resolve(c);
	if (i < 0) {
		printk("hv: domain %s: configured device not present\n", d->cfg.name);
		return -HV_ENOENT;
	}
	struct pci_dev *p = &pci_devs[i];
	if (p->header_type != 0 || p->owner) {
		printk("hv: domain %s: %02x:%02x.%x is %s\n", d->cfg.name, p->bus, p->dev, p->fn,
		       p->owner ? "already assigned" : "a bridge, not assignable");
		return -HV_EBUSY;
	}
	*gd = (struct guest_device){ p->vendor, p->device, p->bus, p->dev, p->fn, 0, {0}, {0} };
	int rc = map_bars(d, p, next, gd);
	if (rc)
		return rc;
	if ((rc = iommu_attach(d, bdf(p))))
		return rc;
	/* Decode its registers; bus mastering stays off until the driver asks
	 * (config-space mediation is the next step). */
	uint32_t cmd = pci_read32(p->bus, p->dev, p->fn, PCI_COMMAND);
	pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, (cmd & 0xffff & ~0x5u) | 0x2u);
	p->owner = d->id;
	d->devs[d->ndevs++] = i;
	printk("hv: pci %02x:%02x.%x %04x:%04x -> domain %u (%s)\n", p->bus, p->dev, p->fn,
	       p->vendor, p->device, d->id, d->cfg.name);
	return 0;
}

int assign_devices(struct domain *d)
{
	struct guest_device gd[BOOTCFG_MAX_DEVICES];
	uint64_t next = GUEST_MMIO_GPA;
	int rc;

	if (!d->cfg.ndevices)
		return 0;
	if (!iommu_enabled()) {
		printk("hv: domain %s: devices need an IOMMU, none is active\n", d->cfg.name);
		return -HV_EPERM;
	}
	memset(gd, 0, sizeof(gd));
	for (unsigned k = 0; k < d->cfg.ndevices && k < BOOTCFG_MAX_DEVICES; k++)
		if ((rc = assign_one(d, &d->cfg.devices[k], &next, &gd[k])))
			return rc;
	uint32_t n = d->ndevs;
	if (guest_write_raw(d, GUEST_START_INFO_GPA + __builtin_offsetof(struct guest_start_info, ndevices),
			    &n, sizeof(n)) ||
	    guest_write_raw(d, GUEST_START_INFO_GPA + __builtin_offsetof(struct guest_start_info, devices),
			    gd, sizeof(gd)))
		return -HV_EFAULT;
	return 0;
}

void release_devices(struct domain *d)
{
	for (unsigned k = 0; k < d->ndevs; k++) {
		struct pci_dev *p = &pci_devs[d->devs[k]];
		/* Stop the device's DMA before its window closes and the RAM is reused. */
		uint32_t cmd = pci_read32(p->bus, p->dev, p->fn, PCI_COMMAND);
		pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, cmd & 0xffff & ~0x7u);
		devirq_release(p, (unsigned)d->devs[k]);
		pci_reset(p);           /* queues, rings, DMA engines back to defaults */
		iommu_detach(d, bdf(p));
		p->owner = 0;
		printk("hv: pci %02x:%02x.%x released by domain %u (%s)\n", p->bus, p->dev, p->fn,
		       d->id, d->cfg.name);
	}
	d->ndevs = 0;
}
