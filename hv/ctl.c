/*
 * The control channel (hv/include/hv/ctl.h): input is read a bounded number
 * of bytes per scheduler pass, output goes through a ring that the UART
 * drains as it has room, so a host that stops reading (or a flood of
 * garbage) can cost the hypervisor at most one pass's bounded work and some
 * dropped output, never a wait.
 */
#include <stdarg.h>
#include "fmt.h"
#include "hv/arch.h"
#include "hv/ctl.h"
#include "hv/domain.h"
#include "hv/printk.h"

#define CTL_OUT_SIZE  16384u     /* power of two */
#define CTL_IN_PER_POLL 256      /* bytes taken per scheduler pass */

static int active;
static struct ctl_line in;
static char out[CTL_OUT_SIZE];
static uint32_t out_head, out_tail;     /* free-running; head - tail bytes queued */
static uint64_t out_dropped;
static uint32_t following;              /* domain id whose console is followed */

void ctl_init(void)
{
	active = arch_ctl_init() == 0;
	printk("hv: control channel %s\n", active ? "on COM2 (port 0x2f8)" : "off (no COM2)");
}

int ctl_active(void)
{
	return active;
}

static void out_put(const char *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (out_head - out_tail == CTL_OUT_SIZE) {
			out_dropped++;
			continue;
		}
		out[out_head++ % CTL_OUT_SIZE] = s[i];
	}
}

void ctl_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!active)
		return;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	out_put(buf, (unsigned)n);
}

/* Move queued output to the UART while it has room; at most a few FIFO
 * loads per call, so a slow reader never holds the scheduler. */
static void out_flush(void)
{
	for (int rounds = 0; rounds < 64 && out_head != out_tail; rounds++) {
		int room = arch_ctl_tx_room();
		if (!room)
			return;
		while (room-- && out_head != out_tail)
			arch_ctl_putc(out[out_tail++ % CTL_OUT_SIZE]);
	}
}

void ctl_drain(void)
{
	for (unsigned i = 0; i < 100000 && active && out_head != out_tail; i++)
		out_flush();
}

void ctl_follow(uint32_t id)
{
	following = id;
}

void ctl_console_line(const struct domain *d, const char *line)
{
	if (active && following && d->id == following)
		ctl_printf("[%s] %s\n", d->cfg.name, line);
}

static void line_done(enum ctl_feed r)
{
	if (following) {        /* any line ends a console follow first */
		following = 0;
		ctl_printf("ok\n");
		if (r == CTL_LINE && !in.buf[0])
			return;         /* the empty line was just the stop */
	}
	if (r == CTL_TOO_LONG)
		ctl_printf("error: line longer than %u bytes\n", CTL_LINE_MAX - 1);
	else if (r == CTL_BAD_BYTE)
		ctl_printf("error: line holds a byte outside printable ASCII\n");
	else
		ctl_command(in.buf);
}

void ctl_poll(void)
{
	if (!active)
		return;
	for (int i = 0; i < CTL_IN_PER_POLL; i++) {
		int c = arch_ctl_getc();
		if (c < 0)
			break;
		enum ctl_feed r = ctl_line_feed(&in, (char)c);
		if (r != CTL_MORE)
			line_done(r);
	}
	out_flush();
}

uint64_t ctl_dropped(void)
{
	return out_dropped;
}
