/*
 * The guest runtime shared by every guest image (driver, client and test
 * domains): entry, console, allocator, exception reporting, argument parsing.
 * An image provides int main(void); its return value is the exit code.
 */
#ifndef RT_RT_H
#define RT_RT_H

#include <stddef.h>
#include <stdint.h>
#include "kstring.h"
#include "public/guest_layout.h"
#include "rt/hv.h"

/* Private copy of what the hypervisor wrote at GUEST_START_INFO_GPA. */
extern struct guest_start_info rt_info;

int main(void);

int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void __attribute__((noreturn, format(printf, 1, 2))) rt_fail(const char *fmt, ...);

/* Scenario arguments "key=value ...": the value of key, or def when absent or
 * not a number. Numbers may be decimal or 0x-prefixed hex. */
uint64_t rt_arg_u64(const char *key, uint64_t def);
/* Copies the value of key into buf; returns buf, or NULL when absent. */
const char *rt_arg_str(const char *key, char *buf, size_t len);

/* Heap between the image and the top of memory (minus nothing: the stack is in .bss). */
void *rt_malloc(size_t n);
void rt_free(void *p);
size_t rt_heap_free_bytes(void);

/* Remove the exception handlers, so the next fault becomes a triple fault. */
void rt_idt_clear(void);

/* Fail on purpose: "pf" (page fault), "triple" (triple fault), "idt" (own
 * exception gates and stack wrecked: a triple fault no handler sees), "hang" (spin
 * with interrupts off, no hypercall: only a watchdog notices), "block" (block
 * for good without a deadline), "wild" (touch
 * guest-physical memory it does not own). Returns -1 for an unknown kind. */
int rt_crash(const char *kind);

#endif
