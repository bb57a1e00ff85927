/*
 * A minimal NVMe admin path in a driver domain: enables bus mastering through
 * the mediated config space, sets up the admin queues in its own memory, runs
 * Identify Controller by DMA (through VT-d) into its own buffer, and checks the
 * serial number and model against serial= and model= ('_' stands for a space).
 * Also checks that config writes other than the command bits are refused.
 * prp=ADDR sends the Identify data to ADDR instead (a rogue driver); irq=1
 * waits for the completion interrupt (an event) instead of polling.
 * forge=1 (with irq=1) then pauses 100 ms, in which the hypervisor-side test
 * aims the NVMe's MSI-X entry 0 (withheld from this domain) at another
 * device's interrupt-remapping entry, as a device with a corrupted table
 * would, and completes a second Identify: the IOMMU must refuse that
 * interrupt, since it carries the NVMe's requester id.
 */
#include "driver-domains/nvme/nvme.h"
#include "rt/channel.h"
#include "rt/test.h"


static uint8_t asq[4096] __attribute__((aligned(4096)));
static uint8_t acq[4096] __attribute__((aligned(4096)));
static uint8_t ident[4096] __attribute__((aligned(4096)));
static volatile uint8_t *regs;

static uint32_t r32(unsigned o) { return *(volatile uint32_t *)(regs + o); }
static void w32(unsigned o, uint32_t v) { *(volatile uint32_t *)(regs + o) = v; }
static void w64(unsigned o, uint64_t v) { w32(o, (uint32_t)v); w32(o + 4, (uint32_t)(v >> 32)); }


static int wait_rdy(uint32_t want)
{
	for (int i = 0; i < 100000; i++) {
		if ((r32(NVME_CSTS) & 1) == want)
			return 0;
		hv_yield();
	}
	return -1;
}

static void config_mediation(void)
{
	int64_t bar0 = hv_pci_cfg_read(0, 0x10, 4);
	GCHECK(bar0 > 0);
	GCHECK_EQ(hv_pci_cfg_write(0, 0x10, 4, 0xfee00000u), -HV_EPERM);  /* move a BAR */
	GCHECK_EQ(hv_pci_cfg_read(0, 0x10, 4), bar0);
	GCHECK_EQ(hv_pci_cfg_write(0, 0x3c, 1, 5), -HV_EPERM);            /* interrupt line */
	GCHECK_EQ(hv_pci_cfg_write(0, 0x04, 2, 0x1), -HV_EPERM);          /* I/O space enable */
	GCHECK_EQ(hv_pci_cfg_write(0, 0x04, 2, 0x10000), -HV_EINVAL);
	GCHECK_EQ(hv_pci_cfg_write(0, 0x05, 2, 0), -HV_EINVAL);           /* misaligned */
	GCHECK_EQ(hv_pci_cfg_read(1, 0, 4), -HV_ENOENT);                  /* not our device */
	GCHECK_EQ(hv_pci_cfg_read(0, 4096, 4), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_PCI_CFG_WRITE, 0, 0x04, 4, 1ull << 32, 0), -HV_EINVAL); /* > 32 bits */
	GCHECK_EQ(hv_call5(HC_PCI_CFG_READ, 0, 0, (1ull << 32) | 4, 0, 0), -HV_EINVAL);
	/* every capability (MSI/MSI-X address and data among them) is off limits */
	int64_t cap = hv_pci_cfg_read(0, 0x34, 1);
	for (int n = 0; cap >= 0x40 && cap < 0x100 && n < 16; n++) {
		GCHECK_EQ(hv_pci_cfg_write(0, (uint32_t)cap + 4, 4, 0xfee00000u), -HV_EPERM);
		cap = hv_pci_cfg_read(0, (uint32_t)cap + 1, 1);
	}
}

static void want_string(const uint8_t *field, unsigned len, const char *key)
{
	char arg[48];
	unsigned n = 0;

	if (!rt_arg_str(key, arg, sizeof(arg)))
		rt_fail("no %s= argument", key);
	for (; arg[n]; n++)
		if (arg[n] == '_')
			arg[n] = ' ';
	GCHECK(n <= len && !memcmp(field, arg, n));
	for (unsigned i = n; i < len; i++)
		GCHECK(field[i] == ' ');       /* NVMe pads ASCII fields with spaces */
}

/* The second admin command (slot 1 of the 2-entry queues) completes after
 * the test has aimed our MSI-X entry 0 at another device's remapping entry. */
