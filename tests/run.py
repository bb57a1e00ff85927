#!/usr/bin/env python3
"""Test runner: host unit tests, then QEMU scenario tests (tests/qemu/tests.conf).

Each QEMU test boots a fresh machine from its own ISO, with the serial console
in a log file, and must print exactly one "HV-RESULT: STATUS ..." line and leave
through isa-debug-exit with the matching code. A missing result line (hang,
reset, crash) counts as a failure. Two QEMU instances run at a time.

    tests/run.py                 run everything
    tests/run.py --list          list test names
    tests/run.py --only NAME     run tests whose name matches NAME (comma list)
    tests/run.py --load          keep one host CPU busy throughout (make test LOAD=1)
"""
import argparse
import concurrent.futures
import copy
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
CONF = os.path.join(ROOT, "tests", "qemu", "tests.conf")
FUZZ_SECONDS = int(os.environ.get("FUZZ_SECONDS_IN_TEST", "8"))
SEEDS = os.path.join(ROOT, "tests", "fuzz", "seeds")
# Device sets a test can ask for with devices=NAME. intel-iommu comes first.
# @NETDEV@ becomes user networking with the test's UDP forwards (load=).
DEVICE_SETS = {
    "nic_disk": [
        "-device", "intel-iommu,intremap=on",
        "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1",
        "-netdev", "@NETDEV@",
        "-device", "e1000,bus=rp1,netdev=n0,mac=52:54:00:12:34:56,romfile=",
        "-device", "pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2",
        "-drive", "file=@DISK@,if=none,id=d0,format=raw",
        "-device", "nvme,bus=rp2,drive=d0,serial=ddhv0001",
    ],
}
# nic_disk with 4 KiB logical blocks on the NVMe: the disk driver must refuse them.
DEVICE_SETS["nic_disk4k"] = DEVICE_SETS["nic_disk"][:-1] + [
    "nvme,bus=rp2,drive=d0,serial=ddhv0001,logical_block_size=4096,physical_block_size=4096"]
STATUS_CODES = {"PASS": 0x10, "FAIL": 0x11, "REFUSED": 0x12, "PANIC": 0x13}


class Test:
    def __init__(self, name, kind, **kw):
        self.name, self.kind = name, kind
        self.__dict__.update(kw)


def unit_tests():
    tests = []
    udir = os.path.join(BUILD, "unit")
    for f in sorted(os.listdir(udir)) if os.path.isdir(udir) else []:
        if f.startswith("test_"):
            tests.append(Test("unit/" + f[5:], "unit", path=os.path.join(udir, f)))
    return tests


def fuzz_tests():
    """Each libFuzzer target in build/fuzz runs for a bounded time."""
    tests = []
    fdir = os.path.join(BUILD, "fuzz")
    for f in sorted(os.listdir(fdir)) if os.path.isdir(fdir) else []:
        if f.startswith("fuzz_") and os.access(os.path.join(fdir, f), os.X_OK):
            tests.append(Test("fuzz/" + f[5:], "fuzz", path=os.path.join(fdir, f)))
    return tests


def run_fuzz(t):
    corpus = os.path.join(BUILD, "fuzz", "corpus-" + os.path.basename(t.path))
    os.makedirs(corpus, exist_ok=True)
    seeds = os.path.join(SEEDS, os.path.basename(t.path)[5:])
    r = sh([t.path, "-max_total_time=%d" % FUZZ_SECONDS, corpus] +
           ([seeds] if os.path.isdir(seeds) else []))
    ok = r.returncode == 0
    return ok, "" if ok else r.stdout[-3000:]


