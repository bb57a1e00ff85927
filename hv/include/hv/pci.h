/*
 * PCI through ECAM (ACPI MCFG): enumeration behind bridges, config access and
 * BAR discovery. Devices are recorded once at boot; device assignment reads
 * this table.
 */
#ifndef HV_PCI_H
#define HV_PCI_H

#include <stdint.h>
#include "hv/acpi.h"

#define PCI_MAX_DEVS 64
#define PCI_BARS     6

struct pci_bar {
	uint64_t base, size;    /* size 0: unused */
	uint8_t is_io, is_64;
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint32_t class;         /* class << 16 | subclass << 8 | prog-if */
	uint8_t header_type;    /* 0 endpoint, 1 bridge */
	int parent;             /* index of the bridge above, -1 on the root bus */
	uint32_t owner;         /* id of the domain it is assigned to, 0 = none */
	uint8_t irq_vector;     /* host vector for its interrupt, 0 = none yet */
	uint8_t irq_port;       /* owner's event port its interrupt raises, 0 = none */
	uint8_t intx_gsi;       /* GSI of its INTx line while bound (0 = MSI or none) */
	struct pci_bar bar[PCI_BARS];
};

extern struct pci_dev pci_devs[PCI_MAX_DEVS];
extern unsigned pci_ndevs;

/* Enumerate segment 0 through the given ECAM window; logs every function. */
int pci_init(const struct mcfg_alloc *ecam);
uint32_t pci_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off);
void pci_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, uint32_t v);
const struct pci_dev *pci_find(uint16_t vendor, uint16_t device);
/* Config offset of p's capability 'id' (PCI_CAP_*), 0 when it has none. The
 * walk is bounded: a looping list cannot hang the hypervisor. */
#define PCI_CAP_MSI   0x05
#define PCI_CAP_PCIE  0x10
#define PCI_CAP_MSIX  0x11
unsigned pci_find_cap(const struct pci_dev *p, uint8_t id);
/* Root-bus slot and pin (0 = INTA) of its INTx line; -1 if it has none. */
int pci_intx_root(const struct pci_dev *p, unsigned *slot, unsigned *pin);
/* Reset a released device: secondary bus reset through the parent root port
 * when it is alone on that bus, else FLR when it has one; BARs restored,
 * decoding off. -1 when neither is possible. */
int pci_reset(const struct pci_dev *p);
/* The same in two halves (secondary bus reset only; an FLR completes in
 * begin): begin asserts the reset; finish ends it once PCI's minimum hold has
 * passed (waiting for the rest if called earlier), restores the BARs, turns
 * decoding off; poll finishes every reset whose hold has passed. */
int pci_reset_begin(const struct pci_dev *p);
int pci_reset_pending(const struct pci_dev *p);
void pci_reset_finish(const struct pci_dev *p);
void pci_reset_poll(void);
/* Function-level reset alone (PCIe FLR): -1 when the device has none. */
int pci_can_flr(const struct pci_dev *p);
int pci_flr(const struct pci_dev *p);

#endif
