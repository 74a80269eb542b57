/*
 * The simulated PC as hardware: physical RAM (one host allocation, a
 * physical address is an offset in it), the CPUs (id, TLB, the loaded
 * page-table root cr3, the interrupt descriptor table the kernel loads,
 * performance counters), the paging mode and the clock.  Nothing here
 * knows the kernel: the CPUs enter it only through the trap table the
 * kernel installs at boot with load_idt().
 *
 * Each host thread runs at most one simulated CPU at a time: hw_this_cpu()
 * (a TLS pointer) is the CPU whose instructions the thread is executing.
 */
#ifndef HW_MACHINE_H
#define HW_MACHINE_H

#include <stdatomic.h>
#include "hw/paging.h"

#define HW_MAX_CPUS	16	/* a shootdown's CPU mask is one unsigned long */

struct hw_cpu;
struct tlb;

/*
 * The interrupt descriptor table: where a CPU vectors into the kernel.
 *   page_fault      #PF (vector 14): the access to @address failed with the
 *                   x86 @error_code.  0: the kernel resolved it, the CPU
 *                   retries the access; otherwise the access fails.  Called
 *                   outside the access bracket (the handler may sleep).
 *   invalidate_tlb  the TLB-shootdown IPI another CPU sent: the handler
 *                   flushes this CPU's TLB.  Taken at the next access
 *                   boundary, inside the bracket: it must not block.
 */
struct hw_trap_table {
	int (*page_fault)(struct hw_cpu *cpu, unsigned long address, unsigned int error_code);
	void (*invalidate_tlb)(struct hw_cpu *cpu);
	/*
	 * page_walk (optional, a tracing facility rather than an x86 vector):
	 * the MMU filled the TLB from a successful walk to frame @phys.  With a
	 * one-entry TLB that is every access to another page.  Inside the
	 * access bracket: it must not block.  NULL: not reported.
	 */
	void (*page_walk)(struct hw_cpu *cpu, phys_addr_t phys);
	/*
	 * #GP (and #NP): the segmentation unit (hw/segment.c) refused a
	 * segment load or an access through a segment; @vector and
	 * @error_code as x86 pushes them.  The access fails.
	 */
	void (*general_protection)(struct hw_cpu *cpu, unsigned int vector,
				   unsigned int error_code);
};

/* Performance counters of a CPU, counted by the hardware itself. */
enum hw_pmc { PMC_TLB_HIT, PMC_TLB_MISS, HW_NR_PMC };

/* One CPU.  Fields are written only by the host thread running it. */
struct hw_cpu {
	int id;
	struct tlb *tlb;			/* hw/tlb.c */
	struct hw_machine *hw;
	phys_addr_t cr3;			/* loaded page-table root, 0: none */
	const struct hw_trap_table *idt;	/* load_idt() */
	phys_addr_t gdt_base;			/* load_gdt() (hw/segment.h) */
	uint16_t gdt_limit;
	/* the instruction pointer: the last instruction fetched (mmu_user_fetch), 0: none */
	unsigned long ip;
	atomic_ulong pmc[HW_NR_PMC];		/* owner-written, anyone reads */
} __attribute__((aligned(64)));

/*
 * Device memory: one MMIO region of HW_MMIO_SIZE bytes (a device's
 * registers and on-board buffer) at a physical address above RAM with a
 * hole between them, as a PCI BAR.  The host mapping of RAM extends over
 * it, so the MMU reaches its bytes as RAM's (hw_phys); the hole is
 * PROT_NONE.  mmio_size is 0 when the paging mode cannot address it.
 */
#define HW_MMIO_SIZE	(64u << 10)
#define HW_MMIO_ALIGN	(1u << 20)

struct hw_machine {
	uint8_t *ram;
	uint64_t ram_size;
	phys_addr_t mmio_base;			/* first byte of the MMIO region */
	uint64_t mmio_size;			/* HW_MMIO_SIZE, or 0: none */
	uint64_t map_size;			/* the host mapping: RAM, hole, MMIO */
	enum hw_paging paging;			/* the mode every CPU walks in */
	int nr_cpus;
	atomic_ulong jiffies;			/* the clock: virtual time, advanced by devices */
	struct hw_cpu cpu[HW_MAX_CPUS];
};

/* What the machine is built with. */
struct hw_config {
	uint64_t ram_bytes;
	int nr_cpus;
	enum hw_paging paging;
	unsigned int tlb_entries, tlb_ways;	/* powers of two, ways <= entries */
};

/*
 * hw_machine_init - power on @hw (zeroed by the caller): RAM (host memory
 * committed on first write), the CPUs and their TLBs.  0, or -ENOMEM,
 * -EINVAL (bad TLB geometry).  hw_machine_fini powers it off.
 */
int hw_machine_init(struct hw_machine *hw, const struct hw_config *cfg);
void hw_machine_fini(struct hw_machine *hw);

/* lidt: the trap table @cpu vectors through from now on. */
static inline void load_idt(struct hw_cpu *cpu, const struct hw_trap_table *idt)
{
	cpu->idt = idt;
}

/* --- the CPU this host thread runs ------------------------------------------ */

extern __tls struct hw_cpu *__hw_this_cpu;

static __always_inline struct hw_cpu *hw_this_cpu(void)
{
	return __hw_this_cpu;
}
static __always_inline void hw_set_this_cpu(struct hw_cpu *cpu)
{
	__hw_this_cpu = cpu;
}

/* --- performance counters ----------------------------------------------------- */

static __always_inline void hw_pmc_add(struct hw_cpu *cpu, enum hw_pmc pmc, unsigned long n)
{
	atomic_ulong *c = &cpu->pmc[pmc];

	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}
/* Sum of a counter over the machine's CPUs. */
unsigned long hw_pmc_sum(struct hw_machine *hw, enum hw_pmc pmc);

/* --- the clock -------------------------------------------------------------- */

static inline unsigned long hw_clock_read(struct hw_machine *hw)
{
	return atomic_load_explicit(&hw->jiffies, memory_order_relaxed);
}
static inline void hw_clock_advance(struct hw_machine *hw, unsigned long ticks)
{
	atomic_fetch_add(&hw->jiffies, ticks);
}

/* Is [pa, pa + len) inside the MMIO region? */
static inline bool hw_is_mmio(const struct hw_machine *hw, phys_addr_t pa, uint64_t len)
{
	return hw->mmio_size && pa >= hw->mmio_base && len <= hw->mmio_size &&
	       pa - hw->mmio_base <= hw->mmio_size - len;
}

/* Host pointer to the bytes of physical address @pa (RAM or MMIO). */
static __always_inline uint8_t *hw_phys(struct hw_machine *hw, phys_addr_t pa)
{
	return hw->ram + pa;
}

#endif
