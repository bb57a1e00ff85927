#include <stdint.h>
#include <stdlib.h>
#include "hv/frame.h"
#include "public/hv_errno.h"
#include "unit.h"

#define N 1000

static uint64_t storage[(N + 63) / 64];

static uint64_t zstorage[(N + 63) / 64];

/*
 * The zeroed pool against a model of the frames' contents: a frame handed
 * out as zeroed must really have been zeroed since it was last in use
 * (content[i] == 0), and a frame that stops being free always leaves the pool.
 */
static void zero_pool(void)
{
	struct frame_alloc fa;
	uint64_t pa, got[N];
	int content[N], n = 0, bad = 0, zero;

	frame_alloc_init(&fa, storage, N);
	frame_zeroed_init(&fa, zstorage);
	frame_add_free(&fa, 0, (uint64_t)N * 4096);
	for (int i = 0; i < N; i++)
		content[i] = 1;                 /* whatever the firmware left */
	CHECK_EQ(frame_zeroed_count(&fa), 0);
	CHECK_EQ(frame_alloc_zeroed(&fa, &pa, &zero), 0);      /* empty pool: lowest, dirty */
	CHECK(pa == 0 && zero == 0);
	CHECK_EQ(frame_mark_zeroed(&fa, pa), -HV_EINVAL);       /* in use: never marked */
	CHECK_EQ(frame_next_unzeroed(&fa, &pa), 0);
	CHECK_EQ(pa, 4096);
	CHECK_EQ(frame_mark_zeroed(&fa, 4096), 0);
	CHECK_EQ(frame_mark_zeroed(&fa, 4096), -HV_EINVAL);     /* twice */
	CHECK_EQ(frame_mark_zeroed(&fa, 4097), -HV_EINVAL);
	CHECK_EQ(frame_next_unzeroed(&fa, &pa), 0);
	CHECK_EQ(pa, 8192);                     /* skips the zeroed one */
	frame_reserve(&fa, 4096, 1);            /* reserved: leaves the pool */
	CHECK_EQ(frame_zeroed_count(&fa), 0);
	frame_alloc_init(&fa, storage, N);
	frame_zeroed_init(&fa, zstorage);
	frame_add_free(&fa, 0, (uint64_t)N * 4096);

	srand(11);
	for (int step = 0; step < 40000; step++) {
		int op = rand() % 3;
		if (op == 0 && n < N) {
			uint64_t before = frame_zeroed_count(&fa);
			if (frame_alloc_zeroed(&fa, &pa, &zero)) {
				bad++;
				continue;
			}
			int i = (int)(pa / 4096);
			bad += zero && content[i] != 0;         /* a dirty frame passed as zeroed */
			bad += zero != (before != 0);           /* the pool first, when not empty */
			content[i] = 0;                         /* the caller zeroes a dirty one */
			if (rand() & 1)
				content[i] = 1;                 /* and the new owner writes it */
			got[n++] = pa;
		} else if (op == 1 && n) {
			int k = rand() % n;
			bad += frame_free(&fa, got[k]) != 0;
			got[k] = got[--n];
		} else if (frame_next_unzeroed(&fa, &pa) == 0) {
			content[pa / 4096] = 0;                 /* the zeroer */
			bad += frame_mark_zeroed(&fa, pa) != 0;
		}
		bad += frame_free_count(&fa) != (uint64_t)(N - n);
		bad += frame_zeroed_count(&fa) > frame_free_count(&fa);
	}
	CHECK_EQ(bad, 0);
	/* Fill the pool completely, then everything allocated comes zeroed. */
	while (frame_next_unzeroed(&fa, &pa) == 0) {
		content[pa / 4096] = 0;
		CHECK_EQ(frame_mark_zeroed(&fa, pa), 0);
	}
	CHECK_EQ(frame_zeroed_count(&fa), frame_free_count(&fa));
	while (n < N) {
		CHECK_EQ(frame_alloc_zeroed(&fa, &pa, &zero), 0);
		CHECK(zero == 1 && content[pa / 4096] == 0);
		got[n++] = pa;
	}
	CHECK_EQ(frame_zeroed_count(&fa), 0);
	CHECK_EQ(frame_alloc_zeroed(&fa, &pa, &zero), -HV_ENOMEM);
	frame_free(&fa, got[0]);
	CHECK_EQ(frame_alloc_zeroed(&fa, &pa, &zero), 0);
	CHECK(pa == got[0] && zero == 0);       /* freed: dirty again */
	frame_free(&fa, got[0]);
	CHECK_EQ(frame_mark_zeroed(&fa, got[0]), 0);
	frame_zeroed_forget(&fa);
	CHECK_EQ(frame_zeroed_count(&fa), 0);
}

