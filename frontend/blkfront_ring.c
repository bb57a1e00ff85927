/*
 * blkfront's ring side (frontend/blkfront_ring.h). An application I/O of up
 * to 128 KiB becomes up to four requests, each with its own shadow slot and
 * data pages from the pool; the I/O completes when all of them have. Write
 * data is copied into the pages at submission and stays there until the
 * request completes, so a replay sends the same data. Read data is copied
 * out of the pages once, after the checked response, and nothing in the
 * shared pages is read again. An I/O on a pool buffer the application
 * holds (blkfront_buf_alloc) uses that buffer's pages: no copy either way.
 */
#include "frontend/blkfront_ring.h"
#include "kstring.h"
#include "public/channel.h"

#define SECTS_PER_REQ  BLKIF_MAX_SECTORS

/* blkif names a page by a 16-bit grant reference (blkfront_ring_send casts
 * ours): were the hypervisor's references to outgrow it, a reference would
 * wrap onto another, valid one, and the backend would use the wrong page. */
_Static_assert(GRANT_MAX <= 65536, "every grant reference fits blkif_segment.gref");

void blkfront_ring_reset(struct blkfront *bf)
{
	memset(bf->sh, 0, sizeof(bf->sh));
	memset(bf->io, 0, sizeof(bf->io));
	for (unsigned i = 0; i < BLKFRONT_PAGES / 64; i++) {
		bf->page_free[i] = ~0ull;
		bf->page_app[i] = 0;
	}
	bf->ndone = 0;
	bf->next_order = 0;
	bf->nshadows = bf->nqueued = bf->nios = 0;
	bf->sh_free = bf->io_free = ~0u;
	bf->only_queued = 0;
}

static unsigned free_pages(const struct blkfront *bf)
{
	unsigned n = 0;

	/* Bit by bit: freestanding images have no popcount helper. */
	for (unsigned i = 0; i < BLKFRONT_PAGES / 64; i++)
		for (uint64_t v = bf->page_free[i]; v; v &= v - 1)
			n++;
	return n;
}

static uint8_t take_page(struct blkfront *bf)
{
	for (unsigned i = 0;; i++) {
		if (bf->page_free[i]) {
			unsigned b = (unsigned)__builtin_ctzll(bf->page_free[i]);
			bf->page_free[i] &= ~(1ull << b);
			return (uint8_t)(i * 64 + b);
		}
	}
}

static uint8_t *page_of(const struct blkfront *bf, unsigned p)
{
	return bf->pages + (size_t)p * 4096;
}

static int bit(const uint64_t *map, unsigned p) { return (int)(map[p / 64] >> (p % 64) & 1); }

void *blkfront_buf_alloc(struct blkfront *bf, uint32_t bytes)
{
	unsigned n = (bytes + 4095) / 4096, run = 0;

	if (!bytes || bytes > BLKFRONT_MAX_IO)
		return 0;
	for (unsigned p = 0; p < BLKFRONT_PAGES; p++) {
		run = bit(bf->page_free, p) ? run + 1 : 0;
		if (run < n)
			continue;
		for (unsigned q = p + 1 - n; q <= p; q++) {
			bf->page_free[q / 64] &= ~(1ull << (q % 64));
			bf->page_app[q / 64] |= 1ull << (q % 64);
		}
		return page_of(bf, p + 1 - n);
	}
	return 0;
}

/* First pool page of an application's pool buffer [buf, buf + bytes), -1 if
 * buf is not in the pool, -2 if it is but does not start on a page or not
 * all of it is lent to the application. */
static inline __attribute__((always_inline))
int app_first_page(const struct blkfront *bf, const uint8_t *buf, uint32_t bytes)
{
	uintptr_t off = (uintptr_t)buf - (uintptr_t)bf->pages;

	if ((uintptr_t)buf < (uintptr_t)bf->pages || off >= (uintptr_t)BLKFRONT_PAGES * 4096)
		return -1;
	if (off % 4096 || bytes > (uintptr_t)BLKFRONT_PAGES * 4096 - off)
		return -2;
	for (unsigned p = (unsigned)(off / 4096); p < (off + bytes + 4095) / 4096; p++)
		if (!bit(bf->page_app, p))
			return -2;
	return (int)(off / 4096);
}

