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

/* Busy-wait 'ticks' PIT periods on channel 2 (gate via port 0x61), return TSC delta. */
static uint64_t pit_measure_tsc(uint16_t ticks)
{
	uint8_t gate = inb(0x61);

	outb(0x61, (gate & ~0x02) | 0x01);      /* speaker off, gate on */
	outb(0x43, 0xb0);                       /* ch2, lobyte/hibyte, mode 0 */
	outb(0x42, ticks & 0xff);
	outb(0x42, ticks >> 8);
	uint64_t t0 = rdtsc();
	/* OUT2 goes high at terminal count; bounded in case the PIT is absent. */
	for (uint64_t spins = 0; !(inb(0x61) & 0x20); spins++)
		if (spins > 100000000ull)
			panic("PIT channel 2 never reached terminal count");
	uint64_t dt = rdtsc() - t0;
	outb(0x61, gate);
	return dt;
}

void tsc_init(void)
{
	const uint16_t ticks = 11932;           /* ~10 ms */
	uint64_t dt = pit_measure_tsc(ticks);

	tsc_hz = dt * PIT_HZ / ticks;
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

void lapic_timer_periodic(uint64_t period_ns)
{
	/* Count LAPIC timer decrements over a known TSC interval (divide by 16). */
	lapic_write(LAPIC_TIMER_DCR, 0x3);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
	uint64_t t0 = rdtsc(), wait = tsc_hz / 100;
	while (rdtsc() - t0 < wait)
		;
	uint32_t counted = 0xffffffffu - lapic_read(LAPIC_TIMER_CCR);
	uint64_t per_sec = (uint64_t)counted * 100;
	uint64_t init = per_sec * period_ns / 1000000000ull;

	if (init == 0 || init > 0xffffffffu)
		panic("LAPIC timer calibration out of range (%lu counts/s)", per_sec);
	lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | X86_VEC_TIMER);
	lapic_write(LAPIC_TIMER_ICR, (uint32_t)init);
	printk("hv: timer: TSC %lu kHz, LAPIC %lu counts/s, tick %lu us\n",
	       tsc_hz / 1000, per_sec, period_ns / 1000);
}
