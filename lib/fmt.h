/*
 * Freestanding formatted output shared by the hypervisor, the guest runtime and
 * host tools. Supports %d %i %u %x %X %p %s %c %% with flags '0' '-', a width,
 * a precision for %s, and the l / ll / z length modifiers.
 */
#ifndef LIB_FMT_H
#define LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Like vsnprintf: always NUL-terminates when size > 0; returns the length the
 * full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
