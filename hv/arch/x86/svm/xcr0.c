/* The architectural rules for an XCR0 value (the #GP conditions of XSETBV). */
#include "xcr0.h"

static int all_or_none(uint64_t value, uint64_t group)
{
	return (value & group) == 0 || (value & group) == group;
}

int xcr0_valid(uint64_t value, uint64_t supported)
{
	if (!(value & XCR0_X87) || (value & ~supported))
		return 0;
	if ((value & XCR0_AVX) && !(value & XCR0_SSE))
		return 0;
	if (!all_or_none(value, XCR0_BNDREGS | XCR0_BNDCSR) || !all_or_none(value, XCR0_AVX512) ||
	    !all_or_none(value, XCR0_TILE))
		return 0;
	if ((value & XCR0_AVX512) && !(value & XCR0_AVX))
		return 0;
	return 1;
}
