/* XSETBV validation (hv/arch/x86/svm/xcr0.c): every #GP rule. */
#include "hv/arch/x86/svm/xcr0.h"
#include "unit.h"

int main(void)
{
	const uint64_t sse = XCR0_X87 | XCR0_SSE, avx = sse | XCR0_AVX;
	const uint64_t all = avx | XCR0_BNDREGS | XCR0_BNDCSR | XCR0_AVX512 | (1ull << 9) | XCR0_TILE;

	CHECK(xcr0_valid(XCR0_X87, sse));               /* reset value */
	CHECK(xcr0_valid(sse, sse));
	CHECK(xcr0_valid(avx, avx));
	CHECK(xcr0_valid(all, all));
	CHECK(xcr0_valid(avx | (1ull << 9), all));      /* PKRU alone */
	CHECK(!xcr0_valid(0, all));                     /* x87 may not be off */
	CHECK(!xcr0_valid(XCR0_SSE, all));
	CHECK(!xcr0_valid(avx, sse));                   /* not supported */
	CHECK(!xcr0_valid(sse | (1ull << 63), all));
	CHECK(!xcr0_valid(XCR0_X87 | XCR0_AVX, all));   /* AVX needs SSE */
	CHECK(!xcr0_valid(avx | XCR0_BNDREGS, all));    /* MPX: both or none */
	CHECK(xcr0_valid(sse | XCR0_BNDREGS | XCR0_BNDCSR, all));
	CHECK(!xcr0_valid(avx | (1ull << 5), all));     /* AVX-512: all three */
	CHECK(!xcr0_valid(avx | (3ull << 6), all));
	CHECK(xcr0_valid(avx | XCR0_AVX512, all));
	CHECK(!xcr0_valid(sse | XCR0_AVX512, all));     /* AVX-512 needs AVX */
	CHECK(!xcr0_valid(avx | (1ull << 17), all));    /* AMX: both or none */
	CHECK(xcr0_valid(avx | XCR0_TILE, all));
	return unit_done("xcr0");
}
