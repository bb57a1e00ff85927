/* AMD SVM Virtual Machine Control Block (AMD64 APM vol. 2, appendix B). */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <stdint.h>

struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

struct vmcb_control {
	uint32_t intercept_cr;          /* 0x000 */
	uint32_t intercept_dr;          /* 0x004 */
	uint32_t intercept_exc;         /* 0x008 */
	uint32_t intercept_misc1;       /* 0x00c */
	uint32_t intercept_misc2;       /* 0x010 */
	uint32_t intercept_misc3;       /* 0x014 */
	uint8_t  rsvd0[0x3c - 0x18];
	uint16_t pause_filter_thresh;   /* 0x03c */
	uint16_t pause_filter_count;    /* 0x03e */
	uint64_t iopm_base_pa;          /* 0x040 */
	uint64_t msrpm_base_pa;         /* 0x048 */
	uint64_t tsc_offset;            /* 0x050 */
	uint32_t asid;                  /* 0x058 */
	uint8_t  tlb_control;           /* 0x05c */
	uint8_t  rsvd1[3];
	uint64_t v_intr;                /* 0x060 */
	uint64_t int_shadow;            /* 0x068 */
	uint64_t exitcode;              /* 0x070 */
	uint64_t exitinfo1;             /* 0x078 */
	uint64_t exitinfo2;             /* 0x080 */
	uint64_t exitintinfo;           /* 0x088 */
	uint64_t np_enable;             /* 0x090 */
	uint64_t avic_apic_bar;         /* 0x098 */
	uint64_t ghcb_pa;               /* 0x0a0 */
	uint64_t eventinj;              /* 0x0a8 */
	uint64_t n_cr3;                 /* 0x0b0 */
	uint64_t lbr_virt;              /* 0x0b8 */
	uint32_t clean_bits;            /* 0x0c0 */
	uint32_t rsvd2;
	uint64_t next_rip;              /* 0x0c8 */
	uint8_t  insn_len;              /* 0x0d0 */
	uint8_t  insn_bytes[15];
	uint8_t  rsvd3[0x400 - 0xe0];
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;     /* 0x400 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;       /* 0x460 */
	uint8_t  rsvd0[0x4cb - 0x4a0];
	uint8_t  cpl;                   /* 0x4cb */
	uint32_t rsvd1;
	uint64_t efer;                  /* 0x4d0 */
	uint8_t  rsvd2[0x548 - 0x4d8];
	uint64_t cr4;                   /* 0x548 */
	uint64_t cr3;                   /* 0x550 */
	uint64_t cr0;                   /* 0x558 */
	uint64_t dr7;                   /* 0x560 */
	uint64_t dr6;                   /* 0x568 */
	uint64_t rflags;                /* 0x570 */
	uint64_t rip;                   /* 0x578 */
	uint8_t  rsvd3[0x5d8 - 0x580];
	uint64_t rsp;                   /* 0x5d8 */
	uint8_t  rsvd4[0x5f8 - 0x5e0];
	uint64_t rax;                   /* 0x5f8 */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t cr2;                   /* 0x640 */
	uint8_t  rsvd5[0x668 - 0x648];
	uint64_t g_pat;                 /* 0x668 */
	uint8_t  rsvd6[0x1000 - 0x670];
};

struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
};

#define VMCB_OFF(f) __builtin_offsetof(struct vmcb, f)
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");
_Static_assert(VMCB_OFF(ctl.asid) == 0x058, "asid");
_Static_assert(VMCB_OFF(ctl.exitcode) == 0x070, "exitcode");
_Static_assert(VMCB_OFF(ctl.n_cr3) == 0x0b0, "n_cr3");
_Static_assert(VMCB_OFF(ctl.next_rip) == 0x0c8, "next_rip");
_Static_assert(VMCB_OFF(save.cpl) == 0x4cb, "cpl");
_Static_assert(VMCB_OFF(save.efer) == 0x4d0, "efer");
_Static_assert(VMCB_OFF(save.cr4) == 0x548, "cr4");
_Static_assert(VMCB_OFF(save.rip) == 0x578, "rip");
_Static_assert(VMCB_OFF(save.rsp) == 0x5d8, "rsp");
_Static_assert(VMCB_OFF(save.rax) == 0x5f8, "rax");
_Static_assert(VMCB_OFF(save.kernel_gs_base) == 0x620, "kernel_gs_base");
_Static_assert(VMCB_OFF(save.sysenter_eip) == 0x638, "sysenter_eip");
_Static_assert(VMCB_OFF(save.cr2) == 0x640, "cr2");
_Static_assert(VMCB_OFF(save.g_pat) == 0x668, "g_pat");

