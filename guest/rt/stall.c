/* Service supervision from the client's side (rt/channel.h, rt_stall_watch). */
#include "rt/channel.h"
#include "rt/rt.h"

int64_t rt_report_stalled(uint32_t peer)
{
	static int said;
	int64_t rc = hv_peer_stalled(peer);

	if (!said && rc == 0)           /* once per image: a flood stays off the console */
		gprintf("rt: reported domain %u stalled: our work there went unanswered\n", peer);
	said |= rc == 0;
	return rc;
}

void rt_stall_watch(struct rt_stall *w, uint32_t peer, int busy, uint64_t progress)
{
	uint64_t now = hv_time();

	if (!w->ready) {
		w->timeout_ns = rt_arg_u64("stall_ms", 2000) * 1000000ull;
		w->ready = 1;
	}
	if (!w->timeout_ns)
		return;
	if (!busy || progress != w->progress || !w->since) {
		w->since = now;
		w->progress = progress;
		return;
	}
	if (now - w->since < w->timeout_ns || now - w->last_report < RT_STALL_REPEAT_NS)
		return;
	w->last_report = now;
	w->reports += rt_report_stalled(peer) == 0;
}
