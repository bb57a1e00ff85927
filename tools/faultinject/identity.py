"""A campaign's identity, OUT/campaign.json: the options that decide which faults
it runs and how (target, seed, types, n, after, quiet, the --add-fault lines, K)
and how it was run (local, slurm, or shard: one Slurm task's folder). A
--resume with another identity would merge two campaigns into one faults.csv;
campaign.py and slurm.py refuse it, naming the differences. Standard library only.
"""
import json
import os

FILE = "campaign.json"
# Option names as the user types them, for the messages.
OPTION = {"target": "--target", "seed": "--seed", "types": "--types", "n": "--n",
          "after": "--after", "quiet_ms": "--quiet-ms", "add_fault": "--add-fault",
          "k": "--faults-per-boot"}


def of(a, k):
    """The identity of the campaign parse_args made, with K faults per boot."""
    return {"target": a.target, "seed": a.seed, "types": a.types, "n": a.n,
            "after": a.after, "quiet_ms": a.quiet_ms, "add_fault": list(a.add_fault), "k": k}


def read(folder):
    """(identity, mode) from folder/campaign.json, or None when it has none."""
    path = os.path.join(folder, FILE)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        d = json.load(f)
    return d["identity"], d["mode"]


def write(folder, ident, mode):
    path = os.path.join(folder, FILE)
    with open(path + ".tmp", "w") as f:
        json.dump({"identity": ident, "mode": mode}, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)


def differences(old, new):
    """['--seed 7 (this run: 8)', ...]: what differs, as options."""
    out = []
    for key in OPTION:
        if old.get(key) != new.get(key):
            out.append("%s %s (this run: %s)" % (OPTION[key], show(old.get(key)),
                                                 show(new.get(key))))
    return out


def show(v):
    if isinstance(v, list):
        return "[%s]" % ", ".join(repr(x) for x in v) if v else "none"
    return "none" if v is None else str(v)


def check(folder, ident, mode):
    """None when folder may be resumed as this campaign (recording the identity if it
    had none); else the reason it may not."""
    old = read(folder)
    if old is None:
        write(folder, ident, mode)
        return None
    oid, omode = old
    if omode != mode:
        how = {"local": "locally (without --slurm)", "slurm": "with --slurm",
               "shard": "as one Slurm task's shard"}
        return "%s holds a campaign run %s; this run is %s (resume it the same way, or use " \
               "another --out)" % (folder, how.get(omode, omode), how.get(mode, mode))
    diff = differences(oid, ident)
    if diff:
        return "%s holds another campaign: it was run with %s; resume it with the same " \
               "options, or use another --out" % (folder, "; ".join(diff))
    return None
