/*
 * ACPI table parsing: RSDP, RSDT/XSDT, MCFG and MADT. Pure code over byte buffers
 * (the firmware's tables are treated as possibly malformed), host-tested.
 */
#ifndef HV_ACPI_H
#define HV_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_HDR_LEN 36
#define ACPI_MAX_TABLES 32
#define ACPI_MAX_MCFG 4

/* Length field of a table header (0 if avail < header). */
uint32_t acpi_table_len(const void *t, size_t avail);

/* 0 if the table's header is sane (length within avail, >= 36), its signature
 * matches sig (4 chars, or NULL for any) and its checksum is right. */
int acpi_table_check(const void *t, size_t avail, const char *sig, const char **why);

/* RSDP: returns the RSDT (or, revision >= 2, XSDT) address. */
int acpi_parse_rsdp(const void *rsdp, size_t len, uint64_t *sdt_pa, int *is_xsdt,
		    const char **why);

/* Entries of a checked RSDT (4-byte) or XSDT (8-byte). */
int acpi_sdt_entries(const void *sdt, size_t avail, int is_xsdt, uint64_t *out,
		     unsigned max, unsigned *n, const char **why);

struct mcfg_alloc {
	uint64_t base;          /* ECAM base for bus 0 of this segment */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

int acpi_parse_mcfg(const void *t, size_t avail, struct mcfg_alloc *out, unsigned max,
		    unsigned *n, const char **why);

/* MADT ("APIC"): the I/O APICs and which GSI each one's first input is. */
#define ACPI_MAX_IOAPIC 8
struct madt_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};
struct madt_info {
	uint32_t lapic_addr;
	unsigned nioapic;
	struct madt_ioapic ioapic[ACPI_MAX_IOAPIC];
};

int acpi_parse_madt(const void *t, size_t avail, struct madt_info *out, const char **why);

#endif
