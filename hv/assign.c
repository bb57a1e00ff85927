/*
 * Device assignment: a driver domain gets exactly the memory BARs of its
 * devices, mapped uncached at GUEST_MMIO_GPA and up, less the pages holding
 * their MSI-X table and PBA (hv/msix.c), and the IOMMU lets those devices
 * reach its RAM and nothing else. Released devices lose bus mastering
 * and go back to default deny before the domain's memory is reused.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/iommu.h"
#include "hv/msix.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "public/guest_layout.h"
#include "public/hv_errno.h"

#define PCI_COMMAND 0x04


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

/* Another function's memory BAR (bridges' included) in [pa, pa+len)? Device i's
 * own BARs do not count: they all go to the same driver. */
static const struct pci_dev *page_neighbour(unsigned i, uint64_t pa, uint64_t len)
{
	for (unsigned j = 0; j < pci_ndevs; j++) {
		if (j == i)
			continue;
		for (unsigned b = 0; b < PCI_BARS; b++) {
			const struct pci_bar *o = &pci_devs[j].bar[b];
			if (o->size && !o->is_io && o->base < pa + len && o->base + o->size > pa)
				return &pci_devs[j];
		}
	}
	return 0;
}

/* Map [pa, pa+len) at gpa except the pages holding device i's MSI-X table or
 * PBA: those stay absent, so touching them is an NPF. */
static int map_except_msix(struct domain *d, unsigned i, uint64_t gpa, uint64_t pa, uint64_t len)
{
	uint64_t run = 0;       /* bytes of mappable pages gathered before 'off' */

	for (uint64_t off = 0; off <= len; off += 0x1000) {
		if (off < len && !msix_guard_page(i, pa + off)) {
			run += 0x1000;
			continue;
		}
		if (run) {
			int rc = pt_map(&d->gpt, gpa + off - run, pa + off - run, run,
					arch_gpt_mmio_flags(), 0);
			if (rc)
				return rc;
		}
		run = 0;
	}
	return 0;
}

/* Map device i's memory BARs after *next; fill the guest's view of the device.
 * A BAR that does not fill whole pages (smaller than a page, so perhaps not
 * page aligned either) is mapped by its page only when no other function's
 * registers lie in that page; else it is left out, with a log line. */
static int map_bars(struct domain *d, unsigned i, uint64_t *next, struct guest_device *gd)
{
	const struct pci_dev *p = &pci_devs[i];

	for (unsigned b = 0; b < PCI_BARS; b++) {
		const struct pci_bar *bar = &p->bar[b];
		if (!bar->size || bar->is_io)
			continue;
		uint64_t pa = bar->base & ~0xfffull;
		uint64_t size = ((bar->base + bar->size + 0xfff) & ~0xfffull) - pa;
		const struct pci_dev *o = page_neighbour(i, pa, size);
		if (o) {
			printk("hv: pci %02x:%02x.%x BAR%u 0x%lx+0x%lx shares a page with %02x:%02x.%x: "
			       "not mapped\n", p->bus, p->dev, p->fn, b, bar->base, bar->size,
			       o->bus, o->dev, o->fn);
			continue;
		}
		uint64_t align = size > 0x1000 ? size : 0x1000;
		uint64_t gpa = (*next + align - 1) & ~(align - 1);
		if (gpa + size > GUEST_MMIO_END)
			return -HV_ENOMEM;
		int rc = map_except_msix(d, i, gpa, pa, size);
		if (rc)
			return rc;
		msix_guard_bar(i, b, gpa, pa, size);
		gd->bar_gpa[b] = gpa + (bar->base & 0xfff);
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
	pci_reset_finish(p);    /* a reset still held from its last owner ends now */
	if (p->header_type != 0 || p->owner) {
		printk("hv: domain %s: %02x:%02x.%x is %s\n", d->cfg.name, p->bus, p->dev, p->fn,
		       p->owner ? "already assigned" : "a bridge, not assignable");
		return -HV_EBUSY;
	}
	*gd = (struct guest_device){ p->vendor, p->device, p->bus, p->dev, p->fn, 0, {0}, {0} };
	int rc = msix_guard_init((unsigned)i);
	if (!rc)
		rc = map_bars(d, (unsigned)i, next, gd);
	if (!rc)
		rc = iommu_attach(d, bdf(p));
	if (rc) {
		msix_guard_clear((unsigned)i);
		return rc;
	}
	/* Decode its registers; bus mastering stays off until the driver asks
	 * for it through the mediated HC_PCI_CFG_WRITE (hv/pcicfg.c). */
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

static void release(struct domain *d, int defer_reset)
{
	/* Fault records still pending belong to this incarnation: charge them
	 * now, before a rebuilt one owns the device. */
	if (d->ndevs)
		iommu_poll_faults();
	for (unsigned k = 0; k < d->ndevs; k++) {
		struct pci_dev *p = &pci_devs[d->devs[k]];
		/* Stop the device's DMA before its window closes and the RAM is reused. */
		uint32_t cmd = pci_read32(p->bus, p->dev, p->fn, PCI_COMMAND);
		pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, cmd & 0xffff & ~0x7u);
		devirq_release(p, (unsigned)d->devs[k]);
		msix_guard_clear((unsigned)d->devs[k]);
		/* Queues, rings, DMA engines back to defaults; bus mastering is
		 * off already, so the reset may end later (hv/pcireset.c). */
		if (defer_reset)
			pci_reset_begin(p);
		else
			pci_reset(p);
		iommu_detach(d, bdf(p));
		p->owner = 0;
		printk("hv: pci %02x:%02x.%x released by domain %u (%s)\n", p->bus, p->dev, p->fn,
		       d->id, d->cfg.name);
	}
	d->ndevs = 0;
}

void release_devices(struct domain *d)
{
	release(d, 0);
}

void release_devices_deferred(struct domain *d)
{
	release(d, 1);
}
