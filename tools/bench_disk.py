#!/usr/bin/env python3
"""make bench-disk: boot the disk benchmark scenarios of tests/qemu/bench.conf
one at a time and print IOPS, MB/s, VM exits and events per I/O.

    (a) disk_dd_*: a client VM behind the disk driver domain (diskverify
        bench=... over blkfront; diskdd: blkback and the NVMe driver)
    (b) disk_direct_*: the NVMe driver and the workload in one domain that
        owns the device (driver-domains/diskself.c bench=...)
Figures are host-timed (hv_time() under TCG) in this run only; exits and
events are the hypervisor's counters for every domain, boot included.
Rows for (a) (a client behind the disk driver domain) are added to ROWS with
their bench.conf names; ratios (a)/(b) are printed for every pair present.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = [sys.executable, os.path.join(ROOT, "tests", "run.py"), "--conf",
       os.path.join(ROOT, "tests", "qemu", "bench.conf"), "--qemu-only", "-j", "1"]
# (measurement, bench.conf name of (b), of (a) or None)
ROWS = [
    ("4 KiB random read, qd 1", "disk_direct_rr1", "disk_dd_rr1"),
    ("4 KiB random read, qd 32", "disk_direct_rr32", "disk_dd_rr32"),
    ("64 KiB sequential read, qd 8", "disk_direct_sr", "disk_dd_sr"),
    ("64 KiB sequential write, qd 8", "disk_direct_sw", "disk_dd_sw"),
]


def boot(name):
    """Run one bench.conf entry: its bench line (key=value) and counters."""
    r = subprocess.run(RUN + ["--only", name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if r.returncode:
        print(r.stdout[-4000:])
        sys.exit("bench-disk: %s failed" % name)
    with open(os.path.join(ROOT, "build", "tests", name, "serial.log"), errors="replace") as f:
        log = f.read()
    m = re.search(r"bench \S+ bs \d+ qd \d+: (.*)", log)
    if not m:
        sys.exit("bench-disk: %s printed no bench line" % name)
    fig = dict(re.findall(r"(\w+)=(\S+)", m.group(1)))
    exits = events = 0
    for c in re.finditer(r"hvtest: counters \S+: exits (\d+) hypercalls \d+ events_sent \d+ "
                         r"events_received (\d+)", log):
        exits += int(c.group(1))
        events += int(c.group(2))
    ops = max(1, int(fig["ops"]))
    return {"iops": float(fig["iops"]), "mbps": float(fig["mbps"]),
            "exits": exits / ops, "events": events / ops, "failed": int(fig["failed"])}


def main():
    res = {}
    for _, b, a in ROWS:                    # (a) and (b) alternate
        for name in (a, b):
            if name:
                res[name] = boot(name)
    print("bench-disk: QEMU nvme (raw file), TCG; exits and events per I/O, boot included")
    print("%-32s %-4s %10s %9s %8s %8s" % ("measurement", "", "IOPS", "MB/s", "exits", "events"))
    for what, b, a in ROWS:
        for tag, name in (("(a)", a), ("(b)", b)):
            if name:
                r = res[name]
                print("%-32s %-4s %10.0f %9.1f %8.2f %8.2f" % (what, tag, r["iops"], r["mbps"],
                      r["exits"], r["events"]))
        if a:
            ra, rb = res[a], res[b]
            print("%-32s (a)/(b): IOPS %.2f, exits/I/O %.2f" % (
                what, ra["iops"] / max(1e-9, rb["iops"]), ra["exits"] / max(1e-9, rb["exits"])))


if __name__ == "__main__":
    main()
