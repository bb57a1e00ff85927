/* Domain lifecycle: create/destroy returns every frame; memory is scrubbed. */
#include "hv/hvtest.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

HVTEST(create_destroy_200)
{
	uint64_t before = mm_free_frames(), during = 0;

	for (unsigned i = 0; i < 200; i++) {
		struct domain *d = hvtest_create("hello");
		if (i == 0)
			during = mm_free_frames();
		EXPECT_EQ(tu_run_until_dead(d, TU_SECONDS(10)), SCHED_UNTIL_MET);
		if (d->state != DOM_DEAD || d->exit_code != 0)
			tu_expect_exit(d, 0);
		EXPECT_EQ(d->generation, i + 1);
		domain_destroy(d);
		if (mm_free_frames() != before) {
			EXPECT_EQ(mm_free_frames(), before);
			break;
		}
	}
	printk("hvtest: free frames before %lu, while one domain lived %lu, after 200 %lu\n",
	       before, during, mm_free_frames());
	EXPECT(before - during >= 512);    /* 2 MiB of RAM at least was really taken */
	EXPECT_EQ(mm_free_frames(), before);
}

/* A domain fills its RAM with a marker and is destroyed; a second one gets
 * most of those frames and must find them all zero. pooled = 0: they are
 * zeroed when handed out (the pool is emptied first); 1: by the idle-time
 * zeroer before (the pool is refilled from them first). */
static void scrub(int pooled)
{
	struct domain *a = hvtest_create("dirty");
	uint64_t frames[1024], n = 0, reused = 0;

	EXPECT_EQ(tu_run_until_dead(a, TU_SECONDS(30)), SCHED_UNTIL_MET);
	tu_expect_exit(a, 0);
	for (uint64_t gpa = 0; gpa < a->mem_bytes && n < 1024; gpa += 4096)
		EXPECT(pt_lookup(&a->gpt, gpa, &frames[n++], 0, 0) == 0);
	domain_destroy(a);
	mm_zero_pool_forget();
	if (pooled) {
		unsigned z = 0, step;
		while ((step = mm_zero_idle(64)))
			z += step;
		printk("hvtest: idle zeroer filled the pool with %u frames\n", z);
		EXPECT_EQ(mm_zeroed_frames(), MM_ZERO_POOL);
	}

	struct domain *b = hvtest_create("scan");
	for (uint64_t gpa = 0; gpa < b->mem_bytes; gpa += 4096) {
		uint64_t pa;
		if (pt_lookup(&b->gpt, gpa, &pa, 0, 0))
			continue;
		for (uint64_t i = 0; i < n; i++)
			reused += frames[i] == pa;
	}
	printk("hvtest: the scanner got %lu of the dirty domain's %lu frames\n", reused, n);
	/* Only meaningful if the frames really were handed out again. */
	EXPECT(reused > n / 2);
	EXPECT_EQ(tu_run_until_dead(b, TU_SECONDS(30)), SCHED_UNTIL_MET);
	tu_expect_exit(b, 0);
}

HVTEST(scrub)
{
	scrub(0);
}

HVTEST(scrub_pool)
{
	scrub(1);
}
