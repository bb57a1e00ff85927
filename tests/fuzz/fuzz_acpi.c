/*
 * libFuzzer target: the ACPI table parsers (hv/acpi.c RSDP, RSDT/XSDT, MCFG,
 * MADT; iommu/dmar.c DMAR) on arbitrary bytes, as hv/platform.c feeds them
 * firmware tables. Accepted tables must give results the hypervisor can use
 * as they are: counts within their arrays, MCFG ECAM windows that neither wrap
 * nor have an empty bus range, DMAR units with page-aligned registers, RMRRs
 * with limit >= base, and device scope paths that pack into a requester id
 * (bus << 8 | dev << 3 | fn, iommu/vtd.c iommu_ioapic_sid).
 *
 * Input: one byte: low bits choose the parser, bit 7 makes the target fix the
 * checksum first (the fuzzer then spends its time past it). Then the table.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/acpi.h"
#include "iommu/dmar.h"

static void die(const char *what)
{
	fprintf(stderr, "fuzz_acpi: accepted table breaks an invariant: %s\n", what);
	abort();
}

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Make bytes [0, n) sum to 0 by adjusting byte 'at'. */
static void fix_sum(uint8_t *p, size_t n, size_t at)
{
	uint8_t s = 0;

	if (at >= n)
		return;
	p[at] = 0;
	for (size_t i = 0; i < n; i++)
		s += p[i];
	p[at] = (uint8_t)-s;
}

static void fix_table(uint8_t *t, size_t len)
{
	if (len >= ACPI_HDR_LEN) {
		uint32_t n = rd32(t + 4);
		fix_sum(t, n < len ? n : len, 9);
	}
}

static void check_scopes(const struct dmar_scope *s, unsigned n, unsigned max)
{
	if (n > max)
		die("DMAR scope count");
	for (unsigned i = 0; i < n; i++) {
		if (s[i].npath < 1 || s[i].npath > DMAR_MAX_PATH)
			die("DMAR scope path length");
		for (unsigned k = 0; k < s[i].npath; k++)
			if (s[i].path[k].dev >= 32 || s[i].path[k].fn >= 8)
				die("DMAR scope path entry is not a PCI device/function");
	}
}

static void rsdp(uint8_t *t, size_t len, int fix)
{
	uint64_t pa;
	int xsdt;
	const char *why;

	if (fix) {
		fix_sum(t, len < 20 ? len : 20, 8);
		if (len >= 36) {
			uint32_t x = rd32(t + 20);
			fix_sum(t, x < len ? x : len, 32);
		}
	}
	if (acpi_parse_rsdp(t, len, &pa, &xsdt, &why))
		return;
	if (!pa || len < 20 || (xsdt && (len < 36 || t[15] < 2)))
		die("RSDP result");
}

static void sdt(uint8_t *t, size_t len, int is_xsdt)
{
	uint64_t e[ACPI_MAX_TABLES];
	unsigned n = ~0u;
	const char *why;

	if (acpi_sdt_entries(t, len, is_xsdt, e, ACPI_MAX_TABLES, &n, &why))
		return;
	if (n > ACPI_MAX_TABLES || rd32(t + 4) != ACPI_HDR_LEN + n * (is_xsdt ? 8u : 4u))
		die("RSDT/XSDT entry count");
}

static void mcfg(uint8_t *t, size_t len)
{
	struct mcfg_alloc a[ACPI_MAX_MCFG];
	unsigned n = ~0u;
	const char *why;

	if (acpi_parse_mcfg(t, len, a, ACPI_MAX_MCFG, &n, &why))
		return;
	if (n < 1 || n > ACPI_MAX_MCFG)
		die("MCFG entry count");
	for (unsigned i = 0; i < n; i++) {
		uint64_t last = a[i].base + ((uint64_t)a[i].bus_end + 1) * (1u << 20) - 1;
		if (a[i].bus_end < a[i].bus_start || a[i].base & 0xfffff || last < a[i].base)
			die("MCFG ECAM window");
	}
}

static void madt(uint8_t *t, size_t len)
{
	struct madt_info m;
	const char *why;

	if (acpi_parse_madt(t, len, &m, &why))
		return;
	if (m.nioapic < 1 || m.nioapic > ACPI_MAX_IOAPIC)
		die("MADT I/O APIC count");
}

static void dmar(uint8_t *t, size_t len)
{
	static struct dmar_info d;
	const char *why;

	if (dmar_parse(t, len, &d, &why))
		return;
	if (d.ndrhd < 1 || d.ndrhd > DMAR_MAX_DRHD || d.nrmrr > DMAR_MAX_RMRR)
		die("DMAR unit or region count");
	for (unsigned i = 0; i < d.ndrhd; i++) {
		if (!d.drhd[i].base || d.drhd[i].base & 0xfff)
			die("DRHD register base");
		check_scopes(d.drhd[i].scopes, d.drhd[i].nscopes, DMAR_MAX_SCOPES);
	}
	for (unsigned i = 0; i < d.nrmrr; i++) {
		if (d.rmrr[i].limit < d.rmrr[i].base)
			die("RMRR range");
		check_scopes(d.rmrr[i].scopes, d.rmrr[i].nscopes, 4);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t len = size - 1;
	uint8_t *t = malloc(len ? len : 1);     /* exactly sized: ASan sees overreads */
	int sel = data[0] & 7, fix = data[0] & 0x80;

	memcpy(t, data + 1, len);
	if (fix && sel != 0)
		fix_table(t, len);
	switch (sel) {
	case 0: rsdp(t, len, fix); break;
	case 1: sdt(t, len, 0); break;
	case 2: sdt(t, len, 1); break;
	case 3: mcfg(t, len); break;
	case 4: madt(t, len); break;
	default: dmar(t, len); break;
	}
	free(t);
	return 0;
}
