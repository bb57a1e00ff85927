#!/usr/bin/env python3
"""make bench-net and make bench-restart: boot the benchmark scenarios of
tests/qemu/bench.conf one at a time, read the load generator's summary and the
hypervisor's counters and restart records, and print figures and ratios.

    tools/bench_net.py net       (a) behind the driver domain vs (b) direct
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
       "--show", "loadgen:,hvtest: counters,hv: restart"]
PHASES = ["device reset", "domain started", "backend connected", "first packet forwarded"]
# Finer phases from the "hv: restart NAME #N phases:" line.
DETAIL = ["reclaimed", "ram ready", "started", "announced", "offered", "connected"]


def kv(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def boot(name):
    """Run one bench.conf entry; returns its loadgen summary, counters, restart lines."""
    r = subprocess.run(RUN + ["--only", name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    lines = r.stdout.splitlines()
    if r.returncode:
        print("\n".join(lines[-40:]))
        sys.exit("bench: %s failed" % name)
    load = [kv(l) for l in lines if l.startswith("loadgen:")]
    counters = {}
    for l in lines:
        m = re.match(r"hvtest: counters (\S+): exits (\d+) hypercalls (\d+) events_sent (\d+) "
                     r"events_received (\d+)", l)
        if m:
            counters[m.group(1)] = [int(x) for x in m.groups()[1:]]
    restarts = [l for l in lines if re.match(r"hv: restart \S+ #\d+ (\(generation|phases:)", l)]
    return load[0], counters, restarts


def per_packet(load, counters):
    pkts = max(1, int(load["echoed"]))
    exits = sum(c[0] for c in counters.values())
    received = sum(c[3] for c in counters.values())     # device interrupts + notifications
    sent = sum(c[2] for c in counters.values())         # notifications between domains
    return exits / pkts, received / pkts, sent / pkts


def bench_net():
    rows = {}
    for window in (1, 32):
        for kind in ("dd", "direct"):
            name = "net_%s_w%d" % (kind, window)
            load, counters, _ = boot(name)
            rows[(kind, window)] = (load, counters)
    print("bench-net: UDP echo of 64-byte datagrams from the host, through QEMU user networking")
    print("exits: VM exits of every domain; events: events delivered (device interrupts and "
          "inter-domain notifications); notif: inter-domain notifications only; all per echo, "
          "boot included")
    print("%-34s %6s %9s %7s %7s %5s %7s %7s %6s" % ("configuration", "window", "rt/s", "p50 us",
          "p99 us", "lost", "exits", "events", "notif"))
    for window in (1, 32):
        for kind, what in (("dd", "(a) client VM behind driver domain"),
                           ("direct", "(b) direct assignment (baseline)")):
            load, counters = rows[(kind, window)]
            ex, ev, nt = per_packet(load, counters)
            print("%-34s %6d %9s %7s %7s %5s %7.2f %7.2f %6.2f" % (what, window, load["rtt_per_s"],
                  load["p50_us"], load["p99_us"], load["lost"], ex, ev, nt))
    for window in (1, 32):
        a, b = rows[("dd", window)][0], rows[("direct", window)][0]
        (ea, va, _), (eb, vb, _) = (per_packet(*rows[("dd", window)]),
                                    per_packet(*rows[("direct", window)]))
        print("window %2d ratio (a)/(b): round trips/s %.2f, p50 latency %.2f, p99 latency %.2f, "
              "exits/echo %.2f, events/echo %.2f" % (
                  window, float(a["rtt_per_s"]) / max(1e-9, float(b["rtt_per_s"])),
                  float(a["p50_us"]) / max(1, float(b["p50_us"])),
                  float(a["p99_us"]) / max(1, float(b["p99_us"])), ea / max(1e-9, eb),
                  va / max(1e-9, vb)))


def phases(line, names):
    vals = {}
    for p in names:
        m = re.search(re.escape(p) + r" \+(\d+) us", line)
        vals[p] = int(m.group(1)) if m and int(m.group(1)) else None
    return vals


def spread(v):
    """min, median, p90 (nearest rank), max of a list of us, in ms."""
    s = sorted(v)
    p90 = s[max(0, -(-9 * len(s) // 10) - 1)]
    return s[0] / 1000, statistics.median(s) / 1000, p90 / 1000, s[-1] / 1000


def print_phases(recs, names):
    for p in names:
        v = [r[p] for r in recs if r[p] is not None]
        if v:
            print("  %-24s min %7.2f  median %7.2f  p90 %7.2f  max %7.2f ms  (%d of %d)" % (
                (p,) + spread(v) + (len(v), len(recs))))


def bench_restart():
    which = sys.argv[2:] or ["host", "virtual"]
    for name, clock in (("restart_host", "host time (TSC, no icount)"),
                        ("restart_virtual", "guest virtual time (-icount shift=0)")):
        if name.split("_")[1] not in which:
            continue
        load, _, lines = boot(name)
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
    if what == "net":
        bench_net()
    elif what == "restart":
        bench_restart()
    else:
        sys.exit("usage: bench_net.py net|restart")
