# Build and emulator defaults. Override on the command line: make run QEMU_MEM=512M
QEMU         ?= qemu-system-x86_64
QEMU_CPU     ?= qemu64,+svm,+npt
QEMU_MEM     ?= 256M
QEMU_MACHINE ?= q35
SCENARIO     ?= nic

CC           := gcc
LD           := ld
OBJCOPY      := objcopy
HOST_CC      ?= cc
