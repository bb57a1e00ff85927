/* PRP building (driver-domains/nvme/nvme_prp.h). */
#include "nvme_prp.h"

/* Check one segment on its own. */
static int seg_ok(const struct blkdisk_seg *s)
{
	uint64_t off = s->dma & (NVME_PAGE - 1);

	return s->len && !(s->len % 512) && !(s->dma & 3) && off + s->len <= NVME_PAGE;
}

int nvme_prp_build(const struct blkdisk_seg *seg, unsigned nseg, uint64_t *list,
		   uint64_t list_dma, struct nvme_prp *p)
{
	uint64_t page[NVME_PRP_MAX], next = 0;
	unsigned npages = 0;
	uint32_t bytes = 0;

	if (!nseg || nseg > BLKDISK_MAX_SEGS || (list_dma & (NVME_PAGE - 1)))
		return BLKDISK_EINVAL;
	for (unsigned i = 0; i < nseg; i++) {
		const struct blkdisk_seg *s = &seg[i];
		if (!seg_ok(s))
			return BLKDISK_EINVAL;
		if (i == 0) {
			page[npages++] = s->dma;
		} else if (s->dma != next) {
			/* A jump: only from a page's end to a page's start. */
			if ((next & (NVME_PAGE - 1)) || (s->dma & (NVME_PAGE - 1)))
				return BLKDISK_EINVAL;
			page[npages++] = s->dma;
		} else if (!(s->dma & (NVME_PAGE - 1))) {
			page[npages++] = s->dma;      /* runs on into the next page */
		}
		next = s->dma + s->len;
		bytes += s->len;
	}
	/* Each segment lies in one page, so npages <= nseg <= NVME_PRP_MAX. */
	p->prp1 = page[0];
	p->bytes = bytes;
	p->nlist = 0;
	if (npages == 1) {
		p->prp2 = 0;
	} else if (npages == 2) {
		p->prp2 = page[1];
	} else {
		for (unsigned i = 1; i < npages; i++)
			list[i - 1] = page[i];
		p->nlist = npages - 1;
		p->prp2 = list_dma;
	}
	return 0;
}
