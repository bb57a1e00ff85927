/*
 * blkback (backend/blkback.h). Each client has a guest-physical window
 * (BLKBACK_MAP_BASE + index * BLKBACK_MAP_SPAN): page 0 is its ring, pages
 * 1..BLKBACK_MAPS its data pages, mapped on first use and kept until it
 * disconnects. An in-flight request owns as many pages of the DMA buffers
 * as its sectors need (bb_req.buf); the segments' sectors are packed there
 * in order, so the disk sees whole pages but the last.
 *
 * A client that disconnects with requests at the disk is not connected again
 * until they have all completed: an old write finishing after a replayed or
 * newer one would otherwise overwrite it.
 */
#include "backend/blkback.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"

/* A connected client's port status is looked at every STATUS_EVERY polls
 * even without a notification: a death or close whose notification came
 * in a poll that also took requests (or was not handed to us at all) is
 * noticed anyway, should the shared page's evtchn_gone hint be lost (the
 * guest can write its own page). */
#define STATUS_EVERY 256

static uint64_t window(const struct blkback *bb, const struct bb_client *c)
{
	return BLKBACK_MAP_BASE + (uint64_t)(c - bb->c) * BLKBACK_MAP_SPAN;
}

/* Give back the slot a request was taken into (answered without the disk,
 * or its client gone before it reached the disk). */
static void release(struct blkback *bb, unsigned k)
{
	bb->req_free |= 1u << k;
}

static void announce(struct blkback *bb, struct bb_client *c)
{
	/* A restarted incarnation says Reconnecting: clients re-offer their rings. */
	struct reg_entry me = { bb->generation > 1 ? REG_RECONNECTING : REG_INITIALISING, 0, 0, 0 };

	hv_reg_write(c->domid, BLKIF_REG_DEVID, &me);
}

int blkback_init(struct blkback *bb, struct blkdisk *disk, uint8_t *bufs, uint64_t bufs_dma)
{
	struct hv_self_info self;

	memset(bb, 0, sizeof(*bb));
	if (!disk || !bufs || (bufs_dma & 4095) || !disk->depth)
		return -1;
	bb->disk = disk;
	bb->bufs = bufs;
	bb->bufs_dma = bufs_dma;
	bb->depth = disk->depth < BLKBACK_INFLIGHT ? disk->depth : BLKBACK_INFLIGHT;
	for (unsigned i = 0; i < BLKBACK_BUF_PAGES / 64; i++)
		bb->buf_free[i] = ~0ull;
	bb->req_free = BLKBACK_INFLIGHT == 32 ? ~0u : (1u << BLKBACK_INFLIGHT) - 1;
	bb->generation = hv_self_info(&self) ? 1 : (uint32_t)self.generation;
	return 0;
}

int blkback_add_client(struct blkback *bb, uint32_t domid, uint64_t start, uint64_t size)
{
	if (bb->n == BLKBACK_CLIENTS)
		return BLKBACK_ETOOMANY;
	if (!size || start >= bb->disk->sectors || size > bb->disk->sectors - start)
		return BLKBACK_ERANGE;
	/* A shared sector would let one client read or overwrite another's data. */
	for (unsigned i = 0; i < bb->n; i++) {
		if (bb->c[i].domid == domid)
			return BLKBACK_EDUP;
		if (start < bb->c[i].start + bb->c[i].size && bb->c[i].start < start + size)
			return BLKBACK_EOVERLAP;
	}
	struct bb_client *c = &bb->c[bb->n++];
	memset(c, 0, sizeof(*c));
	c->domid = domid;
	c->start = start;
	c->size = size;
	c->port = -1;
	announce(bb, c);
	return 0;
}

const char *blkback_add_error(int err)
{
	switch (err) {
	case BLKBACK_ETOOMANY: return "too many clients";
	case BLKBACK_ERANGE: return "slice empty or not inside the disk";
	case BLKBACK_EOVERLAP: return "slice overlaps an earlier client's";
	case BLKBACK_EDUP: return "domain named twice";
	}
	return "unknown error";
}

unsigned blkback_connected(const struct blkback *bb)
{
	unsigned n = 0;

	for (unsigned i = 0; i < bb->n; i++)
		n += bb->c[i].connected;
	return n;
}

static uint64_t map_gpa(struct blkback *bb, struct bb_client *c, unsigned i)
{
	return window(bb, c) + (uint64_t)(i + 1) * 4096;    /* page 0: the ring */
}

