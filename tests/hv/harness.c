/*
 * In-hypervisor test harness: finds the test named on the command line, runs
 * it, and reports exactly one HV-RESULT line. A failed EXPECT prints its file,
 * line and expression and makes the result FAIL; the test still runs to the end
 * so every failure is shown.
 */
#include "kstring.h"
#include "hv/boot.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "hv/prof.h"

extern const struct hvtest __start_hvtests[], __stop_hvtests[];

static int failures;

void hvtest_check(int ok, const char *file, int line, const char *expr)
{
	if (ok)
		return;
	failures++;
	printk("hvtest: CHECK FAILED %s:%d: %s\n", file, line, expr);
}

int hvtest_failed(void)
{
	return failures;
}

const struct bootcfg_domain *hvtest_cfg(const char *name)
{
	const struct bootcfg_header *h = boot_cfg();

	for (unsigned i = 0; h && i < h->ndomains; i++)
		if (!strcmp(boot_cfg_domain(i)->name, name))
			return boot_cfg_domain(i);
	return 0;
}

struct domain *hvtest_create(const char *name)
{
	const struct bootcfg_domain *c = hvtest_cfg(name);
	struct domain *d = 0;

	if (!c)
		hv_finish(HV_STATUS_FAIL, "scenario has no domain named %s", name);
	int rc = domain_create(c, boot_module(c->image), &d);
	if (rc)
		hv_finish(HV_STATUS_FAIL, "creating domain %s failed (%d)", name, rc);
	return d;
}

void hvtest_create_all(struct domain **out, unsigned max, unsigned *n)
{
	const struct bootcfg_header *h = boot_cfg();

	*n = 0;
	for (unsigned i = 0; h && i < h->ndomains && i < max; i++)
		out[(*n)++] = hvtest_create(boot_cfg_domain(i)->name);
}

void hvtest_main(const char *name)
{
	for (const struct hvtest *t = __start_hvtests; t < __stop_hvtests; t++) {
		if (strcmp(t->name, name))
			continue;
		printk("hvtest: running %s\n", name);
		t->fn();
		prof_dump_all();
		if (failures)
			hv_finish(HV_STATUS_FAIL, "%s: %d check(s) failed", name, failures);
		hv_finish(HV_STATUS_PASS, "%s", name);
	}
	printk("hvtest: available tests:");
	for (const struct hvtest *t = __start_hvtests; t < __stop_hvtests; t++)
		printk(" %s", t->name);
	printk("\n");
	hv_finish(HV_STATUS_FAIL, "no test named %s", name);
}
