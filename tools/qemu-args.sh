# Sourced by the run scripts: the emulated machine (see ../shared QEMU-NOTES).
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_ARGS="-machine ${QEMU_MACHINE:-q35} -cpu ${QEMU_CPU:-qemu64,+svm,+npt} -m ${QEMU_MEM:-256M} \
 -nodefaults -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04"
