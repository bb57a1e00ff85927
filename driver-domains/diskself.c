/*
 * diskself: one domain that owns the NVMe and runs a verifying workload
 * directly on the driver's blkdisk (no rings, no backend): the disk's own
 * test and the baseline (b) of `make bench-disk`.
 *
 * Every written 512-byte sector carries a stamp (its sector, a sequence
 * number, a checksum over the whole sector); the domain remembers the
 * sequence number each sector should hold and checks every sector it reads
 * back. Requests in flight never overlap (an extent is locked from submission
 * to completion), a read's buffer is poisoned before it is submitted, and
 * buffers start at varied offsets in their pages and are cut into varied
 * segments, so PRP1, PRP2 and PRP lists all carry data.
 *
 * Phases, in order:
 *   errors=1  error statuses: reads of namespaces 2 and 1000 and one past the end of
 *             namespace 1 must fail with BLKDISK_EIO (the driver prints the
 *             status); malformed requests must be refused with BLKDISK_EINVAL
 *   sweep=1   (default) every size from min= to max= (512 B..128 KiB) in
 *             512-byte steps: write (every 4th with FUA), read back, verify;
 *             a flush every 64 sizes
 *   count=N   N random requests: read=% write=% (the rest flushes), fua=% of
 *             writes, sizes min..max, anywhere in the region
 *   (always)  read the whole written region back in max-sized requests
 * qd= requests in flight (1..32, default 8), region= sectors (default the
 * disk, at most 64 MiB), seed=, timeout_ms= (per command), poll=1 (no
 * interrupt), lose=N (test: the driver drops the N-th completion, so that
 * command times out; the random phase goes on until it has), eio=N (requests expected to fail; default 0).
 * Prints counts; exits 0 when every check held.
 * bench=randread|seqread|seqwrite [bs=4096] [ops=10000] instead runs one
 * timed phase without stamps or checks (`make bench-disk`, baseline (b)).
 */
#include "driver-domains/nvme/nvme_blkdisk.h"
#include "rt/channel.h"
#include "rt/rt.h"

#define MAXQD      32
#define MAXBYTES   (BLKDISK_MAX_SEGS * 4096u)
#define MODEL_MAX  (1u << 17)           /* sectors the domain can track: 64 MiB */
#define POISON     0xa5

enum { R_FREE, R_READY, R_INFLIGHT };
enum { BENCH_NONE, BENCH_RANDREAD, BENCH_SEQREAD, BENCH_SEQWRITE };

struct req {
	int state;
	uint8_t op, fua, then_read;
	uint64_t lba;
	uint32_t nsec, seq;
	unsigned off;                   /* data offset in the buffer's first page */
	struct blkdisk_io io;
};

struct counts {
	uint64_t writes, fua, reads, flushes, verified, bad, eio, refused;
};

static uint8_t bufs[MAXQD][MAXBYTES + 4096] __attribute__((aligned(4096)));
static uint32_t model[MODEL_MAX];       /* expected sequence number; 0: unknown */
static uint8_t locked[MODEL_MAX];
static struct req reqs[MAXQD];
static struct blkdisk bd;
static struct counts cnt;
static unsigned qd, inflight;
static uint64_t region, rng;
static uint32_t seqno;
/* what the generators make */
static struct {
	uint32_t min, max, size;
	uint64_t cursor, count;
	unsigned rd, wr, fua, lose;
	int bench;                      /* BENCH_*: no stamps, no poison, no checks */
} g;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- stamps ---- */

static uint32_t sector_sum(const uint64_t *w)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (unsigned i = 0; i < 64; i++)
		h = (h ^ (i == 1 ? (uint32_t)w[1] : w[i])) * 0x100000001b3ull;   /* sum field as 0 */
	return (uint32_t)(h ^ h >> 32);
}

static void stamp(uint8_t *p, uint64_t lba, uint32_t seq)
{
	uint64_t *w = (uint64_t *)p;

	w[0] = lba;
	w[1] = seq;
	for (unsigned i = 2; i < 64; i++)
		w[i] = (lba * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)seq << 32) ^ i;
	w[1] |= (uint64_t)sector_sum(w) << 32;
}

/* 1 when the sector at p is lba's stamp with sequence seq. */
static int stamp_ok(const uint8_t *p, uint64_t lba, uint32_t seq)
{
	const uint64_t *w = (const uint64_t *)p;

	return w[0] == lba && (uint32_t)w[1] == seq && (uint32_t)(w[1] >> 32) == sector_sum(w);
}

/* ---- extents ---- */

