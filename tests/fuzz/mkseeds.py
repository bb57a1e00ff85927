#!/usr/bin/env python3
"""Write the binary seed corpora under tests/fuzz/seeds/ (run from the top).

Each seed is a small valid input in the target's input format (see the
comment at the top of each tests/fuzz/fuzz_NAME.c), so fuzzing starts from
valid structure. The scenario seeds are copies of scenario files; the bootcfg
seeds are those scenarios compiled by build/tools/scncc behind a mode byte.
"""
import os
import struct
import subprocess
import sys

SEEDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def write(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- ELF: mode byte (memory = (b + 1) * 2 MiB), then an ET_EXEC x86-64 image
def elf(segs, entry, size):
    img = bytearray(size)
    img[0:16] = b"\x7fELF\x02\x01\x01" + bytes(9)
    struct.pack_into("<HHIQQQIHHHHHH", img, 16, 2, 62, 1, entry, 64, 0, 0, 64, 56,
                     len(segs), 0, 0, 0)
    for i, (typ, flags, off, vaddr, filesz, memsz) in enumerate(segs):
        struct.pack_into("<IIQQQQQQ", img, 64 + 56 * i, typ, flags, off, vaddr, vaddr,
                         filesz, memsz, 0x1000)
    return img


def elf_seeds():
    mib = 0x100000
    write("elf", "two_segments", bytes([1]) + elf(
        [(1, 5, 0x1000, mib, 0x200, 0x200), (1, 6, 0x1200, mib + 0x10000, 0x100, 0x3000),
         (4, 4, 0x1300, 0, 0x20, 0x20)], mib + 0x10, 0x1400))
    write("elf", "one_segment", bytes([0]) + elf([(1, 7, 0x100, mib, 0x80, 0x1000)],
                                                 mib, 0x180))


# ---- ACPI: selector byte (0 RSDP, 1 RSDT, 2 XSDT, 3 MCFG, 4 MADT, 5 DMAR), table
def checksum(b, at, n=None):
    n = len(b) if n is None else n
    b[at] = 0
    b[at] = (-sum(b[:n])) & 0xff
    return b


def table(sig, body):
    t = bytearray(sig + struct.pack("<IB", 36 + len(body), 1) + bytes(1) + b"BOCHS " +
                  b"BXPC    " + struct.pack("<I", 1) + b"BXPC" + struct.pack("<I", 1) + body)
    return checksum(t, 9)


def scope(typ, enum_id, bus, path):
    body = b"".join(bytes([d, f]) for d, f in path)
    return bytes([typ, 6 + len(body), 0, 0, enum_id, bus]) + body


def acpi_seeds():
    v1 = bytearray(b"RSD PTR " + bytes(1) + b"BOCHS " + bytes([0]) + struct.pack("<I", 0x7fe1a3c))
    write("acpi", "rsdp_v1", bytes([0]) + checksum(v1, 8, 20))
    v2 = bytearray(b"RSD PTR " + bytes(1) + b"BOCHS " + bytes([2]) +
                   struct.pack("<IIQ", 0x7fe1a3c, 36, 0x7fe1b00) + bytes(4))
    checksum(v2, 8, 20)
    write("acpi", "rsdp_v2", bytes([0]) + checksum(v2, 32, 36))
    write("acpi", "rsdt", bytes([1]) + table(b"RSDT", struct.pack("<4I", 0x7fe1000, 0x7fe1100,
                                                                 0x7fe1200, 0x7fe1300)))
    write("acpi", "xsdt", bytes([2]) + table(b"XSDT", struct.pack("<2Q", 0x7fe1000, 0x7fe1100)))
    write("acpi", "mcfg", bytes([3]) + table(b"MCFG", bytes(8) +
                                             struct.pack("<QHBBI", 0xb0000000, 0, 0, 255, 0)))
    madt = struct.pack("<II", 0xfee00000, 1)
    madt += bytes([0, 8, 0, 0]) + struct.pack("<I", 1)             # local APIC
    madt += bytes([1, 12, 0, 0]) + struct.pack("<II", 0xfec00000, 0)  # I/O APIC
    madt += bytes([2, 10, 0, 0]) + struct.pack("<IH", 2, 0)        # source override
    madt += bytes([4, 6, 0xff, 0, 0, 1])                           # local APIC NMI
    write("acpi", "madt", bytes([4]) + table(b"APIC", madt))
    drhd = struct.pack("<HHBBHQ", 0, 0, 1, 0, 0, 0xfed90000)
    drhd += scope(3, 0, 0xff, [(0, 0)])
    drhd = drhd[:2] + struct.pack("<H", len(drhd)) + drhd[4:]
    dmar = bytes([38, 1]) + bytes(10) + drhd
    write("acpi", "dmar_qemu", bytes([5]) + table(b"DMAR", dmar))
    drhd = struct.pack("<HHBBHQ", 0, 0, 0, 0, 0, 0xfed91000)
    drhd += scope(1, 0, 0, [(2, 0)]) + scope(2, 0, 0, [(1, 0), (0, 0)])
    drhd = drhd[:2] + struct.pack("<H", len(drhd)) + drhd[4:]
    rmrr = struct.pack("<HHHHQQ", 1, 0, 0, 0, 0xe0000, 0xeffff) + scope(1, 0, 0, [(0x1d, 0)])
    rmrr = rmrr[:2] + struct.pack("<H", len(rmrr)) + rmrr[4:]
    write("acpi", "dmar_rmrr", bytes([5]) + table(b"DMAR", bytes([38, 1]) + bytes(10) +
                                                  drhd + rmrr))


# ---- multiboot2 information structure
def mb2_tag(typ, body):
    t = struct.pack("<II", typ, 8 + len(body)) + body
    return t + bytes((8 - len(t) % 8) % 8)


def mb2_seeds():
    mods = [mb2_tag(3, struct.pack("<II", 0x200000, 0x201000) + b"bootcfg\0"),
            mb2_tag(3, struct.pack("<II", 0x202000, 0x203000) + b"hello  quiet=1 n=2\0")]
    mmap = struct.pack("<II", 24, 0) + b"".join(
        struct.pack("<QQII", b, l, t, 0) for b, l, t in
        ((0, 0x9fc00, 1), (0x100000, 0xff00000, 1), (0xfffc0000, 0x40000, 2)))
    rsdp = b"RSD PTR " + bytes(12)
    tags = (mb2_tag(1, b"test=boot x=1\0") + b"".join(mods) + mb2_tag(6, mmap) +
            mb2_tag(14, rsdp) + mb2_tag(15, rsdp + bytes(16)) + mb2_tag(21, b"ignored") +
            mb2_tag(0, b""))
    write("mb2", "grub", struct.pack("<II", 8 + len(tags), 0) + tags)
    # strings at their longest, with slack inside the tag: one byte more is a
    # single mutation away
    tags = (mb2_tag(1, b"c" * 255 + bytes(9)) +
            mb2_tag(3, struct.pack("<II", 0x200000, 0x201000) + b"n" * 63 + b" " +
                    b"a" * 255 + bytes(9)) + mb2_tag(0, b""))
    write("mb2", "longest_strings", struct.pack("<II", 8 + len(tags), 0) + tags)
    tags = mb2_tag(1, b"\0") + mb2_tag(0, b"")
    write("mb2", "minimal", struct.pack("<II", 8 + len(tags), 0) + tags)


# ---- netback: a script (see fuzz_netback_req.c): op byte, bit 7 = client
def nb_post(client, rid, kind, gref, offset, length):
    return bytes([client << 7, rid, kind, gref]) + struct.pack("<HH", offset, length)


def netback_seeds():
    poll, read = bytes([7 | 3 << 3]), bytes([6]) + bytes([0x86])
    # client 1 posts RX buffers, then both send a broadcast so netback learns their MACs
    rx = b"".join(nb_post(1, i, 0, 2, 0, 1514) for i in range(4))
    rx += nb_post(1, 9, 1, 0, 0, 60) + nb_post(0, 9, 1, 0, 0, 60) + poll
    write("netback_req", "tx_to_peer", rx + nb_post(0, 7, 1, 1, 0, 60) + poll +
          nb_post(0, 8, 1, 1, 64, 1514) + poll + read)
    write("netback_req", "uplink_rx", rx + poll + bytes([4, 1, 0x80]) + bytes(range(200)) +
          poll + read)
    write("netback_req", "bad_requests", rx + nb_post(0, 1, 1, 0, 0, 42) +     # broadcast
          nb_post(0, 2, 0x41, 1, 0, 60) + nb_post(0, 3, 0x85, 1, 0, 60) +          # flags, op
          nb_post(0, 4, 0, 12, 0, 100) + nb_post(0, 5, 1, 1, 4000, 200) +          # RO RX, range
          nb_post(0, 6, 1, 0xff, 0, 60) + nb_post(0, 7, 1, 3, 0, 10) + poll + read +
          bytes([5 | 1 << 3, 7 | 1 << 3]) + bytes([5 | 2 << 3, 7, 7]) + read)
    write("netback_req", "hostile_ring", nb_post(0, 1, 1, 1, 0, 60) + bytes([2, 1, 5]) +
          bytes(16) + bytes([2, 0, 3]) + bytes(range(16)) + poll + read)


def bootcfg_seeds():
    scncc = os.path.join("build", "tools", "scncc")
    if not os.access(scncc, os.X_OK):
        print("no %s: bootcfg seeds not rewritten" % scncc)
        return
    sdir = os.path.join(SEEDS, "scenario")
    for f in sorted(os.listdir(sdir))[:3]:
        out = "/tmp/mkseeds-%d.bin" % os.getpid()
        subprocess.run([scncc, os.path.join(sdir, f), "-o", out], check=True)
        with open(out, "rb") as fh:
            write("bootcfg", os.path.splitext(f)[0] + ".bin", b"\0" + fh.read())
        os.unlink(out)


if __name__ == "__main__":
    elf_seeds()
    acpi_seeds()
    mb2_seeds()
    netback_seeds()
    bootcfg_seeds()
    sys.exit(0)