def qemu_tests(conf):
    """tests.conf: NAME SCENARIO[:MANGLE] EXPECT [key=value ...] per line.

    keys: mode=test|run (test: boot hv-test.elf with test=NAME; run: hv.elf),
    grep=TEXT (must appear in the log; repeatable, '_' stands for a space),
    timeout=SECONDS (default 60), cpu=QEMU_CPU, mem=SIZE, devices=SET (DEVICE_SETS),
    icount=SHIFT (-icount shift=SHIFT: guest virtual time), hvtest=NAME (the
    hypervisor-side test to run, default the test's own name),
    load=IP/ARGS (repeatable): run tools/loadgen against the guest at IP while
    QEMU runs, through UDP forwards on 127.0.0.1 to IP's echo port 7 and quit
    port 9; ARGS are loadgen options separated by ',' (e.g. --count=1000).
    faultplan=FILE: the fault plan (path relative to tests/qemu/, or absolute)
    as module "faultplan"; hvargs=K=V,K2=V2: more hypervisor command line (e.g.
    hvargs=fi_quiet_ms=500). regex=PATTERN (repeatable): a Python regular
    expression one line of the log must match ('_' stands for a space).
    reboot=SCENARIO: a power cycle: once the first boot has its expected
    status, boot the machine again with SCENARIO on the same disk image;
    the second boot must have the expected status too, and grep= patterns
    are looked for in both boots' output together.
    """
    tests = []
    with open(conf) as f:
        for lineno, line in enumerate(f, 1):
            line = strip_comment(line)
            if not line:
                continue
            words = shlex.split(line)
            if len(words) < 3 or words[2] not in STATUS_CODES:
                sys.exit("%s:%d: want NAME SCENARIO EXPECT [key=value...]" % (conf, lineno))
            opts = {"mode": "test", "timeout": "60", "cpu": None, "mem": None, "grep": [],
                    "devices": None, "load": [], "icount": None, "hvtest": None,
                    "faultplan": None, "hvargs": None, "regex": [], "reboot": None}
            for w in words[3:]:
                k, _, v = w.partition("=")
                if k not in opts:
                    sys.exit("%s:%d: unknown option %s" % (conf, lineno, k))
                if k in ("grep", "regex"):
                    opts[k].append(v.replace("_", " "))
                elif k == "load":
                    ip, _, args = v.partition("/")
                    opts["load"].append((ip, [a for a in args.split(",") if a]))
                elif k == "faultplan":
                    opts[k] = os.path.join(ROOT, "tests", "qemu", v)
                else:
                    opts[k] = v
            scn, _, mangle = words[1].partition(":")
            tests.append(Test("qemu/" + words[0], "qemu", test=words[0], scenario=scn,
                              mangle=mangle, expect=words[2], **opts))
    return tests


def strip_comment(line):
    """A tests.conf line without its comment: '#' starts one only at the start
    of the line or after whitespace, so values such as grep=restart_#1 keep it."""
    return re.split(r"(?:^|\s)#", line, 1)[0].strip()


def sh(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kw)


def campaign_tests():
    """Small real fault-injection campaigns: one fault per type (smoke, a few boots; for
    the NIC and, smoke_disk, the disk driver domain);
    5 faults locally and as a Slurm job array on a one-node Slurm, compared (slurm)."""
    path = os.path.join(ROOT, "tests", "faultinject", "campaign_smoke.sh")
    slurm = os.path.join(ROOT, "tests", "faultinject", "campaign_slurm.sh")
    disk = os.path.join(ROOT, "tests", "faultinject", "campaign_smoke_disk.sh")
    return [Test("campaign/smoke", "unit", path=path), Test("campaign/slurm", "unit", path=slurm),
            Test("campaign/smoke_disk", "unit", path=disk)]


def ctl_tests():
    """tools/ddhvctl against a running system, make run (one boot each), and
    the checks scncc and make run make before booting (no boot)."""
    return [Test("ctl/" + n, "unit", path=os.path.join(ROOT, "tests", "ctl", n + ".py"))
            for n in ("ctl_live", "make_run", "scncc_checks")]


def run_unit(t):
    r = sh([t.path])
    ok = r.returncode == 0
    return ok, "" if ok else r.stdout[-3000:]


def plan_symbols(text, syms=None):
    """text (fault-plan fields, no comment) with each @IMAGE:SYMBOL@ replaced
    by the symbol's address in build/guest/IMAGE.elf, and each
    @IMAGE:call(FROM,TO)@ by the bytes of a 5-byte call at FROM to TO (e8
    rel32, little endian: a site fault's new=); None if one is unknown."""
    syms = {} if syms is None else syms

    def lookup(image, name):
        if image not in syms:
            r = sh(["nm", os.path.join(BUILD, "guest", image + ".elf")])
            syms[image] = {w[2]: "0x%x" % int(w[0], 16) for w in
                           (l.split() for l in r.stdout.splitlines()) if len(w) == 3}
        return syms[image].get(name)

    def addr(m):
        return lookup(m.group(1), m.group(2)) or m.group(0)

    def call(m):
        a, b = lookup(m.group(1), m.group(2)), lookup(m.group(1), m.group(3))
        if not a or not b:
            return m.group(0)
        rel = (int(b, 16) - (int(a, 16) + 5)) & 0xffffffff
        return "e8" + rel.to_bytes(4, "little").hex()

    text = re.sub(r"@([\w-]+):call\((\w+),(\w+)\)@", call, text)
    text = re.sub(r"@([\w-]+):(\w+)@", addr, text)
    return None if "@" in text else text


