"""Campaign results: faults.csv (one row per fault), summary.json, report.md
with per-type outcome counts and 95% Wilson score intervals, recovery-time
statistics, and two gnuplot PNGs. Standard library only (plus the gnuplot
program for the plots).

    python3 tools/faultinject/report.py DIR     rebuild DIR's report from DIR/faults.csv
"""
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classify import OUTCOMES  # noqa: E402

# docs/faultinject.md section 4's columns, in order; 'detail' (why the classifier chose
# the outcome) is one more at the end.
COLUMNS = ("seed", "id", "type", "addr", "orig", "new", "trigger", "activated", "outcome",
           "recovery_ms", "replay", "detail")
# Table order: code types, then site types by family (others follow by name).
TYPES = ("regsrc", "regdst", "pointer", "interface", "branch", "bitflip", "nop", "init", "irq",
         "dma_wild", "dma_irqwin", "irq_storm", "irq_lost", "dev_stop", "desc_len", "desc_status",
         "hang_irqon", "hang_irqoff", "wd_starve",
         "proto_garbage", "proto_back", "proto_ahead", "proto_badid", "evt_storm")
Z95 = 1.959963984540054   # two-sided 95% normal quantile


def wilson(k, n, z=Z95):
    """Wilson score interval (lo, hi) for k successes in n trials; (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, c - h), min(1.0, c + h)


def percentile(sorted_vals, pct):
    """Nearest rank (as tools/loadgen.c): the smallest value with pct% of the samples at or below."""
    if not sorted_vals:
        return None
    rank = max(1, math.ceil(len(sorted_vals) * pct / 100.0))
    return sorted_vals[rank - 1]


def _complete(data, path):
    """data (a CSV's bytes) up to its last line end: a row cut while being written
    (SIGTERM at a time limit, a full disk) is not a row. Says so on stderr."""
    end = data.rfind(b"\n") + 1
    if end < len(data):
        print("report: %s: ignoring a truncated last row (%d bytes without a line end); "
              "its fault counts as not done" % (path, len(data) - end), file=sys.stderr)
    return data[:end]


def read_rows(path):
    """The CSV's complete rows: a truncated last line, and a row without every
    column (cut, or glued), are left out."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        text = _complete(f.read(), path).decode("utf-8", "replace")
    rows = []
    for r in csv.DictReader(io.StringIO(text, newline="")):
        if None in r or None in r.values() or not r.get("id", "").isdigit():
            print("report: %s: ignoring a malformed row (id %r)" % (path, r.get("id")),
                  file=sys.stderr)
            continue
        rows.append(r)
    return rows


def append_rows(path, rows):
    """Append rows (dicts with COLUMNS) to the CSV, writing the header for a new file.
    One write() of whole lines, so that a writer killed at any moment leaves whole
    rows; a truncated last line left by an earlier writer is cut off first (only
    one process appends to a CSV: a campaign refuses to run on a folder twice)."""
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=COLUMNS)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            with open(path, "rb") as f:
                end = len(_complete(f.read(), path))
            if end < size:
                os.ftruncate(fd, end)
                size = end
        if not size:
            w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in COLUMNS})
        data = buf.getvalue().encode()
        n = os.write(fd, data)
        while n < len(data):        # a regular file takes it whole; never lose the rest
            n += os.write(fd, data[n:])
        os.fsync(fd)
    finally:
        os.close(fd)


def _counts(rows):
    c = {o: 0 for o in OUTCOMES}
    for r in rows:
        c[r["outcome"]] += 1
    return c


def _stats(rows):
    n = len(rows)
    c = _counts(rows)
    return {"n": n, "outcomes": {o: {"count": c[o], "fraction": c[o] / n if n else 0.0,
                                     "wilson95": list(wilson(c[o], n))} for o in OUTCOMES}}


def summarize(rows):
    """The summary.json dict for a list of CSV rows."""
    types = [t for t in TYPES if any(r["type"] == t for r in rows)]
    types += sorted({r["type"] for r in rows} - set(types))
    rec = sorted(float(r["recovery_ms"]) for r in rows if r.get("recovery_ms"))
    act = [r for r in rows if r["activated"] == "yes"]
    # Faults that made the driver fail (a recovery time, or never back).
    failed = [r for r in act if r.get("recovery_ms") or r["outcome"] == "not_recovered"]
    transparent = sum(r["outcome"] == "recovered_transparent" for r in failed)
    return {
        "faults": len(rows),
        "all": _stats(rows),
        "by_type": {t: _stats([r for r in rows if r["type"] == t]) for t in types},
        "activated": len(act),
        "activated_failures": {"n": len(failed), "recovered_transparent": transparent,
                               "wilson95": list(wilson(transparent, len(failed)))},
        "recovery_ms": {"n": len(rec), "median": percentile(rec, 50),
                        "p99": percentile(rec, 99), "max": rec[-1] if rec else None},
        "replay": [{"id": int(r["id"]), "outcome": r["outcome"], "command": r["replay"]}
                   for r in rows if r["outcome"] in ("not_recovered", "silent_corruption",
                                                     "isolation_breach")],
    }


def _cell(s):
    if not s["count"]:
        return "0"
    lo, hi = s["wilson95"]
    return "%d (%.1f%%, %.1f-%.1f)" % (s["count"], 100 * s["fraction"], 100 * lo, 100 * hi)


def _fmt(v):
    return "-" if v is None else "%.1f" % v


