#ifndef HV_PRINTK_H
#define HV_PRINTK_H

#include <stdarg.h>

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);

/* The hypervisor's own invariant is broken: print and stop. Never for guest input. */
void __attribute__((noreturn, format(printf, 1, 2))) panic(const char *fmt, ...);

/* Status of a whole run, reported as exactly one "HV-RESULT:" line before exit. */
enum hv_status {
	HV_STATUS_PASS    = 0x10,   /* test passed / demo finished */
	HV_STATUS_FAIL    = 0x11,   /* test failed */
	HV_STATUS_REFUSED = 0x12,   /* boot configuration refused */
	HV_STATUS_PANIC   = 0x13,   /* hypervisor invariant broken */
};

void __attribute__((noreturn, format(printf, 2, 3))) hv_finish(enum hv_status st, const char *fmt, ...);

#define BUG_ON(cond)                                                            \
	do {                                                                    \
		if (cond)                                                       \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);   \
	} while (0)

#endif
