"""tools/faultinject/slurm.py and campaign.py's --range without Slurm: shards
are whole boots covering the campaign once (also for 1,000,000 faults within
Slurm's default MaxArraySize), --range picks positions (fimut's faults, then
--add-fault lines), the shard checks find missing and duplicated faults, the
row counter reads only what was appended. With a fake sbatch/squeue: a resume
refuses while the earlier array job is still queued, repairs identical
duplicated rows and names the lines of differing ones; a resume with another
campaign identity, or --slurm over a local campaign, is refused; % in the
results folder is refused. CSV rows: one write per append, a truncated last
row is not a row. tools/slurm-local.sh against fake daemons: stop cancels the
jobs and waits for their processes, start refuses while any daemon runs or
for a folder slurm.conf cannot carry. The real thing (a one-node Slurm,
compared with a local run) is tests/faultinject/campaign_slurm.sh."""
import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import campaign  # noqa: E402
import identity  # noqa: E402
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


SHARD_ARGS = ["--n", "6", "--seed", "7", "-j", "1", "--faults-per-boot", "2",
              "--add-fault", "fault id=900000 domain=netdd gen=1 after=1000 "
              "addr=0x100000 orig=55 new=cc type=nop"]
IDS = list(range(1000, 1006)) + [900000]


class FakeSlurm:
    """sbatch and squeue on PATH: sbatch logs its arguments and answers job 4242;
    squeue prints the file `queue` (task states), or fails when `down` exists."""

    def __init__(self, d):
        self.bin = os.path.join(d, "bin")
        os.makedirs(self.bin)
        self.calls, self.queue = os.path.join(d, "sbatch.calls"), os.path.join(d, "queue")
        self.down = os.path.join(d, "down")
        self.fake("sbatch", 'echo "$*" >>%s; echo "4242;cluster"' % self.calls)
        self.fake("squeue", '[ -e %s ] && { echo "squeue: error: timeout" >&2; exit 1; }\n'
                            'cat %s 2>/dev/null; exit 0' % (self.down, self.queue))
        self.set_queue("")

    def fake(self, name, body):
        p = os.path.join(self.bin, name)
        with open(p, "w") as f:
            f.write("#!/bin/sh\n" + body + "\n")
        os.chmod(p, 0o755)

    def set_queue(self, text):
        with open(self.queue, "w") as f:
            f.write(text)

    def submissions(self):
        if not os.path.exists(self.calls):
            return []
        with open(self.calls) as f:
            return f.read().splitlines()

    def env(self):
        return mock.patch.dict(os.environ, {"PATH": self.bin + os.pathsep + os.environ["PATH"]})


