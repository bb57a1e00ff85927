/*
 * diskverify (frontend/diskverify.h). A sector's stamp: magic, sector,
 * sequence number, a pattern derived from them, and a 64-bit FNV-1a checksum
 * of the rest in its last 8 bytes. Sequence numbers start at 1; acked[s] == 0
 * means never acknowledged (not checked), DV_UNKNOWN a write that failed
 * (content undefined, not checked).
 */
#include "frontend/diskverify.h"
#include "kstring.h"

#define DV_UNKNOWN  0xffffffffu
#define SECT        BLKIF_SECTOR_SIZE

static uint64_t rnd(struct diskverify *dv)
{
	uint64_t x = dv->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return dv->rng = x;
}

static uint64_t fnv(const uint8_t *p, unsigned n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (unsigned i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

void dv_stamp(uint8_t *p, uint32_t id, uint64_t sector, uint32_t seq)
{
	uint32_t magic = DV_MAGIC ^ id;

	memcpy(p, &magic, 4);
	memcpy(p + 4, &seq, 4);
	memcpy(p + 8, &sector, 8);
	for (unsigned i = 16; i < SECT - 8; i++)
		p[i] = (uint8_t)(sector * 31 + seq * 7 + i);
	uint64_t h = fnv(p, SECT - 8);
	memcpy(p + SECT - 8, &h, 8);
}

int dv_check(const uint8_t *p, uint32_t id, uint64_t sector, uint32_t seq)
{
	uint32_t magic, s;
	uint64_t sec, h;

	memcpy(&magic, p, 4);
	memcpy(&s, p + 4, 4);
	memcpy(&sec, p + 8, 8);
	memcpy(&h, p + SECT - 8, 8);
	if (magic != (DV_MAGIC ^ id)) {
		for (unsigned i = 0; i < SECT; i++)
			if (p[i])
				return DV_STAMP_BAD;
		return DV_STAMP_BLANK;
	}
	if (h != fnv(p, SECT - 8) || sec != sector || s > seq)
		return DV_STAMP_BAD;
	return s == seq ? DV_STAMP_OK : DV_STAMP_OLDER;
}

int dv_init(struct diskverify *dv, const struct dv_config *cfg, struct blkfront *bf,
	    uint32_t *acked, uint8_t *bufs)
{
	memset(dv, 0, sizeof(*dv));
	if (!cfg->qd || cfg->qd > DV_MAX_QD || !cfg->min_sectors || cfg->min_sectors > cfg->max_sectors ||
	    cfg->max_sectors > BLKFRONT_MAX_IO / SECT || cfg->span < cfg->max_sectors)
		return -1;
	dv->cfg = *cfg;
	dv->bf = bf;
	dv->acked = acked;
	memset(acked, 0, cfg->span * sizeof(*acked));
	for (unsigned i = 0; i < cfg->qd; i++)
		dv->slot[i].buf = bufs + (size_t)i * cfg->max_sectors * SECT;
	dv->rng = cfg->seed | 1;
	dv->reconnects = bf->stats.reconnects;
	dv->phase = cfg->sweep ? DV_SWEEP : DV_RUN;
	dv->sweep_len = cfg->min_sectors;
	return 0;
}

unsigned dv_inflight(const struct diskverify *dv)
{
	unsigned n = 0;

	for (unsigned i = 0; i < dv->cfg.qd; i++)
		n += dv->slot[i].busy;
	return n;
}

static void check_read(struct diskverify *dv, const struct dv_slot *s)
{
	for (uint32_t i = 0; i < s->nsect; i++) {
		uint64_t sector = s->sector + i;
		uint32_t want = dv->acked[sector];
		if (!want || want == DV_UNKNOWN)
			continue;
		int r = dv_check(s->buf + (size_t)i * SECT, dv->cfg.id, sector, want);
		dv->st.sectors_checked++;
		if (r == DV_STAMP_OLDER || r == DV_STAMP_BLANK)
			dv->st.lost++;
		else if (r == DV_STAMP_BAD)
			dv->st.corrupt++;
		/* Counted once: later passes must not charge the same loss again
		 * (a campaign judges each window by its own counts). */
		if (r != DV_STAMP_OK)
			dv->acked[sector] = DV_UNKNOWN;
	}
}

static void completed(struct diskverify *dv, const struct blkfront_done *d)
{
	if (d->tag >= dv->cfg.qd || !dv->slot[d->tag].busy)
		return;                         /* not ours: blkfront's bug */
	struct dv_slot *s = &dv->slot[d->tag];
	s->busy = 0;
	if (d->status) {
		dv->st.errors++;
		if (s->op == BLKIF_OP_WRITE)
			for (uint32_t i = 0; i < s->nsect; i++)
				dv->acked[s->sector + i] = DV_UNKNOWN;
		return;
	}
	if (s->op == BLKIF_OP_WRITE)
		for (uint32_t i = 0; i < s->nsect; i++)
			dv->acked[s->sector + i] = s->seq;
	else if (s->op == BLKIF_OP_READ)
		check_read(dv, s);
}

static int overlaps(const struct diskverify *dv, uint64_t sector, uint32_t n, int writes_only)
{
	for (unsigned i = 0; i < dv->cfg.qd; i++) {
		const struct dv_slot *s = &dv->slot[i];
		if (!s->busy || s->op == BLKIF_OP_FLUSH || (writes_only && s->op != BLKIF_OP_WRITE))
			continue;
		if (sector < s->sector + s->nsect && s->sector < sector + n)
			return 1;
	}
	return 0;
}

static int submit(struct diskverify *dv, unsigned k, uint8_t op, uint64_t sector, uint32_t n,
		  unsigned flags)
{
	struct dv_slot *s = &dv->slot[k];

	*s = (struct dv_slot){ .busy = 1, .op = op, .sector = sector, .nsect = n, .buf = s->buf };
	if (op == BLKIF_OP_WRITE) {
		s->seq = ++dv->seq;
		for (uint32_t i = 0; i < n; i++)
			dv_stamp(s->buf + (size_t)i * SECT, dv->cfg.id, sector + i, s->seq);
	}
	int rc = blkfront_submit(dv->bf, op, sector, op == BLKIF_OP_FLUSH ? 0 : s->buf,
				 op == BLKIF_OP_FLUSH ? 0 : n * SECT, flags, k);
	if (rc) {
		s->busy = 0;
		if (rc != BLKFRONT_EAGAIN)
			dv->st.errors++;
		return rc;
	}
	dv->st.writes += op == BLKIF_OP_WRITE;
	dv->st.reads += op == BLKIF_OP_READ;
	dv->st.flushes += op == BLKIF_OP_FLUSH;
	dv->st.fua += flags != 0;
	dv->st.sectors_written += op == BLKIF_OP_WRITE ? n : 0;
	return 0;
}

/* One workload I/O into free slot k; -1 if nothing fitted this time. */
static int workload_io(struct diskverify *dv, unsigned k)
{
	unsigned pick = (unsigned)(rnd(dv) % 100);
	uint32_t span = dv->cfg.max_sectors - dv->cfg.min_sectors + 1;
	uint32_t n = dv->cfg.min_sectors + (uint32_t)(rnd(dv) % span);
	uint64_t sector = rnd(dv) % (dv->cfg.span - n + 1);

	if (pick < dv->cfg.flush_pct)
		return submit(dv, k, BLKIF_OP_FLUSH, 0, 0, 0) ? -1 : 0;
	int write = pick < dv->cfg.flush_pct + dv->cfg.write_pct;
	if (overlaps(dv, sector, n, !write))
		return -1;
	unsigned fua = write && (unsigned)(rnd(dv) % 100) < dv->cfg.fua_pct ? BLKFRONT_FUA : 0;
	return submit(dv, k, write ? BLKIF_OP_WRITE : BLKIF_OP_READ, sector, n, fua) ? -1 : 0;
}

/* Read-back pass: once no write is in flight, read the span in order. */
static int check_io(struct diskverify *dv, unsigned k)
{
	if (dv->check_pos >= dv->cfg.span || overlaps(dv, 0, (uint32_t)-1, 1))
		return -1;
	uint64_t left = dv->cfg.span - dv->check_pos;
	uint32_t n = left < dv->cfg.max_sectors ? (uint32_t)left : dv->cfg.max_sectors;
	if (submit(dv, k, BLKIF_OP_READ, dv->check_pos, n, 0))
		return -1;
	dv->check_pos += n;
	return 0;
}

/* Sweep: sizes min, min+1, ..., max written one after the other, front to
 * back through the span and around again, until max has been written. */
static int sweep_io(struct diskverify *dv, unsigned k)
{
	if (dv->sweep_len > dv->cfg.max_sectors)
		return -1;                      /* done */
	uint32_t n = dv->sweep_len;
	if (dv->sweep_pos + n > dv->cfg.span)
		dv->sweep_pos = 0;
	if (overlaps(dv, dv->sweep_pos, n, 0) ||
	    submit(dv, k, BLKIF_OP_WRITE, dv->sweep_pos, n, n % 4 == 0 ? BLKFRONT_FUA : 0))
		return -1;
	dv->sweep_pos += n;
	dv->sweep_len++;
	return 0;
}

static void next_phase(struct diskverify *dv)
{
	if (dv->phase == DV_SWEEP && dv->sweep_len > dv->cfg.max_sectors) {
		dv->phase = DV_CHECK;           /* read it all back */
		dv->check_pos = 0;
	}
	if (dv->phase == DV_RUN && dv->bf->stats.reconnects != dv->reconnects) {
		dv->reconnects = dv->bf->stats.reconnects;
		dv->phase = DV_CHECK;           /* the backend restarted: read everything back */
		dv->check_pos = 0;
	}
	if (dv->phase == DV_RUN && dv->issued >= dv->cfg.ios) {
		dv->phase = DV_FINAL;
		dv->check_pos = 0;
	}
	if ((dv->phase == DV_CHECK || dv->phase == DV_FINAL) && dv->check_pos >= dv->cfg.span &&
	    !dv_inflight(dv)) {
		dv->st.passes++;
		dv->phase = dv->phase == DV_FINAL ? DV_DONE : DV_RUN;
	}
}

int dv_step(struct diskverify *dv)
{
	struct blkfront_done d[DV_MAX_QD];
	int n;

	while ((n = blkfront_reap(dv->bf, d, DV_MAX_QD)) > 0)
		for (int i = 0; i < n; i++)
			completed(dv, &d[i]);
	next_phase(dv);
	for (unsigned k = 0; k < dv->cfg.qd && dv->phase != DV_DONE; k++) {
		if (dv->slot[k].busy)
			continue;
		if (dv->phase == DV_SWEEP) {
			if (sweep_io(dv, k))
				break;
		} else if (dv->phase == DV_RUN) {
			if (dv->issued >= dv->cfg.ios || workload_io(dv, k))
				break;
			dv->issued++;
		} else if (check_io(dv, k)) {
			break;
		}
	}
	return dv->phase == DV_DONE;
}
