#!/usr/bin/env python3
"""Fault-injection campaign against a driver domain (docs/design.md, "Fault
injection"; interfaces in docs/faultinject.md section 4).

    tools/campaign.py --target nic --n 1000 --seed 1 -j 2 --out build/campaign/nic-1
    tools/campaign.py ... --resume              continue: skip the faults in faults.csv
    tools/campaign.py ... --only-fault ID       replay exactly one fault, alone in a boot
    tools/campaign.py ... --slurm [--shards S]  the same campaign as a Slurm job array

The faults come from build/tools/fimut (same seed, same faults). K of them go
into one boot (--faults-per-boot), fault i of the boot into driver generation
i: the hypervisor applies each when its generation has made `after` exits and
restarts the driver after a quiet period when it survives (docs/faultinject.md section 2),
so a boot tests K faults. Boots run through tests/run.py's machinery, J at a
time. The load generator runs for the whole boot, cut into one run per driver
generation (label genG) so that each fault's losses are its own. Each fault
gets one outcome (tools/faultinject/classify.py) and one row in faults.csv;
summary.json, report.md and the plots are rebuilt at the end.

With --slurm the fault list is cut into S ranges of whole boots, one Slurm
array task each (campaign.py --range A:B into OUT/shards/tNNNN), and the
shards are merged into the same outputs (tools/faultinject/slurm.py).
"""
import argparse
import concurrent.futures
import hashlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tools", "faultinject"))
import classify  # noqa: E402
import identity  # noqa: E402  tools/faultinject/identity.py
import report  # noqa: E402
import slurm  # noqa: E402  tools/faultinject/slurm.py
import run as testrun  # noqa: E402  tests/run.py

# What each target boots: the scenario (tests/qemu/NAME.scn), the in-hypervisor
# test that runs it (tests/hv/test_fi.c), the faulted domain and its image, and
# the workload: the host's load generator against a udpecho client (client_ip),
# or none from the host (disk: the diskverify client in the scenario judges
# itself, per driver generation, in its "diskverify: window" lines).
TARGETS = {
    "nic": {"scenario": "fi_nic", "hvtest": "fi_nic", "driver": "netdd", "image": "netdd",
            "devices": "nic_disk", "client_ip": "10.0.2.15"},
    "disk": {"scenario": "fi_disk", "hvtest": "fi_disk", "driver": "diskdd", "image": "diskdd",
             "devices": "nic_disk", "client_ip": None},
}
# Client faults (docs/faultinject.md, CHANGE fclient): the site types of a
# misbehaving client (names with the prefix) that fimut finds in the client's
# image, injected into that client domain's one generation, one fault per boot.
CLIENTS = {
    "nic": {"image": "udpecho", "domain": "client1", "prefix": "cl_"},
}
ALL_TYPES = "all"               # every type fimut --list-types offers for the ELF, but:
# Types left out of "all" because the platform, not the system under test,
# decides their outcome (name them in --types to run them anyway).
PLATFORM_LIMITED = {
    "dma_irqwin": "resets the whole QEMU machine: QEMU 7.2's VT-d passes a DMA write "
                  "into the interrupt window on as compatibility-format interrupts (one of "
                  "them INIT) although CFI is clear (docs/design.md, \"Containment limits "
                  "under QEMU\")",
}
MAX_PLAN = 64                   # docs/faultinject.md section 1
FIMUT_MAX = 1000                # fimut --count limit (gen-start + count - 1 <= 1000)
SEG_COUNT = 500000              # datagrams a load segment may send (bounds loadgen's arrays)
_RECOVERED = re.compile(r"^hv: restart (\S+) #\d+ \(generation (\d+)\): failure detected .*"
                        r"first packet forwarded")
_CRASHED = re.compile(r"^hv: domain \d+ \((\S+)\) crashed: ")


def fimut_types(target, image=None):
    """The fault types fimut can make for the target's image (or another), in its order:
    the code types with eligible instructions, then the site types the ELF has (fimut
    --list-types --elf: the one place the type list comes from)."""
    cmd = [os.path.join(testrun.BUILD, "tools", "fimut"), "--list-types",
           "--elf", os.path.join(testrun.BUILD, "guest", (image or target["image"]) + ".elf")]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode:
        sys.exit("campaign: %s failed:\n%s" % (" ".join(cmd), r.stderr))
    out = []
    for line in r.stdout.splitlines():
        w = line.split()
        if len(w) >= 2 and w[1].isdigit() and int(w[1]) > 0:
            out.append(w[0])
    return out


