/* ELF64 guest image checker (see hv/elf.h). */
#include "hv/elf.h"

#define EHDR_SIZE   64
#define PHDR_SIZE   56
#define PT_LOAD     1
#define PF_X        1

static uint16_t rd16(const uint8_t *p) { return p[0] | (uint16_t)(p[1] << 8); }

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

static int check_header(const uint8_t *b, size_t len, const char **why)
{
	if (len < EHDR_SIZE)
		return fail(why, "shorter than an ELF header");
	if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
		return fail(why, "not an ELF file");
	if (b[4] != 2 || b[5] != 1)
		return fail(why, "not a little-endian ELF64 file");
	if (rd16(b + 16) != 2)
		return fail(why, "not an executable (ET_EXEC)");
	if (rd16(b + 18) != 62)
		return fail(why, "not an x86-64 image");
	if (rd16(b + 54) != PHDR_SIZE)
		return fail(why, "unexpected program header size");
	uint64_t phoff = rd64(b + 32), phnum = rd16(b + 56);
	if (phoff > len || phnum * PHDR_SIZE > len - phoff)
		return fail(why, "program headers past the end of the file");
	return 0;
}

static int add_segment(struct elf_image *img, const uint8_t *ph, size_t len,
		       uint64_t min, uint64_t max, const char **why)
{
	struct elf_segment s = {
		.flags = rd32(ph + 4), .offset = rd64(ph + 8), .vaddr = rd64(ph + 16),
		.filesz = rd64(ph + 32), .memsz = rd64(ph + 40),
	};

	if (s.memsz == 0)
		return 0;
	if (s.filesz > s.memsz)
		return fail(why, "segment file size exceeds memory size");
	if (s.offset > len || s.filesz > len - s.offset)
		return fail(why, "segment data past the end of the file");
	if (s.vaddr + s.memsz < s.vaddr)
		return fail(why, "segment wraps around");
	if (s.vaddr < min || s.vaddr + s.memsz > max)
		return fail(why, "segment outside the allowed load range");
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct elf_segment *o = &img->segs[i];
		if (s.vaddr < o->vaddr + o->memsz && o->vaddr < s.vaddr + s.memsz)
			return fail(why, "segments overlap");
	}
	if (img->nsegs == ELF_MAX_SEGS)
		return fail(why, "too many loadable segments");
	img->segs[img->nsegs++] = s;
	if (s.vaddr < img->lo)
		img->lo = s.vaddr;
	if (s.vaddr + s.memsz > img->hi)
		img->hi = s.vaddr + s.memsz;
	return 0;
}

int elf_parse(const void *data, size_t len, uint64_t min_addr, uint64_t max_addr,
	      struct elf_image *out, const char **why)
{
	const uint8_t *b = data;

	if (check_header(b, len, why))
		return -1;
	out->nsegs = 0;
	out->lo = ~0ull;
	out->hi = 0;
	out->entry = rd64(b + 24);
	uint64_t phoff = rd64(b + 32), phnum = rd16(b + 56);
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = b + phoff + i * PHDR_SIZE;
		if (rd32(ph) == PT_LOAD && add_segment(out, ph, len, min_addr, max_addr, why))
			return -1;
	}
	if (out->nsegs == 0)
		return fail(why, "no loadable segment");
	for (unsigned i = 0; i < out->nsegs; i++) {
		const struct elf_segment *s = &out->segs[i];
		if ((s->flags & PF_X) && out->entry >= s->vaddr && out->entry < s->vaddr + s->memsz)
			return 0;
	}
	return fail(why, "entry point not in an executable segment");
}
