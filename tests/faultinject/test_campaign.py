"""tools/campaign.py end to end with a fake boot (a function that writes the
console a boot with that plan would have printed) and a stub fault generator
in place of build/tools/fimut: grouping K faults per boot in generations
1..K, one CSV row per fault, resume, replay of one fault, faults a boot never
reached run again, the progress line, the report."""
import contextlib
import io
import os
import random
import shlex
import shutil
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import campaign  # noqa: E402
import classify  # noqa: E402
import report  # noqa: E402


def stub_faults(a, target, lo=0, hi=None):
    """Deterministic from the seed, like fimut; ids 1000..1000+n-1 (positions lo..hi-1)."""
    rnd = random.Random(a.seed)
    types = a.types.split(",")
    out = []
    for i in range(a.n):
        if not lo <= i < (a.n if hi is None else hi):
            rnd.randrange(5000), rnd.randrange(0x8000)
            continue
        out.append(classify.Fault(1000 + i, target["driver"], 1 + i, 100 + rnd.randrange(5000),
                                  "0x%x" % (0x100000 + rnd.randrange(0x8000)), "7405", "7505",
                                  types[i % len(types)]))
    return out


# What fault id % 5 does in the fake machine.
BEHAVIOUR = {0: "recovered_transparent", 1: "no_effect", 2: "not_activated",
             3: "recovered_visible", 4: "recovered_transparent"}


class FakeMachine:
    """boot(plan, wdir) -> console. The fault with id `hang` stops the console dead."""

    def __init__(self, hang=None):
        self.hang, self.boots, self.lock = hang, [], threading.Lock()

    def __call__(self, plan, wdir):
        with self.lock:
            self.boots.append([(f.id, f.gen) for f in plan])
        assert os.path.isdir(wdir)
        c = ["hv: domain 1 (netdd) created: 4 MiB, image netdd, entry 0x100000, generation 1",
             "hv: domain 2 (client1) created: 4 MiB, image udpecho, entry 0x100000, generation 1"]
        load = []
        t = 100.0
        for f in plan:
            g = f.gen
            c.append("fi: fault %d applied to netdd generation %d at %s after %d exits (t=%.3f ms)"
                     % (f.id, g, f.addr, f.after, t))
            if f.id == self.hang:
                c.append("fi: fault %d activated at %s (t=%.3f ms)" % (f.id, f.addr, t))
                return "\n".join(c) + "\n"
            kind = f.id % 5
            if kind != 2:
                c.append("fi: fault %d activated at %s (t=%.3f ms)" % (f.id, f.addr, t + 1))
            if kind in (0, 3, 4):
                c.append("hv: domain 1 (netdd) crashed: triple fault")
            else:
                c.append("fi: fault %d quiet: no failure within 2000 ms of run time; "
                         "restarting for the next fault" % f.id)
                c.append("hv: domain 1 (netdd) crashed: fi: next fault")
                if kind == 2:
                    c.append("fi: fault %d not activated: generation %d ended (t=%.3f ms)"
                             % (f.id, g, t + 5))
            c.append("hv: domain 1 (netdd) created: 4 MiB, image netdd, entry 0x100000, "
                     "generation %d" % (g + 1))
            c.append("hv: restart netdd #%d (generation %d): failure detected at %.3f ms +0 us, "
                     "backoff 0 us, device reset +1 us, domain started +2 us, backend connected "
                     "+3 us, first packet forwarded +%d us; cause: x" % (g, g + 1, t, 40000 + f.id))
            lost = 100 if kind == 3 else 2
            load.append("loadgen: label=gen%d port=1 window=1 sizes=256-256 sent=500 echoed=%d "
                        "lost=%d late=0 dup=0 corrupt=0 bursts=1 longest_burst=%d elapsed_s=1.0"
                        % (g, 500 - lost, lost, lost))
            t += 1000
        c += ["fi: plan done", "hv: domain 2 (client1) exited with code 0", "HV-RESULT: PASS fi_nic"]
        return "\n".join(c + load) + "\n"


