#!/usr/bin/env python3
"""Boot one scenario by hand (`make run`, `make debug`).

    tools/run_scenario.py [SCENARIO] [--ctl SOCKET] [--debug] [--seconds S]

SCENARIO is a name (scenarios/NAME.scn, then tests/qemu/NAME.scn) or a path;
default scenarios/nic.scn. The machine is the one the scenario names
(`machine NAME`: the device sets of tests/run.py, checked against
tests/qemu/machines/NAME.machine), else for a test scenario the device set
its tests use (tests/qemu/tests.conf devices=). Each domain with an ip= argument gets a UDP
forward from 127.0.0.1 to its echo port (7) and quit port (9), printed with a
command to try. The hypervisor's console is shown here (and kept in
build/run/NAME.log); its control channel is on a UNIX socket for
tools/ddhvctl. The run lasts until the hypervisor ends it or Ctrl-C; the exit
status is 0 only for HV-RESULT: PASS, else the result line says why.
"""
import argparse
import importlib.util
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
SCNCC = os.path.join(BUILD, "tools", "scncc")


def testrun():
    """tests/run.py as a module: one copy of the device sets and forwards."""
    spec = importlib.util.spec_from_file_location("ddhv_testrun", os.path.join(ROOT, "tests", "run.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def die(msg, code=2):
    print("run: " + msg, file=sys.stderr)
    sys.exit(code)


def find_scenario(arg):
    if os.path.exists(arg):
        return os.path.abspath(arg)
    for d in ("scenarios", os.path.join("tests", "qemu")):
        p = os.path.join(ROOT, d, arg + ".scn")
        if os.path.exists(p):
            return p
    names = sorted(f[:-4] for f in os.listdir(os.path.join(ROOT, "scenarios")) if f.endswith(".scn"))
    die("no scenario '%s' (a path, or a name in scenarios/: %s; or tests/qemu/)" % (arg, ", ".join(names)))


def sh(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    return r.returncode, r.stdout


def forwards(dump):
    """Domains with ip= in their args (scncc --dump lines): [(name, ip, port)]."""
    out = []
    for line in dump.splitlines():
        m = re.match(r"  (\S+)\s+image .*\sip=(\d+\.\d+\.\d+\.\d+)", line)
        if m:
            port = re.search(r"\becho_port=(\d+)", line)
            out.append((m.group(1), m.group(2), int(port.group(1)) if port else 7))
    return out


def machine_from_tests(scn, tr):
    """A test scenario without a 'machine' line: the device set its tests
    in tests/qemu/tests.conf boot it with, if any."""
    if os.path.dirname(scn) != os.path.join(ROOT, "tests", "qemu"):
        return ""
    name = os.path.splitext(os.path.basename(scn))[0]
    sets = {t.devices for t in tr.qemu_tests(tr.CONF) if t.scenario == name and t.devices}
    return sets.pop() if len(sets) == 1 else ""


def build_iso(scn, wdir, tr):
    """Compile, check against the machine, make the ISO: (iso, machine, dump)."""
    rc, machine = sh([SCNCC, "--machine-of", scn])
    if rc:
        die(machine.strip(), 1)
    machine = machine.strip() or machine_from_tests(scn, tr)
    cfg = os.path.join(wdir, "bootcfg.bin")
    # scncc checks before boot: images exist, memory fits, devices exist
    extra = ["--image-dir", os.path.join(BUILD, "guest"), "--ram", os.environ.get("QEMU_MEM", "256M")]
    if machine:
        if machine not in tr.DEVICE_SETS:
            die("scenario needs machine '%s'; known: %s" % (machine, ", ".join(tr.DEVICE_SETS)), 1)
        extra += ["--machine", os.path.join(ROOT, "tests", "qemu", "machines", machine + ".machine")]
    rc, out = sh([SCNCC, scn, "-o", cfg] + extra)
    if rc:
        die("scenario does not compile:\n" + out, 1)
    if machine:
        print(out, end="")      # who gets which device, with names
    rc, dump = sh([SCNCC, "--dump", cfg])
    rc, imgs = sh([SCNCC, "--images", scn])
    images = [os.path.join(BUILD, "guest", i + ".elf") for i in imgs.split()]
    iso = os.path.join(wdir, "boot.iso")
    rc, out = sh([os.path.join(ROOT, "tools", "mkiso.sh"), iso, os.path.join(BUILD, "hv.elf"),
                  "", cfg] + images)
    if rc:
        die(out, 1)
    return iso, machine, dump


def qemu_command(tr, iso, machine, plan, log, ctl, wdir):
    cmd = [os.environ.get("QEMU", "qemu-system-x86_64"), "-machine", os.environ.get("QEMU_MACHINE", "q35"),
           "-cpu", os.environ.get("QEMU_CPU", "qemu64,+svm,+npt"), "-m", os.environ.get("QEMU_MEM", "256M"),
           "-nodefaults", "-display", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", "file:" + log,                             # COM1: the console
           "-chardev", "socket,id=ctl,path=%s,server=on,wait=off" % ctl,
           "-serial", "chardev:ctl",                             # COM2: the control channel
           "-cdrom", iso]
    if machine:
        disk = os.path.join(wdir, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(1 << 20)
        cmd[2] = cmd[2] + ",kernel-irqchip=split"
        for a in tr.DEVICE_SETS[machine]:
            cmd.append(a.replace("@DISK@", disk).replace("@NETDEV@", tr.netdev_with_forwards(plan)))
    return cmd


def follow(qemu, log, seconds):
    """Show the console as it grows until QEMU exits, Ctrl-C or the time is
    up; returns the whole console."""
    pos, text = 0, ""
    end = time.time() + seconds if seconds else None
    try:
        while True:
            done = qemu.poll() is not None
            if os.path.exists(log):
                with open(log, errors="replace") as f:
                    f.seek(pos)
                    new = f.read()
                    pos = f.tell()
                new = new.replace("\r", "")
                sys.stdout.write(new)
                sys.stdout.flush()
                text += new
            if done:
                return text
            if end and time.time() >= end:
                print("\nrun: %gs are up: stopping QEMU" % seconds)
                break
            time.sleep(0.1)
    except KeyboardInterrupt:
        print("\nrun: stopping QEMU")
    qemu.terminate()
    try:
        qemu.wait(timeout=10)
    except subprocess.TimeoutExpired:
        qemu.kill()
    return None


def verdict(text, rc, qlog):
    """0 for HV-RESULT: PASS with QEMU's matching exit code, else 1 and why."""
    results = [l for l in text.splitlines() if l.startswith("HV-RESULT:")]
    if not results:
        with open(qlog, errors="replace") as f:
            qout = f.read().strip()
        # QEMU that never started says why itself (e.g. another QEMU still
        # holds the disk image: "Failed to get "write" lock")
        print("run: no result line from the hypervisor (QEMU exit %s): it crashed or hung%s" %
              (rc, "; QEMU said:\n" + qout[-1500:] if qout else ""), file=sys.stderr)
        return 1
    words = results[-1].split()
    if len(words) > 1 and words[1] == "PASS" and rc == 33:
        return 0
    print("run: %s" % results[-1], file=sys.stderr)
    return 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default="nic")
    ap.add_argument("--ctl", default=os.path.join(BUILD, "run", "ctl.sock"), help="control socket")
    ap.add_argument("--debug", action="store_true", help="halted, gdb stub on :1234")
    ap.add_argument("--seconds", type=float, default=0, help="stop after S seconds (tests)")
    ap.add_argument("--check-only", action="store_true", help="compile and check, do not boot")
    a = ap.parse_args()
    tr = testrun()
    scn = find_scenario(a.scenario)
    name = os.path.splitext(os.path.basename(scn))[0]
    wdir = os.path.join(BUILD, "run", name)
    os.makedirs(wdir, exist_ok=True)
    iso, machine, dump = build_iso(scn, wdir, tr)
    if a.check_only:
        print("run: scenario %s checked, boot ISO %s" % (name, os.path.relpath(iso, ROOT)))
        return 0
    fw = forwards(dump) if machine else []
    plan = [{"ip": ip, "port": tr.free_udp_port(), "quit": tr.free_udp_port(), "name": n, "echo": p}
            for n, ip, p in fw]
    log = os.path.join(BUILD, "run", name + ".log")
    if os.path.exists(log):
        os.unlink(log)
    if os.path.exists(a.ctl):
        os.unlink(a.ctl)
    cmd = qemu_command(tr, iso, machine, plan, log, a.ctl, wdir)
    if a.debug:
        cmd += ["-s", "-S"]
        print("QEMU waits for gdb on :1234; in another terminal: gdb -x tools/gdbinit")
    print("Booting scenario '%s' (%s); console log %s" % (name, os.path.relpath(scn, ROOT),
                                                          os.path.relpath(log, ROOT)))
    for p in plan:
        print("%s echoes on udp 127.0.0.1:%d (quit: udp 127.0.0.1:%d); try: "
              "build/tools/loadgen --port %d --count 100" % (p["name"], p["port"], p["quit"], p["port"]))
    ctlenv = "" if a.ctl == os.path.join(BUILD, "run", "ctl.sock") else "DDHV_CTL=%s " % a.ctl
    print("control: %stools/ddhvctl list   (socket %s; also stats, devices, destroy, restart, "
          "inject, console, shutdown)" % (ctlenv, a.ctl))
    print("Stop with Ctrl-C (or tools/ddhvctl shutdown).", flush=True)
    qlog_path = os.path.join(wdir, "qemu.log")
    with open(qlog_path, "w") as qlog:
        qemu = subprocess.Popen(cmd, stdout=qlog, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)    # Ctrl-C reaches us, not QEMU
        text = follow(qemu, log, a.seconds)
    if text is None:
        return 0                # stopped by the user (or --seconds): not a failure
    return verdict(text, qemu.returncode, qlog_path)


if __name__ == "__main__":
    # Ctrl-C must stop QEMU even when we were started with SIGINT ignored
    # (a background job of a shell without job control inherits SIG_IGN, and
    # Python then installs no handler): QEMU, in its own session, would outlive us.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    sys.exit(main())