def check_types(a, target):
    """--types names only types fimut offers for this image (else exit with the list)."""
    if a.types == ALL_TYPES:
        return
    have = fimut_types(target) + client_types(a, target)
    bad = [t for t in a.types.split(",") if t not in have]
    if bad:
        sys.exit("campaign: unknown fault types: %s (for %s: %s)" %
                 (",".join(bad), target["image"], ",".join(have)))


def fimut_faults(a, target, lo=0, hi=None):
    """The campaign's fimut faults lo..hi-1 (all n by default), from build/tools/fimut
    (docs/faultinject.md section 3): fault k depends only on the seed, the types and k,
    so a range is generated alone, in calls of at most FIMUT_MAX faults. The
    generation numbers are placeholders (a boot sets them)."""
    check_types(a, target)
    types = a.types
    if types == ALL_TYPES:
        types = ",".join([t for t in fimut_types(target) if t not in PLATFORM_LIMITED] +
                         client_types(a, target))
    hi = a.n if hi is None else hi
    if set(types.split(",")) & set(client_types(a, target)):
        return merged_faults(a, target, types.split(","), lo, hi)
    out = []
    for start in range(lo, hi, FIMUT_MAX):
        out += run_fimut(a, target["image"], target["driver"], types, start,
                         min(FIMUT_MAX, hi - start))
    return out


def run_fimut(a, image, domain, types, start, count):
    """fimut's faults start..start+count-1 of 'types' on build/guest/IMAGE.elf, into
    'domain' (generation placeholders from 1), parsed; the campaign ends if fimut fails."""
    cmd = [os.path.join(testrun.BUILD, "tools", "fimut"),
           "--elf", os.path.join(testrun.BUILD, "guest", image + ".elf"),
           "--seed", str(a.seed), "--id-start", str(start),
           "--count", str(count), "--types", types,
           "--domain", domain, "--gen-start", "1"]
    if a.after is not None:
        cmd += ["--after", str(a.after)]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode:
        sys.exit("campaign: %s failed:\n%s" % (" ".join(cmd), r.stderr))
    return [f for f in map(classify.parse_plan_line, r.stdout.splitlines()) if f]


def client_types(a, target):
    """The client fault types of the target (CLIENTS), in fimut's order; [] if it has none."""
    c = CLIENTS.get(a.target)
    if not c:
        return []
    return [t for t in fimut_types(target, c["image"]) if t.startswith(c["prefix"])]


def merged_faults(a, target, types, lo, hi):
    """Faults lo..hi-1 of a type list T that holds client types. Fault k has type
    T[k mod |T|] (as fimut's own rule) and is fimut's fault k of that single type on that
    type's image: the driver's, in the driver domain, or the client's, in the client
    domain. fimut's fault k depends only on (ELF, seed, its type, k), so a driver fault
    is the same fault as in a campaign without client types whenever its type at k is."""
    cl = CLIENTS[a.target]
    ctypes = set(client_types(a, target))
    out = []
    for i, t in enumerate(types):
        want = set(range(lo + (i - lo) % len(types), hi, len(types)))
        if not want:
            continue
        image, dom = (cl["image"], cl["domain"]) if t in ctypes else (target["image"],
                                                                      target["driver"])
        for start in range(min(want), max(want) + 1, FIMUT_MAX):
            out += [f for f in run_fimut(a, image, dom, t, start,
                                         min(FIMUT_MAX, max(want) + 1 - start))
                    if f.id in want]
    return sorted(out, key=lambda f: f.id)


def boot_groups(faults, k):
    """Boots for faults, in order: each run of k faults (k positions, as without client
    faults, so a Slurm range that starts at a multiple of k groups as a local run does)
    gives one boot of its driver faults (the i-th into driver generation i+1) and one
    boot per client fault (its domain is never restarted: it has one generation)."""
    groups = []
    for i in range(0, len(faults), k):
        run = faults[i:i + k]
        drv = [f for f in run if not classify.is_client_fault(f)]
        groups += ([drv] if drv else []) + [[f] for f in run if classify.is_client_fault(f)]
    return groups


