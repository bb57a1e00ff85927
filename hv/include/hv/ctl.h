/*
 * The control channel: a line protocol on a UART no guest can reach (COM2,
 * hv/arch/x86/uart2.c), polled from the scheduler loop. The host tool
 * tools/ddhvctl sends one command per line; every reply is zero or more data
 * lines, then "ok" or "error: WHY". Every byte is hostile input: a bad line
 * gets one error line, never more (docs/design.md "Control channel").
 */
#ifndef HV_CTL_H
#define HV_CTL_H

#include <stdarg.h>
#include <stdint.h>

struct domain;

#define CTL_LINE_MAX 128        /* a longer line is refused whole */
#define CTL_MAX_WORDS 4

/* A line being received: bytes are fed one at a time. */
struct ctl_line {
	char buf[CTL_LINE_MAX];
	unsigned len;
	uint8_t too_long, bad_byte;
};

enum ctl_feed {
	CTL_MORE,               /* the line goes on */
	CTL_LINE,               /* buf holds a whole line (NUL-terminated) */
	CTL_TOO_LONG,           /* a line over CTL_LINE_MAX - 1 bytes ended */
	CTL_BAD_BYTE,           /* a line with a byte outside printable ASCII ended */
};

/* hv/ctl_line.c (pure: also built into a host unit test). */
enum ctl_feed ctl_line_feed(struct ctl_line *l, char c);
/* Split line (modified in place) at spaces and tabs into at most max words;
 * returns the number of words, or -1 when there are more than max. */
int ctl_split(char *line, char **words, int max);

/* hv/ctl.c: the channel. init probes the UART (no UART: the channel is off);
 * poll reads what arrived, runs complete commands and sends pending output,
 * never waiting on the UART. */
void ctl_init(void);
void ctl_poll(void);
int ctl_active(void);
/* Reply output, buffered; what does not fit is dropped and counted. */
void ctl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Output bytes dropped so far because the ring was full. */
uint64_t ctl_dropped(void);
/* Send everything buffered, waiting a bounded time (before power-off). */
void ctl_drain(void);
/* A guest console line (hv/vconsole.c), for "console NAME". */
void ctl_console_line(const struct domain *d, const char *line);
/* Follow domain id's console until the next input line (0: stop). */
void ctl_follow(uint32_t id);

/* hv/ctl_cmd.c: run one command line; prints its reply including the final
 * "ok" / "error: ..." unless it starts following a console. */
void ctl_command(char *line);
/* hv/ctl_show.c: the reports. */
void ctl_list(void);
int ctl_stats(const struct domain *d);
void ctl_devices(void);

#endif
