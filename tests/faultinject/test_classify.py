"""The outcome classifier on recorded and synthetic consoles: each file in
consoles/ carries its plan ('#plan fault ...') and the expected outcome of
every fault ('#expect ID OUTCOME [recovery_ms=X]'), and the faulted domain when it
is not netdd ('#driver NAME')."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "faultinject"))
import classify  # noqa: E402

CONSOLES = os.path.join(HERE, "consoles")


def load_case(path, driver=None):
    plan, expect, console = [], {}, []
    with open(path, errors="replace", newline="") as f:
        for line in f.read().split("\n"):
            if line.startswith("#plan "):
                plan.append(classify.parse_plan_line(line[6:]))
            elif line.startswith("#driver ") and driver is not None:
                driver.append(line.split()[1])
            elif line.startswith("#expect "):
                w = line.split()
                rec = [float(x.split("=")[1]) for x in w[3:] if x.startswith("recovery_ms=")]
                expect[int(w[1])] = (w[2], rec[0] if rec else None)
            elif not line.startswith("#"):
                console.append(line)
    return plan, expect, console


class Consoles(unittest.TestCase):
    def test_every_console(self):
        files = sorted(f for f in os.listdir(CONSOLES) if f.endswith(".console"))
        self.assertGreaterEqual(len(files), 10)
        for name in files:
            with self.subTest(console=name):
                drv = []
                plan, expect, console = load_case(os.path.join(CONSOLES, name), drv)
                self.assertTrue(plan and set(expect) == {f.id for f in plan},
                                "every planned fault needs an #expect")
                got = classify.classify(console, plan, driver=(drv or ["netdd"])[0])
                self.assertEqual(set(got), set(expect))
                for fid, (outcome, rec) in expect.items():
                    self.assertEqual(got[fid].outcome, outcome, "fault %d: %r" % (fid, got[fid]))
                    if rec is None:
                        self.assertIsNone(got[fid].recovery_ms, "fault %d" % fid)
                    else:
                        self.assertAlmostEqual(got[fid].recovery_ms, rec, places=3)

    def test_disk_windows(self):
        """diskverify's window lines: each counts for its own generation's fault only."""
        drv = []
        plan, _, console = load_case(os.path.join(CONSOLES, "disk_silent_corruption.console"), drv)
        got = classify.classify(console, plan, driver="diskdd")
        self.assertEqual(got[1].outcome, "silent_corruption")
        self.assertIn("acknowledged sectors lost", got[1].why)
        self.assertEqual(got[0].outcome, "no_effect")
        self.assertEqual(got[2].outcome, "recovered_transparent")
        # The window's longest wait is a client-visible stall above stall_ms.
        plan, _, console = load_case(os.path.join(CONSOLES, "disk_recorded.console"), drv)
        got = classify.classify(console, plan, driver="diskdd", stall_ms=200)
        self.assertEqual(got[1].outcome, "recovered_visible")
        self.assertIn("waited 301 ms", got[1].why)
        self.assertEqual(got[2].outcome, "recovered_transparent")

    def test_bounds_are_parameters(self):
        plan, _, console = load_case(os.path.join(CONSOLES, "visible_loss.console"))
        got = classify.classify(console, plan, bound=200, stall_ms=3000)
        self.assertEqual(got[1].outcome, "recovered_transparent")
        self.assertEqual(got[3].outcome, "recovered_transparent")
        got = classify.classify(console, plan, bound=2, stall_ms=10)
        self.assertEqual(got[1].outcome, "recovered_visible")

    def test_string_input_and_other_driver_name(self):
        plan, _, console = load_case(os.path.join(CONSOLES, "recovered_transparent.console"))
        got = classify.classify("\n".join(console), plan)
        self.assertEqual(got[17].outcome, "recovered_transparent")
        # Named as another domain, netdd's crash is no longer the faulted driver's.
        got = classify.classify(console, plan, driver="nvmedd")
        self.assertEqual(got[17].outcome, "isolation_breach")

    def test_exactly_one_known_outcome_even_for_garbage(self):
        plan = [classify.parse_plan_line(
            "fault id=%d domain=netdd gen=%d after=1 addr=0x100000 orig=90 new=cc type=nop" % (i, i))
            for i in (1, 2, 3)]
        for console in ([], ["\x00\xff garbage", "fi: fault x applied"], ["HV-RESULT: PASS"]):
            got = classify.classify(console, plan)
            self.assertEqual(sorted(got), [1, 2, 3])
            for o in got.values():
                self.assertIn(o.outcome, classify.OUTCOMES)

    def test_plan_lines(self):
        f = classify.parse_plan_line("fault id=7 domain=netdd gen=3 after=10 addr=0x1000 "
                                     "orig=7405 new=7505 type=branch  # comment")
        self.assertEqual((f.id, f.gen, f.type), (7, 3, "branch"))
        self.assertEqual(classify.parse_plan_line(f.with_gen(1).line()).gen, 1)
        self.assertIsNone(classify.parse_plan_line("   # only a comment"))
        with self.assertRaises(ValueError):
            classify.parse_plan_line("fault id=7 domain=netdd")

    def test_loadgen_line(self):
        kv = classify.parse_loadgen("loadgen: label=gen2 port=1 window=1 sizes=1-1472 sent=10 "
                                    "echoed=9 lost=1 elapsed_s=1.5")
        self.assertEqual((kv["label"], kv["lost"], kv["elapsed_s"], kv["sizes"]),
                         ("gen2", 1, 1.5, "1-1472"))
        self.assertIsNone(classify.parse_loadgen("[client1] loadgen: label=x"))


if __name__ == "__main__":
    unittest.main()
