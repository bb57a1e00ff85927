/*
 * Site fault types (docs/faultinject.md "Site faults"): type X exists in an
 * ELF when it has fault sites fi_site_X or fi_site_X_<n> (each the 5-byte
 * NOP of rt/fisite.h) and a hook fi_hook_X. A fault of type X rewrites one
 * of those sites into "call fi_hook_X".
 */
#ifndef FIMUT_SITES_H
#define FIMUT_SITES_H

#include <stddef.h>
#include <stdint.h>
#include "fimut_elf.h"

#define FIMUT_SITE_LEN   5
#define FIMUT_TYPE_NAME  48             /* longest type name, with the NUL */

extern const uint8_t fimut_site_nop[FIMUT_SITE_LEN];       /* 0f 1f 44 00 00 */

struct fimut_sitetype {
	char name[FIMUT_TYPE_NAME];
	uint64_t hook;
	uint64_t *sites;            /* by address */
	unsigned nsites;
};

/*
 * The ELF's site types, sorted by name. A site whose bytes are not the NOP,
 * or whose type has no hook, is not a site (and a hook without sites is no
 * type). Returns 0, or -1 when out of memory.
 */
int fimut_sitetypes(const struct fimut_elf *e, struct fimut_sitetype **out, unsigned *n);
void fimut_sitetypes_free(struct fimut_sitetype *st, unsigned n);

/* The type of site label 'name' (without fi_site_): name without a "_<digits>" suffix. */
size_t fimut_site_type_len(const char *name);

/* Inside a site's NOP: code faults must not pick these bytes. */
int fimut_in_site(const struct fimut_elf *e, uint64_t addr, unsigned len);

/* The call new= for a site at 'site' to 'hook': e8 rel32. -1 if out of rel32 range. */
int fimut_site_call(uint64_t site, uint64_t hook, uint8_t out[FIMUT_SITE_LEN]);

#endif
