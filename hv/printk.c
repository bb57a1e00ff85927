/* Hypervisor console output, the run's final status line, and panic. */
#include <stdarg.h>
#include "fmt.h"
#include "hv/arch.h"
#include "hv/printk.h"

void vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	arch_console_write(buf, (size_t)n);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

static const char *status_name(enum hv_status st)
{
	switch (st) {
	case HV_STATUS_PASS: return "PASS";
	case HV_STATUS_FAIL: return "FAIL";
	case HV_STATUS_REFUSED: return "REFUSED";
	case HV_STATUS_PANIC: return "PANIC";
	}
	return "?";
}

void hv_finish(enum hv_status st, const char *fmt, ...)
{
	static int finishing;
	va_list ap;

	if (finishing++)        /* a panic while finishing: just stop */
		arch_poweroff(HV_STATUS_PANIC);
	printk("HV-RESULT: %s ", status_name(st));
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	arch_poweroff(st);
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("hv: PANIC: %s\n", buf);
	hv_finish(HV_STATUS_PANIC, "%s", buf);
}
