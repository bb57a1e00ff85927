/* ACPI RSDP/RSDT/XSDT, MCFG and DMAR parsing, good and malformed tables. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hv/acpi.h"
#include "iommu/dmar.h"
#include "unit.h"

static uint8_t t[1024];
static uint32_t tlen;

static void put16(uint32_t o, uint16_t v) { memcpy(t + o, &v, 2); }
static void put32(uint32_t o, uint32_t v) { memcpy(t + o, &v, 4); }
static void put64(uint32_t o, uint64_t v) { memcpy(t + o, &v, 8); }

static void begin(const char *sig, uint32_t hdr_extra)
{
	memset(t, 0, sizeof(t));
	memcpy(t, sig, 4);
	tlen = 36 + hdr_extra;
}

static void finish(void)
{
	uint8_t s = 0;

	put32(4, tlen);
	t[9] = 0;
	for (uint32_t i = 0; i < tlen; i++)
		s += t[i];
	t[9] = (uint8_t)-s;
}

/* Parse from an exactly-sized copy so ASan sees overreads. */
static int dmar(struct dmar_info *d, const char **why)
{
	uint8_t *c = malloc(tlen);
	memcpy(c, t, tlen);
	int rc = dmar_parse(c, tlen, d, why);
	free(c);
	return rc;
}

static void scope(uint8_t type, uint8_t bus, uint8_t dev, uint8_t fn)
{
	uint8_t s[8] = { type, 8, 0, 0, 0, bus, dev, fn };
	memcpy(t + tlen, s, 8);
	tlen += 8;
}

/* The DMAR QEMU's intel-iommu builds: one DRHD with explicit scopes. */
static void good_dmar(void)
{
	begin("DMAR", 12);
	t[36] = 38;             /* HAW - 1 */
	t[37] = 1;
	uint32_t d = tlen;
	put16(d, 0);
	t[d + 4] = 0;
	put64(d + 8, 0xfed90000);
	tlen += 16;
	scope(DMAR_SCOPE_ENDPOINT, 0, 1, 0);
	scope(DMAR_SCOPE_BRIDGE, 0, 2, 0);
	scope(DMAR_SCOPE_IOAPIC, 0xff, 0, 0);
	put16(d + 2, (uint16_t)(tlen - d));
	uint32_t r = tlen;      /* an RMRR with one scope */
	put16(r, 1);
	put64(r + 8, 0xe0000);
	put64(r + 16, 0xfffff);
	tlen += 24;
	scope(DMAR_SCOPE_ENDPOINT, 0, 0x1d, 0);
	put16(r + 2, (uint16_t)(tlen - r));
	finish();
}

static void bad_dmar(const char *words)
{
	struct dmar_info d;
	const char *why = "";
	finish();
	CHECK_EQ(dmar(&d, &why), -1);
	if (!strstr(why, words))
		printf("  why='%s', wanted '%s'\n", why, words);
	CHECK(strstr(why, words) != 0);
}