#define MAP_FAIL (-1)                   /* no such grant, or not for this access */
#define MAP_WAIT (-2)                   /* its upgrade must wait for the disk */

/* The maps[] index of the page behind gref, mapped (and cached) in the
 * client's window; writable only when asked for (a read request). A
 * read-only mapping that must now be written is mapped again writable in its
 * place (back read-only if the grant does not allow it), but not while the
 * disk may be reading through it (MAP_WAIT): unmapped under the device's
 * DMA, the page would fault and kill this domain. */
static int map(struct blkback *bb, struct bb_client *c, uint32_t gref, int writable)
{
	unsigned i, hole = BLKBACK_MAPS;

	if (gref >= GRANT_MAX)
		return MAP_FAIL;                /* no such grant (the hypervisor would say so) */
	/* The cached mapping straight from map_of (every request looks its
	 * pages up); a hole is searched for only when the page is new. */
	i = c->map_of[gref] ? c->map_of[gref] - 1u : c->nmaps;
	if (i >= c->nmaps || !c->maps[i].mapped || c->maps[i].gref != gref) {
		i = c->nmaps;
		for (unsigned k = 0; k < c->nmaps && hole == BLKBACK_MAPS; k++)
			if (!c->maps[k].mapped)
				hole = k;
	}
	uint64_t gpa = map_gpa(bb, c, i);
	if (i < c->nmaps) {
		if (c->maps[i].writable || !writable)
			return (int)i;
		if (c->maps[i].busy)
			return MAP_WAIT;
		hv_grant_unmap(gpa);
		if (!hv_grant_map(c->domid, gref, gpa, 0)) {
			c->maps[i].writable = 1;
			return (int)i;
		}
		c->maps[i].mapped = !hv_grant_map(c->domid, gref, gpa, GRANT_READONLY);
		return MAP_FAIL;
	}
	if (hole == BLKBACK_MAPS) {
		if (c->nmaps == BLKBACK_MAPS)
			return MAP_FAIL;
		hole = c->nmaps++;
	}
	gpa = map_gpa(bb, c, hole);
	if (hv_grant_map(c->domid, gref, gpa, writable ? 0 : GRANT_READONLY)) {
		c->maps[hole].mapped = 0;
		return MAP_FAIL;
	}
	c->maps[hole] = (struct bb_map){ gref, (uint8_t)writable, 1, 0 };
	c->map_of[gref] = (uint8_t)(hole + 1);
	return (int)hole;
}

static void unmap_all(struct blkback *bb, struct bb_client *c)
{
	for (unsigned i = 0; i < c->nmaps; i++)
		if (c->maps[i].mapped)
			hv_grant_unmap(map_gpa(bb, c, i));
	c->nmaps = 0;
	memset(c->map_of, 0, sizeof(c->map_of));
	c->unmap_pending = 0;
}

static void disconnect(struct blkback *bb, struct bb_client *c, const char *why)
{
	gprintf("blkback: client %u disconnected: %s (%u requests at the disk)\n", c->domid, why,
		c->inflight);
	/* The disk may still DMA to the pages of requests it holds: they stay
	 * mapped until the last completes (try_connect waits for it too). */
	if (c->inflight)
		c->unmap_pending = 1;
	else
		unmap_all(bb, c);
	if (c->connected)
		hv_grant_unmap(window(bb, c));
	if (c->port > 0)
		hv_evtchn_close((uint32_t)c->port);
	c->port = -1;
	c->connected = 0;
	if (c->held)
		release(bb, (unsigned)c->held - 1u);    /* taken off the ring, never sent */
	c->held = 0;
	c->must_push = 0;
	c->conn++;                      /* its completions still at the disk are dropped */
	c->offer_gen = c->offer_gref = ~0u;
	bb->stats.disconnects++;
	announce(bb, c);
}

