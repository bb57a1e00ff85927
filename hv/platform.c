/*
 * Platform discovery from ACPI: the RSDP (from the boot loader, else the BIOS
 * area), the RSDT/XSDT, MCFG for PCI and DMAR for the IOMMU. Every table is
 * mapped and checked before it is parsed.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/iommu.h"
#include "hv/pci.h"
#include "hv/platform.h"
#include "hv/printk.h"


struct platform_info platform;

static const void *map_table(uint64_t pa)
{
	if (arch_map_mmio(pa, ACPI_HDR_LEN))
		return 0;
	uint32_t len = acpi_table_len(phys_to_virt(pa), ACPI_HDR_LEN);
	if (len < ACPI_HDR_LEN || len > (1u << 20) || arch_map_mmio(pa, len))
		return 0;
	return phys_to_virt(pa);
}

/* The RSDP from GRUB's tag, else a scan of the BIOS area on 16-byte boundaries. */
static const void *find_rsdp(size_t *len)
{
	if (boot_info.rsdp_len) {
		*len = boot_info.rsdp_len;
		return boot_info.rsdp;
	}
	for (uint64_t a = 0xe0000; a < 0x100000; a += 16) {
		if (!memcmp(phys_to_virt(a), "RSD PTR ", 8)) {
			*len = 20;
			return phys_to_virt(a);
		}
	}
	return 0;
}

static void use_table(const void *t, uint64_t pa)
{
	const char *why;
	unsigned n;
	uint32_t len = acpi_table_len(t, ACPI_HDR_LEN);

	printk("hv: acpi: %.4s at 0x%lx, %u bytes\n", (const char *)t, pa, len);
	if (!memcmp(t, "MCFG", 4)) {
		if (acpi_parse_mcfg(t, len, &platform.mcfg, 1, &n, &why))
			printk("hv: acpi: MCFG ignored: %s\n", why);
		else
			platform.have_mcfg = 1;
	} else if (!memcmp(t, "APIC", 4)) {
		if (acpi_parse_madt(t, len, &platform.madt, &why))
			printk("hv: acpi: MADT ignored: %s\n", why);
		else
			platform.have_madt = 1;
	} else if (!memcmp(t, "DMAR", 4)) {
		if (dmar_parse(t, len, &platform.dmar, &why))
			printk("hv: acpi: DMAR ignored: %s\n", why);
		else
			platform.have_dmar = 1;
	}
}

static void log_dmar(const struct dmar_info *d)
{
	for (unsigned i = 0; i < d->ndrhd; i++) {
		const struct dmar_drhd *u = &d->drhd[i];
		printk("hv: dmar: DRHD %u at 0x%lx, segment %u, %s, %u device scopes, HAW %u\n", i,
		       u->base, u->segment, u->flags & DMAR_DRHD_INCLUDE_PCI_ALL ?
		       "INCLUDE_PCI_ALL" : "explicit scopes", u->nscopes, d->haw);
	}
	for (unsigned i = 0; i < d->nrmrr; i++)
		printk("hv: dmar: RMRR [0x%lx-0x%lx]\n", d->rmrr[i].base, d->rmrr[i].limit);
}

void platform_discover(void)
{
	uint64_t sdt_pa, entries[ACPI_MAX_TABLES];
	const char *why;
	size_t rlen;
	int xsdt;
	unsigned n;

	const void *rsdp = find_rsdp(&rlen);
	if (!rsdp || acpi_parse_rsdp(rsdp, rlen, &sdt_pa, &xsdt, &why)) {
		printk("hv: acpi: no usable RSDP (%s): no PCI, no IOMMU\n", rsdp ? why : "not found");
		return;
	}
	const void *sdt = map_table(sdt_pa);
	uint32_t slen = sdt ? acpi_table_len(sdt, ACPI_HDR_LEN) : 0;
	if (!sdt || acpi_sdt_entries(sdt, slen, xsdt, entries, ACPI_MAX_TABLES, &n, &why)) {
		printk("hv: acpi: root table unusable (%s)\n", sdt ? why : "cannot map");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const void *t = map_table(entries[i]);
		if (!t || acpi_table_check(t, acpi_table_len(t, ACPI_HDR_LEN), 0, &why))
			printk("hv: acpi: table at 0x%lx skipped (%s)\n", entries[i], t ? why : "unmappable");
		else
			use_table(t, entries[i]);
	}
	if (platform.have_madt)
		arch_ioapic_init(&platform.madt);
	if (platform.have_dmar) {
		log_dmar(&platform.dmar);
		iommu_init(&platform.dmar);
	}
	if (platform.have_mcfg)
		pci_init(&platform.mcfg);
}
