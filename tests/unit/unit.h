/*
 * Minimal host unit-test helpers. Each tests/unit/test_*.c is its own program,
 * built with -fsanitize=address,undefined; it prints one line per failed check
 * and ends with "unit <name>: N checks, N failed", exiting non-zero on failure.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int unit_checks, unit_failed;

#define CHECK(expr)                                                          \
	do {                                                                 \
		unit_checks++;                                               \
		if (!(expr)) {                                               \
			unit_failed++;                                       \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #expr); \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		long long unit_a_ = (long long)(a), unit_b_ = (long long)(b); \
		unit_checks++;                                               \
		if (unit_a_ != unit_b_) {                                    \
			unit_failed++;                                       \
			printf("FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, \
			       __LINE__, #a, #b, unit_a_, unit_b_);          \
		}                                                            \
	} while (0)

static inline int unit_done(const char *name)
{
	printf("unit %s: %d checks, %d failed\n", name, unit_checks, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
