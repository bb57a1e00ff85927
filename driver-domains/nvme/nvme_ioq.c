/* I/O queue bookkeeping (driver-domains/nvme/nvme_ioq.h). */
#include "nvme_ioq.h"

int nvme_ioq_init(struct nvme_ioq *q, unsigned entries, unsigned nslots)
{
	if (!nslots || nslots > NVME_IOQ_SLOTS || nslots >= entries)
		return -1;
	*q = (struct nvme_ioq){ .entries = entries, .nslots = nslots };
	for (unsigned s = 0; s < nslots; s++)
		q->slot[s].cid = (uint16_t)s;
	nvme_ioq_rings_reset(q);
	return 0;
}

void nvme_ioq_rings_reset(struct nvme_ioq *q)
{
	q->sq_tail = 0;
	q->cq_head = 0;
	q->phase = 1;           /* a new queue is zeroed: the first pass posts phase 1 */
}

void nvme_ioq_renew(struct nvme_ioq *q, unsigned s)
{
	uint16_t gen = (uint16_t)((q->slot[s].cid >> NVME_IOQ_SLOT_BITS) + 1);

	q->slot[s].cid = (uint16_t)(s | gen << NVME_IOQ_SLOT_BITS);
}

int nvme_ioq_alloc(struct nvme_ioq *q, uint64_t cookie)
{
	for (unsigned s = 0; s < q->nslots; s++) {
		struct nvme_ioq_slot *sl = &q->slot[s];
		if (sl->busy)
			continue;
		nvme_ioq_renew(q, s);
		sl->busy = 1;
		sl->cookie = cookie;
		q->inflight++;
		return (int)s;
	}
	return -1;
}

unsigned nvme_ioq_push(struct nvme_ioq *q, unsigned s)
{
	unsigned at = q->sq_tail;

	q->slot[s].deadline = 0;
	q->sq_tail = (q->sq_tail + 1) % q->entries;
	return at;
}

int nvme_ioq_cqe_ready(const struct nvme_ioq *q, uint32_t dw3)
{
	return ((dw3 >> 16) & 1) == q->phase;
}

void nvme_ioq_cq_pop(struct nvme_ioq *q)
{
	q->cq_head = (q->cq_head + 1) % q->entries;
	if (!q->cq_head)
		q->phase ^= 1;      /* the device flips its phase tag at each wrap */
}

int nvme_ioq_find(const struct nvme_ioq *q, uint16_t cid)
{
	unsigned s = cid & ((1u << NVME_IOQ_SLOT_BITS) - 1);

	if (s >= q->nslots || !q->slot[s].busy || q->slot[s].cid != cid)
		return -1;
	return (int)s;
}

void nvme_ioq_free(struct nvme_ioq *q, unsigned s)
{
	if (q->slot[s].busy) {
		q->slot[s].busy = 0;
		q->inflight--;
	}
}

void nvme_ioq_stamp(struct nvme_ioq *q, uint64_t now, uint64_t timeout)
{
	for (unsigned s = 0; s < q->nslots; s++)
		if (q->slot[s].busy && !q->slot[s].deadline)
			q->slot[s].deadline = now + timeout;
}

int nvme_ioq_expired(const struct nvme_ioq *q, uint64_t now)
{
	for (unsigned s = 0; s < q->nslots; s++)
		if (q->slot[s].busy && q->slot[s].deadline && q->slot[s].deadline <= now)
			return (int)s;
	return -1;
}

unsigned nvme_ioq_pending(const struct nvme_ioq *q, uint64_t now)
{
	unsigned n = 0;

	for (unsigned s = 0; s < q->nslots; s++)
		n += q->slot[s].busy && !(q->slot[s].deadline && q->slot[s].deadline <= now);
	return n;
}