class Campaign(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.out = os.path.join(self.dir, "c")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_main(self, extra, machine):
        args = ["--n", "20", "--seed", "7", "-j", "2", "--faults-per-boot", "4",
                "--out", self.out] + extra
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            a = campaign.parse_args(args)
            tgt = campaign.TARGETS[a.target]
            s = campaign.run_campaign(a, stub_faults(a, tgt), machine, tgt["driver"],
                                      progress_out=err)
        return s, err.getvalue()

    def rows(self):
        return report.read_rows(os.path.join(self.out, "faults.csv"))

    def test_campaign_resume_and_replay(self):
        m = FakeMachine()
        s, progress = self.run_main([], m)
        self.assertEqual(len(m.boots), 5)
        for b in m.boots:       # K faults per boot, in generations 1..K
            self.assertEqual([g for _, g in b], list(range(1, len(b) + 1)))
        rows = self.rows()
        self.assertEqual(sorted(int(r["id"]) for r in rows), list(range(1000, 1020)))
        for r in rows:
            self.assertEqual(r["outcome"], BEHAVIOUR[int(r["id"]) % 5], r)
            self.assertEqual(r["activated"], "no" if int(r["id"]) % 5 == 2 else "yes")
            self.assertEqual(r["seed"], "7")
        self.assertEqual(s["faults"], 20)
        self.assertIn("faults/h", progress)
        self.assertIn("20/20 faults", progress)
        for f in ("report.md", "summary.json", "faults.csv"):
            self.assertTrue(os.path.exists(os.path.join(self.out, f)), f)
        # Refuses to overwrite; --resume with everything done boots nothing.
        with self.assertRaises(SystemExit):
            self.run_main([], FakeMachine())
        m2 = FakeMachine()
        self.run_main(["--resume"], m2)
        self.assertEqual(m2.boots, [])
        # Lose the last 6 rows: --resume boots exactly those faults again.
        path = os.path.join(self.out, "faults.csv")
        with open(path) as f:
            lines = f.readlines()
        with open(path, "w") as f:
            f.writelines(lines[:-6])
        lost = {int(r.split(",")[1]) for r in lines[-6:]}
        m3 = FakeMachine()
        self.run_main(["--resume"], m3)
        self.assertEqual({i for b in m3.boots for i, _ in b}, lost)
        self.assertEqual(sorted(int(r["id"]) for r in self.rows()), list(range(1000, 1020)))

    def test_unreached_faults_run_again_and_replay_command(self):
        m = FakeMachine(hang=1005)
        self.run_main(["--faults-per-boot", "8"], m)
        rows = {int(r["id"]): r for r in self.rows()}
        self.assertEqual(sorted(rows), list(range(1000, 1020)))
        self.assertEqual(rows[1005]["outcome"], "isolation_breach")
        # 1006, 1007 were in the boot that died: booted again, then classified.
        again = [b for b in m.boots if b[0][0] == 1006]
        self.assertEqual(len(again), 1)
        self.assertEqual(again[0], [(1006, 1), (1007, 2)])
        self.assertEqual(rows[1006]["outcome"], BEHAVIOUR[1006 % 5])
        # The breach's replay command names exactly that fault; run it.
        cmd = shlex.split(rows[1005]["replay"])
        self.assertEqual(cmd[:2], ["python3", "tools/campaign.py"])
        a = campaign.parse_args(cmd[2:])
        self.assertEqual((a.only_fault, a.seed, a.n), (1005, 7, 20))
        with open(os.path.join(self.out, "report.md")) as f:
            self.assertIn(rows[1005]["replay"], f.read())
        m2 = FakeMachine()
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            campaign.main(cmd[2:-2] + ["--out", os.path.join(self.dir, "r")],
                          gen_faults=stub_faults, boot=m2)
        self.assertEqual(m2.boots, [[(1005, 1)]])
        self.assertIn("recovered_transparent", out.getvalue())  # healthy this time

    def test_never_reached_twice_gives_up(self):
        class Dead(FakeMachine):
            def __call__(self, plan, wdir):
                super().__call__(plan, wdir)
                return "hv: ddhv driver-domain hypervisor starting\nHV-RESULT: PASS fi_nic\n"
        m = Dead()
        self.run_main(["--n", "2", "--faults-per-boot", "2"], m)
        rows = {int(r["id"]): r for r in self.rows()}
        self.assertEqual(sorted(rows), [1000, 1001])
        for r in rows.values():
            self.assertEqual(r["outcome"], "not_activated")
            self.assertIn("never applied in 3 boots", r["detail"])
        self.assertEqual(len(m.boots), 3)
        # A boot that dies in its first fault: that one is the breach, the next runs again.
        shutil.rmtree(self.out)
        self.run_main(["--n", "2", "--faults-per-boot", "2"], FakeMachine(hang=1000))
        rows = {int(r["id"]): r for r in self.rows()}
        self.assertEqual(rows[1000]["outcome"], "isolation_breach")
        self.assertEqual(rows[1001]["outcome"], BEHAVIOUR[1001 % 5])


if __name__ == "__main__":
    unittest.main()