static int lock(uint64_t lba, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (locked[lba + i])
			return 0;
	memset(&locked[lba], 1, n);
	return 1;
}

/* ---- requests ---- */

static uint8_t *data(struct req *r)
{
	return bufs[r - reqs] + r->off;
}

/* Cut the data into segments at page ends; split the first page's piece in
 * two now and then (touching segments, which the driver merges). */
static void build_segs(struct req *r)
{
	uint64_t at = (uintptr_t)data(r), left = (uint64_t)r->nsec * 512;
	unsigned n = 0;

	while (left) {
		uint32_t len = (uint32_t)(4096 - (at & 4095));
		if (len > left)
			len = (uint32_t)left;
		if (n == 0 && len > 512 && (r->seq & 3) == 1 && r->nsec < 200)
			len = 512;
		r->io.seg[n++] = (struct blkdisk_seg){ at, len };
		at += len;
		left -= len;
	}
	r->io.nseg = (uint16_t)n;
}

static void prepare(struct req *r)
{
	r->io.cookie = (uint64_t)(r - reqs);
	r->io.op = r->op;
	r->io.lba = r->lba;
	r->io.fua = r->fua;
	r->io.nseg = 0;
	if (r->op == BLKDISK_FLUSH)
		return;
	/* a start inside the first page, when the pages still suffice */
	r->off = !g.bench && (rnd() & 1) ? 512u * (1 + (unsigned)(rnd() % 7)) : 0;
	if (r->off + r->nsec * 512 > MAXBYTES)
		r->off = 0;
	if (g.bench) {
		r->seq = 0;                     /* the model stays "unknown" */
	} else if (r->op == BLKDISK_WRITE) {
		r->seq = ++seqno;
		for (uint32_t i = 0; i < r->nsec; i++)
			stamp(data(r) + 512 * i, r->lba + i, r->seq);
	} else {
		memset(data(r), POISON, r->nsec * 512);
	}
	build_segs(r);
}

static void check_read(struct req *r)
{
	for (uint32_t i = 0; i < r->nsec; i++) {
		uint64_t s = r->lba + i;
		if (!model[s])
			continue;
		if (stamp_ok(data(r) + 512 * i, s, model[s])) {
			cnt.verified++;
			continue;
		}
		if (cnt.bad++ < 5) {
			const uint64_t *w = (const uint64_t *)(data(r) + 512 * i);
			gprintf("diskself: MISMATCH sector %lu: want seq %u, read lba %lu seq %u "
				"(request lba %lu, %u sectors, offset %u)\n", s, model[s], w[0],
				(uint32_t)w[1], r->lba, r->nsec, r->off);
		}
	}
}

static void done(void *arg, uint64_t cookie, int status)
{
	if (cookie >= qd || reqs[cookie].state != R_INFLIGHT) {
		gprintf("diskself: completion for cookie %lu not in flight\n", cookie);
		cnt.bad++;
		return;
	}
	struct req *r = &reqs[cookie];
	inflight--;
	r->state = R_FREE;
	if (status)
		cnt.eio++;
	if (r->op == BLKDISK_FLUSH)
		return;
	if (r->op == BLKDISK_WRITE) {
		for (uint32_t i = 0; i < r->nsec; i++)
			model[r->lba + i] = status ? 0 : r->seq;   /* failed: content unknown */
		if (!status && r->then_read) {
			r->op = BLKDISK_READ;     /* read back, extent still locked */
			r->fua = 0;
			prepare(r);
			r->state = R_READY;
			return;
		}
	} else if (!status) {
		check_read(r);
	}
	memset(&locked[r->lba], 0, r->nsec);
}

/* ---- generators: fill r and lock its extent; 1 made, 0 not now, -1 finished ---- */


static void set(struct req *r, uint8_t op, uint64_t lba, uint32_t nsec, uint8_t fua, uint8_t tr)
{
	r->op = op;
	r->lba = lba;
	r->nsec = nsec;
	r->fua = fua;
	r->then_read = tr;
}

static int gen_sweep(struct req *r)
{
	if (g.size > g.max)
		return -1;
	uint32_t nsec = g.size / 512;
	if (nsec % 64 == 0 && g.cursor != ~0ull) {   /* a flush every 64 sizes */
		set(r, BLKDISK_FLUSH, 0, 0, 0, 0);
		g.cursor = ~0ull;
		return 1;
	}
	if (g.cursor == ~0ull || g.cursor + nsec > region)
		g.cursor = 0;
	if (!lock(g.cursor, nsec))
		return 0;
	set(r, BLKDISK_WRITE, g.cursor, nsec, nsec % 4 == 0, 1);
	g.cursor += nsec;
	g.size += 512;
	return 1;
}

