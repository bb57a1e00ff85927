/*
 * Guest-physical layout of every domain as the hypervisor builds it. The guest
 * starts in 64-bit long mode, identity-mapped, at its ELF entry point with
 * RDI = GUEST_START_INFO_GPA. Page 0 is left unmapped in the guest's own page
 * tables so a NULL dereference faults inside the guest.
 */
#ifndef PUBLIC_GUEST_LAYOUT_H
#define PUBLIC_GUEST_LAYOUT_H

#include <stdint.h>

#define GUEST_PML4_GPA        0x1000ull
#define GUEST_PDPT_GPA        0x2000ull
#define GUEST_PD_GPA          0x3000ull
#define GUEST_PT0_GPA         0x4000ull   /* 4 KiB table for the first 2 MiB */
#define GUEST_GDT_GPA         0x5000ull
#define GUEST_START_INFO_GPA  0x6000ull
#define GUEST_SHARED_INFO_GPA 0x7000ull   /* struct hv_shared_info (public/channel.h) */
#define GUEST_IMAGE_MIN_GPA   0x100000ull /* ELF segments load at or above 1 MiB */
#define GUEST_VA_LIMIT        0x40000000ull /* the guest page tables map 1 GiB */
#define GUEST_MMIO_GPA        0x30000000ull /* assigned devices' BARs are mapped from here */
#define GUEST_MMIO_END        0x3f000000ull

#define GUEST_START_MAGIC     0x54525453u   /* "STRT" */
#define GUEST_START_VERSION   1u

struct guest_start_info {
	uint32_t magic;             /* GUEST_START_MAGIC */
	uint32_t version;           /* GUEST_START_VERSION */
	uint32_t domid;
	uint32_t role;              /* enum bootcfg_role */
	uint64_t mem_bytes;         /* guest-physical memory is [0, mem_bytes) */
	uint64_t image_end;         /* first free guest-physical byte after the image */
	char     name[32];
	char     args[192];         /* from the scenario; NUL-terminated */
	uint32_t ndevices;          /* PCI devices assigned to this domain */
	uint32_t pad;
	struct guest_device {
		uint16_t vendor, device;
		uint8_t  bus, dev, fn, pad;
		uint64_t bar_gpa[6];    /* where each memory BAR is mapped; 0 = none */
		uint64_t bar_size[6];
	} devices[4];
};

_Static_assert(sizeof(struct guest_device) == 104, "guest_device layout");
_Static_assert(sizeof(struct guest_start_info) == 680, "guest_start_info layout");

#endif