class SlurmResume(unittest.TestCase):
    """slurm.run against the fake Slurm; the shards' rows come from --range runs
    with the fake machine (as the array's tasks would write them)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.out = os.path.join(self.dir, "c")
        self.sl = FakeSlurm(self.dir)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def args(self, extra=()):
        return campaign.parse_args(SHARD_ARGS + ["--out", self.out, "--slurm", "--shards", "3",
                                                 "--poll-seconds", "0"] + list(extra))

    def slurm_run(self, extra=()):
        """(SystemExit message or None, stderr). A wait for a job in the fake queue is
        stopped at its first sleep, as by Ctrl-C."""
        err = io.StringIO()
        sleep = mock.patch.object(slurm.time, "sleep", side_effect=KeyboardInterrupt)
        with self.sl.env(), sleep, contextlib.redirect_stderr(err):
            try:
                slurm.run(self.args(extra), IDS, ["true"], "t", campaign.Progress, "again")
            except SystemExit as e:
                return str(e.code), err.getvalue()
        return None, err.getvalue()

    def run_range(self, rng, t):
        a = campaign.parse_args(SHARD_ARGS + ["--out", self.out, "--range", rng,
                                              "--shard-dir", slurm.shard_dir(self.out, t)])
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            campaign.main_local(a, campaign.TARGETS["nic"], stub_faults, FakeMachine())

    def csv(self, t):
        return os.path.join(slurm.shard_dir(self.out, t), "faults.csv")

    def test_resume_waits_for_the_old_job(self):
        # Submitted, then Ctrl-C while the tasks run: the job id is in OUT/shards.
        self.sl.set_queue("RUNNING\nRUNNING\nPENDING\n")
        msg, _ = self.slurm_run()
        self.assertIn("stopped waiting; Slurm job 4242 goes on", msg)
        self.assertEqual(len(self.sl.submissions()), 1)
        with open(os.path.join(self.out, "shards", "job.txt")) as f:
            self.assertEqual(f.read().strip(), "4242")
        # An immediate --resume: refused while squeue still shows the job.
        msg, _ = self.slurm_run(["--resume"])
        self.assertIn("Slurm job 4242", msg or "")
        self.assertIn("still in the queue", msg)
        self.assertEqual(len(self.sl.submissions()), 1, "resubmitted while the old job runs")
        # squeue failing: refused too, saying what to delete once the job is known done.
        os.mknod(self.sl.down)
        msg, _ = self.slurm_run(["--resume"])
        self.assertIn("squeue failed", msg or "")
        self.assertIn(os.path.join(self.out, "shards", "job.txt"), msg)
        os.unlink(self.sl.down)
        self.assertEqual(len(self.sl.submissions()), 1)
        # The job is done (its tasks wrote shards 0 and 2): resume submits shard 1 alone.
        self.sl.set_queue("")
        self.run_range("0:2", 0)
        self.run_range("4:7", 2)
        msg, err = self.slurm_run(["--resume"])
        self.assertIn("shard t0001: positions 2:4", err)
        self.assertEqual(len(self.sl.submissions()), 2)
        self.assertIn("--array=1 ", self.sl.submissions()[1])
        self.assertFalse(os.path.exists(os.path.join(self.out, "shards", "job.txt")))

    def test_duplicated_rows(self):
        for rng, t in (("0:2", 0), ("2:4", 1), ("4:7", 2)):
            self.run_range(rng, t)
        os.makedirs(os.path.join(self.out, "shards"), exist_ok=True)
        slurm.write_layout(self.out, 2, slurm.layout(7, 2, 3))
        identity.write(self.out, identity.of(self.args(), 2), "slurm")
        # Two runs of shard 1 at once wrote its rows twice, identical: one is kept.
        rows1 = report.read_rows(self.csv(1))
        report.append_rows(self.csv(1), rows1)
        msg, err = self.slurm_run(["--resume"])
        self.assertIsNone(msg, msg)
        self.assertIn("shard t0001: removed 2 duplicated rows", err)
        self.assertEqual(len(report.read_rows(self.csv(1))), 2)
        self.assertEqual(self.sl.submissions(), [])
        merged = report.read_rows(os.path.join(self.out, "faults.csv"))
        self.assertEqual([int(r["id"]) for r in merged], IDS)
        # Copies that differ: the message names the file and the lines to delete.
        other = dict(rows1[0], outcome="no_effect", detail="other run")
        report.append_rows(self.csv(1), [other])
        msg, _ = self.slurm_run(["--resume"])
        self.assertIn("fault %s twice, with different results (lines 2, 4 of %s)" %
                      (rows1[0]["id"], self.csv(1)), msg or "")

    def test_identity_and_local_campaigns(self):
        self.sl.set_queue("")
        msg, err = self.slurm_run()        # every shard fails: incomplete, exit 1
        self.assertEqual(msg, "1")
        self.assertIn("to run the missing shards again and merge: again", err)
        for opt, val, name in (("--seed", "8", "--seed 7 (this run: 8)"),
                               ("--types", "nop", "--types all (this run: nop)"),
                               ("--quiet-ms", "300", "--quiet-ms 1000 (this run: 300)")):
            msg, _ = self.slurm_run(["--resume", opt, val])
            self.assertIn(name, msg or "", opt)
        self.assertEqual(len(self.sl.submissions()), 1)
        # Not resumable without --slurm, nor --slurm over a local campaign.
        a = campaign.parse_args(SHARD_ARGS + ["--out", self.out, "--resume"])
        with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit) as e:
            campaign.main_local(a, campaign.TARGETS["nic"], stub_faults, FakeMachine())
        self.assertIn("run with --slurm", str(e.exception.code))
        local = os.path.join(self.dir, "local")
        a = campaign.parse_args(SHARD_ARGS + ["--out", local])
        with contextlib.redirect_stderr(io.StringIO()):
            campaign.main_local(a, campaign.TARGETS["nic"], stub_faults, FakeMachine())
        self.out = local
        msg, _ = self.slurm_run(["--resume"])
        self.assertIn("locally (without --slurm)", msg or "")
        os.unlink(os.path.join(local, identity.FILE))     # an OUT from before campaign.json
        msg, _ = self.slurm_run(["--resume"])
        self.assertIn("local campaign's faults.csv", msg or "")
        self.assertEqual(len(self.sl.submissions()), 1)
        with open(os.path.join(local, "faults.csv")) as f:
            self.assertEqual(len(f.readlines()), 8)          # not overwritten

    def test_output_path(self):
        self.out = os.path.join(self.dir, "50%A")
        msg, _ = self.slurm_run()
        self.assertIn("'%'", msg or "")
        self.assertEqual(self.sl.submissions(), [])
        self.out = os.path.join(self.dir, "with space")
        self.slurm_run()
        sub = self.sl.submissions()[0]
        self.assertIn("--output=%s/shards/slurm-%%A_%%a.out" % self.out, sub)
        with open(os.path.join(self.out, "slurm-job.sh")) as f:
            self.assertNotIn("#SBATCH --output", f.read())

    def test_no_sbatch(self):
        with mock.patch.dict(os.environ, {"PATH": self.dir}), self.assertRaises(SystemExit) as e:
            slurm.run(self.args(), IDS, ["true"], "t", campaign.Progress, "again")
        self.assertIn("needs Slurm's sbatch and squeue on PATH", str(e.exception.code))


class Identity(unittest.TestCase):
    """A local --resume with other campaign options is refused, naming them."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.out = os.path.join(self.dir, "c")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_local(self, extra):
        a = campaign.parse_args(["--n", "6", "--seed", "7", "-j", "1", "--out", self.out] + extra)
        m = FakeMachine()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                campaign.main_local(a, campaign.TARGETS["nic"], stub_faults, m)
            except SystemExit as e:
                return str(e.code), m
        return None, m

    def test_resume_with_other_options(self):
        self.assertEqual(self.run_local([])[0], None)
        for extra, name in ((["--seed", "8"], "--seed 7 (this run: 8)"),
                            (["--types", "nop"], "--types all (this run: nop)"),
                            (["--after", "0"], "--after 2000 (this run: 0)"),
                            (["--faults-per-boot", "2"], "--faults-per-boot 8 (this run: 2)"),
                            (["--add-fault", "fault id=5 domain=netdd gen=1 after=1 addr=0x1 "
                              "orig=55 new=cc type=nop"], "--add-fault none (this run: ['fault")):
            msg, m = self.run_local(["--resume"] + extra)
            self.assertIn(name, msg or "", extra)
            self.assertEqual(m.boots, [])
        self.assertIsNone(self.run_local(["--resume"])[0])