static void dmar_tests(void)
{
	static struct dmar_info d;
	const char *why = "";

	good_dmar();
	CHECK_EQ(dmar(&d, &why), 0);
	CHECK_EQ(d.haw, 39);
	CHECK_EQ(d.ndrhd, 1);
	CHECK_EQ(d.drhd[0].base, 0xfed90000);
	CHECK_EQ(d.drhd[0].nscopes, 3);
	CHECK_EQ(d.drhd[0].scopes[1].type, DMAR_SCOPE_BRIDGE);
	CHECK_EQ(d.drhd[0].scopes[1].path[0].dev, 2);
	CHECK_EQ(d.drhd[0].scopes[2].start_bus, 0xff);
	CHECK_EQ(d.nrmrr, 1);
	CHECK_EQ(d.rmrr[0].limit, 0xfffff);
	CHECK_EQ(d.rmrr[0].scopes[0].path[0].dev, 0x1d);
	uint32_t full = tlen;
	for (tlen = 0; tlen < full; tlen++) {   /* truncated copies never overread */
		uint8_t *c = malloc(tlen ? tlen : 1);
		memcpy(c, t, tlen);
		CHECK_EQ(dmar_parse(c, tlen, &d, &why), -1);
		free(c);
	}
	tlen = full;

	good_dmar(); t[9]++;                       CHECK_EQ(dmar(&d, &why), -1);  /* checksum */
	good_dmar(); put16(48 + 2, 0);             bad_dmar("structure length");  /* zero-length entry */
	good_dmar(); put16(48 + 2, 2);             bad_dmar("structure length");
	good_dmar(); put16(48 + 2, 1000);          bad_dmar("structure length");  /* past the end */
	good_dmar(); put16(48 + 2, 12);            bad_dmar("DRHD shorter");
	good_dmar(); t[48 + 16 + 1] = 0;           bad_dmar("scope length");      /* zero-length scope */
	good_dmar(); t[48 + 16 + 1] = 200;         bad_dmar("scope length");
	good_dmar(); t[48 + 16 + 1] = 7;           bad_dmar("odd length");
	good_dmar(); put64(48 + 8, 0xfed90010);    bad_dmar("page aligned");
	/* fuzz_acpi: a path entry of device >= 32 or function >= 8 was accepted and
	 * then spilled into the bus bits of the I/O APIC's requester id */
	good_dmar(); t[48 + 16 + 6] = 32;          bad_dmar("beyond device 31");
	good_dmar(); t[48 + 16 + 7] = 8;           bad_dmar("function 7");
	good_dmar(); t[48 + 16 + 8 + 8 + 6] = 0xff; bad_dmar("beyond device 31");  /* IOAPIC scope */
	good_dmar(); put64(full - 8 - 8, 0xd0000); bad_dmar("limit below");
	begin("DMAR", 12); finish();               bad_dmar("no remapping unit");
	good_dmar(); memcpy(t, "DMAX", 4);         bad_dmar("signature");
	good_dmar(); put32(4, 20); tlen = full;
	{
		struct dmar_info dd;
		const char *w = "";
		uint8_t *c = malloc(full);
		memcpy(c, t, full);
		CHECK_EQ(dmar_parse(c, full, &dd, &w), -1);         /* header length < 36 */
		free(c);
	}
}

static int madt_parse(struct madt_info *m, const char **why)
{
	uint8_t *c = malloc(tlen);
	memcpy(c, t, tlen);
	int rc = acpi_parse_madt(c, tlen, m, why);
	free(c);
	return rc;
}

/* LAPIC entry, I/O APIC entry, interrupt source override. */
static void madt_build(void)
{
	begin("APIC", 8);
	put32(36, 0xfee00000);
	put32(40, 1);
	t[tlen] = 0; t[tlen + 1] = 8; t[tlen + 3] = 0; put32(tlen + 4, 1); tlen += 8;
	t[tlen] = 1; t[tlen + 1] = 12; t[tlen + 2] = 2; put32(tlen + 4, 0xfec00000);
	put32(tlen + 8, 0); tlen += 12;
	t[tlen] = 2; t[tlen + 1] = 10; t[tlen + 3] = 0; put32(tlen + 4, 2); put16(tlen + 8, 0);
	tlen += 10;
}

static void madt(void)
{
	struct madt_info m;
	const char *why;

	madt_build();
	finish();
	CHECK_EQ(madt_parse(&m, &why), 0);
	CHECK_EQ(m.lapic_addr, 0xfee00000u);
	CHECK_EQ(m.nioapic, 1);
	CHECK_EQ(m.ioapic[0].id, 2);
	CHECK_EQ(m.ioapic[0].addr, 0xfec00000u);
	CHECK_EQ(m.ioapic[0].gsi_base, 0);
	/* Truncated anywhere inside the entries: refused, never read past the end. */
	uint32_t full = tlen;
	for (uint32_t cut = 36; cut < full; cut++) {
		madt_build();
		tlen = cut;
		finish();
		CHECK(madt_parse(&m, &why) == -1 || cut >= 44 + 8 + 12);
	}
	madt_build();
	t[44 + 1] = 0;                          /* zero-length entry */
	finish();
	CHECK_EQ(madt_parse(&m, &why), -1);
	madt_build();
	t[44 + 8 + 1] = 200;                    /* entry past the end */
	finish();
	CHECK_EQ(madt_parse(&m, &why), -1);
	madt_build();
	t[44 + 8 + 1] = 10;                     /* I/O APIC entry of the wrong size */
	finish();
	CHECK_EQ(madt_parse(&m, &why), -1);
	begin("APIC", 8);                       /* no I/O APIC */
	finish();
	CHECK_EQ(madt_parse(&m, &why), -1);
	madt_build();
	finish();
	t[9]++;                                 /* checksum */
	CHECK_EQ(madt_parse(&m, &why), -1);
}