static int gen_random(struct req *r)
{
	/* with lose=, go on until the lost command has timed out, so others
	 * are in flight when it does */
	if (!g.count && !(g.lose && !nvme_blkdisk_driver(&bd)->st.timeouts))
		return -1;
	unsigned pick = (unsigned)(rnd() % 100);
	uint32_t nsec = g.min / 512 + (uint32_t)(rnd() % ((g.max - g.min) / 512 + 1));
	uint64_t lba = rnd() % (region - nsec + 1);
	if (pick >= g.rd + g.wr) {
		set(r, BLKDISK_FLUSH, 0, 0, 0, 0);
	} else {
		if (!lock(lba, nsec))
			return 0;
		if (pick < g.rd)
			set(r, BLKDISK_READ, lba, nsec, 0, 0);
		else
			set(r, BLKDISK_WRITE, lba, nsec, rnd() % 100 < g.fua, 0);
	}
	g.count -= g.count > 0;
	return 1;
}

static int gen_readall(struct req *r)
{
	if (g.cursor >= region)
		return -1;
	uint32_t nsec = g.max / 512;
	if (g.cursor + nsec > region)
		nsec = (uint32_t)(region - g.cursor);
	if (!lock(g.cursor, nsec))
		return 0;
	set(r, BLKDISK_READ, g.cursor, nsec, 0, 0);
	g.cursor += nsec;
	return 1;
}

static int gen_bench(struct req *r)
{
	uint32_t nsec = g.max / 512;

	if (!g.count)
		return -1;
	if (g.bench == BENCH_RANDREAD) {
		uint64_t lba = rnd() % (region / nsec) * nsec;
		if (!lock(lba, nsec))
			return 0;
		set(r, BLKDISK_READ, lba, nsec, 0, 0);
	} else {
		if (g.cursor + nsec > region)
			g.cursor = 0;
		if (!lock(g.cursor, nsec))
			return 0;
		set(r, g.bench == BENCH_SEQREAD ? BLKDISK_READ : BLKDISK_WRITE, g.cursor, nsec, 0, 0);
		g.cursor += nsec;
	}
	g.count--;
	return 1;
}

/* ---- the loop ---- */

static void submit_batch(void)
{
	for (unsigned i = 0; i < qd; i++) {
		struct req *r = &reqs[i];
		if (r->state != R_READY)
			continue;
		int rc = bd.submit(bd.ctx, &r->io);
		if (rc == BLKDISK_EBUSY)
			return;
		if (rc == BLKDISK_OK) {
			r->state = R_INFLIGHT;
			inflight++;
			cnt.writes += r->op == BLKDISK_WRITE;
			cnt.fua += r->op == BLKDISK_WRITE && r->fua;
			cnt.reads += r->op == BLKDISK_READ;
			cnt.flushes += r->op == BLKDISK_FLUSH;
			continue;
		}
		gprintf("diskself: request refused (%d): op %u lba %lu, %u sectors\n", rc, r->op,
			r->lba, r->nsec);
		cnt.refused++;
		r->state = R_FREE;
		if (r->op != BLKDISK_FLUSH)
			memset(&locked[r->lba], 0, r->nsec);
	}
}

/* Every ready request, with one doorbell for all (the same batching as
 * blkback's, so the baseline keeps the driver's best). */
static void submit_ready(void)
{
	bd.plug(bd.ctx, 1);
	submit_batch();
	bd.plug(bd.ctx, 0);
}

static void wait_for_completions(void)
{
	if (bd.poll(bd.ctx, done, 0))
		return;
	if (bd.irq_port > 0) {
		rt_wait_event(5000000ull);          /* an interrupt, or look at timeouts */
		rt_events_take();
	} else {
		hv_yield();
	}
}

static void run(int (*gen)(struct req *))
{
	int finished = 0;

	for (;;) {
		for (unsigned i = 0; i < qd && !finished; i++) {
			if (reqs[i].state != R_FREE)
				continue;
			int rc = gen(&reqs[i]);
			if (rc < 0)
				finished = 1;
			if (rc <= 0)
				break;
			prepare(&reqs[i]);
			reqs[i].state = R_READY;
		}
		submit_ready();
		int ready = 0;
		for (unsigned i = 0; i < qd; i++)
			ready |= reqs[i].state == R_READY;
		if (finished && !inflight && !ready)
			return;
		wait_for_completions();
	}
}

