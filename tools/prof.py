#!/usr/bin/env python3
"""Where the guest's instructions go: boot one entry of tests/qemu/bench.conf
(or tests.conf) with the hypervisor's profiler on (prof=PERIOD_US) under
-icount shift=0, read its "hv: prof" lines, symbolise each sampled guest RIP
with the ELF symbols of the domain's image (build/guest/IMAGE.elf, nm) and
print, per domain, the functions and the components (source areas) with
their samples, share of the domain and estimated instructions per unit of
work. Under shift=0 one ns of guest time is one instruction, so a sample
every P us stands for P*1000 instructions.

    tools/prof.py net_dd_w32 net_direct_w32           boot both, one after the other
    tools/prof.py --per auto --count 10000 net_dd_w32 per echo (loadgen's echoed=),
                                                      10000 datagrams instead of the conf's
    tools/prof.py --log build/tests/X/serial.log      an existing log (no boot)

--per N divides by N; --per auto reads the unit from the run itself: echoes
(the load generator's echoed=) or I/Os (the bench line's ops=). Figures
include the boot and the end of the run (a few percent at most for the make
targets; see docs/bench.md). Run under the QEMU slot lock
(/work/wt/qrun) when sharing the machine; the output is Markdown, ready to
paste into docs/results/.
"""
import argparse
import bisect
import collections
import importlib.util
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")

# Source areas, first match wins (paths relative to the tree).
COMPONENTS = [
    ("driver-domains/e1000/", "e1000 driver"),
    ("backend/netback", "netback"),
    ("frontend/netfront", "netfront ring"),
    ("guest/net/", "IPv4/UDP stack + echo"),
    ("driver-domains/nvme/", "NVMe driver"),
    ("backend/blkback", "blkback"),
    ("frontend/blkfront", "blkfront ring"),
    ("frontend/diskverify", "workload (diskverify)"),
    ("guest/apps/diskverify", "workload (diskverify)"),
    ("driver-domains/diskself", "workload + main loop (diskself)"),
    ("guest/rt/", "runtime (events, HC_BLOCK wrappers)"),
    ("include/public/fastpage.h", "runtime (events, HC_BLOCK wrappers)"),
    ("lib/string", "libc (memcpy/memset)"),
    ("lib/", "libc (other)"),
    ("faultinject/", "fault-injection sites"),
    ("driver-domains/", "main loop (driver domain)"),
    ("guest/apps/", "main loop (client)"),
]


# Inlined from these, code counts for the function it is inlined into.
SHARED_HEADERS = ("include/public/ring.h", "include/public/io/")


