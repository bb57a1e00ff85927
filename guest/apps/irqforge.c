/*
 * A hostile NVMe driver that forges interrupts by DMA. The device's writes to
 * 0xFEE00000-0xFEEFFFFF are interrupt requests, and the VT-d unit splits a DMA
 * there into one 4-byte request per dword (address = 0xFEE00000 + offset,
 * data = the dword). So the driver writes a block of crafted MSI data values
 * to LBA 0 and reads it back with PRP1 = 0xFEE00000: each dword becomes an
 * interrupt with the vector and delivery mode the driver chose.
 *
 * Which dwords become what depends on the offset (address bits): bit 2 is the
 * destination mode (1 = logical; destination 0 reaches nobody), bit 4 the
 * remappable format (looked up in the remapping table, which has no entry for
 * these), bits 19:12 the destination APIC id (0 in the first page: the boot
 * CPU). Only dwords whose offset has bits 2 and 4 clear (dword index i with
 * i % 8 in {0, 2}) are compatibility-format, physical-destination requests to
 * CPU 0: 256 per 4 KiB block; the payload goes there.
 *
 * Forged (faultinject/attacks.c, fi_msi_standard): every vector 0-31, the
 * timer vector, the spurious vector, vectors nothing allocated, every device
 * vector (its own among them), NMI delivery, lowest-priority, ExtINT and
 * level-triggered requests. rounds=N repeats it (default 3, 20 ms apart);
 * init=1 / smi=1 add one INIT / SMI request (used to measure what QEMU does,
 * not by the tests).
 */
#include "driver-domains/nvme/nvme.h"
#include "faultinject/attacks.h"
#include "rt/channel.h"
#include "rt/test.h"

static uint8_t asq[4096] __attribute__((aligned(4096)));
static uint8_t acq[4096] __attribute__((aligned(4096)));
static uint8_t iosq[4096] __attribute__((aligned(4096)));
static uint8_t iocq[4096] __attribute__((aligned(4096)));
static struct fi_msi_block block __attribute__((aligned(4096)));

int main(void)
{
	struct nvme_ctrl c;
	uint64_t rounds = rt_arg_u64("rounds", 3);

	GCHECK_EQ(rt_info.ndevices, 1);
	GCHECK_EQ(hv_pci_cfg_write(0, 0x04, 2, 0x6), 0);        /* memory + bus master */
	int64_t port = hv_device_irq_bind(0);                   /* so the device has a vector */
	GCHECK(port > 0);
	if (nvme_start(&c, (volatile uint8_t *)(uintptr_t)rt_info.devices[0].bar_gpa[0], asq, acq) ||
	    nvme_create_io(&c, iosq, iocq))
		rt_fail("NVMe controller set-up failed");
	fi_msi_standard(&block, (int)rt_arg_u64("smi", 0), (int)rt_arg_u64("init", 0));
	GCHECK_EQ(nvme_rw(&c, 1, 0, (uintptr_t)block.dw, 0), 0);   /* the payload to LBA 0..7 */
	for (uint64_t r = 1; r <= rounds; r++) {
		/* ...and back, as interrupts; spin so the guest runs when they land */
		int st = nvme_rw(&c, 0, 0, FI_MSI_WINDOW, 50000000);
		gprintf("irqforge: round %lu: %u forged requests sent, read status %d\n", r,
			block.nslots, st);
		GCHECK(st >= 0);
		hv_sleep(20000000ull);
	}
	nvme_stop(&c);
	gprintf("irqforge: done, still alive\n");
	return rt_test_result();
}
