/*
 * ACPI DMAR table (Intel VT-d spec, chapter 8): remapping hardware units
 * (DRHD) with their device scopes, and reserved memory regions (RMRR). Pure
 * parser, host-tested with malformed tables.
 */
#ifndef IOMMU_DMAR_H
#define IOMMU_DMAR_H

#include <stddef.h>
#include <stdint.h>

#define DMAR_MAX_DRHD    4
#define DMAR_MAX_RMRR    8
#define DMAR_MAX_SCOPES  32
#define DMAR_MAX_PATH    4

#define DMAR_SCOPE_ENDPOINT  1
#define DMAR_SCOPE_BRIDGE    2
#define DMAR_SCOPE_IOAPIC    3
#define DMAR_SCOPE_HPET      4

#define DMAR_DRHD_INCLUDE_PCI_ALL 0x1

struct dmar_scope {
	uint8_t type;           /* DMAR_SCOPE_* */
	uint8_t enum_id;        /* IOAPIC / HPET id */
	uint8_t start_bus;
	uint8_t npath;
	struct { uint8_t dev, fn; } path[DMAR_MAX_PATH];
};

struct dmar_drhd {
	uint64_t base;          /* register base */
	uint16_t segment;
	uint8_t flags;          /* DMAR_DRHD_INCLUDE_PCI_ALL */
	unsigned nscopes;
	struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

struct dmar_rmrr {
	uint64_t base, limit;   /* inclusive limit */
	uint16_t segment;
	unsigned nscopes;
	struct dmar_scope scopes[4];
};

struct dmar_info {
	uint8_t haw;            /* host address width in bits */
	uint8_t flags;          /* bit 0: interrupt remapping supported */
	unsigned ndrhd, nrmrr;
	struct dmar_drhd drhd[DMAR_MAX_DRHD];
	struct dmar_rmrr rmrr[DMAR_MAX_RMRR];
};

/* Parse a DMAR table (checked with acpi_table_check first). 0 or -1 + why. */
int dmar_parse(const void *t, size_t avail, struct dmar_info *out, const char **why);

#endif
