/*
 * Machine memory: the frame allocator over the multiboot2 memory map. Frames
 * are zeroed when handed out, so nothing one domain left behind reaches the next
 * owner, whoever freed it.
 */
#include <stdint.h>
#include "kstring.h"
#include "hv/arch.h"
#include "hv/frame.h"
#include "hv/mm.h"
#include "hv/printk.h"

/* 4 GiB of RAM at most for now: 1 Mi frames, a 128 KiB bitmap. */
#define MM_MAX_FRAMES (1ull << 20)

extern char __hv_start[], __hv_end[];

static uint64_t bitmap[MM_MAX_FRAMES / 64];
static uint64_t zeroed[MM_MAX_FRAMES / 64];
static struct frame_alloc fa;

void mm_init(const struct boot_info *bi)
{
	uint64_t total = 0;

	frame_alloc_init(&fa, bitmap, MM_MAX_FRAMES);
	frame_zeroed_init(&fa, zeroed);
	for (unsigned i = 0; i < bi->nmmap; i++) {
		const struct mb2_mem_range *r = &bi->mmap[i];
		if (r->type != MB2_MEM_AVAILABLE)
			continue;
		frame_add_free(&fa, r->base, r->len);
		total += r->len;
	}
	/* Below 1 MiB: BIOS data, EBDA and option ROMs. */
	frame_reserve(&fa, 0, 0x100000);
	frame_reserve(&fa, (uintptr_t)__hv_start, (uintptr_t)__hv_end - (uintptr_t)__hv_start);
	frame_reserve(&fa, bi->info_start, bi->info_end - bi->info_start);
	for (unsigned i = 0; i < bi->nmods; i++)
		frame_reserve(&fa, bi->mods[i].start, bi->mods[i].end - bi->mods[i].start);
	if (total > MM_MAX_FRAMES * FRAME_SIZE)
		printk("hv: memory above 4 GiB is not used\n");
	printk("hv: memory: %lu KiB available, %lu frames free after reserving hypervisor "
	       "[0x%lx-0x%lx), boot info and %u modules\n",
	       total / 1024, frame_free_count(&fa), (uint64_t)(uintptr_t)__hv_start,
	       (uint64_t)(uintptr_t)__hv_end, bi->nmods);
}

uint64_t mm_alloc_frame(void)
{
	uint64_t pa;
	int clean;

	if (frame_alloc_zeroed(&fa, &pa, &clean))
		return 0;
	if (!clean)
		arch_zero_frame(phys_to_virt(pa));
	return pa;
}

/* Idle time: zero up to 'budget' free frames ahead while the pool holds fewer
 * than MM_ZERO_POOL, so a restart (or any build) finds its RAM zeroed. A
 * frame joins the pool only here, right after it was zeroed; nothing writes
 * a free frame (no domain maps it, no device may DMA to it). */
unsigned mm_zero_idle(unsigned budget)
{
	unsigned n = 0;
	uint64_t pa;

	while (n < budget && frame_zeroed_count(&fa) < MM_ZERO_POOL &&
	       frame_next_unzeroed(&fa, &pa) == 0) {
		arch_zero_frame(phys_to_virt(pa));
		if (frame_mark_zeroed(&fa, pa))
			panic("zero pool: frame 0x%lx not free after zeroing", pa);
		n++;
	}
	return n;
}

uint64_t mm_zeroed_frames(void)
{
	return frame_zeroed_count(&fa);
}

void mm_zero_pool_forget(void)
{
	frame_zeroed_forget(&fa);
}

void mm_free_frame(uint64_t pa)
{
	if (frame_free(&fa, pa))
		panic("freeing frame 0x%lx that is not allocated", pa);
}

uint64_t mm_free_frames(void)
{
	return frame_free_count(&fa);
}

static uint64_t pt_alloc(void *ctx)
{
	(void)ctx;
	return mm_alloc_frame();
}

static void pt_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	mm_free_frame(pa);
}

static void *pt_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

const struct pt_ops mm_pt_ops = { pt_alloc, pt_free, pt_p2v, 0 };
