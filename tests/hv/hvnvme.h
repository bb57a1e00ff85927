/*
 * The few NVMe registers the hypervisor's own DMA tests drive directly (no
 * driver domain: tests/hv/test_vtd.c, test_grantdma.c), with their MMIO
 * accessors on the controller's BAR 0 physical address.
 */
#ifndef TESTS_HV_HVNVME_H
#define TESTS_HV_HVNVME_H

#include <stdint.h>
#include "hv/arch.h"

#define NVME_CC      0x14
#define NVME_CSTS    0x1c
#define NVME_AQA     0x24
#define NVME_ASQ     0x28
#define NVME_ACQ     0x30
#define NVME_SQ0TDBL 0x1000
#define NVME_CQ0HDBL 0x1004

static inline uint32_t nvme_r32(uint64_t bar, unsigned off)
{
	return mmio_read32_pa(bar + off);
}

static inline void nvme_w32(uint64_t bar, unsigned off, uint32_t v)
{
	mmio_write32_pa(bar + off, v);
}

static inline void nvme_w64(uint64_t bar, unsigned off, uint64_t v)
{
	nvme_w32(bar, off, (uint32_t)v);
	nvme_w32(bar, off + 4, (uint32_t)(v >> 32));
}

/* CSTS.RDY reaches 'want' (QEMU answers at once; bounded anyway). */
static inline int nvme_wait_ready(uint64_t bar, uint32_t want)
{
	for (unsigned i = 0; i < 10000000; i++)
		if ((nvme_r32(bar, NVME_CSTS) & 1) == want)
			return 0;
	return -1;
}

#endif