def extra_faults(a, target):
    """The --add-fault lines, with symbols resolved against the built images."""
    out = []
    for line in a.add_fault:
        text = testrun.plan_symbols(line)
        f = classify.parse_plan_line(text) if text else None
        if not f:
            sys.exit("campaign: --add-fault %r: not a fault line (or an unknown symbol)" % line)
        out.append(f)
    return out


class Segments:
    """The load for one boot: one tools/loadgen run per driver generation,
    cut when the console says a restarted generation forwarded its first
    packet (that restart ends the previous generation's window)."""

    def __init__(self, driver, stall_s, grace_s):
        self.port = self.quit = None
        self.driver, self.stall_s, self.grace_s = driver, stall_s, grace_s
        self.outputs = []

    def start(self, gen, deadline):
        left = str(max(5, int(deadline - time.time())))
        cmd = [os.path.join(testrun.BUILD, "tools", "loadgen"), "--port", str(self.port),
               "--label", "gen%d" % gen, "--count", str(SEG_COUNT), "--size", "256",
               "--timeout-ms", str(classify.LOADGEN_TIMEOUT_MS), "--max-seconds", left, "--warmup-seconds", left,
               "--max-lost", str(SEG_COUNT)]   # losses are judged by the classifier
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True)

    def stop(self, p):
        """SIGUSR1 (repeated: one may land just before loadgen's poll), then its output."""
        for _ in range(20):
            if p.poll() is not None:
                break
            p.send_signal(signal.SIGUSR1)
            try:
                p.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
        if p.poll() is None:
            p.kill()
        out, _ = p.communicate()
        self.outputs.append(out)

    def send_quit(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as so:
            for _ in range(3):
                so.sendto(b"quit", ("127.0.0.1", self.quit))
                time.sleep(0.05)

    def __call__(self, plan, log, deadline):
        """tests/run.py's drive_load: runs while QEMU boots; (ok, output)."""
        self.port, self.quit = plan[0]["port"], plan[0]["quit"]     # QEMU's forwards
        cur = self.start(1, deadline)
        pos, buf, done_at, last_news = 0, "", None, time.time()
        crashes = recoveries = 0
        finished = False
        while not finished and time.time() < deadline:
            time.sleep(0.05)
            try:
                with open(log, errors="replace") as f:
                    f.seek(pos)
                    chunk = f.read()
                    pos = f.tell()
            except FileNotFoundError:
                continue
            buf += chunk
            lines = buf.split("\n")
            buf = lines.pop()
            for raw in lines:
                line = classify.clean(raw)
                if line.startswith(("fi:", "hv:")):
                    last_news = time.time()
                m = _RECOVERED.match(line)
                if m and m.group(1) == self.driver:
                    recoveries += 1
                    nxt = self.start(int(m.group(2)), deadline)
                    self.stop(cur)
                    cur = nxt
                m = _CRASHED.match(line)
                if m and m.group(1) == self.driver:
                    crashes += 1
                if line.startswith("fi: plan done") and done_at is None:
                    done_at = time.time()
                if (line.startswith("HV-RESULT:") or line.startswith("hv: PANIC") or
                        line.startswith("hv: %s given up" % self.driver) or
                        line.startswith("hv: restart of %s failed" % self.driver)):
                    finished = True
            if done_at is not None and (recoveries >= crashes or
                                        time.time() - done_at > self.grace_s):
                finished = True
            if time.time() - last_news > self.stall_s:
                finished = True     # no progress: a driver hung for good, or worse
        self.stop(cur)
        self.send_quit()
        return True, "".join(self.outputs)


def image_digest(target):
    """sha256 of the faulted image's ELF: the faults' addresses and bytes come from it."""
    path = os.path.join(testrun.BUILD, "guest", target["image"] + ".elf")
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def boot_target(a, target):
    """The default boot function: (faults of one boot, its directory) -> console text.
    A rebuild of the image during the campaign (the boots take it from the build
    folder) would put every later fault at addresses of another binary: it
    stops the campaign."""
    digest = image_digest(target)

    def boot(faults, wdir):
        if image_digest(target) != digest:
            raise SystemExit("campaign: %s.elf was rebuilt during the campaign; its fault "
                             "addresses no longer hold (the hypervisor would put site faults "
                             "at other sites). Rebuild the image the campaign started with "
                             "and --resume, or start a new campaign in another --out" %
                             target["image"])
        plan_path = os.path.join(wdir, "faultplan")
        with open(plan_path, "w") as f:
            f.write("# campaign seed %d\n" % a.seed)
            f.writelines(x.line() + "\n" for x in faults)
        timeout = a.boot_timeout or 60 + 40 * len(faults)
        t = testrun.Test("campaign/" + os.path.basename(wdir), "qemu",
                         test=os.path.basename(wdir), scenario=target["scenario"], mangle="",
                         expect="PASS", mode="test", timeout=str(timeout), cpu=None, mem=None,
                         grep=[], devices=target["devices"],
                         load=[(target["client_ip"], [])] if target["client_ip"] else [],
                         icount=None, hvtest=target["hvtest"], faultplan=os.path.abspath(plan_path),
                         cmdline="fi_quiet_ms=%d" % a.quiet_ms if a.quiet_ms else "")
        iso, err = testrun.prepare_iso(t, wdir)
        if not iso:
            return "campaign: boot not prepared: " + err
        seg = Segments(target["driver"], a.stall_seconds, 15) if target["client_ip"] else None
        rc, out, qout, _, _ = testrun.boot(t, wdir, iso, drive_load=seg)
        os.unlink(iso)
        if rc is None:
            out += "\ncampaign: %s\n" % qout
        return out
    return boot


def fault_args(a):
    """--after, --quiet-ms and the --add-fault lines as given: options that a replay
    command and a Slurm task's command both pass on."""
    cmd = []
    if a.after is not None:
        cmd += ["--after", str(a.after)]
    if a.quiet_ms:
        cmd += ["--quiet-ms", str(a.quiet_ms)]
    for line in a.add_fault:
        cmd += ["--add-fault", line]
    return cmd


def replay_command(a, fid):
    cmd = ["python3", "tools/campaign.py", "--target", a.target, "--n", str(a.n), "--types",
           a.types, "--seed", str(a.seed)] + fault_args(a)
    cmd += ["--bound", str(a.bound), "--stall-ms", str(a.stall_ms), "--only-fault", str(fid),
            "--out", os.path.join(a.out, "replay-%d" % fid)]
    return " ".join(shlex.quote(c) for c in cmd)


def rows_for(a, faults, console, driver):
    """CSV rows for one boot's faults; faults the boot never reached are left out."""
    outcomes = classify.classify(console, faults, driver=driver, bound=a.bound,
                                 stall_ms=a.stall_ms)
    rows, again = [], []
    for f in faults:
        o = outcomes[f.id]
        if o.untried and o.outcome == "not_activated":
            again.append(f)
            continue
        rows.append({"seed": a.seed, "id": f.id, "type": f.type, "addr": f.addr,
                     "orig": f.orig, "new": f.new, "trigger": "after=%d exits" % f.after,
                     "activated": "yes" if o.activated else "no", "outcome": o.outcome,
                     "recovery_ms": "" if o.recovery_ms is None else "%.3f" % o.recovery_ms,
                     "replay": replay_command(a, f.id), "detail": o.why})
    return rows, again


class Progress:
    """One line: bar, faults done of total, boots (or Slurm tasks) running, faults/hour, ETA."""

    def __init__(self, total, done, out, unit="boots"):
        self.total, self.done0, self.done, self.t0, self.out = total, done, done, time.time(), out
        self.unit = unit
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.shown = (None, 0.0)

    def line(self, running):
        dt = time.time() - self.t0
        new = self.done - self.done0
        rate = new / dt * 3600 if dt > 0 and new else 0.0
        left = self.total - self.done
        eta = "%dh%02dm" % divmod(int(left / rate * 60), 60) if rate else "?"
        w = 30
        fill = int(w * self.done / self.total) if self.total else w
        return "[%s%s] %d/%d faults  %d %s running  %.0f faults/h  ETA %s" % (
            "#" * fill, "." * (w - fill), self.done, self.total, running, self.unit, rate, eta)

    def show(self, running, final=False):
        text = self.line(running)
        if self.tty:
            self.out.write("\r" + text + ("\n" if final else "\033[K"))
        elif final or self.done != self.shown[0] or time.time() - self.shown[1] > 60:
            self.out.write(text + "\n")    # a log, not a terminal: a line per change
            self.shown = (self.done, time.time())
        self.out.flush()


def run_campaign(a, faults, boot, driver, progress_out=None):
    """Boot the faults not yet in a.out/faults.csv, K per boot, J boots at a time;
    returns the summary. boot(faults, wdir) -> console text (injectable for tests).
    A Slurm task writes into its --shard-dir instead of a.out (replay commands
    still name a.out)."""
    wd = getattr(a, "shard_dir", None) or a.out
    os.makedirs(wd, exist_ok=True)
    csv_path = os.path.join(wd, "faults.csv")
    if not a.resume and not a.only_fault and os.path.exists(csv_path):
        sys.exit("campaign: %s exists; use --resume to continue it, or another --out" % csv_path)
    k = max(1, min(a.faults_per_boot, MAX_PLAN))
    why = identity.check(wd, identity.of(a, k), "shard" if getattr(a, "shard_dir", None)
                         else "local")
    if why:
        sys.exit("campaign: " + why)
    ids = [f.id for f in faults]
    if len(set(ids)) != len(ids):
        sys.exit("campaign: fault ids are not unique")
    done = {int(r["id"]) for r in report.read_rows(csv_path)}
    todo = [f for f in faults if f.id not in done]
    tries = {}
    prog = Progress(len(faults), len(faults) - len(todo), progress_out or sys.stderr)
    lock = threading.Lock()
    running = [0]

    def one(group):
        plan = [f.with_gen(i + 1) for i, f in enumerate(group)]
        wdir = os.path.join(wd, "boots", "b%06d" % group[0].id)
        os.makedirs(wdir, exist_ok=True)
        with lock:
            running[0] += 1
        try:
            console = boot(plan, wdir)
        finally:
            with lock:
                running[0] -= 1
        with open(os.path.join(wdir, "console.txt"), "w") as f:
            f.write(console)
        return plan, console

    queue = boot_groups(todo, k)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.j)) as ex:
        pending = set()
        while queue or pending:
            while queue and len(pending) < max(1, a.j):
                pending.add(ex.submit(one, queue.pop(0)))
            fin, pending = concurrent.futures.wait(
                pending, return_when=concurrent.futures.FIRST_COMPLETED, timeout=5)
            for fu in fin:
                plan, console = fu.result()
                rows, again = rows_for(a, plan, console, driver)
                # Faults a boot never reached go again, alone first (twice at most).
                retry = []
                for f in again:
                    tries[f.id] = tries.get(f.id, 0) + 1
                    if tries[f.id] > 2:
                        o = classify.Outcome("not_activated", False, None,
                                             "never applied in %d boots" % tries[f.id])
                        rows += rows_for_outcome(a, f, o)
                    else:
                        retry.append(f)
                if retry:
                    queue += boot_groups(retry, len(retry))
                report.append_rows(csv_path, rows)
                prog.done += len(rows)
            prog.show(running[0])
    prog.show(0, final=True)
    return report.write_report(wd, title(a))


