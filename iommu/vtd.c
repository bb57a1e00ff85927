/*
 * Intel VT-d: register-level bring-up of each remapping unit (VT-d spec,
 * chapter 10). Translation is enabled over a root table with no present
 * entries, which blocks all DMA ("default deny"); context and second-level
 * tables for assigned devices are added on top of this. Every poll of a
 * hardware status bit is bounded.
 */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "hv/iommu.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "public/guest_layout.h"
#include "public/hv_errno.h"

#define VTD_VER_REG     0x00
#define VTD_CAP_REG     0x08
#define VTD_ECAP_REG    0x10
#define VTD_GCMD_REG    0x18
#define VTD_GSTS_REG    0x1c
#define VTD_RTADDR_REG  0x20
#define VTD_CCMD_REG    0x28
#define VTD_FSTS_REG    0x34
#define VTD_FECTL_REG   0x38
#define VTD_FEDATA_REG  0x3c
#define VTD_FEADDR_REG  0x40
#define VTD_FEUADDR_REG 0x44
#define VTD_FSTS_PFO    (1u << 0)
#define VTD_FSTS_PPF    (1u << 1)

#define VTD_GCMD_TE     (1u << 31)
#define VTD_GCMD_SRTP   (1u << 30)
#define VTD_GCMD_IRE    (1u << 25)
#define VTD_GCMD_SIRTP  (1u << 24)
#define VTD_GCMD_CFI    (1u << 23)
#define VTD_GSTS_IRES   (1u << 25)
#define VTD_GSTS_CFIS   (1u << 23)
#define VTD_GSTS_IRTPS  (1u << 24)
#define VTD_IRTA_REG    0xb8
#define VTD_IRT_SIZE    7       /* 2^(7+1) = 256 entries of 16 bytes: one page */
#define VTD_GSTS_TES    (1u << 31)
#define VTD_GSTS_RTPS   (1u << 30)
/* GSTS bits that stay set and must be written back with a one-shot command. */
#define VTD_GSTS_PERSIST (VTD_GSTS_TES | (1u << 26) | (1u << 25) | (1u << 23))

#define VTD_CCMD_ICC    (1ull << 63)
#define VTD_CCMD_GLOBAL (1ull << 61)
#define VTD_IOTLB_IVT   (1ull << 63)
#define VTD_IOTLB_GLOBAL (1ull << 60)
#define VTD_IOTLB_DOMAIN (2ull << 60)   /* IIRG: domain-selective, DID in 47:32 */
#define VTD_IOTLB_DR    (1ull << 49)    /* drain reads / writes first (CAP.DRD, DWD) */
#define VTD_IOTLB_DW    (1ull << 48)

#define VTD_POLL_MAX    1000000u


struct vtd_unit {
	uint64_t base;
	uint64_t cap, ecap;
	uint64_t root;          /* root table (256 x 128-bit entries) */
	uint64_t irt;           /* interrupt remapping table, 0 if unsupported */
};

static struct vtd_unit units[DMAR_MAX_DRHD];
static unsigned nunits;
static int enabled;
static struct dmar_info dmar_copy;     /* device scopes: I/O APIC requester ids */
static volatile int fault_irq;

static void fault_event(unsigned vector)
{
	(void)vector;
	fault_irq = 1;          /* looked at by iommu_poll_faults outside interrupt context */
}


static uint32_t rd32(struct vtd_unit *u, unsigned reg) { return mmio_read32_pa(u->base + reg); }
static uint64_t rd64(struct vtd_unit *u, unsigned reg)
{
	return rd32(u, reg) | (uint64_t)rd32(u, reg + 4) << 32;
}
static void wr32(struct vtd_unit *u, unsigned reg, uint32_t v) { mmio_write32_pa(u->base + reg, v); }
static void wr64(struct vtd_unit *u, unsigned reg, uint64_t v)
{
	wr32(u, reg, (uint32_t)v);
	wr32(u, reg + 4, (uint32_t)(v >> 32));
}

