/*
 * Domain lifecycle: build from a validated configuration and an ELF image,
 * crash or shut down with a recorded reason, destroy returning every frame.
 * Lock order: none yet (one CPU, interrupts off in the hypervisor).
 */
#include <stdarg.h>
#include <stdint.h>
#include "fmt.h"
#include "errname.h"
#include "kstring.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/elf.h"
#include "hv/fastinfo.h"
#include "hv/frame.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "hv/prof.h"
#include "hv/sched.h"
#include "hv/supervise.h"
#include "public/guest_layout.h"
#include "public/hv_errno.h"
#include "public/hypercall.h"

static struct domain domains[HV_MAX_DOMAINS];
static uint64_t generations[HV_MAX_DOMAINS];

const char *domain_state_name(enum domain_state s)
{
	static const char *const names[] = {
		"free", "building", "running", "blocked", "crashed", "dead" };
	return (unsigned)s < 6 ? names[s] : "?";
}

struct domain *domain_by_id(uint32_t id)
{
	if (id == 0 || id > HV_MAX_DOMAINS || domains[id - 1].state == DOM_FREE)
		return 0;
	return &domains[id - 1];
}

int domain_alive(const struct domain *d)
{
	return d->state == DOM_RUNNING || d->state == DOM_BLOCKED;
}

uint64_t domain_count_alive(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++)
		n += domain_alive(&domains[i]);
	return n;
}

int domain_frame_of(const struct domain *d, gpa_t gpa, hpa_t *frame)
{
	uint64_t pa;

	if (pt_lookup(&d->gpt, gpa.v, &pa, 0, 0))
		return -HV_ENOENT;
	*frame = hpa_of(pa);
	return 0;
}

int domain_map_frame(struct domain *d, gpa_t gpa, hpa_t frame, int writable)
{
	return pt_map(&d->gpt, gpa.v, frame.v, FRAME_SIZE, arch_gpt_ram_flags(writable), 0);
}

int domain_unmap_frame(struct domain *d, gpa_t gpa)
{
	return pt_unmap(&d->gpt, gpa.v, FRAME_SIZE);
}

/* Give the domain fresh zeroed frames from d->mem_bytes up to 'bytes', at most
 * 'pages' of them per call (the allocator zeroes each: the expensive part). */
static int map_ram(struct domain *d, uint64_t bytes, uint64_t pages)
{
	for (uint64_t gpa = d->mem_bytes; gpa < bytes && pages; gpa += FRAME_SIZE, pages--) {
		hpa_t frame = hpa_of(mm_alloc_frame());
		if (!frame.v)
			return -HV_ENOMEM;
		int rc = domain_map_frame(d, gpa_of(gpa), frame, 1);
		if (rc) {
			mm_free_frame(frame.v);
			return rc;
		}
		d->mem_bytes = gpa + FRAME_SIZE;
	}
	return 0;
}

/* Free up to 'pages' frames of RAM from the top (pages another domain still
 * maps left the table as orphans when the grants were torn down). */
static void unmap_ram(struct domain *d, uint64_t pages)
{
	for (; d->mem_bytes && pages; pages--) {
		uint64_t gpa = d->mem_bytes - FRAME_SIZE;
		hpa_t frame;
		if (domain_frame_of(d, gpa_of(gpa), &frame) == 0)
			mm_free_frame(frame.v);
		d->mem_bytes = gpa;
	}
}

static int load_image(struct domain *d, struct elf_image *img)
{
	const uint8_t *file = phys_to_virt(d->image->start);
	uint64_t len = d->image->end - d->image->start;
	const char *why;

	if (elf_parse(file, len, GUEST_IMAGE_MIN_GPA, d->mem_bytes, img, &why)) {
		printk("hv: domain %s: image '%s' rejected: %s\n", d->cfg.name, d->cfg.image, why);
		return -HV_EINVAL;
	}
	for (unsigned i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		/* memsz - filesz is already zero: frames come zeroed. */
		if (guest_write_raw(d, s->vaddr, file + s->offset, s->filesz))
			return -HV_EINVAL;
	}
	d->image_end = (img->hi + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);
	return 0;
}

