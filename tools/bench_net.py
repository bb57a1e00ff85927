#!/usr/bin/env python3
"""make bench-net and make bench-restart: boot the benchmark scenarios of
tests/qemu/bench.conf one at a time, read the load generator's summary and the
hypervisor's counters and restart records, and print figures and ratios.

    tools/bench_net.py net       (a) behind the driver domain vs (b) direct
    tools/bench_net.py net --icount   window 32 once each under -icount shift=0:
                                 guest instructions per echo, per domain
    tools/bench_net.py restart [host|virtual]   20 restarts: phases and datagrams lost
Figures are measured in this run only; (a) and (b) alternate so drift of a
noisy machine hits both.
"""
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = [sys.executable, os.path.join(ROOT, "tests", "run.py"), "--conf",
       os.path.join(ROOT, "tests", "qemu", "bench.conf"), "--qemu-only", "-j", "1",
       "--show", "loadgen:,hvtest: counters,hvtest: exitcauses,hvtest: guesttime,hv: restart"]
PHASES = ["device reset", "domain started", "backend connected", "first packet forwarded"]
# Finer phases from the "hv: restart NAME #N phases:" line.
DETAIL = ["reclaimed", "ram ready", "started", "announced", "offered", "connected"]


def kv(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def run_lines(name):
    """Boot one bench.conf entry; the lines it shows."""
    r = subprocess.run(RUN + ["--only", name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    lines = r.stdout.splitlines()
    if r.returncode:
        print("\n".join(lines[-40:]))
        sys.exit("bench: %s failed" % name)
    return lines


def boot(name):
    """Run one bench.conf entry; returns its loadgen summary, counters, restart lines
    and the exits of every domain by cause (summed over the domains)."""
    lines = run_lines(name)
    load = [kv(l) for l in lines if l.startswith("loadgen:")]
    counters, causes = {}, {}
    for l in lines:
        m = re.match(r"hvtest: counters (\S+): exits (\d+) hypercalls (\d+) events_sent (\d+) "
                     r"events_received (\d+)", l)
        if m:
            counters[m.group(1)] = [int(x) for x in m.groups()[1:]]
        m = re.match(r"hvtest: guesttime (\S+): run_us=(\d+)", l)
        if m:
            causes["run_us"] = causes.get("run_us", 0) + int(m.group(2))
        m = re.match(r"hvtest: guesttime idle: idle_us=(\d+)", l)
        if m:
            causes["idle_us"] = int(m.group(1))
        m = re.match(r"hvtest: exitcauses (\S+):(.*)", l)
        if m:
            for k, v in re.findall(r"([\w.]+)=(\d+)", m.group(2)):
                causes[k] = causes.get(k, 0) + int(v)
    restarts = [l for l in lines if re.match(r"hv: restart \S+ #\d+ (\(generation|phases:)", l)]
    return load[0], counters, restarts, causes


def per_packet(load, counters):
    pkts = max(1, int(load["echoed"]))
    exits = sum(c[0] for c in counters.values())
    received = sum(c[3] for c in counters.values())     # device interrupts + notifications
    sent = sum(c[2] for c in counters.values())         # notifications between domains
    return exits / pkts, received / pkts, sent / pkts


# Exit causes shown one by one (hypercalls by name); the rest are summed as "other".
CAUSE_COLS = ["hc.block", "hc.time", "hc.watchdog_kick", "hc.device_irq_ack", "hc.evtchn_send",
              "intr", "hlt", "npf", "io"]


def cause_row(causes, pkts):
    row = {c: causes.get(c, 0) / pkts for c in CAUSE_COLS}
    row["hc.other"] = sum(v for k, v in causes.items()
                          if k.startswith("hc.") and k not in CAUSE_COLS) / pkts
    row["other"] = sum(v for k, v in causes.items()
                       if not k.startswith("hc.") and k not in CAUSE_COLS and not k.endswith("_us")) / pkts
    row["run_us"] = causes.get("run_us", 0) / pkts
    row["idle_us"] = causes.get("idle_us", 0) / pkts
    return row


def spread(vals, fmt):
    return (fmt + " (" + fmt + "-" + fmt + ")") % (statistics.median(vals), min(vals), max(vals))


def bench_net():
    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    runs = {}       # (kind, window) -> list of per-round results
    for rnd in range(rounds):
        for window in (1, 32):
            for kind in ("dd", "direct"):
                name = "net_%s_w%d" % (kind, window)
                load, counters, _, causes = boot(name)
                pkts = max(1, int(load["echoed"]))
                ex, ev, nt = per_packet(load, counters)
                runs.setdefault((kind, window), []).append(dict(
                    rtt=float(load["rtt_per_s"]), p50=float(load["p50_us"]),
                    p99=float(load["p99_us"]), lost=int(load["lost"]), exits=ex, events=ev,
                    notif=nt, causes=cause_row(causes, pkts)))
                print("bench-net: round %d/%d %s: %s rt/s, %.2f exits/echo" % (
                    rnd + 1, rounds, name, load["rtt_per_s"], ex), flush=True)
    print("bench-net: UDP echo of 64-byte datagrams from the host, through QEMU user networking; "
          "%d rounds, (a) and (b) alternated; median (min-max) over the rounds" % rounds)
    print("exits: VM exits of every domain; events: events delivered (device interrupts and "
          "inter-domain notifications); notif: inter-domain notifications only; all per echo, "
          "boot included")
    print("%-34s %3s %24s %20s %20s %5s %18s %7s %6s" % (
        "configuration", "win", "rt/s", "p50 us", "p99 us", "lost", "exits", "events", "notif"))
    med = {}
    for window in (1, 32):
        for kind, what in (("dd", "(a) client VM behind driver domain"),
                           ("direct", "(b) direct assignment (baseline)")):
            rs = runs[(kind, window)]
            col = lambda k: [r[k] for r in rs]
            med[(kind, window)] = {k: statistics.median(col(k)) for k in
                                   ("rtt", "p50", "p99", "exits", "events")}
            print("%-34s %3d %24s %20s %20s %5d %18s %7.2f %6.2f" % (
                what, window, spread(col("rtt"), "%.0f"), spread(col("p50"), "%.0f"),
                spread(col("p99"), "%.0f"), statistics.median(col("lost")),
                spread(col("exits"), "%.2f"), statistics.median(col("events")),
                statistics.median(col("notif"))))
    print("exits per echo by cause (median over rounds, all domains; hc.NAME: hypercalls):")
    cols = CAUSE_COLS + ["hc.other", "other"]
    print("%-12s" % "" + "".join("%9s" % (c if c == "hc.other" else c.replace("hc.", ""))[:8]
                                 for c in cols))
    for window in (1, 32):
        for kind in ("dd", "direct"):
            rs = runs[(kind, window)]
            print("%-12s" % ("(%s) w%d" % ("a" if kind == "dd" else "b", window)) + "".join(
                "%9.2f" % statistics.median([r["causes"][c] for r in rs]) for c in cols))
    print("where the time of an echo goes (median us per echo): guest = time in guest mode, "
          "all domains; idle = the hypervisor with nothing to run (both boot included); "
          "wall = 1e6 / (round trips/s)")
    for window in (1, 32):
        for kind in ("dd", "direct"):
            rs = runs[(kind, window)]
            print("(%s) w%-3d guest %7.1f   idle %7.1f   wall %7.1f" % (
                "a" if kind == "dd" else "b", window,
                statistics.median([r["causes"]["run_us"] for r in rs]),
                statistics.median([r["causes"]["idle_us"] for r in rs]),
                statistics.median([1e6 / max(1e-9, r["rtt"]) for r in rs])))
    for window in (1, 32):
        a, b = med[("dd", window)], med[("direct", window)]
        print("window %2d ratio (a)/(b) of medians: round trips/s %.2f, p50 latency %.2f, "
              "p99 latency %.2f, exits/echo %.2f, events/echo %.2f" % (
                  window, a["rtt"] / max(1e-9, b["rtt"]), a["p50"] / max(1, b["p50"]),
                  a["p99"] / max(1, b["p99"]), a["exits"] / max(1e-9, b["exits"]),
                  a["events"] / max(1e-9, b["events"])))


def bench_net_icount():
    """Window 32 once each for (a) and (b) under -icount shift=0, where 1 us of guest
    time is 1,000 guest instructions: guest instructions per echo for each domain (boot
    included, so a few per echo are the boot's), repeatable run to run."""
    total = {}
    print("bench-net --icount: window 32, 64-byte datagrams, -icount shift=0; guest "
          "instructions per echo (boot included)")
    for tag, name in (("(a)", "net_dd_w32_ic"), ("(b)", "net_direct_w32_ic")):
        lines = run_lines(name)
        load = [kv(l) for l in lines if l.startswith("loadgen:")][0]
        pkts = max(1, int(load["echoed"]))
        doms = [(m.group(1), int(m.group(2))) for m in
                (re.match(r"hvtest: guesttime (\S+): run_us=(\d+)", l) for l in lines) if m]
        # Wakes (HC_BLOCK exits) per echo per domain: how the datagrams
        # batched, which moves the per-echo figures a little between runs.
        blocks = {m.group(1): int(m.group(2)) for m in
                  (re.match(r"hvtest: exitcauses (\S+):.* hc\.block=(\d+)", l) for l in lines) if m}
        total[tag] = sum(us for _, us in doms) * 1000 / pkts
        print("  %s %-17s %s  total %6.0f  (echoed %d, lost %s; blocks per echo %s)" % (
            tag, name, "  ".join("%s %6.0f" % (d, us * 1000 / pkts) for d, us in doms),
            total[tag], pkts, load["lost"],
            " ".join("%s %.3f" % (d, n / pkts) for d, n in blocks.items())))
    print("  (b)/(a) guest instructions per echo: %.2f" % (
        total["(b)"] / max(1e-9, total["(a)"])))


def phases(line, names):
    vals = {}
    for p in names:
        m = re.search(re.escape(p) + r" \+(\d+) us", line)
        vals[p] = int(m.group(1)) if m and int(m.group(1)) else None
    return vals


def spread_ms(v):
    """min, median, p90 (nearest rank), max of a list of us, in ms."""
    s = sorted(v)
    p90 = s[max(0, -(-9 * len(s) // 10) - 1)]
    return s[0] / 1000, statistics.median(s) / 1000, p90 / 1000, s[-1] / 1000


def print_phases(recs, names):
    for p in names:
        v = [r[p] for r in recs if r[p] is not None]
        if v:
            print("  %-24s min %7.2f  median %7.2f  p90 %7.2f  max %7.2f ms  (%d of %d)" % (
                (p,) + spread_ms(v) + (len(v), len(recs))))


def bench_restart():
    which = sys.argv[2:] or ["host", "virtual"]
    for name, clock in (("restart_host", "host time (TSC, no icount)"),
                        ("restart_virtual", "guest virtual time (-icount shift=0)")):
        if name.split("_")[1] not in which:
            continue
        load, _, lines, _ = boot(name)
        recs = [phases(l, PHASES) for l in lines if "(generation" in l]
        detail = [phases(l, DETAIL) for l in lines if " phases: " in l]
        print("bench-restart: %d restarts, phases after the failure was detected, %s" %
              (len(recs), clock))
        print_phases(recs, PHASES)
        print("  finer phases (same clock, after the failure):")
        print_phases(detail, DETAIL)
        n = max(1, len(recs))
        lost, late = int(load["lost"]), int(load.get("late", 0))
        print("  datagrams: sent %s echoed %s lost %s (%.1f per restart, longest burst %s, "
              "%s bursts; loadgen options in tests/qemu/bench.conf)" % (
                  load["sent"], load["echoed"], lost, lost / n,
                  load["longest_burst"], load["bursts"]))
        # QEMU's e1000 holds received frames for 1 s of virtual time after
        # every RCTL write (its flush_queue_timer), so the restarted driver's
        # first second delivers them late: echoed after the timeout.
        print("  of which echoed late (after the timeout) %d, never echoed %d (%.1f per restart)" % (
              late, lost - late, (lost - late) / n))


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "net" and "--icount" in sys.argv[2:]:
        bench_net_icount()
    elif what == "net":
        bench_net()
    elif what == "restart":
        bench_restart()
    else:
        sys.exit("usage: bench_net.py net|restart")
