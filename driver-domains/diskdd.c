/*
 * The disk driver domain: the NVMe driver (driver-domains/nvme, as a
 * backend/blkdisk.h) and blkback in one image. Client VMs named in
 * clients=NAME:START:SECTORS,... reach the disk only through it, each on its
 * own slice. It arms its hang watchdog (watchdog_ms=, default 500) and feeds
 * it from its loop; timeout_ms= is the per-command timeout, poll=1 leaves the
 * completion interrupt unbound.
 *
 * "inject diskdd KIND" (the control channel, through the shared page) asks
 * for one of those kinds (and block, wild) at once.
 *
 * Crash triggers for restart tests: crash=pf|triple|hang|idt|dma after=N
 * [crash_gens=K] [at_disk=M]: once N requests have been answered and at
 * least M (default 2) are at the disk, fail that way, in each of the first K
 * incarnations (default 1).
 * "dma" makes the NVMe read a sector into dma_at= (default: 16 MiB past the
 * domain's RAM), memory it does not own; the IOMMU must stop it and the
 * hypervisor kill us.
 *
 * The FI_SITE()s are where site faults enter (rt/fisite.h, hooks in
 * faultinject/diskfaults.c): a 5-byte NOP each when no fault is planned.
 */
#include "backend/blkback.h"
#include "driver-domains/nvme/nvme_blkdisk.h"
#include "faultinject/diskfaults.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"

static struct blkdisk disk;
static struct blkback bb;
static uint8_t bufs[BLKBACK_BUFS_BYTES] __attribute__((aligned(4096)));
static uint64_t crash_after, generation, crash_gens, crash_at_disk;
static char crash_kind[8];
static uint64_t watchdog_ns;

/* The NVMe driver calls this while it waits for the device (bring-up,
 * reset, admin commands: each bounded by its own timeout), so a controller
 * slower than the watchdog period does not get us killed. */
static void feed_watchdog(void *arg)
{
	(void)arg;
	hv_watchdog_kick(watchdog_ns);
}

static uint64_t parse_u64(const char **p)
{
	uint64_t v = 0;

	while (**p >= '0' && **p <= '9')
		v = v * 10 + (uint64_t)(*(*p)++ - '0');
	return v;
}

/* clients=NAME:START:SECTORS[,NAME:START:SECTORS...] */
static void add_clients(void)
{
	char list[160];
	const char *p = list;

	if (!rt_arg_str("clients", list, sizeof(list)))
		rt_fail("no clients= argument");
	while (*p) {
		const char *name = p;
		while (*p && *p != ':')
			p++;
		size_t len = (size_t)(p - name);
		if (*p++ != ':')
			rt_fail("clients=: NAME:START:SECTORS expected");
		uint64_t start = parse_u64(&p);
		if (*p++ != ':')
			rt_fail("clients=: NAME:START:SECTORS expected");
		uint64_t size = parse_u64(&p);
		char nm[32];
		if (len >= sizeof(nm))
			rt_fail("clients=: name too long");
		memcpy(nm, name, len);
		nm[len] = 0;
		int64_t id = hv_domain_lookup(nm, len);
		if (id < 0)
			rt_fail("clients=: %s is not a domain", nm);
		int err = blkback_add_client(&bb, (uint32_t)id, start, size);
		if (err)
			rt_fail("clients=: client %s, sectors %lu+%lu of the disk's %lu: %s", nm, start,
				size, disk.sectors, blkback_add_error(err));
		gprintf("diskdd: client %s (domain %ld): sectors %lu..%lu\n", nm, id, start,
			start + size - 1);
		if (*p == ',')
			p++;
		else if (*p)
			rt_fail("clients=: bad separator");
	}
}

/* Feed the hang watchdog only once a quarter of its period has passed since
 * the last kick (a kick is a VM exit): hypervisor time runs at least as fast
 * as the domain's own time that the watchdog judges. Reads the time into
 * *now (the loop blocks until now + its timeout); returns the last kick's. */
static uint64_t feed(uint64_t wd, uint64_t kicked, int kick, uint64_t *now)
{
	*now = hv_time();
	if (kick && *now - kicked >= wd / 4) {
		hv_watchdog_kick(wd);
		return *now;
	}
	return kicked;
}

static uint64_t answered(void)
{
	return bb.stats.reads + bb.stats.writes + bb.stats.flushes;
}

static void ignore(void *arg, uint64_t cookie, int status)
{
	(void)arg, (void)cookie, (void)status;
}