void blkfront_buf_free(struct blkfront *bf, void *buf, uint32_t bytes)
{
	int first = app_first_page(bf, buf, bytes);

	if (first < 0 || !bytes)
		return;
	for (unsigned q = (unsigned)first; q < (unsigned)first + (bytes + 4095) / 4096; q++) {
		bf->page_app[q / 64] &= ~(1ull << (q % 64));
		bf->page_free[q / 64] |= 1ull << (q % 64);
	}
}

/* A free I/O record; completions not yet reaped count as busy, so the
 * completion queue never overflows. */
static int free_io(const struct blkfront *bf)
{
	if (bf->nios + bf->ndone >= BLKFRONT_IOS || !bf->io_free)
		return -1;
	return __builtin_ctz(bf->io_free);
}

/* Application data into a data page: 8-byte words (lengths are multiples of
 * 512), several times faster than rep movsb under TCG. */
static void copy_in(uint8_t *page, const uint8_t *src, uint32_t n)
{
	for (uint32_t i = 0; i < n; i += 8) {
		uint64_t v;
		__builtin_memcpy(&v, src + i, 8);
		__builtin_memcpy(page + i, &v, 8);
	}
}

/* Write shadow s (sh[k]) into the next ring slot (the caller checked there
 * is one): the header and the npages segments the backend reads (it looks
 * at no other slot bytes). */
static void write_req(struct blkfront *bf, const struct bf_shadow *s, unsigned k)
{
	struct blkif_request *r = ring_front_next_req(&bf->ring);

	r->id = BLKIF_ID(bf->conn, s->seq, k);
	r->sector = s->sector;
	r->op = s->op;
	r->nr_segs = s->npages;
	r->flags = s->flags;
	r->reserved = 0;
	for (unsigned p = 0; p < s->npages; p++) {
		uint32_t left = s->nsect - p * BLKIF_SECTORS_PER_PAGE;
		r->seg[p] = (struct blkif_segment){ .gref = (uint16_t)bf->gref[s->page[p]],
			.last_sect = (uint8_t)((left < 8 ? left : 8) - 1) };
	}
	bf->stats.requests++;
}

/* Queued shadow s (sh[k]) into the ring. */
static void send_one(struct blkfront *bf, struct bf_shadow *s, unsigned k)
{
	write_req(bf, s, k);
	s->state = BFS_SENT;
	bf->nqueued--;
	bf->stats.replayed += s->sent_before;
}

/* One request of I/O 'io': sectors [sector, sector + nsect) at buf_off;
 * app >= 0: the I/O's buffer is the application's pool buffer from page app. */
static inline __attribute__((always_inline))
void queue_piece(struct blkfront *bf, unsigned io, uint64_t sector, uint32_t nsect,
		 uint32_t buf_off, uint16_t flags, int app)
{
	struct bf_io *o = &bf->io[io];
	unsigned k = (unsigned)__builtin_ctz(bf->sh_free);     /* the caller checked there is one */
	struct bf_shadow *s = &bf->sh[k];
	/* Connected, nothing older waiting, room on the ring: into the ring at
	 * once (what blkfront_ring_send would do next, without finding it). */
	int now = bf->state == BF_CONNECTED && !bf->nqueued && ring_front_free(&bf->ring);

	bf->sh_free &= ~(1u << k);
	bf->nshadows++;
	if (!now)
		bf->only_queued = bf->nqueued++ ? 0 : (uint8_t)(k + 1);
	/* Field by field (page[] is written below, as far as npages): a
	 * whole-struct assignment would zero all of it first. */
	s->state = now ? BFS_SENT : BFS_QUEUED;
	s->op = o->op;
	s->flags = flags;
	s->seq++;
	s->io = io;
	s->nsect = nsect;
	s->order = bf->next_order++;
	s->sector = sector;
	s->buf_off = buf_off;
	s->sent_before = 0;
	s->npages = (uint8_t)((nsect + BLKIF_SECTORS_PER_PAGE - 1) / BLKIF_SECTORS_PER_PAGE);
	s->app = app >= 0;
	for (unsigned p = 0; p < s->npages; p++) {
		if (s->app) {
			s->page[p] = (uint8_t)((unsigned)app + buf_off / 4096 + p);
			continue;
		}
		s->page[p] = take_page(bf);
		if (o->op != BLKIF_OP_WRITE)
			continue;
		uint32_t off = buf_off + p * 4096, left = nsect * BLKIF_SECTOR_SIZE - p * 4096;
		copy_in(page_of(bf, s->page[p]), o->buf + off, left < 4096 ? left : 4096);
	}
	o->pieces++;
	if (now)
		write_req(bf, s, k);
}