def title(a):
    return "Fault-injection campaign: target %s, seed %d" % (a.target, a.seed)


def rows_for_outcome(a, f, o):
    return [{"seed": a.seed, "id": f.id, "type": f.type, "addr": f.addr, "orig": f.orig,
             "new": f.new, "trigger": "after=%d exits" % f.after, "activated": "no",
             "outcome": o.outcome, "recovery_ms": "", "replay": replay_command(a, f.id),
             "detail": o.why}]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", default="nic", choices=sorted(TARGETS))
    ap.add_argument("--n", type=int, default=100, help="faults in the campaign")
    ap.add_argument("--types", default=ALL_TYPES,
                    help="comma list of fault types, or 'all' (default: every type "
                         "build/tools/fimut --list-types --elf IMAGE offers: code and site faults)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-j", type=int, default=2, help="boots at a time")
    ap.add_argument("--out", default=None, help="results folder (default build/campaign/TARGET-SEED)")
    ap.add_argument("--faults-per-boot", type=int, default=8, help="K: faults per boot (1..64)")
    ap.add_argument("--resume", action="store_true", help="skip the faults already in faults.csv")
    ap.add_argument("--only-fault", type=int, default=None, help="replay this fault id alone")
    ap.add_argument("--add-fault", action="append", default=[], metavar="LINE",
                    help="one more fault, a plan line ('fault id=...'; @IMAGE:SYMBOL@ "
                         "stands for a symbol's address), e.g. a known crash")
    ap.add_argument("--after", type=int, default=2000,
                    help="fimut --after: trigger, in the generation's VM exits (default 2000: "
                         "each generation serves traffic before its fault, so the previous "
                         "fault's recovery is seen; 0 also hits initialisation)")
    ap.add_argument("--quiet-ms", type=int, default=1000,
                    help="hypervisor fi_quiet_ms=: driver run time before the next fault "
                         "(default 1000: long enough for a site on the traffic path to be "
                         "reached, 300 is not; the hypervisor's own default is 2000)")
    ap.add_argument("--bound", type=int, default=20,
                    help="datagrams a restart may lose and stay transparent")
    ap.add_argument("--stall-ms", type=float, default=1000.0,
                    help="longest outage or bystander pause that stays transparent")
    ap.add_argument("--stall-seconds", type=float, default=90.0,
                    help="end a boot when its console is silent this long (host time)")
    ap.add_argument("--boot-timeout", type=float, default=None,
                    help="seconds per boot (default 60 + 40 per fault)")
    ap.add_argument("--range", default=None, metavar="A:B", type=parse_range,
                    help="only the faults at positions A..B-1 of the campaign's list (fimut's "
                         "n faults, then the --add-fault lines): what one Slurm task runs")
    ap.add_argument("--shard-dir", default=None, metavar="DIR",
                    help="write this run's results into DIR, not --out (set by --slurm's job "
                         "script; replay commands still name --out)")
    sl = ap.add_argument_group("Slurm (the same campaign as a job array, merged into "
                               "--out)")
    sl.add_argument("--slurm", action="store_true",
                    help="shard the campaign into a Slurm job array, wait for it, merge")
    sl.add_argument("--shards", type=int, default=None,
                    help="array tasks, 1..%d (default: J boots' worth of faults per task, "
                         "at most %d)" % (slurm.MAX_SHARDS, slurm.MAX_SHARDS))
    sl.add_argument("--partition", default=None, help="sbatch --partition")
    sl.add_argument("--throttle", type=int, default=None,
                    help="at most this many array tasks at once (sbatch --array=...%%N)")
    sl.add_argument("--slurm-extra", default=None, metavar="ARGS",
                    help="more sbatch options, one string (e.g. '--time=2:00:00 --mem=4G')")
    sl.add_argument("--poll-seconds", type=float, default=5.0,
                    help="how often to ask squeue whether the array is done")
    a = ap.parse_args(argv)
    if a.slurm and (a.only_fault is not None or a.range or a.shard_dir):
        ap.error("--slurm runs the whole campaign (a replay or a range runs locally)")
    if a.shards is not None and not 1 <= a.shards <= slurm.MAX_SHARDS:
        ap.error("--shards must be 1..%d (array indices below Slurm's default MaxArraySize)"
                 % slurm.MAX_SHARDS)
    if a.out is None:
        a.out = os.path.join("build", "campaign", "%s-%d" % (a.target, a.seed))
    if not re.fullmatch(r"all|[a-z0-9_]+(,[a-z0-9_]+)*", a.types):
        ap.error("--types: a comma list of type names, or all")
    return a