static void try_connect(struct blkback *bb, struct bb_client *c)
{
	struct reg_entry fe;

	if (c->inflight)
		return;                         /* the old connection's requests first */
	if (hv_reg_read(c->domid, BLKIF_REG_DEVID, &fe) || fe.state != REG_INITIALISING)
		return;
	/* A failed offer is tried again at every poll (a few hypercalls): a
	 * frontend's next offer may carry the same grant and port numbers, and
	 * an offer left over from our previous incarnation fails until the
	 * frontend has noticed and offered again. It is reported once. */
	int quiet = fe.generation == c->offer_gen && fe.gref == c->offer_gref;
	c->offer_gen = fe.generation;
	c->offer_gref = fe.gref;
	uint64_t ring = window(bb, c);
	int64_t rc = hv_grant_map(c->domid, fe.gref, ring, 0);
	if (rc) {
		if (!quiet)
			gprintf("blkback: client %u: cannot map its ring (gref %u): %ld\n", c->domid,
				fe.gref, (long)rc);
		return;
	}
	int64_t port = hv_evtchn_bind(c->domid, fe.port);
	if (port < 0 || ring_back_attach(&c->ring, (void *)(uintptr_t)ring, BLKIF_SLOT_SIZE)) {
		if (!quiet)
			gprintf("blkback: client %u: bad offer (port %u: %ld)\n", c->domid, fe.port,
				(long)port);
		if (port > 0)
			hv_evtchn_close((uint32_t)port);
		hv_grant_unmap(ring);
		return;
	}
	c->port = (int)port;
	c->connected = 1;
	struct reg_entry me = { REG_CONNECTED, 0, (uint32_t)port, 0 };
	hv_reg_write(c->domid, BLKIF_REG_DEVID, &me);
	bb->stats.connects++;
	gprintf("blkback: client %u connected (ring gref %u, sectors %lu+%lu)\n", c->domid,
		fe.gref, (unsigned long)c->start, (unsigned long)c->size);
}

static FI_NOIPA void respond(struct bb_client *c, const struct blkif_request *r, int status, uint32_t sectors)
{
	struct blkif_response *p = ring_back_next_rsp(&c->ring);

	if (p) {
		*p = (struct blkif_response){ .id = r->id, .op = r->op, .status = (int16_t)status,
					      .nr_sectors = status == BLKIF_OK ? sectors : 0 };
		FI_SITE(proto_garbage, p);      /* site faults: faultinject/diskfaults.c */
		FI_SITE(proto_badid, p);
		c->must_push = 1;
	}
}

/* Take the buffer pages q's sectors need: 0, or -1 (none taken) when too
 * few are free (the request waits, as for a full disk). */
static int take_bufs(struct blkback *bb, struct bb_req *q)
{
	unsigned need = (q->sectors + BLKIF_SECTORS_PER_PAGE - 1) / BLKIF_SECTORS_PER_PAGE;

	q->nbuf = 0;
	for (unsigned i = 0; i < BLKBACK_BUF_PAGES / 64 && q->nbuf < need; i++) {
		for (uint64_t v = bb->buf_free[i]; v && q->nbuf < need; v &= v - 1)
			q->buf[q->nbuf++] = (uint16_t)(i * 64 + (unsigned)__builtin_ctzll(v));
	}
	if (q->nbuf < need) {
		q->nbuf = 0;
		return -1;
	}
	for (unsigned b = 0; b < q->nbuf; b++)
		bb->buf_free[q->buf[b] / 64] &= ~(1ull << (q->buf[b] % 64));
	return 0;
}

static void put_bufs(struct blkback *bb, struct bb_req *q)
{
	for (unsigned b = 0; b < q->nbuf; b++)
		bb->buf_free[q->buf[b] / 64] |= 1ull << (q->buf[b] % 64);
	q->nbuf = 0;
}

/* Byte 'off' of q's packed data in the DMA buffers. */
static uint8_t *buf_at(struct blkback *bb, const struct bb_req *q, size_t off)
{
	return bb->bufs + (size_t)q->buf[off / 4096] * 4096 + off % 4096;
}

/* Copy whole 64-byte blocks (the lengths are multiples of 512, the pages
 * aligned). Under TCG a loop pass costs a jump between translated blocks,
 * so eight words a pass copy faster than one (and several times faster
 * than rep movsb). The source is read through volatile, each word once:
 * it may be a client's page. */
static void copy_words(void *dst, const void *src, size_t n)
{
	uint64_t *d = dst;
	const volatile uint64_t *s = src;

	for (size_t i = 0; i < n / 8; i += 8) {
		uint64_t w0 = s[i], w1 = s[i + 1], w2 = s[i + 2], w3 = s[i + 3];
		uint64_t w4 = s[i + 4], w5 = s[i + 5], w6 = s[i + 6], w7 = s[i + 7];
		d[i] = w0, d[i + 1] = w1, d[i + 2] = w2, d[i + 3] = w3;
		d[i + 4] = w4, d[i + 5] = w5, d[i + 6] = w6, d[i + 7] = w7;
	}
}

