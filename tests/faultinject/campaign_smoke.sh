#!/bin/sh
# A small real campaign through the whole path (fimut, the fault plan, the
# hypervisor's injection, the load generator, the classifier, the report),
# one boot: its accounting must hold, and a fault known to crash the driver
# (ud2 over the prologue of e1000_rx_poll, which runs on every pass of
# netdd's loop) must come out as recovered transparently.
ROOT=${DDHV_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=$ROOT/build/campaign-smoke
rm -rf "$OUT"
cd "$ROOT" || exit 1
python3 tools/campaign.py --target nic --n 7 --seed 11 -j 1 --faults-per-boot 8 \
	--quiet-ms 300 --boot-timeout 240 --out "$OUT" \
	--add-fault "fault id=900000 domain=netdd gen=1 after=1000 addr=@netdd:e1000_rx_poll@ orig=554889e5 new=0f0b9090 type=nop" \
	>"$OUT.log" 2>&1 || { cat "$OUT.log"; echo "campaign smoke: the campaign failed"; exit 1; }
python3 - "$OUT" <<'PY'
import csv, json, os, sys
out = sys.argv[1]
classes = {"not_activated", "no_effect", "recovered_transparent", "recovered_visible",
           "not_recovered", "isolation_breach"}
rows = list(csv.DictReader(open(os.path.join(out, "faults.csv"))))
fails = []
ids = [r["id"] for r in rows]
if len(rows) != 8 or len(set(ids)) != 8:
    fails.append("want 8 faults with distinct ids, got %s" % ids)
for r in rows:
    if r["outcome"] not in classes:
        fails.append("fault %s: outcome %r" % (r["id"], r["outcome"]))
known = [r for r in rows if r["id"] == "900000"]
if not known or known[0]["outcome"] != "recovered_transparent":
    fails.append("the known crash: %s" % (known[0] if known else "missing"))
s = json.load(open(os.path.join(out, "summary.json")))
for f in ("report.md", "outcomes.png", "recovery_cdf.png"):
    p = os.path.join(out, f)
    if not os.path.exists(p) or os.path.getsize(p) == 0:
        fails.append("%s missing" % f)
for r in rows:
    print("campaign smoke: fault %s %s %s" % (r["id"], r["type"], r["outcome"]))
print("campaign smoke: %d checks failed" % len(fails))
for f in fails:
    print("  " + f)
sys.exit(1 if fails else 0)
PY
