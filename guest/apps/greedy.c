/*
 * A domain that takes everything a guest can fill: every registry entry it
 * may write, every event port, every grant reference and (role=mapper) every
 * grant mapping, then holds them while other domains must still connect.
 * Two of them work as a pair: the granter offers its grants to peer=NAME, the
 * mapper maps all of them. Prints one "holding" line with what it got.
 */
#include "public/guest_layout.h"
#include "rt/channel.h"
#include "rt/rt.h"

static uint8_t page[4096] __attribute__((aligned(4096)));

static unsigned fill_registry(uint32_t self)
{
	struct reg_entry e = { REG_INITIALISING, 0, 0, 0 };
	unsigned n = 0;

	for (uint32_t peer = 1; peer <= 16; peer++)
		for (uint32_t devid = 0; peer != self && devid < REG_MAX_DEVID; devid++)
			if (hv_reg_write(peer, devid, &e) == 0)
				n++;
	return n;
}

static unsigned fill_ports(uint32_t peer)
{
	unsigned n = 0;

	while (hv_evtchn_alloc(peer) > 0)
		n++;
	return n;
}

static unsigned fill_grants(uint32_t peer)
{
	unsigned n = 0;

	while (hv_grant_create(page, peer, GRANT_READONLY) >= 0)
		n++;
	return n;
}

/* Map the granter's grants above our RAM, each as often as it takes, until
 * the hypervisor says no more. */
static unsigned fill_mappings(uint32_t granter, uint64_t mem_bytes, unsigned grants)
{
	uint64_t dest = (mem_bytes + 0x200000) & ~0x1fffffull;
	unsigned n = 0;

	for (uint32_t k = 0; grants && k < 4 * GRANT_MAPS_MAX; k++, dest += 4096) {
		int64_t rc = hv_grant_map(granter, k % grants, dest, GRANT_READONLY);
		if (rc == -HV_ENOMEM)
			break;
		n += rc == 0;
	}
	return n;
}

int main(void)
{
	struct hv_self_info me;
	char role[16];
	uint32_t peer = (uint32_t)rt_peer_id("peer");

	if (hv_self_info(&me))
		rt_fail("self info");
	rt_arg_str("role", role, sizeof(role));
	unsigned regs = fill_registry(me.domid), ports = 0, grants = 0, maps = 0;
	if (!strcmp(role, "granter")) {
		grants = fill_grants(peer);
		struct reg_entry e = { REG_CONNECTED, grants, 0, 0 };
		if (hv_reg_write(peer, 0, &e))
			rt_fail("cannot announce the grants");
	} else {
		struct reg_entry theirs;
		do {
			rt_events_take();
			hv_yield();
			if (hv_reg_read(peer, 0, &theirs))
				rt_fail("registry read");
		} while (theirs.state != REG_CONNECTED);
		maps = fill_mappings(peer, me.mem_bytes, theirs.gref);
	}
	ports = fill_ports(peer);
	gprintf("holding: %u registry entries, %u ports, %u grants, %u mappings\n", regs, ports,
		grants, maps);
	for (;;)
		hv_block(0);    /* hold everything until destroyed */
}
