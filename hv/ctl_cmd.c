/*
 * Control channel commands (protocol in docs/design.md "Control channel").
 * A line is split into at most CTL_MAX_WORDS words; the first picks the
 * command from a table that fixes how many arguments it takes; a domain is
 * named by its scenario name. Every path ends in exactly one "ok" or
 * "error: ..." line (or starts a console follow, ended by the next line).
 */
#include "errname.h"
#include "kstring.h"
#include "hv/arch.h"
#include "hv/ctl.h"
#include "hv/domain.h"
#include "hv/printk.h"
#include "hv/supervise.h"
#include "public/channel.h"

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= BOOTCFG_NAME_LEN)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* The domain called name, or NULL after printing why not. */
static struct domain *find(const char *name)
{
	if (!name_ok(name)) {
		ctl_printf("error: bad domain name (1-31 characters of A-Z a-z 0-9 _ -)\n");
		return 0;
	}
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		struct domain *d = domain_by_id(id);
		if (d && !strcmp(d->cfg.name, name))
			return d;
	}
	ctl_printf("error: no domain '%s' (see list)\n", name);
	return 0;
}

static void reply(int rc, const char *what, const struct domain *d)
{
	if (!rc)
		ctl_printf("ok\n");
	else if (rc == -HV_EBUSY)
		ctl_printf("error: %s: a restart of %s is under way, try again\n", what, d->cfg.name);
	else if (rc == -HV_ENOENT)
		ctl_printf("error: %s: %s is dead already\n", what, d->cfg.name);
	else
		ctl_printf("error: %s %s: %s\n", what, d->cfg.name, hv_errname(rc));
}

static void cmd_help(char **w)
{
	ctl_printf("commands: ping [WORD], list, stats NAME, devices, destroy NAME, restart NAME, "
		   "inject NAME kill|ud2|pf|triple|hang|idt|block|wild|dma, console NAME (any line stops it), shutdown\nok\n");
}

static void cmd_ping(char **w)
{
	ctl_printf("pong %s dropped=%lu\nok\n", w[1] ? w[1] : "-", ctl_dropped());
}

static void cmd_list(char **w)
{
	ctl_list();
	ctl_printf("ok\n");
}

static void cmd_devices(char **w)
{
	ctl_devices();
	ctl_printf("ok\n");
}

static void cmd_stats(char **w)
{
	struct domain *d = find(w[1]);

	if (d && !ctl_stats(d))
		ctl_printf("ok\n");
}

static void cmd_destroy(char **w)
{
	struct domain *d = find(w[1]);

	if (d)
		reply(supervise_destroy(d), "destroy", d);
}

static void cmd_restart(char **w)
{
	struct domain *d = find(w[1]);

	if (d)
		reply(supervise_restart_now(d), "restart", d);
}

/*
 * inject NAME KIND. Made by the hypervisor: kill (the hypervisor kills the
 * domain, as it does for a DMA fault) and ud2 (the two bytes at the guest's
 * next instruction become UD2, written through the hypervisor's mapping of
 * its RAM, guest-virtual = guest-physical in our guests, so the guest faults
 * by itself and its own #UD handler reports the crash). Asked of the guest:
 * the crash kinds a driver does to itself (pf triple hang idt block wild dma,
 * guest/rt/crash.c and netdd) are written to its shared page, which a driver
 * that polls it (netdd and diskdd, every pass of their loops) carries out;
 * other domains ignore it. All take the restart path a real failure takes.
 */
static const char *const asked_kinds[] = { "pf", "triple", "hang", "idt", "block", "wild", "dma" };

static int ask_crash(struct domain *d, const char *kind)
{
	struct hv_shared_info *si = (struct hv_shared_info *)d->shared;

	for (unsigned i = 0; i < sizeof(asked_kinds) / sizeof(asked_kinds[0]); i++) {
		if (strcmp(kind, asked_kinds[i]))
			continue;
		if (!si)
			return -1;
		memset(si->crash_request, 0, sizeof(si->crash_request));
		memcpy(si->crash_request, kind, strlen(kind));
		ctl_printf("asked %s to crash by '%s' (only a driver that polls its shared page, "
			   "netdd or diskdd, does)\n", d->cfg.name, kind);
		return 0;
	}
	return -1;
}
static void cmd_inject(char **w)
{
	static const uint8_t ud2[2] = { 0x0f, 0x0b };
	struct domain *d = find(w[1]);

	if (!d)
		return;
	if (!domain_alive(d)) {
		ctl_printf("error: inject: %s is not running (%s)\n", d->cfg.name,
			   domain_state_name(d->state));
		return;
	}
	if (!strcmp(w[2], "kill")) {
		domain_crash(d, "killed by the control channel (inject kill)");
	} else if (!strcmp(w[2], "ud2")) {
		uint64_t rip = arch_vcpu_rip(&d->vcpu);
		if (guest_write_raw(d, rip, ud2, sizeof(ud2))) {
			ctl_printf("error: inject ud2: rip 0x%lx is outside %s's memory\n", rip,
				   d->cfg.name);
			return;
		}
		printk("hv: domain %u (%s): ud2 injected at rip 0x%lx by the control channel\n",
		       d->id, d->cfg.name, rip);
	} else if (ask_crash(d, w[2])) {
		ctl_printf("error: inject: unknown kind '%s' (kill, ud2; asked of a driver: pf, "
			   "triple, hang, idt, block, wild, dma)\n", w[2]);
		return;
	}
	ctl_printf("ok\n");
}

static void cmd_console(char **w)
{
	struct domain *d = find(w[1]);

	if (d)
		ctl_follow(d->id);      /* "ok" comes when the next line stops it */
}

static void cmd_shutdown(char **w)
{
	ctl_printf("ok\n");
	ctl_drain();
	hv_finish(HV_STATUS_PASS, "shutdown asked for by the control channel");
}

static const struct {
	const char *name;
	int args;
	const char *usage;
	void (*fn)(char **w);
} cmds[] = {
	{ "help", 0, "help", cmd_help },
	{ "ping", -1, "ping [WORD]", cmd_ping },
	{ "list", 0, "list", cmd_list },
	{ "devices", 0, "devices", cmd_devices },
	{ "stats", 1, "stats NAME", cmd_stats },
	{ "destroy", 1, "destroy NAME", cmd_destroy },
	{ "restart", 1, "restart NAME", cmd_restart },
	{ "inject", 2, "inject NAME KIND", cmd_inject },
	{ "console", 1, "console NAME", cmd_console },
	{ "shutdown", 0, "shutdown", cmd_shutdown },
};

void ctl_command(char *line)
{
	char *w[CTL_MAX_WORDS + 1] = { 0 };
	int n = ctl_split(line, w, CTL_MAX_WORDS);

	if (n == 0)
		return;                 /* an empty line: nothing to answer */
	if (n < 0) {
		ctl_printf("error: too many words (at most %u)\n", CTL_MAX_WORDS);
		return;
	}
	for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(w[0], cmds[i].name))
			continue;
		/* args -1: zero or one */
		if (cmds[i].args >= 0 ? n - 1 != cmds[i].args : n > 2) {
			ctl_printf("error: usage: %s\n", cmds[i].usage);
			return;
		}
		cmds[i].fn(w);
		return;
	}
	if (!name_ok(w[0]))
		ctl_printf("error: unknown command (try help)\n");
	else
		ctl_printf("error: unknown command '%s' (try help)\n", w[0]);
}
