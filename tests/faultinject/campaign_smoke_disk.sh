#!/bin/sh
# The campaign smoke for TARGET=disk (tests/faultinject/campaign_smoke.sh is
# the NIC's): one fault of every type fimut offers for diskdd (code and site
# faults), K=8 per boot, one boot at a time, through the whole path (fimut,
# the fault plan, the hypervisor's injection, diskverify's windows, the
# classifier, the report). Checks: every fault exactly one outcome, every
# type exactly once, the report and plots exist, no site fault (a device,
# DMA, protocol or hang fault, which the system must contain) comes out as
# silent_corruption, and a fault known to crash the driver (ud2 over the
# prologue of blkback_poll, which diskdd runs on every pass of its loop,
# with requests in flight) comes out recovered_transparent with 0 lost
# acknowledged writes and 0 corrupt sectors in its window.
ROOT=${DDHV_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=$ROOT/build/campaign-smoke-disk
rm -rf "$OUT"
cd "$ROOT" || exit 1
TYPES=$("$ROOT/build/tools/fimut" --list-types --elf "$ROOT/build/guest/diskdd.elf" |
	awk '$2 ~ /^[0-9]+$/ && $2 > 0 { print $1 }' | paste -sd, -)
SITES=$("$ROOT/build/tools/fimut" --list-types --elf "$ROOT/build/guest/diskdd.elf" |
	awk '$2 ~ /^[0-9]+$/ && $2 > 0 && /site fault/ { print $1 }' | paste -sd, -)
NTYPES=$(echo "$TYPES" | tr , '\n' | wc -l)
python3 tools/campaign.py --target disk --n "$NTYPES" --types "$TYPES" --seed 11 -j 1 --faults-per-boot 8 \
	--quiet-ms 1000 --boot-timeout 240 --out "$OUT" \
	--add-fault "fault id=900000 domain=diskdd gen=1 after=2000 addr=@diskdd:blkback_poll@ orig=554889e5 new=0f0b9090 type=nop" \
	>"$OUT.log" 2>&1 || { cat "$OUT.log"; echo "campaign smoke (disk): the campaign failed"; exit 1; }
python3 - "$OUT" "$TYPES" "$SITES" <<'PY'
import collections, csv, glob, json, os, re, sys
sys.path.insert(0, "tools/faultinject")
import classify
out, types, sites = sys.argv[1], sys.argv[2].split(","), set(sys.argv[3].split(","))
rows = list(csv.DictReader(open(os.path.join(out, "faults.csv"))))
fails = []
ids = [r["id"] for r in rows]
want = len(types) + 1
if len(rows) != want or len(set(ids)) != want:
    fails.append("want %d faults with distinct ids, got %s" % (want, ids))
per_type = collections.Counter(r["type"] for r in rows if r["id"] != "900000")
for t in types:
    if per_type[t] != 1:
        fails.append("type %s: %d faults, want exactly 1" % (t, per_type[t]))
need = {"dma_wild", "dev_stop", "desc_status", "irq_lost", "hang_irqoff", "wd_starve",
        "proto_ahead", "proto_garbage", "proto_badid"}
if not need <= sites:
    fails.append("site types missing from diskdd: %s" % sorted(need - sites))
for r in rows:
    if r["outcome"] not in classify.OUTCOMES:
        fails.append("fault %s: outcome %r" % (r["id"], r["outcome"]))
    if r["type"] in sites and r["outcome"] == "silent_corruption":
        fails.append("site fault %s (%s): silent_corruption: %s" % (r["id"], r["type"], r["detail"]))
known = [r for r in rows if r["id"] == "900000"]
if not known or known[0]["outcome"] != "recovered_transparent":
    fails.append("the known crash: %s" % (known[0] if known else "missing"))
# Its window: the generation it was applied to, in the boot that ran it.
win = gen = None
for c in glob.glob(os.path.join(out, "boots", "*", "console.txt")):
    text = open(c, errors="replace").read()
    g = re.search(r"fi: fault 900000 applied to diskdd generation (\d+)", text)
    if g:
        gen = g.group(1)
        m = re.search(r"diskverify: window %s: ops (\d+), errors (\d+), lost (\d+), "
                      r"corrupt (\d+)" % gen, text)
        win = m.groups() if m else None
if not win or win[2:] != ("0", "0") or win[0] == "0":
    fails.append("the known crash's window (generation %s; ops, errors, lost, corrupt): %s"
                 % (gen, win))
json.load(open(os.path.join(out, "summary.json")))
for f in ("report.md", "outcomes.png", "recovery_cdf.png"):
    p = os.path.join(out, f)
    if not os.path.exists(p) or os.path.getsize(p) == 0:
        fails.append("%s missing" % f)
for r in rows:
    print("campaign smoke (disk): fault %s %s %s" % (r["id"], r["type"], r["outcome"]))
print("campaign smoke (disk): %d checks failed" % len(fails))
for f in fails:
    print("  " + f)
sys.exit(1 if fails else 0)
PY
