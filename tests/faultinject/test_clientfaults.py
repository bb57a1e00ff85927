"""Client faults in a campaign (docs/faultinject.md, CHANGE fclient): a cl_* fault
goes alone into a boot, into the client's generation 1, while the driver faults
of each K positions share a boot; with the built fimut, the merged type list
keeps driver faults the same faults and names the client domain for cl_* ones."""
import contextlib
import io
import os
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

FIMUT = os.path.join(ROOT, "build", "tools", "fimut")
ELFS = [os.path.join(ROOT, "build", "guest", n + ".elf") for n in ("netdd", "udpecho")]


def fault(i, dom, typ):
    return classify.Fault(i, dom, 1, 2000, "0x%x" % (0x100000 + i), "0f1f440000",
                          "e800000000", typ)


class Grouping(unittest.TestCase):
    def test_client_faults_alone_driver_faults_k_per_boot(self):
        fs = [fault(0, "netdd", "nop"), fault(1, "client1", "cl_ahead"), fault(2, "netdd", "irq"),
              fault(3, "netdd", "branch"), fault(4, "client1", "cl_back"),
              fault(5, "netdd", "nop")]
        got = [[f.id for f in g] for g in campaign.boot_groups(fs, 2)]
        self.assertEqual(got, [[0], [1], [2, 3], [5], [4]])

    def test_run_campaign_boots_a_client_fault_alone_in_generation_1(self):
        boots, lock = [], threading.Lock()

        def boot(plan, wdir):
            with lock:
                boots.append([(f.id, f.domain, f.gen) for f in plan])
            c = []
            for f in plan:
                c += ["fi: fault %d applied to %s generation %d at %s after 2000 exits "
                      "(t=1.000 ms)" % (f.id, f.domain, f.gen, f.addr),
                      "fi: fault %d activated at %s (t=2.000 ms)" % (f.id, f.addr)]
            return "\n".join(c + ["fi: plan done", "HV-RESULT: PASS fi_nic"]) + "\n"

        d = tempfile.mkdtemp()
        try:
            a = campaign.parse_args(["--n", "5", "--seed", "1", "-j", "1",
                                     "--faults-per-boot", "4", "--out", os.path.join(d, "c")])
            fs = [fault(0, "netdd", "nop"), fault(1, "client1", "cl_garbage"),
                  fault(2, "netdd", "irq"), fault(3, "client1", "cl_badid"),
                  fault(4, "netdd", "branch")]
            with contextlib.redirect_stdout(io.StringIO()):
                campaign.run_campaign(a, fs, boot, "netdd", progress_out=io.StringIO())
            rows = {int(r["id"]): r for r in report.read_rows(os.path.join(d, "c", "faults.csv"))}
        finally:
            shutil.rmtree(d)
        self.assertIn([(1, "client1", 1)], boots)
        self.assertIn([(3, "client1", 1)], boots)
        self.assertIn([(0, "netdd", 1), (2, "netdd", 2)], boots)
        self.assertIn([(4, "netdd", 1)], boots)
        self.assertEqual(len(boots), 4)
        self.assertEqual(rows[1]["outcome"], "no_effect")
        self.assertEqual(rows[3]["outcome"], "no_effect")
        self.assertIn("--only-fault 3", rows[3]["replay"])


@unittest.skipUnless(os.path.exists(FIMUT) and all(map(os.path.exists, ELFS)),
                     "needs make all (build/tools/fimut and the guest images)")
class WithFimut(unittest.TestCase):
    def test_merged_types_ids_and_domains(self):
        a = campaign.parse_args(["--n", "60", "--seed", "5"])
        tgt = campaign.TARGETS["nic"]
        ctypes = campaign.client_types(a, tgt)
        self.assertEqual(sorted(ctypes),
                         ["cl_ahead", "cl_back", "cl_badid", "cl_evtstorm", "cl_garbage"])
        dtypes = [t for t in campaign.fimut_types(tgt) if t not in campaign.PLATFORM_LIMITED]
        self.assertFalse(set(dtypes) & set(ctypes), "client type names collide with the driver's")
        every = dtypes + ctypes
        fs = campaign.fimut_faults(a, tgt)
        self.assertEqual([f.id for f in fs], list(range(60)))
        for f in fs:
            self.assertEqual(f.type, every[f.id % len(every)])
            self.assertEqual(f.domain, "client1" if f.type in ctypes else "netdd")
        # A driver fault is the fault fimut makes for that id and type without client types.
        a.types = ",".join(dtypes)
        alone = {f.id: f for f in campaign.fimut_faults(a, tgt)}
        for f in fs:
            if f.domain == "netdd" and alone[f.id].type == f.type:
                self.assertEqual(alone[f.id].with_gen(1).line(), f.with_gen(1).line())
        # A range and a replay see the same faults as the whole list.
        a.types = "all"
        part = campaign.fimut_faults(a, tgt, 23, 31)
        self.assertEqual([f.with_gen(1).line() for f in part],
                         [f.with_gen(1).line() for f in fs[23:31]])
        a.types = "cl_ahead,nop"
        two = campaign.fimut_faults(a, tgt, 0, 4)
        self.assertEqual([(f.type, f.domain) for f in two],
                         [("cl_ahead", "client1"), ("nop", "netdd")] * 2)


if __name__ == "__main__":
    unittest.main()
