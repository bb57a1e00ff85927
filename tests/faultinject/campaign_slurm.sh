#!/bin/sh
# campaign.py --slurm on a one-node Slurm (tools/slurm-local.sh) must give
# the same result as the same campaign run locally: the same fault ids, each
# once, identical fault columns and replay commands, identical outcomes.
#
# The campaign: fimut faults 0..2 of seed 1 with --after 0, drawn from site
# fault types whose outcome does not depend on where a code fault happens to
# land in this build (proto_badid, irq_storm, dma_wild: here no_effect,
# not_activated, no_effect; with --after 0 the wild receive finds no frame
# in its quiet period), the known crash of campaign_smoke.sh
# and a fault in code a campaign never runs (netdd's rogue-DMA helper: not
# activated); K=2, so 3 boots, run as 3 shards one at a time (%1: one QEMU
# at a time, as the machine's slot rules want). Their outcomes are
# reproducible under TCG, so outcomes and "activated" are compared exactly;
# recovery times are host timing and are compared only for presence. (Random
# code faults gave too few kinds of outcome once netdd's code changed.)
#
# Shard t0002 is made to fail first (its folder is a plain file, so its task
# exits at once): the submitting command must name the missing range, exit
# non-zero and print a resume command; that command, run as printed, must
# resubmit only that shard and then merge.
ROOT=${DDHV_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=$ROOT/build/campaign-slurm
cd "$ROOT" || exit 1
rm -rf "$OUT"
mkdir -p "$OUT"
SL=$(mktemp -d /tmp/ddhv-slurm.XXXXXX) || exit 1
cleanup() {
	tools/slurm-local.sh stop "$SL"
	rm -rf "$SL"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "campaign slurm: $*"
	exit 1
}

tools/slurm-local.sh start "$SL" 2>"$OUT/slurm-start.log" ||
	{ cat "$OUT/slurm-start.log" "$SL"/log/*.log 2>/dev/null | tail -40; fail "the local Slurm did not start"; }
export SLURM_CONF="$SL/slurm.conf"

KNOWN="fault id=900000 domain=netdd gen=1 after=1000 addr=@netdd:e1000_rx_poll@ orig=554889e5 new=0f0b9090 type=nop"
COLD="fault id=900001 domain=netdd gen=1 after=1000 addr=@netdd:nicfaults_rogue_receive@ orig=55 new=90 type=nop"
campaign() {
	python3 tools/campaign.py --target nic --n 3 --seed 1 --after 0 -j 1 --faults-per-boot 2 \
		--types proto_badid,irq_storm,dma_wild \
		--quiet-ms 300 --boot-timeout 240 --add-fault "$KNOWN" --add-fault "$COLD" "$@"
}

campaign --out "$OUT/local" >"$OUT/local.log" 2>&1 ||
	{ cat "$OUT/local.log"; fail "the local campaign failed"; }

# Shard 2 (positions 4:5, the cold fault) cannot write its folder: its task fails.
mkdir -p "$OUT/slurm/shards"
: >"$OUT/slurm/shards/t0002"
if campaign --out "$OUT/slurm" --slurm --shards 3 --throttle 1 --poll-seconds 1 \
	>"$OUT/slurm1.log" 2>&1; then
	cat "$OUT/slurm1.log"
	fail "a campaign with a failed array task exited 0"
fi
grep -q "shard t0002: positions 4:5, 1 of 1 faults missing" "$OUT/slurm1.log" ||
	{ cat "$OUT/slurm1.log"; fail "the failed task's range is not named"; }
grep -q "shard t000[01]:" "$OUT/slurm1.log" &&
	{ cat "$OUT/slurm1.log"; fail "shards that completed are named as missing"; }
again=$(sed -n 's/^campaign: to run the missing shards again and merge: //p' "$OUT/slurm1.log")
[ -n "$again" ] || { cat "$OUT/slurm1.log"; fail "no resume command printed"; }
[ ! -e "$OUT/slurm/faults.csv" ] || fail "an incomplete campaign was merged"

rm -f "$OUT/slurm/shards/t0002"
eval "$again" >"$OUT/slurm2.log" 2>&1 ||
	{ cat "$OUT/slurm2.log"; fail "the resumed Slurm campaign failed"; }
grep -q "^# Submitted as: .*--array=2%1 " "$OUT/slurm/slurm-job.sh" ||
	{ grep "Submitted" "$OUT/slurm/slurm-job.sh"; fail "the resume did not resubmit shard 2 alone"; }

python3 - "$OUT" <<'PY'
import collections, csv, json, os, sys
out = sys.argv[1]
loc_dir, sl_dir = os.path.join(out, "local"), os.path.join(out, "slurm")
def rows(d):
    return list(csv.DictReader(open(os.path.join(d, "faults.csv"))))
loc, sl = rows(loc_dir), rows(sl_dir)
fails = []
want = ["0", "1", "2", "900000", "900001"]
for name, rs in (("local", loc), ("slurm", sl)):
    n = collections.Counter(r["id"] for r in rs)
    if sorted(n, key=int) != want or set(n.values()) != {1}:
        fails.append("%s: fault ids %s, want each of %s once" % (name, dict(n), want))
if [r["id"] for r in sl] != sorted((r["id"] for r in sl), key=int):
    fails.append("slurm: rows not sorted by id")
# Replay commands name the campaign's --out: the same command up to that folder.
fix = lambda s: s.replace(sl_dir, loc_dir)
by_id = {r["id"]: r for r in loc}
for r in sl:
    l = by_id.get(r["id"])
    if not l:
        continue
    for c in ("seed", "id", "type", "addr", "orig", "new", "trigger", "activated", "outcome"):
        if r[c] != l[c]:
            fails.append("fault %s: %s %r (slurm) != %r (local)" % (r["id"], c, r[c], l[c]))
    if fix(r["replay"]) != l["replay"]:
        fails.append("fault %s: replay %r != %r" % (r["id"], r["replay"], l["replay"]))
    if bool(r["recovery_ms"]) != bool(l["recovery_ms"]):
        fails.append("fault %s: recovery time %r vs %r" % (r["id"], r["recovery_ms"], l["recovery_ms"]))
# Not a vacuous comparison: several outcomes, and the known crash recovered.
if len({r["outcome"] for r in loc}) < 3:
    fails.append("local outcomes %s: too few kinds to compare" % [r["outcome"] for r in loc])
if by_id.get("900000", {}).get("outcome") != "recovered_transparent":
    fails.append("the known crash was not recovered transparently (local)")
if by_id.get("900001", {}).get("outcome") != "not_activated":
    fails.append("the fault in code a campaign never runs was activated (local)")
s_loc = json.load(open(os.path.join(loc_dir, "summary.json")))
s_sl = json.load(open(os.path.join(sl_dir, "summary.json")))
for k in ("faults", "activated", "all", "by_type"):
    if s_loc[k] != s_sl[k]:
        fails.append("summary.json %s differs (slurm vs local)" % k)
for f in ("report.md", "outcomes.png", "recovery_cdf.png", "slurm-job.sh",
          "shards/t0000/faults.csv", "shards/t0001/faults.csv", "shards/t0002/faults.csv"):
    p = os.path.join(sl_dir, f)
    if not os.path.exists(p) or os.path.getsize(p) == 0:
        fails.append("slurm: %s missing" % f)
for r in sl:
    print("campaign slurm: fault %s %s %s" % (r["id"], r["type"], r["outcome"]))
print("campaign slurm: %d checks failed" % len(fails))
for f in fails:
    print("  " + f)
sys.exit(1 if fails else 0)
PY
