/* Controller registers, disable and enable (driver-domains/nvme/nvme_ctrl.h). */
#include "kstring.h"
#include "rt/channel.h"
#include "rt/rt.h"
#include "nvme_ctrl.h"

#define PCI_COMMAND_MEM_MASTER 0x6

uint32_t nvme_ctrl_r32(const struct nvme_dev *d, unsigned off)
{
	return *(volatile uint32_t *)(d->regs + off);
}

static void w32(const struct nvme_dev *d, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(d->regs + off) = v;
}

static void w64(const struct nvme_dev *d, unsigned off, uint64_t v)
{
	w32(d, off, (uint32_t)v);
	w32(d, off + 4, (uint32_t)(v >> 32));
}

void nvme_ctrl_doorbell(const struct nvme_dev *d, unsigned qid, int cq, uint32_t val)
{
	w32(d, NVME_DOORBELL_BASE + (2 * qid + (cq ? 1u : 0u)) * (4u << NVME_CAP_DSTRD(d->cap)), val);
}

void nvme_ctrl_wait_step(const struct nvme_dev *d)
{
	if (d->waiting)
		d->waiting(d->waiting_arg);
	hv_yield();
}

int nvme_ctrl_open(struct nvme_dev *d, unsigned devidx, void *asq, void *acq, uint64_t cmd_ns)
{
	/* class 01:08:02 is an NVM Express controller */
	if (devidx >= rt_info.ndevices || !rt_info.devices[devidx].bar_gpa[0] ||
	    (hv_pci_cfg_read(devidx, 0x08, 4) >> 8) != 0x010802) {
		gprintf("nvme: device %u is not an assigned NVMe controller with a memory BAR\n", devidx);
		return NVME_EDEV;
	}
	memset(d, 0, sizeof(*d));
	d->devidx = devidx;
	d->regs = (volatile uint8_t *)(uintptr_t)rt_info.devices[devidx].bar_gpa[0];
	d->asq = asq;
	d->acq = acq;
	d->cmd_ns = cmd_ns;
	if (hv_pci_cfg_write(devidx, 0x04, 2, PCI_COMMAND_MEM_MASTER)) {
		gprintf("nvme: cannot enable memory decoding and bus mastering\n");
		return NVME_EDEV;
	}
	d->cap = (uint64_t)nvme_ctrl_r32(d, NVME_CAP + 4) << 32 | nvme_ctrl_r32(d, NVME_CAP);
	/* CAP.TO 0 would mean "no time at all": give such a device 500 ms. */
	d->ready_ns = (NVME_CAP_TO(d->cap) ? NVME_CAP_TO(d->cap) : 1) * 500000000ull;
	if (d->cap == ~0ull || !NVME_CAP_CSS_NVM(d->cap) || NVME_CAP_MPSMIN(d->cap) != 0 ||
	    NVME_CAP_MQES(d->cap) < NVME_ADMIN_ENTRIES - 1) {
		gprintf("nvme: CAP 0x%lx: no NVM command set, 4 KiB pages or queue room\n", d->cap);
		return NVME_EDEV;
	}
	return 0;
}

/* Wait until CSTS.RDY == want, at most CAP.TO of hv_time(). */
static int wait_ready(const struct nvme_dev *d, uint32_t want)
{
	uint64_t end = hv_time() + d->ready_ns;

	for (;;) {
		uint32_t csts = nvme_ctrl_r32(d, NVME_CSTS);
		if (csts == ~0u) {
			gprintf("nvme: CSTS reads all ones: the controller is gone\n");
			return NVME_EDEV;
		}
		if ((csts & NVME_CSTS_RDY) == want)
			return 0;
		if (want && (csts & NVME_CSTS_CFS)) {
			gprintf("nvme: controller fatal status while enabling\n");
			return NVME_EDEV;
		}
		if (hv_time() >= end) {
			gprintf("nvme: CSTS.RDY not %u within CAP.TO (%lu ms)\n", want,
				d->ready_ns / 1000000);
			return NVME_ETIMEDOUT;
		}
		nvme_ctrl_wait_step(d);
	}
}

int nvme_ctrl_disable(struct nvme_dev *d)
{
	w32(d, NVME_CC, 0);
	return wait_ready(d, 0);
}

int nvme_ctrl_enable(struct nvme_dev *d)
{
	memset(d->asq, 0, 4096);
	memset(d->acq, 0, 4096);
	d->a_tail = d->a_head = 0;
	d->a_phase = 1;
	w32(d, NVME_AQA, (NVME_ADMIN_ENTRIES - 1u) << 16 | (NVME_ADMIN_ENTRIES - 1u));
	w64(d, NVME_ASQ, (uint64_t)(uintptr_t)d->asq);
	w64(d, NVME_ACQ, (uint64_t)(uintptr_t)d->acq);
	w32(d, NVME_CC, NVME_CC_EN | NVME_CC_IOSQES_64 | NVME_CC_IOCQES_16);
	return wait_ready(d, 1);
}

int nvme_ctrl_shutdown(struct nvme_dev *d)
{
	uint64_t end = hv_time() + d->ready_ns;
	int rc = 0;

	w32(d, NVME_CC, nvme_ctrl_r32(d, NVME_CC) | NVME_CC_SHN_NORMAL);
	while (NVME_CSTS_SHST(nvme_ctrl_r32(d, NVME_CSTS)) != NVME_SHST_COMPLETE) {
		if (hv_time() >= end) {
			gprintf("nvme: shutdown not complete within CAP.TO\n");
			rc = NVME_ETIMEDOUT;
			break;
		}
		nvme_ctrl_wait_step(d);
	}
	int off = nvme_ctrl_disable(d);
	return rc ? rc : off;
}