int blkfront_ring_submit(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf,
			 uint32_t bytes, unsigned flags, uint64_t tag)
{
	if (op == BLKIF_OP_FLUSH ? bytes || flags :
	    (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE) || !buf || !bytes ||
	    bytes > BLKFRONT_MAX_IO || bytes % BLKIF_SECTOR_SIZE || (flags & ~BLKFRONT_FUA) ||
	    (flags && op != BLKIF_OP_WRITE) || sector + bytes / BLKIF_SECTOR_SIZE < sector)
		return BLKFRONT_EINVAL;
	uint32_t nsect = bytes / BLKIF_SECTOR_SIZE;
	unsigned pieces = op == BLKIF_OP_FLUSH ? 1 : (nsect + SECTS_PER_REQ - 1) / SECTS_PER_REQ;
	int app = op == BLKIF_OP_FLUSH ? -1 : app_first_page(bf, buf, bytes);
	if (app == -2)
		return BLKFRONT_EINVAL;         /* in the pool, but not a buffer of the application's */
	int io = free_io(bf);
	if (io < 0 || BLKFRONT_SLOTS - bf->nshadows < pieces ||
	    (app < 0 && free_pages(bf) < (nsect + 7) / 8))
		return BLKFRONT_EAGAIN;
	bf->io[io] = (struct bf_io){ .used = 1, .op = op, .tag = tag, .buf = buf };
	bf->io_free &= ~(1u << io);
	bf->nios++;
	if (op == BLKIF_OP_FLUSH)
		queue_piece(bf, (unsigned)io, 0, 0, 0, 0, -1);
	for (uint32_t done = 0; done < nsect; done += SECTS_PER_REQ) {
		uint32_t n = nsect - done < SECTS_PER_REQ ? nsect - done : SECTS_PER_REQ;
		queue_piece(bf, (unsigned)io, sector + done, n, done * BLKIF_SECTOR_SIZE,
			    flags & BLKFRONT_FUA ? BLKIF_F_FUA : 0, app);
	}
	bf->stats.submitted++;
	return 0;
}

int blkfront_ring_start(struct blkfront *bf)
{
	if (ring_front_init(&bf->ring, bf->ring_page, BLKIF_SLOT_SIZE))
		return -1;
	bf->conn++;
	return 0;
}

static struct bf_shadow *oldest_queued(struct blkfront *bf)
{
	struct bf_shadow *best = 0;

	/* The common case: one request queued and sent at once, by submit. */
	if (bf->nqueued == 1 && bf->only_queued &&
	    bf->sh[bf->only_queued - 1].state == BFS_QUEUED)
		return &bf->sh[bf->only_queued - 1];
	for (unsigned i = 0; i < BLKFRONT_SLOTS && bf->nqueued; i++)
		if (bf->sh[i].state == BFS_QUEUED && (!best || bf->sh[i].order < best->order))
			best = &bf->sh[i];
	return best;
}

int blkfront_ring_send(struct blkfront *bf)
{
	struct bf_shadow *s;
	int n = 0;

	while (ring_front_free(&bf->ring) && (s = oldest_queued(bf))) {
		send_one(bf, s, (unsigned)(s - bf->sh));
		n++;
	}
	return n;
}

static int known_status(int st)
{
	return st == BLKIF_OK || st == BLKIF_ERR_BADREQ || st == BLKIF_ERR_GRANT ||
	       st == BLKIF_ERR_IO || st == BLKIF_ERR_RANGE;
}

