/* Physical memory of the machine: the frame allocator fed from the boot map. */
#ifndef HV_MM_H
#define HV_MM_H

#include <stdint.h>
#include "hv/mb2.h"
#include "hv/pt.h"

/* Free every available frame except the hypervisor, the boot info and modules. */
void mm_init(const struct boot_info *bi);
/* A zeroed frame, or 0 when memory is exhausted: one of the pool zeroed in
 * idle time if there is one, else the lowest free frame, zeroed now. */
uint64_t mm_alloc_frame(void);
/* Frames kept zeroed ahead: 8 MiB, two 4 MiB driver domains' RAM. */
#define MM_ZERO_POOL 2048
/* Zero at most 'budget' free frames into the pool; how many it zeroed (0:
 * the pool is full or no free frame is left dirty). From the idle loop. */
unsigned mm_zero_idle(unsigned budget);
uint64_t mm_zeroed_frames(void);
/* Tests: count every free frame as dirty again (the pool is empty). */
void mm_zero_pool_forget(void);
void mm_free_frame(uint64_t pa);
uint64_t mm_free_frames(void);
/* pt_ops that take table pages from the frame allocator. */
extern const struct pt_ops mm_pt_ops;

#endif
