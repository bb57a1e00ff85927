/* Multiboot2 information parser (see hv/mb2.h). */
#include "hv/mb2.h"

#define TAG_END      0
#define TAG_CMDLINE  1
#define TAG_MODULE   3
#define TAG_MMAP     6
#define TAG_RSDP_V1  14
#define TAG_RSDP_V2  15

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Copy the NUL-terminated string in [s, s+n) to dst (cap bytes); -1 if unterminated or too long. */
static int copy_str(char *dst, size_t cap, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i >= cap)
			return -1;
		dst[i] = (char)s[i];
		if (!s[i])
			return 0;
	}
	return -1;
}

static int parse_module(struct boot_info *bi, const uint8_t *t, uint32_t size, const char **why)
{
	char str[MB2_CMDLINE_LEN + MB2_MODNAME_LEN];
	struct mb2_module *m;
	size_t i = 0, j = 0;

	if (size < 17) {
		*why = "module tag too short";
		return -1;
	}
	if (bi->nmods == MB2_MAX_MODULES) {
		*why = "too many modules";
		return -1;
	}
	m = &bi->mods[bi->nmods];
	m->start = rd32(t + 8);
	m->end = rd32(t + 12);
	if (m->end < m->start) {
		*why = "module ends before it starts";
		return -1;
	}
	if (copy_str(str, sizeof(str), t + 16, size - 16)) {
		*why = "module string unterminated or too long";
		return -1;
	}
	for (; str[i] && str[i] != ' '; i++) {
		if (i + 1 >= MB2_MODNAME_LEN) {
			*why = "module name too long";
			return -1;
		}
		m->name[i] = str[i];
	}
	m->name[i] = 0;
	while (str[i] == ' ')
		i++;
	for (; str[i]; i++, j++) {
		if (j + 1 >= MB2_CMDLINE_LEN) {
			*why = "module arguments too long";
			return -1;
		}
		m->args[j] = str[i];
	}
	m->args[j] = 0;
	bi->nmods++;
	return 0;
}

static int parse_mmap(struct boot_info *bi, const uint8_t *t, uint32_t size, const char **why)
{
	if (size < 16) {
		*why = "memory map tag too short";
		return -1;
	}
	uint32_t esize = rd32(t + 8);
	if (esize < 24 || esize % 8) {
		*why = "memory map entry size invalid";
		return -1;
	}
	for (uint32_t off = 16; off < size; off += esize) {
		if (size - off < esize) {
			*why = "memory map entry runs past its tag";
			return -1;
		}
		if (bi->nmmap == MB2_MAX_MMAP) {
			*why = "too many memory map entries";
			return -1;
		}
		struct mb2_mem_range *r = &bi->mmap[bi->nmmap++];
		r->base = rd64(t + off);
		r->len = rd64(t + off + 8);
		r->type = rd32(t + off + 16);
		if (r->base + r->len < r->base) {
			*why = "memory map entry wraps around";
			return -1;
		}
	}
	return 0;
}

static int parse_tag(struct boot_info *bi, const uint8_t *t, uint32_t type, uint32_t size,
		     const char **why)
{
	switch (type) {
	case TAG_CMDLINE:
		if (copy_str(bi->cmdline, sizeof(bi->cmdline), t + 8, size - 8)) {
			*why = "command line unterminated or too long";
			return -1;
		}
		return 0;
	case TAG_MODULE:
		return parse_module(bi, t, size, why);
	case TAG_MMAP:
		return parse_mmap(bi, t, size, why);
	case TAG_RSDP_V1:
	case TAG_RSDP_V2: {
		unsigned want = type == TAG_RSDP_V1 ? 20 : 36;
		if (size - 8 < want) {
			*why = "RSDP tag too short";
			return -1;
		}
		if (type == TAG_RSDP_V2 || bi->rsdp_len == 0) {
			for (unsigned i = 0; i < want; i++)
				bi->rsdp[i] = t[8 + i];
			bi->rsdp_len = want;
		}
		return 0;
	}
	}
	return 0;       /* tags we do not use */
}

int mb2_parse(const void *info, size_t avail, uint64_t info_pa,
	      struct boot_info *out, const char **why)
{
	const uint8_t *p = info;
	uint8_t *o = (uint8_t *)out;

	for (size_t i = 0; i < sizeof(*out); i++)
		o[i] = 0;
	if (avail < 8) {
		*why = "information structure shorter than its header";
		return -1;
	}
	uint32_t total = rd32(p);
	if (total < 16 || total > avail) {
		*why = "total size out of range";
		return -1;
	}
	for (uint32_t off = 8;;) {
		if (total - off < 8) {
			*why = "no end tag";
			return -1;
		}
		uint32_t type = rd32(p + off), size = rd32(p + off + 4);
		if (size < 8 || size > total - off) {
			*why = "tag size out of range";
			return -1;
		}
		if (type == TAG_END)
			break;
		if (parse_tag(out, p + off, type, size, why))
			return -1;
		off += (size + 7) & ~7u;
		if (off > total) {
			*why = "no end tag";
			return -1;
		}
	}
	out->info_start = info_pa;
	out->info_end = info_pa + total;
	return 0;
}
