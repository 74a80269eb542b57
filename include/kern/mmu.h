/*
 * The kernel's view of the MMU: the running task's own accesses and the
 * kernel-mode copies through the hardware MMU (hw/mmu.h), and the TLB
 * flushes that go with changing page tables (kern/tlb.h).
 */
#ifndef KERN_MMU_H
#define KERN_MMU_H

#include "kern/tlb.h"
#include "hw/mmu.h"

#endif
