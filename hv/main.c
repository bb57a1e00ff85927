/*
 * Generic boot sequence: parse what GRUB handed over, set up memory, check for
 * hardware virtualization, validate the scenario, then either run one
 * in-hypervisor test (test=NAME) or build the scenario's domains and run them
 * until none is left alive.
 */
#include <stdint.h>
#include "errname.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/ctl.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/faultinject.h"
#include "hv/mm.h"
#include "hv/platform.h"
#include "hv/printk.h"
#include "hv/prof.h"
#include "hv/sched.h"

/* Provided by the test harness in hv-test.elf, by hv/notest.c otherwise. */

static void print_memory_map(const struct boot_info *bi)
{
	static const char *const types[] = { "?", "available", "reserved", "ACPI", "NVS", "bad" };

	printk("hv: memory map (%u entries):\n", bi->nmmap);
	for (unsigned i = 0; i < bi->nmmap; i++) {
		const struct mb2_mem_range *r = &bi->mmap[i];
		printk("hv:   [0x%016lx-0x%016lx) %s\n", r->base, r->base + r->len,
		       r->type < 6 ? types[r->type] : "reserved");
	}
	for (unsigned i = 0; i < bi->nmods; i++)
		printk("hv: module %-10s [0x%lx-0x%lx) %s\n", bi->mods[i].name,
		       bi->mods[i].start, bi->mods[i].end, bi->mods[i].args);
}

static void parse_boot_info(uint32_t magic, uint64_t info_pa)
{
	const char *why;

	if (magic != MB2_BOOTLOADER_MAGIC)
		hv_finish(HV_STATUS_REFUSED, "not booted by a multiboot2 loader (magic 0x%x)", magic);
	/* GRUB keeps the structure below 4 GiB; 1 MiB bounds a sane one. */
	if (mb2_parse(phys_to_virt(info_pa), 1u << 20, info_pa, &boot_info, &why))
		hv_finish(HV_STATUS_REFUSED, "malformed multiboot2 information: %s", why);
}

/* What a person can do about a domain that could not be built. */
static void build_failed(const struct bootcfg_header *cfg, const struct bootcfg_domain *dc,
			 int rc, uint64_t free_before)
{
	uint64_t need = 0;

	for (unsigned i = 0; i < cfg->ndomains; i++)
		need += boot_cfg_domain(i)->mem_bytes;
	if (rc == -HV_ENOMEM)
		hv_finish(HV_STATUS_FAIL, "domain %s could not be built: %s: the domains need %lu MiB "
			  "of RAM, %lu MiB were free when it was built: raise QEMU_MEM (make run "
			  "QEMU_MEM=512M) or lower their memory", dc->name, hv_errname(rc), need >> 20,
			  (uint64_t)(free_before * FRAME_SIZE >> 20));
	if (!boot_module(dc->image))
		hv_finish(HV_STATUS_FAIL, "domain %s could not be built: no module '%s' (its image "
			  "is missing from the boot ISO)", dc->name, dc->image);
	hv_finish(HV_STATUS_FAIL, "domain %s could not be built: %s%s", dc->name, hv_errname(rc),
		  dc->ndevices ? " (a device it names is missing, taken, or there is no IOMMU: "
		  "see the lines above; the scenario's machine must be attached)" : "");
}

/* Every domain of the scenario, or the run ends at once, FAIL with why. */
static void create_all(const struct bootcfg_header *cfg)
{
	for (unsigned i = 0; i < cfg->ndomains; i++) {
		const struct bootcfg_domain *dc = boot_cfg_domain(i);
		struct domain *d;
		uint64_t free_before = mm_free_frames();
		int rc = domain_create(dc, boot_module(dc->image), &d);
		if (rc) {
			printk("hv: domain %s not created: %s\n", dc->name, hv_errname(rc));
			build_failed(cfg, dc, rc, free_before);
		}
	}
}

static void run_scenario(void)
{
	const struct bootcfg_header *cfg = boot_cfg();
	unsigned crashed = 0, exited = 0;

	if (!cfg)
		hv_finish(HV_STATUS_REFUSED, "no boot descriptor (module 'bootcfg')");
	ctl_init();
	create_all(cfg);
	enum sched_stop_why why = sched_run(0, 0, 0);
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		struct domain *d = domain_by_id(id);
		if (!d)
			continue;
		printk("hv: domain %u (%s): %s%s%s\n", d->id, d->cfg.name,
		       domain_state_name(d->state), d->reason[0] ? ": " : "", d->reason);
		crashed += d->state == DOM_CRASHED;
		exited += d->state == DOM_DEAD;
	}
	prof_dump_all();
	hv_finish(HV_STATUS_PASS, "scenario %s finished (%s): %u exited, %u crashed",
		  cfg->name, why == SCHED_STUCK ? "all blocked" : "no domain left", exited, crashed);
}

void hv_main(uint32_t magic, uint64_t info_pa)
{
	char why[128], test[64];

	printk("\nhv: ddhv driver-domain hypervisor starting\n");
	parse_boot_info(magic, info_pa);
	printk("hv: command line '%s'\n", boot_info.cmdline);
	print_memory_map(&boot_info);
	mm_init(&boot_info);
	arch_paging_init(&boot_info);
	arch_platform_init();
	if (arch_virt_check(why, sizeof(why)))
		hv_finish(HV_STATUS_REFUSED, "no usable hardware virtualization: %s", why);
	if (arch_virt_init())
		panic("virtualization init failed");
	platform_discover();
	boot_load_cfg();
	fiplan_load();
	sched_init();
	arch_timer_start(prof_init());    /* SCHED_TICK_NS unless prof= is given */
	if (boot_arg("test", test, sizeof(test)))
		hvtest_main(test);
	run_scenario();
}
