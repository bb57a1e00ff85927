"""tests/qemu/tests.conf as tests/run.py reads it: '#' starts a comment only
at the start of a line or after whitespace, so a value such as
grep=restart_netdd_#1 keeps its '#1' (it used to check only 'restart netdd ',
which the fault-injection tests' restarts of any number matched)."""
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import run as testrun  # noqa: E402  tests/run.py


class TestsConf(unittest.TestCase):
    def test_hash_inside_a_value_is_kept(self):
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write("# a comment line\n"
                    "   # an indented comment line\n"
                    "t1  scn  PASS grep=restart_netdd_#1 regex=a#b   # trailing comment\n"
                    "t2  scn  PASS grep=x\t# comment after a tab\n")
        try:
            tests = testrun.qemu_tests(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual([t.test for t in tests], ["t1", "t2"])
        self.assertEqual(tests[0].grep, ["restart netdd #1"])
        self.assertEqual(tests[0].regex, ["a#b"])
        self.assertEqual(tests[1].grep, ["x"])

    def test_real_conf_keeps_its_hashes(self):
        tests = {t.test: t for t in testrun.qemu_tests(
            os.path.join(ROOT, "tests", "qemu", "tests.conf"))}
        self.assertIn("restart netdd #1", tests["net_crash_pf"].grep)
        self.assertIn("EXCEPTION #PF (vector 14)", tests["hv_fault"].grep)


if __name__ == "__main__":
    unittest.main()
