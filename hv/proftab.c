/*
 * Fixed-size table of sampled guest addresses (see hv/include/hv/proftab.h).
 * Runs in the timer's exit path, so adding is a hash and a short linear
 * probe, never an allocation; sorting happens only when it is printed.
 */
#include "hv/proftab.h"

void proftab_reset(struct prof_table *t)
{
	for (unsigned i = 0; i < t->cap; i++)
		t->e[i].rip = t->e[i].count = 0;
	t->used = 0;
	t->samples = t->dropped = 0;
}

void proftab_init(struct prof_table *t, struct prof_entry *e, unsigned cap)
{
	t->e = e;
	t->cap = cap;
	proftab_reset(t);
}

/* Fibonacci hashing: neighbouring instruction addresses spread out. */
static unsigned slot_of(const struct prof_table *t, uint64_t rip)
{
	return (unsigned)((rip * 0x9e3779b97f4a7c15ull) >> 32) & (t->cap - 1);
}

void proftab_add(struct prof_table *t, uint64_t rip)
{
	unsigned i = slot_of(t, rip);

	t->samples++;
	/* Below 3/4 full an empty slot always exists, so the probe ends. */
	for (unsigned n = 0; n < t->cap; n++, i = (i + 1) & (t->cap - 1)) {
		struct prof_entry *p = &t->e[i];
		if (p->count && p->rip == rip) {
			p->count++;
			return;
		}
		if (!p->count)
			break;
	}
	if (t->used >= t->cap / 4 * 3 || t->e[i].count) {
		t->dropped++;
		return;
	}
	t->e[i].rip = rip;
	t->e[i].count = 1;
	t->used++;
}

static int before(const struct prof_entry *a, const struct prof_entry *b)
{
	return a->count > b->count || (a->count == b->count && a->rip < b->rip);
}

unsigned proftab_sort(struct prof_table *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->cap; i++)        /* held entries to the front */
		if (t->e[i].count)
			t->e[n++] = t->e[i];
	for (unsigned i = n; i < t->cap; i++)
		t->e[i].rip = t->e[i].count = 0;
	/* Shell sort: in place, no recursion, fast enough for a few thousand. */
	for (unsigned gap = n / 2; gap; gap /= 2) {
		for (unsigned i = gap; i < n; i++) {
			struct prof_entry x = t->e[i];
			unsigned j = i;
			for (; j >= gap && before(&x, &t->e[j - gap]); j -= gap)
				t->e[j] = t->e[j - gap];
			t->e[j] = x;
		}
	}
	return n;
}
