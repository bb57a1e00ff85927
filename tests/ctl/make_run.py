#!/usr/bin/env python3
"""`make run` as a new user runs it (issue 14): no input, one boot of the
default system (scenarios/nic.scn). It must print a UDP forward per client
and the control socket; a host load generator must get echoes through each
printed forward; tools/ddhvctl must reach it through the printed socket; the
disk client must verify its disk with progress and 0 errors, also across an
`inject diskdd pf` (stats diskdd: requests served grow); Ctrl-C (SIGINT to
make's process group) must end it and QEMU with it.

make is started with SIGINT ignored, as a background job of a shell without
job control is (how `make test` is often run): the runner must stop QEMU on
Ctrl-C all the same, or the leftover QEMU keeps the disk image locked and the
next `make run` cannot start.

Waits are judged by progress (console lines, counters), each with a generous
outer bound so a busy machine (make test LOAD=1) only makes them slower.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOCK = os.path.join(ROOT, "build", "tests", "make_run", "ctl.sock")
LOADGEN = os.path.join(ROOT, "build", "tools", "loadgen")
BOUND = 300         # outer bound of any one wait, seconds: only a hung system reaches it
fails = []


def check(ok, what, detail=""):
    print("%s %s%s" % ("ok  " if ok else "FAIL", what, "" if ok else ": " + detail), flush=True)
    if not ok:
        fails.append(what)
    return ok


class Run:
    def __init__(self):
        os.makedirs(os.path.dirname(SOCK), exist_ok=True)
        self.proc = subprocess.Popen(
            ["make", "-s", "run", "CTL=" + SOCK], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, universal_newlines=True,
            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        self.out = []
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in iter(self.proc.stdout.readline, ""):
            self.out.append(line)

    def text(self):
        return "".join(self.out)

    def wait_for(self, pattern, seconds=BOUND):
        """The first match of pattern in the output once it appears (or None
        when the run ends or the bound passes first)."""
        end = time.time() + seconds
        while True:
            m = re.search(pattern, self.text(), re.M)
            if m or time.time() >= end or not self.reader.is_alive():
                return m
            time.sleep(0.2)

    def ctl(self, *args):
        r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "ddhvctl"), "--socket", SOCK,
                            "--timeout", "60"] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        return r.returncode, r.stdout

    def stats(self, name):
        rc, out = self.ctl("stats", name, "--json")
        return json.loads(out)["stats"] if rc == 0 else {}

    def domain(self, name):
        rc, out = self.ctl("list", "--json")
        doms = {d["name"]: d for d in json.loads(out)["domains"]} if rc == 0 else {}
        return doms.get(name, {})


def echoes(run):
    fwd = dict(re.findall(r"^(client\d) echoes on udp 127\.0\.0\.1:(\d+)", run.text(), re.M))
    check(set(fwd) == {"client1", "client2"}, "forwards printed for client1 and client2", run.text()[-2000:])
    for name in sorted(fwd):
        # attached: the client's own line, then loadgen (its warm-up covers ARP)
        check(run.wait_for(r"^\[%s\] netfront: connected to backend" % name) is not None,
              "%s attached to netdd" % name, run.text()[-1500:])
    before = run.stats("netdd")
    for name, port in sorted(fwd.items()):
        r = subprocess.run([LOADGEN, "--port", port, "--count", "200", "--timeout-ms", "1000",
                            "--max-seconds", str(BOUND), "--warmup-seconds", "120"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        lout = r.stdout.strip()
        check(r.returncode == 0 and "echoed=200" in lout, "%s echoes through the printed forward" % name, lout)
    after = run.stats("netdd")
    k_in, k_out = "reported.served_from_clients", "reported.served_to_clients"
    check(after.get(k_in, 0) - before.get(k_in, 0) >= 400 and after.get(k_out, 0) - before.get(k_out, 0) >= 400,
          "stats netdd: frames served grew by the 400 echoes each way", "%s -> %s" % (
              {k: before.get(k) for k in (k_in, k_out)}, {k: after.get(k) for k in (k_in, k_out)}))


def progress_since(run, pos, reconnects):
    """The first disk1 progress line after output offset pos with at least
    'reconnects' reconnections: (I/Os, errors, lost, corrupt, reconnects)."""
    end = time.time() + BOUND
    pat = re.compile(r"^\[disk1\] diskverify: progress: (\d+) I/Os, errors (\d+), lost (\d+), corrupt (\d+), "
                     r"passes \d+, reconnects (\d+)", re.M)
    while time.time() < end and run.reader.is_alive():
        for m in pat.finditer(run.text(), pos):
            v = tuple(int(x) for x in m.groups())
            if v[4] >= reconnects:
                return v
        time.sleep(0.5)
    return None


def disk(run):
    p = progress_since(run, 0, 0)
    check(p is not None and p[1:4] == (0, 0, 0), "disk1 verifies with progress, 0 errors", str(p))
    rc, out = run.ctl("list")
    check(rc == 0 and re.search(r"\bdiskdd\s+driver\b.*NVM", out) and re.search(r"\bdisk1\s+client\b", out),
          "ddhvctl list shows diskdd (with the NVMe) and disk1", out)
    s1 = run.stats("diskdd").get("reported.served_to_clients", 0)
    time.sleep(1)
    s2 = run.stats("diskdd").get("reported.served_to_clients", 0)
    check(0 < s1 < s2, "stats diskdd: requests served grow", "%d then %d" % (s1, s2))
    pos = len(run.text())
    rc, out = run.ctl("inject", "diskdd", "pf")
    check(rc == 0, "inject diskdd pf accepted", out)
    end = time.time() + BOUND
    d = run.domain("diskdd")
    while time.time() < end and not (d.get("restarts") == 1 and d.get("state") in ("running", "blocked")):
        time.sleep(0.5)
        d = run.domain("diskdd")
    check(d.get("restarts") == 1 and d.get("gen") == 2, "diskdd restarted (generation 2)", str(d))
    p = progress_since(run, pos, 1)
    check(p is not None and p[1:4] == (0, 0, 0), "disk1 progresses after the restart, 0 errors, lost, corrupt",
          str(p) + run.text()[pos:][-1500:])
    check(run.domain("disk1").get("gen") == 1, "disk1 itself never restarted")


def ctrl_c(run):
    check(run.proc.poll() is None, "make run still up")
    os.killpg(run.proc.pid, signal.SIGINT)
    try:
        run.proc.wait(timeout=120)      # the runner gives QEMU 10 s to stop
    except subprocess.TimeoutExpired:
        os.killpg(run.proc.pid, signal.SIGKILL)
        run.proc.wait()
    # make ignores the SIGINT and waits for the runner, which must stop QEMU.
    run.reader.join(60)
    gone = False
    so = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        so.connect(SOCK)
    except OSError:
        gone = True             # nobody listens on the control socket: QEMU is gone
    so.close()
    check("stopping QEMU" in run.text() and gone, "Ctrl-C ends make run and QEMU", run.text()[-500:])
    if not gone:                # leave no QEMU behind (it would lock the disk image)
        print("make_run: QEMU still up, ending it by ddhvctl shutdown: %s" % (run.ctl("shutdown"),))


def main():
    run = Run()
    try:
        started = run.wait_for(r"^Stop with Ctrl-C")
        check(started is not None, "make run booted", run.text()[-2000:])
        check(("socket %s" % SOCK) in run.text(), "control socket printed")
        if started:
            echoes(run)
            rc, out = run.ctl("list")
            check(rc == 0 and re.search(r"\bnetdd\s+driver\b", out) is not None,
                  "ddhvctl list through the printed socket", out)
            disk(run)
            # a busy machine (LOAD=1) must not make the watchdog kill healthy drivers
            n, d = run.domain("netdd"), run.domain("diskdd")
            check(n.get("restarts") == 0 and d.get("restarts") == 1,
                  "no restart but the one injected (netdd 0, diskdd 1)", "%s %s" % (n, d))
        ctrl_c(run)
    finally:
        if run.proc.poll() is None:
            os.killpg(run.proc.pid, signal.SIGKILL)
    print("make_run: %d checks failed" % len(fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
