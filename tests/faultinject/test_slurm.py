"""tools/faultinject/slurm.py and campaign.py's --range without Slurm: shards
are whole boots covering the campaign once (also for 1,000,000 faults within
Slurm's default MaxArraySize), --range picks positions (fimut's faults, then
--add-fault lines), the shard checks find missing and duplicated faults, the
row counter reads only what was appended. The real thing (a one-node Slurm,
compared with a local run) is tests/faultinject/campaign_slurm.sh."""
import contextlib
import io
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import campaign  # noqa: E402
import report  # noqa: E402
import slurm  # noqa: E402
from test_campaign import FakeMachine, stub_faults  # noqa: E402


class Layout(unittest.TestCase):
    def check(self, total, k, ranges):
        self.assertEqual(ranges[0][1], 0)
        self.assertEqual(ranges[-1][2], total)
        for (t0, _, hi0), (t1, lo1, _) in zip(ranges, ranges[1:]):
            self.assertEqual((t1, lo1), (t0 + 1, hi0))     # contiguous, no overlap
        for _, lo, hi in ranges:
            self.assertEqual(lo % k, 0)                     # whole boots
            self.assertLess(lo, hi)

    def test_small(self):
        self.assertEqual(slurm.layout(5, 2, 3), [(0, 0, 2), (1, 2, 4), (2, 4, 5)])
        self.assertEqual(slurm.layout(5, 2, 10), [(0, 0, 2), (1, 2, 4), (2, 4, 5)])
        self.assertEqual(slurm.layout(5, 8, 3), [(0, 0, 5)])
        for total, k, s in ((1001, 8, 7), (64, 64, 2), (17, 3, 4)):
            self.check(total, k, slurm.layout(total, k, s))

    def test_a_million_faults(self):
        s = slurm.default_shards(1000000, 8, 2)
        self.assertLessEqual(s, slurm.MAX_SHARDS)
        r = slurm.layout(1000000, 8, s)
        self.assertEqual(len(r), s)
        self.assertLessEqual(r[-1][0], 999)       # array index below MaxArraySize 1001
        self.check(1000000, 8, r)


class Shards(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.out = os.path.join(self.dir, "c")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_range(self, rng, t):
        a = campaign.parse_args(["--n", "6", "--seed", "7", "-j", "1", "--faults-per-boot", "2",
                                 "--out", self.out, "--range", rng,
                                 "--shard-dir", slurm.shard_dir(self.out, t),
                                 "--add-fault", "fault id=900000 domain=netdd gen=1 after=1000 "
                                 "addr=0x100000 orig=55 new=cc type=nop"])
        m = FakeMachine()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            campaign.main_local(a, campaign.TARGETS["nic"], stub_faults, m)
        return m

    def test_ranges_status_and_merge(self):
        ids = list(range(1000, 1006)) + [900000]
        ranges = slurm.layout(7, 2, 3)
        self.assertEqual(ranges, [(0, 0, 2), (1, 2, 4), (2, 4, 7)])
        m = self.run_range("0:2", 0)
        self.assertEqual(m.boots, [[(1000, 1), (1001, 2)]])
        m = self.run_range("4:7", 2)      # fimut's 4, 5 and the --add-fault line
        self.assertEqual(m.boots, [[(1004, 1), (1005, 2)], [(900000, 1)]])
        missing, errors = slurm.shard_status(self.out, ranges, ids)
        self.assertEqual((missing, errors), ({1: {1002, 1003}}, []))
        self.run_range("2:4", 1)
        self.assertEqual(slurm.shard_status(self.out, ranges, ids), ({}, []))
        s = slurm.merge(self.out, ranges, ids, "t")
        rows = report.read_rows(os.path.join(self.out, "faults.csv"))
        self.assertEqual([int(r["id"]) for r in rows], sorted(ids))
        self.assertEqual(s["faults"], 7)
        # Replay commands name the campaign's --out, not the shard's folder.
        for r in rows:
            self.assertIn("--out %s/replay-%s" % (self.out, r["id"]), r["replay"])
        # A fault in two shards, and one outside its shard's range, are errors.
        extra = report.read_rows(os.path.join(slurm.shard_dir(self.out, 0), "faults.csv"))
        report.append_rows(os.path.join(slurm.shard_dir(self.out, 1), "faults.csv"), extra[:1])
        _, errors = slurm.shard_status(self.out, ranges, ids)
        self.assertTrue(any("outside its range" in e for e in errors), errors)
        self.assertTrue(any("in shards t0000 and t0001" in e for e in errors), errors)

    def test_row_counter(self):
        p = os.path.join(self.dir, "f.csv")
        c = slurm.RowCounter()
        self.assertEqual(c.count([p]), 0)
        report.append_rows(p, [{"id": 1}, {"id": 2}])
        self.assertEqual(c.count([p]), 2)
        report.append_rows(p, [{"id": 3}])
        self.assertEqual(c.count([p]), 3)
        self.assertEqual(c.seen[p][0], os.path.getsize(p))

    def test_slurm_refuses_bad_shards_and_replays(self):
        with contextlib.redirect_stderr(io.StringIO()):
            with self.assertRaises(SystemExit):
                campaign.parse_args(["--slurm", "--only-fault", "3"])
            with self.assertRaises(SystemExit):
                campaign.parse_args(["--range", "5:5"])
            with self.assertRaises(SystemExit):
                campaign.parse_args(["--slurm", "--shards", "1001"])


if __name__ == "__main__":
    unittest.main()
