#!/usr/bin/env python3
"""make bench-disk: boot the disk benchmark scenarios of tests/qemu/bench.conf
one at a time and print IOPS, MB/s, VM exits and events per I/O.

    (a) disk_dd_*: a client VM behind the disk driver domain (diskverify
        bench=... over blkfront; diskdd: blkback and the NVMe driver)
    (b) disk_direct_*: the NVMe driver and the workload in one domain that
        owns the device (driver-domains/diskself.c bench=...)

Every round boots each measurement's (a) and (b) back to back, alternating
which goes first; the table shows the median over --rounds rounds (default
5) with the spread (min-max), and the ratio (a)/(b) as the median of the
per-round ratios (the host drifts between batches, much less within one
pair). Figures are host-timed (hv_time() under TCG); exits and events are
the hypervisor's counters for every domain, boot included, per I/O.

Then the restart figures: disk_restart (tests/qemu/disk_restart_20.scn, 20
crashes of the disk driver domain under diskverify) gives, per restart, the
time from the failure being detected to the first response the new
incarnation sent (the hypervisor's "first packet forwarded": its first
notification to the client after it connected, i.e. the first completed
replayed request), and blkfront's requests replayed per reconnection.
--detail also prints run time per domain and exit/hypercall breakdowns.

Last, the qd 32 pair once under -icount shift=0 (disk_*_rr32_ic): guest time
is then instructions (1 ns each), so IOPS in guest time and guest
instructions per I/O (every domain, boot included; then per domain, with its
VM exits per I/O) are repeatable figures of the guest-side cost, free of host
noise (not of device or exit costs).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = [sys.executable, os.path.join(ROOT, "tests", "run.py"), "--conf",
       os.path.join(ROOT, "tests", "qemu", "bench.conf"), "--qemu-only", "-j", "1"]
# (measurement, bench.conf name of (b), of (a))
ROWS = [
    ("4 KiB random read, qd 1", "disk_direct_rr1", "disk_dd_rr1"),
    ("4 KiB random read, qd 32", "disk_direct_rr32", "disk_dd_rr32"),
    ("64 KiB sequential read, qd 8", "disk_direct_sr", "disk_dd_sr"),
    ("64 KiB sequential write, qd 8", "disk_direct_sw", "disk_dd_sw"),
]
RESTART = "disk_restart"
ICOUNT = ("disk_dd_rr32_ic", "disk_direct_rr32_ic")


def run_one(name):
    """Boot one bench.conf entry; its serial log."""
    r = subprocess.run(RUN + ["--only", name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if r.returncode:
        print(r.stdout[-4000:])
        sys.exit("bench-disk: %s failed" % name)
    with open(os.path.join(ROOT, "build", "tests", name, "serial.log"), errors="replace") as f:
        return f.read()


def boot(name):
    """One benchmark boot: its figures, counters per I/O and detail lines."""
    log = run_one(name)
    m = re.search(r"bench \S+ bs \d+ qd \d+: (.*)", log)
    if not m:
        sys.exit("bench-disk: %s printed no bench line" % name)
    fig = dict(re.findall(r"(\w+)=(\S+)", m.group(1)))
    exits = events = run_us = 0
    detail = []
    dom = {}                            # domain: (run_us, exits)
    for c in re.finditer(r"hvtest: counters (\S+): exits (\d+) hypercalls (\d+) events_sent \d+ "
                         r"events_received (\d+)(?: run_us (\d+))?", log):
        d = dom.get(c.group(1), (0, 0))
        dom[c.group(1)] = (d[0] + int(c.group(5) or 0), d[1] + int(c.group(2)))
        exits += int(c.group(2))
        events += int(c.group(4))
        run_us += int(c.group(5) or 0)
        detail.append("%s: exits %s hypercalls %s events %s run %s ms" % (
            c.group(1), c.group(2), c.group(3), c.group(4),
            int(c.group(5)) // 1000 if c.group(5) else "?"))
    detail += re.findall(r"hvtest: exit kinds (.*)", log)
    ops = max(1, int(fig["ops"]))
    if int(fig["failed"]):
        sys.exit("bench-disk: %s: %s I/Os failed" % (name, fig["failed"]))
    return {"iops": float(fig["iops"]), "mbps": float(fig["mbps"]), "insns": run_us * 1000 / ops,
            "exits": exits / ops, "events": events / ops, "detail": detail,
            "domains": {n: (u * 1000 / ops, x / ops) for n, (u, x) in dom.items()}}


def med(xs):
    """'median (min-max)'."""
    return statistics.median(xs), min(xs), max(xs)


def fmt(t, prec):
    m, lo, hi = t
    return "%.*f (%.*f-%.*f)" % (prec, m, prec, lo, prec, hi)


def restart_figures():
    log = run_one(RESTART)
    fwd = [int(x) - int(b) for b, x in re.findall(
        r"hv: restart diskdd #\d+ .*?backoff (\d+) us,.*first packet forwarded \+(\d+) us", log)]
    total = [int(x) for x in re.findall(
        r"hv: restart diskdd #\d+ .*first packet forwarded \+(\d+) us", log)]
    m = re.findall(r"diskverify: done: .*replayed (\d+), reconnects (\d+)", log)
    print()
    print("restarts (%s, %d restarts of diskdd under diskverify qd 16):" % (RESTART, len(total)))
    if total:
        print("  failure detected -> first completed replayed request: median %.1f ms, "
              "max %.1f ms (%.1f ms without the restart backoff)" % (
                  statistics.median(total) / 1000, max(total) / 1000,
                  statistics.median(fwd) / 1000))
    if m:
        replayed, reconnects = int(m[-1][0]), int(m[-1][1])
        print("  requests replayed: %d over %d reconnections, %.1f per restart" % (
            replayed, reconnects, replayed / max(1, reconnects)))


def icount_figures():
    a, b = boot(ICOUNT[0]), boot(ICOUNT[1])
    print()
    print("qd 32 under -icount shift=0 (guest time = instructions; repeatable):")
    for tag, r in (("(a)", a), ("(b)", b)):
        print("  %s %8.0f IOPS in guest time, %6.0f guest instructions per I/O (all domains, "
              "boot included)" % (tag, r["iops"], r["insns"]))
        for name, (insns, exits) in sorted(r["domains"].items(), key=lambda d: -d[1][0]):
            print("      %-10s %6.0f instructions, %5.2f exits per I/O" % (name, insns, exits))
    print("  (a)/(b) IOPS in guest time: %.2f" % (a["iops"] / max(1e-9, b["iops"])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5,
                    help="rounds of the (a)/(b) table (0: only the restart and -icount figures)")
    ap.add_argument("--only", help="comma list of measurements by (b) name, e.g. disk_direct_rr32")
    ap.add_argument("--no-restart", action="store_true", help="skip the restart figures")
    ap.add_argument("--no-icount", action="store_true", help="skip the -icount qd 32 pair")
    ap.add_argument("--detail", action="store_true", help="run time and exit breakdown per boot")
    args = ap.parse_args()
    if args.rounds < 0:
        ap.error("--rounds must be 0 or more")
    rows = [r for r in ROWS if not args.only or r[1] in args.only.split(",")] if args.rounds else []
    res = {name: [] for _, b, a in rows for name in (a, b)}
    for rnd in range(args.rounds):
        for _, b, a in rows:            # (a) and (b) back to back, order alternating
            for name in ((a, b) if rnd % 2 == 0 else (b, a)):
                res[name].append(boot(name))
                if args.detail:
                    print("round %d %s: %s" % (rnd + 1, name, "; ".join(res[name][-1]["detail"])))
    if rows:
        table(rows, res, args.rounds)
    if not args.no_restart:
        restart_figures()
    if not args.no_icount:
        icount_figures()


def table(rows, res, rounds):
    print("bench-disk: QEMU nvme (raw file), TCG, %d rounds: median (min-max); exits and events "
          "per I/O, boot included" % rounds)
    print("%-30s %-4s %-26s %-24s %-20s %s" % ("measurement", "", "IOPS", "MB/s", "exits/I/O",
                                               "events/I/O"))
    for what, b, a in rows:
        for tag, name in (("(a)", a), ("(b)", b)):
            rs = res[name]
            print("%-30s %-4s %-26s %-24s %-20s %s" % (
                what, tag, fmt(med([r["iops"] for r in rs]), 0), fmt(med([r["mbps"] for r in rs]), 1),
                fmt(med([r["exits"] for r in rs]), 2), fmt(med([r["events"] for r in rs]), 2)))
        ratio = [ra["iops"] / max(1e-9, rb["iops"]) for ra, rb in zip(res[a], res[b])]
        print("%-30s (a)/(b) IOPS: %s" % (what, fmt(med(ratio), 2)))


if __name__ == "__main__":
    main()