/* Wait until (reg & mask) == want; 0 or -1 after VTD_POLL_MAX reads. */
static int poll32(struct vtd_unit *u, unsigned reg, uint32_t mask, uint32_t want)
{
	for (unsigned i = 0; i < VTD_POLL_MAX; i++)
		if ((rd32(u, reg) & mask) == want)
			return 0;
	return -1;
}

static int poll64_clear(struct vtd_unit *u, unsigned reg, uint64_t bit)
{
	for (unsigned i = 0; i < VTD_POLL_MAX; i++)
		if (!(rd64(u, reg) & bit))
			return 0;
	return -1;
}

static int gcmd(struct vtd_unit *u, uint32_t cmd, uint32_t status_bit)
{
	uint32_t keep = rd32(u, VTD_GSTS_REG) & VTD_GSTS_PERSIST;

	wr32(u, VTD_GCMD_REG, keep | cmd);
	return poll32(u, VTD_GSTS_REG, status_bit, status_bit);
}

/* Turn a persistent GSTS bit off (one-shot command without it). */
static int gcmd_clear(struct vtd_unit *u, uint32_t status_bit)
{
	uint32_t keep = rd32(u, VTD_GSTS_REG) & VTD_GSTS_PERSIST & ~status_bit;

	wr32(u, VTD_GCMD_REG, keep);
	return poll32(u, VTD_GSTS_REG, status_bit, 0);
}

static int invalidate_all(struct vtd_unit *u)
{
	unsigned iotlb = (unsigned)((u->ecap >> 8) & 0x3ff) * 16 + 8;   /* ECAP.IRO */

	wr64(u, VTD_CCMD_REG, VTD_CCMD_ICC | VTD_CCMD_GLOBAL);
	if (poll64_clear(u, VTD_CCMD_REG, VTD_CCMD_ICC))
		return -1;
	wr64(u, iotlb, VTD_IOTLB_IVT | VTD_IOTLB_GLOBAL);
	return poll64_clear(u, iotlb, VTD_IOTLB_IVT);
}

/*
 * Forget every cached translation of domain 'did' (IOTLB and paging-structure
 * caches), draining the DMA already in flight where the unit can: once this
 * returns, a page taken out of the domain's tables is unreachable by DMA.
 */
static int invalidate_domain(struct vtd_unit *u, uint16_t did)
{
	unsigned iotlb = (unsigned)((u->ecap >> 8) & 0x3ff) * 16 + 8;   /* ECAP.IRO */
	uint64_t drain = ((u->cap >> 55) & 1 ? VTD_IOTLB_DR : 0) |
			 ((u->cap >> 54) & 1 ? VTD_IOTLB_DW : 0);

	wr64(u, iotlb, VTD_IOTLB_IVT | VTD_IOTLB_DOMAIN | drain | (uint64_t)did << 32);
	return poll64_clear(u, iotlb, VTD_IOTLB_IVT);
}

/* Fault events arrive as an MSI; without a vector the scheduler still polls. */
static void setup_fault_event(struct vtd_unit *u)
{
	uint64_t addr;
	uint32_t data;

	if (arch_irq_alloc(fault_event, &addr, &data))
		return;
	wr32(u, VTD_FEDATA_REG, data);
	wr32(u, VTD_FEADDR_REG, (uint32_t)addr);
	wr32(u, VTD_FEUADDR_REG, (uint32_t)(addr >> 32));
	wr32(u, VTD_FECTL_REG, 0);      /* unmask */
}

/*
 * Interrupt remapping over an empty table (xAPIC format; no EIM under TCG):
 * remappable interrupts find no present entry, so no device can raise any
 * vector until the hypervisor writes an entry for it. Compatibility-format
 * requests (a plain MSI address/data, which names any vector and delivery
 * mode) must be blocked too: with IRTA.EIME clear that is GCMD.CFI = 0, and
 * GSTS.CFIS must read 0 (VT-d spec 5.1.2.1, 10.4.4). Clear it before remapping
 * is on, so there is no moment with remapping on and compatibility format
 * allowed. QEMU 7.2 ignores the bit and passes compatibility-format requests
 * through anyway (docs/design.md, "Containment limits under QEMU"). The
 * hypervisor's own fault-event interrupt is not subject to remapping.
 */
