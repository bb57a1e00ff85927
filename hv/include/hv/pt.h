/*
 * Generic radix page-table builder for x86-64 style tables (4 KiB tables of
 * 512 64-bit entries). One implementation serves the hypervisor's own page
 * tables, SVM nested page tables and VT-d second-level tables; they differ
 * only in struct pt_format. Pure code: table memory comes from pt_ops, so the
 * host unit tests run it on ordinary heap memory.
 */
#ifndef HV_PT_H
#define HV_PT_H

#include <stddef.h>
#include <stdint.h>

#define PT_PAGE_4K  0x1000ull
#define PT_PAGE_2M  0x200000ull
#define PT_PAGE_1G  0x40000000ull

struct pt_format {
	unsigned levels;        /* 3 (39-bit) or 4 (48-bit) */
	uint64_t table_flags;   /* bits set in every non-leaf entry */
	uint64_t present_mask;  /* an entry is present if (e & present_mask) != 0 */
	uint64_t large_bit;     /* set in a 2M/1G leaf */
	uint64_t addr_mask;     /* physical address bits of an entry */
};

/* x86-64 long mode / AMD NPT: P|RW|US on tables, PS = bit 7. */
extern const struct pt_format pt_fmt_x86;

struct pt_ops {
	/* returns the physical address of a zeroed 4 KiB table, 0 when out of memory */
	uint64_t (*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, uint64_t pa);
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

struct pt {
	const struct pt_format *fmt;
	const struct pt_ops *ops;
	uint64_t root;          /* physical address of the top-level table */
	size_t ntables;         /* tables currently allocated, root included */
};

/* Errors are negative HV_E* codes from public/hv_errno.h. */
int pt_init(struct pt *pt, const struct pt_format *fmt, const struct pt_ops *ops);

/*
 * Map [va, va+size) to [pa, pa+size) with 'leaf_flags' (format-specific bits,
 * e.g. P|RW|US|NX). va, pa, size must be 4 KiB aligned and va+size must fit the
 * format's address width. 'large_ok' allows 2 MiB leaves where va and pa are 2
 * MiB aligned and the rest of the range covers the whole 2 MiB. Mapping over a
 * present entry fails with -HV_EBUSY and leaves earlier pages of the call
 * mapped (callers unmap on failure). -HV_ENOMEM when a table cannot be allocated.
 */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size,
	   uint64_t leaf_flags, int large_ok);

/*
 * Unmap [va, va+size): 4 KiB aligned. Absent pages are skipped. A 2 MiB leaf
 * partly covered by the range is split into 4 KiB leaves first (-HV_ENOMEM if
 * that needs a table it cannot get). Tables left empty are freed.
 */
int pt_unmap(struct pt *pt, uint64_t va, uint64_t size);

/* Translate va. Returns 0 and fills pa/flags/page_size, or -HV_ENOENT. */
int pt_lookup(const struct pt *pt, uint64_t va, uint64_t *pa, uint64_t *flags,
	      uint64_t *page_size);

/* Free every table (not the mapped frames). The pt is unusable afterwards. */
void pt_destroy(struct pt *pt);

#endif
