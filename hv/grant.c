/*
 * Grants: a domain offers one of its RAM pages to one named domain, read-only
 * or read-write; that domain maps it at a guest-physical address outside its
 * own RAM. Map counts keep a page alive: a granter that dies while its page is
 * mapped leaves the frame to the survivor (an orphan) until the last unmap.
 */
#include "hv/arch.h"
#include "hv/channel.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/iommu.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "public/guest_layout.h"
#include "public/hv_errno.h"

/* Frames of destroyed granters, with the number of mappings that remain. */
#define ORPHANS_MAX (HV_MAX_DOMAINS * GRANT_MAPS_MAX)
static struct { hpa_t frame; uint32_t maps; } orphans[ORPHANS_MAX];

/* References come decoded (0..GRANT_MAX-1) or from a mapping's record. */
static struct grant_entry *grant_of(struct domain *g, gref_t gref)
{
	BUG_ON(gref.v >= GRANT_MAX);
	return &g->grants[gref.v];
}

/* page: decoded (aligned, below GUEST_VA_LIMIT); it must be the caller's own
 * RAM outside page 0. The decoder also refused the caller's own id. */
int64_t grant_create(struct domain *d, gpa_t page, domid_t grantee, uint32_t flags)
{
	hpa_t frame;

	if (page.v < FRAME_SIZE || page.v >= d->mem_bytes)
		return -HV_EINVAL;
	if (!domain_by_id(grantee.v))
		return -HV_ENOENT;
	if (domain_frame_of(d, page, &frame))
		return -HV_EFAULT;
	for (uint32_t g = 0; g < GRANT_MAX; g++) {
		if (d->grants[g].in_use)
			continue;
		d->grants[g] = (struct grant_entry){ 1, flags & GRANT_READONLY, grantee, page, frame, 0 };
		return g;
	}
	return -HV_ENOMEM;
}

int64_t grant_revoke(struct domain *d, gref_t gref)
{
	struct grant_entry *e = grant_of(d, gref);

	if (!e->in_use)
		return -HV_ENOENT;
	if (e->maps)
		return -HV_EBUSY;
	e->in_use = 0;
	return 0;
}

static struct grant_mapping *mapping_at(struct domain *d, gpa_t dest)
{
	for (unsigned i = 0; i < GRANT_MAPS_MAX; i++)
		if (d->maps[i].in_use && d->maps[i].dest_gpa.v == dest.v)
			return &d->maps[i];
	return 0;
}

/* dest: decoded (aligned, below GUEST_VA_LIMIT); it must lie outside the
 * caller's RAM. */
int64_t grant_map(struct domain *d, domid_t granter, gref_t gref, gpa_t dest, uint32_t flags)
{
	struct domain *g = domain_by_id(granter.v);
	struct grant_mapping *m = 0;
	hpa_t mapped;

	if (dest.v < d->mem_bytes)
		return -HV_EINVAL;
	if (!g || !domain_alive(g))
		return -HV_ENOENT;
	struct grant_entry *e = grant_of(g, gref);
	if (!e->in_use || e->grantee.v != d->id)
		return -HV_EPERM;               /* not granted to this domain */
	if (e->readonly && !(flags & GRANT_READONLY))
		return -HV_EPERM;               /* a read-only grant cannot be mapped writable */
	if (mapping_at(d, dest) || domain_frame_of(d, dest, &mapped) == 0)
		return -HV_EBUSY;
	for (unsigned i = 0; i < GRANT_MAPS_MAX && !m; i++)
		if (!d->maps[i].in_use)
			m = &d->maps[i];
	if (!m)
		return -HV_ENOMEM;
	int writable = !(flags & GRANT_READONLY);
	int rc = domain_map_frame(d, dest, e->frame, writable);
	if (rc)
		return rc;
	/* The domain's devices see the page where the domain does (zero-copy
	 * I/O), with the same write permission. */
	rc = iommu_map_page(d, dest.v, e->frame.v, writable);
	if (rc) {
		if (domain_unmap_frame(d, dest))
			panic("cannot undo a grant mapping");
		return rc;
	}
	*m = (struct grant_mapping){ 1, domid_of(g->id), g->generation, gref, dest, e->frame,
				     (uint8_t)writable };
	e->maps++;
	return 0;
}

static void orphan_put(hpa_t frame)
{
	for (unsigned i = 0; i < ORPHANS_MAX; i++) {
		if (orphans[i].maps && orphans[i].frame.v == frame.v) {
			if (--orphans[i].maps == 0)
				mm_free_frame(frame.v);
			return;
		}
	}
	panic("unmapped frame 0x%lx has no owner", frame.v);
}

static void drop_mapping(struct domain *d, struct grant_mapping *m)
{
	struct domain *g = domain_by_id(m->granter.v);

	if (domain_unmap_frame(d, m->dest_gpa))
		panic("cannot unmap a grant mapping");
	arch_vcpu_flush_gpt(&d->vcpu);
	/* Out of the DMA view, IOTLB invalidated, before the frame can be freed
	 * (orphan_put) or given back to its granter's other uses. */
	iommu_unmap_page(d, m->dest_gpa.v);
	if (g && g->generation == m->granter_gen && grant_of(g, m->gref)->in_use)
		grant_of(g, m->gref)->maps--;
	else
		orphan_put(m->frame);
	m->in_use = 0;
}

/* dest: decoded (aligned, below GUEST_VA_LIMIT). */
int64_t grant_unmap(struct domain *d, gpa_t dest)
{
	struct grant_mapping *m = mapping_at(d, dest);

	if (!m)
		return -HV_ENOENT;
	drop_mapping(d, m);
	return 0;
}

/* The granter is being destroyed: frames still mapped become orphans and
 * leave its nested table, so freeing its RAM never needs to ask which of its
 * pages survive it (a cost per granted page, not per page of RAM). */
static void orphan_live_grants(struct domain *d)
{
	for (uint32_t g = 0; g < GRANT_MAX; g++) {
		struct grant_entry *e = &d->grants[g];
		if (!e->in_use || !e->maps)
			continue;
		unsigned i = 0;
		while (i < ORPHANS_MAX && orphans[i].maps && orphans[i].frame.v != e->frame.v)
			i++;
		if (i == ORPHANS_MAX)
			panic("orphan frame table full");
		orphans[i].frame = e->frame;
		orphans[i].maps += e->maps;
		e->in_use = 0;
		/* A page granted twice is unmapped by the first of its grants. */
		hpa_t pa;
		if (domain_frame_of(d, e->gpa, &pa) == 0 && pa.v == e->frame.v &&
		    domain_unmap_frame(d, e->gpa))
			panic("cannot unmap an orphaned page");
	}
}

void grant_domain_destroy(struct domain *d)
{
	for (unsigned i = 0; i < GRANT_MAPS_MAX; i++)
		if (d->maps[i].in_use)
			drop_mapping(d, &d->maps[i]);
	orphan_live_grants(d);
}

uint64_t grant_orphan_frames(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < ORPHANS_MAX; i++)
		n += orphans[i].maps != 0;
	return n;
}
