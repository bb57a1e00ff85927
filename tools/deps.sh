#!/bin/sh
# Install the Debian packages the build, the demo and the tests need, if any
# are missing. As root this runs apt-get; otherwise it prints the command.
# OPTIONAL packages (a one-node Slurm for tools/slurm-local.sh and the
# campaign/slurm test) are installed too when root (a fresh CI machine gets
# them); a user who is not root only gets a note, so that `make test` and
# `make campaign SLURM=1` (a cluster's own Slurm) work on a login node without them.
# Another package installation may hold the package database lock (a fresh
# machine often runs one at boot): wait for it, bounded, instead of failing.
set -e
PKGS="qemu-system-x86 grub-pc-bin grub-common xorriso mtools gcc make binutils python3 gdb clang libclang-rt-14-dev libpci-dev pci.ids libcapstone-dev gnuplot-nox"
OPTIONAL="slurmctld slurmd slurm-client munge"
LOCK_WAIT=${DEPS_LOCK_WAIT:-600}    # seconds to wait for the apt/dpkg locks
POLICY=${DEPS_POLICY_RC:-/usr/sbin/policy-rc.d}

# The packages of $1 not installed, each after a space.
missing_of() {
	m=""
	for p in $1; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			m="$m $p"
		fi
	done
	echo "$m"
}
missing=$(missing_of "$PKGS")
optional=$(missing_of "$OPTIONAL")
[ -z "$missing$optional" ] && exit 0

apt_opts="-o DPkg::Lock::Timeout=$LOCK_WAIT"
install_cmd() {
	echo "apt-get $apt_opts update && DEBIAN_FRONTEND=noninteractive apt-get $apt_opts install -y --no-install-recommends$1"
}
if [ "$(id -u)" -ne 0 ]; then
	if [ -n "$optional" ]; then
		echo "deps: note: optional packages missing:$optional (a one-node Slurm for" \
			"tools/slurm-local.sh and the campaign/slurm test; a cluster's Slurm needs none of them)" >&2
		[ -z "$missing" ] && echo "deps: to install them, as root:  $(install_cmd "$optional")" >&2
	fi
	[ -z "$missing" ] && exit 0
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root:  $(install_cmd "$missing$optional")" >&2
	exit 1
fi
missing="$missing$optional"
cmd=$(install_cmd "$missing")

# Installing slurmctld, slurmd and munge on a systemd host would enable and
# start their services (with /etc's default configuration, not ours). Debian's
# maintainer scripts start services through invoke-rc.d / deb-systemd-invoke,
# which ask /usr/sbin/policy-rc.d first; exit 101 there means "action
# forbidden", so nothing starts during the install. (The services stay
# enabled: they start at the next boot.) Our policy-rc.d is removed
# afterwards; one that was there already is left alone.
cleanup() {
	rm -f "$log"
	if [ -n "$made_policy" ]; then rm -f "$POLICY"; fi
}
made_policy=""
log=$(mktemp)
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
if [ ! -e "$POLICY" ]; then
	printf '#!/bin/sh\n# Written by ddhv tools/deps.sh while it installs packages; removed after.\nexit 101\n' >"$POLICY"
	chmod 755 "$POLICY"
	made_policy=1
fi

# DPkg::Lock::Timeout covers the dpkg lock; 'apt-get update' also takes the
# lists lock, which it does not wait for: retry while a lock is the reason.
echo "deps: installing$missing"
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
