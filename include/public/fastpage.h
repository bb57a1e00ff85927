/*
 * The hypervisor-maintained part of a domain's shared page that lets a guest
 * read the clock and feed its hang watchdog without a VM exit. It lives at
 * GUEST_SHARED_INFO_GPA + HV_FAST_INFO_OFFSET, in the second half of the page
 * (struct hv_shared_info in public/channel.h keeps the first half). Written
 * by the hypervisor when the domain is built; afterwards it reads back only
 * wd_kicks, as a number it compares, never trusts. Documented in
 * docs/hypercalls.md ("The fast page").
 */
#ifndef PUBLIC_FASTPAGE_H
#define PUBLIC_FASTPAGE_H

#include <stdint.h>

#define HV_FAST_INFO_OFFSET 2048u
#define HV_FAST_VERSION     1u

struct hv_fast_info {
	/* 0 while the clock fields are unusable (then use HC_TIME); else
	 * HV_FAST_VERSION. Set once at build, constant afterwards. */
	uint32_t version;
	/* Nanoseconds since hypervisor boot (what HC_TIME returns, at most 1 ns
	 * less) = ((RDTSC - tsc_base) * tsc_mul) >> tsc_shift, with a 128-bit
	 * product: hv_fast_time_ns(). */
	uint32_t tsc_shift;
	uint64_t tsc_base;
	uint64_t tsc_mul;
	/* Hang watchdog (armed with HC_WATCHDOG_KICK): the guest increments
	 * wd_kicks to feed it; the hypervisor credits a kick when it sees the
	 * value change (checked between scheduling slices). */
	uint64_t wd_kicks;
	/* The guest's own note of the period it armed (the hypervisor zeroes it
	 * at build and never reads it): rt's hv_watchdog_kick() feeds through
	 * wd_kicks only when asked for this same period again. */
	uint64_t wd_armed_ns;
	uint64_t reserved[3];
};

_Static_assert(sizeof(struct hv_fast_info) == 64, "hv_fast_info layout");
_Static_assert(HV_FAST_INFO_OFFSET >= 2048 && HV_FAST_INFO_OFFSET + sizeof(struct hv_fast_info)
	       <= 4096, "in the second half of the shared page");

/* The clock from the fast page's fields (pure: tsc is a counter reading). */
static inline uint64_t hv_fast_time_ns(uint64_t tsc, uint64_t base, uint64_t mul, uint32_t shift)
{
	unsigned __int128 p = (unsigned __int128)(tsc - base) * mul;

	return (uint64_t)(p >> (shift & 127));
}

#endif
