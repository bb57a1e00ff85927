/*
 * The NIC driver domain: the e1000 driver and netback in one image. Client
 * VMs named in clients=a,b,... reach the network only through it.
 * mac.NAME=xx:xx:xx:xx:xx:xx assigns client NAME its MAC (netback_assign_mac:
 * the only source MAC it may send from, known before it sends); mac_strict=1
 * refuses every frame of a client without one (otherwise its MAC is learned
 * first-come). A bad assignment fails us at start. It arms
 * its hang watchdog (watchdog_ms=, default 500) and feeds it from its loop.
 *
 * Crash triggers for restart tests (a first step toward fault injection):
 * crash=pf|triple|hang|dma|idt after=N [crash_gens=K]: after N frames
 * forwarded, fail that way, in each of the first K incarnations (default 1).
 * "dma" makes the NIC write a received frame to dma_at= (default: 16 MiB past
 * the domain's RAM), memory it does not own; the IOMMU must stop it and the
 * hypervisor kill us. "idt" wrecks our own exception handling (every gate and
 * the stack) before faulting, so we cannot report anything ourselves.
 *
 * Transmit timeout (tx_timeout_ms=, default 200, 0: off): frames wait in the
 * TX ring and none completes for that long -> we fail ourselves, and the
 * restart resets the device (e1000_tx_stalled says how it is judged).
 *
 * Zero-copy transmit (zerocopy=, default 1; 0: every client frame is
 * copied): see netback_uplink and docs/design.md "The network path".
 *
 * The FI_SITE()s are where site faults enter (rt/fisite.h, hooks in
 * faultinject/nicfaults.c): a 5-byte NOP each when no fault is planned.
 */
#include "backend/netback.h"
#include "driver-domains/e1000/e1000.h"
#include "faultinject/nicfaults.h"
#include "guest/net/net.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"
#include "kvargs.h"

static struct e1000 nic;
static struct netback nb;
static uint64_t forwarded, crash_after, generation, crash_gens;
static char crash_kind[8];

static int uplink_tx(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	forwarded++;
	return e1000_tx(&nic, frame, len);
}

/* Zero-copy transmit (netback_uplink): the payload is in a client's page
 * that netback mapped; grant mappings are in our IOMMU DMA view at the same
 * address (guest-physical = DMA address), so the NIC reads it in place. */
static int uplink_tx_zc(void *ctx, const void *hdr, size_t hdr_len, const void *payload,
			size_t payload_len, uint64_t *seq)
{
	(void)ctx;
	int rc = e1000_tx2(&nic, hdr, hdr_len, (uint64_t)(uintptr_t)payload, payload_len, seq);
	forwarded += rc == 0;
	return rc;
}

static uint64_t uplink_tx_done(void *ctx)
{
	(void)ctx;
	return e1000_tx_completed(&nic);
}

/* Bounded by the transmit timeout: a device that does not complete fails us,
 * and the restart resets it before any page could be read again. */
static void uplink_tx_drain(void *ctx)
{
	uint64_t timeout = rt_arg_u64("tx_timeout_ms", 200) * 1000000ull;
	uint64_t end = hv_time() + (timeout ? timeout : 200000000ull);

	(void)ctx;
	while (!e1000_tx_idle(&nic))
		if (hv_time() > end)
			rt_fail("e1000: transmit did not complete while a client's pages were unmapped");
}

/* Copied transmit built in place (netback_uplink): the e1000's own buffer. */
static void *uplink_tx_buf(void *ctx)
{
	(void)ctx;
	return e1000_tx_buf(&nic);
}

static int uplink_tx_commit(void *ctx, size_t len)
{
	(void)ctx;
	forwarded++;
	return e1000_tx_commit(&nic, len);
}

static int uplink_add_mac(void *ctx, const uint8_t mac[6])
{
	(void)ctx;
	return e1000_add_mac(&nic, mac);
}

static void from_nic(void *arg, const void *frame, size_t len)
{
	(void)arg;
	forwarded++;
	netback_uplink_rx(&nb, frame, len);
}