static int write_start_info(struct domain *d)
{
	struct guest_start_info si;

	memset(&si, 0, sizeof(si));
	si.magic = GUEST_START_MAGIC;
	si.version = GUEST_START_VERSION;
	si.domid = d->id;
	si.role = d->cfg.role;
	si.mem_bytes = d->mem_bytes;
	si.image_end = d->image_end;
	memcpy(si.name, d->cfg.name, sizeof(si.name));
	memcpy(si.args, d->cfg.args, sizeof(si.args));
	return guest_write_raw(d, GUEST_START_INFO_GPA, &si, sizeof(si));
}

/* The first free slot, or slot want_id (a restart keeps the domain's id). */
static struct domain *slot_alloc(uint32_t want_id)
{
	for (unsigned i = 0; i < HV_MAX_DOMAINS; i++) {
		if (want_id && i + 1 != want_id)
			continue;
		if (domains[i].state == DOM_FREE) {
			memset(&domains[i], 0, sizeof(domains[i]));
			domains[i].id = i + 1;
			domains[i].generation = ++generations[i];
			domains[i].state = DOM_BUILDING;
			return &domains[i];
		}
	}
	return 0;
}

/* Everything after the RAM: image, start info, boot tables, devices, vCPU. */
static int build_rest(struct domain *d)
{
	struct elf_image img;
	struct vcpu_start st = { 0 };
	int rc;

	hpa_t shared;
	if (domain_frame_of(d, gpa_of(GUEST_SHARED_INFO_GPA), &shared))
		return -HV_EFAULT;
	d->shared = phys_to_virt(shared.v);
	fastinfo_init(d);
	if ((rc = load_image(d, &img)) || (rc = write_start_info(d)))
		return rc;
	if (arch_guest_boot_tables(d, &st))
		return -HV_EFAULT;
	if ((rc = assign_devices(d)))
		return rc;
	st.entry = img.entry;
	d->entry = img.entry;
	st.arg = GUEST_START_INFO_GPA;
	d->vcpu.dom = d;
	if (arch_vcpu_init(&d->vcpu, d->gpt.root, &st))
		return -HV_ENOMEM;
	return 0;
}

int domain_build_begin(uint32_t id, const struct bootcfg_domain *cfg,
		       const struct mb2_module *image, struct domain **out)
{
	struct domain *d = slot_alloc(id);
	int rc;

	if (!d)
		return -HV_ENOMEM;
	if (!image) {
		d->state = DOM_FREE;
		return -HV_ENOENT;
	}
	d->cfg = *cfg;
	d->image = image;
	if ((rc = pt_init(&d->gpt, arch_gpt_format(), &mm_pt_ops))) {
		d->state = DOM_FREE;
		return rc;
	}
	*out = d;
	return 0;
}

int domain_build_step(struct domain *d, uint64_t pages)
{
	int rc;

	/* RAM first, 'pages' frames a step; the rest in a step of its own. */
	if (d->mem_bytes < d->cfg.mem_bytes) {
		if (!(rc = map_ram(d, d->cfg.mem_bytes, pages)))
			return 1;
	} else {
		rc = build_rest(d);
	}
	if (rc) {
		printk("hv: domain %s: build failed: %s\n", d->cfg.name, hv_errname(rc));
		domain_destroy(d);
		return rc;
	}
	d->state = DOM_RUNNING;
	d->started_ns = arch_time_ns();
	printk("hv: domain %u (%s) created: %lu MiB, image %s, entry 0x%lx, generation %lu\n",
	       d->id, d->cfg.name, d->mem_bytes >> 20, d->cfg.image, d->entry, d->generation);
	sched_wake(&d->vcpu);
	return 0;
}

int domain_create(const struct bootcfg_domain *cfg, const struct mb2_module *image,
		  struct domain **out)
{
	return domain_create_at(0, cfg, image, out);
}

int domain_create_at(uint32_t id, const struct bootcfg_domain *cfg,
		     const struct mb2_module *image, struct domain **out)
{
	struct domain *d;
	int rc = domain_build_begin(id, cfg, image, &d);

	if (rc)
		return rc;
	while ((rc = domain_build_step(d, UINT64_MAX)) == 1)
		;
	if (rc)
		return rc;
	*out = d;
	return 0;
}

