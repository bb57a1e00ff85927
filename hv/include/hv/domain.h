/*
 * Domains: a guest built from an ELF image with its own guest-physical memory,
 * one vCPU (for now) and a lifecycle. A domain slot can be rebuilt from the same
 * configuration and image after the previous incarnation is destroyed; the
 * restart path of driver domains relies on this.
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include <stdint.h>
#include "public/bootcfg.h"
#include "hv/mb2.h"
#include "hv/pt.h"
#include "hv/channel.h"
#include "hv/hcargs.h"

#define HV_MAX_DOMAINS 16
#define VCPU_EXIT_KINDS 16      /* >= the number of enum exit_kind values */
#define VCPU_HC_COUNTED 32      /* hypercall numbers counted one by one */

enum domain_state {
	DOM_FREE = 0,       /* slot unused */
	DOM_BUILDING,
	DOM_RUNNING,        /* runnable or on the CPU */
	DOM_BLOCKED,
	DOM_CRASHED,        /* killed by the hypervisor or crashed itself: see reason */
	DOM_DEAD,           /* shut down normally: see exit_code */
};

enum vcpu_state { VCPU_STOPPED, VCPU_RUNNABLE, VCPU_BLOCKED };

struct vcpu {
	struct domain *dom;
	void *arch;                 /* owned by arch_vcpu_* */
	enum vcpu_state state;
	uint64_t deadline_ns;       /* wake-up time while blocked; 0 = none */
	struct vcpu *next;          /* run queue link */
	uint64_t exits, hypercalls; /* counters for diagnostics and benchmarks */
	uint64_t exit_kinds[VCPU_EXIT_KINDS];   /* exits by enum exit_kind (hv/exit.c) */
	uint64_t hc_by_nr[VCPU_HC_COUNTED];     /* hypercalls by number, the rest in the last */
	uint64_t run_ns;            /* time in guest mode, charged by the scheduler */
	uint64_t block_start_ns;    /* when the current block began */
	uint64_t wait_ns;           /* time blocked, each block only up to its deadline */
};

struct domain {
	uint32_t id;
	enum domain_state state;
	struct bootcfg_domain cfg;  /* private copy of the validated configuration */
	const struct mb2_module *image;
	uint64_t generation;        /* incarnation count of this slot */
	uint64_t started_ns;        /* when this incarnation became runnable */
	struct pt gpt;              /* guest-physical -> host-physical (RAM only) */
	uint64_t mem_bytes;
	uint64_t image_end;
	uint64_t entry;
	struct vcpu vcpu;
	char reason[128];           /* why it crashed or stopped */
	int64_t exit_code;
	char con_line[160];         /* console bytes waiting for a newline */
	unsigned con_len;
	uint64_t con_lines;
	uint64_t *shared;           /* host view of the shared info page */
	struct evtchn_port ports[EVTCHN_PORTS];
	struct grant_entry grants[GRANT_MAX];
	struct grant_mapping maps[GRANT_MAPS_MAX];
	uint64_t events_sent, events_received;
	unsigned ndevs;
	int devs[BOOTCFG_MAX_DEVICES];  /* indices into pci_devs[] */
	struct pt dma_pt;               /* IOMMU view of the RAM, while devices are attached */
	unsigned dma_users;
	uint64_t wd_period_ns;          /* hang watchdog armed by the guest; 0 = off */
	uint64_t wd_kick_run_ns;        /* sched_watch_ns() at the last kick */
	uint64_t wd_kicks_seen;         /* fast page wd_kicks at the last look (hv/fastinfo.c) */
	uint8_t restart_pending;        /* crashed with restart configured: rebuild soon */
	uint8_t reg_woken;              /* a watched registry entry changed (hv/registry.c) */
};

/* Assign the configured devices (BARs mapped, DMA confined); release them. */
int assign_devices(struct domain *d);
void release_devices(struct domain *d);
/* The same, leaving each device's bus reset to end later (a restart rebuilds
 * the domain meanwhile; assign_devices ends it at the latest). */
void release_devices_deferred(struct domain *d);

/* Build a domain from a configuration record and the module holding its image. */
int domain_create(const struct bootcfg_domain *cfg, const struct mb2_module *image,
		  struct domain **out);
/* The same, into slot 'id' (0 = any free slot): a restart keeps the id. */
int domain_create_at(uint32_t id, const struct bootcfg_domain *cfg,
		     const struct mb2_module *image, struct domain **out);
/* The same in steps, so a restart of a large domain never holds the CPU for
 * long (hv/supervise.c): begin takes the slot; each step maps at most 'pages'
 * frames of RAM and returns 1 (also after the last RAM step); the step after
 * the RAM finishes the build (image, devices, vCPU) and returns 0 with the
 * domain runnable, or an error (the slot is freed again). */
int domain_build_begin(uint32_t id, const struct bootcfg_domain *cfg,
		       const struct mb2_module *image, struct domain **out);
int domain_build_step(struct domain *d, uint64_t pages);
/* Stop a domain for good with a diagnostic line; its memory stays until destroy. */
void domain_crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void domain_shutdown(struct domain *d, uint32_t reason, int64_t code);
/* Return every frame (zeroed before reuse) and free the slot. Any state but FREE. */
void domain_destroy(struct domain *d);
/* destroy in steps: quiesce stops it, releases (resets) its devices, tears
 * down grants and vCPU; each reclaim step frees at most 'pages' frames of RAM
 * and returns 1 while more remain, 0 once the slot is free. */
void domain_quiesce(struct domain *d);
/* quiesce for a restart: the devices' bus resets are only begun (held while
 * the memory is rebuilt, ended by pci_reset_poll or when assigned again). */
void domain_quiesce_for_restart(struct domain *d);
int domain_reclaim_step(struct domain *d, uint64_t pages);
struct domain *domain_by_id(uint32_t id);
const char *domain_state_name(enum domain_state s);
/* True while the domain can still run (running or blocked). */
int domain_alive(const struct domain *d);
/* Frames a domain holds (RAM + page tables + vCPU state), for accounting tests. */
uint64_t domain_count_alive(void);

/* Copy between hypervisor memory and a domain's RAM. The whole range must be
 * inside [GUEST first page end, mem_bytes): -HV_EFAULT otherwise. */
int guest_copy_from(struct domain *d, void *dst, gpa_t gpa, uint64_t len);
int guest_copy_to(struct domain *d, gpa_t gpa, const void *src, uint64_t len);
/* Same without the first-page rule: for the domain builder only. */
int guest_write_raw(struct domain *d, uint64_t gpa, const void *src, uint64_t len);

/* The domain's nested page table, one 4 KiB page at a time, typed so a
 * guest-physical address and a host frame cannot be swapped. Lookup: 0 and
 * *frame, or -HV_ENOENT when nothing is mapped at gpa. */
int domain_frame_of(const struct domain *d, gpa_t gpa, hpa_t *frame);
int domain_map_frame(struct domain *d, gpa_t gpa, hpa_t frame, int writable);
int domain_unmap_frame(struct domain *d, gpa_t gpa);

/* Guest console output, line-buffered and prefixed with the domain's name. */
void vconsole_write(struct domain *d, const char *buf, unsigned len);
void vconsole_flush(struct domain *d);

#endif
