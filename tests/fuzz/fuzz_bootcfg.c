/*
 * libFuzzer target: the boot descriptor check (lib/bootcfg_check.c, run by the
 * hypervisor on the "bootcfg" module and by scncc) on arbitrary bytes. When it
 * accepts, every field the hypervisor reads must be in the range its code
 * relies on (hv/boot.c, domain.c, assign.c, supervise.c, hypercall.c):
 * records where boot_cfg_domain() computes them, strings that end inside their
 * field (printk "%s", strcmp against module names), names of [A-Za-z0-9_-]
 * that are unique (domains are looked up by name), memory that map_ram() can
 * build and that holds the fixed guest pages, a known role, known flags, and
 * devices that pack into a 16-bit requester id.
 *
 * Input: one mode byte, then the descriptor. Mode bit 0 makes the target fix
 * the checksum first, so the fuzzer reaches the field checks more often.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg_check.h"
#include "public/guest_layout.h"

static void die(const char *what, unsigned dom)
{
	fprintf(stderr, "fuzz_bootcfg: accepted descriptor breaks an invariant: %s (domain %u)\n",
		what, dom);
	abort();
}

static int good_name(const char *f)
{
	size_t n = strnlen(f, BOOTCFG_NAME_LEN);

	if (n == 0 || n == BOOTCFG_NAME_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((f[i] >= 'a' && f[i] <= 'z') || (f[i] >= 'A' && f[i] <= 'Z') ||
		      (f[i] >= '0' && f[i] <= '9') || f[i] == '_' || f[i] == '-'))
			return 0;
	return 1;
}

static void check_device(const struct bootcfg_device *v, int used, unsigned i)
{
	if (!used) {
		static const struct bootcfg_device zero;
		if (memcmp(v, &zero, sizeof(zero)))
			die("unused device slot not zero", i);
		return;
	}
	if (v->kind == BOOTCFG_DEV_BDF) {
		if (v->dev >= 32 || v->fn >= 8)     /* assign.c: bus << 8 | dev << 3 | fn */
			die("device BDF out of range", i);
	} else if (v->kind == BOOTCFG_DEV_ID) {
		if (v->vendor == 0 || v->vendor == 0xffff)  /* 0xffff: an absent function */
			die("device vendor id invalid", i);
	} else {
		die("device kind unknown", i);
	}
}

static void check_domain(const struct bootcfg_domain *d, unsigned i)
{
	if (!good_name(d->name) || !good_name(d->image))
		die("name or image not 1-31 of [A-Za-z0-9_-]", i);
	size_t n = strnlen(d->args, BOOTCFG_ARGS_LEN);
	if (n == BOOTCFG_ARGS_LEN)
		die("args not NUL-terminated", i);
	for (size_t k = 0; k < n; k++)
		if (d->args[k] < 0x20 || d->args[k] > 0x7e)
			die("args not printable", i);
	if (d->mem_bytes < BOOTCFG_MEM_MIN || d->mem_bytes > BOOTCFG_MEM_MAX ||
	    d->mem_bytes % BOOTCFG_MEM_ALIGN)
		die("memory out of range or unaligned", i);
	if (d->mem_bytes <= GUEST_SHARED_INFO_GPA || d->mem_bytes <= GUEST_IMAGE_MIN_GPA)
		die("memory does not hold the fixed guest pages", i);
	if (d->role < BOOTCFG_ROLE_CLIENT || d->role > BOOTCFG_ROLE_TEST)
		die("role unknown", i);     /* scncc --dump indexes a table with it */
	if (d->flags & ~BOOTCFG_F_ALL)
		die("unknown flags", i);
	if (d->ndevices > BOOTCFG_MAX_DEVICES)
		die("device count out of range", i);
	/* hv/supervise.c: a policy only with restart; the first delay bounded */
	if (!(d->flags & BOOTCFG_F_RESTART) &&
	    (d->restart_max || d->restart_window_s || d->restart_backoff_ms))
		die("restart policy without restart", i);
	if (d->restart_backoff_ms > BOOTCFG_BACKOFF_MAX_MS)
		die("restart backoff out of range", i);
	for (unsigned k = 0; k < BOOTCFG_MAX_DEVICES; k++)
		check_device(&d->devices[k], k < d->ndevices, i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[128];

	if (size < 1)
		return 0;
	size_t len = size - 1;
	uint8_t *buf = malloc(len ? len : 1);   /* exactly sized: ASan sees overreads */
	memcpy(buf, data + 1, len);
	struct bootcfg_header *h = (void *)buf;
	if ((data[0] & 1) && len >= sizeof(*h))
		h->checksum = bootcfg_checksum(buf, len);
	if (bootcfg_check(buf, len, why, sizeof(why))) {
		if (!memchr(why, 0, sizeof(why)))
			die("message not terminated", 0);
		free(buf);
		return 0;
	}
	/* hv/boot.c: boot_cfg_domain(i) = buf + header_size + i * domain_size */
	if (h->header_size != sizeof(*h) || h->domain_size != sizeof(struct bootcfg_domain) ||
	    h->ndomains < 1 || h->ndomains > BOOTCFG_MAX_DOMAINS ||
	    (size_t)h->header_size + (size_t)h->ndomains * h->domain_size != len ||
	    h->total_size != len)
		die("records not where boot_cfg_domain() puts them", 0);
	if (!good_name(h->name))
		die("scenario name not 1-31 of [A-Za-z0-9_-]", 0);
	if (h->reserved || h->magic != BOOTCFG_MAGIC || h->version != BOOTCFG_VERSION)
		die("header constants", 0);
	const struct bootcfg_domain *d = (const void *)(buf + h->header_size);
	for (unsigned i = 0; i < h->ndomains; i++) {
		check_domain(&d[i], i);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(d[i].name, d[j].name))
				die("duplicate domain name", i);
	}
	free(buf);
	return 0;
}
