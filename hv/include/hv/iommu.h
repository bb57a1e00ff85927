/*
 * The IOMMU seam: generic code (device assignment, fault handling) calls only
 * these; VT-d implements them in iommu/vtd.c, AMD-Vi can be linked instead.
 */
#ifndef HV_IOMMU_H
#define HV_IOMMU_H

#include "iommu/dmar.h"

/*
 * Take over every remapping unit and turn DMA translation on with an empty
 * root table: until a device is assigned, no device can DMA anywhere.
 * 0, or -1 when the hardware does not respond (logged; no device may then be
 * assigned).
 */
int iommu_init(const struct dmar_info *dmar);
/* 1 when translation is on (default deny in force). */
int iommu_enabled(void);

struct domain;
/* Let device bdf DMA to d's RAM (guest-physical = DMA address); -HV_E* on failure. */
int iommu_attach(struct domain *d, uint16_t bdf);
/* Back to default deny for bdf; frees d's DMA tables when it has no device left. */
void iommu_detach(struct domain *d, uint16_t bdf);
/* A grant mapped at gpa (outside d's RAM) enters d's DMA view: d's devices
 * may read 'frame' there, and write it only if 'writable'. 0 and nothing
 * done when d has no device (iommu_attach adds d->maps then). -HV_E*. */
int iommu_map_page(struct domain *d, uint64_t gpa, uint64_t frame, int writable);
/* Take gpa out of d's DMA view; on return no cached translation of it is
 * left (IOTLB invalidated), so the frame may be freed or reused. */
void iommu_unmap_page(struct domain *d, uint64_t gpa);

/* Let requester 'sid' (a device's bdf, or an I/O APIC's) raise 'vector'
 * through remapping entry 'index', edge- or level-triggered; gives the MSI
 * address/data to program into an MSI-capable device. */
int iommu_irq_route(unsigned index, uint16_t sid, uint8_t vector, int level,
		    uint64_t *msi_addr, uint32_t *msi_data);
/* Requester id of the I/O APIC with this id (DMAR scope), or -HV_ENOENT. */
int iommu_ioapic_sid(unsigned ioapic_id, uint16_t *sid);
void iommu_irq_unroute(unsigned index);

/* Take every recorded fault (DMA or interrupt remapping): the owning domain
 * of the requester is killed and the device's bus mastering turned off.
 * Returns how many were handled. */
int iommu_poll_faults(void);
/* 1 once after a fault-event interrupt. */
int iommu_fault_signalled(void);

struct vtd_fault {
	uint16_t sid;           /* requester: bus << 8 | dev << 3 | fn */
	uint8_t reason;         /* VT-d fault reason code */
	uint8_t is_read;
	uint64_t addr;          /* page of the faulting DMA address */
	uint16_t irq_index;     /* interrupt-remapping faults: the requested table index */
};
/* Fault reasons 0x20-0x2f are interrupt-remapping faults (VT-d spec 7.1.3). */
#define VTD_FAULT_IS_IRQ(reason) (((reason) & 0xf0) == 0x20)
/* 1 and the oldest fault record (cleared), or 0 when the unit has none. */
int vtd_take_fault(unsigned unit, struct vtd_fault *f);
/* Global status register of unit 'unit' (for the boot log and tests). */
uint32_t vtd_status(unsigned unit);

#endif