def parse_range(text):
    m = re.match(r"^(\d+):(\d+)$", text)
    if not m or int(m.group(1)) >= int(m.group(2)):
        raise argparse.ArgumentTypeError("want A:B with A < B, got %r" % text)
    return int(m.group(1)), int(m.group(2))


def campaign_faults(a, target, gen_faults, lo, hi):
    """The faults at positions lo..hi-1 of the campaign's list: fimut's n (position k
    is fimut's fault k), then the --add-fault lines."""
    extras = extra_faults(a, target)
    hi = min(hi, a.n + len(extras))
    out = gen_faults(a, target, lo, min(hi, a.n)) if lo < min(hi, a.n) else []
    return out + extras[max(0, lo - a.n):max(0, hi - a.n)]


def shared_args(a):
    """The options that define the campaign and its boots, for a Slurm task's command."""
    cmd = ["--target", a.target, "--n", str(a.n), "--types", a.types, "--seed", str(a.seed),
           "-j", str(a.j), "--faults-per-boot", str(a.faults_per_boot)] + fault_args(a)
    cmd += ["--bound", str(a.bound), "--stall-ms", str(a.stall_ms),
            "--stall-seconds", str(a.stall_seconds)]
    if a.boot_timeout:
        cmd += ["--boot-timeout", str(a.boot_timeout)]
    return cmd + ["--out", a.out]


