/*
 * PCI enumeration through ECAM. Bridges are followed through their secondary
 * bus numbers as firmware programmed them; BARs are sized with decoding turned
 * off so a half-written BAR never claims addresses.
 */
#include "hv/arch.h"
#include "hv/pci.h"
#include "hv/printk.h"

#define PCI_VENDOR      0x00
#define PCI_COMMAND     0x04
#define PCI_CLASS_REV   0x08
#define PCI_HEADER      0x0c
#define PCI_BAR0        0x10
#define PCI_BUS_NUMBERS 0x18
#define CMD_IO_MEM      0x3


struct pci_dev pci_devs[PCI_MAX_DEVS];
unsigned pci_ndevs;
static uint64_t ecam_base;
static uint8_t bus_lo, bus_hi;

static volatile uint32_t *cfg(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	uint64_t a = ecam_base + ((uint64_t)bus << 20) + ((uint64_t)dev << 15) +
		     ((uint64_t)fn << 12) + (off & 0xffc);
	return phys_to_virt(a);
}

uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	if (bus < bus_lo || bus > bus_hi)
		return 0xffffffffu;
	return *cfg(bus, dev, fn, off);
}

void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v)
{
	if (bus >= bus_lo && bus <= bus_hi)
		*cfg(bus, dev, fn, off) = v;
}

static uint64_t size_bar(struct pci_dev *p, unsigned i)
{
	uint16_t off = PCI_BAR0 + 4 * i;
	uint32_t lo = pci_read32(p->bus, p->dev, p->fn, off), hi = 0, mlo, mhi = 0xffffffffu;
	struct pci_bar *b = &p->bar[i];

	b->is_io = lo & 1;
	b->is_64 = !b->is_io && ((lo >> 1) & 3) == 2;
	pci_write32(p->bus, p->dev, p->fn, off, 0xffffffffu);
	mlo = pci_read32(p->bus, p->dev, p->fn, off);
	pci_write32(p->bus, p->dev, p->fn, off, lo);
	if (b->is_64) {
		hi = pci_read32(p->bus, p->dev, p->fn, off + 4);
		pci_write32(p->bus, p->dev, p->fn, off + 4, 0xffffffffu);
		mhi = pci_read32(p->bus, p->dev, p->fn, off + 4);
		pci_write32(p->bus, p->dev, p->fn, off + 4, hi);
	}
	uint64_t mask = ((uint64_t)mhi << 32) | (mlo & (b->is_io ? ~3u : ~0xfu));
	if (!b->is_64)
		mask |= 0xffffffff00000000ull;
	b->base = ((uint64_t)hi << 32) | (lo & (b->is_io ? ~3u : ~0xfu));
	b->size = (mlo == 0 || mlo == 0xffffffffu) && !b->is_64 ? 0 : ~mask + 1;
	if (b->is_io)
		b->size &= 0xffff;
	return b->is_64;
}

static void read_bars(struct pci_dev *p)
{
	unsigned nbars = p->header_type == 1 ? 2 : PCI_BARS;
	uint32_t cmd = pci_read32(p->bus, p->dev, p->fn, PCI_COMMAND);

	pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, cmd & ~CMD_IO_MEM);
	for (unsigned i = 0; i < nbars; i++)
		if (size_bar(p, i))
			i++;            /* the upper half of a 64-bit BAR */
	pci_write32(p->bus, p->dev, p->fn, PCI_COMMAND, cmd);
}

static void log_dev(const struct pci_dev *p)
{
	printk("hv: pci %02x:%02x.%x %04x:%04x class %06x%s", p->bus, p->dev, p->fn, p->vendor,
	       p->device, p->class, p->header_type == 1 ? " bridge" : "");
	for (unsigned i = 0; i < PCI_BARS; i++)
		if (p->bar[i].size)
			printk(" BAR%u %s 0x%lx+0x%lx", i, p->bar[i].is_io ? "io" : "mem",
			       p->bar[i].base, p->bar[i].size);
	printk("\n");
}

static void scan_bus(uint8_t bus, int parent, unsigned depth);

static void add_function(uint8_t bus, uint8_t dev, uint8_t fn, int parent, unsigned depth)
{
	if (pci_ndevs == PCI_MAX_DEVS) {
		printk("hv: pci: more than %u functions, ignoring the rest\n", PCI_MAX_DEVS);
		return;
	}
	struct pci_dev *p = &pci_devs[pci_ndevs];
	uint32_t id = pci_read32(bus, dev, fn, PCI_VENDOR);

	*p = (struct pci_dev){ .bus = bus, .dev = dev, .fn = fn, .parent = parent };
	p->vendor = (uint16_t)id;
	p->device = (uint16_t)(id >> 16);
	p->class = pci_read32(bus, dev, fn, PCI_CLASS_REV) >> 8;
	p->header_type = (pci_read32(bus, dev, fn, PCI_HEADER) >> 16) & 0x7f;
	read_bars(p);
	int me = (int)pci_ndevs++;
	log_dev(p);
	if (p->header_type == 1) {
		uint8_t secondary = (pci_read32(bus, dev, fn, PCI_BUS_NUMBERS) >> 8) & 0xff;
		/* Firmware numbered the buses; refuse loops and depth beyond reason. */
		if (secondary > bus && depth < 8)
			scan_bus(secondary, me, depth + 1);
	}
}

static void scan_bus(uint8_t bus, int parent, unsigned depth)
{
	if (bus < bus_lo || bus > bus_hi || arch_map_mmio(ecam_base + ((uint64_t)bus << 20), 1 << 20))
		return;
	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t fn = 0; fn < 8; fn++) {
			if ((pci_read32(bus, dev, fn, PCI_VENDOR) & 0xffff) == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			add_function(bus, dev, fn, parent, depth);
			if (fn == 0 && !(pci_read32(bus, dev, 0, PCI_HEADER) & 0x800000))
				break;  /* single-function device */
		}
	}
}

int pci_init(const struct mcfg_alloc *ecam)
{
	ecam_base = ecam->base;
	bus_lo = ecam->bus_start;
	bus_hi = ecam->bus_end;
	pci_ndevs = 0;
	scan_bus(bus_lo, -1, 0);
	printk("hv: pci: %u functions\n", pci_ndevs);
	return 0;
}

const struct pci_dev *pci_find(uint16_t vendor, uint16_t device)
{
	for (unsigned i = 0; i < pci_ndevs; i++)
		if (pci_devs[i].vendor == vendor && pci_devs[i].device == device)
			return &pci_devs[i];
	return 0;
}

/* A function's INTx pin as it arrives on the root bus: every bridge on the
 * way rotates the pin by the device number below it (the PCI-to-PCI bridge
 * swizzle). 0 and the root-bus slot and pin (0 = INTA), or -1 when the
 * function uses no INTx pin. */
int pci_intx_root(const struct pci_dev *p, unsigned *slot, unsigned *pin)
{
	unsigned ipin = (pci_read32(p->bus, p->dev, p->fn, 0x3c) >> 8) & 0xff;

	if (ipin < 1 || ipin > 4)
		return -1;
	*pin = ipin - 1;
	for (int n = 0; p->parent >= 0 && n < 32; n++) {
		*pin = (*pin + p->dev) % 4;
		p = &pci_devs[p->parent];
	}
	*slot = p->dev;
	return 0;
}

unsigned pci_find_cap(const struct pci_dev *p, uint8_t id)
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