static void add_clients(void)
{
	char list[128], *p = list;

	if (!rt_arg_str("clients", list, sizeof(list)))
		rt_fail("no clients= argument");
	while (*p) {
		char *end = p;
		while (*end && *end != ',')
			end++;
		int last = !*end;
		*end = 0;
		int64_t id = hv_domain_lookup(p, strlen(p));
		if (id < 0 || netback_add_client(&nb, (uint32_t)id))
			rt_fail("client %s: not a domain, or too many clients", p);
		if (last)
			break;
		p = end + 1;
	}
}

/* One mac.NAME=MAC argument (w: its first byte, n: its length). */
static void assign_one(const char *w, size_t n)
{
	char name[32], mac_s[24];
	uint8_t mac[6];
	size_t k = 4;                   /* past "mac." */

	while (k < n && w[k] != '=')
		k++;
	if (k == n || k - 4 == 0 || k - 4 >= sizeof(name) || n - k - 1 >= sizeof(mac_s))
		rt_fail("%.*s: want mac.NAME=xx:xx:xx:xx:xx:xx", (int)n, w);
	memcpy(name, w + 4, k - 4);
	name[k - 4] = 0;
	memcpy(mac_s, w + k + 1, n - k - 1);
	mac_s[n - k - 1] = 0;
	if (net_parse_mac(mac_s, mac))
		rt_fail("mac.%s=%s: not a MAC (xx:xx:xx:xx:xx:xx)", name, mac_s);
	int64_t id = hv_domain_lookup(name, strlen(name));
	int rc = id < 0 ? NETBACK_ENOCLIENT : netback_assign_mac(&nb, (uint32_t)id, mac);
	if (rc == NETBACK_EMAC)
		rt_fail("mac.%s=%s: a group (multicast) MAC", name, mac_s);
	if (rc == NETBACK_ENOCLIENT)
		rt_fail("mac.%s: %s is not one of clients=", name, name);
	if (rc == NETBACK_EASSIGNED)
		rt_fail("mac.%s: assigned twice", name);
	if (rc == NETBACK_ETAKEN)
		rt_fail("mac.%s=%s: assigned to another client already", name, mac_s);
}

/* Every mac.NAME= argument, after add_clients. */
static void assign_macs(void)
{
	const char *p = rt_info.args, *w;
	size_t len;

	while ((w = kv_word(&p, &len)))
		if (len > 4 && !memcmp(w, "mac.", 4))
			assign_one(w, len);
	nb.strict = rt_arg_u64("mac_strict", 0) != 0;
}

/* The control channel asks for a crash kind through the shared page
 * ("inject netdd KIND"): carried out at once, like crash= with after=0. */
static void crash_requested(void)
{
	volatile struct hv_shared_info *si = (void *)(uintptr_t)GUEST_SHARED_INFO_GPA;

	if (crash_kind[0] && forwarded >= crash_after && generation <= crash_gens)
		return;                 /* a configured crash is due anyway */
	if (!si->crash_request[0])
		return;
	for (unsigned i = 0; i < sizeof(crash_kind) - 1; i++)
		crash_kind[i] = si->crash_request[i];
	crash_kind[sizeof(crash_kind) - 1] = 0;
	crash_after = 0;
	crash_gens = generation;
	gprintf("netdd: the control channel asks for a crash: %s\n", crash_kind);
}

static void maybe_crash(void)
{
	crash_requested();
	if (!crash_kind[0] || forwarded < crash_after || generation > crash_gens)
		return;
	gprintf("netdd: generation %lu failing after %lu frames: %s\n", generation, forwarded,
		crash_kind);
	if (!strcmp(crash_kind, "dma")) {
		uint64_t target = rt_arg_u64("dma_at", rt_info.mem_bytes + (16u << 20));
		gprintf("netdd: receiving into 0x%lx\n", target);
		nicfaults_rogue_receive(&nic, target);
		hv_sleep(1000000000ull);        /* the DMA fault kills us meanwhile */
		rt_fail("DMA fault was not caught");
	}
	rt_crash(crash_kind);
	rt_fail("unknown crash kind %s", crash_kind);
}

