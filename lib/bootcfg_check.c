/* Boot descriptor validation shared by the hypervisor and the host tools. */
#include <stdbool.h>
#include "bootcfg_check.h"
#include "fmt.h"
#include "kstring.h"

uint32_t bootcfg_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;

	for (size_t i = sizeof(struct bootcfg_header); i < len; i++)
		sum += p[i];
	return sum;
}

/* Length of a NUL-terminated string inside field[0..cap), or -1. */
static int field_len(const char *field, unsigned cap)
{
	for (unsigned i = 0; i < cap; i++)
		if (!field[i])
			return (int)i;
	return -1;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static const char *check_name(const char *f)
{
	int n = field_len(f, BOOTCFG_NAME_LEN);

	if (n < 0)
		return "not NUL-terminated";
	if (n == 0)
		return "empty";
	for (int i = 0; i < n; i++)
		if (!name_char(f[i]))
			return "has a character outside [A-Za-z0-9_-]";
	return 0;
}

static int check_domain(const struct bootcfg_domain *d, unsigned i, char *why, size_t wl)
{
	const char *e;
	int n;

	if ((e = check_name(d->name))) {
		fmt_snprintf(why, wl, "domain %u: name %s", i, e);
		return -1;
	}
	if ((e = check_name(d->image))) {
		fmt_snprintf(why, wl, "domain %u (%s): image name %s", i, d->name, e);
		return -1;
	}
	if ((n = field_len(d->args, BOOTCFG_ARGS_LEN)) < 0) {
		fmt_snprintf(why, wl, "domain %u (%s): args not NUL-terminated", i, d->name);
		return -1;
	}
	for (int k = 0; k < n; k++) {
		if (d->args[k] < 0x20 || d->args[k] > 0x7e) {
			fmt_snprintf(why, wl, "domain %u (%s): args not printable ASCII", i, d->name);
			return -1;
		}
	}
	if (d->mem_bytes < BOOTCFG_MEM_MIN || d->mem_bytes > BOOTCFG_MEM_MAX) {
		fmt_snprintf(why, wl, "domain %u (%s): memory %llu outside 2 MiB..1 GiB", i,
			     d->name, (unsigned long long)d->mem_bytes);
		return -1;
	}
	if (d->mem_bytes % BOOTCFG_MEM_ALIGN) {
		fmt_snprintf(why, wl, "domain %u (%s): memory %llu not a multiple of 2 MiB", i,
			     d->name, (unsigned long long)d->mem_bytes);
		return -1;
	}
	if (d->role != BOOTCFG_ROLE_CLIENT && d->role != BOOTCFG_ROLE_DRIVER &&
	    d->role != BOOTCFG_ROLE_TEST) {
		fmt_snprintf(why, wl, "domain %u (%s): unknown role %u", i, d->name, d->role);
		return -1;
	}
	if (d->ndevices > BOOTCFG_MAX_DEVICES) {
		fmt_snprintf(why, wl, "domain %u (%s): %u devices (at most %u)", i, d->name,
			     d->ndevices, BOOTCFG_MAX_DEVICES);
		return -1;
	}
	for (unsigned k = 0; k < BOOTCFG_MAX_DEVICES; k++) {
		const struct bootcfg_device *v = &d->devices[k];
		int used = k < d->ndevices, ok;
		if (!used)
			ok = !v->kind && !v->bus && !v->dev && !v->fn && !v->vendor && !v->device;
		else if (v->kind == BOOTCFG_DEV_BDF)
			ok = v->dev < 32 && v->fn < 8 && !v->vendor && !v->device;
		else
			ok = v->kind == BOOTCFG_DEV_ID && v->vendor != 0xffff && v->vendor &&
			     !v->bus && !v->dev && !v->fn;
		if (!ok) {
			fmt_snprintf(why, wl, "domain %u (%s): device %u malformed", i, d->name, k);
			return -1;
		}
	}
	if (d->ndevices && d->role != BOOTCFG_ROLE_DRIVER) {
		fmt_snprintf(why, wl, "domain %u (%s): devices but not role driver", i, d->name);
		return -1;
	}
	if (d->flags & ~BOOTCFG_F_ALL) {
		fmt_snprintf(why, wl, "domain %u (%s): reserved flags 0x%x set", i, d->name,
			     d->flags & ~BOOTCFG_F_ALL);
		return -1;
	}
	if (!(d->flags & BOOTCFG_F_RESTART) &&
	    (d->restart_max || d->restart_window_s || d->restart_backoff_ms)) {
		fmt_snprintf(why, wl, "domain %u (%s): restart policy without restart", i, d->name);
		return -1;
	}
	if (d->restart_backoff_ms > BOOTCFG_BACKOFF_MAX_MS) {
		fmt_snprintf(why, wl, "domain %u (%s): restart backoff %u ms (at most %u)", i,
			     d->name, d->restart_backoff_ms, BOOTCFG_BACKOFF_MAX_MS);
		return -1;
	}
	return 0;
}

static int check_header(const struct bootcfg_header *h, size_t len, char *why, size_t wl)
{
	if (h->magic != BOOTCFG_MAGIC) {
		fmt_snprintf(why, wl, "bad magic 0x%08x", h->magic);
		return -1;
	}
	if (h->version != BOOTCFG_VERSION) {
		fmt_snprintf(why, wl, "version %u not supported (want %u)", h->version, BOOTCFG_VERSION);
		return -1;
	}
	if (h->header_size != sizeof(*h) || h->domain_size != sizeof(struct bootcfg_domain)) {
		fmt_snprintf(why, wl, "record sizes %u/%u, want %u/%u", h->header_size,
			     h->domain_size, (unsigned)sizeof(*h),
			     (unsigned)sizeof(struct bootcfg_domain));
		return -1;
	}
	if (h->ndomains == 0 || h->ndomains > BOOTCFG_MAX_DOMAINS) {
		fmt_snprintf(why, wl, "%u domains (want 1..%u)", h->ndomains, BOOTCFG_MAX_DOMAINS);
		return -1;
	}
	if (h->total_size != len ||
	    len != sizeof(*h) + (size_t)h->ndomains * sizeof(struct bootcfg_domain)) {
		fmt_snprintf(why, wl, "total_size %u != descriptor length %zu or %u domains",
			     h->total_size, len, h->ndomains);
		return -1;
	}
	if (h->reserved) {
		fmt_snprintf(why, wl, "reserved header field set");
		return -1;
	}
	/* The hypervisor prints it, also in its result line: same rule as any name. */
	const char *e = check_name(h->name);
	if (e) {
		fmt_snprintf(why, wl, "scenario name %s", e);
		return -1;
	}
	if (bootcfg_checksum(h, len) != h->checksum) {
		fmt_snprintf(why, wl, "checksum mismatch");
		return -1;
	}
	return 0;
}

int bootcfg_check(const void *buf, size_t len, char *why, size_t wl)
{
	const struct bootcfg_header *h = buf;

	if (len < sizeof(*h)) {
		fmt_snprintf(why, wl, "descriptor of %zu bytes is shorter than its header", len);
		return -1;
	}
	if (check_header(h, len, why, wl))
		return -1;
	const struct bootcfg_domain *d = (const void *)((const uint8_t *)buf + sizeof(*h));
	for (unsigned i = 0; i < h->ndomains; i++) {
		if (check_domain(&d[i], i, why, wl))
			return -1;
		for (unsigned j = 0; j < i; j++) {
			if (!strncmp(d[i].name, d[j].name, BOOTCFG_NAME_LEN)) {
				fmt_snprintf(why, wl, "duplicate domain name '%s'", d[i].name);
				return -1;
			}
		}
	}
	return 0;
}
