#!/bin/sh
# tools/deps.sh against fake apt-get/dpkg-query/id/sleep: it waits while
# another installation holds the lock, gives up after DEPS_LOCK_WAIT, and
# fails at once on any other apt error.
ROOT=${DDHV_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
DEPS=${DEPS_SCRIPT:-$ROOT/tools/deps.sh}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failed=0 checks=0

fake() { printf '#!/bin/sh\n%s\n' "$2" >"$T/bin/$1"; chmod +x "$T/bin/$1"; }
setup() {   # $1: how many apt-get calls report a held lock, $2: other error
	rm -rf "$T/bin" && mkdir -p "$T/bin" && : >"$T/calls"
	fake id 'echo 0'
	fake sleep ':'
	fake dpkg-query 'case "$*" in *gdb*) echo "unknown ok not-installed";; *) echo "install ok installed";; esac'
	fake apt-get "echo \"\$*\" >>$T/calls; n=\$(wc -l <$T/calls)
if [ \$n -le $1 ]; then echo 'E: Could not get lock /var/lib/apt/lists/lock. It is held by process 42 (apt-get)' >&2; exit 100; fi
if [ -n '$2' ]; then echo '$2' >&2; exit 100; fi
exit 0"
}
check() {   # $1: description, $2: expected exit (0/1), $3: expected apt-get calls
	checks=$((checks + 1))
	out=$(PATH="$T/bin:$PATH" DEPS_LOCK_WAIT=20 sh "$DEPS" 2>&1); rc=$?
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
echo "unit deps: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
