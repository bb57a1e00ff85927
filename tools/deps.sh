#!/bin/sh
# Install the Debian packages the build, the demo and the tests need, if any
# are missing. As root this runs apt-get; otherwise it prints the command.
set -e
PKGS="qemu-system-x86 grub-pc-bin grub-common xorriso mtools gcc make binutils python3 gdb clang libclang-rt-14-dev libpci-dev pci.ids"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root:  $cmd" >&2
	exit 1
fi
echo "deps: installing$missing"
sh -c "$cmd"
