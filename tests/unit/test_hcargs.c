/*
 * Hypercall argument decoder: every kind against its boundary values (just
 * inside, just outside, far outside, values that only truncate to a good
 * one), the decoded value, and left-to-right order when several are bad.
 */
#include <stdint.h>
#include "hv/domain.h"
#include "hv/hcargs.h"
#include "public/bootcfg.h"
#include "public/channel.h"
#include "public/guest_layout.h"
#include "public/hv_errno.h"
#include "public/hypercall.h"
#include "unit.h"

static const struct hc_caller me = { .id = 3, .ndevs = 2 };

struct row {
	enum hc_arg_kind kind;
	uint64_t raw;
	int err;                /* expected error, 0 = accepted */
	uint64_t want;          /* expected decoded value when accepted */
};

#define OK(k, r, w) { k, r, 0, w }
#define BAD(k, r, e) { k, r, -(e), 0 }
#define TRUNC32(x) (((uint64_t)1 << 32) | (x))  /* only its low half is good */

static const struct row rows[] = {
	OK(HCA_none, ~0ull, 0),
	OK(HCA_u64, ~0ull, ~0ull),
	OK(HCA_u64, 0, 0),
	OK(HCA_i32, 0xffffffffull, (uint64_t)-1),
	OK(HCA_i32, 0x123456789ull, 0x23456789),
	OK(HCA_u32, 0xffffffffull, 0xffffffffull),
	BAD(HCA_u32, 1ull << 32, HV_EINVAL),
	BAD(HCA_u32, ~0ull, HV_EINVAL),

	OK(HCA_buf, 0, 0),                              /* checked later, with its length */
	OK(HCA_buf, ~0ull, ~0ull),
	OK(HCA_page, 0, 0),
	OK(HCA_page, GUEST_VA_LIMIT - 4096, GUEST_VA_LIMIT - 4096),
	BAD(HCA_page, GUEST_VA_LIMIT, HV_EINVAL),
	BAD(HCA_page, 0x20000008, HV_EINVAL),
	BAD(HCA_page, 0x20000800, HV_EINVAL),
	BAD(HCA_page, ~0ull & ~4095ull, HV_EINVAL),

	OK(HCA_peer, 1, 1),
	OK(HCA_peer, HV_MAX_DOMAINS, HV_MAX_DOMAINS),
	BAD(HCA_peer, 0, HV_ENOENT),
	BAD(HCA_peer, 3, HV_ENOENT),                    /* the caller itself */
	BAD(HCA_peer, HV_MAX_DOMAINS + 1, HV_ENOENT),
	BAD(HCA_peer, TRUNC32(1), HV_ENOENT),
	BAD(HCA_peer, ~0ull, HV_ENOENT),

	OK(HCA_port, 1, 1),
	OK(HCA_port, EVTCHN_PORTS - 1, EVTCHN_PORTS - 1),
	BAD(HCA_port, 0, HV_EINVAL),
	BAD(HCA_port, EVTCHN_PORTS, HV_EINVAL),
	BAD(HCA_port, TRUNC32(5), HV_EINVAL),

	OK(HCA_gref, 0, 0),
	OK(HCA_gref, GRANT_MAX - 1, GRANT_MAX - 1),
	BAD(HCA_gref, GRANT_MAX, HV_ENOENT),
	BAD(HCA_gref, TRUNC32(0), HV_ENOENT),

	OK(HCA_dev, 0, 0),
	OK(HCA_dev, 1, 1),
	BAD(HCA_dev, 2, HV_ENOENT),                     /* the caller has two */
	BAD(HCA_dev, TRUNC32(0), HV_ENOENT),

	OK(HCA_regdev, REG_MAX_DEVID - 1, REG_MAX_DEVID - 1),
	BAD(HCA_regdev, REG_MAX_DEVID, HV_EINVAL),
	BAD(HCA_regdev, TRUNC32(0), HV_EINVAL),

	OK(HCA_gflags, 0, 0),
	OK(HCA_gflags, GRANT_READONLY, GRANT_READONLY),
	BAD(HCA_gflags, 2, HV_EINVAL),
	BAD(HCA_gflags, TRUNC32(GRANT_READONLY), HV_EINVAL),

	OK(HCA_cfgoff, 4095, 4095),
	BAD(HCA_cfgoff, 4096, HV_EINVAL),
	BAD(HCA_cfgoff, TRUNC32(4), HV_EINVAL),
	OK(HCA_cfgsize, 1, 1),
	OK(HCA_cfgsize, 2, 2),
	OK(HCA_cfgsize, 4, 4),
	BAD(HCA_cfgsize, 0, HV_EINVAL),
	BAD(HCA_cfgsize, 3, HV_EINVAL),
	BAD(HCA_cfgsize, 8, HV_EINVAL),
	BAD(HCA_cfgsize, TRUNC32(4), HV_EINVAL),

	OK(HCA_conlen, 0, 0),
	OK(HCA_conlen, HV_CONSOLE_MAX, HV_CONSOLE_MAX),
	BAD(HCA_conlen, HV_CONSOLE_MAX + 1, HV_E2BIG),
	BAD(HCA_conlen, ~0ull, HV_E2BIG),
	OK(HCA_namelen, 1, 1),
	OK(HCA_namelen, BOOTCFG_NAME_LEN - 1, BOOTCFG_NAME_LEN - 1),
	BAD(HCA_namelen, 0, HV_EINVAL),
	BAD(HCA_namelen, BOOTCFG_NAME_LEN, HV_EINVAL),
	BAD(HCA_namelen, TRUNC32(5), HV_EINVAL),

	OK(HCA_reason, HV_SHUTDOWN_POWEROFF, HV_SHUTDOWN_POWEROFF),
	OK(HCA_reason, HV_SHUTDOWN_CRASH, HV_SHUTDOWN_CRASH),
	BAD(HCA_reason, 2, HV_EINVAL),
	BAD(HCA_reason, TRUNC32(HV_SHUTDOWN_CRASH), HV_EINVAL),

	BAD(HCA_COUNT, 0, HV_ENOSYS),                   /* not a kind: a table bug */
	BAD((enum hc_arg_kind)200, 0, HV_ENOSYS),
};