/* bench=randread|seqread|seqwrite ops=N bs=BYTES: N requests of bs bytes
 * at queue depth qd, timed on hv_time(). */
static void bench(const char *kind)
{
	uint64_t ops = rt_arg_u64("ops", 10000), bs = rt_arg_u64("bs", 4096);

	g.bench = !strcmp(kind, "randread") ? BENCH_RANDREAD : !strcmp(kind, "seqread") ?
		  BENCH_SEQREAD : !strcmp(kind, "seqwrite") ? BENCH_SEQWRITE : BENCH_NONE;
	if (!g.bench || bs < 512 || bs % 512 || bs > MAXBYTES || bs / 512 > region || !ops)
		rt_fail("bench=randread|seqread|seqwrite, bs multiple of 512 up to %u", MAXBYTES);
	g.max = (uint32_t)bs;
	g.count = ops;
	g.cursor = 0;
	uint64_t t0 = hv_time();
	run(gen_bench);
	uint64_t ns = hv_time() - t0;
	uint64_t kiops = ops * 1000000000000ull / (ns ? ns : 1);    /* I/O per 1000 s */
	uint64_t kbps = ops * bs * 1000000ull / (ns ? ns : 1);       /* KB/s (10^3) */
	gprintf("diskself: bench %s bs %lu qd %u: ops=%lu us=%lu iops=%lu.%03lu mbps=%lu.%03lu "
		"failed=%lu\n", kind, bs, qd, ops, ns / 1000, kiops / 1000, kiops % 1000,
		kbps / 1000, kbps % 1000, cnt.eio);
}

/* ---- error statuses and refused requests ---- */

static void raw_done(void *arg, uint64_t cookie, int status)
{
	*(int *)arg = status == BLKDISK_OK ? 1 : status;
}

/* A one-block-group read of nsid at slba straight through the driver. */
static int raw_read(struct nvme_disk *nd, uint32_t nsid, uint64_t slba)
{
	struct blkdisk_seg seg = { (uintptr_t)bufs[0], 4096 };
	struct nvme_io io = { .opc = NVME_CMD_READ, .nsid = nsid, .slba = slba, .nlb = 8,
			      .nseg = 1, .seg = &seg };
	int fin = 0, rc = nvme_disk_submit(nd, 0, &io);

	if (rc)
		return rc;
	while (!fin)                    /* bounded: the command's timeout ends it */
		if (!bd.poll(bd.ctx, raw_done, &fin))
			hv_yield();
	return fin == 1 ? 0 : fin;
}

static void expect(int cond, const char *what)
{
	if (!cond) {
		gprintf("diskself: CHECK FAILED: %s\n", what);
		cnt.bad++;
	}
}

static int refused(struct blkdisk_io *io)
{
	return bd.submit(bd.ctx, io) == BLKDISK_EINVAL;
}

static void error_checks(struct nvme_disk *nd)
{
	uint64_t errs = nd->st.errors, b = (uintptr_t)bufs[0];
	struct blkdisk_io io = { .op = BLKDISK_READ, .lba = bd.sectors - 4, .nseg = 1,
				 .seg = { { b, 4096 } } };

	/* QEMU: namespace 2 is valid but not attached (invalid field), 1000 is
	 * past its namespace limit (invalid namespace) */
	expect(raw_read(nd, 2, 0) == BLKDISK_EIO, "a read of namespace 2 fails");
	expect(raw_read(nd, 1000, 0) == BLKDISK_EIO, "a read of namespace 1000 fails");
	expect(raw_read(nd, 1, bd.sectors - 4) == BLKDISK_EIO, "a read past the end fails");
	expect(nd->st.errors == errs + 3, "the error statuses counted");
	expect(raw_read(nd, 1, 0) == 0, "a good read still works");
	expect(refused(&io), "past the end refused");
	io.lba = 0;
	io.op = 9;
	expect(refused(&io), "unknown op refused");
	io.op = BLKDISK_FLUSH;
	expect(refused(&io), "flush with a segment refused");
	io.op = BLKDISK_WRITE;
	io.nseg = 2;
	io.seg[0].len = 512;
	io.seg[1] = (struct blkdisk_seg){ b + 4096, 512 };
	expect(refused(&io), "a gap PRPs cannot describe refused");
	io.nseg = 1;
	io.seg[0] = (struct blkdisk_seg){ b + 3584, 1024 };
	expect(refused(&io), "a segment crossing its page refused");
	io.seg[0] = (struct blkdisk_seg){ b, 100 };
	expect(refused(&io), "a length not a multiple of 512 refused");
	io.nseg = BLKDISK_MAX_SEGS + 1;
	expect(refused(&io), "too many segments refused");
	gprintf("diskself: errors: reads of namespaces 2 and 1000 and past the end failed with "
		"their status; malformed requests refused\n");
}

