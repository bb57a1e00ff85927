/* Bitmap frame allocator (see hv/frame.h). */
#include "hv/frame.h"
#include "public/hv_errno.h"

static int is_free(const struct frame_alloc *fa, uint64_t i)
{
	return (fa->bitmap[i / 64] >> (i % 64)) & 1;
}

static int is_zeroed(const struct frame_alloc *fa, uint64_t i)
{
	return fa->zeroed && ((fa->zeroed[i / 64] >> (i % 64)) & 1);
}

/* Any change of a frame's free state takes it out of the zeroed pool. */
static void unzero(struct frame_alloc *fa, uint64_t i)
{
	if (is_zeroed(fa, i)) {
		fa->zeroed[i / 64] &= ~(1ull << (i % 64));
		fa->nzeroed--;
	}
}

static void set_free(struct frame_alloc *fa, uint64_t i, int free)
{
	uint64_t bit = 1ull << (i % 64);

	unzero(fa, i);

	if (free && !is_free(fa, i)) {
		fa->bitmap[i / 64] |= bit;
		fa->nfree++;
		if (i < fa->hint)
			fa->hint = i;
	} else if (!free && is_free(fa, i)) {
		fa->bitmap[i / 64] &= ~bit;
		fa->nfree--;
	}
}

void frame_alloc_init(struct frame_alloc *fa, uint64_t *storage, uint64_t nframes)
{
	fa->bitmap = storage;
	fa->nframes = nframes;
	fa->nfree = 0;
	fa->hint = nframes;
	fa->zeroed = 0;
	fa->nzeroed = 0;
	fa->zhint = nframes;
	for (uint64_t w = 0; w < (nframes + 63) / 64; w++)
		storage[w] = 0;
}

void frame_add_free(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
	if (base + len < base)
		len = ~base;            /* clip at the top of the address space */
	uint64_t first = (base + FRAME_SIZE - 1) / FRAME_SIZE;
	uint64_t end = (base + len) / FRAME_SIZE;

	if (base > ~0ull - (FRAME_SIZE - 1))
		return;
	if (end > fa->nframes)
		end = fa->nframes;
	for (uint64_t i = first; i < end; i++)
		set_free(fa, i, 1);
}

void frame_reserve(struct frame_alloc *fa, uint64_t base, uint64_t len)
{
	if (len == 0)
		return;
	uint64_t last = base + len - 1 < base ? ~0ull : base + len - 1;
	uint64_t first = base / FRAME_SIZE, end = last / FRAME_SIZE + 1;

	if (end > fa->nframes)
		end = fa->nframes;
	for (uint64_t i = first; i < end; i++)
		set_free(fa, i, 0);
}

int frame_alloc(struct frame_alloc *fa, uint64_t *pa)
{
	uint64_t i = fa->hint;

	if (fa->nfree == 0)
		return -HV_ENOMEM;
	for (; i < fa->nframes; i++) {
		if (fa->bitmap[i / 64] == 0) {
			i |= 63;        /* skip the empty word */
			continue;
		}
		if (is_free(fa, i))
			break;
	}
	if (i >= fa->nframes)
		return -HV_ENOMEM;      /* unreachable while nfree is exact */
	set_free(fa, i, 0);
	fa->hint = i + 1;
	*pa = i * FRAME_SIZE;
	return 0;
}

int frame_free(struct frame_alloc *fa, uint64_t pa)
{
	uint64_t i = pa / FRAME_SIZE;

	if (pa % FRAME_SIZE || i >= fa->nframes || is_free(fa, i))
		return -HV_EINVAL;
	set_free(fa, i, 1);
	return 0;
}

void frame_zeroed_init(struct frame_alloc *fa, uint64_t *storage)
{
	for (uint64_t w = 0; w < (fa->nframes + 63) / 64; w++)
		storage[w] = 0;
	fa->zeroed = storage;
	fa->nzeroed = 0;
	fa->zhint = fa->nframes;
}

void frame_zeroed_forget(struct frame_alloc *fa)
{
	if (fa->zeroed)
		frame_zeroed_init(fa, fa->zeroed);
}

int frame_alloc_zeroed(struct frame_alloc *fa, uint64_t *pa, int *zeroed)
{
	*zeroed = 0;
	if (!fa->nzeroed)
		return frame_alloc(fa, pa);
	for (uint64_t w = fa->zhint / 64; w < (fa->nframes + 63) / 64; w++) {
		if (!fa->zeroed[w])
			continue;
		uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(fa->zeroed[w]);
		fa->zhint = i + 1;
		set_free(fa, i, 0);     /* leaves the pool too */
		*pa = i * FRAME_SIZE;
		*zeroed = 1;
		return 0;
	}
	return -HV_ENOMEM;      /* unreachable while nzeroed is exact */
}

int frame_next_unzeroed(const struct frame_alloc *fa, uint64_t *pa)
{
	for (uint64_t w = fa->hint / 64; w < (fa->nframes + 63) / 64; w++) {
		uint64_t dirty = fa->bitmap[w] & ~(fa->zeroed ? fa->zeroed[w] : 0);
		if (!dirty)
			continue;
		uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(dirty);
		if (i >= fa->nframes)
			break;
		*pa = i * FRAME_SIZE;
		return 0;
	}
	return -HV_ENOMEM;
}

int frame_mark_zeroed(struct frame_alloc *fa, uint64_t pa)
{
	uint64_t i = pa / FRAME_SIZE;

	if (!fa->zeroed || pa % FRAME_SIZE || i >= fa->nframes || !is_free(fa, i) ||
	    is_zeroed(fa, i))
		return -HV_EINVAL;
	fa->zeroed[i / 64] |= 1ull << (i % 64);
	fa->nzeroed++;
	if (i < fa->zhint)
		fa->zhint = i;
	return 0;
}