/* The decoded value, read through the member the kind fills. */
static uint64_t value(enum hc_arg_kind k, const union hc_arg *a)
{
	switch (k) {
	case HCA_none: case HCA_u64: return a->u64;
	case HCA_i32: return (uint64_t)(int64_t)a->i32;
	case HCA_u32: return a->u32;
	case HCA_buf: return a->buf.v;
	case HCA_page: return a->page.v;
	case HCA_peer: return a->peer.v;
	case HCA_port: return a->port.v;
	case HCA_gref: return a->gref.v;
	case HCA_dev: return a->dev.v;
	case HCA_regdev: return a->regdev;
	case HCA_gflags: return a->gflags;
	case HCA_cfgoff: return a->cfgoff;
	case HCA_cfgsize: return a->cfgsize;
	case HCA_conlen: return a->conlen;
	case HCA_namelen: return a->namelen;
	case HCA_reason: return a->reason;
	case HCA_COUNT: break;
	}
	return 0xdeadull;
}

static void table(void)
{
	unsigned covered[HCA_COUNT] = { 0 };

	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		union hc_arg a;
		int rc = hcarg_decode(r->kind, r->raw, &me, &a);
		if (rc != r->err || (!rc && value(r->kind, &a) != r->want))
			printf("row %u: kind %d raw 0x%llx -> %d, 0x%llx\n", i, r->kind,
			       (unsigned long long)r->raw, rc, (unsigned long long)value(r->kind, &a));
		CHECK_EQ(rc, r->err);
		if (!rc)
			CHECK_EQ(value(r->kind, &a), r->want);
		if ((unsigned)r->kind < HCA_COUNT && r->err)
			covered[r->kind]++;
	}
	/* every kind with a check has at least one rejected value above */
	for (unsigned k = HCA_u32; k < HCA_COUNT; k++)
		CHECK(k == HCA_buf || covered[k] > 0);
}

static void device_count_is_the_callers(void)
{
	struct hc_caller none = { .id = 1, .ndevs = 0 };
	union hc_arg a;

	CHECK_EQ(hcarg_decode(HCA_dev, 0, &none, &a), -HV_ENOENT);
	CHECK_EQ(hcarg_decode(HCA_peer, 3, &none, &a), 0);      /* 3 is not this caller */
	CHECK_EQ(a.peer.v, 3);
	CHECK_EQ(hcarg_decode(HCA_peer, 1, &none, &a), -HV_ENOENT);
}

static void whole_call(void)
{
	/* HC_GRANT_MAP: granter, gref, dest, flags */
	const uint8_t kinds[HC_MAX_ARGS] = { HCA_peer, HCA_gref, HCA_page, HCA_gflags, HCA_none };
	union hc_arg a[HC_MAX_ARGS];

	uint64_t good[HC_MAX_ARGS] = { 2, 7, 0x20000000, GRANT_READONLY, 99 };
	CHECK_EQ(hcargs_decode(kinds, good, &me, a), 0);
	CHECK_EQ(a[0].peer.v, 2);
	CHECK_EQ(a[1].gref.v, 7);
	CHECK_EQ(a[2].page.v, 0x20000000);
	CHECK_EQ(a[3].gflags, GRANT_READONLY);
	CHECK_EQ(a[4].u64, 0);                          /* unused register ignored */

	/* the leftmost bad argument answers */
	uint64_t bad_all[HC_MAX_ARGS] = { 77, 999, 0x20000008, 0x80, 0 };
	CHECK_EQ(hcargs_decode(kinds, bad_all, &me, a), -HV_ENOENT);
	uint64_t bad_dest_flags[HC_MAX_ARGS] = { 2, 7, 0x20000008, 0x80, 0 };
	CHECK_EQ(hcargs_decode(kinds, bad_dest_flags, &me, a), -HV_EINVAL);
	uint64_t bad_flags[HC_MAX_ARGS] = { 2, 7, 0x20000000, 0x80, 0 };
	CHECK_EQ(hcargs_decode(kinds, bad_flags, &me, a), -HV_EINVAL);
	uint64_t self[HC_MAX_ARGS] = { 3, 7, 0x20000000, 0, 0 };
	CHECK_EQ(hcargs_decode(kinds, self, &me, a), -HV_ENOENT);
}

int main(void)
{
	table();
	device_count_is_the_callers();
	whole_call();
	return unit_done("hcargs");
}