class CsvRows(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "f.csv")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_one_write_of_whole_lines(self):
        writes = []
        real = os.write

        def spy(fd, data):
            writes.append(bytes(data))
            return real(fd, data)
        with mock.patch.object(report.os, "write", side_effect=spy):
            report.append_rows(self.path, [{"id": i, "detail": "x" * 5000} for i in range(3)])
            report.append_rows(self.path, [{"id": 3}])
        self.assertEqual(len(writes), 2)
        self.assertTrue(all(w.endswith(b"\n") for w in writes))
        self.assertEqual([r["id"] for r in report.read_rows(self.path)], ["0", "1", "2", "3"])

    def test_truncated_last_row(self):
        report.append_rows(self.path, [{"seed": 1, "id": 5, "outcome": "no_effect",
                                        "detail": "complete"},
                                       {"seed": 1, "id": 6, "outcome": "no_effect",
                                        "detail": "cut by SIGTERM here"}])
        with open(self.path, "rb+") as f:
            f.truncate(os.path.getsize(self.path) - 6)    # inside row 6's last column
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual([r["id"] for r in report.read_rows(self.path)], ["5"])
            self.assertIn("truncated last row", err.getvalue())
            c = slurm.RowCounter()
            self.assertEqual(c.count([self.path]), 1)
            # The next append does not glue onto the cut row.
            report.append_rows(self.path, [{"seed": 1, "id": 6, "detail": "again"}])
            rows = report.read_rows(self.path)
        self.assertEqual([(r["id"], r["detail"]) for r in rows], [("5", "complete"),
                                                                  ("6", "again")])
        self.assertEqual(c.count([self.path]), 2)

    def test_resume_reruns_a_cut_fault(self):
        out = os.path.join(self.dir, "c")
        args = ["--n", "4", "--seed", "7", "-j", "1", "--faults-per-boot", "2", "--out", out]
        a = campaign.parse_args(args)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            campaign.main_local(a, campaign.TARGETS["nic"], stub_faults, FakeMachine())
            path = os.path.join(out, "faults.csv")
            with open(path, "rb+") as f:
                f.truncate(os.path.getsize(path) - 3)
            m = FakeMachine()
            campaign.main_local(campaign.parse_args(args + ["--resume"]),
                                campaign.TARGETS["nic"], stub_faults, m)
            rows = report.read_rows(path)
        self.assertEqual(m.boots, [[(1003, 1)]])
        self.assertEqual(sorted(int(r["id"]) for r in rows), [1000, 1001, 1002, 1003])


