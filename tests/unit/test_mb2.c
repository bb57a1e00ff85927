#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hv/mb2.h"
#include "unit.h"

/* A builder for multiboot2 information structures. */
struct mb { uint8_t b[8192]; uint32_t len; };

static void put32(struct mb *m, uint32_t off, uint32_t v) { memcpy(m->b + off, &v, 4); }

static void begin(struct mb *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

static uint32_t tag(struct mb *m, uint32_t type, const void *body, uint32_t n)
{
	uint32_t at = m->len;
	put32(m, at, type);
	put32(m, at + 4, 8 + n);
	memcpy(m->b + at + 8, body, n);
	m->len = (at + 8 + n + 7) & ~7u;
	return at;
}

static void end(struct mb *m)
{
	tag(m, 0, "", 0);
	put32(m, 0, m->len);
}

/* Parse from an exactly-sized heap copy so ASan sees any overread. */
static int parse(const struct mb *m, uint32_t avail, struct boot_info *bi, const char **why)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	memcpy(copy, m->b, avail);
	int rc = mb2_parse(copy, avail, 0x10000, bi, why);
	free(copy);
	return rc;
}

static void module(struct mb *m, uint32_t s, uint32_t e, const char *str)
{
	uint8_t body[300];
	memcpy(body, &s, 4);
	memcpy(body + 4, &e, 4);
	strcpy((char *)body + 8, str);
	tag(m, 3, body, 8 + strlen(str) + 1);
}

static void good(struct mb *m)
{
	uint8_t mmap[8 + 3 * 24] = { 0 };
	uint32_t esz = 24;
	uint64_t ent[3][3] = { { 0, 0x9fc00, 1 }, { 0x100000, 0xff00000, 1 }, { 0xfffc0000, 0x40000, 2 } };
	uint8_t rsdp[20] = "RSD PTR ";

	begin(m);
	tag(m, 1, "test=boot x=1", 14);
	module(m, 0x200000, 0x201000, "bootcfg");
	module(m, 0x202000, 0x203000, "hello  quiet=1 n=2");
	memcpy(mmap, &esz, 4);
	for (int i = 0; i < 3; i++) {
		memcpy(mmap + 8 + i * 24, &ent[i][0], 8);
		memcpy(mmap + 16 + i * 24, &ent[i][1], 8);
		memcpy(mmap + 24 + i * 24, &ent[i][2], 4);
	}
	tag(m, 6, mmap, sizeof(mmap));
	tag(m, 14, rsdp, sizeof(rsdp));
	tag(m, 21, "ignored", 7);
	end(m);
}

static void expect_bad(struct mb *m, uint32_t avail, const char *words)
{
	struct boot_info bi;
	const char *why = "";
	CHECK_EQ(parse(m, avail, &bi, &why), -1);
	if (!strstr(why, words))
		printf("  why='%s', wanted '%s'\n", why, words);
	CHECK(strstr(why, words) != 0);
}

int main(void)
{
	static struct mb m;
	static struct boot_info bi;
	const char *why = 0;

	good(&m);
	CHECK_EQ(parse(&m, m.len, &bi, &why), 0);
	CHECK(!strcmp(bi.cmdline, "test=boot x=1"));
	CHECK_EQ(bi.nmods, 2);
	CHECK(!strcmp(bi.mods[0].name, "bootcfg") && !strcmp(bi.mods[0].args, ""));
	CHECK(!strcmp(bi.mods[1].name, "hello") && !strcmp(bi.mods[1].args, "quiet=1 n=2"));
	CHECK_EQ(bi.mods[1].start, 0x202000);
	CHECK_EQ(bi.mods[1].end, 0x203000);
	CHECK_EQ(bi.nmmap, 3);
	CHECK_EQ(bi.mmap[1].base, 0x100000);
	CHECK_EQ(bi.mmap[1].len, 0xff00000);
	CHECK_EQ(bi.mmap[2].type, 2);
	CHECK_EQ(bi.rsdp_len, 20);
	CHECK(!memcmp(bi.rsdp, "RSD PTR ", 8));
	CHECK_EQ(bi.info_start, 0x10000);
	CHECK_EQ(bi.info_end, 0x10000 + m.len);

	/* every truncation of a good structure is refused without overreading */
	for (uint32_t n = 0; n < m.len; n++)
		CHECK_EQ(parse(&m, n, &bi, &why), -1);

	good(&m); put32(&m, 0, m.len + 8);           expect_bad(&m, m.len, "total size");
	good(&m); put32(&m, 0, 12);                  expect_bad(&m, m.len, "total size");
	good(&m); put32(&m, 12, 4);                  expect_bad(&m, m.len, "tag size");
	good(&m); put32(&m, 12, 5000);               expect_bad(&m, m.len, "tag size");
	/* missing end tag: replace it by an unknown tag */
	good(&m); put32(&m, m.len - 8, 99);          expect_bad(&m, m.len, "end tag");

	begin(&m); tag(&m, 1, "abc", 3); end(&m);    expect_bad(&m, m.len, "command line");
	begin(&m); module(&m, 0x3000, 0x2000, "x"); end(&m); expect_bad(&m, m.len, "ends before");
	begin(&m);
	for (int i = 0; i < 17; i++)
		module(&m, 0x1000, 0x2000, "m");
	end(&m);
	expect_bad(&m, m.len, "too many modules");
	{
		uint8_t body[8 + 16] = { 0 };
		uint32_t esz = 16;
		memcpy(body, &esz, 4);
		begin(&m); tag(&m, 6, body, sizeof(body)); end(&m);
		expect_bad(&m, m.len, "entry size");
		esz = 24;
		memcpy(body, &esz, 4);
		begin(&m); tag(&m, 6, body, sizeof(body)); end(&m);
		expect_bad(&m, m.len, "past its tag");
	}
	begin(&m); tag(&m, 15, "short", 5); end(&m); expect_bad(&m, m.len, "RSDP");
	return unit_done("mb2");
}
