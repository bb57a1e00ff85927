#include <string.h>
#include "fmt.h"
#include "unit.h"

static const char *f(const char *fmt, ...)
{
	static char buf[128];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

int main(void)
{
	char small[4];

	CHECK(!strcmp(f("%d %i %u", -5, 7, 42u), "-5 7 42"));
	CHECK(!strcmp(f("%x %X %08lx", 0xabcu, 0xabcu, 0x1234ul), "abc ABC 00001234"));
	CHECK(!strcmp(f("%5d|%-5d|%05d", 42, 42, -42), "   42|42   |-0042"));
	CHECK(!strcmp(f("%s|%.3s|%-4s|%4s", "abc", "abcdef", "ab", "ab"), "abc|abc|ab  |  ab"));
	CHECK(!strcmp(f("%lld %llu", (long long)-9223372036854775807LL - 1,
			18446744073709551615ULL),
		      "-9223372036854775808 18446744073709551615"));
	CHECK(!strcmp(f("%zu %c %%", (size_t)9, 'q'), "9 q %"));
	CHECK(!strcmp(f("%s", (char *)0), "(null)"));
	CHECK(!strcmp(f("%p", (void *)0x1000), "0x1000"));
	CHECK_EQ(fmt_snprintf(small, sizeof(small), "%s", "hello"), 5);
	CHECK(!strcmp(small, "hel"));
	CHECK_EQ(fmt_snprintf(small, 0, "xyz"), 3);
	return unit_done("fmt");
}
