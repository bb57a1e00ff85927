/*
 * The profiler's sample table (hv/prof.c): guest instruction address ->
 * samples, fixed size, open addressing. Pure code, no allocation: the caller
 * owns the entries; host unit tests run it as it is (tests/unit/test_proftab.c).
 */
#ifndef HV_PROFTAB_H
#define HV_PROFTAB_H

#include <stdint.h>

struct prof_entry {
	uint64_t rip;
	uint64_t count;         /* 0 = empty slot */
};

struct prof_table {
	struct prof_entry *e;
	unsigned cap;           /* a power of two */
	unsigned used;          /* addresses held */
	uint64_t samples;       /* every sample offered, held or not */
	uint64_t dropped;       /* samples of a new address that found the table full */
};

/* Use 'cap' entries at e (cap a power of two, >= 4); empties them. */
void proftab_init(struct prof_table *t, struct prof_entry *e, unsigned cap);
void proftab_reset(struct prof_table *t);
/* One sample at rip. An address not held yet is added while the table is
 * less than 3/4 full (probes stay short); past that its samples are only
 * counted as dropped, so samples == held + dropped always. */
void proftab_add(struct prof_table *t, uint64_t rip);
/* Sort the held addresses to the front, most samples first (ties: lower
 * address first); returns how many. The table is no longer a hash table
 * afterwards: proftab_reset before the next proftab_add. */
unsigned proftab_sort(struct prof_table *t);

#endif
