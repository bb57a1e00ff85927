/*
 * Hypercall argument decoding (see hv/include/hv/hcargs.h): one range check
 * and one error per kind, written once here. Pure code, host unit-tested.
 */
#include "hv/hcargs.h"
#include "hv/domain.h"
#include "hv/frame.h"
#include "public/bootcfg.h"
#include "public/channel.h"
#include "public/guest_layout.h"
#include "public/hv_errno.h"
#include "public/hypercall.h"

#define PCI_CFG_SPACE 4096u     /* extended config space of one function */

/* Kinds whose value is a plain number below a bound, with the bound's error. */
static int below(uint64_t raw, uint64_t limit, int err, uint32_t *out)
{
	if (raw >= limit)
		return err;
	*out = (uint32_t)raw;
	return 0;
}

int hcarg_decode(enum hc_arg_kind kind, uint64_t raw, const struct hc_caller *c,
		 union hc_arg *out)
{
	out->u64 = 0;
	switch (kind) {
	case HCA_none:
		return 0;
	case HCA_u64:
		out->u64 = raw;
		return 0;
	case HCA_i32:
		out->i32 = (int32_t)(uint32_t)raw;
		return 0;
	case HCA_u32:
		return below(raw, 1ull << 32, -HV_EINVAL, &out->u32);
	case HCA_buf:
		out->buf = gpa_of(raw);
		return 0;
	case HCA_page:
		if (raw % FRAME_SIZE || raw >= GUEST_VA_LIMIT)
			return -HV_EINVAL;
		out->page = gpa_of(raw);
		return 0;
	case HCA_peer:
		if (raw == 0 || raw > HV_MAX_DOMAINS || raw == c->id)
			return -HV_ENOENT;
		out->peer = domid_of((uint32_t)raw);
		return 0;
	case HCA_port:
		if (raw == 0 || raw >= EVTCHN_PORTS)
			return -HV_EINVAL;
		out->port = evport_of((uint32_t)raw);
		return 0;
	case HCA_gref:
		if (raw >= GRANT_MAX)
			return -HV_ENOENT;
		out->gref = gref_of((uint32_t)raw);
		return 0;
	case HCA_dev:
		if (raw >= c->ndevs)
			return -HV_ENOENT;
		out->dev = devidx_of((uint32_t)raw);
		return 0;
	case HCA_regdev:
		return below(raw, REG_MAX_DEVID, -HV_EINVAL, &out->regdev);
	case HCA_gflags:
		if (raw & ~(uint64_t)GRANT_READONLY)
			return -HV_EINVAL;
		out->gflags = (uint32_t)raw;
		return 0;
	case HCA_cfgoff:
		return below(raw, PCI_CFG_SPACE, -HV_EINVAL, &out->cfgoff);
	case HCA_cfgsize:
		if (raw != 1 && raw != 2 && raw != 4)
			return -HV_EINVAL;
		out->cfgsize = (uint32_t)raw;
		return 0;
	case HCA_conlen:
		return below(raw, HV_CONSOLE_MAX + 1ull, -HV_E2BIG, &out->conlen);
	case HCA_namelen:
		return raw == 0 ? -HV_EINVAL : below(raw, BOOTCFG_NAME_LEN, -HV_EINVAL, &out->namelen);
	case HCA_reason:
		if (raw != HV_SHUTDOWN_POWEROFF && raw != HV_SHUTDOWN_CRASH)
			return -HV_EINVAL;
		out->reason = (uint32_t)raw;
		return 0;
	case HCA_COUNT:
		break;
	}
	return -HV_ENOSYS;
}

int hcargs_decode(const uint8_t kinds[HC_MAX_ARGS], const uint64_t raw[HC_MAX_ARGS],
		  const struct hc_caller *c, union hc_arg out[HC_MAX_ARGS])
{
	for (unsigned i = 0; i < HC_MAX_ARGS; i++) {
		int rc = hcarg_decode((enum hc_arg_kind)kinds[i], raw[i], c, &out[i]);
		if (rc)
			return rc;
	}
	return 0;
}