int main(void)
{
	struct nvme_disk_cfg cfg = { .timeout_ms = (uint32_t)rt_arg_u64("timeout_ms", 0),
				     .poll_only = (uint8_t)rt_arg_u64("poll", 0) };

	rng = rt_arg_u64("seed", 1) * 0x9e3779b97f4a7c15ull | 1;
	if (nvme_blkdisk_init(&bd, 0, &cfg))
		rt_fail("no disk");
	struct nvme_disk *nd = nvme_blkdisk_driver(&bd);
	qd = (unsigned)rt_arg_u64("qd", 8);
	region = rt_arg_u64("region", bd.sectors);
	g.min = (uint32_t)rt_arg_u64("min", 512) & ~511u;
	g.max = (uint32_t)rt_arg_u64("max", MAXBYTES) & ~511u;
	if (qd < 1 || qd > MAXQD || qd > bd.depth || region > bd.sectors || region > MODEL_MAX ||
	    g.min < 512 || g.max > MAXBYTES || g.min > g.max || g.max / 512 > region)
		rt_fail("bad arguments: qd 1..%u, region <= %lu sectors, 512 <= min <= max <= %u",
			bd.depth < MAXQD ? bd.depth : MAXQD, bd.sectors, MAXBYTES);
	gprintf("diskself: %lu sectors, region %lu, qd %u, sizes %u..%u, %s\n", bd.sectors, region,
		qd, g.min, g.max, bd.irq_port > 0 ? "interrupts" : "polling");
	g.lose = nd->lose_cqe = (unsigned)rt_arg_u64("lose", 0);
	char kind[16];
	if (rt_arg_str("bench", kind, sizeof(kind))) {
		bench(kind);
		nvme_blkdisk_stop(&bd);
		return cnt.eio || cnt.bad || cnt.refused ? 1 : 0;
	}
	if (rt_arg_u64("errors", 0))
		error_checks(nd);
	if (rt_arg_u64("sweep", 1)) {
		g.size = g.min;
		g.cursor = 0;
		run(gen_sweep);
		gprintf("diskself: sweep: every size %u..%u written and read back: %lu sectors "
			"verified, %lu bad; %lu commands used PRP lists\n", g.min, g.max, cnt.verified,
			cnt.bad, nd->st.prp_lists);
		expect(nd->st.prp_lists || g.max <= 8192, "commands over two pages used PRP lists");
		expect(cnt.fua && cnt.flushes, "the sweep issued FUA writes and flushes");
	}
	g.count = rt_arg_u64("count", 0);
	g.rd = (unsigned)rt_arg_u64("read", 50);
	g.wr = (unsigned)rt_arg_u64("write", 45);
	g.fua = (unsigned)rt_arg_u64("fua", 20);
	run(gen_random);
	g.cursor = 0;
	run(gen_readall);
	nvme_blkdisk_stop(&bd);
	uint64_t want_eio = rt_arg_u64("eio", 0);
	gprintf("diskself: %lu writes (%lu FUA), %lu reads, %lu flushes; %lu sectors verified, "
		"%lu bad, %lu failed, %lu refused\n", cnt.writes, cnt.fua, cnt.reads, cnt.flushes,
		cnt.verified, cnt.bad, cnt.eio, cnt.refused);
	gprintf("diskself: nvme: %lu error statuses, %lu timeouts, %lu resets (%lu completed "
		"while one waited), %lu stray\n", nd->st.errors, nd->st.timeouts, nd->st.resets,
		nd->st.drained_quiesced, nd->st.stray);
	/* How many others were still in flight when the timeout was seen
	 * depends on timing (none, on a busy host), so it is printed, not
	 * required; the per-command deadlines are unit-tested (test_nvme.c). */
	if (nd->lose_cqe || (g.lose && (nd->st.timeouts != 1 || nd->st.resets != 1))) {
		gprintf("diskself: CHECK FAILED: the lost completion is one timeout and one "
			"reset\n");
		cnt.bad++;
	}
	int ok = !cnt.bad && cnt.eio == want_eio && !cnt.refused && cnt.verified;
	gprintf("diskself: %s\n", ok ? "all checks passed" : "FAILED");
	return ok ? 0 : 1;
}