def expand_plan(src, wdir):
    """A test's fault plan with each @IMAGE:SYMBOL@ replaced by the symbol's
    address in build/guest/IMAGE.elf (outside comments), so the plan survives
    rebuilds."""
    syms, lines = {}, []

    with open(src) as f:
        for line in f:
            text, hash_, comment = line.partition("#")
            text = plan_symbols(text, syms)
            if text is None:
                return None, "fault plan %s: unknown symbol in: %s" % (src, line.strip())
            lines.append(text + hash_ + comment)
    out = os.path.join(wdir, "faultplan.txt")
    with open(out, "w") as f:
        f.write("".join(lines))
    return out, ""


def prepare_iso(t, wdir):
    scn = os.path.join(ROOT, "tests", "qemu", t.scenario + ".scn")
    if not os.path.exists(scn):
        scn = os.path.join(ROOT, "scenarios", t.scenario + ".scn")
    cfg = os.path.join(wdir, "bootcfg.bin")
    extra = []
    if t.devices:   # assignments are checked against the emulated machine
        extra = ["--machine", os.path.join(ROOT, "tests", "qemu", "machines", t.devices + ".machine")]
    r = sh([os.path.join(BUILD, "tools", "scncc"), scn, "-o", cfg] + extra)
    if r.returncode:
        return None, "scenario compile failed:\n" + r.stdout
    with open(os.path.join(wdir, "devices.txt"), "w") as f:
        f.write(r.stdout)
    if t.mangle:
        bad = cfg + "." + t.mangle
        r = sh([os.path.join(BUILD, "tools", "bootcfg_mangle"), t.mangle, cfg, bad])
        if r.returncode:
            return None, "bootcfg_mangle failed:\n" + r.stdout
        cfg = bad
    r = sh([os.path.join(BUILD, "tools", "scncc"), "--images", scn])
    images = [os.path.join(BUILD, "guest", i + ".elf") for i in r.stdout.split()]
    hv = os.path.join(BUILD, "hv-test.elf" if t.mode == "test" else "hv.elf")
    cmdline = "test=" + (t.hvtest or t.test) if t.mode == "test" else ""
    cmdline = (cmdline + " " + getattr(t, "cmdline", "")).strip()
    if getattr(t, "hvargs", None):
        cmdline = (cmdline + " " + t.hvargs.replace(",", " ")).strip()
    if getattr(t, "faultplan", None):     # callers outside this file may omit it
        plan, err = expand_plan(os.path.join(ROOT, "tests", "qemu", t.faultplan), wdir)
        if not plan:
            return None, err
        images.append("faultplan=" + plan)
    iso = os.path.join(wdir, "boot.iso")
    r = sh([os.path.join(ROOT, "tools", "mkiso.sh"), iso, hv, cmdline, cfg] + images)
    if r.returncode:
        return None, "mkiso failed:\n" + r.stdout
    return iso, ""


_port_lock = threading.Lock()
_next_port = [20000 + (os.getpid() % 400) * 25]


def free_udp_port():
    """A loopback UDP port for a QEMU forward: below Linux's ephemeral range
    (32768+), so no load generator's own socket can take it before QEMU binds
    it, and never handed out twice by this runner."""
    with _port_lock:
        while True:
            port = _next_port[0]
            _next_port[0] = 20000 + (port - 20000 + 1) % 12000
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as so:
                try:
                    so.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port


def load_plan(t):
    """Host ports forwarded to each load target's echo (7) and quit (9) ports."""
    plan = []
    for ip, args in t.load:
        plan.append({"ip": ip, "args": args, "port": free_udp_port(), "quit": free_udp_port()})
    return plan


def netdev_with_forwards(plan):
    fwd = ""
    for p in plan:
        fwd += ",hostfwd=udp:127.0.0.1:%d-%s:7" % (p["port"], p["ip"])
        fwd += ",hostfwd=udp:127.0.0.1:%d-%s:9" % (p["quit"], p["ip"])
    return "user,id=n0" + fwd