static void forge(int64_t irq_port, uint32_t dstrd)
{
	volatile uint32_t *cqe = (volatile uint32_t *)(acq + 16);
	uint32_t *cmd = (uint32_t *)(asq + 64);
	int i;

	gprintf("forge: waiting for the test to aim MSI-X entry 0 elsewhere\n");
	hv_sleep(100000000ull);
	rt_events_take();
	memset(cmd, 0, 64);
	cmd[0] = 0x06 | (8u << 16);                        /* Identify, command id 8 */
	cmd[6] = (uint32_t)(uintptr_t)ident;
	cmd[10] = 1;
	w32(0x1000, 0);                                    /* SQ0 tail wraps to 0 */
	for (i = 0; i < 100000 && !(cqe[3] & (1u << 16)); i++)
		hv_yield();
	GCHECK(cqe[3] & (1u << 16));
	GCHECK_EQ(cqe[3] & 0xffff, 8);
	w32(0x1000 + (4u << dstrd), 0);                    /* CQ0 head wraps to 0 */
	hv_sleep(200000000ull);                            /* let a leaked interrupt land */
	GCHECK(!(rt_events_take() >> irq_port & 1));        /* not ours either */
	gprintf("forge: completion posted with its interrupt aimed at another remapping entry\n");
}

int main(void)
{
	GCHECK_EQ(rt_info.ndevices, 1);
	GCHECK_EQ(rt_info.devices[0].device, 0x0010);
	regs = (volatile uint8_t *)(uintptr_t)rt_info.devices[0].bar_gpa[0];
	config_mediation();
	GCHECK_EQ(hv_pci_cfg_write(0, 0x04, 2, 0x6), 0);                  /* memory + bus master */
	GCHECK_EQ(hv_pci_cfg_read(0, 0x04, 2) & 0x7, 0x6);

	int64_t irq_port = 0;
	if (rt_arg_u64("irq", 0)) {
		irq_port = hv_device_irq_bind(0);
		GCHECK(irq_port > 0);
		GCHECK_EQ(hv_device_irq_bind(0), -HV_EBUSY);
		GCHECK_EQ(hv_evtchn_send((uint32_t)irq_port), -HV_EPERM);  /* only the device raises it */
		GCHECK_EQ(hv_evtchn_status((uint32_t)irq_port), EVTCHN_DEVICE);
		rt_events_take();
	}
	uint32_t dstrd = (uint32_t)(((uint64_t)r32(NVME_CAP + 4) << 32 | r32(NVME_CAP)) >> 32) & 0xf;
	w32(NVME_CC, 0);
	if (wait_rdy(0))
		rt_fail("controller did not stop");
	w32(NVME_AQA, (1u << 16) | 1u);
	w64(NVME_ASQ, (uint64_t)(uintptr_t)asq);         /* guest-physical = DMA address */
	w64(NVME_ACQ, (uint64_t)(uintptr_t)acq);
	w32(NVME_CC, 1u | (6u << 16) | (4u << 20));
	if (wait_rdy(1))
		rt_fail("controller did not start");

	/* prp=ADDR aims the DMA elsewhere: the rogue-driver test. */
	uint64_t prp = rt_arg_u64("prp", (uintptr_t)ident);
	uint32_t *cmd = (uint32_t *)asq;
	cmd[0] = 0x06 | (7u << 16);                        /* Identify, command id 7 */
	cmd[6] = (uint32_t)prp;                            /* PRP1 */
	cmd[7] = (uint32_t)(prp >> 32);
	cmd[10] = 1;                                       /* CNS 1: controller */
	w32(0x1000, 1);                                    /* SQ0 tail doorbell */
	if (prp != (uintptr_t)ident) {
		gprintf("rogue: Identify aimed at 0x%lx\n", prp);
		hv_sleep(2000000000ull);
		gprintf("rogue: still alive\n");
		return 99;
	}
	volatile uint32_t *cqe = (volatile uint32_t *)acq;
	int i;
	if (irq_port > 0) {
		uint64_t bits = 0;
		for (i = 0; i < 50 && !(bits & (1ull << irq_port)); i++) {
			rt_wait_event(100000000ull);
			bits |= rt_events_take();
		}
		GCHECK(bits & (1ull << irq_port));
		gprintf("identify: completion interrupt %s on port %ld\n",
			bits & (1ull << irq_port) ? "arrived" : "MISSING", (long)irq_port);
	}
	for (i = 0; i < 100000 && !(cqe[3] & (1u << 16)); i++)
		hv_yield();
	GCHECK(cqe[3] & (1u << 16));                       /* phase bit: completion posted */
	GCHECK_EQ((cqe[3] >> 16) & 0xffff & ~1u, 0);       /* status success */
	GCHECK_EQ(cqe[3] & 0xffff, 7);                     /* our command id */
	w32(0x1000 + (4u << dstrd), 1);                    /* CQ0 head doorbell */
	gprintf("identify: serial '%.20s' model '%.40s'\n", (const char *)ident + 4,
		(const char *)ident + 24);
	want_string(ident + 4, 20, "serial");
	want_string(ident + 24, 40, "model");
	if (irq_port > 0 && rt_arg_u64("forge", 0))
		forge(irq_port, dstrd);
	w32(NVME_CC, 0);
	return rt_test_result();
}
