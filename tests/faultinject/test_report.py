"""Campaign statistics: the Wilson interval against known values, nearest-rank
percentiles, and a report built from a small CSV (tables, JSON, plots)."""
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "faultinject"))
import report  # noqa: E402


class Wilson(unittest.TestCase):
    def test_known_values(self):
        # Reference values: Wilson (1927), Newcombe (1998) table I, z = 1.96.
        cases = [((0, 10), (0.0, 0.2775)), ((5, 10), (0.2366, 0.7634)),
                 ((10, 10), (0.7225, 1.0)), ((81, 263), (0.2553, 0.3662)),
                 ((15, 148), (0.0624, 0.1605)), ((0, 20), (0.0, 0.1611)),
                 ((1, 29), (0.0061, 0.1718))]
        for (k, n), (lo, hi) in cases:
            with self.subTest(k=k, n=n):
                got = report.wilson(k, n)
                self.assertAlmostEqual(got[0], lo, places=4)
                self.assertAlmostEqual(got[1], hi, places=4)

    def test_edges(self):
        self.assertEqual(report.wilson(0, 0), (0.0, 1.0))
        lo, hi = report.wilson(990, 1000)
        self.assertTrue(lo < 0.99 < hi and hi <= 1.0)

    def test_percentile(self):
        v = list(range(1, 101))
        self.assertEqual(report.percentile(v, 50), 50)
        self.assertEqual(report.percentile(v, 99), 99)
        self.assertEqual(report.percentile([7.0], 99), 7.0)
        self.assertIsNone(report.percentile([], 50))


def row(i, t, outcome, rec="", act="yes"):
    return {"seed": "1", "id": str(i), "type": t, "addr": "0x1000", "orig": "90", "new": "cc",
            "trigger": "after=100 exits", "activated": act, "outcome": outcome,
            "recovery_ms": rec, "replay": "replay %d" % i, "detail": ""}


class Report(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_report_from_csv(self):
        rows = ([row(i, "nop", "recovered_transparent", "%d.5" % i) for i in range(1, 9)] +
                [row(9, "nop", "not_recovered"), row(10, "branch", "no_effect"),
                 row(11, "branch", "not_activated", act="no"),
                 row(12, "irq", "isolation_breach", "40")])
        csvp = os.path.join(self.dir, "faults.csv")
        report.append_rows(csvp, rows[:5])
        report.append_rows(csvp, rows[5:])      # appending keeps one header
        self.assertEqual(len(report.read_rows(csvp)), 12)
        s = report.write_report(self.dir, "test")
        self.assertEqual(s["faults"], 12)
        self.assertEqual(s["by_type"]["nop"]["n"], 9)
        self.assertEqual(s["by_type"]["nop"]["outcomes"]["recovered_transparent"]["count"], 8)
        self.assertEqual(s["activated"], 11)
        # 8 transparent recoveries + 1 not recovered + 1 breach with a recovery time
        self.assertEqual(s["activated_failures"]["n"], 10)
        self.assertEqual(s["activated_failures"]["recovered_transparent"], 8)
        self.assertEqual(s["recovery_ms"]["n"], 9)
        self.assertEqual(s["recovery_ms"]["max"], 40.0)
        self.assertEqual(s["recovery_ms"]["median"], 5.5)
        self.assertEqual([x["id"] for x in s["replay"]], [9, 12])
        with open(os.path.join(self.dir, "summary.json")) as f:
            self.assertEqual(json.load(f)["faults"], 12)
        with open(os.path.join(self.dir, "report.md")) as f:
            md = f.read()
        self.assertIn("| nop | 9 | 0 | 0 | 8 (88.9%, 56.5-98.0) |", md)
        self.assertIn("`replay 9`", md)
        self.assertIn("`replay 12`", md)
        self.assertIn("not_recovered", report.table(s))

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot not installed (make deps)")
    def test_plots_are_pngs(self):
        report.append_rows(os.path.join(self.dir, "faults.csv"),
                           [row(1, "nop", "recovered_transparent", "12.5"),
                            row(2, "irq", "no_effect")])
        s = report.write_report(self.dir)
        self.assertEqual(s["plot_errors"], [])
        for p in ("outcomes.png", "recovery_cdf.png"):
            with open(os.path.join(self.dir, p), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


if __name__ == "__main__":
    unittest.main()
