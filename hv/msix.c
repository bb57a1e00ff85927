/*
 * Pages of an assigned device's BARs that the driver domain never gets: those
 * holding the MSI-X table and the pending-bit array. The table holds the
 * message address and data the hypervisor programs (hv/devirq.c); a driver
 * that could rewrite them would choose the vector and CPU its device
 * interrupts. Whole 4 KiB pages are withheld because nested paging maps no
 * less; whatever else shares such a page is withheld with it (the PCI spec
 * asks devices not to put other registers there; QEMU's NVMe and e1000e do
 * not). Config-space writes to the capability are refused by hv/pcicfg.c.
 */
#include "fmt.h"
#include "kstring.h"
#include "hv/domain.h"
#include "hv/msix.h"
#include "hv/printk.h"
#include "public/hv_errno.h"

#define MSIX_ENTRY    16u
#define PAGE          0x1000ull

struct msix_region {
	uint64_t lo, hi;        /* host-physical, page aligned; lo == hi: none */
	uint8_t bar;
	uint64_t off;           /* offset of the structure in its BAR */
};

struct msix_guard {
	struct msix_region table, pba;
	uint64_t bar_gpa[PCI_BARS], bar_pa[PCI_BARS], bar_len[PCI_BARS];
};

static struct msix_guard guards[PCI_MAX_DEVS];

/* 'reg' is a table or PBA offset/BIR register; len bytes from its offset. */
static int region(const struct pci_dev *p, uint32_t reg, uint64_t len, struct msix_region *r)
{
	unsigned bir = reg & 7;
	uint64_t off = reg & ~7u;

	if (bir >= PCI_BARS || !p->bar[bir].size || p->bar[bir].is_io ||
	    off + len > p->bar[bir].size)
		return -HV_EINVAL;
	uint64_t start = p->bar[bir].base + off;
	r->lo = start & ~(PAGE - 1);
	r->hi = (start + len + PAGE - 1) & ~(PAGE - 1);
	r->bar = (uint8_t)bir;
	r->off = off;
	return 0;
}

int msix_guard_init(unsigned index)
{
	const struct pci_dev *p = &pci_devs[index];
	struct msix_guard *g = &guards[index];
	unsigned cap = pci_find_cap(p, PCI_CAP_MSIX);

	memset(g, 0, sizeof(*g));
	if (!cap)
		return 0;
	uint32_t n = ((pci_read32(p->bus, p->dev, p->fn, (uint16_t)cap) >> 16) & 0x7ff) + 1;
	uint32_t tbl = pci_read32(p->bus, p->dev, p->fn, (uint16_t)(cap + 4));
	uint32_t pba = pci_read32(p->bus, p->dev, p->fn, (uint16_t)(cap + 8));
	if (region(p, tbl, (uint64_t)n * MSIX_ENTRY, &g->table) ||
	    region(p, pba, (n + 63) / 64 * 8ull, &g->pba)) {
		memset(g, 0, sizeof(*g));
		printk("hv: pci %02x:%02x.%x: MSI-X table 0x%x or PBA 0x%x lies outside its memory BARs\n",
		       p->bus, p->dev, p->fn, tbl, pba);
		return -HV_EINVAL;
	}
	printk("hv: pci %02x:%02x.%x: %u MSI-X vectors; BAR%u+0x%lx-0x%lx (table), "
	       "BAR%u+0x%lx-0x%lx (PBA) stay unmapped\n", p->bus, p->dev, p->fn, n,
	       g->table.bar, g->table.lo - p->bar[g->table.bar].base,
	       g->table.hi - p->bar[g->table.bar].base - 1, g->pba.bar,
	       g->pba.lo - p->bar[g->pba.bar].base, g->pba.hi - p->bar[g->pba.bar].base - 1);
	return 0;
}

static int overlaps(const struct msix_region *r, uint64_t pa)
{
	return pa < r->hi && pa + PAGE > r->lo;
}

/* Which structure the page at pa holds: the table wins if both share it. */
static const struct msix_region *which(const struct msix_guard *g, uint64_t pa)
{
	if (overlaps(&g->table, pa))
		return &g->table;
	if (overlaps(&g->pba, pa))
		return &g->pba;
	return 0;
}

int msix_guard_page(unsigned index, uint64_t pa)
{
	return index < PCI_MAX_DEVS && which(&guards[index], pa & ~(PAGE - 1)) != 0;
}

void msix_guard_bar(unsigned index, unsigned bar, uint64_t gpa, uint64_t pa, uint64_t len)
{
	if (index < PCI_MAX_DEVS && bar < PCI_BARS) {
		guards[index].bar_gpa[bar] = gpa;
		guards[index].bar_pa[bar] = pa;
		guards[index].bar_len[bar] = len;
	}
}

void msix_guard_clear(unsigned index)
{
	if (index < PCI_MAX_DEVS)
		memset(&guards[index], 0, sizeof(guards[index]));
}

int msix_describe_fault(const struct domain *d, uint64_t gpa, int write, int fetch,
			char *buf, size_t len)
{
	for (unsigned k = 0; k < d->ndevs; k++) {
		unsigned i = (unsigned)d->devs[k];
		const struct msix_guard *g = &guards[i];
		for (unsigned b = 0; b < PCI_BARS; b++) {
			if (gpa < g->bar_gpa[b] || gpa - g->bar_gpa[b] >= g->bar_len[b])
				continue;
			uint64_t pa = g->bar_pa[b] + (gpa - g->bar_gpa[b]);
			const struct msix_region *r = which(g, pa & ~(PAGE - 1));
			if (!r)
				continue;
			const struct pci_dev *p = &pci_devs[i];
			fmt_snprintf(buf, len, "%s the MSI-X %s of %02x:%02x.%x at BAR%u+0x%lx (gpa 0x%lx",
				     fetch ? "instruction fetch from" : write ? "write to" : "read of",
				     r == &g->table ? "table" : "PBA", p->bus, p->dev, p->fn, b,
				     pa >= p->bar[b].base ? pa - p->bar[b].base : 0, gpa);
			return 1;
		}
	}
	return 0;
}
