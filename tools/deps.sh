#!/bin/sh
# Install the Debian packages the build, the demo and the tests need, if any
# are missing. As root this runs apt-get; otherwise it prints the command.
# Another package installation may hold the package database lock (a fresh
# machine often runs one at boot): wait for it, bounded, instead of failing.
set -e
PKGS="qemu-system-x86 grub-pc-bin grub-common xorriso mtools gcc make binutils python3 gdb clang libclang-rt-14-dev libpci-dev pci.ids libcapstone-dev gnuplot-nox slurmctld slurmd slurm-client munge"
LOCK_WAIT=${DEPS_LOCK_WAIT:-600}    # seconds to wait for the apt/dpkg locks

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

apt_opts="-o DPkg::Lock::Timeout=$LOCK_WAIT"
cmd="apt-get $apt_opts update && DEBIAN_FRONTEND=noninteractive apt-get $apt_opts install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root:  $cmd" >&2
	exit 1
fi

# DPkg::Lock::Timeout covers the dpkg lock; 'apt-get update' also takes the
# lists lock, which it does not wait for: retry while a lock is the reason.
echo "deps: installing$missing"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
waited=0
while :; do
	if sh -c "$cmd" >"$log" 2>&1; then
		cat "$log"
		exit 0
	fi
	if ! grep -qiE "could not get lock|unable to acquire|is another process using it" "$log"; then
		cat "$log" >&2
		echo "deps: package installation failed" >&2
		exit 1
	fi
	if [ "$waited" -ge "$LOCK_WAIT" ]; then
		cat "$log" >&2
		echo "deps: the package database stayed locked for ${LOCK_WAIT}s; giving up" >&2
		exit 1
	fi
	echo "deps: another package installation holds the lock; waiting (${waited}s of ${LOCK_WAIT}s)"
	sleep 5
	waited=$((waited + 5))
done
