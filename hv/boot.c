/* Boot information: command line, modules and the boot descriptor. */
#include <stdint.h>
#include "bootcfg_check.h"
#include "kstring.h"
#include "kvargs.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/printk.h"

struct boot_info boot_info;
static const struct bootcfg_header *cfg;

const struct mb2_module *boot_module(const char *name)
{
	for (unsigned i = 0; i < boot_info.nmods; i++)
		if (!strcmp(boot_info.mods[i].name, name))
			return &boot_info.mods[i];
	return 0;
}

const char *boot_arg(const char *key, char *buf, unsigned len)
{
	return kv_copy(boot_info.cmdline, key, buf, len);
}

/*
 * Validate the "bootcfg" module. A bad descriptor stops the hypervisor with a
 * single clear line: nothing in it is trusted until it has passed every check.
 */
void boot_load_cfg(void)
{
	const struct mb2_module *m = boot_module("bootcfg");
	char why[128];

	if (!m)
		return;
	const void *buf = phys_to_virt(m->start);
	if (bootcfg_check(buf, m->end - m->start, why, sizeof(why)))
		hv_finish(HV_STATUS_REFUSED, "boot descriptor rejected: %s", why);
	cfg = buf;
	for (unsigned i = 0; i < cfg->ndomains; i++) {
		const struct bootcfg_domain *d = boot_cfg_domain(i);
		if (!boot_module(d->image))
			hv_finish(HV_STATUS_REFUSED,
				  "boot descriptor rejected: domain %s: no module named '%s'",
				  d->name, d->image);
	}
	printk("hv: scenario '%s': %u domains\n", cfg->name, cfg->ndomains);
}

const struct bootcfg_header *boot_cfg(void)
{
	return cfg;
}

const struct bootcfg_domain *boot_cfg_domain(unsigned i)
{
	if (!cfg || i >= cfg->ndomains)
		return 0;
	const uint8_t *base = (const uint8_t *)cfg + cfg->header_size;
	return (const struct bootcfg_domain *)(base + (uint64_t)i * cfg->domain_size);
}
