/*
 * Checks inside test guests. A failed check prints "CHECK FAILED file:line:
 * expr" on the guest console; rt_test_end() shuts the domain down with the
 * number of failed checks as its exit code, which the hypervisor-side test reads.
 */
#ifndef RT_TEST_H
#define RT_TEST_H

#include "rt/rt.h"

extern int rt_test_failures;

#define GCHECK(expr)                                                            \
	do {                                                                    \
		if (!(expr)) {                                                  \
			rt_test_failures++;                                     \
			gprintf("CHECK FAILED %s:%d: %s\n", __FILE__, __LINE__, #expr); \
		}                                                               \
	} while (0)

#define GCHECK_EQ(a, b)                                                         \
	do {                                                                    \
		long long ga_ = (long long)(a), gb_ = (long long)(b);           \
		if (ga_ != gb_) {                                               \
			rt_test_failures++;                                     \
			gprintf("CHECK FAILED %s:%d: %s == %s (%lld != %lld)\n",  \
				__FILE__, __LINE__, #a, #b, ga_, gb_);          \
		}                                                               \
	} while (0)

static inline int rt_test_result(void) { return rt_test_failures; }

#endif