/* Copy between the mapped segments and the request's DMA buffer pages (a
 * segment's sectors may straddle two of them). A write's data is read from
 * the client's page exactly once, here. */
static void copy_segments(struct blkback *bb, struct bb_req *q, int to_pages)
{
	size_t off = 0;

	for (unsigned i = 0; i < q->r.nr_segs; i++) {
		const struct blkif_segment *s = &q->r.seg[i];
		size_t n = (size_t)(s->last_sect - s->first_sect + 1) * BLKIF_SECTOR_SIZE;
		uint8_t *pg = q->page[i] + (size_t)s->first_sect * BLKIF_SECTOR_SIZE;
		while (n) {
			size_t run = 4096 - off % 4096 < n ? 4096 - off % 4096 : n;
			if (to_pages)
				copy_words(pg, buf_at(bb, q, off), run);
			else
				copy_words(buf_at(bb, q, off), pg, run);   /* each word read once */
			pg += run;
			off += run;
			n -= run;
		}
	}
}

#define SEGS_WAIT 1                     /* not a BLKIF_* status (those are <= 0) */

/* Map every segment of a checked request: BLKIF_OK, BLKIF_ERR_GRANT, or
 * SEGS_WAIT (try again once the disk has completed more). */
static int map_segments(struct blkback *bb, struct bb_client *c, struct bb_req *q)
{
	for (unsigned i = 0; i < q->r.nr_segs; i++) {
		int k = map(bb, c, q->r.seg[i].gref, q->r.op == BLKIF_OP_READ);
		if (k == MAP_WAIT)
			return SEGS_WAIT;
		if (k < 0)
			return BLKIF_ERR_GRANT;
		q->slot[i] = (uint8_t)k;
		q->page[i] = (uint8_t *)(uintptr_t)map_gpa(bb, c, (unsigned)k);
	}
	return BLKIF_OK;
}

/* Whether q's segments are one run through pages, which every disk takes as
 * they are (backend/blkdisk.h): the first may start inside its page but must
 * run to its end when more follow, the middle ones are whole pages, the last
 * starts at its page's start. */
static int direct_ok(const struct bb_req *q)
{
	unsigned n = q->r.nr_segs;

	for (unsigned i = 0; i < n; i++) {
		const struct blkif_segment *s = &q->r.seg[i];
		if ((i > 0 && s->first_sect != 0) ||
		    (i + 1 < n && s->last_sect != BLKIF_SECTORS_PER_PAGE - 1))
			return 0;
	}
	return n > 0;
}

/* A zero-copy request holds its mappings (no upgrade, no unmap) while at
 * the disk. Only a write's can need it: a read's mappings are all writable
 * already (map() returns no other for a read), and a writable mapping is
 * never replaced, and unmapped only once nothing is at the disk (unmap_all). */
static void hold_maps(struct bb_client *c, const struct bb_req *q, int on)
{
	if (q->r.op == BLKIF_OP_READ)
		return;
	for (unsigned i = 0; i < q->r.nr_segs; i++)
		c->maps[q->slot[i]].busy += on ? 1 : -1;
}

/* Hand a checked request to the disk: 0, or BLKDISK_EBUSY (try again later),
 * or another error to answer with. */
