/*
 * The network path end to end: client VMs (role client) reach the network
 * only through the NIC driver domain; a host load generator (run beside QEMU
 * by tests/run.py) sends UDP datagrams and checks every echo, and ends the
 * run by a datagram to each client's quit port. A driver domain told to crash
 * (args crash=KIND after=N crash_gens=K) must be restarted K times while the
 * clients keep running (generation 1) and a bystander keeps ticking. The
 * restart's cause must name what the hypervisor itself saw (a DMA fault in
 * the IOMMU's records, a triple fault), not what the driver said about itself
 * (the harness: drvscen.c).
 */
#include "kstring.h"
#include "hv/hvtest.h"
#include "drvscen.h"

/* Domains whose exit (code 0) ends the scenario: clients that echo for the
 * host's load generator until its quit datagram (behind netdd, or the
 * direct-assignment baseline), and the hostile frontend's checks. */
static int is_endpoint(const struct domain *d)
{
	return !strcmp(d->cfg.image, "udpecho") || !strcmp(d->cfg.image, "directecho") ||
	       !strcmp(d->cfg.image, "badfront");
}

/* What a crash test expects beyond the restarts: the restart's cause, and
 * for dma_target a hypervisor page the driver's NIC is told to write to. */
struct net_expect {
	const char *cause;
	int dma_target;
};

static void net_scenario(const struct net_expect *x)
{
	const struct drvscen s = { is_endpoint, x ? x->cause : 0, x ? x->dma_target : 0, "01:00.0" };

	drvscen_run(&s);
}

HVTEST(net_ping) { net_scenario(0); }
HVTEST(net_hostile_front) { net_scenario(0); }
HVTEST(net_hostile_back) { net_scenario(0); }
HVTEST(net_echo) { net_scenario(0); }
HVTEST(net_two_clients) { net_scenario(0); }
HVTEST(net_greedy_clients) { net_scenario(0); }
/* A restart for any other cause (a healthy driver killed by its watchdog on a
 * loaded host) fails the test even when the count matches. */
HVTEST(net_crash_pf)
{
	static const struct net_expect x = { "guest reported a crash (code 270)", 0 };
	net_scenario(&x);
}
HVTEST(net_crash_triple)
{
	static const struct net_expect x = { "triple fault", 0 };
	net_scenario(&x);
}
HVTEST(net_crash_hang)
{
	static const struct net_expect x = { "watchdog: no kick", 0 };
	net_scenario(&x);
}
/* Killed by the hypervisor for the IOMMU's fault record naming its NIC and
 * the target page, which stays unchanged. */
HVTEST(net_crash_dma)
{
	static const struct net_expect x = { "DMA fault", 1 };
	net_scenario(&x);
}

/* Its own exception handling wrecked, the driver cannot report anything:
 * the hypervisor sees the triple fault (SHUTDOWN exit) itself. */
HVTEST(net_crash_idt)
{
	static const struct net_expect x = { "triple fault", 0 };
	net_scenario(&x);
}
HVTEST(net_restart_20) { net_scenario(0); }
HVTEST(net_bench) { net_scenario(0); }
