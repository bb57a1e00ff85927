#!/usr/bin/env python3
"""`make run` as a new user runs it (issue 14): no input, bounded by a
timeout here. It must boot the default system (scenarios/nic.scn), print a UDP
forward per client and the control socket, and a host load generator must get
echoes through the printed forward; tools/ddhvctl must reach it through the
printed socket; Ctrl-C (SIGINT) must end it and QEMU with it.
"""
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
fails = []


def check(ok, what, detail=""):
    print("%s %s%s" % ("ok  " if ok else "FAIL", what, "" if ok else ": " + detail), flush=True)
    if not ok:
        fails.append(what)


def main():
    os.makedirs(os.path.dirname(SOCK), exist_ok=True)
    proc = subprocess.Popen(["make", "-s", "run", "CTL=" + SOCK], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            universal_newlines=True, start_new_session=True)
    out = []
    reader = threading.Thread(target=lambda: out.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    text = lambda: "".join(out)
    end = time.time() + 120
    while time.time() < end and proc.poll() is None and "Stop with Ctrl-C" not in text():
        time.sleep(0.2)
    fwd = dict(re.findall(r"^(client\d) echoes on udp 127\.0\.0\.1:(\d+)", text(), re.M))
    check(set(fwd) == {"client1", "client2"}, "forwards printed for client1 and client2", text()[-2000:])
    check(("socket %s" % SOCK) in text(), "control socket printed")
    for name, port in sorted(fwd.items()):
        # loadgen waits (warm-up, 60 s) for the client to attach after boot
        r = subprocess.run([os.path.join(ROOT, "build", "tools", "loadgen"), "--port", port,
                            "--count", "200", "--timeout-ms", "500", "--max-seconds", "60",
                            "--warmup-seconds", "60"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        lout = r.stdout.strip()
        check(r.returncode == 0 and "echoed=200" in lout, "%s echoes through the printed forward" % name, lout)
    r = subprocess.run([os.path.join(ROOT, "tools", "ddhvctl"), "--socket", SOCK, "list"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    check(r.returncode == 0 and re.search(r"\bnetdd\s+driver\b", r.stdout) is not None,
          "ddhvctl list through the printed socket", r.stdout)
    check(proc.poll() is None, "make run still up")
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # make itself dies of the SIGINT, as at a terminal; the runner must stop QEMU.
    end = time.time() + 30
    while time.time() < end and reader.is_alive():
        time.sleep(0.2)
    gone = False
    so = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        so.connect(SOCK)
    except OSError:
        gone = True             # nobody listens on the control socket: QEMU is gone
    so.close()
    check("stopping QEMU" in text() and gone, "Ctrl-C ends make run and QEMU", text()[-500:])
    print("make_run: %d checks failed" % len(fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
