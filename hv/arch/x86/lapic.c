/*
 * Local APIC (xAPIC, MMIO) and time. The TSC is calibrated once against PIT
 * channel 2, and the LAPIC timer against the TSC, so both run off one clock.
 */
#include <stdint.h>
#include "hv/printk.h"
#include "cpu.h"
#include "lapic.h"
#include "trap.h"

#define LAPIC_ID        0x020
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_ISR       0x100   /* 8 registers, 32 vectors each, 16 bytes apart */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0
#define LVT_PERIODIC    (1u << 17)
#define LVT_MASKED      (1u << 16)

#define PIT_HZ          1193182u

static uint64_t lapic_base;
static uint64_t tsc_hz;

static uint32_t lapic_read(uint32_t reg) { return mmio_read32(lapic_base + reg); }
static void lapic_write(uint32_t reg, uint32_t v) { mmio_write32(lapic_base + reg, v); }

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

int lapic_in_service(unsigned vector)
{
	vector &= 0xff;
	return (lapic_read(LAPIC_ISR + 0x10 * (vector / 32)) >> (vector % 32)) & 1;
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_init(void)
{
	lapic_base = rdmsr(MSR_APIC_BASE) & ~0xfffull;
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
	lapic_write(LAPIC_SVR, 0x100 | X86_VEC_SPURIOUS);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
}

/*
 * Calibration windows are bracketed: each moment that matters (the PIT starts
 * counting, reaches terminal count; a LAPIC count is read) is known only to
 * lie between two TSC reads, and a window counts as good when both brackets
 * are narrow. Under QEMU on a busy host the emulator's vCPU thread loses the
 * host CPU for milliseconds at a time while the TSC and the emulated timers
 * run on: a one-shot window that is preempted at its end was measured here
 * to make the TSC look up to 2.2 times faster and the LAPIC timer up to 3.6
 * times (make test LOAD=1), and every time the hypervisor judges by (the
 * watchdog, restart phases, guests' timeouts) with it. So: windows until
 * the result is good to 1/CAL_PRECISION (the LAPIC's to 1/CAL_PRECISION_LAPIC),
 * with bounds (below).
 */
#define CAL_TRIES       5               /* windows of one length */
#define CAL_PRECISION   1000            /* TSC: 0.1% */
#define CAL_PRECISION_LAPIC 250         /* the tick: 0.4% (an MMIO read is slow) */

static unsigned tsc_windows;            /* windows the TSC's calibration took */

/* One window of 'ticks' PIT periods on channel 2 (gate via port 0x61): its
 * length in TSC counts lies in [*lo, *hi]. */
static void pit_window(uint16_t ticks, uint64_t *lo, uint64_t *hi)
{
	uint8_t gate = inb(0x61);

	outb(0x61, (gate & ~0x02) | 0x01);      /* speaker off, gate on */
	outb(0x43, 0xb0);                       /* ch2, lobyte/hibyte, mode 0 */
	outb(0x42, ticks & 0xff);
	uint64_t s0 = rdtsc();
	outb(0x42, ticks >> 8);                 /* counting starts here */
	uint64_t s1 = rdtsc(), before = s1, after;
	/* OUT2 goes high at terminal count: between the TSC read before the
	 * last poll that saw it low and the one after the poll that sees it
	 * high. Bounded in case the PIT is absent. */
	for (uint64_t spins = 0;; spins++) {
		uint64_t t = rdtsc();
		int high = inb(0x61) & 0x20;
		after = rdtsc();
		if (high)
			break;
		before = t;
		if (spins > 100000000ull)
			panic("PIT channel 2 never reached terminal count");
	}
	outb(0x61, gate);
	*lo = before - s1;
	*hi = after - s0;
}

/*
 * The TSC's frequency. Every window's bounds hold however it was preempted
 * (a preemption only widens them), so the true frequency lies in the
 * intersection of all windows' bounds; each side needs only one window not
 * preempted there. Windows until that is narrow, CAL_TRIES of each length,
 * longer and longer: on a busy host even each poll of the PIT can wait
 * (QEMU's device lock), which only a longer window makes small. Then its
 * middle.
 */
void tsc_init(void)
{
	uint64_t lo = 0, hi = ~0ull, l = 0, h = 0;

	for (uint32_t ticks = 5966; ticks <= 47728; ticks *= 2) {      /* 5 ms .. 40 ms */
		for (unsigned i = 0; i < CAL_TRIES && (hi < lo || hi - lo > lo / CAL_PRECISION); i++) {
			pit_window((uint16_t)ticks, &l, &h);
			tsc_windows++;
			l = l * PIT_HZ / ticks;         /* counts -> Hz */
			h = h * PIT_HZ / ticks;
			lo = l > lo ? l : lo;
			hi = h < hi ? h : hi;
		}
	}
	/* Windows that disagree (not a PIT we know): the last one alone. */
	tsc_hz = hi < lo ? l + (h - l) / 2 : lo + (hi - lo) / 2;
	if (tsc_hz == 0)
		panic("TSC calibration gave 0 Hz");
}

uint64_t tsc_frequency(void)
{
	return tsc_hz;
}

uint64_t tsc_to_ns(uint64_t tsc)
{
	/* Split to avoid overflowing 64 bits for long uptimes. */
	return (tsc / tsc_hz) * 1000000000ull + (tsc % tsc_hz) * 1000000000ull / tsc_hz;
}

/* One window of LAPIC timer decrements over about 'span' TSC counts, each
 * read of the count bracketed by TSC reads: counts into *counted, the TSC
 * counts between the reads into *tsc, the uncertainty of that as the result. */
static uint64_t lapic_window(uint64_t span, uint64_t *counted, uint64_t *tsc)
{
	lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
	uint64_t a0 = rdtsc();
	uint32_t c0 = lapic_read(LAPIC_TIMER_CCR);
	uint64_t a1 = rdtsc();
	while (rdtsc() - a1 < span)
		;
	uint64_t b0 = rdtsc();
	uint32_t c1 = lapic_read(LAPIC_TIMER_CCR);
	uint64_t b1 = rdtsc();
	*counted = c0 - c1;
	*tsc = ((b0 + b1) - (a0 + a1)) / 2;
	return (a1 - a0) + (b1 - b0);
}

void lapic_timer_periodic(uint64_t period_ns)
{
	/* Count LAPIC timer decrements over a known TSC interval (divide by 16):
	 * the best of up to CAL_TRIES bracketed 5 ms windows. */
	uint64_t counted = 0, tsc = 1, err = ~0ull;
	unsigned windows = 0;

	lapic_write(LAPIC_TIMER_DCR, 0x3);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	for (unsigned i = 0; i < CAL_TRIES && err > tsc / CAL_PRECISION_LAPIC; i++) {
		uint64_t c, t, e = lapic_window(tsc_hz / 200, &c, &t);
		windows++;
		if (e < err) {
			err = e;
			counted = c;
			tsc = t;
		}
	}
	uint64_t per_sec = counted * tsc_hz / tsc;
	uint64_t init = per_sec * period_ns / 1000000000ull;

	if (init == 0 || init > 0xffffffffu)
		panic("LAPIC timer calibration out of range (%lu counts/s)", per_sec);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | X86_VEC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, (uint32_t)init);
	printk("hv: timer: TSC %lu kHz, LAPIC %lu counts/s, tick %lu us (calibration windows: "
	       "%u TSC, %u LAPIC)\n", tsc_hz / 1000, per_sec, period_ns / 1000, tsc_windows, windows);
}
