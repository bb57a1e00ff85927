/*
 * Hostile-driver fault types, run inside a driver domain: what a buggy or
 * malicious driver does to the machine beyond crashing itself. The
 * containment tests and the fault-injection campaigns use them.
 */
#ifndef FAULTINJECT_ATTACKS_H
#define FAULTINJECT_ATTACKS_H

#include <stdint.h>

#define FI_MSI_WINDOW 0xfee00000ull

/* Compatibility-format MSI data: delivery mode and trigger bits. */
#define FI_DM_FIXED   (0u << 8)
#define FI_DM_LOWEST  (1u << 8)
#define FI_DM_SMI     (2u << 8)
#define FI_DM_NMI     (4u << 8)
#define FI_DM_INIT    (5u << 8)
#define FI_DM_EXTINT  (7u << 8)
#define FI_LEVEL      ((1u << 15) | (1u << 14))

/*
 * A 4 KiB block that, DMA'd by a device to FI_MSI_WINDOW, sends interrupt
 * requests: the IOMMU turns each dword into one request whose address is the
 * window plus the dword's offset. Only dwords whose offset has bit 2
 * (destination mode) and bit 4 (remappable format) clear are compatibility-
 * format physical requests to APIC id 0 (offset bits 19:12 are 0 in the first
 * page): 256 slots per block; the rest of the block is left 0.
 */
struct fi_msi_block {
	uint32_t dw[1024];
	unsigned nslots;
};

void fi_msi_clear(struct fi_msi_block *b);
/* Append one request with this MSI data; 0, or -1 when the block is full. */
int fi_msi_put(struct fi_msi_block *b, uint32_t data);
/* The standard forgery: every vector 0-31 (edge and level), the timer and
 * spurious vectors, device vectors, unallocated vectors, NMI, lowest
 * priority, ExtINT; SMI and INIT only when asked. Filled with an unallocated
 * vector up to 256 requests. */
void fi_msi_standard(struct fi_msi_block *b, int smi, int init);

/* Fill xmm0-15 and DR0-3 with values derived from 'seed': state another
 * domain must never see, and which must not survive into this domain's next
 * incarnation. */
void fi_cpu_scribble(uint64_t seed);

#endif
