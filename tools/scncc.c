/*
 * scncc: the scenario compiler.
 *   scncc IN.scn -o OUT.bin    compile a scenario into a boot descriptor
 *   scncc --images IN.scn      list the images a scenario needs
 *   scncc --dump IN.bin        validate and print a boot descriptor
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include "bootcfg_check.h"
#include "machine.h"
#include "scenario.h"

#include <pci/pci.h>

static int usage(void)
{
	fprintf(stderr, "usage: scncc IN.scn -o OUT.bin [--machine FILE] [--image-dir DIR] [--ram SIZE]\n"
			"       scncc --images IN.scn\n"
			"       scncc --machine-of IN.scn\n"
			"       scncc --devices MACHINE IN.scn\n"
			"       scncc --dump IN.bin\n");
	return 2;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = 0;
	size_t cap = 0, n = 0;

	if (!f) {
		perror(path);
		return 0;
	}
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > (16u << 20) || !(buf = realloc(buf, cap))) {
				fprintf(stderr, "%s: too large\n", path);
				fclose(f);
				free(buf);
				return 0;
			}
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		perror(path);
		fclose(f);
		free(buf);
		return 0;
	}
	fclose(f);
	*len = n;
	return buf;
}

static int load(const char *path, struct scenario *s)
{
	char err[512];
	size_t len;
	char *text = slurp(path, &len);

	if (!text)
		return -1;
	int rc = scenario_parse(text, len, path, s, err, sizeof(err));
	free(text);
	if (rc)
		fprintf(stderr, "%s\n", err);
	return rc;
}

static int compile(const char *in, const char *out)
{
	struct scenario s;
	char why[256];

	if (load(in, &s))
		return 1;
	size_t size = scenario_size(&s);
	void *buf = malloc(size);
	if (!buf)
		return 1;
	scenario_serialise(&s, buf);
	if (bootcfg_check(buf, size, why, sizeof(why))) {
		fprintf(stderr, "%s: internal error, descriptor rejected: %s\n", in, why);
		return 1;
	}
	FILE *f = fopen(out, "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f)) {
		perror(out);
		return 1;
	}
	free(buf);
	return 0;
}

/* Names from the PCI ID database (pci.ids) through libpci. */
static const char *pci_name(struct pci_access *pa, uint16_t v, uint16_t d, char *buf, size_t len)
{
	return pci_lookup_name(pa, buf, (int)len, PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE, v, d);
}

/* Check the scenario's assignments against the machine; print who gets what. */
static int devices(const char *machine_file, const char *in, int print)
{
	static struct machine m;
	struct scenario s;
	char err[512], name[256];
	size_t len;
	char *text;

	if (load(in, &s) || !(text = slurp(machine_file, &len)))
		return 1;
	int rc = machine_parse(text, len, machine_file, &m, err, sizeof(err));
	free(text);
	if (!rc)
		rc = machine_assign(&m, &s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s: %s\n", in, err);
		return 1;
	}
	if (!print)
		return 0;
	struct pci_access *pa = pci_alloc();
	for (unsigned i = 0; i < m.n; i++) {
		const struct machine_dev *d = &m.devs[i];
		printf("%02x:%02x.%x %04x:%04x %s -> %s\n", d->bus, d->dev, d->fn, d->vendor,
		       d->device, pci_name(pa, d->vendor, d->device, name, sizeof(name)),
		       d->owner >= 0 ? s.dom[d->owner].name : "(unassigned)");
	}
	pci_cleanup(pa);
	return 0;
}

static int images(const char *in)
{
	struct scenario s;

	if (load(in, &s))
		return 1;
	for (unsigned i = 0; i < s.ndomains; i++) {
		int dup = 0;
		for (unsigned j = 0; j < i; j++)
			dup |= !strcmp(s.dom[i].image, s.dom[j].image);
		if (!dup)
			printf("%s\n", s.dom[i].image);
	}
	return 0;
}

/* The machine the scenario names ('machine NAME'), or an empty line. */
static int machine_of(const char *in)
{
	struct scenario s;

	if (load(in, &s))
		return 1;
	printf("%s\n", s.machine);
	return 0;
}

