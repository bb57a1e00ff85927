/* Helpers shared by the in-hypervisor tests. */
#include "kstring.h"
#include "hv/hvtest.h"
#include "hv/mm.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

int tu_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return 1;
	return 0;
}

static int not_alive(void *arg)
{
	return !domain_alive(arg);
}

enum sched_stop_why tu_run_until_dead(struct domain *d, uint64_t timeout_ns)
{
	return sched_run(not_alive, d, timeout_ns);
}

/* A restartable domain is "done" only when it exits: a crash rebuilds it. */
static int exited(void *arg)
{
	return ((struct domain *)arg)->state == DOM_DEAD;
}

enum sched_stop_why tu_run_until_exit(struct domain *d, uint64_t timeout_ns)
{
	return sched_run(exited, d, timeout_ns);
}

void tu_expect_exit(struct domain *d, int64_t code)
{
	if (d->state != DOM_DEAD || d->exit_code != code)
		printk("hvtest: domain %s: state %s, reason '%s', expected exit code %ld\n",
		       d->cfg.name, domain_state_name(d->state), d->reason, (long)code);
	EXPECT(d->state == DOM_DEAD);
	EXPECT_EQ(d->exit_code, code);
}

void tu_expect_crash(struct domain *d, const char *why)
{
	if (d->state != DOM_CRASHED || !tu_contains(d->reason, why))
		printk("hvtest: domain %s: state %s, reason '%s', expected crash with '%s'\n",
		       d->cfg.name, domain_state_name(d->state), d->reason, why);
	EXPECT(d->state == DOM_CRASHED);
	EXPECT(tu_contains(d->reason, why));
}

/* Frames come low first; the ones passed over go back afterwards. */
uint64_t tu_alloc_frame_above(uint64_t min)
{
	static uint64_t skipped[8192];
	unsigned n = 0;
	uint64_t pa = mm_alloc_frame();

	while (pa && pa < min && n < sizeof(skipped) / sizeof(skipped[0])) {
		skipped[n++] = pa;
		pa = mm_alloc_frame();
	}
	if (pa && pa < min) {
		mm_free_frame(pa);
		pa = 0;
	}
	while (n)
		mm_free_frame(skipped[--n]);
	return pa;
}

/* The tests' own walk of the capability list: they must not trust the code
 * under test to find the MSI-X table. */
unsigned tu_msix_cap(const struct pci_dev *p)
{
	unsigned off = pci_read32(p->bus, p->dev, p->fn, 0x34) & 0xfc;

	for (int n = 0; off >= 0x40 && n < 48; n++) {
		uint32_t hdr = pci_read32(p->bus, p->dev, p->fn, (uint16_t)off);
		if ((hdr & 0xff) == 0x11)
			return off;
		off = (hdr >> 8) & 0xfc;
	}
	return 0;
}
