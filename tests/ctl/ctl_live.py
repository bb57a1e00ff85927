#!/usr/bin/env python3
"""tools/ddhvctl against a running system (issue 14), one QEMU boot of
tests/qemu/ctl_live.scn on its machine, the way `make run` boots it:

  - nothing a guest writes to COM2 reaches the control channel (the prober
    domain writes a line there and is killed for it);
  - list shows the scenario's domains and states; --json parses (list, stats,
    devices); devices names the NIC's owner;
  - stats netdd: the frames it reports served grow while the clients echo;
  - restart raises netdd's generation while the clients keep echoing;
  - inject kill / ud2 (by the hypervisor) and hang / dma (asked of netdd)
    crash netdd, list shows the restart and stats its cause;
  - destroy then list shows the ticker dead; a second destroy is an error;
  - console follows a domain's lines;
  - unknown names, commands and kinds give clear errors and non-zero exits;
  - random bytes and overlong lines on the channel get error lines and leave
    the hypervisor running (a later list still works, echoes still come);
  - shutdown ends the run with HV-RESULT: PASS.

Prints one line per check and exits non-zero if any failed.
"""
import importlib.util
import json
import os
import random
import re
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
DDHVCTL = os.path.join(ROOT, "tools", "ddhvctl")
LOADGEN = os.path.join(BUILD, "tools", "loadgen")
# Outer bound of any one wait, seconds: waits end on progress (a state, an
# echo), and only a hung system reaches this, also on a busy machine.
BOUND = 300

fails = []