static void mcfg_and_rsdt(void)
{
	struct mcfg_alloc m[4];
	uint64_t e[8];
	unsigned n;
	const char *why;

	begin("MCFG", 8);
	put64(tlen, 0xb0000000);
	t[tlen + 11] = 0xff;
	tlen += 16;
	finish();
	CHECK_EQ(acpi_parse_mcfg(t, tlen, m, 4, &n, &why), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(m[0].base, 0xb0000000);
	CHECK_EQ(m[0].bus_end, 255);
	CHECK_EQ(acpi_parse_mcfg(t, tlen - 1, m, 4, &n, &why), -1);     /* length past avail */
	tlen -= 4;
	finish();
	CHECK_EQ(acpi_parse_mcfg(t, tlen, m, 4, &n, &why), -1);         /* partial entry */
	begin("MCFG", 8);
	finish();
	CHECK_EQ(acpi_parse_mcfg(t, tlen, m, 4, &n, &why), -1);         /* no entries */
	begin("MCFG", 8);
	put64(tlen, 0xb0000000);
	t[tlen + 10] = 5;
	t[tlen + 11] = 4;
	tlen += 16;
	finish();
	CHECK_EQ(acpi_parse_mcfg(t, tlen, m, 4, &n, &why), -1);         /* end < start */
	/* fuzz_acpi: an ECAM window running past 2^64 was accepted, so config
	 * addresses of high buses wrapped to low memory */
	begin("MCFG", 8);
	put64(tlen, 0xffffffffff000000ull);
	t[tlen + 11] = 16;
	tlen += 16;
	finish();
	CHECK_EQ(acpi_parse_mcfg(t, tlen, m, 4, &n, &why), -1);         /* bus 16 wraps */
	CHECK(strstr(why, "wraps") != 0);
	t[36 + 8 + 11] = 15;
	finish();
	CHECK_EQ(acpi_parse_mcfg(t, tlen, m, 4, &n, &why), 0);          /* ends at 2^64 - 1 */

	begin("RSDT", 0);
	for (int i = 0; i < 3; i++) {
		put32(tlen, 0x1000 * (i + 1));
		tlen += 4;
	}
	finish();
	CHECK_EQ(acpi_sdt_entries(t, tlen, 0, e, 8, &n, &why), 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(e[2], 0x3000);
	CHECK_EQ(acpi_sdt_entries(t, tlen, 0, e, 2, &n, &why), -1);     /* too many */
	CHECK_EQ(acpi_sdt_entries(t, tlen, 1, e, 8, &n, &why), -1);     /* not an XSDT */
	tlen -= 2;
	finish();
	CHECK_EQ(acpi_sdt_entries(t, tlen, 0, e, 8, &n, &why), -1);     /* partial entry */

	uint8_t rsdp[20] = "RSD PTR ";
	uint64_t pa;
	int x;
	put32(0, 0);
	memcpy(rsdp + 16, &(uint32_t){ 0x7fe0000 }, 4);
	uint8_t s = 0;
	for (int i = 0; i < 20; i++)
		s += rsdp[i];
	rsdp[8] = (uint8_t)-s;
	CHECK_EQ(acpi_parse_rsdp(rsdp, 20, &pa, &x, &why), 0);
	CHECK_EQ(pa, 0x7fe0000);
	CHECK_EQ(x, 0);
	rsdp[8]++;
	CHECK_EQ(acpi_parse_rsdp(rsdp, 20, &pa, &x, &why), -1);
	CHECK_EQ(acpi_parse_rsdp(rsdp, 19, &pa, &x, &why), -1);
}

int main(void)
{
	dmar_tests();
	mcfg_and_rsdt();
	madt();
	return unit_done("acpi");
}
