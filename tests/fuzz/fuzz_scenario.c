/*
 * libFuzzer target: the scenario text parser (tools/scenario.c, as scncc uses
 * it) on arbitrary text. Whatever it accepts must serialise into a boot
 * descriptor that bootcfg_check (the hypervisor's own check) accepts, and the
 * parse must agree with what it stored: names NUL-terminated, counts in range.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg_check.h"
#include "scenario.h"

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_scenario: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scenario s;
	char err[512], why[256];

	err[0] = 0;
	if (scenario_parse((const char *)data, size, "fuzz.scn", &s, err, sizeof(err))) {
		if (!memchr(err, 0, sizeof(err)) || !err[0])
			die("rejected without a message", "");
		return 0;
	}
	if (s.ndomains == 0 || s.ndomains > BOOTCFG_MAX_DOMAINS)
		die("domain count out of range", "");
	size_t len = scenario_size(&s);
	uint8_t *buf = malloc(len);          /* exactly sized: ASan sees overreads */
	if (scenario_serialise(&s, buf) != len)
		die("serialised size differs", "");
	if (bootcfg_check(buf, len, why, sizeof(why)))
		die("accepted scenario gives a rejected descriptor", why);
	free(buf);
	return 0;
}
