/*
 * ELF64 section headers and symbol table for fimut (see fimut_elf.h). The
 * ELF header and program headers are checked by hv/elf.c, the same checker
 * the hypervisor uses on the image, so fimut picks only bytes it will load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fimut_elf.h"
#include "hv/elf.h"

#define SHDR_SIZE       64
#define SYM_SIZE        24
#define SHT_PROGBITS    1
#define SHT_SYMTAB      2
#define SHF_ALLOC       2
#define SHF_EXECINSTR   4
#define PF_X            1
#define STT_NOTYPE      0
#define STT_FUNC        2
#define STB_LOCAL       0

static uint16_t rd16(const uint8_t *p) { return p[0] | (uint16_t)(p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

struct shdr {
	uint32_t type, link;
	uint64_t flags, addr, offset, size, entsize;
};

static int fail(char *err, size_t n, const char *msg)
{
	snprintf(err, n, "%s", msg);
	return -1;
}

static struct shdr shdr_at(const uint8_t *b, uint64_t shoff, unsigned i)
{
	const uint8_t *p = b + shoff + (uint64_t)i * SHDR_SIZE;

	return (struct shdr){
		.type = rd32(p + 4), .flags = rd64(p + 8), .addr = rd64(p + 16),
		.offset = rd64(p + 24), .size = rd64(p + 32), .link = rd32(p + 40),
		.entsize = rd64(p + 56),
	};
}

/* An executable section must be loaded from exactly these file bytes. */
static int in_exec_segment(const struct elf_image *img, const struct shdr *s)
{
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct elf_segment *g = &img->segs[i];
		if (!(g->flags & PF_X) || s->addr < g->vaddr ||
		    s->addr - g->vaddr > g->filesz || s->size > g->filesz - (s->addr - g->vaddr))
			continue;
		if (g->offset + (s->addr - g->vaddr) == s->offset)
			return 1;
	}
	return 0;
}

static int add_sections(struct fimut_elf *e, const struct elf_image *img,
			uint64_t shoff, unsigned shnum, char *err, size_t n)
{
	if (!(e->secs = calloc(shnum ? shnum : 1, sizeof(*e->secs))))
		return fail(err, n, "out of memory");
	for (unsigned i = 0; i < shnum; i++) {
		struct shdr s = shdr_at(e->data, shoff, i);
		if (s.type != SHT_PROGBITS || (s.flags & (SHF_ALLOC | SHF_EXECINSTR)) !=
		    (SHF_ALLOC | SHF_EXECINSTR) || s.size == 0)
			continue;
		if (s.offset > e->len || s.size > e->len - s.offset)
			return fail(err, n, "executable section past the end of the file");
		if (!in_exec_segment(img, &s))
			return fail(err, n, "executable section outside the executable load segments");
		e->secs[e->nsecs++] = (struct fimut_sec){ s.addr, s.size, e->data + s.offset };
	}
	if (!e->nsecs)
		return fail(err, n, "no executable section");
	return 0;
}

static int sec_of(const struct fimut_elf *e, uint64_t addr)
{
	for (unsigned i = 0; i < e->nsecs; i++)
		if (addr >= e->secs[i].addr && addr - e->secs[i].addr < e->secs[i].size)
			return (int)i;
	return -1;
}

/* Sort by address; at one address a FUNC before a NOTYPE, then symbol order. */
struct sym {
	struct fimut_func f;
	int is_func;
	unsigned order;
};

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->f.addr != y->f.addr)
		return x->f.addr < y->f.addr ? -1 : 1;
	if (x->is_func != y->is_func)
		return y->is_func - x->is_func;
	return x->order < y->order ? -1 : (x->order > y->order);
}

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* Code symbols: FUNC, or a global NOTYPE label such as an assembly entry.
 * fi_site_* labels go to e->sites instead, fi_hook_* also to e->hooks. */
static int read_symbols(struct fimut_elf *e, const struct shdr *st, const struct shdr *str,
			struct sym **out, unsigned *nout, char *err, size_t n)
{
	if (st->entsize != SYM_SIZE || st->offset > e->len || st->size > e->len - st->offset ||
	    str->offset > e->len || str->size > e->len - str->offset || str->size == 0 ||
	    e->data[str->offset + str->size - 1] != 0)
		return fail(err, n, "malformed symbol table");
	uint64_t count = st->size / SYM_SIZE;
	struct sym *v = calloc(count ? count : 1, sizeof(*v));
	unsigned k = 0;

	e->sites = calloc(count ? count : 1, sizeof(*e->sites));
	e->hooks = calloc(count ? count : 1, sizeof(*e->hooks));
	if (!v || !e->sites || !e->hooks) {
		free(v);
		return fail(err, n, "out of memory");
	}
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *p = e->data + st->offset + i * SYM_SIZE;
		unsigned type = p[4] & 0xf, bind = p[4] >> 4;
		uint32_t name = rd32(p);
		uint64_t addr = rd64(p + 8);
		int sec = sec_of(e, addr);

