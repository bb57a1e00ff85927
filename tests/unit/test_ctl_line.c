/* The control channel's line reader and splitter (hv/ctl_line.c): every
 * byte is hostile; lines are bounded; garbage ends as one verdict per line. */
#include <string.h>
#include "unit.h"
#include "hv/ctl.h"

static struct ctl_line l;

/* Feed s; the verdict of its last line ending, CTL_MORE if none ended. */
static enum ctl_feed feed(const char *s, size_t n)
{
	enum ctl_feed last = CTL_MORE;

	for (size_t i = 0; i < n; i++) {
		enum ctl_feed r = ctl_line_feed(&l, s[i]);
		if (r != CTL_MORE)
			last = r;
	}
	return last;
}

#define FEED(s) feed(s, sizeof(s) - 1)

int main(void)
{
	char *w[CTL_MAX_WORDS + 1];
	char big[1000];

	CHECK_EQ(FEED("list\n"), CTL_LINE);
	CHECK(!strcmp(l.buf, "list"));
	CHECK_EQ(FEED("stats netdd\r\n"), CTL_LINE);
	CHECK(!strcmp(l.buf, "stats netdd"));
	CHECK_EQ(FEED("li"), CTL_MORE);
	CHECK_EQ(FEED("st\n"), CTL_LINE);
	CHECK(!strcmp(l.buf, "list"));
	CHECK_EQ(FEED("\n"), CTL_LINE);
	CHECK(!strcmp(l.buf, ""));

	/* bytes outside printable ASCII: the whole line is refused */
	CHECK_EQ(FEED("li\x00st\n"), CTL_BAD_BYTE);
	CHECK_EQ(FEED("\xff\xfe\n"), CTL_BAD_BYTE);
	CHECK_EQ(FEED("a\x7f\n"), CTL_BAD_BYTE);
	CHECK_EQ(FEED("list\n"), CTL_LINE);     /* and the next line is clean */

	/* the longest line fits, one more byte is refused whole */
	memset(big, 'a', sizeof(big));
	big[CTL_LINE_MAX - 1] = '\n';
	CHECK_EQ(feed(big, CTL_LINE_MAX), CTL_LINE);
	CHECK_EQ(strlen(l.buf), CTL_LINE_MAX - 1);
	big[CTL_LINE_MAX - 1] = 'a';
	big[CTL_LINE_MAX] = '\n';
	CHECK_EQ(feed(big, CTL_LINE_MAX + 1), CTL_TOO_LONG);
	big[sizeof(big) - 1] = '\n';
	CHECK_EQ(feed(big, sizeof(big)), CTL_TOO_LONG);
	CHECK_EQ(l.len, 0);

	/* every byte value, in long random runs: never past the buffer */
	unsigned seed = 14, max_len = 0;
	for (int i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		ctl_line_feed(&l, (char)(seed >> 16));
		max_len = l.len > max_len ? l.len : max_len;
	}
	CHECK(max_len < CTL_LINE_MAX);

	/* splitting */
	char a[] = "  inject \t netdd  kill ";
	CHECK_EQ(ctl_split(a, w, CTL_MAX_WORDS), 3);
	CHECK(!strcmp(w[0], "inject") && !strcmp(w[1], "netdd") && !strcmp(w[2], "kill"));
	char b[] = "a b c d e";
	CHECK_EQ(ctl_split(b, w, CTL_MAX_WORDS), -1);
	char c[] = " \t ";
	CHECK_EQ(ctl_split(c, w, CTL_MAX_WORDS), 0);
	char d[] = "";
	CHECK_EQ(ctl_split(d, w, CTL_MAX_WORDS), 0);
	return unit_done("ctl_line");
}
