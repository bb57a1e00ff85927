#!/bin/sh
# mkiso.sh OUT.iso HV.elf "CMDLINE" BOOTCFG.bin [IMAGE.elf | NAME=FILE ...]
# A GRUB (multiboot2) boot ISO: the hypervisor with CMDLINE, the boot
# descriptor as module "bootcfg", each image as a module named after its
# file (without .elf), and each NAME=FILE as module NAME (e.g. faultplan=plan.txt).
set -e
[ $# -ge 4 ] || { echo "usage: mkiso.sh OUT.iso HV.elf CMDLINE BOOTCFG.bin [IMAGE.elf...]" >&2; exit 2; }
out=$1 hv=$2 cmdline=$3 cfg=$4
shift 4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$hv" "$dir/boot/hv.elf"
cp "$cfg" "$dir/boot/bootcfg.bin"
{
	echo "set timeout=0"
	echo "set default=0"
	echo "serial --unit=0 --speed=115200"
	echo "terminal_input serial"
	echo "terminal_output serial"
	echo "menuentry ddhv {"
	echo "  multiboot2 /boot/hv.elf $cmdline"
	echo "  module2 /boot/bootcfg.bin bootcfg"
	for img in "$@"; do
		case $img in
		*=*)	name=${img%%=*}
			cp "${img#*=}" "$dir/boot/$name.mod"
			echo "  module2 /boot/$name.mod $name" ;;
		*)	name=$(basename "$img" .elf)
			cp "$img" "$dir/boot/$name.elf"
			echo "  module2 /boot/$name.elf $name" ;;
		esac
	done
	echo "  boot"
	echo "}"
} > "$dir/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$dir" >/dev/null 2>&1 || {
	echo "mkiso: grub-mkrescue failed (are grub-pc-bin, xorriso and mtools installed? make deps)" >&2
	exit 1
}
