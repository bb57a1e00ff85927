/*
 * In-hypervisor scenario tests (tests/hv/). Linked only into hv-test.elf; the
 * boot command line "test=NAME" picks one. A test builds domains from the
 * scenario given as the "bootcfg" module, runs them, and checks what happened.
 */
#ifndef HV_HVTEST_H
#define HV_HVTEST_H

#include "hv/domain.h"
#include "hv/mb2.h"
#include "public/bootcfg.h"

struct hvtest {
	const char *name;
	void (*fn)(void);
};

#define HVTEST(tname)                                                          \
	static void hvtest_fn_##tname(void);                                   \
	static const struct hvtest hvtest_##tname                              \
		__attribute__((section(".hvtests"), used, aligned(8))) = {     \
			#tname, hvtest_fn_##tname };                           \
	static void hvtest_fn_##tname(void)

void hvtest_check(int ok, const char *file, int line, const char *expr);
#define EXPECT(cond) hvtest_check(!!(cond), __FILE__, __LINE__, #cond)
#define EXPECT_EQ(a, b)                                                         \
	do {                                                                    \
		long long a_ = (long long)(a), b_ = (long long)(b);             \
		if (a_ != b_)                                                   \
			printk("hvtest: %s = %lld, %s = %lld\n", #a, a_, #b, b_); \
		hvtest_check(a_ == b_, __FILE__, __LINE__, #a " == " #b);       \
	} while (0)

/* The boot scenario and modules, for tests to build domains from. */
const struct bootcfg_header *hvtest_bootcfg(void);
const struct bootcfg_domain *hvtest_cfg(const char *name);
struct domain *hvtest_create(const char *name);
/* Create every domain in the scenario, in order. */
void hvtest_create_all(struct domain **out, unsigned max, unsigned *n);
int hvtest_failed(void);

#endif
