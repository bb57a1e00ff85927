/*
 * Offers pages for the grant-abuse test: a read-only page to peer=NAME, a
 * read-write page and an event port to other=NAME (not to peer), and one port
 * for peer; publishes the numbers in the registry; waits for peer to die.
 */
#include "rt/channel.h"
#include "rt/rt.h"

static uint64_t ro_page[512] __attribute__((aligned(4096)));
static uint8_t other_page[4096] __attribute__((aligned(4096)));

int main(void)
{
	uint32_t peer = (uint32_t)rt_peer_id("peer"), other = (uint32_t)rt_peer_id("other");

	for (int i = 0; i < 512; i++)
		ro_page[i] = 0xc0ffee0000000000ull + i;
	int64_t g_ro = hv_grant_create(ro_page, peer, GRANT_READONLY);
	int64_t g_other = hv_grant_create(other_page, other, 0);
	int64_t p_other = hv_evtchn_alloc(other), p_peer = hv_evtchn_alloc(peer);
	if (g_ro < 0 || g_other < 0 || p_other < 0 || p_peer < 0)
		rt_fail("set-up failed");
	struct reg_entry e0 = { REG_CONNECTED, (uint32_t)g_ro, (uint32_t)p_peer, 0 };
	struct reg_entry e1 = { REG_CONNECTED, (uint32_t)g_other, (uint32_t)p_other, 0 };
	struct reg_entry eo = { REG_CONNECTED, (uint32_t)g_other, (uint32_t)p_other, 0 };
	if (hv_reg_write(peer, 0, &e0) || hv_reg_write(peer, 1, &e1) || hv_reg_write(other, 0, &eo))
		rt_fail("registry write failed");
	/* wait for the peer to bind, then to die */
	while (hv_evtchn_status((uint32_t)p_peer) != EVTCHN_PEER_DIED)
		rt_wait_event(10000000);
	int64_t busy = hv_grant_revoke((uint32_t)g_ro);   /* still mapped by the dead peer */
	gprintf("peer died; revoking its mapped grant: %ld\n", (long)busy);
	return busy == -HV_EBUSY ? 0 : 1;
}
