/*
 * The control channel's line reader and word splitter. Pure code (no
 * hypervisor state), so the host unit test feeds it every kind of garbage.
 * The buffer is bounded: an overlong line is not cut, it is refused whole
 * once its newline arrives, and so is a line holding any byte outside
 * printable ASCII (tab allowed).
 */
#include "hv/ctl.h"

enum ctl_feed ctl_line_feed(struct ctl_line *l, char c)
{
	if (c == '\n') {
		enum ctl_feed r = l->too_long ? CTL_TOO_LONG : l->bad_byte ? CTL_BAD_BYTE : CTL_LINE;
		l->buf[l->len < CTL_LINE_MAX ? l->len : CTL_LINE_MAX - 1] = 0;
		l->len = 0;
		l->too_long = l->bad_byte = 0;
		return r;
	}
	if (c == '\r')
		return CTL_MORE;
	if ((c < 0x20 && c != '\t') || c > 0x7e) {     /* char may be signed */
		l->bad_byte = 1;
		return CTL_MORE;
	}
	if (l->len >= CTL_LINE_MAX - 1) {
		l->too_long = 1;
		return CTL_MORE;
	}
	l->buf[l->len++] = c;
	return CTL_MORE;
}

static int space(char c)
{
	return c == ' ' || c == '\t';
}

int ctl_split(char *line, char **words, int max)
{
	int n = 0;

	for (char *p = line; *p;) {
		while (space(*p))
			*p++ = 0;
		if (!*p)
			break;
		if (n == max)
			return -1;
		words[n++] = p;
		while (*p && !space(*p))
			p++;
	}
	return n;
}
