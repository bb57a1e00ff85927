/*
 * I/O APIC: legacy INTx lines of PCI devices. With interrupt remapping on,
 * every redirection entry is written in remappable format: it names an
 * interrupt-remapping entry, and only that entry decides vector and
 * destination. Entries start masked and stay masked unless a device of a
 * driver domain is bound to the line.
 */
#include <stdint.h>
#include "hv/arch.h"
#include "hv/acpi.h"
#include "hv/printk.h"


#define IOREGSEL      0x00
#define IOWIN         0x10
#define IOAPIC_VER    0x01
#define RTE_LO(n)     (0x10 + 2 * (n))
#define RTE_HI(n)     (0x11 + 2 * (n))

#define RTE_POLARITY_LOW (1u << 13)
#define RTE_LEVEL        (1u << 15)
#define RTE_MASKED       (1u << 16)
#define RTE_REMAPPABLE   (1u << 16)     /* bit 48: in the high word */

struct ioapic {
	uint64_t base;
	uint8_t id;
	uint32_t gsi_base, nlines;
};

static struct ioapic ioapics[ACPI_MAX_IOAPIC];
static unsigned nioapics;

static uint32_t rd(const struct ioapic *a, uint32_t reg)
{
	mmio_write32_pa(a->base + IOREGSEL, reg);
	return mmio_read32_pa(a->base + IOWIN);
}

static void wr(const struct ioapic *a, uint32_t reg, uint32_t v)
{
	mmio_write32_pa(a->base + IOREGSEL, reg);
	mmio_write32_pa(a->base + IOWIN, v);
}

static const struct ioapic *ioapic_of(unsigned gsi, unsigned *line)
{
	for (unsigned i = 0; i < nioapics; i++) {
		const struct ioapic *a = &ioapics[i];
		if (gsi >= a->gsi_base && gsi - a->gsi_base < a->nlines) {
			*line = gsi - a->gsi_base;
			return a;
		}
	}
	return 0;
}

void arch_ioapic_init(const struct madt_info *m)
{
	for (unsigned i = 0; i < m->nioapic && nioapics < ACPI_MAX_IOAPIC; i++) {
		struct ioapic *a = &ioapics[nioapics];
		a->base = m->ioapic[i].addr;
		a->id = m->ioapic[i].id;
		a->gsi_base = m->ioapic[i].gsi_base;
		if (arch_map_mmio(a->base, 0x1000))
			continue;
		a->nlines = ((rd(a, IOAPIC_VER) >> 16) & 0xff) + 1;
		for (unsigned n = 0; n < a->nlines; n++) {
			wr(a, RTE_LO(n), RTE_MASKED);
			wr(a, RTE_HI(n), 0);
		}
		printk("hv: ioapic %u at 0x%lx: GSI %u-%u, all masked\n", a->id, a->base,
		       a->gsi_base, a->gsi_base + a->nlines - 1);
		nioapics++;
	}
}

int arch_intx_ioapic_id(unsigned gsi)
{
	unsigned line;
	const struct ioapic *a = ioapic_of(gsi, &line);

	return a ? a->id : -1;
}

/* Level-triggered, active low (PCI INTx), through remapping entry 'index';
 * the vector field repeats the entry's vector so the LAPIC's EOI broadcast
 * finds the line and clears its Remote IRR. Left masked. */
int arch_intx_route(unsigned gsi, unsigned index, uint8_t vector)
{
	unsigned line;
	const struct ioapic *a = ioapic_of(gsi, &line);

	if (!a || index > 0xffff)
		return -1;
	wr(a, RTE_LO(line), RTE_MASKED);
	wr(a, RTE_HI(line), RTE_REMAPPABLE | (index & 0x7fff) << 17);
	wr(a, RTE_LO(line), RTE_MASKED | RTE_LEVEL | RTE_POLARITY_LOW |
	   ((index >> 15) & 1) << 11 | vector);
	return 0;
}

void arch_intx_mask(unsigned gsi, int masked)
{
	unsigned line;
	const struct ioapic *a = ioapic_of(gsi, &line);

	if (!a)
		return;
	uint32_t lo = rd(a, RTE_LO(line));
	wr(a, RTE_LO(line), masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
}

void arch_intx_unroute(unsigned gsi)
{
	unsigned line;
	const struct ioapic *a = ioapic_of(gsi, &line);

	if (!a)
		return;
	wr(a, RTE_LO(line), RTE_MASKED);
	wr(a, RTE_HI(line), 0);
}
