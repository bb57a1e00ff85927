/*
 * Typed hypercall arguments. The dispatcher (hv/hypercall.c) decodes every
 * guest register once, by the argument kind its call's table entry names,
 * applies that kind's one range check and answers the kind's error before any
 * handler runs (docs/hypercalls.md, "Argument kinds"). Handlers take the
 * typed values, never raw registers: a port cannot be passed where a grant
 * reference is expected, nor a guest-physical address where a host frame is.
 * Checks that depend on state (the domain exists and is alive, the port is
 * connected, the grant is in use) stay in the handlers.
 *
 * The decoder is pure: the caller's limits come in as struct hc_caller, so it
 * is host unit-tested (tests/unit/test_hcargs.c).
 */
#ifndef HV_HCARGS_H
#define HV_HCARGS_H

#include <stdint.h>

/* One-member structs: distinct types the compiler keeps apart. Read .v;
 * build with the _of() constructors (only where a value is known good). */
typedef struct { uint64_t v; } gpa_t;      /* guest-physical address, caller's space */
typedef struct { uint64_t v; } hpa_t;      /* host-physical address (of a frame) */
typedef struct { uint32_t v; } domid_t;    /* domain id 1..HV_MAX_DOMAINS */
typedef struct { uint32_t v; } evport_t;   /* event port 1..EVTCHN_PORTS-1 */
typedef struct { uint32_t v; } gref_t;     /* grant reference 0..GRANT_MAX-1 */
typedef struct { uint32_t v; } devidx_t;   /* index into the caller's assigned devices */

static inline gpa_t gpa_of(uint64_t a) { return (gpa_t){ a }; }
static inline hpa_t hpa_of(uint64_t a) { return (hpa_t){ a }; }
static inline domid_t domid_of(uint32_t id) { return (domid_t){ id }; }
static inline evport_t evport_of(uint32_t p) { return (evport_t){ p }; }
static inline gref_t gref_of(uint32_t g) { return (gref_t){ g }; }
static inline devidx_t devidx_of(uint32_t i) { return (devidx_t){ i }; }

/*
 * Argument kinds. Each constant is named after the union hc_arg member it
 * fills, so the dispatcher's table macros tie a call's kinds to the members
 * its handler reads (a mismatch does not compile). The comment is the check
 * and the error it answers.
 */
enum hc_arg_kind {
	HCA_none = 0,   /* register not used: ignored */
	HCA_u64,        /* any value */
	HCA_i32,        /* low 32 bits, signed (an exit code); never an error */
	HCA_u32,        /* fits 32 bits, else -HV_EINVAL */
	HCA_buf,        /* buffer start (gpa); checked whole with its length by the copy: -HV_EFAULT */
	HCA_page,       /* page-aligned gpa below GUEST_VA_LIMIT, else -HV_EINVAL */
	HCA_peer,       /* another domain's id: 1..HV_MAX_DOMAINS, not the caller, else -HV_ENOENT */
	HCA_port,       /* event port 1..EVTCHN_PORTS-1, else -HV_EINVAL */
	HCA_gref,       /* grant reference 0..GRANT_MAX-1, else -HV_ENOENT */
	HCA_dev,        /* device index below the caller's device count, else -HV_ENOENT */
	HCA_regdev,     /* registry device number 0..REG_MAX_DEVID-1, else -HV_EINVAL */
	HCA_gflags,     /* grant flags: only GRANT_READONLY, else -HV_EINVAL */
	HCA_cfgoff,     /* config-space offset 0..4095, else -HV_EINVAL */
	HCA_cfgsize,    /* config access size 1, 2 or 4, else -HV_EINVAL */
	HCA_conlen,     /* console length 0..HV_CONSOLE_MAX, else -HV_E2BIG */
	HCA_namelen,    /* name length 1..BOOTCFG_NAME_LEN-1, else -HV_EINVAL */
	HCA_reason,     /* enum hv_shutdown_reason, else -HV_EINVAL */
	HCA_COUNT
};

union hc_arg {
	uint64_t u64;
	int32_t i32;
	uint32_t u32;
	gpa_t buf;
	gpa_t page;
	domid_t peer;
	evport_t port;
	gref_t gref;
	devidx_t dev;
	uint32_t regdev;
	uint32_t gflags;
	uint32_t cfgoff;
	uint32_t cfgsize;
	uint32_t conlen;
	uint32_t namelen;
	uint32_t reason;
};

#define HC_MAX_ARGS 5

/* What the checks need to know about the calling domain. */
struct hc_caller {
	uint32_t id;            /* its own domain id */
	uint32_t ndevs;         /* devices assigned to it */
};

/* Decode one register: 0 and *out filled, or the kind's -HV_E* error
 * (-HV_ENOSYS for a kind that does not exist: a table bug). */
int hcarg_decode(enum hc_arg_kind kind, uint64_t raw, const struct hc_caller *c,
		 union hc_arg *out);

/* Decode all registers of a call, left to right; the first bad one answers. */
int hcargs_decode(const uint8_t kinds[HC_MAX_ARGS], const uint64_t raw[HC_MAX_ARGS],
		  const struct hc_caller *c, union hc_arg out[HC_MAX_ARGS]);

#endif
