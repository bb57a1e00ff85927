/*
 * Physical frame allocator: one bit per 4 KiB frame, lowest free frame first
 * (deterministic reuse, which the scrub tests rely on), or with a pool of
 * frames zeroed ahead, the lowest pooled frame first. Pure bookkeeping, host
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
	uint64_t *zeroed;       /* bit set = free and known to hold only zeros (or NULL) */
	uint64_t nzeroed;
	uint64_t zhint;         /* no zeroed frame below this index */
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

/*
 * Pool of frames zeroed ahead (in idle time, hv/mm.c): a second bitmap marks
 * free frames known to hold only zeros. A frame enters it only through
 * frame_mark_zeroed (the caller has just zeroed it) and leaves it whenever it
 * stops being free, so an allocated frame is never marked and a freed one
 * comes back unmarked (dirty). 'storage' as for frame_alloc_init.
 */
void frame_zeroed_init(struct frame_alloc *fa, uint64_t *storage);
/* Like frame_alloc, but the lowest zeroed frame first; *zeroed says whether
 * it came from the pool (1: already all zero) or is the lowest free (0). */
int frame_alloc_zeroed(struct frame_alloc *fa, uint64_t *pa, int *zeroed);
/* The lowest free frame not yet zeroed, for the zeroer; -HV_ENOMEM if none. */
int frame_next_unzeroed(const struct frame_alloc *fa, uint64_t *pa);
/* The caller zeroed free frame pa: -HV_EINVAL unless it is free and unmarked. */
int frame_mark_zeroed(struct frame_alloc *fa, uint64_t pa);
/* Forget the pool (every free frame counts as dirty again). */
void frame_zeroed_forget(struct frame_alloc *fa);
static inline uint64_t frame_zeroed_count(const struct frame_alloc *fa) { return fa->nzeroed; }

#endif