static int enable_irq_remapping(struct vtd_unit *u)
{
	if (!((u->ecap >> 3) & 1))
		return 0;                       /* ECAP.IR: not supported */
	u->irt = mm_alloc_frame();
	if (!u->irt)
		return -1;
	wr64(u, VTD_IRTA_REG, u->irt | VTD_IRT_SIZE);   /* EIME 0: xAPIC format */
	if (gcmd(u, VTD_GCMD_SIRTP, VTD_GSTS_IRTPS))
		return -1;
	if ((rd32(u, VTD_GSTS_REG) & VTD_GSTS_CFIS) && gcmd_clear(u, VTD_GSTS_CFIS))
		return -1;
	if (gcmd(u, VTD_GCMD_IRE, VTD_GSTS_IRES))
		return -1;
	uint32_t sts = rd32(u, VTD_GSTS_REG);
	printk("hv: vtd: compatibility-format interrupts %s (GSTS 0x%x, CFIS %u)\n",
	       sts & VTD_GSTS_CFIS ? "ALLOWED" : "blocked", sts, (sts & VTD_GSTS_CFIS) ? 1 : 0);
	return sts & VTD_GSTS_CFIS ? -1 : 0;
}

static int unit_init(struct vtd_unit *u, uint64_t base)
{
	u->base = base;
	if (arch_map_mmio(base, 0x1000))
		return -1;
	u->cap = rd64(u, VTD_CAP_REG);
	u->ecap = rd64(u, VTD_ECAP_REG);
	u->root = mm_alloc_frame();
	if (!u->root)
		return -1;
	printk("hv: vtd: unit at 0x%lx version %x, CAP 0x%lx ECAP 0x%lx (SAGAW 0x%lx, %lu fault "
	       "records, %s)\n", base, rd32(u, VTD_VER_REG), u->cap, u->ecap,
	       (u->cap >> 8) & 0x1f, ((u->cap >> 40) & 0xff) + 1,
	       (u->ecap >> 3) & 1 ? "interrupt remapping" : "no interrupt remapping");
	wr64(u, VTD_RTADDR_REG, u->root);
	if (gcmd(u, VTD_GCMD_SRTP, VTD_GSTS_RTPS) || invalidate_all(u))
		return -1;
	setup_fault_event(u);
	/* An empty root table: every DMA request faults (default deny). */
	if (gcmd(u, VTD_GCMD_TE, VTD_GSTS_TES))
		return -1;
	return enable_irq_remapping(u);
}

int iommu_init(const struct dmar_info *dmar)
{
	dmar_copy = *dmar;
	for (unsigned i = 0; i < dmar->ndrhd; i++) {
		if (unit_init(&units[nunits], dmar->drhd[i].base)) {
			printk("hv: vtd: unit at 0x%lx does not respond: no device assignment\n",
			       dmar->drhd[i].base);
			return -1;
		}
		nunits++;
	}
	enabled = nunits > 0;
	printk("hv: vtd: DMA translation on in %u unit(s), default deny; interrupt remapping %s\n",
	       nunits, units[0].irt ? "on, no entries" : "unsupported");
	return 0;
}

/* Second-level tables, 39-bit / 3 levels (the width QEMU's unit supports). */
static const struct pt_format vtd_sl_format = {
	.levels = 3,
	.table_flags = 0x3,             /* R | W */
	.present_mask = 0x3,
	.large_bit = 0x80,
	.addr_mask = 0x000ffffffffff000ull,
};
#define VTD_SL_RW 0x3
#define VTD_SL_R  0x1

/* Context table of a bus (allocated on first use); NULL when out of memory. */
static uint64_t *context_table(struct vtd_unit *u, uint8_t bus)
{
	uint64_t *root = phys_to_virt(u->root);

	if (!(root[2 * bus] & 1)) {
		uint64_t ctx = mm_alloc_frame();
		if (!ctx)
			return 0;
		root[2 * bus + 1] = 0;
		__atomic_store_n(&root[2 * bus], ctx | 1, __ATOMIC_SEQ_CST);
	}
	return phys_to_virt(root[2 * bus] & ~0xfffull);
}

/* The domain's DMA view: its RAM at the same addresses it sees them, and the
 * grants it has mapped already (later ones arrive by iommu_map_page). */
