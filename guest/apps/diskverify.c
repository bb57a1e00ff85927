/*
 * A client VM that verifies its disk through blkfront (backend=NAME, the
 * disk driver domain): the diskverify workload of frontend/diskverify.h.
 * args: backend= span= (sectors used, default 1024) qd= (8) min= max=
 * (I/O sizes in bytes, 512..131072) ios= (workload I/Os, 2000) seed= id=
 * write= flush= fua= (percentages) sweep= (1: write every size first)
 * end= (the disk's size in sectors: a read there must be refused).
 * until_gen=G (fault-injection campaigns, tests/qemu/fi_disk.scn): run the
 * random workload (ios= is then only a cap) until connected to backend
 * generation G, then do the final read-back pass.
 * Windows: the run is cut into one window per backend generation the client
 * connects to; a window ends when the read-back pass after the next
 * reconnection is done (so the writes a failure lost are counted in the
 * window of the generation that failed), and at the end. Each prints
 *   diskverify: window G: ops N, errors E, lost L, corrupt C, longest wait W ms
 * (ops: I/Os completed; longest wait: the longest time, hypervisor time,
 * with I/Os in flight and none completing), read by
 * tools/faultinject/classify.py.
 * Exits 0 when every acknowledged sector read back right, nothing failed,
 * and (with end=) the read past the end was refused.
 *
 * Power cycle (two boots on one disk image): persist=1 writes the span in a
 * known pattern (every sector with sequence 1, every 3rd write FUA, then
 * every other run of 8 sectors again with sequence 2) and flushes;
 * expect=1, in the next boot, reads the span and checks every sector holds
 * that pattern. Both exit 0 only when all is as written.
 *
 * forever=1 (make run's disk client, scenarios/nic.scn): the random workload
 * never ends (ios= is ignored); after each backend restart the span is read
 * back as always, and every progress= (default 10000) completed I/Os one line
 *   diskverify: progress: N I/Os, errors E, lost L, corrupt C, passes P,
 *   reconnects R
 * says how it goes (a monitor or test waits for the next one).
 *
 * bench=randread|seqread|seqwrite bs= (4096) ops= (10000) qd=: make
 * bench-disk's half (a), the same workload as diskself's (b): ops requests
 * of bs bytes at queue depth qd over the span, timed on hv_time() from the
 * first submission (the connection is made first). Its buffers come from
 * blkfront's granted pool (blkfront_buf_alloc: no copy in the client) unless
 * copy=1 or the pool is too small; the bench line says which (copy=0|1).
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

/* forever=1: one line every 'every' completed I/Os. */
static void progress(uint64_t every)
{
	static uint64_t next;

	if (!next)
		next = every;
	if (bf.stats.completed < next)
		return;
	next = (bf.stats.completed / every + 1) * every;
	gprintf("diskverify: progress: %lu I/Os, errors %lu, lost %lu, corrupt %lu, passes %lu, "
		"reconnects %lu\n", bf.stats.completed, dv.st.errors, dv.st.lost, dv.st.corrupt,
		dv.st.passes, bf.stats.reconnects);
}

/* The current window (see the top): counters at its start, its longest wait. */
static struct {
	uint32_t gen;           /* backend generation at its start; 0: not connected yet */
	uint64_t ops, errors, lost, corrupt;
	uint64_t last_done, longest;
	uint64_t completed;     /* blkfront's count at the last look */
} win;

static void window_start(void)
{
	win.gen = bf.backend_gen;
	win.ops = bf.stats.completed;
	win.errors = dv.st.errors;
	win.lost = dv.st.lost;
	win.corrupt = dv.st.corrupt;
	win.longest = 0;
}

static void window_print(void)
{
	if (!win.gen)
		return;
	gprintf("diskverify: window %u: ops %lu, errors %lu, lost %lu, corrupt %lu, longest wait "
		"%lu ms\n", win.gen, bf.stats.completed - win.ops, dv.st.errors - win.errors,
		dv.st.lost - win.lost, dv.st.corrupt - win.corrupt, win.longest / 1000000);
}

/* Once per loop pass: the longest wait, and a window's end after a read-back
 * pass that follows a reconnection. */
static void window_note(uint64_t passes_before)
{
	uint64_t now = hv_time();

	if (!win.gen && blkfront_connected(&bf))
		window_start();
	if (bf.stats.completed != win.completed || !dv_inflight(&dv))
		win.last_done = now;
	win.completed = bf.stats.completed;
	if (now - win.last_done > win.longest)
		win.longest = now - win.last_done;
	if (dv.st.passes != passes_before && win.gen && bf.backend_gen != win.gen &&
	    blkfront_connected(&bf)) {
		window_print();
		window_start();
	}
}

