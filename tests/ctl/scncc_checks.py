#!/usr/bin/env python3
"""What the scenario compiler and `make run` check before any boot (issue
14): a missing image (the available ones listed), memory beyond the machine
(with the QEMU_MEM hint), a device the machine lacks, a device outside a
driver domain; each ends non-zero with the reason in words. No QEMU."""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCNCC = os.path.join(ROOT, "build", "tools", "scncc")
MACHINE = os.path.join(ROOT, "tests", "qemu", "machines", "nic_disk.machine")
fails = []

BASE = """scenario t
machine nic_disk
domain netdd
    image   %s
    memory  %s
    role    %s
    device  %s
    args    clients=c
domain c
    image   udpecho
    memory  4M
    args    backend=netdd ip=10.0.2.15
"""


def case(what, fields, want, extra=(), run=False):
    with tempfile.TemporaryDirectory() as d:
        scn = os.path.join(d, "t.scn")
        with open(scn, "w") as f:
            f.write(BASE % fields)
        if run:
            cmd = [sys.executable, os.path.join(ROOT, "tools", "run_scenario.py"), scn,
                   "--ctl", os.path.join(d, "ctl.sock"), "--check-only"]   # never boots
        else:
            cmd = [SCNCC, scn, "-o", os.path.join(d, "t.bin")] + list(extra)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, env=dict(os.environ, QEMU_MEM="256M"))
    ok = r.returncode != 0 and all(w in r.stdout for w in want)
    print("%s %s%s" % ("ok  " if ok else "FAIL", what, "" if ok else ": rc %d: %s" % (r.returncode, r.stdout)))
    if not ok:
        fails.append(what)


good = ("netdd", "4M", "driver", "8086:100e")
imgdir = ["--image-dir", os.path.join(ROOT, "build", "guest")]
case("missing image, the available ones listed", ("netdd2",) + good[1:],
     ["no image 'netdd2'", "images in", " udpecho"], imgdir)
case("memory beyond the machine", ("netdd", "512M", "driver", "8086:100e"),
     ["domains need 526 MiB", "the machine has 256 MiB", "raise QEMU_MEM"], ["--ram", "256M"])
case("device the machine lacks", ("netdd", "4M", "driver", "8086:10d3"),
     ["device 8086:10d3 is not in the machine"], ["--machine", MACHINE])
case("device outside a driver domain", ("netdd", "4M", "client", "8086:100e"),
     ["has devices but is not 'role driver'"])
case("make run refuses before boot: memory", ("netdd", "512M", "driver", "8086:100e"),
     ["raise QEMU_MEM"], run=True)
case("make run refuses before boot: image", ("nosuch",) + good[1:], ["no image 'nosuch'"], run=True)
print("scncc_checks: %d checks failed" % len(fails))
sys.exit(1 if fails else 0)
