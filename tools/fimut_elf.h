/*
 * fimut's view of a guest ELF: the executable sections (bytes as loaded: each
 * lies in an executable PT_LOAD segment, checked with hv/elf.c) and the
 * functions from the symbol table, sorted, with sizes resolved.
 */
#ifndef FIMUT_ELF_H
#define FIMUT_ELF_H

#include <stddef.h>
#include <stdint.h>

struct fimut_sec {
	uint64_t addr, size;        /* guest address (identity-mapped) and length */
	const uint8_t *bytes;       /* into the file image */
};

struct fimut_func {
	uint64_t addr, size;        /* size > 0, inside one section, no overlaps */
	const char *name;           /* into the file's string table */
	unsigned sec;               /* index into secs */
};

/* A named address: a fault site (fi_site_*) or a hook (fi_hook_*), rt/fisite.h. */
struct fimut_label {
	uint64_t addr;
	const char *name;           /* without the fi_site_ / fi_hook_ prefix */
};

#define FIMUT_SITE_PREFIX "fi_site_"
#define FIMUT_HOOK_PREFIX "fi_hook_"

struct fimut_elf {
	uint8_t *data;
	size_t len;
	struct fimut_sec *secs;
	unsigned nsecs;
	struct fimut_func *funcs;   /* sorted by address; without a symbol table,
	                               one nameless function per section */
	unsigned nfuncs;
	/* Fault sites: labels inside functions, so not functions themselves
	 * (they do not cut the function they are in). Hooks stay functions too. */
	struct fimut_label *sites, *hooks;
	unsigned nsites, nhooks;
};

/*
 * Read and check 'path'. Returns 0, or -1 with a one-line reason in err.
 * Takes no ownership of path; free with fimut_elf_free.
 */
int fimut_elf_load(const char *path, struct fimut_elf *e, char *err, size_t errlen);

/* The same on a buffer from malloc, which the fimut_elf then owns (also on failure). */
int fimut_elf_parse(uint8_t *data, size_t len, struct fimut_elf *e, char *err, size_t errlen);

void fimut_elf_free(struct fimut_elf *e);

/* The n loaded bytes at guest address addr, if all inside one executable section. */
const uint8_t *fimut_elf_text(const struct fimut_elf *e, uint64_t addr, uint64_t n);

#endif
