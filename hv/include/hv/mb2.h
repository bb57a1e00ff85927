/*
 * Multiboot2 boot information parser. Pure code: no hardware access, host-tested.
 * The hypervisor copies what it needs out of GRUB's structure once, at boot, into
 * struct boot_info; nothing later reads the original.
 */
#ifndef HV_MB2_H
#define HV_MB2_H

#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_MAX_MODULES      16
#define MB2_MAX_MMAP         64
#define MB2_CMDLINE_LEN      256
#define MB2_MODNAME_LEN      64

/* Memory map entry types (multiboot2 spec, section 3.6.8). */
#define MB2_MEM_AVAILABLE    1
#define MB2_MEM_ACPI         3
#define MB2_MEM_NVS          4
#define MB2_MEM_BAD          5

struct mb2_module {
	uint64_t start;                 /* physical, inclusive */
	uint64_t end;                   /* physical, exclusive */
	char name[MB2_MODNAME_LEN];     /* first word of the module string */
	char args[MB2_CMDLINE_LEN];     /* rest of the module string, leading spaces removed */
};

struct mb2_mem_range {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct boot_info {
	char cmdline[MB2_CMDLINE_LEN];  /* "" when absent; truncated strings are an error */
	unsigned nmods;
	struct mb2_module mods[MB2_MAX_MODULES];
	unsigned nmmap;
	struct mb2_mem_range mmap[MB2_MAX_MMAP];
	uint8_t rsdp[36];               /* copy of the ACPI RSDP from tag 14/15 (15 wins) */
	unsigned rsdp_len;              /* 0 when no RSDP tag was present */
	uint64_t info_start, info_end;  /* physical extent of the info structure itself */
};

/*
 * Parse the multiboot2 information structure at 'info' (physical address
 * 'info_pa', used only to fill info_start/info_end). 'avail' bounds how many
 * bytes may be read. Returns 0, or -1 with *why set to a static message for a
 * malformed structure (bad total size, tag past the end, tag size < 8, unaligned
 * tag, missing end tag, too many modules or map entries, over-long strings,
 * module with end < start).
 */
int mb2_parse(const void *info, size_t avail, uint64_t info_pa,
	      struct boot_info *out, const char **why);

#endif
