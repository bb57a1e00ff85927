/*
 * Generic radix page tables (see hv/pt.h). Level numbering: the leaf level of
 * 4 KiB pages is 0, a 2 MiB leaf lives at level 1, the root is levels-1.
 */
#include "hv/pt.h"
#include "public/hv_errno.h"

const struct pt_format pt_fmt_x86 = {
	.levels = 4,
	.table_flags = 0x7,
	.present_mask = 0x1,
	.large_bit = 0x80,
	.addr_mask = 0x000ffffffffff000ull,
};

#define ENTRIES 512

static unsigned index_at(uint64_t va, unsigned level)
{
	return (va >> (12 + 9 * level)) & (ENTRIES - 1);
}

static uint64_t level_size(unsigned level)
{
	return 1ull << (12 + 9 * level);
}

static uint64_t *table(const struct pt *pt, uint64_t pa)
{
	return pt->ops->phys_to_virt(pt->ops->ctx, pa);
}

static int present(const struct pt *pt, uint64_t e)
{
	return (e & pt->fmt->present_mask) != 0;
}

static int is_leaf(const struct pt *pt, uint64_t e, unsigned level)
{
	return level == 0 || (e & pt->fmt->large_bit);
}

static uint64_t va_limit(const struct pt *pt)
{
	return 1ull << (12 + 9 * pt->fmt->levels);
}

static uint64_t new_table(struct pt *pt)
{
	uint64_t pa = pt->ops->alloc_table(pt->ops->ctx);

	if (pa)
		pt->ntables++;
	return pa;
}

static void free_table(struct pt *pt, uint64_t pa)
{
	pt->ops->free_table(pt->ops->ctx, pa);
	pt->ntables--;
}

int pt_init(struct pt *pt, const struct pt_format *fmt, const struct pt_ops *ops)
{
	pt->fmt = fmt;
	pt->ops = ops;
	pt->ntables = 0;
	pt->root = new_table(pt);
	return pt->root ? 0 : -HV_ENOMEM;
}

static int args_ok(const struct pt *pt, uint64_t va, uint64_t size)
{
	return !((va | size) & (PT_PAGE_4K - 1)) && size <= va_limit(pt) &&
	       va <= va_limit(pt) - size;
}

/* The table at 'level' covering va, created if absent; NULL if a leaf is in the way. */
static uint64_t *walk_create(struct pt *pt, uint64_t va, unsigned level, int *err)
{
	uint64_t *t = table(pt, pt->root);

	for (unsigned l = pt->fmt->levels - 1; l > level; l--) {
		uint64_t *e = &t[index_at(va, l)];
		if (!present(pt, *e)) {
			uint64_t pa = new_table(pt);
			if (!pa) {
				*err = -HV_ENOMEM;
				return 0;
			}
			*e = pa | pt->fmt->table_flags;
		} else if (is_leaf(pt, *e, l)) {
			*err = -HV_EBUSY;
			return 0;
		}
		t = table(pt, *e & pt->fmt->addr_mask);
	}
	return t;
}

int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size,
	   uint64_t leaf_flags, int large_ok)
{
	if (!args_ok(pt, va, size) || (pa & (PT_PAGE_4K - 1)) || pa + size < pa)
		return -HV_EINVAL;
	while (size) {
		unsigned level = 0;
		int err = 0;
		if (large_ok && !((va | pa) & (PT_PAGE_2M - 1)) && size >= PT_PAGE_2M)
			level = 1;
		uint64_t *t = walk_create(pt, va, level, &err);
		if (!t)
			return err;
		uint64_t *e = &t[index_at(va, level)];
		if (present(pt, *e))
			return -HV_EBUSY;
		*e = (pa & pt->fmt->addr_mask) | leaf_flags | (level ? pt->fmt->large_bit : 0);
		va += level_size(level);
		pa += level_size(level);
		size -= level_size(level);
	}
	return 0;
}

int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, uint64_t *flags,
	      uint64_t *page_size)
{
	if (va >= va_limit(pt))
		return -HV_ENOENT;
	const uint64_t *t = table(pt, pt->root);

	for (unsigned l = pt->fmt->levels - 1;; l--) {
		uint64_t e = t[index_at(va, l)];
		if (!present(pt, e))
			return -HV_ENOENT;
		if (is_leaf(pt, e, l)) {
			uint64_t sz = level_size(l);
			if (pa)
				*pa = (e & pt->fmt->addr_mask & ~(sz - 1)) + (va & (sz - 1));
			if (flags)
				*flags = e & ~pt->fmt->addr_mask & ~(l ? pt->fmt->large_bit : 0);
			if (page_size)
				*page_size = sz;
			return 0;
		}
		t = table(pt, e & pt->fmt->addr_mask);
	}
}

static int table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < ENTRIES; i++)
		if (t[i])
			return 0;
	return 1;
}

/* Replace the large leaf *e at 'level' by a table of next-level leaves. */
static int split(struct pt *pt, uint64_t *e, unsigned level)
{
	uint64_t pa = new_table(pt);

	if (!pa)
		return -HV_ENOMEM;
	uint64_t *t = table(pt, pa), base = *e & pt->fmt->addr_mask;
	uint64_t flags = *e & ~pt->fmt->addr_mask & ~pt->fmt->large_bit;
	uint64_t keep_large = level - 1 ? pt->fmt->large_bit : 0;

	for (unsigned i = 0; i < ENTRIES; i++)
		t[i] = (base + i * level_size(level - 1)) | flags | keep_large;
	*e = pa | pt->fmt->table_flags;
	return 0;
}

/* Unmap [va, end) inside the table t at 'level'; frees child tables left empty. */
static int unmap_in(struct pt *pt, uint64_t *t, unsigned level, uint64_t va, uint64_t end)
{
	while (va < end) {
		uint64_t sz = level_size(level), next = (va & ~(sz - 1)) + sz;
		uint64_t stop = next < end || next == 0 ? next : end;
		uint64_t *e = &t[index_at(va, level)];
		int rc;

		if (!present(pt, *e)) {
			/* nothing mapped here */
		} else if (is_leaf(pt, *e, level) && !(va & (sz - 1)) && stop - va == sz) {
			*e = 0;
		} else {
			if (is_leaf(pt, *e, level) && (rc = split(pt, e, level)))
				return rc;
			uint64_t child = *e & pt->fmt->addr_mask;
			if ((rc = unmap_in(pt, table(pt, child), level - 1, va, stop)))
				return rc;
			if (table_empty(table(pt, child))) {
				*e = 0;
				free_table(pt, child);
			}
		}
		if (next == 0)
			break;
		va = next;
	}
	return 0;
}

int pt_unmap(struct pt *pt, uint64_t va, uint64_t size)
{
	if (!args_ok(pt, va, size))
		return -HV_EINVAL;
	if (!size)
		return 0;
	return unmap_in(pt, table(pt, pt->root), pt->fmt->levels - 1, va, va + size);
}

static void destroy_level(struct pt *pt, uint64_t pa, unsigned level)
{
	uint64_t *t = table(pt, pa);

	for (unsigned i = 0; level > 0 && i < ENTRIES; i++)
		if (present(pt, t[i]) && !is_leaf(pt, t[i], level))
			destroy_level(pt, t[i] & pt->fmt->addr_mask, level - 1);
	free_table(pt, pa);
}

void pt_destroy(struct pt *pt)
{
	if (pt->root)
		destroy_level(pt, pt->root, pt->fmt->levels - 1);
	pt->root = 0;
}
