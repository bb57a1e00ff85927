/*
 * The disk path end to end: client VMs running diskverify reach the NVMe
 * only through the disk driver domain (diskdd: the NVMe driver and blkback).
 * The scenario ends when every diskverify client has exited; each must exit 0
 * (no error, no lost acknowledged write, no corrupt sector) in its first
 * generation. A driver told to crash (crash=KIND after=N crash_gens=K) must
 * be restarted exactly K times, for the cause the hypervisor itself saw, while
 * a bystander (ticker) keeps ticking; after several restarts the free frame
 * count is back where it was after the first (the harness: drvscen.c).
 */
#include "kstring.h"
#include "hv/hvtest.h"
#include "drvscen.h"

/* Clients whose exit (code 0) ends the scenario. */
static int is_client(const struct domain *d)
{
	return !strcmp(d->cfg.image, "diskverify") || !strcmp(d->cfg.image, "diskbadfront");
}

/* cause: what the last restart's record must say; dma: the driver gets a
 * hypervisor page as dma_at= and its NVMe's write there must fault. */
static void disk_scenario(const char *cause, int dma)
{
	const struct drvscen s = { is_client, cause, dma, "02:00.0" };

	drvscen_run(&s);
}

HVTEST(disk_rw) { disk_scenario(0, 0); }
HVTEST(disk_two_clients) { disk_scenario(0, 0); }
HVTEST(disk_crash_pf) { disk_scenario("guest reported a crash (code 270)", 0); }
HVTEST(disk_crash_triple) { disk_scenario("triple fault", 0); }
HVTEST(disk_crash_hang) { disk_scenario("watchdog: no kick", 0); }
HVTEST(disk_crash_dma) { disk_scenario("DMA fault", 1); }
HVTEST(disk_restart_20) { disk_scenario(0, 0); }
HVTEST(disk_power_cycle) { disk_scenario(0, 0); }
HVTEST(disk_hostile_back) { disk_scenario(0, 0); }
HVTEST(disk_hostile_front) { disk_scenario(0, 0); }
HVTEST(disk_crash_idt) { disk_scenario("triple fault", 0); }
