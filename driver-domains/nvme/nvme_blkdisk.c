/* blkdisk on the NVMe driver (driver-domains/nvme/nvme_blkdisk.h). */
#include "kstring.h"
#include "nvme_blkdisk.h"

static struct nvme_disk disk;
static struct nvme_disk_mem mem;

static int submit(void *ctx, const struct blkdisk_io *io)
{
	struct nvme_disk *nd = ctx;
	struct nvme_io c = { .nsid = 1, .slba = io->lba, .seg = io->seg, .nseg = io->nseg };
	uint64_t bytes = 0;

	if (io->nseg > BLKDISK_MAX_SEGS)
		return BLKDISK_EINVAL;
	for (unsigned i = 0; i < io->nseg; i++)
		bytes += io->seg[i].len;
	switch (io->op) {
	case BLKDISK_READ:
	case BLKDISK_WRITE:
		if (!io->nseg || bytes % 512 || io->lba > nd->sectors ||
		    bytes / 512 > nd->sectors - io->lba)
			return BLKDISK_EINVAL;
		c.opc = io->op == BLKDISK_READ ? NVME_CMD_READ : NVME_CMD_WRITE;
		c.fua = io->op == BLKDISK_WRITE && io->fua;
		c.nlb = (uint32_t)(bytes / 512);
		break;
	case BLKDISK_FLUSH:
		if (io->nseg)
			return BLKDISK_EINVAL;
		c.opc = NVME_CMD_FLUSH;
		c.slba = 0;
		break;
	default:
		return BLKDISK_EINVAL;
	}
	return nvme_disk_submit(nd, io->cookie, &c);
}

static void plug(void *ctx, int on)
{
	nvme_disk_plug(ctx, on);
}

static int poll(void *ctx, blkdisk_done_fn done, void *arg)
{
	return nvme_disk_poll(ctx, done, arg);
}

int nvme_blkdisk_init(struct blkdisk *bd, unsigned devidx, const struct nvme_disk_cfg *cfg)
{
	int rc = nvme_disk_start(&disk, &mem, devidx, cfg);

	*bd = (struct blkdisk){ &disk, disk.sectors, disk.q.nslots, submit, poll, disk.irq_port, plug };
	if (rc)
		bd->sectors = 0;
	return rc;
}

struct nvme_disk *nvme_blkdisk_driver(const struct blkdisk *bd)
{
	return bd->ctx;
}

void nvme_blkdisk_stop(struct blkdisk *bd)
{
	nvme_disk_stop(bd->ctx);
}
