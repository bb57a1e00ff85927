/*
 * Intel 8254x (82540EM, QEMU's "e1000") registers and descriptor formats used
 * by the driver, from the PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual.
 */
#ifndef E1000_REGS_H
#define E1000_REGS_H

#include <stdint.h>

#define E1000_CTRL      0x0000
#define E1000_STATUS    0x0008
#define E1000_ICR       0x00c0  /* interrupt cause, read to clear */
#define E1000_ICS       0x00c8
#define E1000_IMS       0x00d0
#define E1000_IMC       0x00d8
#define E1000_RCTL      0x0100
#define E1000_TCTL      0x0400
#define E1000_TIPG      0x0410
#define E1000_RDBAL     0x2800
#define E1000_RDBAH     0x2804
#define E1000_RDLEN     0x2808
#define E1000_RDH       0x2810
#define E1000_RDT       0x2818
#define E1000_RDTR      0x2820
#define E1000_TDBAL     0x3800
#define E1000_TDBAH     0x3804
#define E1000_TDLEN     0x3808
#define E1000_TDH       0x3810
#define E1000_TDT       0x3818
#define E1000_MTA       0x5200  /* 128 multicast hash words */
#define E1000_RAL(n)    (0x5400 + 8 * (n))
#define E1000_RAH(n)    (0x5404 + 8 * (n))
#define E1000_RA_COUNT  16

#define CTRL_SLU        (1u << 6)
#define CTRL_RST        (1u << 26)
#define STATUS_LU       (1u << 1)
#define RAH_AV          (1u << 31)

#define RCTL_EN         (1u << 1)
#define RCTL_BAM        (1u << 15)      /* accept broadcast */
#define RCTL_BSIZE_2048 (0u << 16)
#define RCTL_SECRC      (1u << 26)      /* strip the CRC */

#define TCTL_EN         (1u << 1)
#define TCTL_PSP        (1u << 3)       /* pad short packets */
#define TCTL_CT(x)      ((uint32_t)(x) << 4)
#define TCTL_COLD(x)    ((uint32_t)(x) << 12)
#define TIPG_DEFAULT    (10u | 8u << 10 | 6u << 20)

#define ICR_TXDW        (1u << 0)
#define ICR_LSC         (1u << 2)
#define ICR_RXDMT0      (1u << 4)
#define ICR_RXO         (1u << 6)
#define ICR_RXT0        (1u << 7)

struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};

struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};

#define RXD_DD          (1u << 0)
#define RXD_EOP         (1u << 1)
#define TXD_CMD_EOP     (1u << 0)
#define TXD_CMD_IFCS    (1u << 1)
#define TXD_CMD_RS      (1u << 3)
#define TXD_DD          (1u << 0)

_Static_assert(sizeof(struct e1000_rx_desc) == 16, "rx descriptor");
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "tx descriptor");

#endif
