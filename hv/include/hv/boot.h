/* What the boot loader handed over, parsed once at boot. */
#ifndef HV_BOOT_H
#define HV_BOOT_H

#include "hv/mb2.h"
#include "public/bootcfg.h"

extern struct boot_info boot_info;

const struct mb2_module *boot_module(const char *name);
/* Value of "key=value" on the command line, or NULL. */
const char *boot_arg(const char *key, char *buf, unsigned len);
/* The validated boot descriptor (module "bootcfg"), or NULL when absent. */
const struct bootcfg_header *boot_cfg(void);
const struct bootcfg_domain *boot_cfg_domain(unsigned i);
/* The generic boot sequence, entered from the architecture's C entry with the
 * multiboot2 magic and the boot information's physical address. */
void hv_main(uint32_t magic, uint64_t info_pa);
/* Find, validate and keep the boot descriptor (module "bootcfg"). */
void boot_load_cfg(void);
/* Run in-hypervisor test 'name' (hv-test.elf), or refuse (hv.elf). */
void hvtest_main(const char *name);

#endif
