/* What the firmware tells about the machine: ACPI tables, PCI, IOMMU units. */
#ifndef HV_PLATFORM_H
#define HV_PLATFORM_H

#include "hv/acpi.h"
#include "iommu/dmar.h"

struct platform_info {
	int have_mcfg, have_dmar, have_madt;
	struct madt_info madt;
	struct mcfg_alloc mcfg;
	struct dmar_info dmar;
};

extern struct platform_info platform;

/* Find the ACPI tables, log them, enumerate PCI. Bad tables are reported and
 * skipped: a machine without them still runs domains. */
void platform_discover(void);

#endif