/* The NVMe reads one sector into memory we do not own: an IOMMU fault. */
static void rogue_read(uint64_t target)
{
	struct blkdisk_io io = { .cookie = ~0ull, .lba = 0, .op = BLKDISK_READ, .nseg = 1 };

	io.seg[0] = (struct blkdisk_seg){ target, 512 };
	int rc = disk.submit(disk.ctx, &io);
	gprintf("diskdd: rogue read into 0x%lx submitted (%d)\n", target, rc);
	for (int i = 0; i < 1000; i++) {
		disk.poll(disk.ctx, ignore, 0);
		hv_sleep(1000000ull);           /* the DMA fault kills us meanwhile */
	}
	rt_fail("DMA fault was not caught");
}

/* The shared page, on every pass of the loop and after every batch of
 * requests (from maybe_crash): publish the requests served so far (shown by
 * ddhvctl stats), and take a crash kind the control channel asks for
 * ("inject diskdd KIND"), carried out at once, whatever is at the disk. */
static void shared_page_poll(void)
{
	volatile struct hv_shared_info *si = (void *)(uintptr_t)GUEST_SHARED_INFO_GPA;

	rt_served(bb.stats.requests, answered());
	if (!si->crash_request[0])
		return;
	for (unsigned i = 0; i < sizeof(crash_kind) - 1; i++)
		crash_kind[i] = si->crash_request[i];
	crash_kind[sizeof(crash_kind) - 1] = 0;
	crash_after = crash_at_disk = 0;
	crash_gens = generation;
	gprintf("diskdd: the control channel asks for a crash: %s\n", crash_kind);
}

static void maybe_crash(void)
{
	shared_page_poll();
	if (!crash_kind[0] || answered() < crash_after || generation > crash_gens ||
	    bb.inflight < crash_at_disk)
		return;
	gprintf("diskdd: generation %lu failing after %lu requests answered, %u at the disk: %s\n",
		generation, answered(), bb.inflight, crash_kind);
	if (!strcmp(crash_kind, "dma"))
		rogue_read(rt_arg_u64("dma_at", rt_info.mem_bytes + (16u << 20)));
	rt_crash(crash_kind);
	rt_fail("unknown crash kind %s", crash_kind);
}

/* Block until an event or the deadline, carrying one notification blkback
 * deferred (rt_notify_later) in the same exit, the others sent first. */
static void block(uint64_t deadline)
{
	uint64_t notify = rt_notify_take_one();

	if (hv_call5(HC_BLOCK, deadline, 0, notify, 0, 0) < 0 && notify)
		hv_block(deadline);             /* that client is gone: block anyway */
}

int main(void)
{
	struct hv_self_info self;
	uint64_t wd = rt_arg_u64("watchdog_ms", 500) * 1000000ull;
	struct nvme_disk_cfg cfg = { (uint32_t)rt_arg_u64("timeout_ms", 0),
				     (uint8_t)rt_arg_u64("poll", 0), feed_watchdog, 0 };

	hv_self_info(&self);
	generation = self.generation;
	crash_after = rt_arg_u64("after", 0);
	crash_gens = rt_arg_u64("crash_gens", 1);
	crash_at_disk = rt_arg_u64("at_disk", 2);
	rt_arg_str("crash", crash_kind, sizeof(crash_kind));
	watchdog_ns = wd;
	hv_watchdog_kick(wd);
	if (nvme_blkdisk_init(&disk, 0, &cfg))
		rt_fail("NVMe init failed");
	if (blkback_init(&bb, &disk, bufs, (uint64_t)(uintptr_t)bufs))
		rt_fail("blkback init failed");
	add_clients();
	diskfaults_attach(&disk);
	gprintf("diskdd: generation %lu, %lu sectors, depth %u, %s\n", generation, disk.sectors,
		bb.depth, disk.irq_port > 0 ? "interrupts" : "polling");
	volatile int kick = 1;          /* wd_starve clears it */
	uint64_t now = hv_time(), kicked = 0;
	for (;;) {
		/* With requests at the disk, poll often: timeouts are noticed by poll. */
		block(now + (bb.inflight ? 2000000ull : 20000000ull));
		uint64_t ev = rt_events_take();
		FI_SITE(irq_lost, &ev);
		/* Fail right after taking requests, when most are at the disk.
		 * A long busy stretch still feeds the watchdog (every 64 passes). */
		for (unsigned pass = 1; blkback_poll(&bb, ev) > 0; pass++) {
			ev = 0;
			maybe_crash();
			if (pass % 64 == 0)
				kicked = feed(wd, kicked, kick, &now);
		}
		FI_SITE(hang_irqon, 0);
		FI_SITE(hang_irqoff, 0);
		FI_SITE(wd_starve, &kick);
		FI_SITE(serve_none, 0);
		kicked = feed(wd, kicked, kick, &now);
		maybe_crash();
	}
}
