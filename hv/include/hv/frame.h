/*
 * Physical frame allocator: one bit per 4 KiB frame, lowest free frame first
 * (deterministic reuse, which the scrub tests rely on). Pure bookkeeping, host
 * tested; it never touches the frames themselves (hv/mm.c zeroes them).
 */
#ifndef HV_FRAME_H
#define HV_FRAME_H

#include <stdint.h>

#define FRAME_SIZE 4096ull

struct frame_alloc {
	uint64_t *bitmap;       /* bit set = frame free */
	uint64_t nframes;       /* frames covered by the bitmap: [0, nframes) */
	uint64_t nfree;
	uint64_t hint;          /* no free frame below this index */
};

/* All frames start in use. 'storage' holds (nframes + 63) / 64 words. */
void frame_alloc_init(struct frame_alloc *fa, uint64_t *storage, uint64_t nframes);

/* Mark every whole frame inside [base, base+len) free (rounds inward; clipped). */
void frame_add_free(struct frame_alloc *fa, uint64_t base, uint64_t len);

/* Mark every frame touching [base, base+len) in use (rounds outward; clipped). */
void frame_reserve(struct frame_alloc *fa, uint64_t base, uint64_t len);

/* Lowest free frame's physical address in *pa; -HV_ENOMEM when none is left. */
int frame_alloc(struct frame_alloc *fa, uint64_t *pa);

/* -HV_EINVAL for an unaligned, out-of-range or already free frame. */
int frame_free(struct frame_alloc *fa, uint64_t pa);

static inline uint64_t frame_free_count(const struct frame_alloc *fa) { return fa->nfree; }

#endif
