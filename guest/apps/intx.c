/*
 * INTx delivery of the e1000 (which has no MSI): binds the device's legacy
 * interrupt, makes the device raise it by writing the Interrupt Cause Set
 * register, and checks the hypervisor's mask-until-acknowledged rule:
 *  - a raised cause arrives as an event on the bound port;
 *  - while not acknowledged, a new cause raises nothing (the line is masked);
 *  - acknowledging with the cause still pending (line still asserted) makes
 *    the interrupt arrive again at once;
 *  - after reading ICR (line deasserted) and acknowledging, all is quiet.
 */
#include "rt/channel.h"
#include "rt/test.h"

#define E1000_ICR  0x00c0
#define E1000_ICS  0x00c8
#define E1000_IMS  0x00d0
#define E1000_IMC  0x00d8
#define ICR_LSC    (1u << 2)

static volatile uint32_t *regs;

/* Wait up to ms for the port's bit; take the pending bits either way. */
static int event_within(int64_t port, uint64_t ms)
{
	uint64_t end = hv_time() + ms * 1000000ull, seen = 0;

	while (!((seen |= rt_events_take()) >> port & 1) && hv_time() < end)
		rt_wait_event(5000000);
	return (int)(seen >> port & 1);
}

int main(void)
{
	uint64_t rounds = rt_arg_u64("rounds", 20), got = 0;

	GCHECK_EQ(rt_info.ndevices, 1);
	if (rt_test_failures)
		return rt_test_result();
	regs = (volatile uint32_t *)(uintptr_t)rt_info.devices[0].bar_gpa[0];
	regs[E1000_IMC / 4] = 0xffffffffu;
	(void)regs[E1000_ICR / 4];
	GCHECK_EQ(hv_device_irq_ack(0), -HV_EINVAL);    /* nothing bound yet */
	GCHECK_EQ(hv_device_irq_ack(3), -HV_ENOENT);
	int64_t port = hv_device_irq_bind(0);
	GCHECK(port > 0);
	GCHECK_EQ(hv_device_irq_bind(0), -HV_EBUSY);
	if (port <= 0)
		return rt_test_result();
	regs[E1000_IMS / 4] = ICR_LSC;

	for (uint64_t i = 0; i < rounds; i++) {
		regs[E1000_ICS / 4] = ICR_LSC;
		got += event_within(port, 1000);
		(void)regs[E1000_ICR / 4];              /* deasserts the line */
		GCHECK_EQ(hv_device_irq_ack(0), 0);
	}
	GCHECK_EQ(got, rounds);

	/* Not acknowledged: a new cause stays silent. */
	regs[E1000_ICS / 4] = ICR_LSC;
	GCHECK(event_within(port, 1000));
	(void)regs[E1000_ICR / 4];
	regs[E1000_ICS / 4] = ICR_LSC;                  /* line asserted, but masked */
	GCHECK(!event_within(port, 200));
	/* Acknowledged while still asserted: it fires again. */
	GCHECK_EQ(hv_device_irq_ack(0), 0);
	GCHECK(event_within(port, 1000));
	(void)regs[E1000_ICR / 4];
	GCHECK_EQ(hv_device_irq_ack(0), 0);
	GCHECK(!event_within(port, 200));               /* serviced: quiet */
	gprintf("intx: %lu of %lu interrupts by INTx, masked until acknowledged\n", got, rounds);
	return rt_test_result();
}