int main(void)
{
	struct hv_self_info self;
	uint64_t wd = rt_arg_u64("watchdog_ms", 500) * 1000000ull;
	uint64_t tx_timeout = rt_arg_u64("tx_timeout_ms", 200) * 1000000ull;
	struct netback_uplink up = { 0, uplink_tx, uplink_add_mac, 0, 0, 0, uplink_tx_buf,
				     uplink_tx_commit };
	volatile int kick = 1;          /* wd_starve clears it */

	hv_self_info(&self);
	generation = self.generation;
	crash_after = rt_arg_u64("after", 0);
	crash_gens = rt_arg_u64("crash_gens", 1);
	rt_arg_str("crash", crash_kind, sizeof(crash_kind));
	hv_watchdog_kick(wd);
	if (e1000_init(&nic, 0))
		rt_fail("e1000 init failed");
	nicfaults_attach(&nic);
	if (rt_arg_u64("zerocopy", 1)) {
		up.tx_zc = uplink_tx_zc;
		up.tx_done = uplink_tx_done;
		up.tx_drain = uplink_tx_drain;
	}
	netback_init(&nb, &up);
	add_clients();
	assign_macs();
	gprintf("netdd: generation %lu, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, %s\n",
		generation, nic.mac[0], nic.mac[1], nic.mac[2], nic.mac[3], nic.mac[4], nic.mac[5],
		e1000_link_up(&nic) ? "up" : "down",
		nic.irq_port > 0 ? "interrupts" : "polling");
	uint64_t ack = 0;       /* device 0's interrupt serviced, not yet acknowledged */
	for (;;) {
		/* Block only with no event pending and no frame that came while the
		 * NIC's interrupts were held (e1000_irq_release). */
		if (!rt_events_pending() && !e1000_irq_release(&nic))
			ack = rt_wait_event_ack(nic.irq_port > 0 ? 20000000ull : 1000000ull, ack);
		else
			rt_notify_flush();      /* not blocking: the clients' notifications now */
		/* Crashes on request happen here, with the NIC's interrupts
		 * enabled as a driver leaves them (nic_reset checks the reset
		 * clears IMS), before this pass holds them. */
		maybe_crash();
		e1000_irq_hold(&nic);
		uint64_t ev = rt_events_take();
		FI_SITE(irq_lost, &ev);
		if (nic.irq_port > 0 && (ev >> nic.irq_port & 1))
			e1000_irq_causes(&nic);
		int got;
		while ((got = e1000_rx_poll(&nic, from_nic, 0, 32)) == 32)
			;
		if (got == E1000_EIO)
			rt_fail("e1000: receive descriptor %u marked done beyond the device's head %u: "
				"device fault", nic.rx_bad_desc, nic.rx_bad_head);
		netback_poll(&nb, ev);
		if (nic.irq_port > 0 && (ev >> nic.irq_port & 1)) {
			ack |= 1;       /* with the next block: one exit, not two */
			FI_SITE(irq_storm, &nic);
		}
		FI_SITE(dma_wild, &nic);
		FI_SITE(dma_irqwin, &nic);
		FI_SITE(hang_irqon, 0);
		FI_SITE(hang_irqoff, 0);
		FI_SITE(wd_starve, &kick);
		FI_SITE(serve_none, 0);
		if (kick)
			hv_watchdog_kick(wd);
		if (tx_timeout && !e1000_tx_idle(&nic) &&
		    e1000_tx_stalled(&nic, hv_time(), tx_timeout))
			rt_fail("e1000: transmit timeout: %u frames pending, none completed for %lu ms",
				e1000_tx_pending(&nic), tx_timeout / 1000000);
		rt_served(nb.stats.from_client, nb.stats.to_client);
	}
}