def markdown(summary, title, plots):
    o = ["# " + title, ""]
    a = summary["activated_failures"]
    o.append("%d faults, %d activated. Of the %d activated faults that made the driver fail, "
             "%d recovered transparently (95%% Wilson interval %.1f%%-%.1f%%)." % (
                 summary["faults"], summary["activated"], a["n"], a["recovered_transparent"],
                 100 * a["wilson95"][0], 100 * a["wilson95"][1]))
    o += ["", "## Outcomes by fault type", "",
          "Each cell: count (share of the type's faults, 95% Wilson score interval in %).", "",
          "| type | faults | " + " | ".join(OUTCOMES) + " |",
          "|---|---:|" + "---:|" * len(OUTCOMES)]
    for t, s in list(summary["by_type"].items()) + [("**all**", summary["all"])]:
        o.append("| %s | %d | %s |" % (t, s["n"], " | ".join(_cell(s["outcomes"][x])
                                                             for x in OUTCOMES)))
    r = summary["recovery_ms"]
    o += ["", "## Recovery time", "",
          "From the failure's detection to the restarted driver's first forwarded packet, "
          "over the %d faults that made the driver fail and were recovered." % r["n"], "",
          "| median | p99 | max |", "|---:|---:|---:|",
          "| %s ms | %s ms | %s ms |" % (_fmt(r["median"]), _fmt(r["p99"]), _fmt(r["max"]))]
    if plots:
        o += ["", "## Plots", ""] + ["![%s](%s)" % (p, p) for p in plots]
    o += ["", "## Not recovered, silent corruption and isolation breaches", ""]
    if not summary["replay"]:
        o.append("None.")
    for x in summary["replay"]:
        o.append("- fault %d, %s: `%s`" % (x["id"], x["outcome"], x["command"]))
    return "\n".join(o) + "\n"


def _gnuplot(script, cwd):
    gp = shutil.which("gnuplot")
    if not gp:
        return "gnuplot not found (make deps installs gnuplot-nox)"
    r = subprocess.run([gp], input=script, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    return r.stdout if r.returncode else ""


def plots(summary, rows, outdir):
    """outcomes.png (stacked bars per type) and recovery_cdf.png; returns (made, errors)."""
    made, errors = [], []
    with open(os.path.join(outdir, "outcomes.dat"), "w") as f:
        f.write("type " + " ".join(OUTCOMES) + "\n")
        for t, s in summary["by_type"].items():
            f.write(t + " " + " ".join(str(s["outcomes"][o]["count"]) for o in OUTCOMES) + "\n")
    colors = ["#bbbbbb", "#88ccee", "#44aa99", "#ddcc77", "#cc6677", "#ee7733", "#882255"]
    script = ("set terminal pngcairo noenhanced size 900,500\nset output 'outcomes.png'\n"
              "set title 'Outcome by fault type'\nset style data histograms\n"
              "set style histogram rowstacked\nset style fill solid border -1\n"
              "set boxwidth 0.7\nset key outside right\nset ylabel 'faults'\n"
              "set yrange [0:*]\nplot " +
              ", ".join("'outcomes.dat' using %d:xtic(1) title columnheader(%d) lc rgb '%s'" %
                        (i + 2, i + 2, colors[i]) for i in range(len(OUTCOMES))) + "\n")
    if summary["by_type"]:
        err = _gnuplot(script, outdir)
        (errors.append("outcomes.png: " + err) if err else made.append("outcomes.png"))
    rec = sorted(float(r["recovery_ms"]) for r in rows if r.get("recovery_ms"))
    with open(os.path.join(outdir, "recovery.dat"), "w") as f:
        for i, v in enumerate(rec, 1):
            f.write("%.3f %.6f\n" % (v, i / len(rec)))
    if rec:
        script = ("set terminal pngcairo noenhanced size 800,500\nset output 'recovery_cdf.png'\n"
                  "set title 'Recovery time (failure detected to first packet forwarded)'\n"
                  "set xlabel 'ms'\nset ylabel 'fraction of recovered failures'\n"
                  "set yrange [0:1.02]\nset grid\nset key off\n"
                  "plot 'recovery.dat' using 1:2 with steps lw 2\n")
        err = _gnuplot(script, outdir)
        (errors.append("recovery_cdf.png: " + err) if err else made.append("recovery_cdf.png"))
    return made, errors


def write_report(outdir, title="Fault-injection campaign"):
    """summary.json, report.md and the plots from outdir/faults.csv; returns the summary."""
    rows = read_rows(os.path.join(outdir, "faults.csv"))
    rows.sort(key=lambda r: int(r["id"]))
    summary = summarize(rows)
    made, errors = plots(summary, rows, outdir)
    summary["plot_errors"] = errors
    with open(os.path.join(outdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(outdir, "report.md"), "w") as f:
        f.write(markdown(summary, title, made))
    return summary


def table(summary):
    """The outcome table as plain text, for the terminal."""
    w = max([len(t) for t in summary["by_type"]] + [5])
    head = "%-*s %6s  " % (w, "type", "faults") + "  ".join(OUTCOMES)
    lines = [head]
    for t, s in list(summary["by_type"].items()) + [("all", summary["all"])]:
        lines.append("%-*s %6d  " % (w, t, s["n"]) +
                     "  ".join("%*d" % (len(o), s["outcomes"][o]["count"]) for o in OUTCOMES))
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py DIR   (DIR holds faults.csv)")
    s = write_report(sys.argv[1])
    print(table(s))
    for e in s["plot_errors"]:
        print("plot: " + e)