int main(void)
{
	struct frame_alloc fa;
	uint64_t pa, got[N];
	int model[N] = { 0 };

	frame_alloc_init(&fa, storage, N);
	CHECK_EQ(frame_free_count(&fa), 0);
	CHECK_EQ(frame_alloc(&fa, &pa), -HV_ENOMEM);

	frame_add_free(&fa, 0x1800, 0x3000);    /* rounds inward: frames 2, 3 */
	CHECK_EQ(frame_free_count(&fa), 2);
	frame_add_free(&fa, 0x100000, 0x100000);  /* frames 256..511 */
	CHECK_EQ(frame_free_count(&fa), 258);
	frame_reserve(&fa, 0x100fff, 2);        /* rounds outward: frames 256, 257 */
	CHECK_EQ(frame_free_count(&fa), 256);
	frame_add_free(&fa, 0x3e0000, 0x100000);  /* clipped at N frames */
	CHECK_EQ(frame_free_count(&fa), 256 + (N - 0x3e0));
	frame_add_free(&fa, ~0ull - 0x2000, 0x10000); /* wraps: ignored safely */

	CHECK_EQ(frame_alloc(&fa, &pa), 0);
	CHECK_EQ(pa, 0x2000);                   /* lowest first */
	CHECK_EQ(frame_alloc(&fa, &pa), 0);
	CHECK_EQ(pa, 0x3000);
	CHECK_EQ(frame_alloc(&fa, &pa), 0);
	CHECK_EQ(pa, 0x102000);
	CHECK_EQ(frame_free(&fa, 0x2000), 0);
	CHECK_EQ(frame_alloc(&fa, &pa), 0);
	CHECK_EQ(pa, 0x2000);                   /* freed frame comes back first */
	CHECK_EQ(frame_free(&fa, 0x2000), 0);
	CHECK_EQ(frame_free(&fa, 0x2000), -HV_EINVAL);  /* double free */
	CHECK_EQ(frame_free(&fa, 0x2001), -HV_EINVAL);  /* unaligned */
	CHECK_EQ(frame_free(&fa, (uint64_t)N * 4096), -HV_EINVAL); /* out of range */

	/* Randomized against a model: frame i usable iff model[i] == 1 (free). */
	frame_alloc_init(&fa, storage, N);
	frame_add_free(&fa, 0, (uint64_t)N * 4096);
	for (int i = 0; i < N; i++)
		model[i] = 1;
	srand(7);
	int bad = 0, n = 0;
	for (int step = 0; step < 20000; step++) {
		if (n < N && (rand() & 1)) {
			if (frame_alloc(&fa, &pa)) {
				bad++;
				continue;
			}
			int lowest = 0;
			while (!model[lowest])
				lowest++;
			bad += pa / 4096 != (uint64_t)lowest;
			model[pa / 4096] = 0;
			got[n++] = pa;
		} else if (n) {
			int k = rand() % n;
			bad += frame_free(&fa, got[k]) != 0;
			model[got[k] / 4096] = 1;
			got[k] = got[--n];
		}
		bad += frame_free_count(&fa) != (uint64_t)(N - n);
	}
	CHECK_EQ(bad, 0);
	while (n)
		frame_free(&fa, got[--n]);
	CHECK_EQ(frame_free_count(&fa), N);
	for (int i = 0; i < N; i++)
		CHECK(frame_alloc(&fa, &pa) == 0 && pa == (uint64_t)i * 4096);
	CHECK_EQ(frame_alloc(&fa, &pa), -HV_ENOMEM);
	zero_pool();
	return unit_done("frame");
}