static int build_dma_view(struct domain *d)
{
	int rc = pt_init(&d->dma_pt, &vtd_sl_format, &mm_pt_ops);

	for (uint64_t gpa = 0; !rc && gpa < d->mem_bytes; gpa += FRAME_SIZE) {
		uint64_t pa;
		/* Not the shared page: the hypervisor reads the watchdog feed
		 * there, and a device must not keep a hung driver looking alive. */
		if (gpa == GUEST_SHARED_INFO_GPA)
			continue;
		if (pt_lookup(&d->gpt, gpa, &pa, 0, 0) == 0)
			rc = pt_map(&d->dma_pt, gpa, pa, FRAME_SIZE, VTD_SL_RW, 0);
	}
	for (unsigned i = 0; !rc && i < GRANT_MAPS_MAX; i++) {
		const struct grant_mapping *m = &d->maps[i];
		if (m->in_use)
			rc = pt_map(&d->dma_pt, m->dest_gpa.v, m->frame.v, FRAME_SIZE,
				    m->writable ? VTD_SL_RW : VTD_SL_R, 0);
	}
	return rc;
}

int iommu_map_page(struct domain *d, uint64_t gpa, uint64_t frame, int writable)
{
	if (!d->dma_users)
		return 0;
	/* Not-present -> present: no invalidation needed (CAP.CM is 0 here). */
	return pt_map(&d->dma_pt, gpa, frame, FRAME_SIZE, writable ? VTD_SL_RW : VTD_SL_R, 0);
}

void iommu_unmap_page(struct domain *d, uint64_t gpa)
{
	if (!d->dma_users)
		return;
	/* A 4 KiB leaf never splits a large page: this cannot fail. Tables it
	 * leaves empty are freed before the invalidation, but nothing can
	 * allocate them again before it completes. */
	if (pt_unmap(&d->dma_pt, gpa, FRAME_SIZE))
		panic("cannot unmap a DMA page");
	if (invalidate_domain(&units[0], (uint16_t)d->id))
		panic("VT-d invalidation timed out");
}

int iommu_attach(struct domain *d, uint16_t bdf)
{
	if (!enabled)
		return -HV_EPERM;
	struct vtd_unit *u = &units[0];         /* QEMU: one unit covers every device */
	if (!((u->cap >> 8) & 0x2))
		return -HV_EINVAL;                  /* no 39-bit / 3-level support */
	if (!d->dma_users) {
		int rc = build_dma_view(d);
		if (rc) {
			if (d->dma_pt.root)
				pt_destroy(&d->dma_pt);
			return rc;
		}
	}
	uint64_t *ctx = context_table(u, (uint8_t)(bdf >> 8));
	if (!ctx)
		return -HV_ENOMEM;
	unsigned devfn = bdf & 0xff;
	ctx[2 * devfn + 1] = 1u | ((uint64_t)d->id << 8);          /* AW 39-bit, domain id */
	__atomic_store_n(&ctx[2 * devfn], d->dma_pt.root | 1, __ATOMIC_SEQ_CST);  /* TT 0, present */
	d->dma_users++;
	if (invalidate_all(u))
		panic("VT-d invalidation timed out");
	return 0;
}

void iommu_detach(struct domain *d, uint16_t bdf)
{
	struct vtd_unit *u = &units[0];
	uint64_t *root = phys_to_virt(u->root);
	uint8_t bus = (uint8_t)(bdf >> 8);

	if (!enabled || !(root[2 * bus] & 1))
		return;
	uint64_t *ctx = phys_to_virt(root[2 * bus] & ~0xfffull);
	unsigned devfn = bdf & 0xff;
	__atomic_store_n(&ctx[2 * devfn], 0, __ATOMIC_SEQ_CST);
	ctx[2 * devfn + 1] = 0;
	if (invalidate_all(u))
		panic("VT-d invalidation timed out");
	if (d->dma_users && --d->dma_users == 0)
		pt_destroy(&d->dma_pt);
}

int iommu_enabled(void)
{
	return enabled;
}

