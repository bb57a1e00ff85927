#!/bin/sh
# tools/deps.sh against fake apt-get/dpkg-query/id/sleep: it waits while
# another installation holds the lock, gives up after DEPS_LOCK_WAIT, and
# fails at once on any other apt error. The Slurm packages are optional: a
# user who is not root gets a note and exit 0 when only they are missing,
# root installs them; no service starts during an install (a policy-rc.d
# answering 101 exists while apt-get runs, and is gone after; one that was
# there already is kept).
ROOT=${DDHV_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
DEPS=${DEPS_SCRIPT:-$ROOT/tools/deps.sh}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failed=0 checks=0

fake() { printf '#!/bin/sh\n%s\n' "$2" >"$T/bin/$1"; chmod +x "$T/bin/$1"; }
setup() {   # $1: how many apt-get calls report a held lock, $2: other error,
	    # $3: missing packages (a case pattern; default gdb), $4: uid (default 0)
	rm -rf "$T/bin" "$T/policy" && mkdir -p "$T/bin" && : >"$T/calls" && : >"$T/policy-seen"
	fake id "echo ${4:-0}"
	fake sleep ':'
	fake dpkg-query "case \"\$*\" in *\" ${3:-gdb}\") echo 'unknown ok not-installed';; *) echo 'install ok installed';; esac"
	fake apt-get "echo \"\$*\" >>$T/calls; n=\$(wc -l <$T/calls)
if [ -x $T/policy ]; then $T/policy; echo \$? >>$T/policy-seen; else echo none >>$T/policy-seen; fi
if [ \$n -le $1 ]; then echo 'E: Could not get lock /var/lib/apt/lists/lock. It is held by process 42 (apt-get)' >&2; exit 100; fi
if [ -n '$2' ]; then echo '$2' >&2; exit 100; fi
exit 0"
}
check() {   # $1: description, $2: expected exit (0/1), $3: expected apt-get calls
	checks=$((checks + 1))
	out=$(PATH="$T/bin:$PATH" DEPS_LOCK_WAIT=20 DEPS_POLICY_RC="$T/policy" sh "$DEPS" 2>&1); rc=$?
	calls=$(wc -l <"$T/calls")
	[ "$rc" -ne 0 ] && rc=1
	if [ "$rc" != "$2" ] || [ "$calls" != "$3" ]; then
		echo "FAIL: $1: exit $rc calls $calls (want $2, $3)"; echo "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}

setup 0 ''; check "no lock: update + install" 0 2
setup 3 ''; check "lock held for 3 tries, then installs" 0 5
setup 100 ''; check "lock held past the bound: gives up" 1 5
setup 0 'E: Unable to locate package gdb'; check "other error: no retry" 1 1
grep -q "Lock::Timeout" "$T/calls" || { echo "FAIL: apt-get not asked to wait for the dpkg lock"; failed=$((failed + 1)); }
checks=$((checks + 1))
expect() {  # $1: description, then a shell condition
	checks=$((checks + 1))
	d=$1; shift
	if ! "$@"; then echo "FAIL: $d"; echo "$out" | sed 's/^/    /'; failed=$((failed + 1)); fi
}

# Services: every apt-get call saw policy-rc.d answer 101; it is gone after.
setup 0 ''; check "install with a policy-rc.d" 0 2
expect "apt-get ran without policy-rc.d 101" [ "$(sort -u "$T/policy-seen")" = 101 ]
expect "our policy-rc.d left behind" [ ! -e "$T/policy" ]
setup 0 ''; printf '#!/bin/sh\nexit 0\n' >"$T/policy"; chmod +x "$T/policy"
check "install with an existing policy-rc.d" 0 2
expect "an existing policy-rc.d was not kept" grep -q "exit 0" "$T/policy"

# Optional (Slurm) packages.
setup 0 '' 'slurmd'; check "root, slurmd missing: installs it" 0 2
expect "slurmd not installed" grep -q "install .*slurmd" "$T/calls"
setup 0 '' 'slurmd' 1000; check "not root, only slurmd missing: a note" 0 0
expect "no note about slurmd" sh -c 'echo "$1" | grep -q "note: optional packages missing: slurmd"' x "$out"
setup 0 '' 'gdb' 1000; check "not root, gdb missing: fails" 1 0
expect "gdb not named" sh -c 'echo "$1" | grep -q "missing packages: gdb"' x "$out"
setup 0 '' 'munge' 0
check "root, munge missing" 0 2
expect "munge installed without policy" [ "$(sort -u "$T/policy-seen")" = 101 ]

echo "unit deps: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
