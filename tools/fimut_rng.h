/*
 * fimut's pseudo-random numbers: splitmix64, our own so the output does not
 * depend on the C library. Fault k of a run draws from its own stream derived
 * from (seed, k): fault k is the same whatever --count, so one fault can be
 * regenerated alone (--id-start k --count 1).
 */
#ifndef FIMUT_RNG_H
#define FIMUT_RNG_H

#include <stdint.h>

struct fimut_rng {
	uint64_t s;
};

static inline uint64_t fimut_rng_next(struct fimut_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The stream of fault k: the seed and k mixed so nearby seeds or ks differ. */
static inline struct fimut_rng fimut_rng_for(uint64_t seed, uint64_t k)
{
	struct fimut_rng a = { seed }, r;

	r.s = fimut_rng_next(&a) ^ (k * 0xd6e8feb86659fd93ull);
	fimut_rng_next(&r);
	return r;
}

/* Uniform in [0, n), n > 0 (multiply-high; the bias is below 2^-40 for our n). */
static inline uint64_t fimut_rng_below(struct fimut_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)fimut_rng_next(r) * n) >> 64);
}

#endif