SLURM_LOCAL = os.path.join(ROOT, "tools", "slurm-local.sh")


class SlurmLocal(unittest.TestCase):
    """tools/slurm-local.sh with sleeping processes as daemons and a job, and fake
    squeue, scancel, scontrol, munged, slurmctld, slurmd, sinfo."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.dir = os.path.join(self.tmp, "sl")
        os.makedirs(self.dir)
        self.bin = os.path.join(self.tmp, "bin")
        os.makedirs(self.bin)
        self.log = os.path.join(self.tmp, "log")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        shutil.rmtree(self.tmp)

    def fake(self, name, body):
        p = os.path.join(self.bin, name)
        with open(p, "w") as f:
            f.write("#!/bin/sh\n" + body + "\n")
        os.chmod(p, 0o755)

    def sleeper(self, pidfile=None):
        """A process to stand in for a daemon or a job; reaped as soon as it ends."""
        p = subprocess.Popen(["sleep", "300"])
        self.procs.append(p)
        threading.Thread(target=p.wait, daemon=True).start()
        if pidfile:
            with open(os.path.join(self.dir, pidfile), "w") as f:
                f.write("%d\n" % p.pid)
        return p

    def sh(self, *args, env=None):
        e = dict(os.environ, PATH=self.bin + os.pathsep + os.environ["PATH"], **(env or {}))
        return subprocess.run(["sh", SLURM_LOCAL] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, env=e)

    def alive(self, p):
        time.sleep(0.05)
        return p.poll() is None

    def test_stop_cancels_jobs_and_waits_for_them(self):
        d = {n: self.sleeper(n + ".pid") for n in ("slurmctld", "slurmd", "munged")}
        job = self.sleeper()
        self.fake("squeue", 'echo 77; echo 77')
        # scancel: note whether slurmd still ran, then end the job as slurmd would.
        self.fake("scancel", 'echo "scancel $* slurmd_alive=$(kill -0 %d 2>/dev/null && echo y)" '
                             '>>%s; kill %d' % (d["slurmd"].pid, self.log, job.pid))
        self.fake("scontrol", 'kill -0 %d 2>/dev/null || exit 0\necho "PID JOBID STEPID"\n'
                              'echo "%d 77 batch"' % (job.pid, job.pid))
        r = self.sh("stop", self.dir)
        self.assertEqual(r.returncode, 0, r.stdout)
        with open(self.log) as f:
            self.assertEqual(f.read(), "scancel 77 slurmd_alive=y\n")
        self.assertFalse(self.alive(job))
        for n, p in d.items():
            self.assertFalse(self.alive(p), n)

    def test_stop_kills_job_processes_that_outlive_scancel(self):
        for n in ("slurmctld", "slurmd", "munged"):
            self.sleeper(n + ".pid")
        job = self.sleeper()
        job.send_signal(signal.SIGSTOP)         # ignores SIGTERM-less scancel below
        self.fake("squeue", 'echo 77')
        self.fake("scancel", 'echo "scancel $*" >>%s' % self.log)
        self.fake("scontrol", 'kill -0 %d 2>/dev/null || exit 0\necho "PID JOBID STEPID"\n'
                              'echo "%d 77 batch"' % (job.pid, job.pid))
        r = self.sh("stop", self.dir, env={"SLURM_LOCAL_STOP_WAIT": "1"})
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("outlived scancel for 1 s; killing them", r.stdout)
        self.assertFalse(self.alive(job))

    def fake_daemons(self):
        for b in ("munged", "slurmctld", "slurmd"):
            self.fake(b, 'echo %s >>%s' % (b, self.log))
        self.fake("sinfo", "echo idle")

    def test_start_refuses_while_slurmd_runs(self):
        self.fake_daemons()
        self.sleeper("slurmd.pid")
        r = self.sh("start", self.dir)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("slurmd (pid", r.stdout)
        self.assertFalse(os.path.exists(self.log), "daemons started")

    def test_start_refuses_a_dir_slurm_conf_cannot_carry(self):
        self.fake_daemons()
        for name in ("with space", "50%h"):
            d = os.path.join(self.tmp, name)
            r = self.sh("start", d)
            self.assertNotEqual(r.returncode, 0, r.stdout)
            self.assertIn("slurm.conf cannot carry", r.stdout)
            self.assertFalse(os.path.exists(os.path.join(d, "slurm.conf")))
        self.assertFalse(os.path.exists(self.log), "daemons started")


if __name__ == "__main__":
    unittest.main()
