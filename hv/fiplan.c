/*
 * The fault plan at boot: the "faultplan" module is parsed (lib/faultplan.c)
 * and checked against the scenario before anything runs. A bad plan stops the
 * hypervisor with one line naming the plan's line and the reason, like a bad
 * boot descriptor.
 */
#include "fmt.h"
#include "kstring.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/elf.h"
#include "hv/faultinject.h"
#include "hv/printk.h"
#include "public/guest_layout.h"

#define PF_X 1u

static struct faultplan plan;

static const struct bootcfg_domain *scenario_domain(const char *name)
{
	for (unsigned i = 0; boot_cfg_domain(i); i++)
		if (!strcmp(boot_cfg_domain(i)->name, name))
			return boot_cfg_domain(i);
	return 0;
}

/* The fault's bytes lie in the file part of an executable segment of the
 * domain's image (identity-mapped: guest address = ELF address). */
static int in_text(const struct bootcfg_domain *dc, const struct faultplan_fault *f,
		   char *why, size_t wl)
{
	const struct mb2_module *m = boot_module(dc->image);
	struct elf_image img;
	const char *e;

	if (elf_parse(phys_to_virt(m->start), m->end - m->start, GUEST_IMAGE_MIN_GPA,
		      dc->mem_bytes, &img, &e)) {
		fmt_snprintf(why, wl, "image '%s' of %s is not loadable: %s", dc->image, dc->name, e);
		return -1;
	}
	for (unsigned i = 0; i < img.nsegs; i++) {
		const struct elf_segment *s = &img.segs[i];
		if ((s->flags & PF_X) && f->addr >= s->vaddr && f->addr - s->vaddr <= s->filesz &&
		    f->len <= s->filesz - (f->addr - s->vaddr))
			return 0;
	}
	fmt_snprintf(why, wl, "addr 0x%lx (%u bytes) is not in the loaded text of image '%s'",
		     f->addr, f->len, dc->image);
	return -1;
}

static int check_scenario(const struct faultplan_fault *f, char *why, size_t wl)
{
	const struct bootcfg_domain *dc = boot_cfg() ? scenario_domain(f->domain) : 0;

	if (!boot_cfg()) {
		fmt_snprintf(why, wl, "no scenario (module 'bootcfg') to inject into");
		return -1;
	}
	if (!dc) {
		fmt_snprintf(why, wl, "domain %s is not in scenario %s", f->domain, boot_cfg()->name);
		return -1;
	}
	if (f->gen > 1 && !(dc->flags & BOOTCFG_F_RESTART)) {
		fmt_snprintf(why, wl, "gen %u, but domain %s is never restarted (no 'restart yes')",
			     f->gen, f->domain);
		return -1;
	}
	return in_text(dc, f, why, wl);
}

static uint64_t quiet_ms_arg(void)
{
	char buf[16];
	uint64_t ms = 0;

	if (!boot_arg("fi_quiet_ms", buf, sizeof(buf)))
		return FI_QUIET_MS_DEFAULT;
	for (const char *c = buf; *c; c++) {
		if (*c < '0' || *c > '9' || ms > FI_QUIET_MS_MAX)
			hv_finish(HV_STATUS_REFUSED, "fi_quiet_ms=%s: not a number", buf);
		ms = ms * 10 + (uint64_t)(*c - '0');
	}
	if (ms < 1 || ms > FI_QUIET_MS_MAX)
		hv_finish(HV_STATUS_REFUSED, "fi_quiet_ms=%s: outside 1..%u", buf, FI_QUIET_MS_MAX);
	return ms;
}

void fiplan_load(void)
{
	const struct mb2_module *m = boot_module("faultplan");
	unsigned line;
	char why[160];

	if (!m)
		return;                 /* fi_quiet_ms= means nothing without a plan */
	uint64_t quiet_ms = quiet_ms_arg();
	if (faultplan_parse(phys_to_virt(m->start), m->end - m->start, &plan, &line, why,
			    sizeof(why)))
		hv_finish(HV_STATUS_REFUSED, "faultplan line %u: %s", line, why);
	for (unsigned i = 0; i < plan.n; i++)
		if (check_scenario(&plan.f[i], why, sizeof(why)))
			hv_finish(HV_STATUS_REFUSED, "faultplan line %u: %s", plan.f[i].line, why);
	printk("fi: plan: %u faults, quiet period %lu ms of its own time\n", plan.n, quiet_ms);
	fi_start(&plan, quiet_ms * 1000000ull);
}
