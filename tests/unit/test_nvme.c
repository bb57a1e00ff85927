/*
 * The NVMe driver's pure parts: PRP building (driver-domains/nvme/nvme_prp.c)
 * and the I/O queue bookkeeping (nvme_ioq.c): command ids to slots, the
 * completion phase tag across wraps, deadlines and timeouts. A fake device
 * completes commands out of order over many queue wraps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "driver-domains/nvme/nvme_ioq.h"
#include "driver-domains/nvme/nvme_prp.h"
#include "unit.h"

#define P 0x100000ull           /* some page-aligned DMA addresses */
#define Q 0x250000ull
#define R 0x3a0000ull
#define LIST 0x7000ull

static uint64_t *list;          /* exactly NVME_PRP_MAX entries: ASan sees overruns */

static int build(const struct blkdisk_seg *s, unsigned n, struct nvme_prp *p)
{
	memset(list, 0xee, NVME_PRP_MAX * sizeof(*list));
	return nvme_prp_build(s, n, list, LIST, p);
}

static void prp_shapes(void)
{
	struct nvme_prp p;
	struct blkdisk_seg one[] = { { P, 4096 } };
	CHECK_EQ(build(one, 1, &p), 0);
	CHECK(p.prp1 == P && p.prp2 == 0 && p.nlist == 0 && p.bytes == 4096);

	struct blkdisk_seg tail[] = { { P + 3584, 512 } };       /* offset in its page */
	CHECK_EQ(build(tail, 1, &p), 0);
	CHECK(p.prp1 == P + 3584 && p.prp2 == 0 && p.bytes == 512);

	struct blkdisk_seg two[] = { { P + 2048, 2048 }, { Q, 4096 } };
	CHECK_EQ(build(two, 2, &p), 0);
	CHECK(p.prp1 == P + 2048 && p.prp2 == Q && p.nlist == 0 && p.bytes == 6144);

	struct blkdisk_seg three[] = { { P + 512, 3584 }, { Q, 4096 }, { R, 1024 } };
	CHECK_EQ(build(three, 3, &p), 0);
	CHECK(p.prp1 == P + 512 && p.prp2 == LIST && p.nlist == 2);
	CHECK(list[0] == Q && list[1] == R && list[2] == 0xeeeeeeeeeeeeeeeeull);
	CHECK_EQ(p.bytes, 3584 + 4096 + 1024);

	/* touching segments are one run: two halves of a page, then across pages */
	struct blkdisk_seg halves[] = { { P, 512 }, { P + 512, 3584 }, { Q, 4096 } };
	CHECK_EQ(build(halves, 3, &p), 0);
	CHECK(p.prp1 == P && p.prp2 == Q && p.nlist == 0 && p.bytes == 8192);
	struct blkdisk_seg run[] = { { P, 4096 }, { P + 4096, 4096 }, { P + 8192, 512 } };
	CHECK_EQ(build(run, 3, &p), 0);
	CHECK(p.prp2 == LIST && p.nlist == 2 && list[0] == P + 4096 && list[1] == P + 8192);
}

static void prp_limits(void)
{
	struct blkdisk_seg s[BLKDISK_MAX_SEGS + 1];
	struct nvme_prp p;

	for (unsigned i = 0; i <= BLKDISK_MAX_SEGS; i++)
		s[i] = (struct blkdisk_seg){ P + 0x3000ull * i, 4096 };   /* scattered pages */
	CHECK_EQ(build(s, BLKDISK_MAX_SEGS, &p), 0);            /* 128 KiB */
	CHECK(p.nlist == BLKDISK_MAX_SEGS - 1 && p.bytes == 128 * 1024 && p.prp2 == LIST);
	for (unsigned i = 1; i < BLKDISK_MAX_SEGS; i++)
		CHECK(list[i - 1] == s[i].dma);
	s[0] = (struct blkdisk_seg){ P + 512, 3584 };            /* 32 pages, first one partial */
	CHECK_EQ(build(s, BLKDISK_MAX_SEGS, &p), 0);
	CHECK(p.prp1 == P + 512 && p.nlist == BLKDISK_MAX_SEGS - 1);
	CHECK_EQ(build(s, BLKDISK_MAX_SEGS + 1, &p), BLKDISK_EINVAL);
	CHECK_EQ(build(s, 0, &p), BLKDISK_EINVAL);
	CHECK_EQ(nvme_prp_build(s, 1, list, LIST + 8, &p), BLKDISK_EINVAL);  /* list page unaligned */
}

static void prp_refused(void)
{
	struct nvme_prp p;
	const struct { struct blkdisk_seg s[3]; unsigned n; const char *why; } bad[] = {
		{ { { P, 0 } }, 1, "empty" },
		{ { { P, 100 } }, 1, "not a multiple of 512" },
		{ { { P + 3584, 1024 } }, 1, "crosses its page" },
		{ { { P + 2, 512 } }, 1, "not dword-aligned" },
		{ { { P, 512 }, { Q, 512 } }, 2, "first ends mid-page" },
		{ { { P, 4096 }, { Q + 512, 512 } }, 2, "second starts mid-page" },
		{ { { P, 4096 }, { Q, 512 }, { R, 4096 } }, 3, "hole in the middle" },
		{ { { P, 1024 }, { P + 2048, 1024 } }, 2, "hole in one page" },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = build(bad[i].s, bad[i].n, &p);
		if (rc != BLKDISK_EINVAL)
			printf("accepted: %s\n", bad[i].why);
		CHECK_EQ(rc, BLKDISK_EINVAL);
	}
}

