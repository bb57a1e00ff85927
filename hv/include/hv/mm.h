/* Physical memory of the machine: the frame allocator fed from the boot map. */
#ifndef HV_MM_H
#define HV_MM_H

#include <stdint.h>
#include "hv/mb2.h"
#include "hv/pt.h"

/* Free every available frame except the hypervisor, the boot info and modules. */
void mm_init(const struct boot_info *bi);
/* A zeroed frame, or 0 when memory is exhausted. */
uint64_t mm_alloc_frame(void);
void mm_free_frame(uint64_t pa);
uint64_t mm_free_frames(void);
/* pt_ops that take table pages from the frame allocator. */
extern const struct pt_ops mm_pt_ops;

#endif
