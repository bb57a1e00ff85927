/*
 * Names of the per-vCPU exit counters (struct vcpu exit_kinds, hc_by_nr) for
 * the benchmarks' breakdown of exits by cause (tests/hv/test_net.c).
 */
#include "fmt.h"
#include "hv/arch.h"
#include "hv/hypercall.h"
#include "public/channel.h"

static const char *const kind_names[] = {
	[EXIT_HYPERCALL] = "hypercall", [EXIT_HLT] = "hlt", [EXIT_IO] = "io",
	[EXIT_MSR] = "msr", [EXIT_NPF] = "npf", [EXIT_SHUTDOWN] = "shutdown",
	[EXIT_INTR] = "intr", [EXIT_INVALID] = "invalid", [EXIT_OTHER] = "other",
	[EXIT_NONE] = "none", [EXIT_BREAKPOINT] = "breakpoint",
};

static const char *const hc_names[HC_CHANNEL_END] = {
	"console_write", "yield", "block", "time", "self_info", "shutdown", "domain_lookup",
	"evtchn_alloc", "evtchn_bind", "evtchn_send", "evtchn_close", "evtchn_status",
	"grant_create", "grant_revoke", "grant_map", "grant_unmap", "reg_write", "reg_read",
	"pci_cfg_read", "pci_cfg_write", "device_irq_bind", "device_irq_ack", "watchdog_kick",
	"peer_stalled",
};

const char *exit_kind_name(unsigned kind)
{
	if (kind < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

const char *hypercall_name(unsigned nr)
{
	return nr < HC_CHANNEL_END && hc_names[nr] ? hc_names[nr] : "unknown";
}

/* "intr=N npf=N ... hc.block=N hc.time=N ...": every non-zero counter of v,
 * hypercalls by name in place of the hypercall total. */
size_t exit_causes_format(const struct vcpu *v, char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = 0;
	for (unsigned k = 0; k < VCPU_EXIT_KINDS; k++)
		if (k != EXIT_HYPERCALL && v->exit_kinds[k] && n < len)
			n += (size_t)fmt_snprintf(buf + n, len - n, "%s%s=%lu", n ? " " : "",
						  exit_kind_name(k), v->exit_kinds[k]);
	for (unsigned k = 0; k < VCPU_HC_COUNTED; k++)
		if (v->hc_by_nr[k] && n < len)
			n += (size_t)fmt_snprintf(buf + n, len - n, "%shc.%s=%lu", n ? " " : "",
						  hypercall_name(k), v->hc_by_nr[k]);
	return n < len ? n : len;
}
