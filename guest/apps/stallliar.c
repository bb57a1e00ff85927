/*
 * A hostile client of a shared driver (backend=NAME): it connects like an
 * honest blkfront, sends nothing, and reports the backend stalled
 * (HC_PEER_STALLED) as often as the hypervisor takes it, for report_ms of its
 * own time, while an honest client is being served. The hypervisor must not
 * restart the driver on this client's word alone (tests/hv/test_stall.c
 * checks the driver's restart count). On the way it checks the call's
 * answers: refused before it is connected (-HV_EPERM), a flood refused
 * (-HV_EBUSY) but for one report per 100 ms, bad ids (-HV_ENOENT).
 * alone=1 (test stall_alone): it is the driver's only client, so its
 * reports do restart the driver; it reports on through the restarts and
 * does not check the generation.
 * Exit code: the number of failed checks.
 */
#include "frontend/blkfront.h"
#include "rt/channel.h"
#include "rt/test.h"

#define HI (1ull << 32)
#define MIN_GAP_NS 100000000ull         /* STALL_MIN_GAP_NS */

static struct blkfront bf;

static int64_t stalled(uint64_t peer)
{
	return hv_call5(HC_PEER_STALLED, peer, 0, 0, 0, 0);
}

/* 1000 reports in a row: one accepted per 100 ms that passes, at most. */
static void flood(uint32_t be)
{
	uint64_t t0 = hv_time(), ok = 0, busy = 0;

	for (int i = 0; i < 1000; i++) {
		int64_t rc = stalled(be);
		ok += rc == 0;
		busy += rc == -HV_EBUSY;
	}
	uint64_t took = hv_time() - t0;
	GCHECK_EQ(ok + busy, 1000);
	GCHECK(ok <= 1 + took / MIN_GAP_NS);
	gprintf("stallliar: flood of 1000 reports in %lu ms: %lu accepted, %lu refused busy\n",
		took / 1000000, ok, busy);
}

int main(void)
{
	uint32_t be = (uint32_t)rt_peer_id("backend"), self = rt_info.domid;
	uint64_t report_ns = rt_arg_u64("report_ms", 3000) * 1000000ull, ok = 0, sent = 0;
	int alone = (int)rt_arg_u64("alone", 0);

	GCHECK_EQ(stalled(be), -HV_EPERM);              /* not connected yet */
	GCHECK_EQ(stalled(0), -HV_ENOENT);
	GCHECK_EQ(stalled(17), -HV_ENOENT);
	GCHECK_EQ(stalled(self), -HV_ENOENT);
	GCHECK_EQ(stalled(HI | be), -HV_ENOENT);
	blkfront_init(&bf, be);
	while (!blkfront_connected(&bf)) {
		blkfront_poll(&bf);
		blkfront_wait(&bf, 1000000ull);
	}
	gprintf("stallliar: connected to backend %u generation %u; reporting it stalled for %lu ms\n",
		be, bf.backend_gen, report_ns / 1000000);
	if (!alone)
		flood(be);       /* alone, its first report restarts the driver */
	uint64_t end = hv_time() + report_ns;
	while (hv_time() < end) {
		int64_t rc = stalled(be);
		sent++;
		ok += rc == 0;
		/* Alone, the driver may be restarting (ENOENT) or not yet
		 * reconnected to (EPERM). */
		GCHECK(rc == 0 || rc == -HV_EBUSY || (alone && (rc == -HV_ENOENT || rc == -HV_EPERM)));
		blkfront_poll(&bf);
		blkfront_wait(&bf, MIN_GAP_NS + 1000000ull);
	}
	GCHECK(ok > 0);
	if (!alone) {
		GCHECK(blkfront_connected(&bf));
		GCHECK_EQ(bf.backend_gen, 1);           /* the driver was never restarted */
	}
	gprintf("stallliar: %lu of %lu reports accepted; backend generation %u; %d failed checks\n",
		ok, sent, bf.backend_gen, rt_test_failures);
	return rt_test_result();
}