int blkfront_check_response(const struct blkfront *bf, const struct blkif_response *r)
{
	uint32_t slot = BLKIF_ID_SLOT(r->id);

	if (BLKIF_ID_CONN(r->id) != bf->conn || slot >= BLKFRONT_SLOTS)
		return -1;                      /* an earlier connection's, or invented */
	const struct bf_shadow *s = &bf->sh[slot];
	if (s->state != BFS_SENT || BLKIF_ID_SEQ(r->id) != (s->seq & 0xffffffu))
		return -1;                      /* not asked (yet), or answered already */
	if (r->op != s->op || r->pad || !known_status(r->status))
		return -1;
	if (r->nr_sectors != (r->status == BLKIF_OK ? s->nsect : 0))
		return -1;
	return 0;
}

static void complete_io(struct blkfront *bf, struct bf_io *o)
{
	bf->done[bf->ndone++] = (struct blkfront_done){ o->tag, o->status };
	bf->stats.completed++;
	bf->stats.errors += o->status != 0;
	o->used = 0;
	bf->nios--;
	bf->io_free |= 1u << (o - bf->io);
}

/* One checked response: copy read data out once, free the shadow. */
static void take_one(struct blkfront *bf, const struct blkif_response *r)
{
	struct bf_shadow *s = &bf->sh[BLKIF_ID_SLOT(r->id)];
	struct bf_io *o = &bf->io[s->io];

	for (unsigned p = 0; p < s->npages && !s->app; p++) {
		if (r->status == BLKIF_OK && s->op == BLKIF_OP_READ) {
			uint32_t left = s->nsect * BLKIF_SECTOR_SIZE - p * 4096;
			ring_copy_bytes(o->buf + s->buf_off + p * 4096, page_of(bf, s->page[p]),
					left < 4096 ? left : 4096);
		}
		bf->page_free[s->page[p] / 64] |= 1ull << (s->page[p] % 64);
	}
	if (r->status != BLKIF_OK && !o->status)
		o->status = r->status == BLKIF_ERR_RANGE ? BLKFRONT_ERANGE : BLKFRONT_EIO;
	s->state = BFS_FREE;
	bf->sh_free |= 1u << (s - bf->sh);
	bf->nshadows--;
	if (--o->pieces == 0)
		complete_io(bf, o);
}

int blkfront_ring_take(struct blkfront *bf, int *taken)
{
	int n;

	*taken = 0;
	while ((n = ring_front_final_check(&bf->ring)) > 0) {
		for (int k = 0; k < n; k++) {
			/* Only the response's 16 bytes of the slot, each read once. */
			struct blkif_response rsp;
			ring_copy_bytes(&rsp, ring_slot(bf->ring.s, bf->ring.slot_size, bf->ring.nslots,
							bf->ring.rsp_cons++), sizeof(rsp));
			if (blkfront_check_response(bf, &rsp))
				return BF_RING_BAD_RESPONSE;
			take_one(bf, &rsp);
			(*taken)++;
		}
	}
	return n < 0 ? BF_RING_BAD_INDICES : BF_RING_OK;
}

void blkfront_ring_requeue(struct blkfront *bf)
{
	for (unsigned i = 0; i < BLKFRONT_SLOTS; i++) {
		if (bf->sh[i].state == BFS_SENT) {
			bf->sh[i].state = BFS_QUEUED;
			bf->nqueued++;
			bf->only_queued = 0;
			bf->sh[i].sent_before = 1;
		}
	}
}

void blkfront_ring_fail_all(struct blkfront *bf, int status)
{
	for (unsigned i = 0; i < BLKFRONT_SLOTS; i++) {
		struct bf_shadow *s = &bf->sh[i];
		if (s->state == BFS_FREE)
			continue;
		struct bf_io *o = &bf->io[s->io];
		for (unsigned p = 0; p < s->npages && !s->app; p++)
			bf->page_free[s->page[p] / 64] |= 1ull << (s->page[p] % 64);
		bf->nqueued -= s->state == BFS_QUEUED;
		bf->nshadows--;
		bf->only_queued = 0;
		s->state = BFS_FREE;
		bf->sh_free |= 1u << i;
		if (!o->status)
			o->status = status;
		if (--o->pieces == 0)
			complete_io(bf, o);
	}
}
