/*
 * The profiler's sample table (hv/proftab.c): counts per address are exact,
 * the sort gives most-sampled first, a full table counts what it cannot hold
 * as dropped (samples == held + dropped), colliding addresses all survive,
 * and reset empties it for the next incarnation.
 */
#include <stdint.h>
#include "hv/proftab.h"
#include "unit.h"

static uint64_t held(const struct prof_table *t)
{
	uint64_t s = 0;

	for (unsigned i = 0; i < t->cap; i++)
		s += t->e[i].count;
	return s;
}

static void counts_and_order(void)
{
	static struct prof_entry e[64];
	struct prof_table t;

	proftab_init(&t, e, 64);
	for (int i = 0; i < 30; i++)
		proftab_add(&t, 0x401000);
	for (int i = 0; i < 10; i++)
		proftab_add(&t, 0x402000);
	for (int i = 0; i < 20; i++)
		proftab_add(&t, 0x400010);
	proftab_add(&t, 0x400000);
	proftab_add(&t, 0x3ff000);
	CHECK_EQ(t.samples, 62);
	CHECK_EQ(t.dropped, 0);
	CHECK_EQ(t.used, 5);
	unsigned n = proftab_sort(&t);
	CHECK_EQ(n, 5);
	CHECK_EQ(e[0].rip, 0x401000);
	CHECK_EQ(e[0].count, 30);
	CHECK_EQ(e[1].rip, 0x400010);
	CHECK_EQ(e[1].count, 20);
	CHECK_EQ(e[2].rip, 0x402000);
	CHECK_EQ(e[2].count, 10);
	CHECK_EQ(e[3].rip, 0x3ff000);       /* ties: lower address first */
	CHECK_EQ(e[4].rip, 0x400000);
	CHECK_EQ(e[5].count, 0);
	CHECK_EQ(held(&t), 62);
}

/* Past 3/4 of the capacity new addresses are dropped, counted, and known
 * addresses keep counting. */
static void overflow(void)
{
	static struct prof_entry e[16];
	struct prof_table t;

	proftab_init(&t, e, 16);
	for (uint64_t a = 0; a < 40; a++)
		proftab_add(&t, 0x1000 + a);
	CHECK_EQ(t.used, 12);
	CHECK_EQ(t.samples, 40);
	CHECK_EQ(t.dropped, 28);
	CHECK_EQ(held(&t), 12);
	proftab_add(&t, 0x1000);            /* held: still counted */
	proftab_add(&t, 0x9999);            /* new: dropped */
	CHECK_EQ(t.dropped, 29);
	CHECK_EQ(held(&t) + t.dropped, t.samples);
	CHECK_EQ(proftab_sort(&t), 12);
	CHECK_EQ(e[0].rip, 0x1000);
	CHECK_EQ(e[0].count, 2);
	proftab_reset(&t);
	CHECK_EQ(t.samples, 0);
	CHECK_EQ(t.used, 0);
	CHECK_EQ(held(&t), 0);
	proftab_add(&t, 0x5);
	CHECK_EQ(held(&t), 1);
}

/* Many addresses, many collisions (a large table, random addresses):
 * every count comes back exact after the sort; addresses 0 are fine too. */
static void many(void)
{
	static struct prof_entry e[1024];
	static uint64_t want[700];
	struct prof_table t;
	uint64_t x = 12345;

	proftab_init(&t, e, 1024);
	for (unsigned i = 0; i < 700; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		want[i] = i % 7 + 1;
		for (unsigned k = 0; k < want[i]; k++)
			proftab_add(&t, i ? (x >> 20) << 4 : 0);
	}
	CHECK_EQ(t.dropped, 0);
	CHECK_EQ(t.used, 700);
	unsigned n = proftab_sort(&t);
	CHECK_EQ(n, 700);
	int sorted = 1;
	for (unsigned i = 1; i < n; i++)
		sorted &= e[i - 1].count > e[i].count ||
			  (e[i - 1].count == e[i].count && e[i - 1].rip < e[i].rip);
	CHECK(sorted);
	uint64_t by_count[8] = { 0 };
	for (unsigned i = 0; i < n; i++)
		by_count[e[i].count < 8 ? e[i].count : 0]++;
	for (unsigned c = 1; c <= 7; c++)
		CHECK_EQ(by_count[c], 100);
	CHECK_EQ(held(&t), t.samples);
}

int main(void)
{
	counts_and_order();
	overflow();
	many();
	return unit_done("proftab");
}