def main_slurm(a, target):
    """--slurm: the same campaign as a job array (tools/faultinject/slurm.py)."""
    ids = list(range(a.n)) + [f.id for f in extra_faults(a, target)]
    if len(set(ids)) != len(ids):
        sys.exit("campaign: fault ids are not unique (--add-fault ids collide with fimut's)")
    task = [sys.executable, os.path.join(ROOT, "tools", "campaign.py")] + shared_args(a)
    again = ["python3", "tools/campaign.py"] + shared_args(a) + ["--slurm", "--resume"]
    for opt in ("shards", "partition", "throttle", "slurm_extra", "poll_seconds"):
        if getattr(a, opt) and (opt != "poll_seconds" or a.poll_seconds != 5.0):
            again += ["--" + opt.replace("_", "-"), str(getattr(a, opt))]
    return slurm.run(a, ids, task, title(a), Progress,
                     " ".join(shlex.quote(c) for c in again))


def main_local(a, target, gen_faults, boot):
    if a.only_fault is not None:
        # Fault k of fimut sits at position k; an --add-fault one after them.
        faults = [f for f in campaign_faults(a, target, gen_faults, a.only_fault,
                                             a.only_fault + 1) if f.id == a.only_fault]
        if not faults:
            faults = [f for f in campaign_faults(a, target, gen_faults, 0, 1 << 62)
                      if f.id == a.only_fault]
        if not faults:
            sys.exit("campaign: no fault %d in this campaign (same --n/--types/--seed?)" %
                     a.only_fault)
        a.faults_per_boot, a.resume = 1, True
    else:
        lo, hi = a.range or (0, 1 << 62)
        faults = campaign_faults(a, target, gen_faults, lo, hi)
        if not faults:
            sys.exit("campaign: --range %d:%d holds no fault of this campaign" % (lo, hi))
        if len({f.id for f in faults}) != len(faults):
            sys.exit("campaign: fault ids are not unique (--add-fault ids collide with fimut's)")
    return run_campaign(a, faults, boot or boot_target(a, target), target["driver"])


def note_left_out(path):
    """Say in the report and on the terminal which types "all" left out, and why."""
    lines = ["- `%s` left out of `--types all`: %s." % (t, why)
             for t, why in sorted(PLATFORM_LIMITED.items())]
    if os.path.exists(path):
        with open(path, "a") as f:
            f.write("\n## Types left out\n\n" + "\n".join(lines) + "\n")
    for line in lines:
        print(line.lstrip("- "))


def main(argv=None, gen_faults=fimut_faults, boot=None):
    a = parse_args(argv)
    target = TARGETS[a.target]
    s = main_slurm(a, target) if a.slurm else main_local(a, target, gen_faults, boot)
    out = a.shard_dir or a.out
    if a.types == ALL_TYPES:
        note_left_out(os.path.join(out, "report.md"))
    print(report.table(s))
    print("report: %s" % os.path.join(out, "report.md"))
    for x in s["replay"]:
        print("%s fault %d: %s" % (x["outcome"], x["id"], x["command"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
