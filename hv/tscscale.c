/*
 * The fast page's clock scale (public/fastpage.h). Binary long division:
 * each step doubles the remainder and adds one more bit of 1e9/hz, until the
 * quotient has 64 significant bits. No 128-bit division (no libgcc).
 */
#include "hv/tscscale.h"

int tsc_scale_init(uint64_t hz, uint64_t *mul, uint32_t *shift)
{
	if (!hz)
		return -1;
	uint64_t q = 1000000000ull / hz;
	unsigned __int128 r = 1000000000ull % hz;
	uint32_t s = 0;

	/* q < 2^30 at the start, so at most 127 steps; stop before the top bit
	 * would be lost. */
	while (!(q >> 63) && s < 127) {
		r <<= 1;
		q <<= 1;
		if (r >= hz) {
			r -= hz;
			q |= 1;
		}
		s++;
	}
	*mul = q;
	*shift = s;
	return 0;
}