static void ioq_slots(void)
{
	struct nvme_ioq q;
	uint16_t cid[NVME_IOQ_SLOTS];

	CHECK_EQ(nvme_ioq_init(&q, 64, 0), -1);
	CHECK_EQ(nvme_ioq_init(&q, 64, NVME_IOQ_SLOTS + 1), -1);
	CHECK_EQ(nvme_ioq_init(&q, 32, 32), -1);                /* the queue could fill */
	CHECK_EQ(nvme_ioq_init(&q, 64, 32), 0);
	for (unsigned i = 0; i < 32; i++) {
		int s = nvme_ioq_alloc(&q, 1000 + i);
		CHECK_EQ(s, i);
		cid[i] = q.slot[i].cid;
		CHECK_EQ(nvme_ioq_find(&q, cid[i]), i);
		for (unsigned j = 0; j < i; j++)
			CHECK(cid[j] != cid[i]);
	}
	CHECK_EQ(nvme_ioq_alloc(&q, 7), -1);
	CHECK_EQ(q.inflight, 32);
	nvme_ioq_free(&q, 5);
	CHECK_EQ(nvme_ioq_find(&q, cid[5]), -1);                /* a duplicate completion */
	CHECK_EQ(nvme_ioq_alloc(&q, 9), 5);
	CHECK(q.slot[5].cid != cid[5]);                         /* a late one for the old use */
	CHECK_EQ(nvme_ioq_find(&q, cid[5]), -1);
	CHECK_EQ(nvme_ioq_find(&q, q.slot[5].cid), 5);
	CHECK_EQ(q.slot[5].cookie, 9);
	CHECK_EQ(nvme_ioq_find(&q, 40), -1);                    /* slot 40 does not exist */
	CHECK_EQ(nvme_ioq_find(&q, (uint16_t)(q.slot[6].cid + (1u << NVME_IOQ_SLOT_BITS))), -1);
	nvme_ioq_free(&q, 5);
	nvme_ioq_free(&q, 5);                                   /* twice: counted once */
	CHECK_EQ(q.inflight, 31);
}

static void ioq_deadlines(void)
{
	struct nvme_ioq q;

	nvme_ioq_init(&q, 64, 8);
	for (unsigned i = 0; i < 3; i++)
		nvme_ioq_push(&q, (unsigned)nvme_ioq_alloc(&q, i));
	CHECK_EQ(nvme_ioq_expired(&q, ~0ull), -1);              /* not stamped: no clock yet */
	CHECK_EQ(nvme_ioq_pending(&q, ~0ull), 3);
	nvme_ioq_stamp(&q, 100, 50);
	CHECK_EQ(nvme_ioq_expired(&q, 149), -1);
	CHECK_EQ(nvme_ioq_pending(&q, 149), 3);
	CHECK_EQ(nvme_ioq_expired(&q, 150), 0);
	CHECK_EQ(nvme_ioq_pending(&q, 150), 0);
	nvme_ioq_push(&q, (unsigned)nvme_ioq_alloc(&q, 3));    /* submitted later */
	nvme_ioq_stamp(&q, 140, 50);
	CHECK_EQ(q.slot[0].deadline, 150);                      /* stamps only the new one */
	CHECK_EQ(q.slot[3].deadline, 190);
	CHECK_EQ(nvme_ioq_pending(&q, 160), 1);
	nvme_ioq_free(&q, 0);
	nvme_ioq_free(&q, 1);
	CHECK_EQ(nvme_ioq_expired(&q, 160), 2);
	nvme_ioq_free(&q, 2);
	CHECK_EQ(nvme_ioq_expired(&q, 160), -1);
	CHECK_EQ(nvme_ioq_expired(&q, 190), 3);
	nvme_ioq_rings_reset(&q);
	CHECK(q.sq_tail == 0 && q.cq_head == 0 && q.phase == 1 && q.slot[3].busy);
}

/* A fake device: completes the commands it holds in a scrambled order,
 * posting entries with its own phase tag, for many wraps of both queues. */
static void ioq_fake_device(void)
{
	struct nvme_ioq q;
	uint32_t cq[64] = { 0 };
	uint16_t held[64];
	unsigned nheld = 0, dev_tail = 0, dev_phase = 1, sq_seen = 0, done = 0, rounds = 0;
	uint64_t want = 0, seed = 7;

	nvme_ioq_init(&q, 64, 32);
	while (done < 5000 && rounds++ < 100000) {
		int s;
		while ((s = nvme_ioq_alloc(&q, want)) >= 0) {
			unsigned at = nvme_ioq_push(&q, (unsigned)s);
			CHECK_EQ(at, sq_seen % 64);
			sq_seen++;
			held[nheld++] = q.slot[s].cid;
			want++;
		}
		for (unsigned k = 0; k < 1 + seed % 7 && nheld; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			unsigned pick = (unsigned)(seed >> 33) % nheld;
			cq[dev_tail] = held[pick] | dev_phase << 16;
			held[pick] = held[--nheld];
			if (++dev_tail == 64) {
				dev_tail = 0;
				dev_phase ^= 1;
			}
		}
		while (nvme_ioq_cqe_ready(&q, cq[q.cq_head])) {
			int f = nvme_ioq_find(&q, (uint16_t)cq[q.cq_head]);
			CHECK(f >= 0);
			nvme_ioq_cq_pop(&q);
			if (f >= 0)
				nvme_ioq_free(&q, (unsigned)f);
			done++;
		}
		CHECK_EQ(q.inflight, nheld);
	}
	CHECK(done >= 5000);
	CHECK_EQ(q.cq_head, dev_tail);
	CHECK_EQ(q.phase, dev_phase);
}

int main(void)
{
	list = malloc(NVME_PRP_MAX * sizeof(*list));
	prp_shapes();
	prp_limits();
	prp_refused();
	ioq_slots();
	ioq_deadlines();
	ioq_fake_device();
	free(list);
	return unit_done("nvme");
}