static int submit(struct blkback *bb, struct bb_client *c, unsigned k)
{
	struct bb_req *q = &bb->req[k];
	struct blkdisk_io io;

	/* Field by field: zeroing all BLKDISK_MAX_SEGS segments would cost
	 * more than the rest of the request (the disk reads only nseg). */
	io.cookie = k;
	io.lba = 0;
	io.op = BLKDISK_FLUSH;
	io.fua = 0;
	io.nseg = 0;
	if (q->r.op != BLKIF_OP_FLUSH) {
		io.op = q->r.op == BLKIF_OP_READ ? BLKDISK_READ : BLKDISK_WRITE;
		io.fua = (q->r.flags & BLKIF_F_FUA) != 0;
		io.lba = c->start + q->r.sector;
		if (q->direct) {
			/* The backend runs identity-mapped: a mapped page's address
			 * is its guest-physical address, its DMA address. */
			for (unsigned i = 0; i < q->r.nr_segs; i++) {
				const struct blkif_segment *s = &q->r.seg[i];
				io.seg[io.nseg++] = (struct blkdisk_seg){
					(uint64_t)(uintptr_t)q->page[i] + s->first_sect * BLKIF_SECTOR_SIZE,
					(uint32_t)(s->last_sect - s->first_sect + 1) * BLKIF_SECTOR_SIZE };
			}
			return bb->disk->submit(bb->disk->ctx, &io);
		}
		uint32_t bytes = q->sectors * BLKIF_SECTOR_SIZE;
		for (uint32_t off = 0; off < bytes; off += 4096)
			io.seg[io.nseg++] = (struct blkdisk_seg){ bb->bufs_dma + (uint64_t)q->buf[off / 4096] * 4096,
								  bytes - off < 4096 ? bytes - off : 4096 };
		if (q->r.op == BLKIF_OP_WRITE)
			copy_segments(bb, q, 0);
	}
	return bb->disk->submit(bb->disk->ctx, &io);
}

/* The part of a request its nr_segs uses: the 24-byte header and the
 * segments (the header's nr_segs, at most BLKIF_MAX_SEGS), in 8-byte words;
 * the rest of the slot is never looked at. 'src' may be the shared slot:
 * each word is read once. */
static void copy_used(struct blkif_request *dst, const volatile void *src)
{
	const volatile uint64_t *s = src;
	uint8_t *d = (uint8_t *)dst;
	unsigned w = 0, words = 3;

	for (; w < words; w++) {
		uint64_t v = s[w];
		__builtin_memcpy(d + w * 8, &v, 8);
		if (w == 2) {
			unsigned segs = dst->nr_segs < BLKIF_MAX_SEGS ? dst->nr_segs : BLKIF_MAX_SEGS;
			words = 3 + (segs + 1) / 2;
		}
	}
}
_Static_assert(offsetof(struct blkif_request, seg) == 24 && sizeof(struct blkif_segment) == 4,
	       "copy_used: three header words, two segments a word");

/* The request held in req[k] (taken off c's ring into it, the slot reserved):
 * answered at once if bad (the slot given back), else sent to the disk.
 * Returns 0, or -1 when the disk has no room (it stays held). */
static int handle_request(struct blkback *bb, struct bb_client *c, unsigned k)
{
	struct bb_req *q = &bb->req[k];
	const struct blkif_request *r = &q->r;
	int st = blkif_request_check_sectors(r, c->size, &q->sectors);

	if (st) {
		st == BLKIF_ERR_RANGE ? bb->stats.range_errors++ : bb->stats.bad_requests++;
		respond(c, r, st, 0);
		release(bb, k);
		return 0;
	}
	if (bb->inflight >= bb->depth)
		return -1;
	q->client = (unsigned)(c - bb->c);
	q->conn = c->conn;
	q->nbuf = 0;
	q->direct = 0;
	if ((st = map_segments(bb, c, q)) == SEGS_WAIT) {
		bb->stats.map_waits++;
		return -1;
	}
	if (st != BLKIF_OK) {
		bb->stats.grant_errors++;
		respond(c, r, st, 0);
		release(bb, k);
		return 0;
	}
	q->direct = r->op != BLKIF_OP_FLUSH && direct_ok(q);
	if (!q->direct && take_bufs(bb, q)) {
		bb->stats.disk_busy++;          /* buffers run out before slots: wait the same way */
		return -1;
	}
	int rc = submit(bb, c, (unsigned)k);
	if (rc)
		put_bufs(bb, q);
	if (rc == BLKDISK_EBUSY) {
		bb->stats.disk_busy++;
		return -1;
	}
	if (rc) {
		bb->stats.io_errors++;
		respond(c, r, BLKIF_ERR_IO, 0);
		release(bb, k);
		return 0;
	}
	q->used = 1;
	bb->inflight++;
	c->inflight++;
	if (q->direct)
		hold_maps(c, q, 1);
	if (r->op != BLKIF_OP_FLUSH)
		q->direct ? bb->stats.direct++ : bb->stats.copied++;
	return 0;
}

/* Take requests while the disk has room; ring violations disconnect. A
 * request is copied off the ring once, straight into a free slot (reserved
 * for it until answered or completed); with no slot free it stays on the
 * ring until a completion frees one. */
