/*
 * Reads the MAC address of its assigned e1000 through the device's MMIO BAR
 * (receive address registers RAL0/RAH0) and compares it with mac=... from the
 * scenario (the one on QEMU's command line). Exit 0 when they match.
 */
#include "rt/test.h"

#define E1000_RAL0 0x5400
#define E1000_RAH0 0x5404
#define RAH_AV     (1u << 31)

static int parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++, s++) {
			char c = *s;
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
				c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (d < 0)
				return -1;
			v = v * 16 + (unsigned)d;
		}
		mac[i] = (uint8_t)v;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return *s ? -1 : 0;
}

int main(void)
{
	char arg[24];
	uint8_t want[6], got[6];

	if (!rt_arg_str("mac", arg, sizeof(arg)) || parse_mac(arg, want))
		rt_fail("mac=xx:xx:xx:xx:xx:xx argument missing or malformed");
	GCHECK_EQ(rt_info.ndevices, 1);
	const struct guest_device *dev = &rt_info.devices[0];
	GCHECK_EQ(dev->vendor, 0x8086);
	GCHECK_EQ(dev->device, 0x100e);
	GCHECK(dev->bar_gpa[0] >= GUEST_MMIO_GPA && dev->bar_size[0] == 0x20000);
	if (rt_test_failures)
		return rt_test_result();
	volatile uint32_t *regs = (volatile uint32_t *)(uintptr_t)dev->bar_gpa[0];
	uint32_t ral = regs[E1000_RAL0 / 4], rah = regs[E1000_RAH0 / 4];
	for (int i = 0; i < 4; i++)
		got[i] = (uint8_t)(ral >> (8 * i));
	got[4] = (uint8_t)rah;
	got[5] = (uint8_t)(rah >> 8);
	gprintf("e1000 %02x:%02x.%x MAC %02x:%02x:%02x:%02x:%02x:%02x (address %svalid)\n",
		dev->bus, dev->dev, dev->fn, got[0], got[1], got[2], got[3], got[4], got[5],
		rah & RAH_AV ? "" : "not ");
	GCHECK(rah & RAH_AV);
	GCHECK(!memcmp(got, want, 6));
	return rt_test_result();
}
