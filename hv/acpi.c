/* ACPI table parsing (see hv/acpi.h). */
#include "hv/acpi.h"

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

uint32_t acpi_table_len(const void *t, size_t avail)
{
	return avail < ACPI_HDR_LEN ? 0 : rd32((const uint8_t *)t + 4);
}

int acpi_table_check(const void *t, size_t avail, const char *sig, const char **why)
{
	const uint8_t *p = t;
	uint32_t len = acpi_table_len(t, avail);

	if (avail < ACPI_HDR_LEN)
		return fail(why, "table shorter than its header");
	if (len < ACPI_HDR_LEN || len > avail)
		return fail(why, "table length out of range");
	if (sig && (p[0] != sig[0] || p[1] != sig[1] || p[2] != sig[2] || p[3] != sig[3]))
		return fail(why, "wrong table signature");
	if (sum(p, len))
		return fail(why, "table checksum wrong");
	return 0;
}

int acpi_parse_rsdp(const void *rsdp, size_t len, uint64_t *sdt_pa, int *is_xsdt,
		    const char **why)
{
	const uint8_t *p = rsdp;
	static const char sig[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };

	if (len < 20)
		return fail(why, "RSDP too short");
	for (int i = 0; i < 8; i++)
		if (p[i] != (uint8_t)sig[i])
			return fail(why, "RSDP signature wrong");
	if (sum(p, 20))
		return fail(why, "RSDP checksum wrong");
	*is_xsdt = 0;
	*sdt_pa = rd32(p + 16);
	if (p[15] >= 2 && len >= 36) {
		uint32_t xlen = rd32(p + 20);
		if (xlen < 36 || xlen > len || sum(p, xlen))
			return fail(why, "extended RSDP length or checksum wrong");
		if (rd64(p + 24)) {
			*sdt_pa = rd64(p + 24);
			*is_xsdt = 1;
		}
	}
	if (!*sdt_pa)
		return fail(why, "RSDP names no RSDT");
	return 0;
}

int acpi_sdt_entries(const void *sdt, size_t avail, int is_xsdt, uint64_t *out,
		     unsigned max, unsigned *n, const char **why)
{
	const uint8_t *p = sdt;

	if (acpi_table_check(sdt, avail, is_xsdt ? "XSDT" : "RSDT", why))
		return -1;
	uint32_t len = acpi_table_len(sdt, avail), esz = is_xsdt ? 8 : 4;
	if ((len - ACPI_HDR_LEN) % esz)
		return fail(why, "RSDT/XSDT length not a whole number of entries");
	*n = 0;
	for (uint32_t off = ACPI_HDR_LEN; off < len; off += esz) {
		if (*n == max)
			return fail(why, "too many ACPI tables");
		out[(*n)++] = is_xsdt ? rd64(p + off) : rd32(p + off);
	}
	return 0;
}

int acpi_parse_mcfg(const void *t, size_t avail, struct mcfg_alloc *out, unsigned max,
		    unsigned *n, const char **why)
{
	const uint8_t *p = t;

	if (acpi_table_check(t, avail, "MCFG", why))
		return -1;
	uint32_t len = acpi_table_len(t, avail);
	if (len < ACPI_HDR_LEN + 8 || (len - ACPI_HDR_LEN - 8) % 16)
		return fail(why, "MCFG length not a whole number of entries");
	*n = 0;
	for (uint32_t off = ACPI_HDR_LEN + 8; off < len; off += 16) {
		if (*n == max)
			return fail(why, "too many MCFG entries");
		struct mcfg_alloc *a = &out[(*n)++];
		a->base = rd64(p + off);
		a->segment = (uint16_t)(p[off + 8] | p[off + 9] << 8);
		a->bus_start = p[off + 10];
		a->bus_end = p[off + 11];
		if (a->bus_end < a->bus_start || (a->base & 0xfffff))
			return fail(why, "MCFG entry with bad bus range or base");
		/* Config addresses are base + (bus << 20 | ...): the window may not wrap. */
		if (a->base + ((uint64_t)a->bus_end + 1) * (1u << 20) - 1 < a->base)
			return fail(why, "MCFG window wraps around the address space");
	}
	if (*n == 0)
		return fail(why, "MCFG has no entries");
	return 0;
}

/* Entries are type, length, body; an entry must be at least 2 bytes long and
 * end inside the table, or the walk would loop or read past the end. */
int acpi_parse_madt(const void *t, size_t avail, struct madt_info *out, const char **why)
{
	const uint8_t *p = t;

	if (acpi_table_check(t, avail, "APIC", why))
		return -1;
	uint32_t len = acpi_table_len(t, avail);
	if (len < ACPI_HDR_LEN + 8)
		return fail(why, "MADT too short");
	out->lapic_addr = rd32(p + ACPI_HDR_LEN);
	out->nioapic = 0;
	for (uint32_t off = ACPI_HDR_LEN + 8; off < len;) {
		if (len - off < 2 || p[off + 1] < 2 || p[off + 1] > len - off)
			return fail(why, "MADT entry length wrong");
		if (p[off] == 1) {      /* I/O APIC */
			if (p[off + 1] != 12)
				return fail(why, "MADT I/O APIC entry not 12 bytes");
			if (out->nioapic == ACPI_MAX_IOAPIC)
				return fail(why, "too many I/O APICs");
			struct madt_ioapic *io = &out->ioapic[out->nioapic++];
			io->id = p[off + 2];
			io->addr = rd32(p + off + 4);
			io->gsi_base = rd32(p + off + 8);
		}
		off += p[off + 1];
	}
	if (!out->nioapic)
		return fail(why, "MADT lists no I/O APIC");
	return 0;
}
