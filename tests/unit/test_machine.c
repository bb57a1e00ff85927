#include <string.h>
#include "machine.h"
#include "scenario.h"
#include "unit.h"

static struct machine m;
static struct scenario s;
static char err[512];

static const char *machine_text =
	"# comment\n"
	"01:00.0 8086:100e   # e1000\n"
	"\n"
	"02:00.0 1b36:0010\n";

static int scn(const char *text)
{
	return scenario_parse(text, strlen(text), "t.scn", &s, err, sizeof(err));
}

int main(void)
{
	CHECK_EQ(machine_parse(machine_text, strlen(machine_text), "m", &m, err, sizeof(err)), 0);
	CHECK_EQ(m.n, 2);
	CHECK_EQ(m.devs[1].bus, 2);
	CHECK_EQ(m.devs[1].vendor, 0x1b36);
	CHECK_EQ(machine_parse("01:00.0 8086\n", 13, "m", &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "m:1:") != 0);
	CHECK_EQ(machine_parse("x\n01:20.0 8086:100e\n", 20, "m", &m, err, sizeof(err)), -1);
	CHECK_EQ(machine_parse("01:00.0 8086:100e junk\n", 23, "m", &m, err, sizeof(err)), -1);

	machine_parse(machine_text, strlen(machine_text), "m", &m, err, sizeof(err));
	CHECK_EQ(scn("scenario x\ndomain net\n image i\n memory 2M\n role driver\n device 8086:100e\n"
		     "domain disk\n image i\n memory 2M\n role driver\n device 02:00.0\n"), 0);
	CHECK_EQ(machine_assign(&m, &s, err, sizeof(err)), 0);
	CHECK_EQ(m.devs[0].owner, 0);
	CHECK_EQ(m.devs[1].owner, 1);

	CHECK_EQ(scn("scenario x\ndomain a\n image i\n memory 2M\n role driver\n device 8086:100e\n"
		     "domain b\n image i\n memory 2M\n role driver\n device 01:00.0\n"), 0);
	CHECK_EQ(machine_assign(&m, &s, err, sizeof(err)), -1);
	CHECK(strstr(err, "domain 'b': device 01:00.0 already assigned to 'a'") != 0);

	CHECK_EQ(scn("scenario x\ndomain a\n image i\n memory 2M\n role driver\n device 8086:10d3\n"), 0);
	CHECK_EQ(machine_assign(&m, &s, err, sizeof(err)), -1);
	CHECK(strstr(err, "device 8086:10d3 is not in the machine") != 0);
	return unit_done("machine");
}