static int io_sync(uint8_t op, uint64_t sector, void *buf, uint32_t bytes, unsigned flags)
{
	struct blkfront_done d;
	int rc;

	while ((rc = blkfront_submit(&bf, op, sector, buf, bytes, flags, 999)) == BLKFRONT_EAGAIN) {
		blkfront_poll(&bf);
		blkfront_wait(&bf, 1000000ull);
	}
	if (rc)
		return rc;
	for (;;) {
		blkfront_poll(&bf);
		if (blkfront_reap(&bf, &d, 1) == 1)
			return d.status;
		if (blkfront_gone(&bf))
			return BLKFRONT_EGONE;
		blkfront_wait(&bf, 1000000ull);
	}
}

/* The power-cycle pattern: which write a sector holds last. */
static uint32_t pattern_seq(uint64_t sector) { return (sector / 8) % 2 ? 1 : 2; }

static int persist(uint64_t span, uint32_t id)
{
	static uint8_t buf[64 * 512];
	int bad = 0;

	for (uint64_t s = 0; s < span; s += 64) {
		uint32_t n = span - s < 64 ? (uint32_t)(span - s) : 64;
		for (uint32_t i = 0; i < n; i++)
			dv_stamp(buf + i * 512, id, s + i, 1);
		bad |= io_sync(BLKIF_OP_WRITE, s, buf, n * 512, (s / 64) % 3 ? 0 : BLKFRONT_FUA) != 0;
	}
	for (uint64_t s = 0; s < span; s += 8) {
		uint32_t n = span - s < 8 ? (uint32_t)(span - s) : 8;
		if (pattern_seq(s) != 2)
			continue;
		for (uint32_t i = 0; i < n; i++)
			dv_stamp(buf + i * 512, id, s + i, 2);
		bad |= io_sync(BLKIF_OP_WRITE, s, buf, n * 512, 0) != 0;
	}
	bad |= io_sync(BLKIF_OP_FLUSH, 0, 0, 0, 0) != 0;
	gprintf("diskverify: power cycle: %lu sectors written and flushed, %s\n", span,
		bad ? "SOME FAILED" : "all acknowledged");
	return bad;
}

static int expect(uint64_t span, uint32_t id)
{
	static uint8_t buf[128 * 512];
	uint64_t ok = 0, lost = 0, corrupt = 0;
	int bad = 0;

	for (uint64_t s = 0; s < span; s += 128) {
		uint32_t n = span - s < 128 ? (uint32_t)(span - s) : 128;
		bad |= io_sync(BLKIF_OP_READ, s, buf, n * 512, 0) != 0;
		for (uint32_t i = 0; i < n; i++) {
			int r = dv_check(buf + i * 512, id, s + i, pattern_seq(s + i));
			ok += r == DV_STAMP_OK;
			lost += r == DV_STAMP_OLDER || r == DV_STAMP_BLANK;
			corrupt += r == DV_STAMP_BAD;
		}
	}
	gprintf("diskverify: power cycle: %lu of %lu sectors as written before, lost %lu, "
		"corrupt %lu%s\n", ok, span, lost, corrupt, bad ? ", READS FAILED" : "");
	return bad || ok != span;
}

static uint64_t bench_rng = 0x9e3779b97f4a7c15ull;

static uint64_t bench_rnd(void)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return bench_rng;
}

