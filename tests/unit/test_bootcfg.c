#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg_check.h"
#include "unit.h"

#define NDOM 2
#define LEN (sizeof(struct bootcfg_header) + NDOM * sizeof(struct bootcfg_domain))

static uint8_t buf[LEN];
static struct bootcfg_header *h = (void *)buf;
static struct bootcfg_domain *d = (void *)(buf + sizeof(struct bootcfg_header));

static void good(void)
{
	memset(buf, 0, sizeof(buf));
	h->magic = BOOTCFG_MAGIC;
	h->version = BOOTCFG_VERSION;
	h->header_size = sizeof(*h);
	h->domain_size = sizeof(*d);
	h->ndomains = NDOM;
	h->total_size = LEN;
	strcpy(h->name, "demo");
	strcpy(d[0].name, "alpha");
	strcpy(d[0].image, "counter");
	d[0].mem_bytes = 4 << 20;
	d[0].role = BOOTCFG_ROLE_CLIENT;
	strcpy(d[0].args, "count=5 tag=A");
	strcpy(d[1].name, "net-dd_1");
	strcpy(d[1].image, "e1000");
	d[1].mem_bytes = 1ull << 30;
	d[1].role = BOOTCFG_ROLE_DRIVER;
	d[1].ndevices = 2;
	d[1].devices[0] = (struct bootcfg_device){ BOOTCFG_DEV_BDF, 1, 0, 0, 0, 0 };
	d[1].devices[1] = (struct bootcfg_device){ BOOTCFG_DEV_ID, 0, 0, 0, 0x8086, 0x100e };
}

static int check(size_t len, char *why)
{
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, buf, len);
	int rc = bootcfg_check(copy, len, why, 160);
	free(copy);
	return rc;
}

static void bad(int fix_checksum, const char *words)
{
	char why[160] = "";
	if (fix_checksum)
		h->checksum = bootcfg_checksum(buf, LEN);
	CHECK_EQ(check(LEN, why), -1);
	if (!strstr(why, words))
		printf("  why='%s', wanted '%s'\n", why, words);
	CHECK(strstr(why, words) != 0);
}

int main(void)
{
	char why[160];

	good();
	h->checksum = bootcfg_checksum(buf, LEN);
	CHECK_EQ(check(LEN, why), 0);
	for (size_t n = 0; n < LEN; n++)
		CHECK_EQ(check(n, why), -1);

	good(); h->magic = 0x12345678;            bad(1, "bad magic 0x12345678");
	good(); h->version = 1;                   bad(1, "version 1 not supported");
	good(); h->header_size = 60;              bad(1, "record sizes");
	good(); h->domain_size = 100;             bad(1, "record sizes");
	good(); h->ndomains = 0;                  bad(1, "0 domains");
	good(); h->ndomains = 17;                 bad(1, "17 domains");
	good(); h->ndomains = 1;                  bad(1, "total_size");
	good(); h->total_size = LEN + 4;          bad(1, "total_size");
	good(); h->reserved = 1;                  bad(1, "reserved");
	good(); memset(h->name, 'x', 32);         bad(1, "scenario name not NUL-terminated");
	/* fuzz_bootcfg: any terminated scenario name passed, "" or with control characters */
	good(); h->name[0] = 0;                   bad(1, "scenario name empty");
	good(); h->name[2] = '\n';                bad(1, "scenario name has a character");
	good(); d[1].args[3] = 'Z';               bad(0, "checksum mismatch");
	good(); memset(d[0].name, 'x', 32);       bad(1, "domain 0: name not NUL-terminated");
	good(); d[0].name[0] = 0;                 bad(1, "domain 0: name empty");
	good(); d[1].name[2] = '/';               bad(1, "domain 1: name has a character");
	good(); d[0].image[0] = 0;                bad(1, "domain 0 (alpha): image name empty");
	good(); memset(d[0].args, 'a', 192);      bad(1, "args not NUL-terminated");
	good(); d[0].args[2] = '\n';              bad(1, "args not printable");
	good(); d[0].mem_bytes = 3 << 20;         bad(1, "not a multiple of 2 MiB");
	good(); d[0].mem_bytes = 0;               bad(1, "outside 2 MiB..1 GiB");
	good(); d[1].mem_bytes = 2ull << 30;      bad(1, "outside 2 MiB..1 GiB");
	good(); d[0].role = 0;                    bad(1, "unknown role 0");
	good(); d[1].role = 77;                   bad(1, "unknown role 77");
	good(); d[1].flags = 4;                   bad(1, "reserved flags");
	good(); d[1].flags = BOOTCFG_F_RESTART;   h->checksum = bootcfg_checksum(buf, LEN);
	CHECK_EQ(check(LEN, why), 0);             /* the restart flag is allowed */
	good(); d[1].ndevices = 5;                bad(1, "5 devices");
	good(); d[1].restart_max = 3;             bad(1, "restart policy without restart");
	good(); d[1].restart_backoff_ms = 5;      bad(1, "restart policy without restart");
	good(); d[1].flags = BOOTCFG_F_RESTART; d[1].restart_backoff_ms = 10001; bad(1, "backoff 10001 ms");
	good(); d[1].flags = BOOTCFG_F_RESTART; d[1].restart_max = 3; d[1].restart_window_s = 10;
	d[1].restart_backoff_ms = 10000;          h->checksum = bootcfg_checksum(buf, LEN);
	CHECK_EQ(check(LEN, why), 0);             /* a full policy is allowed */
	good(); d[1].devices[0].dev = 32;         bad(1, "device 0 malformed");
	good(); d[1].devices[0].fn = 8;           bad(1, "device 0 malformed");
	good(); d[1].devices[1].vendor = 0xffff;  bad(1, "device 1 malformed");
	good(); d[1].devices[1].kind = 9;         bad(1, "device 1 malformed");
	good(); d[1].devices[2].bus = 3;          bad(1, "device 2 malformed");   /* unused slot not zero */
	good(); d[1].ndevices = 1;                bad(1, "device 1 malformed");
	good(); strcpy(d[1].name, "alpha");       bad(1, "duplicate domain name 'alpha'");
	return unit_done("bootcfg");
}
