/* A guest's hardware breakpoints stay its own: armed at code another domain
 * runs, or at the hypervisor's hypercall dispatcher, they never fire there;
 * nor do its watchpoints at data another domain writes, or at a counter the
 * hypervisor updates on every hypercall of the first armer. */
#include "fmt.h"
#include "kstring.h"
#include "hv/boot.h"
#include "hv/hvtest.h"
#include "hv/hypercall.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

HVTEST(dr_breakpoints)
{
	struct domain *a = hvtest_create("armer"), *v = hvtest_create("victim"), *h;
	struct bootcfg_domain cfg = *hvtest_cfg("hvarmer");
	size_t len = strlen(cfg.args);

	fmt_snprintf(cfg.args + len, sizeof(cfg.args) - len, " addr=0x%lx waddr=0x%lx",
		     (uint64_t)(uintptr_t)hypercall_dispatch, (uint64_t)(uintptr_t)&a->vcpu.hypercalls);
	EXPECT_EQ(domain_create(&cfg, boot_module(cfg.image), &h), 0);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(60)), SCHED_ALL_DONE);
	tu_expect_exit(a, 0);
	tu_expect_exit(v, 0);
	tu_expect_exit(h, 0);
	domain_destroy(h);
	domain_destroy(v);
	domain_destroy(a);
}

/* An intercepted MOV DR7 the hypervisor cannot decode costs that domain only. */
HVTEST(dr7_undecodable)
{
	struct domain *s = hvtest_create("stale"), *v = hvtest_create("victim");

	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(60)), SCHED_ALL_DONE);
	tu_expect_crash(s, "MOV to DR7 at rip");
	tu_expect_crash(s, "cannot read the instruction");
	tu_expect_exit(v, 0);
	domain_destroy(v);
	domain_destroy(s);
}