static void stop(struct domain *d, enum domain_state st)
{
	vconsole_flush(d);
	prof_domain_end(d);
	d->state = st;
	sched_stop(&d->vcpu);
	evtchn_domain_dead(d);
	reg_domain_dead(d);
	supervise_stopped(d);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	va_list ap;

	if (!domain_alive(d))
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	stop(d, DOM_CRASHED);
	printk("hv: domain %u (%s) crashed: %s\n", d->id, d->cfg.name, d->reason);
}

void domain_shutdown(struct domain *d, uint32_t reason, int64_t code)
{
	if (!domain_alive(d))
		return;
	d->exit_code = code;
	if (reason == HV_SHUTDOWN_CRASH) {
		fmt_snprintf(d->reason, sizeof(d->reason), "guest reported a crash (code %ld)",
			     (long)code);
		stop(d, DOM_CRASHED);
		printk("hv: domain %u (%s) crashed: %s\n", d->id, d->cfg.name, d->reason);
		return;
	}
	fmt_snprintf(d->reason, sizeof(d->reason), "exit code %ld", (long)code);
	stop(d, DOM_DEAD);
	printk("hv: domain %u (%s) exited with code %ld\n", d->id, d->cfg.name, (long)code);
}

static void quiesce(struct domain *d, int defer_reset)
{
	BUG_ON(d->state == DOM_FREE);
	if (domain_alive(d) || d->state == DOM_BUILDING)
		stop(d, DOM_DEAD);
	if (defer_reset)
		release_devices_deferred(d);
	else
		release_devices(d);
	if (d->gpt.root)
		grant_domain_destroy(d);
	arch_vcpu_free(&d->vcpu);
	d->shared = 0;
}

void domain_quiesce(struct domain *d)
{
	quiesce(d, 0);
}

void domain_quiesce_for_restart(struct domain *d)
{
	quiesce(d, 1);
}

int domain_reclaim_step(struct domain *d, uint64_t pages)
{
	if (d->gpt.root) {
		unmap_ram(d, pages);
		if (d->mem_bytes)
			return 1;
		pt_destroy(&d->gpt);
	}
	d->state = DOM_FREE;
	return 0;
}

void domain_destroy(struct domain *d)
{
	domain_quiesce(d);
	domain_reclaim_step(d, UINT64_MAX);
	supervise_forget(d->id);
}

/*
 * Guest memory access. Ranges are checked as a whole against the domain's RAM
 * before any byte moves; the copy then walks the nested table page by page
 * because a domain's frames are not contiguous.
 */
static int range_ok(const struct domain *d, uint64_t gpa, uint64_t len, uint64_t floor)
{
	return gpa >= floor && len <= d->mem_bytes && gpa <= d->mem_bytes - len;
}

static int copy(struct domain *d, uint64_t gpa, void *hv, uint64_t len, int to_guest)
{
	uint8_t *p = hv;

	while (len) {
		uint64_t off = gpa & (FRAME_SIZE - 1);
		uint64_t n = FRAME_SIZE - off < len ? FRAME_SIZE - off : len;
		hpa_t frame;
		if (domain_frame_of(d, gpa_of(gpa & ~(FRAME_SIZE - 1)), &frame))
			return -HV_EFAULT;
		uint8_t *g = (uint8_t *)phys_to_virt(frame.v) + off;
		if (to_guest)
			memcpy(g, p, n);
		else
			memcpy(p, g, n);
		p += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int guest_copy_from(struct domain *d, void *dst, gpa_t gpa, uint64_t len)
{
	if (!range_ok(d, gpa.v, len, FRAME_SIZE))
		return -HV_EFAULT;
	return copy(d, gpa.v, dst, len, 0);
}

int guest_copy_to(struct domain *d, gpa_t gpa, const void *src, uint64_t len)
{
	if (!range_ok(d, gpa.v, len, FRAME_SIZE))
		return -HV_EFAULT;
	return copy(d, gpa.v, (void *)src, len, 1);
}

int guest_write_raw(struct domain *d, uint64_t gpa, const void *src, uint64_t len)
{
	if (!range_ok(d, gpa, len, 0))
		return -HV_EFAULT;
	return copy(d, gpa, (void *)src, len, 1);
}