def start_loads(plan, timeout):
    procs = []
    for p in plan:
        cmd = [os.path.join(BUILD, "tools", "loadgen"), "--port", str(p["port"]),
               "--quit-port", str(p["quit"]), "--label", p["ip"],
               "--max-seconds", str(max(10, int(timeout) - 20))] + p["args"]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      universal_newlines=True))
    return procs


def finish_loads(procs, deadline):
    """Wait for every load generator; returns (all succeeded, their output)."""
    ok, out = True, ""
    for pr in procs:
        try:
            o, _ = pr.communicate(timeout=max(1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            pr.kill()
            o, _ = pr.communicate()
            o += "\nloadgen: killed at the test's timeout\n"
        ok &= pr.returncode == 0
        out += o
    return ok, out


def run_qemu(t):
    wdir = os.path.join(BUILD, "tests", t.test)
    os.makedirs(wdir, exist_ok=True)
    iso, err = prepare_iso(t, wdir)
    if not iso:
        return False, err
    rc, out, qout, loads_ok, lout = boot(t, wdir, iso)
    if rc == "setup":
        return False, out
    if getattr(t, "reboot", None):
        return power_cycle(t, wdir, out, rc, qout)
    ok, why = check_output(t, out, rc, qout)
    if ok and not loads_ok:
        return False, "load generator failed:\n" + lout
    return ok, why


def power_cycle(t, wdir, out, rc, qout):
    """The first boot's output is in; boot t.reboot on the same disk image."""
    first = copy.copy(t)
    first.grep = []
    ok, why = check_output(first, out, rc, qout)
    if not ok:
        return False, "first boot: " + why
    os.replace(os.path.join(wdir, "serial.log"), os.path.join(wdir, "serial-boot1.log"))
    second = copy.copy(t)
    second.scenario = t.reboot
    iso, err = prepare_iso(second, wdir)
    if not iso:
        return False, err
    rc2, out2, qout2, _, _ = boot(second, wdir, iso, keep_disk=True)
    if rc2 == "setup":
        return False, out2
    ok, why = check_output(first, out2, rc2, qout2)
    if not ok:
        return False, "second boot: " + why
    for pat in t.grep:
        if pat not in out + out2:
            return False, "output of the two boots lacks '%s'\n%s" % (
                pat, "\n".join(out2.splitlines()[-25:]))
    return True, ""


def boot(t, wdir, iso, drive_load=None, keep_disk=False):
    """Boot iso in QEMU with t's machine and loads, the serial console in
    wdir/serial.log. Returns (QEMU's exit code or None on timeout, the console
    with the load generators' output appended, QEMU's own output, loads ok,
    load output); rc "setup" (and the reason as console) when it cannot start.
    drive_load(plan, log, deadline) -> (ok, output), if given, runs the load
    generators instead of the default start_loads/finish_loads. keep_disk:
    boot on the disk image the previous boot left (a power cycle)."""
    log = os.path.join(wdir, "serial.log")
    if os.path.exists(log):
        os.unlink(log)
    cmd = ["qemu-system-x86_64", "-machine", "q35", "-cpu", t.cpu or "qemu64,+svm,+npt",
           "-m", t.mem or "256M", "-nodefaults", "-display", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", "file:" + log, "-cdrom", iso]
    if t.icount:
        cmd += ["-icount", "shift=" + t.icount]
    plan = load_plan(t)
    if t.devices:
        if t.devices not in DEVICE_SETS:
            return "setup", "unknown device set %s" % t.devices, "", False, ""
        disk = os.path.join(wdir, "disk.img")
        if not (keep_disk and os.path.exists(disk)):
            with open(disk, "wb") as f:
                f.truncate(1 << 20)
        cmd[2] = "q35,kernel-irqchip=split"
        for a in DEVICE_SETS[t.devices]:
            cmd.append(a.replace("@DISK@", disk).replace("@NETDEV@", netdev_with_forwards(plan)))
    elif plan:
        return "setup", "load= needs a device set with a NIC", "", False, ""
    timeout = float(t.timeout)
    deadline = time.time() + timeout
    qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True)
    if drive_load:
        loads_ok, lout = drive_load(plan, log, deadline)
    else:
        loads_ok, lout = finish_loads(start_loads(plan, timeout), deadline)
    try:
        qout, _ = qemu.communicate(timeout=max(1, deadline - time.time()))
        rc = qemu.returncode
    except subprocess.TimeoutExpired:
        qemu.kill()
        qemu.communicate()
        rc, qout = None, "timed out after %ds" % timeout
    out = ""
    if os.path.exists(log):
        with open(log, errors="replace") as f:
            out = f.read().replace("\r", "")
    if not out and qout:
        out = qout
    if plan:
        with open(os.path.join(wdir, "loadgen.log"), "w") as f:
            f.write(lout)
        out += lout
    return rc, out, qout, loads_ok, lout


def check_output(t, out, rc, qout):
    results = [l for l in out.splitlines() if l.startswith("HV-RESULT:")]
    tail = "\n".join(out.splitlines()[-25:])
    if rc is None:
        return False, "%s (no result; crash or hang)\n%s" % (qout, tail)
    if len(results) != 1:
        return False, "want exactly one HV-RESULT line, got %d (qemu rc %s)\n%s" % (
            len(results), rc, tail)
    status = results[0].split()[1]
    if status != t.expect:
        return False, "status %s, expected %s\n%s" % (status, t.expect, tail)
    if rc != (STATUS_CODES[status] << 1) | 1:
        return False, "qemu exit code %s does not match %s\n%s" % (rc, status, tail)
    for pat in t.grep:
        if pat not in out:
            return False, "output lacks '%s'\n%s" % (pat, tail)
    for pat in getattr(t, "regex", []):
        if not re.search(pat, out, re.MULTILINE):
            return False, "no output line matches '%s'\n%s" % (pat, tail)
    return True, ""


def run_one(t):
    t0 = time.time()
    try:
        runner = {"unit": run_unit, "fuzz": run_fuzz, "qemu": run_qemu}[t.kind]
        ok, why = runner(t)
    except Exception as e:  # a runner problem fails the test, not the run
        ok, why = False, "runner error: %r" % e
    return t, ok, why, time.time() - t0


def start_host_load():
    """A host process that keeps one CPU busy: QEMU's vCPU threads then lose
    the host CPU now and then, as on a loaded machine, while the guest's clock
    (the TSC) runs on. It spins only while this runner lives, so a runner
    killed halfway leaves no busy process behind."""
    spin = "import os\np = %d\nwhile os.getppid() == p: pass" % os.getpid()
    return subprocess.Popen([sys.executable, "-c", spin],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("-j", type=int, default=2, help="QEMU instances at a time")
    ap.add_argument("--conf", default=CONF, help="QEMU test list (default tests.conf)")
    ap.add_argument("--qemu-only", action="store_true", help="skip unit and fuzz tests")
    ap.add_argument("--show", default="", help="print log lines starting with these prefixes (comma list)")
    ap.add_argument("--load", action="store_true", help="keep one host CPU busy during the run")
    a = ap.parse_args()
    tests = qemu_tests(a.conf)
    if not a.qemu_only:
        tests = unit_tests() + fuzz_tests() + campaign_tests() + ctl_tests() + tests
    if a.only:
        want = a.only.split(",")
        tests = [t for t in tests if any(w == t.name or w == t.name.split("/", 1)[1]
                                         or w in t.name for w in want)]
    if a.list:
        for t in tests:
            print(t.name)
        return 0
    if not tests:
        print("no test matches %r" % a.only)
        print("0 passed, 1 failed")
        return 1
    hog = start_host_load() if a.load else None
    try:
        passed, failed = run_all(tests, a)
    finally:
        if hog:
            hog.kill()
            hog.wait()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def run_all(tests, a):
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as ex:
        for t, ok, why, dt in ex.map(run_one, tests):
            print("%s %-40s %6.1fs" % ("PASS" if ok else "FAIL", t.name, dt), flush=True)
            if not ok:
                print("    " + why.replace("\n", "\n    "), flush=True)
            if a.show and t.kind == "qemu":
                for log in ("serial.log", "loadgen.log"):
                    path = os.path.join(BUILD, "tests", t.test, log)
                    if not os.path.exists(path):
                        continue
                    with open(path, errors="replace") as f:
                        for line in f:
                            if line.startswith(tuple(a.show.split(","))):
                                print(line.rstrip(), flush=True)
            passed += ok
            failed += not ok
    return passed, failed


if __name__ == "__main__":
    sys.exit(main())