		if (!(type == STT_FUNC || (type == STT_NOTYPE && bind != STB_LOCAL)) ||
		    rd16(p + 6) == 0 || sec < 0)
			continue;
		if (name >= str->size) {
			free(v);
			return fail(err, n, "symbol name outside the string table");
		}
		const char *nm = (const char *)e->data + str->offset + name;
		if (has_prefix(nm, FIMUT_SITE_PREFIX)) {
			e->sites[e->nsites++] = (struct fimut_label){ addr, nm + strlen(FIMUT_SITE_PREFIX) };
			continue;
		}
		if (has_prefix(nm, FIMUT_HOOK_PREFIX))
			e->hooks[e->nhooks++] = (struct fimut_label){ addr, nm + strlen(FIMUT_HOOK_PREFIX) };
		v[k++] = (struct sym){ { addr, rd64(p + 16), nm, (unsigned)sec },
				type == STT_FUNC, (unsigned)i };
	}
	*out = v;
	*nout = k;
	return 0;
}

/* One function per address; size 0 (a label) or too long: up to the next one. */
static void resolve_funcs(struct fimut_elf *e, struct sym *v, unsigned k)
{
	qsort(v, k, sizeof(*v), sym_cmp);
	for (unsigned i = 0; i < k; i++) {
		struct fimut_func f = v[i].f;
		const struct fimut_sec *s = &e->secs[f.sec];
		uint64_t end = s->addr + s->size;

		if (e->nfuncs && e->funcs[e->nfuncs - 1].addr == f.addr)
			continue;
		for (unsigned j = i + 1; j < k; j++)
			if (v[j].f.addr != f.addr) {
				if (v[j].f.sec == f.sec && v[j].f.addr < end)
					end = v[j].f.addr;
				break;
			}
		if (f.size == 0 || f.size > end - f.addr)
			f.size = end - f.addr;
		e->funcs[e->nfuncs++] = f;
	}
}

static int add_funcs(struct fimut_elf *e, uint64_t shoff, unsigned shnum, char *err, size_t n)
{
	struct sym *v = 0;
	unsigned k = 0;

	for (unsigned i = 0; i < shnum; i++) {
		struct shdr st = shdr_at(e->data, shoff, i);
		if (st.type != SHT_SYMTAB)
			continue;
		if (st.link >= shnum)
			return fail(err, n, "symbol table without a string table");
		struct shdr str = shdr_at(e->data, shoff, st.link);
		if (read_symbols(e, &st, &str, &v, &k, err, n))
			return -1;
		break;
	}
	e->funcs = calloc(k + e->nsecs, sizeof(*e->funcs));
	if (!e->funcs) {
		free(v);
		return fail(err, n, "out of memory");
	}
	if (k)
		resolve_funcs(e, v, k);
	free(v);
	if (e->nfuncs)
		return 0;
	for (unsigned i = 0; i < e->nsecs; i++)    /* stripped: whole sections */
		e->funcs[i] = (struct fimut_func){ e->secs[i].addr, e->secs[i].size, "", i };
	e->nfuncs = e->nsecs;
	return 0;
}

int fimut_elf_parse(uint8_t *data, size_t len, struct fimut_elf *e, char *err, size_t n)
{
	struct elf_image img;
	const char *why;

	*e = (struct fimut_elf){ .data = data, .len = len };
	if (elf_parse(data, len, 0, UINT64_MAX, &img, &why))
		return fail(err, n, why);
	uint64_t shoff = rd64(data + 40);
	unsigned shnum = rd16(data + 60);
	if (rd16(data + 58) != SHDR_SIZE || shnum == 0)
		return fail(err, n, "no section headers");
	if (shoff > len || (uint64_t)shnum * SHDR_SIZE > len - shoff)
		return fail(err, n, "section headers past the end of the file");
	if (add_sections(e, &img, shoff, shnum, err, n))
		return -1;
	return add_funcs(e, shoff, shnum, err, n);
}

int fimut_elf_load(const char *path, struct fimut_elf *e, char *err, size_t n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = 0;
	long len;

	*e = (struct fimut_elf){ 0 };
	if (!f) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    len > (256l << 20) || !(buf = malloc(len ? len : 1)) ||
	    fread(buf, 1, len, f) != (size_t)len) {
		snprintf(err, n, "%s: cannot read (or larger than 256 MiB)", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	if (fimut_elf_parse(buf, len, e, err, n)) {
		char why[200];
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, n, "%s: %s", path, why);
		fimut_elf_free(e);
		return -1;
	}
	return 0;
}

void fimut_elf_free(struct fimut_elf *e)
{
	free(e->data);
	free(e->secs);
	free(e->funcs);
	free(e->sites);
	free(e->hooks);
	*e = (struct fimut_elf){ 0 };
}

const uint8_t *fimut_elf_text(const struct fimut_elf *e, uint64_t addr, uint64_t n)
{
	int i = sec_of(e, addr);

	if (i < 0 || n > e->secs[i].size - (addr - e->secs[i].addr))
		return 0;
	return e->secs[i].bytes + (addr - e->secs[i].addr);
}