/* Take the oldest recorded fault of a unit, if any, and clear it. */
int vtd_take_fault(unsigned unit, struct vtd_fault *f)
{
	if (unit >= nunits)
		return 0;
	struct vtd_unit *u = &units[unit];
	unsigned fro = (unsigned)((u->cap >> 24) & 0x3ff) * 16;
	unsigned nfr = (unsigned)((u->cap >> 40) & 0xff) + 1;

	if (!(rd32(u, VTD_FSTS_REG) & VTD_FSTS_PPF))
		return 0;
	for (unsigned i = 0; i < nfr; i++) {
		unsigned off = fro + 16 * i;
		uint64_t lo = rd64(u, off), hi = rd64(u, off + 8);
		if (!(hi & (1ull << 63)))
			continue;
		f->sid = (uint16_t)hi;
		f->reason = (uint8_t)(hi >> 32);
		f->is_read = (hi >> 62) & 1;
		f->addr = lo & ~0xfffull;
		f->irq_index = (uint16_t)(lo >> 48);    /* interrupt faults: FI = index */
		wr32(u, off + 12, 1u << 31);            /* F is write-1-to-clear */
		wr32(u, VTD_FSTS_REG, VTD_FSTS_PFO);    /* and any overflow */
		return 1;
	}
	return 0;
}

uint32_t vtd_status(unsigned unit)
{
	return unit < nunits ? rd32(&units[unit], VTD_GSTS_REG) : 0;
}

/*
 * Interrupt remapping entry 'index' (xAPIC format): requests from source-id
 * 'sid' only (source-id verification) become fixed, physical-mode 'vector'
 * on this CPU, edge- or level-triggered. For an MSI the device is programmed
 * with the remappable-format address returned; for INTx the I/O APIC entry
 * names the index. (QEMU reads entries from memory on every interrupt; on
 * hardware an interrupt-entry-cache invalidation through the invalidation
 * queue belongs here too.)
 */
int iommu_irq_route(unsigned index, uint16_t sid, uint8_t vector, int level,
		    uint64_t *msi_addr, uint32_t *msi_data)
{
	struct vtd_unit *u = &units[0];

	if (!enabled || !u->irt || index >= (2u << VTD_IRT_SIZE))
		return -HV_EINVAL;
	uint64_t *e = (uint64_t *)phys_to_virt(u->irt) + 2 * index;
	e[1] = sid | (1ull << 18);                                  /* SVT 1: verify SID */
	__atomic_store_n(&e[0], 1ull | (level ? 1ull << 4 : 0) | ((uint64_t)vector << 16) |
			 ((uint64_t)(arch_cpu_apic_id() & 0xff) << 40), __ATOMIC_SEQ_CST);
	*msi_addr = 0xfee00000ull | ((uint64_t)(index & 0x7fff) << 5) | (1u << 4) |
		    ((uint64_t)((index >> 15) & 1) << 2);
	*msi_data = 0;
	return 0;
}

/* The requester id an I/O APIC's interrupts carry: from the DMAR device scope
 * that names it. */
int iommu_ioapic_sid(unsigned ioapic_id, uint16_t *sid)
{
	for (unsigned i = 0; i < dmar_copy.ndrhd; i++) {
		const struct dmar_drhd *h = &dmar_copy.drhd[i];
		for (unsigned k = 0; k < h->nscopes; k++) {
			const struct dmar_scope *sc = &h->scopes[k];
			if (sc->type != DMAR_SCOPE_IOAPIC || sc->enum_id != ioapic_id || sc->npath != 1)
				continue;
			*sid = (uint16_t)(sc->start_bus << 8 | sc->path[0].dev << 3 | sc->path[0].fn);
			return 0;
		}
	}
	return -HV_ENOENT;
}

void iommu_irq_unroute(unsigned index)
{
	struct vtd_unit *u = &units[0];

	if (!u->irt || index >= (2u << VTD_IRT_SIZE))
		return;
	uint64_t *e = (uint64_t *)phys_to_virt(u->irt) + 2 * index;
	__atomic_store_n(&e[0], 0, __ATOMIC_SEQ_CST);
	e[1] = 0;
}

int iommu_fault_signalled(void)
{
	int f = fault_irq;

	fault_irq = 0;
	return f;
}
