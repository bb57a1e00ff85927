/*
 * The x86 boot environment of a new guest: 4-level page tables identity-mapping
 * the first GiB (page 0 left out) and a flat GDT, written into the guest's own
 * memory at the addresses public/guest_layout.h fixes.
 */
#include <stdint.h>
#include "hv/arch.h"
#include "hv/domain.h"
#include "public/guest_layout.h"

#define G_P   0x1ull
#define G_RW  0x2ull
#define G_PS  0x80ull

static int put64(struct domain *d, uint64_t gpa, uint64_t v)
{
	return guest_write_raw(d, gpa, &v, sizeof(v));
}

int arch_guest_boot_tables(struct domain *d, struct vcpu_start *st)
{
	static const uint64_t gdt[3] = { 0, 0x00af9a000000ffffull, 0x00cf92000000ffffull };
	int rc = 0;

	rc |= put64(d, GUEST_PML4_GPA, GUEST_PDPT_GPA | G_P | G_RW);
	rc |= put64(d, GUEST_PDPT_GPA, GUEST_PD_GPA | G_P | G_RW);
	rc |= put64(d, GUEST_PD_GPA, GUEST_PT0_GPA | G_P | G_RW);
	for (uint64_t i = 1; i < 512 && !rc; i++)
		rc |= put64(d, GUEST_PD_GPA + i * 8, (i << 21) | G_P | G_RW | G_PS);
	for (uint64_t i = 1; i < 512 && !rc; i++)
		rc |= put64(d, GUEST_PT0_GPA + i * 8, (i << 12) | G_P | G_RW);
	rc |= guest_write_raw(d, GUEST_GDT_GPA, gdt, sizeof(gdt));
	st->page_table = GUEST_PML4_GPA;
	st->gdt = GUEST_GDT_GPA;
	st->gdt_limit = sizeof(gdt) - 1;
	return rc ? -1 : 0;
}
