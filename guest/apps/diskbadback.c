/*
 * A hostile disk backend for one client (client=NAME, running blkfront, e.g.
 * diskverify). On each of its first five connections it takes the client's
 * requests and answers the first one wrongly: an invented id, response
 * indices running ahead of the requests, the wrong op, the wrong length, an
 * id of the client's previous connection. blkfront must refuse each answer,
 * drop the connection, offer a new one and send the same requests again.
 * Then it serves the client honestly: blkback over a RAM disk of sectors=
 * sectors (default 1024) in its own memory, so the client finishes its
 * workload and checks every sector it was acknowledged.
 */
#include "backend/blkback.h"
#include "guest/hostile/hostile.h"
#include "public/io/blkif.h"
#include "public/ring.h"
#include "rt/channel.h"
#include "rt/rt.h"

#define RING_GPA   0x20000000ull
#define RAM_MAX    2048                 /* sectors */
#define RAM_DEPTH  16

/* Waits for the client: 4000 looks, 2 ms apart. */
static struct hostile_back hb = { .devid = BLKIF_REG_DEVID, .slot_size = BLKIF_SLOT_SIZE,
				  .ring_gpa = RING_GPA, .polls = 4000, .poll_ns = 2000000ull,
				  .port = -1 };

static unsigned refused;            /* bad answers the client dropped us for */

/* Wait until the client closes its end (a few seconds of our time at most),
 * then let go of the ring. */
static void await_drop(void)
{
	int dropped = hostile_back_await_close(&hb);
	refused += dropped;
	gprintf("diskbadback: %s (port status %ld)\n", dropped ? "client dropped the connection" :
		"CLIENT KEPT THE CONNECTION: it took the bad answer", (long)hv_evtchn_status((uint32_t)hb.port));
	hostile_back_release(&hb);
}

static const char *const ways[] = { "an invented id", "response indices ahead of the requests",
				    "the wrong op", "the wrong length", "an earlier connection's id" };

static void bad_round(unsigned k)
{
	struct blkif_request r;

	switch (hostile_back_accept(&hb)) {
	case -1: rt_fail("diskbadback: no offer from the client");
	case -2: rt_fail("diskbadback: bad offer");
	}
	if (hostile_back_first_request(&hb, &r))
		rt_fail("diskbadback: no request from the client");
	struct blkif_response rsp = { .id = r.id, .op = r.op,
				      .nr_sectors = blkif_request_sectors(&r) };
	switch (k) {
	case 0: rsp.id = BLKIF_ID(BLKIF_ID_CONN(r.id), 77, 30); break;
	case 1: break;
	case 2: rsp.op = r.op == BLKIF_OP_READ ? BLKIF_OP_WRITE : BLKIF_OP_READ; break;
	case 3: rsp.nr_sectors += 8; break;
	case 4: rsp.id = BLKIF_ID(BLKIF_ID_CONN(r.id) - 1, BLKIF_ID_SEQ(r.id), BLKIF_ID_SLOT(r.id)); break;
	}
	if (k == 1) {                   /* more answers than requests were sent */
		ring_store(&hb.ring.s->rsp_prod, ring_load(&hb.ring.s->req_prod) + 1);
	} else {
		*(struct blkif_response *)ring_back_next_rsp(&hb.ring) = rsp;
		ring_back_push(&hb.ring);
	}
	hv_evtchn_send((uint32_t)hb.port);
	gprintf("diskbadback: round %u: answered with %s\n", k + 1, ways[k]);
	await_drop();
}

/* ---- the honest part: blkback over a RAM disk ---- */

static uint8_t ram[RAM_MAX * 512];
static uint8_t bufs[BLKBACK_BUFS_BYTES] __attribute__((aligned(4096)));
static struct blkdisk_io queue[RAM_DEPTH];
static unsigned queued;

static int ram_submit(void *ctx, const struct blkdisk_io *io)
{
	struct blkdisk *d = ctx;
	uint64_t bytes = 0;

	for (unsigned i = 0; i < io->nseg; i++)
		bytes += io->seg[i].len;
	if ((io->op == BLKDISK_FLUSH) != (io->nseg == 0) || io->nseg > BLKDISK_MAX_SEGS ||
	    io->lba > d->sectors || bytes / 512 > d->sectors - io->lba)
		return BLKDISK_EINVAL;
	if (queued == RAM_DEPTH)
		return BLKDISK_EBUSY;
	queue[queued++] = *io;
	return BLKDISK_OK;
}

static int ram_poll(void *ctx, blkdisk_done_fn done, void *arg)
{
	int n = (int)queued;

	(void)ctx;
	for (unsigned k = 0; k < queued; k++) {
		const struct blkdisk_io *io = &queue[k];
		uint8_t *at = ram + io->lba * 512;
		for (unsigned i = 0; i < io->nseg; i++) {
			void *buf = (void *)(uintptr_t)io->seg[i].dma;
			if (io->op == BLKDISK_READ)
				memcpy(buf, at, io->seg[i].len);
			else
				memcpy(at, buf, io->seg[i].len);
			at += io->seg[i].len;
		}
	}
	queued = 0;
	for (unsigned k = 0; k < (unsigned)n; k++)
		done(arg, queue[k].cookie, BLKDISK_OK);
	return n;
}

static void serve_honestly(uint64_t sectors)
{
	static struct blkdisk disk;
	static struct blkback bb;

	disk = (struct blkdisk){ &disk, sectors, RAM_DEPTH, ram_submit, ram_poll, -1, 0 };
	if (blkback_init(&bb, &disk, bufs, (uint64_t)(uintptr_t)bufs) ||
	    blkback_add_client(&bb, hb.client, 0, sectors))
		rt_fail("diskbadback: blkback set-up failed");
	gprintf("diskbadback: now serving honestly (%lu sectors of RAM)\n", sectors);
	for (;;) {
		rt_wait_event(bb.inflight ? 0 : 5000000ull);
		uint64_t ev = rt_events_take();
		while (blkback_poll(&bb, ev) > 0)
			ev = 0;
	}
}

int main(void)
{
	uint64_t sectors = rt_arg_u64("sectors", 1024);

	hb.client = (uint32_t)rt_peer_id("client");
	if (sectors > RAM_MAX)
		rt_fail("diskbadback: sectors= at most %u", RAM_MAX);
	for (unsigned k = 0; k < sizeof(ways) / sizeof(ways[0]); k++)
		bad_round(k);
	gprintf("diskbadback: %u of %u bad answers refused\n", refused,
		(unsigned)(sizeof(ways) / sizeof(ways[0])));
	serve_honestly(sectors);
	return 0;
}
