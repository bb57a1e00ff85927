/*
 * bootcfg_mangle KIND IN.bin OUT.bin: write a deliberately corrupted boot
 * descriptor, for tests that the hypervisor refuses it. Test-only tool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg_check.h"

static const char *const kinds[] = {
	"magic", "version", "truncated", "ndomains", "checksum", "name", "memory", "role",
};

static int usage(void)
{
	fprintf(stderr, "usage: bootcfg_mangle KIND IN.bin OUT.bin\nkinds:");
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		fprintf(stderr, " %s", kinds[i]);
	fprintf(stderr, "\n");
	return 2;
}

int main(int argc, char **argv)
{
	static unsigned char buf[65536];
	size_t len;

	if (argc != 4)
		return usage();
	FILE *f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len < sizeof(struct bootcfg_header) + sizeof(struct bootcfg_domain)) {
		fprintf(stderr, "%s: too short to mangle\n", argv[2]);
		return 1;
	}
	struct bootcfg_header *h = (void *)buf;
	struct bootcfg_domain *d = (void *)(h + 1);
	const char *k = argv[1];
	int fix = 1;

	if (!strcmp(k, "magic"))
		h->magic = 0x12345678;
	else if (!strcmp(k, "version"))
		h->version = 99;
	else if (!strcmp(k, "truncated"))
		len -= 100;
	else if (!strcmp(k, "ndomains"))
		h->ndomains = 200;
	else if (!strcmp(k, "checksum"))
		d->args[5] ^= 0x01, fix = 0;
	else if (!strcmp(k, "name"))
		memset(d->name, 'x', sizeof(d->name));
	else if (!strcmp(k, "memory"))
		d->mem_bytes = 3ull << 20;
	else if (!strcmp(k, "role"))
		d->role = 77;
	else
		return usage();
	if (fix)
		h->checksum = bootcfg_checksum(buf, len);
	f = fopen(argv[3], "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
