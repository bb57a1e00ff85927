/*
 * A client of peer=NAME that only watches the registry: it counts the
 * incarnations it sees Connected and exits 0 once the peer's entry says
 * Failed (its restart policy gave it up). Nothing else ends it: a client that
 * is never told would hang, which the test notices.
 */
#include "rt/channel.h"
#include "rt/rt.h"

int main(void)
{
	uint32_t peer = (uint32_t)rt_peer_id("peer");
	uint32_t last_gen = 0, seen = 0;
	struct reg_entry e;

	for (;;) {
		if (hv_reg_read(peer, 0, &e))
			rt_fail("registry read");
		if (e.state == REG_CONNECTED && e.generation != last_gen) {
			last_gen = e.generation;
			seen++;
		}
		if (e.state == REG_FAILED)
			break;
		hv_sleep(5000000ull);
	}
	gprintf("backend gone for good after %u incarnations (last generation %u)\n", seen,
		last_gen);
	return 0;
}
