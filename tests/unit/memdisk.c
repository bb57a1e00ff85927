/* The in-memory disk of tests/unit/memdisk.h. */
#include <stdlib.h>
#include <string.h>
#include "tests/unit/memdisk.h"

static uint64_t rnd(struct memdisk *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

static uint64_t io_bytes(const struct blkdisk_io *io)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < io->nseg; i++)
		n += io->seg[i].len;
	return n;
}

static int valid(const struct memdisk *m, const struct blkdisk_io *io)
{
	if (io->op == BLKDISK_FLUSH)
		return io->nseg == 0;
	if ((io->op != BLKDISK_READ && io->op != BLKDISK_WRITE) || !io->nseg ||
	    io->nseg > BLKDISK_MAX_SEGS || (io->fua && io->op != BLKDISK_WRITE))
		return 0;
	for (unsigned i = 0; i < io->nseg; i++)
		if (!io->seg[i].len || io->seg[i].len % 512 || io->seg[i].dma % 4096 + io->seg[i].len > 4096)
			return 0;
	return io->lba < m->d.sectors && io_bytes(io) / 512 <= m->d.sectors - io->lba;
}

static int submit(void *ctx, const struct blkdisk_io *io)
{
	struct memdisk *m = ctx;

	if (!valid(m, io)) {
		m->einval++;
		return BLKDISK_EINVAL;
	}
	if (m->qn == m->d.depth) {
		m->busy++;
		return BLKDISK_EBUSY;
	}
	m->q[m->qn++] = *io;
	m->submitted++;
	return 0;
}

static void execute(struct memdisk *m, const struct blkdisk_io *io)
{
	uint64_t off = io->lba * 512;

	if (io->op == BLKDISK_FLUSH) {
		memcpy(m->durable, m->data, m->d.sectors * 512);
		m->flushes_done++;
		return;
	}
	for (unsigned i = 0; i < io->nseg; i++) {
		uint8_t *buf = (uint8_t *)(uintptr_t)io->seg[i].dma;
		if (io->op == BLKDISK_READ) {
			memcpy(buf, m->data + off, io->seg[i].len);
		} else {
			memcpy(m->data + off, buf, io->seg[i].len);
			if (io->fua)
				memcpy(m->durable + off, buf, io->seg[i].len);
		}
		off += io->seg[i].len;
	}
}

static int poll(void *ctx, blkdisk_done_fn done, void *arg)
{
	struct memdisk *m = ctx;
	int n = 0;

	while (!m->hold && m->qn && (!m->max_per_poll || (unsigned)n < m->max_per_poll)) {
		unsigned k = m->in_order ? 0 : (unsigned)(rnd(m) % m->qn);
		struct blkdisk_io io = m->q[k];
		memmove(&m->q[k], &m->q[k + 1], (m->qn - k - 1) * sizeof(io));
		m->qn--;
		int st = BLKDISK_OK;
		if (m->fail_next) {
			m->fail_next--;
			st = BLKDISK_EIO;
		} else {
			execute(m, &io);
		}
		done(arg, io.cookie, st);
		n++;
	}
	return n;
}

void memdisk_init(struct memdisk *m, uint64_t sectors, unsigned depth)
{
	memset(m, 0, sizeof(*m));
	m->data = calloc(sectors, 512);
	m->durable = calloc(sectors, 512);
	m->d = (struct blkdisk){ .ctx = m, .sectors = sectors, .depth = depth < MEMDISK_QMAX ? depth : MEMDISK_QMAX,
				 .submit = submit, .poll = poll, .irq_port = -1 };
	m->rng = 0x9e3779b97f4a7c15ull;
}

void memdisk_free(struct memdisk *m)
{
	free(m->data);
	free(m->durable);
}

void memdisk_crash(struct memdisk *m)
{
	for (unsigned i = 0; i < m->qn; i++)
		if (m->q[i].op == BLKDISK_WRITE && rnd(m) & 1)
			execute(m, &m->q[i]);
	m->qn = 0;
}
