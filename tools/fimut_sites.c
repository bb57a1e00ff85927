/* Site fault types (see fimut_sites.h). */
#include <stdlib.h>
#include <string.h>
#include "fimut_sites.h"

const uint8_t fimut_site_nop[FIMUT_SITE_LEN] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

size_t fimut_site_type_len(const char *name)
{
	size_t n = strlen(name), k = n;

	while (k > 0 && name[k - 1] >= '0' && name[k - 1] <= '9')
		k--;
	if (k < n && k > 1 && name[k - 1] == '_')
		return k - 1;
	return n;
}

static int type_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fimut_sitetype *)a)->name,
		      ((const struct fimut_sitetype *)b)->name);
}

static int addr_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const struct fimut_label *hook_of(const struct fimut_elf *e, const char *type, size_t len)
{
	for (unsigned i = 0; i < e->nhooks; i++)
		if (strlen(e->hooks[i].name) == len && !strncmp(e->hooks[i].name, type, len))
			return &e->hooks[i];
	return NULL;
}

static int is_nop_site(const struct fimut_elf *e, uint64_t addr)
{
	const uint8_t *b = fimut_elf_text(e, addr, FIMUT_SITE_LEN);

	return b && !memcmp(b, fimut_site_nop, FIMUT_SITE_LEN);
}

int fimut_sitetypes(const struct fimut_elf *e, struct fimut_sitetype **out, unsigned *n)
{
	struct fimut_sitetype *st = calloc(e->nsites ? e->nsites : 1, sizeof(*st));
	unsigned k = 0;

	*out = NULL;
	*n = 0;
	if (!st)
		return -1;
	for (unsigned i = 0; i < e->nsites; i++) {
		const char *nm = e->sites[i].name;
		size_t len = fimut_site_type_len(nm);
		const struct fimut_label *hk = hook_of(e, nm, len);
		if (!hk || len == 0 || len >= FIMUT_TYPE_NAME || !is_nop_site(e, e->sites[i].addr))
			continue;
		unsigned t = 0;
		while (t < k && (strlen(st[t].name) != len || strncmp(st[t].name, nm, len)))
			t++;
		if (t == k) {
			memcpy(st[k].name, nm, len);
			st[k].hook = hk->addr;
			if (!(st[k].sites = calloc(e->nsites, sizeof(uint64_t)))) {
				fimut_sitetypes_free(st, k);
				return -1;
			}
			k++;
		}
		st[t].sites[st[t].nsites++] = e->sites[i].addr;
	}
	for (unsigned t = 0; t < k; t++)
		qsort(st[t].sites, st[t].nsites, sizeof(uint64_t), addr_cmp);
	qsort(st, k, sizeof(*st), type_cmp);
	*out = st;
	*n = k;
	return 0;
}

void fimut_sitetypes_free(struct fimut_sitetype *st, unsigned n)
{
	for (unsigned i = 0; st && i < n; i++)
		free(st[i].sites);
	free(st);
}

int fimut_in_site(const struct fimut_elf *e, uint64_t addr, unsigned len)
{
	for (unsigned i = 0; i < e->nsites; i++) {
		uint64_t s = e->sites[i].addr;
		if (addr < s + FIMUT_SITE_LEN && s < addr + len)
			return 1;
	}
	return 0;
}

int fimut_site_call(uint64_t site, uint64_t hook, uint8_t out[FIMUT_SITE_LEN])
{
	int64_t rel = (int64_t)(hook - (site + FIMUT_SITE_LEN));

	if (rel < INT32_MIN || rel > INT32_MAX)
		return -1;
	out[0] = 0xe8;
	for (int i = 0; i < 4; i++)
		out[1 + i] = (uint8_t)((uint64_t)rel >> (8 * i));
	return 0;
}
