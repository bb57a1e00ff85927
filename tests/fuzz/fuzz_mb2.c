/*
 * libFuzzer target: the multiboot2 information parser (hv/mb2.c) on arbitrary
 * bytes, as hv/main.c hands it GRUB's structure. When it accepts, struct
 * boot_info must be what the rest of the hypervisor assumes: every string
 * NUL-terminated inside its array (printk "%s", strcmp in boot_module), module
 * names without spaces, end >= start, counts within their arrays, memory map
 * ranges that do not wrap (mm_init), an RSDP copy of 0, 20 or 36 bytes, and an
 * info extent inside what was readable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/mb2.h"

#define INFO_PA 0x10000ull

static void die(const char *what)
{
	fprintf(stderr, "fuzz_mb2: accepted structure breaks an invariant: %s\n", what);
	abort();
}

static int terminated(const char *s, size_t cap) { return memchr(s, 0, cap) != 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	const char *why = 0;
	uint8_t *info = malloc(size ? size : 1);  /* exactly sized: ASan sees overreads */

	memcpy(info, data, size);
	if (mb2_parse(info, size, INFO_PA, &bi, &why)) {
		if (!why)
			die("rejected without a reason");
		free(info);
		return 0;
	}
	if (!terminated(bi.cmdline, sizeof(bi.cmdline)))
		die("command line not terminated");
	if (bi.nmods > MB2_MAX_MODULES || bi.nmmap > MB2_MAX_MMAP)
		die("counts");
	for (unsigned i = 0; i < bi.nmods; i++) {
		const struct mb2_module *m = &bi.mods[i];
		if (!terminated(m->name, sizeof(m->name)) || !terminated(m->args, sizeof(m->args)))
			die("module strings not terminated");
		if (strchr(m->name, ' ') || m->args[0] == ' ')
			die("module name/args split");
		if (m->end < m->start)
			die("module ends before it starts");
	}
	for (unsigned i = 0; i < bi.nmmap; i++)
		if (bi.mmap[i].base + bi.mmap[i].len < bi.mmap[i].base)
			die("memory range wraps");
	if (bi.rsdp_len != 0 && bi.rsdp_len != 20 && bi.rsdp_len != 36)
		die("RSDP length");
	if (bi.info_start != INFO_PA || bi.info_end < bi.info_start ||
	    bi.info_end - bi.info_start > size || bi.info_end - bi.info_start < 16)
		die("info extent");
	free(info);
	return 0;
}
