/* Guest start-up: take a private copy of the start info, set up exception
 * reporting and the heap, run main, and shut down with its result. */
#include "fmt.h"
#include "heap.h"
#include "rt/channel.h"
#include "rt/rt.h"
#include "entry.h"
#include "rt/test.h"

struct guest_start_info rt_info;
int rt_test_failures;
static struct heap heap;

extern char __image_end[];

void rt_start(const struct guest_start_info *si)
{
	memcpy(&rt_info, si, sizeof(rt_info));
	if (rt_info.magic != GUEST_START_MAGIC || rt_info.version != GUEST_START_VERSION)
		hv_shutdown(HV_SHUTDOWN_CRASH, -1);
	rt_info.name[sizeof(rt_info.name) - 1] = 0;
	rt_info.args[sizeof(rt_info.args) - 1] = 0;
	rt_idt_init();
	uintptr_t start = ((uintptr_t)__image_end + 4095) & ~(uintptr_t)4095;
	if (start < rt_info.mem_bytes)
		heap_init(&heap, (void *)start, rt_info.mem_bytes - start);
	int rc = main();
	rt_notify_flush();      /* the last deferred notifications (rt/channel.h) */
	hv_shutdown(HV_SHUTDOWN_POWEROFF, rc);
}

void *rt_malloc(size_t n) { return heap_alloc(&heap, n); }
size_t rt_heap_free_bytes(void) { return heap_free_bytes(&heap); }

void rt_free(void *p)
{
	if (heap_free(&heap, p))
		rt_fail("rt_free: %p is not a live heap block", p);
}

int gprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	hv_console_write(buf, (uint64_t)n);
	return n;
}

void rt_fail(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	gprintf("FATAL: %s\n", buf);
	hv_shutdown(HV_SHUTDOWN_CRASH, -1);
}