static int bench(const char *kind, uint64_t span, unsigned qd, uint8_t *bufs, uint32_t buf_bytes)
{
	uint64_t ops = rt_arg_u64("ops", 10000), bs = rt_arg_u64("bs", 4096);
	uint64_t issued = 0, completed = 0, failed = 0, cursor = 0;
	int rnd = !strcmp(kind, "randread"), wr = !strcmp(kind, "seqwrite");
	uint8_t busy[DV_MAX_QD] = { 0 };
	struct blkfront_done d[DV_MAX_QD];
	uint8_t *buf[DV_MAX_QD] = { 0 };       /* past a failed pool allocation: never set */
	int copy = (int)rt_arg_u64("copy", 0);

	if ((!rnd && !wr && strcmp(kind, "seqread")) || !qd || qd > DV_MAX_QD || bs < 512 || bs % 512 || bs > buf_bytes ||
	    bs / 512 > span || !ops)
		rt_fail("diskverify: bench=randread|seqread|seqwrite, bs multiple of 512 up to %u",
			buf_bytes);
	uint64_t nsec = bs / 512;
	for (unsigned k = 0; k < qd && !copy; k++)
		copy = !(buf[k] = blkfront_buf_alloc(&bf, (uint32_t)bs));
	for (unsigned k = 0; k < qd; k++) {
		if (copy && buf[k])
			blkfront_buf_free(&bf, buf[k], (uint32_t)bs);
		if (copy)
			buf[k] = bufs + (size_t)k * buf_bytes;
	}
	while (!blkfront_connected(&bf)) {
		blkfront_poll(&bf);
		blkfront_wait(&bf, 1000000ull);
	}
	uint64_t t0 = hv_time();
	while (completed < ops) {
		for (unsigned k = 0; k < qd && issued < ops; k++) {
			if (busy[k])
				continue;
			uint64_t lba = cursor;
			if (rnd) {
				lba = bench_rnd() % (span / nsec) * nsec;
			} else {
				if (cursor + nsec > span)
					lba = cursor = 0;
				cursor += nsec;
			}
			if (blkfront_submit(&bf, wr ? BLKIF_OP_WRITE : BLKIF_OP_READ, lba,
					    buf[k], (uint32_t)bs, 0, k))
				break;
			busy[k] = 1;
			issued++;
		}
		int got = blkfront_poll(&bf), n;
		while ((n = blkfront_reap(&bf, d, DV_MAX_QD)) > 0) {
			for (int i = 0; i < n; i++) {
				busy[d[i].tag] = 0;
				failed += d[i].status != 0;
			}
			completed += (uint64_t)n;
			got = 1;
		}
		if (blkfront_gone(&bf))
			return 2;
		if (!got)
			blkfront_wait(&bf, 1000000ull);
	}
	uint64_t ns = hv_time() - t0;
	uint64_t kiops = ops * 1000000000000ull / (ns ? ns : 1);    /* I/O per 1000 s */
	uint64_t kbps = ops * bs * 1000000ull / (ns ? ns : 1);       /* KB/s (10^3) */
	gprintf("diskverify: bench %s bs %lu qd %u: ops=%lu us=%lu iops=%lu.%03lu mbps=%lu.%03lu "
		"failed=%lu copy=%d\n", kind, bs, qd, ops, ns / 1000, kiops / 1000, kiops % 1000,
		kbps / 1000, kbps % 1000, failed, copy);
	return failed ? 1 : 0;
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
	uint64_t forever = rt_arg_u64("forever", 0), every = rt_arg_u64("progress", 10000);
	uint32_t *acked = rt_malloc(cfg.span * sizeof(uint32_t));
	uint8_t *bufs = rt_malloc((size_t)cfg.qd * cfg.max_sectors * 512);

	if (!acked || !bufs)
		rt_fail("diskverify: out of memory");
	blkfront_init(&bf, (uint32_t)rt_peer_id("backend"));
	if (rt_arg_u64("persist", 0))
		return persist(cfg.span, cfg.id);
	if (rt_arg_u64("expect", 0))
		return expect(cfg.span, cfg.id);
	char kind[16];
	if (rt_arg_str("bench", kind, sizeof(kind)))
		return bench(kind, cfg.span, cfg.qd, bufs, cfg.max_sectors * 512);
	if (forever)
		cfg.ios = ~0ull;                /* the workload never reaches its end */
	if (dv_init(&dv, &cfg, &bf, acked, bufs) || !every)
		rt_fail("diskverify: bad arguments");
	if (forever)
		gprintf("diskverify: span %lu sectors, qd %u, sizes %u..%u sectors, forever, "
			"progress every %lu I/Os\n", cfg.span, cfg.qd, cfg.min_sectors, cfg.max_sectors,
			every);
	else
		gprintf("diskverify: span %lu sectors, qd %u, sizes %u..%u sectors, %lu I/Os\n",
			cfg.span, cfg.qd, cfg.min_sectors, cfg.max_sectors, cfg.ios);
	uint64_t passes = 0, until_gen = rt_arg_u64("until_gen", 0);
	win.last_done = hv_time();
	while (!dv_step(&dv)) {
		if (blkfront_gone(&bf)) {
			window_print();
			report("backend gone for good");
			return 2;
		}
		window_note(passes);
		if (forever)
			progress(every);
		if (dv.st.passes != passes) {
			passes = dv.st.passes;
			report("read-back pass done");
		}
		/* Far enough: no more random I/O, the final pass comes next. */
		if (until_gen && bf.backend_gen >= until_gen && blkfront_connected(&bf) &&
		    dv.phase == DV_RUN && dv.cfg.ios > dv.issued)
			dv.cfg.ios = dv.issued;
		if (!blkfront_poll(&bf))
			blkfront_wait(&bf, 2000000ull);
	}
	window_print();
	int end_ok = !end || past_end_refused(end);
	if (end)
		gprintf("diskverify: read at sector %lu (past the end) %s\n", end,
			end_ok ? "refused" : "NOT REFUSED");
	report("done");
	return dv.st.errors || dv.st.lost || dv.st.corrupt || !end_ok ? 1 : 0;
}
