/*
 * A client VM that verifies its disk through blkfront (backend=NAME, the
 * disk driver domain): the diskverify workload of frontend/diskverify.h.
 * args: backend= span= (sectors used, default 1024) qd= (8) min= max=
 * (I/O sizes in bytes, 512..131072) ios= (workload I/Os, 2000) seed= id=
 * write= flush= fua= (percentages) sweep= (1: write every size first)
 * end= (the disk's size in sectors: a read there must be refused).
 * Exits 0 when every acknowledged sector read back right, nothing failed,
 * and (with end=) the read past the end was refused.
 */
#include "frontend/blkfront.h"
#include "frontend/diskverify.h"
#include "rt/channel.h"
#include "rt/rt.h"

static struct blkfront bf;
static struct diskverify dv;

static void report(const char *when)
{
	gprintf("diskverify: %s: %lu writes (%lu FUA), %lu reads, %lu flushes, %lu sectors checked, "
		"%lu passes; errors %lu, lost %lu, corrupt %lu; replayed %lu, reconnects %lu\n", when,
		dv.st.writes, dv.st.fua, dv.st.reads, dv.st.flushes, dv.st.sectors_checked,
		dv.st.passes, dv.st.errors, dv.st.lost, dv.st.corrupt, bf.stats.replayed,
		bf.stats.reconnects);
}

/* One read at the disk's end: refused with BLKFRONT_ERANGE, nothing else. */
static int past_end_refused(uint64_t end)
{
	static uint8_t buf[512];
	struct blkfront_done d;

	if (blkfront_submit(&bf, BLKIF_OP_READ, end, buf, sizeof(buf), 0, 999))
		return 0;
	for (;;) {
		blkfront_poll(&bf);
		if (blkfront_reap(&bf, &d, 1) == 1)
			return d.tag == 999 && d.status == BLKFRONT_ERANGE;
		if (blkfront_gone(&bf))
			return 0;
		blkfront_wait(&bf, 1000000ull);
	}
}

int main(void)
{
	struct dv_config cfg = {
		.span = rt_arg_u64("span", 1024), .qd = (unsigned)rt_arg_u64("qd", 8),
		.min_sectors = (uint32_t)(rt_arg_u64("min", 512) / 512),
		.max_sectors = (uint32_t)(rt_arg_u64("max", BLKFRONT_MAX_IO) / 512),
		.ios = rt_arg_u64("ios", 2000), .seed = rt_arg_u64("seed", 1),
		.write_pct = (unsigned)rt_arg_u64("write", 55), .flush_pct = (unsigned)rt_arg_u64("flush", 5),
		.fua_pct = (unsigned)rt_arg_u64("fua", 10), .id = (uint32_t)rt_arg_u64("id", 0),
		.sweep = (int)rt_arg_u64("sweep", 1),
	};
	uint64_t end = rt_arg_u64("end", 0);
	uint32_t *acked = rt_malloc(cfg.span * sizeof(uint32_t));
	uint8_t *bufs = rt_malloc((size_t)cfg.qd * cfg.max_sectors * 512);

	if (!acked || !bufs)
		rt_fail("diskverify: out of memory");
	blkfront_init(&bf, (uint32_t)rt_peer_id("backend"));
	if (dv_init(&dv, &cfg, &bf, acked, bufs))
		rt_fail("diskverify: bad arguments");
	gprintf("diskverify: span %lu sectors, qd %u, sizes %u..%u sectors, %lu I/Os\n", cfg.span,
		cfg.qd, cfg.min_sectors, cfg.max_sectors, cfg.ios);
	uint64_t passes = 0;
	while (!dv_step(&dv)) {
		if (blkfront_gone(&bf)) {
			report("backend gone for good");
			return 2;
		}
		if (dv.st.passes != passes) {
			passes = dv.st.passes;
			report("read-back pass done");
		}
		if (!blkfront_poll(&bf))
			blkfront_wait(&bf, 2000000ull);
	}
	int end_ok = !end || past_end_refused(end);
	if (end)
		gprintf("diskverify: read at sector %lu (past the end) %s\n", end,
			end_ok ? "refused" : "NOT REFUSED");
	report("done");
	return dv.st.errors || dv.st.lost || dv.st.corrupt || !end_ok ? 1 : 0;
}
