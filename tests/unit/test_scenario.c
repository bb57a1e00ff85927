#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bootcfg_check.h"
#include "scenario.h"
#include "unit.h"

static struct scenario s;
static char err[512];

static int parse(const char *text)
{
	err[0] = 0;
	return scenario_parse(text, strlen(text), "t.scn", &s, err, sizeof(err));
}

static void bad(const char *text, const char *want)
{
	CHECK_EQ(parse(text), -1);
	if (!strstr(err, want))
		printf("  err='%s', wanted '%s'\n", err, want);
	CHECK(strstr(err, want) != 0);
}

static const char *good_text =
	"# demo\n"
	"scenario demo   # trailing comment\n"
	"\n"
	"domain alpha\n"
	"    image   counter\n"
	"    memory  4M\n"
	"    args    count=5  tag=A\n"
	"domain beta\n"
	"\timage hello\n"
	"\tmemory 2048K\n"
	"\trole driver\n"
	"\trestart yes\n"
	"\trestart_limit 3/10s\n"
	"\trestart_backoff 25ms\n"
	"\tdevice 01:00.0\n"
	"\tdevice 8086:100E\n"
	"domain gamma\n"
	"image hello\n"
	"memory 1G\n"
	"role test\n";

int main(void)
{
	char why[160];

	CHECK_EQ(parse(good_text), 0);
	CHECK(!strcmp(s.name, "demo"));
	CHECK_EQ(s.ndomains, 3);
	CHECK(!strcmp(s.dom[0].name, "alpha") && !strcmp(s.dom[0].image, "counter"));
	CHECK_EQ(s.dom[0].mem_bytes, 4 << 20);
	CHECK_EQ(s.dom[0].role, BOOTCFG_ROLE_CLIENT);
	CHECK(!strcmp(s.dom[0].args, "count=5  tag=A"));
	CHECK_EQ(s.dom[1].mem_bytes, 2 << 20);
	CHECK_EQ(s.dom[1].role, BOOTCFG_ROLE_DRIVER);
	CHECK_EQ(s.dom[1].ndevices, 2);
	CHECK_EQ(s.dom[1].restart_max, 3);
	CHECK_EQ(s.dom[1].restart_window_s, 10);
	CHECK_EQ(s.dom[1].restart_backoff_ms, 25);
	CHECK_EQ(s.dom[0].restart_max + s.dom[0].restart_window_s + s.dom[0].restart_backoff_ms, 0);
	CHECK_EQ(s.dom[1].devices[0].kind, BOOTCFG_DEV_BDF);
	CHECK_EQ(s.dom[1].devices[0].bus, 1);
	CHECK_EQ(s.dom[1].devices[1].kind, BOOTCFG_DEV_ID);
	CHECK_EQ(s.dom[1].devices[1].vendor, 0x8086);
	CHECK_EQ(s.dom[1].devices[1].device, 0x100e);
	CHECK_EQ(s.dom[0].ndevices, 0);
	CHECK_EQ(s.dom[2].mem_bytes, 1ull << 30);
	CHECK_EQ(s.dom[2].role, BOOTCFG_ROLE_TEST);
	CHECK_EQ(s.dom[1].flags, BOOTCFG_F_RESTART);
	CHECK_EQ(s.dom[0].flags, 0);
	CHECK_EQ(s.dom_line[1], 8);

	/* round trip through the binary form */
	size_t n = scenario_size(&s);
	uint8_t *bin = malloc(n);
	CHECK_EQ(scenario_serialise(&s, bin), n);
	CHECK_EQ(bootcfg_check(bin, n, why, sizeof(why)), 0);
	const struct bootcfg_domain *d = (const void *)(bin + sizeof(struct bootcfg_header));
	CHECK(!memcmp(d, s.dom, 3 * sizeof(*d)));
	free(bin);

	bad("domain a\n", "t.scn:1: the file must start with 'scenario NAME'");
	bad("scenario x\ndomain a\n device 1:0.0\n", "t.scn:3: device '1:0.0' is neither");
	bad("scenario x\ndomain a\n device 00:20.0\n", "t.scn:3: device '00:20.0': device must be");
	bad("scenario x\ndomain a\n device 00:1f.8\n", "function < 8");
	bad("scenario x\ndomain a\n device ffff:1234\n", "invalid vendor id");
	bad("scenario x\ndomain a\n device 8086:100e\n device 8086:100e\n", "t.scn:4: device '8086:100e' listed twice");
	bad("scenario x\ndomain a\n device 01:00.0\n device 02:00.0\n device 03:00.0\n device 04:00.0\n device 05:00.0\n",
	    "t.scn:7: more than 4 devices");
	bad("scenario x\ndomain a\n device 01:00.0 x\n", "trailing text");
	bad("", "no 'scenario NAME' line");
	bad("scenario x\n", "no domains");
	bad("scenario x\nscenario y\n", "t.scn:2: a second 'scenario' line");
	bad("scenario bad/name\n", "t.scn:1: bad scenario name");
	bad("scenario x\nimage foo\n", "t.scn:2: 'image' outside a domain block");
	bad("scenario x\ndomain a\n  memroy 2M\n", "t.scn:3: unknown key 'memroy'");
	bad("scenario x\ndomain a\n restart maybe\n", "t.scn:3: restart 'maybe' is neither yes nor no");
	bad("scenario x\ndomain a\n restart yes\n restart no\n", "t.scn:4: duplicate 'restart'");
	bad("scenario x\ndomain a\n restart_limit 3\n", "t.scn:3: restart_limit '3' is not N/Ts");
	bad("scenario x\ndomain a\n restart_limit 0/10s\n", "t.scn:3: restart_limit '0/10s'");
	bad("scenario x\ndomain a\n restart_limit 3/256s\n", "t.scn:3: restart_limit '3/256s'");
	bad("scenario x\ndomain a\n restart_limit 3/10\n", "t.scn:3: restart_limit '3/10'");
	bad("scenario x\ndomain a\n restart_backoff 20\n", "t.scn:3: restart_backoff '20' is not a delay");
	bad("scenario x\ndomain a\n restart_backoff 10001ms\n", "t.scn:3: restart_backoff '10001ms'");
	bad("scenario x\ndomain a\n image i\n memory 2M\n restart_limit 3/10s\n",
	    "t.scn:2: domain 'a' has a restart policy but not 'restart yes'");
	bad("scenario x\ndomain a\n image i\n memory 3M\n", "t.scn:4: memory '3M' is not a multiple of 2M");
	bad("scenario x\ndomain a\n image i\n memory 2G\n", "t.scn:4: memory '2G' is outside 2M..1G");
	bad("scenario x\ndomain a\n image i\n memory 99999999999999999999M\n", "t.scn:4: memory");
	bad("scenario x\ndomain a\n image i\n memory 4X\n", "not a size");
	bad("scenario x\ndomain a\n image i\n memory 4M 8M\n", "t.scn:4: trailing text");
	bad("scenario x\ndomain a\n image i\n memory 2M\n role boss\n", "t.scn:5: unknown role 'boss'");
	bad("scenario x\ndomain a\n image i\n image j\n", "t.scn:4: duplicate 'image' in domain 'a' (first at line 3)");
	bad("scenario x\ndomain a\n image i\n memory 2M\ndomain a\n",
	    "t.scn:5: duplicate domain 'a' (first defined at line 2)");
	bad("scenario x\ndomain a\n memory 2M\n", "t.scn:2: domain 'a' has no image");
	/* role: only driver domains own devices; machine: once, before the domains */
	bad("scenario x\ndomain a\n image i\n memory 2M\n device 8086:100e\n",
	    "t.scn:2: domain 'a' has devices but is not 'role driver'");
	bad("scenario x\ndomain a\n image i\n memory 2M\n role test\n device 8086:100e\n",
	    "is not 'role driver'");
	bad("scenario x\ndomain a\n image i\n memory 2M\nmachine m\n",
	    "t.scn:5: 'machine' goes once, before the first domain");
	bad("scenario x\nmachine m\nmachine n\n", "t.scn:3: 'machine' goes once");
	bad("scenario x\nmachine a/b\n", "t.scn:2: bad machine name");
	CHECK_EQ(parse("scenario x\nmachine nic_disk\ndomain a\n image i\n memory 2M\n"), 0);
	CHECK(!strcmp(s.machine, "nic_disk"));
	bad("scenario x\ndomain a\n image i\n", "t.scn:2: domain 'a' has no memory");
	bad("scenario x\ndomain aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "t.scn:2: bad domain name");
	bad("scenario x\ndomain a\n image i\x01\n", "t.scn:3: bad image name");
	bad("scenario x\ndomain a\n args a\tb\x02\n", "t.scn:3: args contain a non-printable");
	{
		char text[600] = "scenario x\ndomain a\n args ";
		memset(text + strlen(text), 'a', 200);
		bad(text, "t.scn:3: args longer than 191");
	}
	{
		char text[4096] = "scenario x\n";
		for (int i = 0; i < 17; i++)
			sprintf(text + strlen(text), "domain d%d\n image i\n memory 2M\n", i);
		bad(text, "t.scn:50: too many domains");
	}
	return unit_done("scenario");
}