def load_runner():
    spec = importlib.util.spec_from_file_location("ddhv_run", os.path.join(ROOT, "tests", "run.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def boot(name, conf, period, count, host_time=False):
    """Boot one conf entry with prof on under icount shift=0 (or in host time);
    its serial log text."""
    run = load_runner()
    tests = [t for t in run.qemu_tests(conf) if t.test == name]
    if not tests:
        sys.exit("prof: no entry %s in %s" % (name, conf))
    t = tests[0]
    t.hvtest = t.hvtest or t.test
    t.test = name + "_prof"             # its own build/tests/ folder
    t.icount = None if host_time else "0"
    keep = [a for a in (t.hvargs or "").split(",") if a and not a.startswith("prof=")]
    t.hvargs = ",".join(keep + ["prof=%d" % period])
    if count:
        t.load = [(ip, [a for a in args if not a.startswith("--count=")] + ["--count=%d" % count])
                  for ip, args in t.load]
    ok, why = run.run_qemu(t)
    wdir = os.path.join(BUILD, "tests", t.test)
    log = os.path.join(wdir, "serial.log")
    if not ok:
        sys.exit("prof: %s failed: %s" % (name, why))
    text = open(log, errors="replace").read()
    lg = os.path.join(wdir, "loadgen.log")
    if os.path.exists(lg):
        text += "\n" + open(lg, errors="replace").read()
    return text


class Profile:
    def __init__(self, name, image):
        self.name, self.image = name, image
        self.samples = self.dropped = self.rest = self.incarnations = 0
        self.rips = collections.Counter()


def parse(text):
    """The profiles in a log, per domain name (incarnations summed), the
    period in us and the total line's fields."""
    profs, period, total = collections.OrderedDict(), None, {}
    for line in text.splitlines():
        m = re.match(r"hv: prof (\S+) image=(\S+) samples=(\d+) period_us=(\d+) "
                     r"addresses=\d+ dropped=(\d+)", line)
        if m:
            p = profs.setdefault(m.group(1), Profile(m.group(1), m.group(2)))
            p.samples += int(m.group(3))
            p.dropped += int(m.group(5))
            p.incarnations += 1
            period = int(m.group(4))
            continue
        m = re.match(r"hv: prof (\S+) (0x[0-9a-f]+) (\d+)$", line)
        if m and m.group(1) in profs:
            profs[m.group(1)].rips[int(m.group(2), 16)] += int(m.group(3))
            continue
        m = re.match(r"hv: prof (\S+) rest (\d+)$", line)
        if m and m.group(1) in profs:
            profs[m.group(1)].rest += int(m.group(2))
            continue
        m = re.match(r"hv: prof total (.*)", line)
        if m:
            total = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}
    return profs, period, total


class Symbols:
    """Functions of one image: nm's sorted symbols with sizes and source files."""

    def __init__(self, elf):
        out = subprocess.run(["nm", "-n", "-S", "-l", "--defined-only", elf],
                             stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
        self.starts, self.syms = [], []
        for line in out.splitlines():
            src = ""
            if "\t" in line:
                line, src = line.split("\t", 1)
            f = line.split()
            if len(f) == 4:
                addr, size, kind, name = int(f[0], 16), int(f[1], 16), f[2], f[3]
            elif len(f) == 3:
                addr, size, kind, name = int(f[0], 16), 0, f[1], f[2]
            else:
                continue
            if kind not in "tTwW":
                continue
            src = src.rsplit(":", 1)[0]
            if src.startswith(ROOT + "/"):
                src = src[len(ROOT) + 1:]
            self.starts.append(addr)
            self.syms.append((addr, size, name, src))

    def lookup(self, rip):
        """(function, source file) holding rip: the sized symbol whose
        [start, start+size) holds it, else the nearest unsized label before
        it (assembly), else "?"."""
        i = bisect.bisect_right(self.starts, rip) - 1
        label = None
        for j in range(i, max(-1, i - 16), -1):
            addr, size, name, src = self.syms[j]
            if size and rip < addr + size:
                return name, src
            if not size and label is None:
                label = (name, src)
        return label or ("?", "")


def inline_frames(elf, rips):
    """rip -> [(function, source file)], innermost inlined frame first
    (addr2line -i over the image's debug information); {} without it."""
    if not rips:
        return {}
    r = subprocess.run(["addr2line", "-f", "-i", "-a", "-e", elf],
                       input="\n".join("0x%x" % x for x in rips) + "\n",
                       stdout=subprocess.PIPE, universal_newlines=True)
    frames, cur, lines = {}, None, r.stdout.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("0x"):
            cur = int(lines[i], 16)
            frames[cur] = []
            i += 1
            continue
        if cur is None or i + 1 >= len(lines):
            break
        fn, src = lines[i], lines[i + 1].rsplit(":", 1)[0]
        if src.startswith(ROOT + "/"):
            src = src[len(ROOT) + 1:]
        src = os.path.normpath(src) if src else src
        if fn != "??":
            frames[cur].append((fn, src))
        i += 2
    return frames


def component(src):
    for prefix, what in COMPONENTS:
        if src.startswith(prefix):
            return what
    return "other"


def units_from(text, per):
    """(number, what) to divide by: --per N, or auto from the run's own lines."""
    if per and per != "auto":
        return float(per), "unit"
    echoed = [int(x) for x in re.findall(r"loadgen: .*?\becho(?:ed)?=(\d+)", text)]
    if echoed:
        return float(sum(echoed)), "echo"
    ops = re.findall(r": bench \S+ bs \d+ qd \d+: ops=(\d+)", text)
    if ops:
        return float(sum(int(x) for x in ops)), "I/O"
    return None, None


def cross_check(text, name, n, unit):
    """The scheduler's own count of the domain's time in guest mode (the
    hvtest's run_us: VMRUN to #VMEXIT, so the entry/exit path is in it), per
    unit: under shift=0 it should be close to the samples' estimate."""
    m = (re.search(r"hvtest: guesttime %s: run_us=(\d+)" % re.escape(name), text) or
         re.search(r"hvtest: counters %s: .* run_us (\d+)" % re.escape(name), text))
    if not m or not n:
        return ""
    return " (the scheduler's guest-mode time: %.0f ns per %s)" % (int(m.group(1)) * 1000 / n, unit)


def report(label, text, per, top, out, inline=True, host_time=False):
    profs, period, total = parse(text)
    if not profs:
        sys.exit("prof: %s: no 'hv: prof' lines (was prof= on?)" % label)
    n, unit = units_from(text, per) if per else (None, None)
    insn = period * 1000                 # instructions a sample stands for (shift=0)
    w = out.write
    iw = "host ns" if host_time else "instructions"
    iu = "ns" if host_time else "insns"
    w("### %s\n\n" % label)
    if host_time:
        w("One sample every %d us of host time in guest mode (no -icount): a domain's figures are "
          "host ns, the device emulation its instructions set off included. " % period)
    else:
        w("One sample every %d us of guest time under -icount shift=0 = %d instructions. " % (period, insn))
    if n:
        w("Per %s: %d %s in the run (boot included in the samples).\n\n" % (
            unit, n, {"echo": "echoes", "I/O": "I/Os"}.get(unit, "units")))
    else:
        w("\n\n")
    def per_unit(c):
        return ("%.0f" % (c * insn / n)) if n else "-"

    for p in profs.values():
        elf = os.path.join(BUILD, "guest", p.image + ".elf")
        syms = Symbols(elf) if os.path.exists(elf) else None
        funcs, comps = collections.Counter(), collections.Counter()
        where = {}
        frames = inline_frames(elf, list(p.rips)) if syms and inline else {}
        for rip, c in p.rips.items():
            fn, src = syms.lookup(rip) if syms else ("0x%x" % rip, "")
            inner = frames.get(rip)
            comp = component(src)
            if inner and inner[0][0] != fn:
                # Code inlined into fn, named where it was written. Runtime
                # and libc inlines count as theirs; the shared ring and
                # protocol headers count for the code that uses them.
                key = "%s (in %s)" % (inner[0][0], fn)
                src = inner[0][1]
                if not src.startswith(SHARED_HEADERS):
                    comp = component(src)
            else:
                key = fn
            funcs[key] += c
            where[key] = (src, comp)
            comps[comp] += c
        if p.rest or p.dropped:
            comps["(not listed: dropped or beyond prof_top)"] += p.rest + p.dropped
        w("**%s** (image %s%s): %d samples, %s %s per %s%s\n\n" % (
            p.name, p.image, ", %d incarnations" % p.incarnations if p.incarnations > 1 else "",
            p.samples, per_unit(p.samples), iw, unit or "unit", cross_check(text, p.name, n, unit)))
        w("| component | samples | %% of domain | %s/%s |\n|---|---:|---:|---:|\n" % (iu, unit or "unit"))
        for what, c in comps.most_common():
            w("| %s | %d | %.1f | %s |\n" % (what, c, 100.0 * c / p.samples, per_unit(c)))
        w("\n| function | source | component | samples | %% of domain | %s/%s |\n"
          "|---|---|---|---:|---:|---:|\n" % (iu, unit or "unit"))
        for fn, c in funcs.most_common(top):
            w("| %s | %s | %s | %d | %.1f | %s |\n" % (
                fn, where[fn][0] or "?", where[fn][1], c, 100.0 * c / p.samples, per_unit(c)))
        if len(funcs) > top:
            rest = sum(c for _, c in funcs.most_common()[top:])
            w("| (%d more functions) | | | %d | %.1f | %s |\n" % (
                len(funcs) - top, rest, 100.0 * rest / p.samples, per_unit(rest)))
        w("\n")
    if total:
        g, h, i = total.get("guest", 0), total.get("hypervisor", 0), total.get("idle", 0)
        w("All domains: %d samples in guests (%s %s per %s); the hypervisor's own "
          "work %d samples (%s %s per %s: exits, scheduling, its console); idle %d "
          "(halted, waiting for the host).\n\n" % (
              g, per_unit(g), iw, unit or "unit", h, per_unit(h), iw, unit or "unit", i))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="entries of the conf to boot")
    ap.add_argument("--conf", default="bench", help="bench, tests, or a path (default bench)")
    ap.add_argument("--period", type=int, default=100, help="us between samples (default 100)")
    ap.add_argument("--per", default=None, help="N, or auto (echoes / I/Os of the run)")
    ap.add_argument("--count", type=int, default=0, help="loadgen --count instead of the conf's")
    ap.add_argument("--top", type=int, default=25, help="functions listed per domain")
    ap.add_argument("--no-inline", action="store_true",
                    help="charge inlined code to the function it is inlined into")
    ap.add_argument("--host-time", action="store_true",
                    help="sample host time in guest mode, not instructions (no -icount): where the "
                         "emulator's time goes, device emulation charged to the guest code that set it off")
    ap.add_argument("--log", action="append", default=[], help="analyse this serial log instead")
    a = ap.parse_args()
    conf = {"bench": os.path.join(ROOT, "tests", "qemu", "bench.conf"),
            "tests": os.path.join(ROOT, "tests", "qemu", "tests.conf")}.get(a.conf, a.conf)
    if not a.names and not a.log:
        ap.error("name an entry to boot or give --log")
    for log in a.log:
        text = open(log, errors="replace").read()
        lg = os.path.join(os.path.dirname(log), "loadgen.log")     # tests/run.py keeps it there
        if os.path.exists(lg) and "loadgen:" not in text:
            text += "\n" + open(lg, errors="replace").read()
        report(log, text, a.per, a.top, sys.stdout, not a.no_inline, a.host_time)
    for name in a.names:
        text = boot(name, conf, a.period, a.count, a.host_time)
        report("%s (prof=%d, %s%s)" % (
            name, a.period, "host time" if a.host_time else "-icount shift=0",
            ", loadgen --count=%d" % a.count if a.count else ""),
            text, a.per, a.top, sys.stdout, not a.no_inline, a.host_time)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
