/*
 * Guest consoles: bytes from HC_CONSOLE_WRITE are collected per domain and
 * printed as whole lines "[name] text", so output of several domains interleaves
 * by line, never inside one. Control characters are shown as '?'.
 */
#include "hv/ctl.h"
#include "hv/domain.h"
#include "hv/printk.h"
#include "hv/sched.h"

uint32_t sched_conlog[SCHED_CONLOG_LEN];
unsigned sched_conlog_len;

void vconsole_flush(struct domain *d)
{
	if (!d->con_len)
		return;
	d->con_line[d->con_len] = 0;
	printk("[%s] %s\n", d->cfg.name, d->con_line);
	ctl_console_line(d, d->con_line);
	d->con_len = 0;
	d->con_lines++;
	if (sched_conlog_len < SCHED_CONLOG_LEN)
		sched_conlog[sched_conlog_len++] = d->id;
}

void vconsole_write(struct domain *d, const char *buf, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\n') {
			vconsole_flush(d);
			continue;
		}
		if (c == '\r')
			continue;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			c = '?';
		d->con_line[d->con_len++] = c;
		if (d->con_len == sizeof(d->con_line) - 1)
			vconsole_flush(d);
	}
}
