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
#include "hv/mm.h"
#include "hv/printk.h"
#include "public/guest_layout.h"
#include "public/hv_errno.h"

/* Frames of destroyed granters, with the number of mappings that remain. */
#define ORPHANS_MAX (HV_MAX_DOMAINS * GRANT_MAPS_MAX)
static struct { uint64_t frame; uint32_t maps; } orphans[ORPHANS_MAX];

static int page_aligned(uint64_t a)
{
	return (a & (FRAME_SIZE - 1)) == 0;
}

int64_t grant_create(struct domain *d, uint64_t gpa, uint64_t grantee, uint64_t flags)
{
	uint64_t frame;

	if (!page_aligned(gpa) || gpa < FRAME_SIZE || gpa >= d->mem_bytes ||
	    (flags & ~(uint64_t)GRANT_READONLY))
		return -HV_EINVAL;
	if (grantee > UINT32_MAX || grantee == d->id || !domain_by_id((uint32_t)grantee))
		return -HV_ENOENT;
	if (pt_lookup(&d->gpt, gpa, &frame, 0, 0))
		return -HV_EFAULT;
	for (uint32_t g = 0; g < GRANT_MAX; g++) {
		if (d->grants[g].in_use)
			continue;
		d->grants[g] = (struct grant_entry){ 1, flags & GRANT_READONLY, (uint32_t)grantee,
						     gpa, frame, 0 };
		return g;
	}
	return -HV_ENOMEM;
}

int64_t grant_revoke(struct domain *d, uint64_t gref)
{
	if (gref >= GRANT_MAX || !d->grants[gref].in_use)
		return -HV_ENOENT;
	if (d->grants[gref].maps)
		return -HV_EBUSY;
	d->grants[gref].in_use = 0;
	return 0;
}

static struct grant_mapping *mapping_at(struct domain *d, uint64_t dest)
{
	for (unsigned i = 0; i < GRANT_MAPS_MAX; i++)
		if (d->maps[i].in_use && d->maps[i].dest_gpa == dest)
			return &d->maps[i];
	return 0;
}

int64_t grant_map(struct domain *d, uint64_t granter, uint64_t gref, uint64_t dest, uint64_t flags)
{
	struct domain *g = granter <= UINT32_MAX ? domain_by_id((uint32_t)granter) : 0;
	struct grant_mapping *m = 0;

	if (!page_aligned(dest) || dest < d->mem_bytes || dest >= GUEST_VA_LIMIT ||
	    (flags & ~(uint64_t)GRANT_READONLY))
		return -HV_EINVAL;
	if (!g || g == d || !domain_alive(g) || gref >= GRANT_MAX)
		return -HV_ENOENT;
	struct grant_entry *e = &g->grants[gref];
	if (!e->in_use || e->grantee != d->id)
		return -HV_EPERM;               /* not granted to this domain */
	if (e->readonly && !(flags & GRANT_READONLY))
		return -HV_EPERM;               /* a read-only grant cannot be mapped writable */
	if (mapping_at(d, dest) || pt_lookup(&d->gpt, dest, 0, 0, 0) == 0)
		return -HV_EBUSY;
	for (unsigned i = 0; i < GRANT_MAPS_MAX && !m; i++)
		if (!d->maps[i].in_use)
			m = &d->maps[i];
	if (!m)
		return -HV_ENOMEM;
	int rc = pt_map(&d->gpt, dest, e->frame, FRAME_SIZE,
			arch_gpt_ram_flags(!(flags & GRANT_READONLY)), 0);
	if (rc)
		return rc;
	*m = (struct grant_mapping){ 1, g->id, g->generation, (uint32_t)gref, dest, e->frame };
	e->maps++;
	return 0;
}

static void orphan_put(uint64_t frame)
{
	for (unsigned i = 0; i < ORPHANS_MAX; i++) {
		if (orphans[i].maps && orphans[i].frame == frame) {
			if (--orphans[i].maps == 0)
				mm_free_frame(frame);
			return;
		}
	}
	panic("unmapped frame 0x%lx has no owner", frame);
}

static void drop_mapping(struct domain *d, struct grant_mapping *m)
{
	struct domain *g = domain_by_id(m->granter);

	if (pt_unmap(&d->gpt, m->dest_gpa, FRAME_SIZE))
		panic("cannot unmap a grant mapping");
	arch_vcpu_flush_gpt(&d->vcpu);
	if (g && g->generation == m->granter_gen && g->grants[m->gref].in_use)
		g->grants[m->gref].maps--;
	else
		orphan_put(m->frame);
	m->in_use = 0;
}

int64_t grant_unmap(struct domain *d, uint64_t dest)
{
	struct grant_mapping *m = page_aligned(dest) ? mapping_at(d, dest) : 0;

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
		while (i < ORPHANS_MAX && orphans[i].maps && orphans[i].frame != e->frame)
			i++;
		if (i == ORPHANS_MAX)
			panic("orphan frame table full");
		orphans[i].frame = e->frame;
		orphans[i].maps += e->maps;
		e->in_use = 0;
		/* A page granted twice is unmapped by the first of its grants. */
		uint64_t pa;
		if (pt_lookup(&d->gpt, e->gpa, &pa, 0, 0) == 0 && pa == e->frame &&
		    pt_unmap(&d->gpt, e->gpa, FRAME_SIZE))
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