/* intercept_misc1 */
#define SVM_INTERCEPT_INTR      (1u << 0)
#define SVM_INTERCEPT_NMI       (1u << 1)
#define SVM_INTERCEPT_SMI       (1u << 2)
#define SVM_INTERCEPT_INIT      (1u << 3)
#define SVM_INTERCEPT_INTN      (1u << 21)     /* INT n (and, under QEMU's TCG, INT3) */
#define SVM_INTERCEPT_INVD      (1u << 22)
#define SVM_INTERCEPT_HLT       (1u << 24)
#define SVM_INTERCEPT_INVLPGA   (1u << 26)
#define SVM_INTERCEPT_IOIO      (1u << 27)
#define SVM_INTERCEPT_MSR       (1u << 28)
#define SVM_INTERCEPT_TASKSW    (1u << 29)
#define SVM_INTERCEPT_SHUTDOWN  (1u << 31)
/* intercept_misc2 */
#define SVM_INTERCEPT_VMRUN     (1u << 0)
#define SVM_INTERCEPT_VMMCALL   (1u << 1)
#define SVM_INTERCEPT_VMLOAD    (1u << 2)
#define SVM_INTERCEPT_VMSAVE    (1u << 3)
#define SVM_INTERCEPT_STGI      (1u << 4)
#define SVM_INTERCEPT_CLGI      (1u << 5)
#define SVM_INTERCEPT_SKINIT    (1u << 6)
#define SVM_INTERCEPT_WBINVD    (1u << 9)
#define SVM_INTERCEPT_MONITOR   (1u << 10)
#define SVM_INTERCEPT_MWAIT     (1u << 11)
#define SVM_INTERCEPT_XSETBV    (1u << 13)

/* intercept_exc: exception vector n */
#define SVM_INTERCEPT_EXC(n)    (1u << (n))

/* intercept_dr: reads of DRn in bits 15:0, writes in 31:16 */
#define SVM_INTERCEPT_DR_READ(n)  (1u << (n))
#define SVM_INTERCEPT_DR_WRITE(n) (1u << (16 + (n)))

#define SVM_V_INTR_MASKING      (1ull << 24)
#define SVM_V_IRQ               (1ull << 8)
#define SVM_V_IGN_TPR           (1ull << 20)
#define SVM_TLB_FLUSH_ALL       1

/* EVENTINJ: vector in bits 7:0, error code in 63:32 */
#define SVM_EVTINJ_TYPE_EXCEPTION (3u << 8)
#define SVM_EVTINJ_TYPE_SOFT    (4u << 8)      /* software interrupt (INT n) */
#define SVM_EVTINJ_ERROR_VALID  (1u << 11)
#define SVM_EVTINJ_VALID        (1u << 31)

/* Exit codes */
#define SVM_EXIT_READ_DR7       0x027
#define SVM_EXIT_WRITE_DR7      0x037
#define SVM_EXIT_EXCP_BP        0x043          /* exception 3 (#BP) */
#define SVM_EXIT_INTR           0x060
#define SVM_EXIT_NMI            0x061
#define SVM_EXIT_SMI            0x062
#define SVM_EXIT_INIT           0x063
#define SVM_EXIT_SWINT          0x075          /* INT n */
#define SVM_EXIT_HLT            0x078
#define SVM_EXIT_IOIO           0x07b
#define SVM_EXIT_MSR            0x07c
#define SVM_EXIT_SHUTDOWN       0x07f
#define SVM_EXIT_VMRUN          0x080
#define SVM_EXIT_VMMCALL        0x081
#define SVM_EXIT_XSETBV         0x08d
#define SVM_EXIT_NPF            0x400
#define SVM_EXIT_INVALID        0xffffffffu

#endif