static int dump(const char *in)
{
	static const char *const roles[] = { "?", "client", "driver", "test" };
	char why[256];
	size_t len;
	char *buf = slurp(in, &len);

	if (!buf)
		return 1;
	if (bootcfg_check(buf, len, why, sizeof(why))) {
		fprintf(stderr, "%s: invalid boot descriptor: %s\n", in, why);
		return 1;
	}
	const struct bootcfg_header *h = (const void *)buf;
	const struct bootcfg_domain *d = (const void *)(h + 1);
	printf("scenario %s: %u domains\n", h->name, h->ndomains);
	for (unsigned i = 0; i < h->ndomains; i++) {
		printf("  %-16s image %-12s %5llu MiB  %-6s%s %s\n", d[i].name, d[i].image,
		       (unsigned long long)(d[i].mem_bytes >> 20), roles[d[i].role],
		       d[i].flags & BOOTCFG_F_RESTART ? " restart" : "", d[i].args);
		for (unsigned k = 0; k < d[i].ndevices; k++) {
			const struct bootcfg_device *v = &d[i].devices[k];
			if (v->kind == BOOTCFG_DEV_BDF)
				printf("    device %02x:%02x.%x\n", v->bus, v->dev, v->fn);
			else
				printf("    device %04x:%04x\n", v->vendor, v->device);
		}
	}
	free(buf);
	return 0;
}

/* Every image the scenario names is DIR/IMAGE.elf; else list what DIR has. */
static int check_images(const char *in, const char *dir)
{
	struct scenario s;
	char path[4096];
	int bad = 0;

	if (load(in, &s))
		return 1;
	for (unsigned i = 0; i < s.ndomains; i++) {
		snprintf(path, sizeof(path), "%s/%s.elf", dir, s.dom[i].image);
		FILE *f = fopen(path, "rb");
		if (f) {
			fclose(f);
			continue;
		}
		fprintf(stderr, "%s:%u: domain '%s': no image '%s' (%s)\n", in, s.dom_line[i],
			s.dom[i].name, s.dom[i].image, path);
		bad = 1;
	}
	if (!bad)
		return 0;
	fprintf(stderr, "images in %s:", dir);
	DIR *dp = opendir(dir);
	for (struct dirent *e; dp && (e = readdir(dp));) {
		size_t n = strlen(e->d_name);
		if (n > 4 && !strcmp(e->d_name + n - 4, ".elf"))
			fprintf(stderr, " %.*s", (int)(n - 4), e->d_name);
	}
	if (dp)
		closedir(dp);
	fputc('\n', stderr);
	return 1;
}

/* The domains' memory fits a machine with 'ram' bytes: the hypervisor, its
 * tables and the boot modules take a few MiB, each domain about 1 MiB more
 * than its RAM (page tables, vCPU state) at most. */
#define HV_RESERVE (8ull << 20)
static int check_ram(const char *in, const char *ram_text)
{
	struct scenario s;
	char *end;
	unsigned long long ram = strtoull(ram_text, &end, 10), need = HV_RESERVE;

	if (!strcmp(end, "G") || !strcmp(end, "g"))
		ram <<= 30;
	else if (!strcmp(end, "M") || !strcmp(end, "m") || !*end)
		ram <<= 20;                     /* QEMU's -m: MiB by default */
	else {
		fprintf(stderr, "scncc: --ram '%s' is not a size like 256M or 1G\n", ram_text);
		return 1;
	}
	if (load(in, &s))
		return 1;
	for (unsigned i = 0; i < s.ndomains; i++)
		need += s.dom[i].mem_bytes + (1ull << 20);
	if (need <= ram)
		return 0;
	fprintf(stderr, "%s: domains need %llu MiB with the hypervisor's share, the machine has "
		"%llu MiB: raise QEMU_MEM (make run QEMU_MEM=%lluM) or lower their memory\n", in,
		need >> 20, ram >> 20, ((need >> 20) + 127) / 128 * 128);
	return 1;
}

/* IN -o OUT [--machine FILE] [--image-dir DIR] [--ram SIZE] */
static int compile_checked(int argc, char **argv)
{
	const char *machine = 0, *dir = 0, *ram = 0;

	for (int i = 4; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		if (!strcmp(argv[i], "--machine"))
			machine = argv[i + 1];
		else if (!strcmp(argv[i], "--image-dir"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--ram"))
			ram = argv[i + 1];
		else
			return usage();
	}
	if (machine && devices(machine, argv[1], 1))
		return 1;
	if (dir && check_images(argv[1], dir))
		return 1;
	if (ram && check_ram(argv[1], ram))
		return 1;
	return compile(argv[1], argv[3]);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[2], "-o"))
		return compile_checked(argc, argv);
	if (argc == 4 && !strcmp(argv[1], "--devices"))
		return devices(argv[2], argv[3], 1);
	if (argc == 3 && !strcmp(argv[1], "--images"))
		return images(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--machine-of"))
		return machine_of(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--dump"))
		return dump(argv[2]);
	return usage();
}
