/*
 * Boot descriptor: the binary form of a scenario file (see docs/scenario.md).
 * Produced on the host by tools/scncc, handed to the hypervisor as a multiboot2
 * module named "bootcfg", and validated again by the hypervisor (hv/bootcfg.c)
 * before anything in it is used. Little-endian, no pointers, fixed-size records.
 */
#ifndef PUBLIC_BOOTCFG_H
#define PUBLIC_BOOTCFG_H

#include <stdint.h>

#define BOOTCFG_MAGIC        0x47464342u   /* "BCFG" */
#define BOOTCFG_VERSION      2u
#define BOOTCFG_MAX_DOMAINS  16u
#define BOOTCFG_NAME_LEN     32u           /* includes the terminating NUL */
#define BOOTCFG_ARGS_LEN     192u          /* includes the terminating NUL */
#define BOOTCFG_MAX_DEVICES  4u

/* Memory bounds for one domain, in bytes. Must be a multiple of 2 MiB. */
#define BOOTCFG_MEM_MIN      (2ull << 20)
#define BOOTCFG_MEM_MAX      (1ull << 30)
#define BOOTCFG_MEM_ALIGN    (2ull << 20)

enum bootcfg_role {
	BOOTCFG_ROLE_CLIENT = 1,   /* ordinary guest */
	BOOTCFG_ROLE_DRIVER = 2,   /* driver domain: owns devices, restartable */
	BOOTCFG_ROLE_TEST   = 3,   /* test helper domain */
};

struct bootcfg_header {
	uint32_t magic;            /* BOOTCFG_MAGIC */
	uint16_t version;          /* BOOTCFG_VERSION */
	uint16_t header_size;      /* sizeof(struct bootcfg_header) */
	uint32_t total_size;       /* header + ndomains * domain_size, exactly */
	uint16_t ndomains;         /* 1..BOOTCFG_MAX_DOMAINS */
	uint16_t domain_size;      /* sizeof(struct bootcfg_domain) */
	char     name[BOOTCFG_NAME_LEN];   /* scenario name, NUL-terminated */
	uint32_t checksum;         /* sum of all bytes after the header, mod 2^32 */
	uint32_t reserved;         /* must be 0 */
};

enum bootcfg_device_kind {
	BOOTCFG_DEV_NONE = 0,      /* unused slot: every field 0 */
	BOOTCFG_DEV_BDF  = 1,      /* bus:dev.fn on segment 0 */
	BOOTCFG_DEV_ID   = 2,      /* first function with vendor:device */
};

/* A PCI device assigned to the domain (a driver domain). */
struct bootcfg_device {
	uint8_t  kind;             /* enum bootcfg_device_kind */
	uint8_t  bus, dev, fn;     /* BDF: dev < 32, fn < 8 */
	uint16_t vendor, device;   /* ID */
};

/* Rebuild the domain from its image whenever it crashes, hangs (watchdog) or
 * is killed for a DMA fault; its devices are reset and assigned again. */
#define BOOTCFG_F_RESTART    0x1u
#define BOOTCFG_F_ALL        BOOTCFG_F_RESTART

/* Restart policy (only with BOOTCFG_F_RESTART; 0 = the default): at most
 * restart_max restarts within any restart_window_s seconds, after which the
 * domain is given up; the k-th restart within the window waits
 * restart_backoff_ms * 2^(k-1) ms (capped at BOOTCFG_BACKOFF_CAP_MS). */
#define BOOTCFG_RESTART_MAX_DEFAULT     32u
#define BOOTCFG_RESTART_WINDOW_DEFAULT  60u     /* seconds */
#define BOOTCFG_BACKOFF_MAX_MS          10000u  /* largest first delay */
#define BOOTCFG_BACKOFF_CAP_MS          30000u  /* longest delay after doubling */

struct bootcfg_domain {
	char     name[BOOTCFG_NAME_LEN];   /* [A-Za-z0-9_-]+, unique in the scenario */
	char     image[BOOTCFG_NAME_LEN];  /* multiboot module name of the ELF image */
	uint64_t mem_bytes;                /* see BOOTCFG_MEM_* */
	uint32_t role;                     /* enum bootcfg_role */
	uint32_t flags;                    /* BOOTCFG_F_*; other bits must be 0 */
	char     args[BOOTCFG_ARGS_LEN];   /* printable ASCII, NUL-terminated */
	uint32_t ndevices;                 /* used entries of devices[], first ones */
	uint8_t  restart_max;              /* restart policy, see above */
	uint8_t  restart_window_s;
	uint16_t restart_backoff_ms;
	struct bootcfg_device devices[BOOTCFG_MAX_DEVICES];
};

_Static_assert(sizeof(struct bootcfg_header) == 56, "bootcfg_header layout");
_Static_assert(sizeof(struct bootcfg_device) == 8, "bootcfg_device layout");
_Static_assert(sizeof(struct bootcfg_domain) == 312, "bootcfg_domain layout");
_Static_assert(__builtin_offsetof(struct bootcfg_domain, devices) == 280, "devices offset");
_Static_assert(__builtin_offsetof(struct bootcfg_header, checksum) == 48, "checksum offset");
_Static_assert(__builtin_offsetof(struct bootcfg_domain, mem_bytes) == 64, "mem offset");

#endif
