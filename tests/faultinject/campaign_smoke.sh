#!/bin/sh
# A small real campaign through the whole path (fimut, the fault plan, the
# hypervisor's injection, the load, the classifier, the report): one fault of
# every type fimut offers for the driver domain (code and site faults, in
# boots of 8, one boot at a time). Usage: campaign_smoke.sh [nic|disk]
# (campaign_smoke_disk.sh is "disk"). Checks, for both: every fault exactly
# one outcome, every type exactly once, the report and plots exist, and a
# fault known to crash the driver (ud2 over the prologue of a function its
# loop runs on every pass) comes out recovered_transparent.
#   nic: netdd, loaded by the load generator; the known crash is in
#     e1000_rx_poll. The client's types (cl_*, fimut on udpecho) come after
#     netdd's, one fault each, each alone in a boot into client1.
#   disk: diskdd, loaded by diskverify; the known crash is in blkback_poll
#     (with requests in flight), and its window must show 0 lost acknowledged
#     writes and 0 corrupt sectors. No site fault (a device, DMA, protocol or
#     hang fault, which the system must contain) may come out as
#     silent_corruption.
TARGET=${1:-nic}
ROOT=${DDHV_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
list_types() {          # image, awk condition: the types fimut offers there
	"$ROOT/build/tools/fimut" --list-types --elf "$ROOT/build/guest/$1.elf" |
		awk '$2 ~ /^[0-9]+$/ && $2 > 0 && '"$2"' { print $1 }' | paste -sd, -
}
case $TARGET in
nic)
	OUT=$ROOT/build/campaign-smoke
	WHO="campaign smoke"
	# shellcheck disable=SC2016 # an awk condition
	TYPES=$(list_types netdd 1),$(list_types udpecho '$1 ~ /^cl_/')
	SITES=
	EXTRA="--stall-seconds 30"
	KNOWN="fault id=900000 domain=netdd gen=1 after=1000 addr=@netdd:e1000_rx_poll@ orig=554889e5 new=0f0b9090 type=nop"
	;;
disk)
	OUT=$ROOT/build/campaign-smoke-disk
	WHO="campaign smoke (disk)"
	TYPES=$(list_types diskdd 1)
	SITES=$(list_types diskdd '/site fault/')
	EXTRA=
	KNOWN="fault id=900000 domain=diskdd gen=1 after=2000 addr=@diskdd:blkback_poll@ orig=554889e5 new=0f0b9090 type=nop"
	;;
*)
	echo "usage: $0 [nic|disk]"
	exit 2
	;;
esac
rm -rf "$OUT"
NTYPES=$(echo "$TYPES" | tr , '\n' | wc -l)
# shellcheck disable=SC2086 # EXTRA is a list of options
python3 tools/campaign.py --target "$TARGET" --n "$NTYPES" --types "$TYPES" --seed 11 -j 1 --faults-per-boot 8 \
	--quiet-ms 1000 $EXTRA --boot-timeout 240 --out "$OUT" --add-fault "$KNOWN" \
	>"$OUT.log" 2>&1 || { cat "$OUT.log"; echo "$WHO: the campaign failed"; exit 1; }
python3 - "$OUT" "$TYPES" "$SITES" "$TARGET" "$WHO" <<'PY'
import collections, csv, glob, json, os, re, sys
sys.path.insert(0, "tools/faultinject")
import classify
out, types, target, who = sys.argv[1], sys.argv[2].split(","), sys.argv[4], sys.argv[5]
sites = set(sys.argv[3].split(",")) if sys.argv[3] else set()
rows = list(csv.DictReader(open(os.path.join(out, "faults.csv"))))
fails = []


def check_nic():
    """netdd and the client: enough types, and each cl_ fault alone in client1."""
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


def check_disk():
    """diskdd: its site types, no silent corruption from them, and the known
    crash's window (the generation it was applied to, in the boot that ran it)."""
    need = {"dma_wild", "dev_stop", "desc_status", "irq_lost", "hang_irqoff", "wd_starve",
            "proto_ahead", "proto_garbage", "proto_badid"}
    if not need <= sites:
        fails.append("site types missing from diskdd: %s" % sorted(need - sites))
    for r in rows:
        if r["type"] in sites and r["outcome"] == "silent_corruption":
            fails.append("site fault %s (%s): silent_corruption: %s" % (r["id"], r["type"], r["detail"]))
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


ids = [r["id"] for r in rows]
want = len(types) + 1
if len(rows) != want or len(set(ids)) != want:
    fails.append("want %d faults with distinct ids, got %s" % (want, ids))
per_type = collections.Counter(r["type"] for r in rows if r["id"] != "900000")
for t in types:
    if per_type[t] != 1:
        fails.append("type %s: %d faults, want exactly 1" % (t, per_type[t]))
{"nic": check_nic, "disk": check_disk}[target]()
# A NIC campaign has no data to check, so no silent_corruption outcome.
outcomes = set(classify.OUTCOMES) - ({"silent_corruption"} if target == "nic" else set())
for r in rows:
    if r["outcome"] not in outcomes:
        fails.append("fault %s: outcome %r" % (r["id"], r["outcome"]))
known = [r for r in rows if r["id"] == "900000"]
if not known or known[0]["outcome"] != "recovered_transparent":
    fails.append("the known crash: %s" % (known[0] if known else "missing"))
json.load(open(os.path.join(out, "summary.json")))
for f in ("report.md", "outcomes.png", "recovery_cdf.png"):
    p = os.path.join(out, f)
    if not os.path.exists(p) or os.path.getsize(p) == 0:
        fails.append("%s missing" % f)
for r in rows:
    print("%s: fault %s %s %s" % (who, r["id"], r["type"], r["outcome"]))
print("%s: %d checks failed" % (who, len(fails)))
for f in fails:
    print("  " + f)
sys.exit(1 if fails else 0)
PY
