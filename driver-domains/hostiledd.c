/*
 * A hostile NVMe driver domain for the containment test: every incarnation
 * scribbles its CPU state, forges a burst of interrupts by DMA into the
 * interrupt window and then commits one attack chosen by its generation,
 * which the hypervisor must notice and punish by itself (the domain never
 * reports anything):
 *   msix  write the MSI-X table through its BAR mapping
 *   dma   read a disk block into memory it does not own
 *   hang  spin with interrupts off, no hypercall, no watchdog kick
 *   idt   wreck its own exception handling, then fault (triple fault)
 *   wild  touch guest-physical memory outside its RAM and BARs
 * Generation until=N exits 0 instead. With `restart yes` it cycles through
 * the attacks for as long as the test wants.
 */
#include "driver-domains/nvme/nvme.h"
#include "faultinject/attacks.h"
#include "rt/channel.h"
#include "rt/rt.h"

static const char *const attacks[] = { "msix", "dma", "hang", "idt", "wild" };
#define NATTACKS (sizeof(attacks) / sizeof(attacks[0]))
#define WATCHDOG_NS 100000000ull

static uint8_t asq[4096] __attribute__((aligned(4096)));
static uint8_t acq[4096] __attribute__((aligned(4096)));
static uint8_t iosq[4096] __attribute__((aligned(4096)));
static uint8_t iocq[4096] __attribute__((aligned(4096)));
static struct fi_msi_block block __attribute__((aligned(4096)));

/* Guest-physical address of MSI-X table entry 0 inside our BAR mapping. */
static volatile uint32_t *msix_entry0(void)
{
	int64_t cap = hv_pci_cfg_read(0, 0x34, 1);

	for (int n = 0; cap >= 0x40 && cap < 0x100 && n < 16; n++) {
		if (hv_pci_cfg_read(0, (uint32_t)cap, 1) == 0x11) {
			uint32_t tbl = (uint32_t)hv_pci_cfg_read(0, (uint32_t)cap + 4, 4);
			uint64_t bar = rt_info.devices[0].bar_gpa[tbl & 7];
			return (volatile uint32_t *)(uintptr_t)(bar + (tbl & ~7u));
		}
		cap = hv_pci_cfg_read(0, (uint32_t)cap + 1, 1);
	}
	rt_fail("no MSI-X capability");
}

static void __attribute__((noreturn)) attack(const char *kind, struct nvme_ctrl *c)
{
	gprintf("hostiledd: attack %s\n", kind);
	if (!strcmp(kind, "msix")) {
		volatile uint32_t *e = msix_entry0();
		e[0] = 0xfee00000u;             /* compatibility format, CPU 0 */
		e[2] = 0x02;                    /* vector 2 */
	} else if (!strcmp(kind, "dma")) {
		nvme_rw(c, 0, 0, rt_info.mem_bytes + (64u << 20), 0);
		for (;;)                        /* the IOMMU's fault kills us meanwhile */
			hv_yield();
	} else {
		rt_crash(kind);
	}
	rt_fail("attack %s went unnoticed", kind);
}

int main(void)
{
	struct hv_self_info me;
	struct nvme_ctrl c;

	if (hv_self_info(&me) || rt_info.ndevices != 1)
		rt_fail("self info or device missing");
	hv_watchdog_kick(WATCHDOG_NS);
	fi_cpu_scribble(me.generation);
	if (hv_pci_cfg_write(0, 0x04, 2, 0x6) || hv_device_irq_bind(0) <= 0 ||
	    nvme_start(&c, (volatile uint8_t *)(uintptr_t)rt_info.devices[0].bar_gpa[0], asq, acq) ||
	    nvme_create_io(&c, iosq, iocq))
		rt_fail("NVMe set-up failed");
	hv_watchdog_kick(WATCHDOG_NS);
	fi_msi_standard(&block, 0, 0);
	if (nvme_rw(&c, 1, 0, (uintptr_t)block.dw, 0) ||
	    nvme_rw(&c, 0, 0, FI_MSI_WINDOW, 1000000) < 0)
		rt_fail("forging failed");
	hv_watchdog_kick(WATCHDOG_NS);
	gprintf("hostiledd: generation %lu forged %u interrupts\n", me.generation, block.nslots);
	if (me.generation >= rt_arg_u64("until", 11)) {
		nvme_stop(&c);
		hv_watchdog_kick(0);
		return 0;
	}
	attack(attacks[(me.generation - 1) % NATTACKS], &c);
}
