/*
 * A hostile NVMe driver: binds its device interrupt (the hypervisor programs
 * MSI-X entry 0), then goes after the MSI-X structures the hypervisor owns.
 * Config space first (the MSI and MSI-X capabilities must refuse every write),
 * then, by mode=, through its BAR mapping:
 *   write  rewrite entry 0's address and data (to steer the interrupt)
 *   read   read entry 0
 *   last   write the data word of the last entry (the table's last page)
 *   slack  read the last dword of the table's last page, past the table
 *   pba    read the pending-bit array
 *   edges  touch only registers next to the protected pages; exits 0
 * Every mode but edges must be killed at the access; if the access goes
 * through, the program says so and exits 0 (the hypervisor test then fails).
 */
#include "rt/channel.h"
#include "rt/test.h"

#define CAP_MSI   0x05
#define CAP_MSIX  0x11

static volatile uint8_t *bar[6];

static unsigned find_cap(uint8_t id)
{
	int64_t off = hv_pci_cfg_read(0, 0x34, 1) & 0xfc;

	for (int n = 0; off >= 0x40 && off < 0x100 && n < 48; n++) {
		if (hv_pci_cfg_read(0, (uint32_t)off, 1) == id)
			return (unsigned)off;
		off = hv_pci_cfg_read(0, (uint32_t)off + 1, 1) & 0xfc;
	}
	return 0;
}

/* Every write to either capability is refused, the control word included. */
static void config_writes(unsigned msix)
{
	unsigned msi = find_cap(CAP_MSI);
	int64_t ctl = hv_pci_cfg_read(0, msix + 2, 2);

	GCHECK(ctl >= 0);
	GCHECK_EQ(hv_pci_cfg_write(0, msix + 2, 2, ((uint32_t)ctl & ~0x8000u) | 0x4000u), -HV_EPERM);
	GCHECK_EQ(hv_pci_cfg_write(0, msix, 4, 0), -HV_EPERM);
	GCHECK_EQ(hv_pci_cfg_write(0, msix + 4, 4, 0x1000), -HV_EPERM);    /* move the table */
	GCHECK_EQ(hv_pci_cfg_write(0, msix + 8, 4, 0x1000), -HV_EPERM);    /* move the PBA */
	GCHECK_EQ(hv_pci_cfg_read(0, msix + 2, 2), ctl);
	if (msi) {
		GCHECK_EQ(hv_pci_cfg_write(0, msi + 2, 2, 1), -HV_EPERM);  /* MSI enable */
		GCHECK_EQ(hv_pci_cfg_write(0, msi + 4, 4, 0xfee00000u), -HV_EPERM);
	}
	/* Wherever a device keeps its MSI capability: no dword but the command
	 * register takes a write. */
	int refused = 0;
	for (uint32_t off = 0; off < 4096; off += 4)
		refused += off != 4 && hv_pci_cfg_write(0, off, 4, 0) == -HV_EPERM;
	GCHECK_EQ(refused, 1023);
	gprintf("msixattack: config writes to MSI-X%s and to %d other dwords refused\n",
		msi ? ", MSI" : " (no MSI capability)", refused);
}

static volatile uint32_t *at(uint32_t bir_off, uint64_t extra)
{
	volatile uint8_t *b = bar[bir_off & 7];

	if (!b)
		rt_fail("MSI-X structure in unmapped BAR%u", bir_off & 7);
	return (volatile uint32_t *)(b + (bir_off & ~7u) + extra);
}

int main(void)
{
	char mode[16];

	if (!rt_arg_str("mode", mode, sizeof(mode)))
		memcpy(mode, "write", 6);
	GCHECK_EQ(rt_info.ndevices, 1);
	for (unsigned b = 0; b < 6; b++)
		bar[b] = (volatile uint8_t *)(uintptr_t)rt_info.devices[0].bar_gpa[b];
	unsigned msix = find_cap(CAP_MSIX);
	if (!msix)
		rt_fail("no MSI-X capability");
	uint32_t nvec = ((uint32_t)hv_pci_cfg_read(0, msix + 2, 2) & 0x7ff) + 1;
	uint32_t tbl = (uint32_t)hv_pci_cfg_read(0, msix + 4, 4);
	uint32_t pba = (uint32_t)hv_pci_cfg_read(0, msix + 8, 4);
	uint64_t tbl_end = (tbl & ~7u) + 16ull * nvec, pba_end = (pba & ~7u) + (nvec + 63) / 64 * 8;
	gprintf("msixattack: %u vectors, table BAR%u+0x%x, PBA BAR%u+0x%x\n", nvec, tbl & 7,
		tbl & ~7u, pba & 7, pba & ~7u);

	config_writes(msix);
	GCHECK_EQ(hv_pci_cfg_write(0, 0x04, 2, 0x2), 0);      /* memory decoding */
	int64_t port = hv_device_irq_bind(0);
	GCHECK(port > 0);
	gprintf("msixattack: interrupt bound to port %ld; mode %s\n", (long)port, mode);
	hv_yield();                                           /* the test looks at entry 0 now */
	hv_yield();
	if (rt_test_result())
		return rt_test_result();

	volatile uint32_t *p;
	if (!strcmp(mode, "edges")) {
		/* The dwords right before the table's first page and after the PBA's
		 * last page are ordinary registers (or nothing) and stay reachable. */
		uint64_t before = ((tbl & ~7u) & ~0xfffull) - 4;
		uint64_t after = (pba_end + 0xfff) & ~0xfffull;
		if ((tbl & ~7u) >= 0x1000)
			(void)*at(tbl & 7, before);
		if (after < rt_info.devices[0].bar_size[pba & 7])
			(void)*at(pba & 7, after);
		gprintf("msixattack: edges 0x%lx and 0x%lx reachable\n", before, after);
		return rt_test_result();
	}
	if (!strcmp(mode, "write")) {
		p = at(tbl, 0);
		p[0] = 0xfee01000u;                           /* compatibility format, other CPU */
		p[1] = 0;
		p[2] = 0x41;
		gprintf("msixattack: entry 0 rewritten: 0x%x 0x%x\n", p[0], p[2]);
	} else if (!strcmp(mode, "read")) {
		p = at(tbl, 0);
		gprintf("msixattack: entry 0 reads 0x%x 0x%x\n", p[0], p[2]);
	} else if (!strcmp(mode, "last")) {
		p = at(tbl, 16ull * (nvec - 1) + 8);
		*p = 0x42;
		gprintf("msixattack: entry %u data rewritten\n", nvec - 1);
	} else if (!strcmp(mode, "slack")) {
		p = at(tbl, ((tbl_end + 0xfff) & ~0xfffull) - 4 - (tbl & ~7u));
		gprintf("msixattack: past the table reads 0x%x\n", *p);
	} else if (!strcmp(mode, "pba")) {
		p = at(pba, 0);
		gprintf("msixattack: PBA reads 0x%x\n", *p);
	} else {
		rt_fail("unknown mode %s", mode);
	}
	return 0;
}
