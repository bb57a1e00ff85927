/*
 * The profiler (hv/prof.c) against a load whose shape is known: profspin
 * executes three times as many instructions in profspin_a as in profspin_b
 * (guest/apps/profspin.c). Booted with prof=100 under -icount shift=0 the
 * samples in each function must stand 3:1 (within 10%), and nearly all of
 * the domain's samples must lie in the two. Booted without prof= nothing is
 * sampled (tests.conf's prof_off also checks that no "hv: prof" line is
 * printed).
 */
#include <stdint.h>
#include "kstring.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/prof.h"
#include "hv/sched.h"
#include "tests_util.h"

#define SHT_SYMTAB 2

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* [*lo, *hi) of function 'name' from the image's symbol table; 0 or -1.
 * The image is our own build (test code): bounds are checked, not more. */
static int symbol_range(const char *image, const char *name, uint64_t *lo, uint64_t *hi)
{
	const struct mb2_module *m = boot_module(image);

	if (!m)
		return -1;
	const uint8_t *f = phys_to_virt(m->start);
	uint64_t len = m->end - m->start;

	if (len < 0x40)
		return -1;
	uint64_t shoff = rd(f + 0x28, 8);
	unsigned shentsize = rd(f + 0x3a, 2), shnum = rd(f + 0x3c, 2);
	if (shentsize < 0x40 || shoff > len || (uint64_t)shnum * shentsize > len - shoff)
		return -1;
	for (unsigned i = 0; i < shnum; i++) {
		const uint8_t *sh = f + shoff + i * shentsize;
		if (rd(sh + 4, 4) != SHT_SYMTAB)
			continue;
		uint64_t off = rd(sh + 0x18, 8), size = rd(sh + 0x20, 8);
		uint64_t link = rd(sh + 0x28, 4);
		if (link >= shnum)
			return -1;
		const uint8_t *str_sh = f + shoff + link * shentsize;
		uint64_t stroff = rd(str_sh + 0x18, 8), strsize = rd(str_sh + 0x20, 8);
		if (off + size > len || stroff + strsize > len)
			return -1;
		for (uint64_t s = off; s + 24 <= off + size; s += 24) {
			uint64_t nm = rd(f + s, 4);
			if (nm >= strsize || strncmp((const char *)f + stroff + nm, name, strsize - nm))
				continue;
			*lo = rd(f + s + 8, 8);
			*hi = *lo + rd(f + s + 16, 8);
			return 0;
		}
	}
	return -1;
}

HVTEST(prof_spin)
{
	struct domain *d = hvtest_create("spin");
	uint64_t alo, ahi, blo, bhi;

	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(120)), SCHED_STUCK);   /* done, blocked */
	EXPECT(domain_alive(d));
	EXPECT(d->con_lines >= 1);
	if (!prof_on()) {
		EXPECT_EQ(prof_samples(d), 0);
		return;
	}
	EXPECT_EQ(symbol_range(d->cfg.image, "profspin_a", &alo, &ahi), 0);
	EXPECT_EQ(symbol_range(d->cfg.image, "profspin_b", &blo, &bhi), 0);
	uint64_t a = prof_samples_in(d, alo, ahi), b = prof_samples_in(d, blo, bhi);
	uint64_t all = prof_samples(d);

	printk("hvtest: prof_spin: profspin_a [0x%lx-0x%lx) %lu samples, profspin_b "
	       "[0x%lx-0x%lx) %lu, domain %lu\n", alo, ahi, a, blo, bhi, b, all);
	/* About 112M instructions at one sample per 100 us = 100k of them. */
	EXPECT(a + b >= 800);
	EXPECT(a * 10 >= b * 27 && a * 10 <= b * 33);   /* 3:1 within 10% */
	EXPECT((a + b) * 100 >= all * 95);
}
