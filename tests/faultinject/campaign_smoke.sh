#!/bin/sh
# A small real campaign through the whole path (fimut, the fault plan, the
# hypervisor's injection, the load generator, the classifier, the report):
# one fault of every type fimut offers for netdd (code and site faults, in
# boots of 8): its accounting must hold, every type must have exactly one
# outcome, and a fault known to crash the driver (ud2 over the prologue of
# e1000_rx_poll, which runs on every pass of netdd's loop) must come out as
# recovered transparently. The client's types (cl_*, fimut on udpecho) come
# after netdd's, one fault each, each alone in a boot into client1.
ROOT=${DDHV_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=$ROOT/build/campaign-smoke
rm -rf "$OUT"
cd "$ROOT" || exit 1
TYPES=$("$ROOT/build/tools/fimut" --list-types --elf "$ROOT/build/guest/netdd.elf" |
	awk '$2 ~ /^[0-9]+$/ && $2 > 0 { print $1 }' | paste -sd, -)
CLTYPES=$("$ROOT/build/tools/fimut" --list-types --elf "$ROOT/build/guest/udpecho.elf" |
	awk '$1 ~ /^cl_/ && $2 ~ /^[0-9]+$/ && $2 > 0 { print $1 }' | paste -sd, -)
TYPES=$TYPES,$CLTYPES
NTYPES=$(echo "$TYPES" | tr , '\n' | wc -l)
python3 tools/campaign.py --target nic --n "$NTYPES" --types "$TYPES" --seed 11 -j 1 --faults-per-boot 8 \
	--quiet-ms 1000 --stall-seconds 30 --boot-timeout 240 --out "$OUT" \
	--add-fault "fault id=900000 domain=netdd gen=1 after=1000 addr=@netdd:e1000_rx_poll@ orig=554889e5 new=0f0b9090 type=nop" \
	>"$OUT.log" 2>&1 || { cat "$OUT.log"; echo "campaign smoke: the campaign failed"; exit 1; }
python3 - "$OUT" "$TYPES" <<'PY'
import collections, csv, json, os, sys
out, types = sys.argv[1], sys.argv[2].split(",")
classes = {"not_activated", "no_effect", "recovered_transparent", "recovered_visible",
           "not_recovered", "isolation_breach"}
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
if len(types) < 29:
    fails.append("only %d fault types offered for netdd and the client: %s" % (len(types), types))
cl = [r for r in rows if r["type"].startswith("cl_")]
if len(cl) != 5 or any(r["id"] == "900000" for r in cl):
    fails.append("client faults: want one of each of the 5 cl_ types, got %s" %
                 [r["type"] for r in cl])
for r in cl:
    plan = os.path.join(out, "boots", "b%06d" % int(r["id"]), "faultplan")
    lines = [x for x in open(plan).read().splitlines() if x.startswith("fault ")]
    if len(lines) != 1 or " domain=client1 gen=1 " not in lines[0]:
        fails.append("client fault %s not alone in client1's generation 1: %s" % (r["id"], lines))
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
