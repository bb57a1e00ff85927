#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hv/pt.h"
#include "public/hv_errno.h"
#include "unit.h"

/* Tables live in heap memory; their "physical address" is an index into slots. */
#define SLOTS 4096
static void *slot[SLOTS];
static int live, fail_after = -1;

static uint64_t t_alloc(void *ctx)
{
	(void)ctx;
	if (fail_after == 0)
		return 0;
	if (fail_after > 0)
		fail_after--;
	for (int i = 1; i < SLOTS; i++) {
		if (!slot[i]) {
			slot[i] = aligned_alloc(4096, 4096);
			memset(slot[i], 0, 4096);
			live++;
			return (uint64_t)i << 12;
		}
	}
	return 0;
}

static void t_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	free(slot[pa >> 12]);
	slot[pa >> 12] = 0;
	live--;
}

static void *t_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	return slot[pa >> 12];
}

static const struct pt_ops ops = { t_alloc, t_free, t_p2v, 0 };

static const struct pt_format fmt3 = {   /* like VT-d 39-bit second level */
	.levels = 3, .table_flags = 0x3, .present_mask = 0x3, .large_bit = 0x80,
	.addr_mask = 0x000ffffffffff000ull,
};

static void x86_tests(void)
{
	struct pt pt;
	uint64_t pa, fl, sz;

	CHECK_EQ(pt_init(&pt, &pt_fmt_x86, &ops), 0);
	CHECK_EQ(pt.ntables, 1);
	CHECK_EQ(pt_map(&pt, 0x1000, 0x55000, 0x2000, 0x3, 0), 0);
	CHECK_EQ(pt_lookup(&pt, 0x1234, &pa, &fl, &sz), 0);
	CHECK_EQ(pa, 0x55234);
	CHECK_EQ(fl, 0x3);
	CHECK_EQ(sz, 0x1000);
	CHECK_EQ(pt_lookup(&pt, 0x2fff, &pa, 0, 0), 0);
	CHECK_EQ(pa, 0x56fff);
	CHECK_EQ(pt_lookup(&pt, 0x3000, &pa, 0, 0), -HV_ENOENT);
	CHECK_EQ(pt_lookup(&pt, 0, &pa, 0, 0), -HV_ENOENT);
	CHECK_EQ(pt.ntables, 4);
	CHECK_EQ(pt_map(&pt, 0x2000, 0x99000, 0x1000, 0x3, 0), -HV_EBUSY);
	CHECK_EQ(pt_map(&pt, 0x1800, 0x99000, 0x1000, 0x3, 0), -HV_EINVAL);
	CHECK_EQ(pt_map(&pt, 0x5000, 0x99800, 0x1000, 0x3, 0), -HV_EINVAL);
	CHECK_EQ(pt_map(&pt, 1ull << 48, 0, 0x1000, 0x3, 0), -HV_EINVAL);
	CHECK_EQ(pt_map(&pt, (1ull << 48) - 0x1000, 0, 0x2000, 0x3, 0), -HV_EINVAL);

	/* 2 MiB leaves where aligned, 4 KiB for the tail. */
	CHECK_EQ(pt_map(&pt, 0x40000000, 0x80000000, 0x401000, 0x7, 1), 0);
	CHECK_EQ(pt_lookup(&pt, 0x40234567, &pa, &fl, &sz), 0);
	CHECK_EQ(pa, 0x80234567);
	CHECK_EQ(sz, PT_PAGE_2M);
	CHECK_EQ(fl, 0x7);
	CHECK_EQ(pt_lookup(&pt, 0x40400123, &pa, 0, &sz), 0);
	CHECK_EQ(sz, 0x1000);
	CHECK_EQ(pa, 0x80400123);

	/* Unmapping one page inside a 2 MiB leaf splits it. */
	CHECK_EQ(pt_unmap(&pt, 0x40003000, 0x1000), 0);
	CHECK_EQ(pt_lookup(&pt, 0x40003000, &pa, 0, 0), -HV_ENOENT);
	CHECK_EQ(pt_lookup(&pt, 0x40004008, &pa, &fl, &sz), 0);
	CHECK_EQ(pa, 0x80004008);
	CHECK_EQ(sz, 0x1000);
	CHECK_EQ(fl, 0x7);
	CHECK_EQ(pt_lookup(&pt, 0x401fffff, &pa, 0, 0), 0);
	CHECK_EQ(pa, 0x801fffff);

	/* Unmap everything: only the root remains, and it matches live tables. */
	CHECK_EQ(pt_unmap(&pt, 0, 1ull << 47), 0);
	CHECK_EQ(pt.ntables, 1);
	CHECK_EQ(live, 1);
	CHECK_EQ(pt_lookup(&pt, 0x1000, &pa, 0, 0), -HV_ENOENT);

	CHECK_EQ(pt_map(&pt, 0x200000, 0x200000, 0x200000, 0x3, 1), 0);
	pt_destroy(&pt);
	CHECK_EQ(live, 0);
	CHECK_EQ(pt.ntables, 0);
}

static void three_level_and_failures(void)
{
	struct pt pt;
	uint64_t pa;

	CHECK_EQ(pt_init(&pt, &fmt3, &ops), 0);
	CHECK_EQ(pt_map(&pt, (1ull << 39) - 0x1000, 0x1000, 0x1000, 0x3, 0), 0);
	CHECK_EQ(pt_lookup(&pt, (1ull << 39) - 0x1000, &pa, 0, 0), 0);
	CHECK_EQ(pa, 0x1000);
	CHECK_EQ(pt_map(&pt, 1ull << 39, 0x1000, 0x1000, 0x3, 0), -HV_EINVAL);
	CHECK_EQ(pt_lookup(&pt, 1ull << 39, &pa, 0, 0), -HV_ENOENT);
	/* A table allocation failing mid-map reports ENOMEM; nothing leaks. */
	fail_after = 1;
	CHECK_EQ(pt_map(&pt, 0x10000000, 0x1000, 0x1000, 0x3, 0), -HV_ENOMEM);
	fail_after = -1;
	pt_destroy(&pt);
	CHECK_EQ(live, 0);
}

int main(void)
{
	x86_tests();
	three_level_and_failures();
	return unit_done("pt");
}
