/*
 * The disk driver domain's site-fault hooks (faultinject/diskfaults.h), the
 * disk counterparts of faultinject/nicfaults.c: what a device, DMA, protocol
 * or hang fault does when diskdd reaches its site. A one-shot hook keeps a
 * static flag (reset with the image at the next generation); a persistent
 * one acts on every pass. Each says "diskfaults: TYPE" once per generation
 * when it first acts. Hook bodies are fi_hookc_*, helpers diskfaults_*:
 * fimut picks no code faults in either.
 */
#include "backend/blkback.h"
#include "driver-domains/nvme/nvme_disk.h"
#include "driver-domains/nvme/nvme_regs.h"
#include "faultinject/fihelp.h"
#include "faultinject/diskfaults.h"
#include "public/io/blkif.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"

static struct blkdisk *the_disk;

void diskfaults_attach(struct blkdisk *disk)
{
	the_disk = disk;
}

#define ONCE(type)  FI_ONCE("diskfaults", type)
#define FIRST(type) FI_FIRST("diskfaults", type)

/* dma_wild (one-shot): the next read command's data pointer (PRP1) aimed 16
 * MiB past the domain's RAM; the NVMe writes there, the IOMMU must stop it.
 * arg: the command about to be copied into the submission queue. */
FI_HOOK(dma_wild, fi_hookc_dma_wild);
static void fi_hookc_dma_wild(void *arg)
{
	struct nvme_sqe *c = arg;

	if (c->opc != NVME_CMD_READ)
		return;                         /* wait for a read */
	ONCE("dma_wild");
	c->prp1 = rt_info.mem_bytes + (16u << 20);
}

/* dev_stop (one-shot): the controller disabled (CC.EN = 0) behind the
 * driver's back, as it rings the submission doorbell. arg: the nvme_disk. */
FI_HOOK(dev_stop, fi_hookc_dev_stop);
static void fi_hookc_dev_stop(void *arg)
{
	struct nvme_disk *nd = arg;
	volatile uint32_t *cc = (volatile uint32_t *)(nd->dev.regs + NVME_CC);

	ONCE("dev_stop");
	*cc &= ~NVME_CC_EN;
}

/* desc_status (one-shot): a posted completion entry's status corrupted
 * (Internal Error) although the command succeeded. arg: the entry's dword 3
 * as the driver read it. */
FI_HOOK(desc_status, fi_hookc_desc_status);
static void fi_hookc_desc_status(void *arg)
{
	uint32_t *dw3 = arg;

	ONCE("desc_status");
	*dw3 = (*dw3 & 0x1ffffu) | 0x6u << 17;
}

/* irq_lost (persistent): the disk's event bit dropped from the event word
 * before the driver looks. arg: the event word just taken. */
FI_HOOK(irq_lost, fi_hookc_irq_lost);
static void fi_hookc_irq_lost(void *arg)
{
	uint64_t *ev = arg;
	struct blkdisk *d = the_disk;

	if (!d || d->irq_port <= 0 || !(*ev >> d->irq_port & 1))
		return;
	FIRST("irq_lost");
	*ev &= ~(1ull << d->irq_port);
}

/* hang_irqon, hang_irqoff, wd_starve (arg: diskdd's "keep kicking" flag). */
FI_HOOKS_DRIVER("diskfaults")

/* ---- protocol faults, backend side (blkback toward its clients) ---- */

/* proto_badid (one-shot): the response just written names an id the client
 * never used. arg: the response slot. */
FI_HOOK(proto_badid, fi_hookc_proto_badid);
static void fi_hookc_proto_badid(void *arg)
{
	struct blkif_response *r = arg;

	ONCE("proto_badid");
	r->id ^= 0x5a5a000000ull;
}

/* proto_garbage, proto_back, proto_ahead. */
FI_HOOKS_BACKEND("diskfaults", bb_client, blkif_response)
