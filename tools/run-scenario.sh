#!/bin/sh
# run-scenario.sh [--debug] SCENARIO.scn: compile the scenario, build a boot ISO
# and boot it in QEMU with the serial console on this terminal.
set -e
debug=0
[ "$1" = "--debug" ] && { debug=1; shift; }
scn=$1
[ -f "$scn" ] || { echo "run-scenario: no scenario file '$scn'" >&2; exit 2; }
. ./tools/qemu-args.sh
name=$(basename "$scn" .scn)
out=build/run
mkdir -p "$out"
build/tools/scncc "$scn" -o "$out/$name.bin"
imgs=""
for i in $(build/tools/scncc --images "$scn"); do
	[ -f "build/guest/$i.elf" ] || { echo "run-scenario: no guest image '$i' (guest/apps/$i.c)" >&2; exit 2; }
	imgs="$imgs build/guest/$i.elf"
done
tools/mkiso.sh "$out/$name.iso" build/hv.elf "" "$out/$name.bin" $imgs
if [ $debug = 1 ]; then
	echo "QEMU waits for gdb on :1234; in another terminal: gdb -x tools/gdbinit"
	exec $QEMU $QEMU_ARGS -cdrom "$out/$name.iso" -serial mon:stdio -s -S
fi
echo "Booting scenario '$name' (quit QEMU any time with Ctrl-A then X)"
set +e
$QEMU $QEMU_ARGS -cdrom "$out/$name.iso" -serial mon:stdio
rc=$?
# isa-debug-exit: QEMU exits with (status << 1) | 1; 0x10 (33) means success.
[ $rc -eq 33 ] && exit 0
echo "run-scenario: QEMU exited with $rc" >&2
exit 1
