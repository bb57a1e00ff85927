/*
 * The fast page's clock (hv/tscscale.c, public/fastpage.h): for counter
 * rates from 1 Hz to 2^63 Hz and tick counts up to where the exact result
 * stops fitting in 64 bits, the multiply-and-shift is never above the exact
 * floor(ticks * 1e9 / hz) (what HC_TIME computes) and at most 1 ns below it
 * (2 ns once the result passes 2^63 ns, 292 years).
 */
#include <stdint.h>
#include "hv/tscscale.h"
#include "public/fastpage.h"
#include "unit.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The reference: exact 128-bit arithmetic (the host may divide 128 bits). */
static unsigned __int128 exact(uint64_t ticks, uint64_t hz)
{
	return (unsigned __int128)ticks * 1000000000ull / hz;
}

static int checked_far, checked_all;

static void check_one(uint64_t hz, uint64_t mul, uint32_t shift, uint64_t ticks)
{
	unsigned __int128 want = exact(ticks, hz);

	if (want >> 64)
		return;                 /* beyond 584 years of nanoseconds */
	uint64_t base = next();         /* any origin: the subtraction wraps */
	uint64_t got = hv_fast_time_ns(base + ticks, base, mul, shift);
	checked_all++;
	if (ticks > (1ull << 62))
		checked_far++;
	/* mul is short of the exact scale by less than one part in 2^63 */
	uint64_t slack = want >> 63 ? 2 : 1;
	CHECK(got <= (uint64_t)want && (uint64_t)want - got <= slack);
	if (!(got <= (uint64_t)want && (uint64_t)want - got <= slack))
		printf("  hz %lu ticks %lu want %lu got %lu\n", hz, ticks, (uint64_t)want, got);
}

static void check_rate(uint64_t hz)
{
	uint64_t mul;
	uint32_t shift;

	CHECK_EQ(tsc_scale_init(hz, &mul, &shift), 0);
	CHECK(mul >> 63);               /* full precision */
	CHECK(shift <= 127);
	static const uint64_t fixed[] = { 0, 1, 2, 999, 1000000007ull, 1ull << 32, 1ull << 40,
					  (1ull << 63) - 1, 1ull << 63, ~0ull - 1, ~0ull };
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_one(hz, mul, shift, fixed[i]);
	check_one(hz, mul, shift, hz);                  /* exactly one second */
	check_one(hz, mul, shift, hz * 3600);           /* one hour (wraps for huge hz: fine) */
	for (int i = 0; i < 2000; i++)
		check_one(hz, mul, shift, next() >> (next() % 64));
}

int main(void)
{
	uint64_t mul;
	uint32_t shift;

	CHECK_EQ(tsc_scale_init(0, &mul, &shift), -1);
	/* 1 GHz: one tick is one nanosecond exactly. */
	CHECK_EQ(tsc_scale_init(1000000000ull, &mul, &shift), 0);
	CHECK(mul == 1ull << 63 && shift == 63);
	CHECK(hv_fast_time_ns(123456789012345ull, 0, mul, shift) == 123456789012345ull);
	static const uint64_t rates[] = { 1, 3, 1000, 14318180, 1193182, 999999999, 1000000001,
					  2100000000ull, 2994362000ull, 3600000000ull, 1ull << 40,
					  (1ull << 63) + 12345 };
	for (unsigned i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		check_rate(rates[i]);
	for (int i = 0; i < 200; i++)
		check_rate((next() >> (next() % 63)) | 1);
	CHECK(checked_far > 100);       /* large TSC values were really exercised */
	printf("tscscale: %d readings compared, %d beyond 2^62 ticks\n", checked_all, checked_far);
	return unit_done("tscscale");
}
