/* Bitmap frame allocator (see hv/frame.h). */
#include "hv/frame.h"
#include "public/hv_errno.h"

static int is_free(const struct frame_alloc *fa, uint64_t i)
{
	return (fa->bitmap[i / 64] >> (i % 64)) & 1;
}

static void set_free(struct frame_alloc *fa, uint64_t i, int free)
{
	uint64_t bit = 1ull << (i % 64);

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
