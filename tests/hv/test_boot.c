/* Boot: memory map parsed, frame allocator fed, modules found, SVM usable. */
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/hvtest.h"
#include "hv/mm.h"
#include "hv/printk.h"

extern char __hv_start[], __hv_end[];

HVTEST(boot)
{
	char why[96];
	uint64_t avail = 0;

	EXPECT(boot_info.nmmap > 0);
	for (unsigned i = 0; i < boot_info.nmmap; i++)
		if (boot_info.mmap[i].type == MB2_MEM_AVAILABLE)
			avail += boot_info.mmap[i].len;
	/* QEMU -m 256M: nearly all of it is available, and most of it free. */
	EXPECT(avail > (200ull << 20));
	EXPECT(mm_free_frames() * 4096 > (200ull << 20));
	EXPECT(mm_free_frames() * 4096 < avail);
	EXPECT(boot_module("bootcfg") != 0);
	EXPECT(boot_module("hello") != 0);
	EXPECT(boot_cfg() != 0);
	EXPECT(arch_virt_check(why, sizeof(why)) == 0);
	/* No frame handed out may overlap the hypervisor image or a module. */
	for (int i = 0; i < 64; i++) {
		uint64_t pa = mm_alloc_frame();
		EXPECT(pa >= 0x100000);
		EXPECT(pa + 4096 <= (uintptr_t)__hv_start || pa >= (uintptr_t)__hv_end);
		for (unsigned m = 0; m < boot_info.nmods; m++)
			EXPECT(pa + 4096 <= boot_info.mods[m].start || pa >= boot_info.mods[m].end);
		mm_free_frame(pa);
	}
	/* The time source advances. */
	uint64_t t0 = arch_time_ns();
	while (arch_time_ns() - t0 < 1000000)
		;
	EXPECT(arch_time_ns() > t0);
}