def check(ok, what, detail=""):
    print("%s %s%s" % ("ok  " if ok else "FAIL", what, "" if ok else ": " + detail), flush=True)
    if not ok:
        fails.append(what)
    return ok


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class System:
    def __init__(self):
        self.rs = load_module("run_scenario", os.path.join(ROOT, "tools", "run_scenario.py"))
        self.tr = self.rs.testrun()
        self.wdir = os.path.join(BUILD, "tests", "ctl_live")
        os.makedirs(self.wdir, exist_ok=True)
        self.sock = os.path.join(self.wdir, "ctl.sock")
        self.log = os.path.join(self.wdir, "serial.log")

    def boot(self):
        scn = os.path.join(ROOT, "tests", "qemu", "ctl_live.scn")
        iso, machine, dump = self.rs.build_iso(scn, self.wdir, self.tr)
        self.plan = [{"ip": ip, "port": self.tr.free_udp_port(), "quit": self.tr.free_udp_port(),
                      "name": n} for n, ip, _ in self.rs.forwards(dump)]
        for p in (self.log, self.sock):
            if os.path.exists(p):
                os.unlink(p)
        cmd = self.rs.qemu_command(self.tr, iso, machine, self.plan, self.log, self.sock, self.wdir)
        self.qlog = open(os.path.join(self.wdir, "qemu.log"), "w")
        self.qemu = subprocess.Popen(cmd, stdout=self.qlog, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def console(self):
        if not os.path.exists(self.log):
            return ""
        with open(self.log, errors="replace") as f:
            return f.read().replace("\r", "")

    def wait_console(self, pattern, seconds):
        end = time.time() + seconds
        while time.time() < end and self.qemu.poll() is None:
            if re.search(pattern, self.console()):
                return True
            time.sleep(0.2)
        return bool(re.search(pattern, self.console()))

    def port(self, name):
        return next(p["port"] for p in self.plan if p["name"] == name)

    def ctl(self, *args):
        env = dict(os.environ, DDHV_CTL=self.sock)
        r = subprocess.run([sys.executable, DDHVCTL, "--timeout", "30"] + list(args), env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        return r.returncode, r.stdout, r.stderr

    def domains(self):
        rc, out, err = self.ctl("list", "--json")
        return {d["name"]: d for d in json.loads(out)["domains"]} if rc == 0 else {}

    def stats(self, name):
        rc, out, err = self.ctl("stats", name, "--json")
        return json.loads(out)["stats"] if rc == 0 else {}

    def wait_domain(self, name, cond, seconds=BOUND):
        end = time.time() + seconds
        while time.time() < end:
            d = self.domains().get(name)
            if d and cond(d):
                return d
            time.sleep(0.5)
        return self.domains().get(name)

    def echo(self, name, count=100, extra=()):
        """loadgen against a client (its warm-up waits for it to attach)."""
        r = subprocess.run([LOADGEN, "--port", str(self.port(name)), "--count", str(count),
                            "--timeout-ms", "500", "--max-seconds", str(BOUND), "--warmup-seconds", "120"]
                           + list(extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        return r.returncode == 0, r.stdout.strip()


def prober_check(s):
    """Hold the channel while the prober writes to COM2: not one byte may
    arrive, and the prober must die for the port I/O."""
    end = time.time() + BOUND
    while not os.path.exists(s.sock) and time.time() < end:
        time.sleep(0.05)
    so = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    so.connect(s.sock)
    so.settimeout(0.2)
    got = b""
    done = False
    end = time.time() + BOUND
    while time.time() < end and not done:
        done = bool(re.search(r"\(prober\) (crashed|exited)", s.console()))
        try:
            got += so.recv(4096)
        except socket.timeout:
            pass
    time.sleep(0.5)
    try:
        got += so.recv(4096)
    except socket.timeout:
        pass
    so.close()
    check(done, "prober ran its COM2 write")
    check(got == b"", "no guest byte reached the control channel", repr(got[:80]))
    check(re.search(r"\(prober\) crashed: port I/O denied: out to port 0x2f8", s.console()) is not None,
          "prober killed for port I/O to 0x2f8")


def garbage(s):
    rng = random.Random(14)
    so = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    so.connect(s.sock)
    blobs = [bytes(rng.randrange(256) for _ in range(4096)) for _ in range(4)]
    blobs += [b"A" * 5000 + b"\n", b"list " + b"x" * 300 + b"\n", b"\x00\xff\n",
              b"stats " + b"n" * 40 + b"\n", b"inject netdd\n", b"a b c d e f\n",
              b"restart ../../etc\n", b"console\n"]
    try:
        for b in blobs:
            so.sendall(b)
    except OSError as e:
        print("garbage: %s" % e)
    so.settimeout(2)
    got = b""
    end = time.time() + 10
    while time.time() < end:
        try:
            data = so.recv(65536)
        except socket.timeout:
            break
        except OSError as e:        # QEMU went away: the checks below say so
            print("garbage: %s" % e)
            break
        if not data:
            break
        got += data
    so.close()
    errors = got.count(b"error: ")
    check(errors >= 8, "garbage answered by error lines", "%d error lines" % errors)
    check(s.qemu.poll() is None and "HV-RESULT" not in s.console(), "hypervisor runs after garbage")


def main():
    s = System()
    s.boot()
    try:
        prober_check(s)
        run_checks(s)
    finally:
        if s.qemu.poll() is None:
            s.qemu.kill()
        s.qemu.wait()
        s.qlog.close()
    print("ctl_live: %d checks failed" % len(fails))
    return 1 if fails else 0


def run_checks(s):
    # list: the scenario's domains and states
    doms = s.wait_domain("netdd", lambda d: d["state"] in ("running", "blocked"))
    doms = s.domains()
    check(set(doms) == {"netdd", "client1", "client2", "ticker", "prober"}, "list names the domains",
          str(sorted(doms)))
    check(all(doms[n]["state"] in ("running", "blocked") for n in ("netdd", "client1", "client2", "ticker")),
          "live domains running or blocked", str({n: d["state"] for n, d in doms.items()}))
    check(doms.get("prober", {}).get("state") == "crashed", "prober listed crashed")
    check(doms["netdd"]["role"] == "driver" and doms["netdd"]["devices"] and
          doms["netdd"]["devices"][0]["bdf"] == "01:00.0" and "82540EM" in doms["netdd"]["devices"][0]["name"],
          "netdd owns 01:00.0 with its pci.ids name", str(doms["netdd"].get("devices")))
    rc, out, err = s.ctl("list")
    check(rc == 0 and re.search(r"^ID\s+NAME\s+ROLE\s+STATE\s+GEN", out, re.M) is not None,
          "list prints a table", out + err)
    rc, out, err = s.ctl("devices", "--json")
    devs = json.loads(out)["devices"] if rc == 0 else []
    check(any(d["bdf"] == "01:00.0" and d["owner"] == "netdd" for d in devs), "devices: NIC owned by netdd",
          out + err)
    before = s.stats("netdd")
    ok, out = s.echo("client1")
    check(ok, "client1 echoes", out)
    ok, out = s.echo("client2")
    check(ok, "client2 echoes", out)
    # served (reported by netdd itself): each echo is one frame to a client
    # and one back, 100 echoes per client
    after = s.stats("netdd")
    grew = {k: after.get(k, 0) - before.get(k, 0)
            for k in ("reported.served_from_clients", "reported.served_to_clients")}
    check(all(v >= 200 for v in grew.values()), "stats netdd: served grew while the clients echoed",
          "%s -> %s" % (before, after))
    rc, out, err = s.ctl("stats", "netdd")
    check(rc == 0 and re.search(r"^reported\.served_to_clients\s+\d+", out, re.M) and
          "not checked by the hypervisor" in out, "stats table: served, labelled as the guest's count",
          out + err)

    # restart: a new generation, the clients keep echoing throughout
    gen = doms["netdd"]["gen"]
    lg = subprocess.Popen([LOADGEN, "--port", str(s.port("client1")), "--count", "4000", "--size", "256",
                           "--timeout-ms", "500", "--max-lost", "40", "--max-seconds", str(BOUND)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    time.sleep(1)
    rc, out, err = s.ctl("restart", "netdd")
    check(rc == 0, "restart netdd accepted", out + err)
    d = s.wait_domain("netdd", lambda d: d["gen"] == gen + 1 and d["state"] in ("running", "blocked"))
    check(d and d["gen"] == gen + 1 and d["restarts"] >= 1, "restart raised netdd's generation", str(d))
    lout, _ = lg.communicate(timeout=BOUND + 60)
    check(lg.returncode == 0, "client1 kept echoing across the restart", lout.strip())
    ok, out = s.echo("client2")
    check(ok, "client2 echoes after the restart", out)

    # inject: the hypervisor kills it / plants ud2; the supervisor restarts it
    # kill, ud2: made by the hypervisor; hang, dma: asked of netdd through its
    # shared page, caught by the hang watchdog and by the IOMMU
    for kind, cause in (("kill", "inject kill"), ("ud2", "guest reported a crash"),
                        ("hang", "watchdog"), ("dma", "DMA")):
        before = s.domains()["netdd"]
        rc, out, err = s.ctl("inject", "netdd", kind)
        check(rc == 0, "inject netdd %s accepted" % kind, out + err)
        d = s.wait_domain("netdd", lambda d: d["restarts"] == before["restarts"] + 1 and
                          d["state"] in ("running", "blocked"))
        check(d and d["restarts"] == before["restarts"] + 1 and d["gen"] == before["gen"] + 1,
              "inject %s: list shows the restart" % kind, str(d))
        rc, out, err = s.ctl("stats", "netdd", "--json")
        st = json.loads(out)["stats"] if rc == 0 else {}
        check(cause in str(st.get("last_restart.cause", "")) and st.get("last_restart.started_us", -1) > 0,
              "stats: last restart's cause and phases (%s)" % kind, str(st))
        ok, out = s.echo("client1")
        check(ok, "client1 echoes after inject %s" % kind, out)
    check(s.domains()["client1"]["gen"] == 1, "client1 itself never restarted")

    # console, then destroy
    rc, out, err = s.ctl("console", "ticker", "--lines", "1", "--seconds", "20")
    check(rc == 0 and re.search(r"^\[ticker\] tick \d+", out, re.M) is not None, "console follows ticker",
          out + err)
    rc, out, err = s.ctl("destroy", "ticker")
    check(rc == 0, "destroy ticker accepted", out + err)
    d = s.domains().get("ticker", {})
    check(d.get("state") == "dead" and "destroyed" in d.get("reason", ""), "list shows ticker dead", str(d))
    rc, out, err = s.ctl("destroy", "ticker")
    check(rc == 1 and "dead already" in err, "second destroy: error", "rc %d %s" % (rc, err))
    # a destroyed driver comes back with restart, and its clients with it
    rc, out, err = s.ctl("destroy", "netdd")
    d = s.domains().get("netdd", {})
    check(rc == 0 and d.get("state") == "dead" and not d.get("devices"), "destroy netdd: dead, NIC released",
          str(d) + err)
    rc, out, err = s.ctl("restart", "netdd")
    d = s.wait_domain("netdd", lambda d: d["state"] in ("running", "blocked"))
    check(rc == 0 and d and d["state"] in ("running", "blocked"), "restart brings netdd back", str(d) + err)
    ok, out = s.echo("client1")
    check(ok, "client1 echoes again", out)

    # errors: clear, on stderr, non-zero
    for args, want, code in ((["stats", "nope"], "no domain 'nope'", 1),
                             (["restart", "bad/name"], "bad domain name", 1),
                             (["raw", "frobnicate"], "unknown command 'frobnicate'", 1),
                             (["raw", "inject netdd melt"], "unknown kind 'melt'", 1),
                             (["raw", "inject nope kill"], "no domain 'nope'", 1),
                             (["raw", "list extra"], "usage: list", 1),
                             (["frobnicate"], "invalid choice", 2)):
        rc, out, err = s.ctl(*args)
        check(rc == code and want in out + err, "error for %s" % " ".join(args), "rc %d: %s%s" % (rc, out, err))
    env = dict(os.environ, DDHV_CTL=os.path.join(s.wdir, "nothing.sock"))
    r = subprocess.run([sys.executable, DDHVCTL, "list"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    check(r.returncode == 2 and "cannot connect" in r.stderr, "no socket: error", r.stderr)

    # hostile bytes on the channel
    garbage(s)
    doms = s.domains()
    check(doms.get("netdd", {}).get("state") in ("running", "blocked"), "list works after garbage", str(doms))
    ok, out = s.echo("client1")
    check(ok, "client1 echoes after garbage", out)

    # shutdown ends the run cleanly
    rc, out, err = s.ctl("shutdown")
    check(rc == 0, "shutdown accepted", out + err)
    try:
        s.qemu.wait(timeout=120)
    except subprocess.TimeoutExpired:
        pass
    check(s.qemu.returncode == 33 and "HV-RESULT: PASS shutdown asked for by the control channel" in s.console(),
          "shutdown: HV-RESULT PASS and QEMU exit 33", "rc %s" % s.qemu.returncode)
    check("PANIC" not in s.console(), "no panic")


if __name__ == "__main__":
    sys.exit(main())