static int serve(struct blkback *bb, struct bb_client *c)
{
	int n = 0, done = 0;

	for (;;) {
		if (c->held) {
			if (handle_request(bb, c, c->held - 1u))
				return done;            /* disk full: stays held */
			c->held = 0;
			done++;
		}
		/* The index is read again only once what it showed is taken. */
		if ((n <= 0 && (n = ring_back_final_check(&c->ring)) <= 0) || !bb->req_free)
			break;
		n--;
		unsigned k = (unsigned)__builtin_ctz(bb->req_free);
		bb->req_free &= ~(1u << k);
		bb->stats.requests++;
		copy_used(&bb->req[k].r, ring_slot(c->ring.s, c->ring.slot_size, c->ring.nslots,
						   c->ring.req_cons++));
		c->held = (int)k + 1;
	}
	if (n < 0)
		disconnect(bb, c, "ring protocol violation");
	return done;
}

static void completed(void *arg, uint64_t cookie, int status)
{
	struct blkback *bb = arg;

	if (cookie >= BLKBACK_INFLIGHT || !bb->req[cookie].used)
		return;                         /* the disk's bug: nothing of ours */
	struct bb_req *q = &bb->req[cookie];
	struct bb_client *c = &bb->c[q->client];
	q->used = 0;
	bb->req_free |= 1u << cookie;
	bb->inflight--;
	c->inflight--;
	if (q->direct)
		hold_maps(c, q, 0);
	if (q->conn != c->conn || !c->connected) {
		put_bufs(bb, q);
		bb->stats.stale_completions++;  /* that connection is gone */
		if (!c->inflight && c->unmap_pending)
			unmap_all(bb, c);       /* its pages now too */
		return;
	}
	if (status != BLKDISK_OK) {
		put_bufs(bb, q);
		bb->stats.io_errors++;
		respond(c, &q->r, BLKIF_ERR_IO, 0);
		return;
	}
	if (q->r.op == BLKIF_OP_READ && !q->direct)
		copy_segments(bb, q, 1);
	put_bufs(bb, q);
	bb->stats.reads += q->r.op == BLKIF_OP_READ;
	bb->stats.writes += q->r.op == BLKIF_OP_WRITE;
	bb->stats.flushes += q->r.op == BLKIF_OP_FLUSH;
	bb->stats.fua += (q->r.flags & BLKIF_F_FUA) != 0;
	bb->stats.sectors += q->sectors;
	respond(c, &q->r, BLKIF_OK, q->sectors);
}

static FI_NOIPA void push_all(struct blkback *bb)
{
	for (unsigned i = 0; i < bb->n; i++) {
		struct bb_client *c = &bb->c[i];
		if (!c->connected || !c->must_push)
			continue;
		c->must_push = 0;
		if (ring_back_push(&c->ring)) {
			rt_notify_later((uint32_t)c->port);     /* sent by the caller's next block */
			bb->stats.notifications++;
			FI_SITE(proto_back, c);
			FI_SITE(proto_ahead, c);
		}
	}
}

int blkback_poll(struct blkback *bb, uint64_t events)
{
	int done = bb->disk->poll(bb->disk->ctx, completed, bb);

	if (done < 0)
		done = 0;
	int look = ++bb->polls % STATUS_EVERY == 0;
	/* Every request taken in this poll reaches the disk with one
	 * notification (the NVMe doorbell), rung before we answer and wait. */
	if (bb->disk->plug)
		bb->disk->plug(bb->disk->ctx, 1);
	for (unsigned i = 0; i < bb->n; i++) {
		struct bb_client *c = &bb->c[i];
		if (!c->connected) {
			try_connect(bb, c);
			continue;
		}
		int n = serve(bb, c);
		/* The peer may have gone: the hypervisor's hint (no exit), a
		 * notification with nothing on the ring (its death or close raises
		 * our port too), and now and then anyway; the status confirms. */
		if (c->connected && c->port > 0 &&
		    (rt_port_gone((uint32_t)c->port) || (!n && ((events >> c->port & 1) || look))) &&
		    hv_evtchn_status((uint32_t)c->port) != EVTCHN_CONNECTED)
			disconnect(bb, c, "frontend closed or died");
		done += n;
	}
	if (bb->disk->plug)
		bb->disk->plug(bb->disk->ctx, 0);
	push_all(bb);
	return done;
}
