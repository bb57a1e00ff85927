#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hv/elf.h"
#include "unit.h"

#define MIN 0x100000ull
#define MAX 0x200000ull

static uint8_t img[8192];
static size_t img_len;

static void w16(size_t o, uint16_t v) { memcpy(img + o, &v, 2); }
static void w32(size_t o, uint32_t v) { memcpy(img + o, &v, 4); }
static void w64(size_t o, uint64_t v) { memcpy(img + o, &v, 8); }

#define PH(i) (64 + 56 * (i))

static void phdr(int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
		 uint64_t filesz, uint64_t memsz)
{
	w32(PH(i), type);
	w32(PH(i) + 4, flags);
	w64(PH(i) + 8, off);
	w64(PH(i) + 16, vaddr);
	w64(PH(i) + 32, filesz);
	w64(PH(i) + 40, memsz);
}

/* A good image: text at 1 MiB (RX), data+bss at 1 MiB + 64K (RW), a PT_NOTE. */
static void good(void)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF", 4);
	img[4] = 2;
	img[5] = 1;
	img[6] = 1;
	w16(16, 2);
	w16(18, 62);
	w64(24, MIN + 0x10);
	w64(32, 64);
	w16(52, 64);
	w16(54, 56);
	w16(56, 3);
	phdr(0, 1, 5, 0x1000, MIN, 0x200, 0x200);
	phdr(1, 1, 6, 0x1200, MIN + 0x10000, 0x100, 0x3000);
	phdr(2, 4, 4, 0x1300, 0, 0x20, 0x20);
	img_len = 0x1400;
}

static int parse(size_t len, struct elf_image *out, const char **why)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, img, len);
	int rc = elf_parse(copy, len, MIN, MAX, out, why);
	free(copy);
	return rc;
}

static void bad(const char *words)
{
	struct elf_image e;
	const char *why = "";
	CHECK_EQ(parse(img_len, &e, &why), -1);
	if (!strstr(why, words))
		printf("  why='%s', wanted '%s'\n", why, words);
	CHECK(strstr(why, words) != 0);
}

int main(void)
{
	struct elf_image e;
	const char *why;

	good();
	CHECK_EQ(parse(img_len, &e, &why), 0);
	CHECK_EQ(e.entry, MIN + 0x10);
	CHECK_EQ(e.nsegs, 2);
	CHECK_EQ(e.segs[1].vaddr, MIN + 0x10000);
	CHECK_EQ(e.segs[1].filesz, 0x100);
	CHECK_EQ(e.segs[1].memsz, 0x3000);
	CHECK_EQ(e.segs[1].offset, 0x1200);
	CHECK_EQ(e.lo, MIN);
	CHECK_EQ(e.hi, MIN + 0x13000);
	for (size_t n = 0; n < 64 + 56 * 3; n++)
		CHECK_EQ(parse(n, &e, &why), -1);       /* truncated headers */

	good(); img[1] = 'X';                          bad("not an ELF");
	good(); img[4] = 1;                            bad("ELF64");
	good(); w16(18, 3);                            bad("x86-64");
	good(); w16(16, 3);                            bad("ET_EXEC");
	good(); w16(54, 32);                           bad("program header size");
	good(); w64(32, 0x1380);                       bad("program headers past");
	good(); w64(PH(0) + 8, 0x13ff);                bad("past the end of the file");
	good(); w64(PH(0) + 32, 0x400);                bad("file size exceeds");
	good(); w64(PH(1) + 16, ~0ull - 0x100);        bad("wraps");
	good(); w64(PH(1) + 16, MAX - 0x1000);         bad("outside the allowed");
	good(); w64(PH(0) + 16, MIN - 0x1000);         bad("outside the allowed");
	good(); w64(PH(1) + 16, MIN + 0x100);          bad("overlap");
	good(); w64(24, MIN + 0x10010);                bad("entry point");
	good(); w64(24, 0);                            bad("entry point");
	good();
	w16(56, 9);
	for (int i = 0; i < 9; i++)
		phdr(i, 1, 5, 0x1000, MIN + i * 0x1000, 0x10, 0x10);
	img_len = 0x1400;
	bad("too many");
	good(); phdr(0, 4, 5, 0, 0, 0, 0); phdr(1, 4, 6, 0, 0, 0, 0); bad("no loadable");
	return unit_done("elf");
}
