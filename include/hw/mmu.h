/*
 * The software MMU of each simulated CPU (hw/mmu.c): loads, stores
 * and instruction fetches of the running task, translated through the TLB
 * (hw/tlb.h) or, on a miss, by walking the page tables in simulated RAM
 * the way x86 hardware does (present/RW/user/NX checks, Accessed set on
 * every level, Dirty on the PTE of a write).  A failed walk raises a page
 * fault with the x86 error code (PF_PROT, PF_WRITE, PF_USER, PF_INSTR)
 * through the CPU's trap table: the kernel's handler (do_page_fault)
 * resolves it and the access is retried, or it sends the task a signal
 * and the access fails with -EFAULT.
 *
 * User-mode accesses (mmu_user_*) are the process's own loads and stores:
 * PF_USER faults, signals on failure.  Kernel-mode accesses
 * (mmu_kernel_*) are the kernel touching user memory (copy_to_user) or
 * vmalloc space: no PF_USER, and an unresolvable fault only fails the
 * copy, as Linux's exception fixup does.
 */
#ifndef HW_MMU_H
#define HW_MMU_H

#include <errno.h>
#include "hw/tlb.h"

enum mmu_access { MMU_READ, MMU_WRITE, MMU_FETCH };

/*
 * __mmu_translate - slow path: called inside the access bracket after a
 * TLB miss.  Applies pending flushes, walks, fills the TLB; on a fault
 * leaves the bracket, vectors to the kernel's page-fault handler and
 * retries.  Returns the host
 * address of @addr still inside the bracket (caller does the access, then
 * tlb_exit), or NULL outside it when the fault could not be resolved.
 */
uint8_t *__mmu_translate(struct hw_cpu *cpu, unsigned long addr, enum mmu_access access,
			 bool user);

struct mmu_walk_result {
	uint64_t pte;			/* the final entry (after A/D update) */
	phys_addr_t phys;		/* physical address of the byte */
	bool user, writable, nx, global, dirty;
	unsigned int level;		/* PGT_PTE, or PGT_PMD for a large page */
};
/*
 * mmu_walk - the hardware page walk of @addr in the tables at @pgd_phys:
 * 0 with @res filled (Accessed, and Dirty for a write, set in RAM), or
 * MMU_FAULT | the x86 error code of the fault it would raise (the flag
 * tells a kernel-mode read of a not-present page, error code 0, from a
 * successful walk).
 */
#define MMU_FAULT	0x80000000u
unsigned int mmu_walk(struct hw_machine *hw, phys_addr_t pgd_phys, unsigned long addr,
		      enum mmu_access access, bool user, struct mmu_walk_result *res);

/*
 * __mmu_copy - copy @len bytes between virtual @addr and @buf (read) or
 * from @src (write), page by page; returns the bytes not copied.
 */
unsigned long __mmu_copy(unsigned long addr, void *buf, const void *src,
			 unsigned long len, bool write, bool user);

/* --- user-mode accesses of current (through current's loaded mm) ---------- */

/*
 * Bulk loads and stores of the running task: page by page through the
 * TLB, each page's bytes copied at once.  0, or -EFAULT after a fault that
 * raised a signal (bytes before the faulting page were transferred).
 */
int mmu_user_read(unsigned long addr, void *buf, unsigned long len);
int mmu_user_write(unsigned long addr, const void *buf, unsigned long len);
/* Instruction fetch of one byte (NX checked: PF_INSTR faults). */
int mmu_user_fetch(unsigned long addr, uint8_t *byte);

/* --- kernel-mode accesses -------------------------------------------------- */

/*
 * Kernel-mode copies through the MMU (copy_to_user, vmalloc areas): return
 * the number of bytes NOT copied; faults are resolved when possible and
 * never signal.
 */
unsigned long mmu_kernel_read(void *buf, unsigned long addr, unsigned long len);
unsigned long mmu_kernel_write(unsigned long addr, const void *buf, unsigned long len);

/* --- 8-byte user accesses ----------------------------------------------------- */

/*
 * __mmu_access64 - the rest of an 8-byte user load or store (@write: store
 * *@val) that the L0 did not serve: an unaligned address, a hit in the
 * set-associative array, a walk, a fault.  Entered and left inside the
 * access bracket.  0, or -EFAULT after a fault that raised a signal.
 */
int __mmu_access64(struct hw_cpu *cpu, unsigned long addr, uint64_t *val, bool write);

/* One load or store of the running task, with its own access bracket. */
static __always_inline int mmu_user_load64(unsigned long addr, uint64_t *val)
{
	struct hw_cpu *cpu = hw_this_cpu();
	struct tlb *t = cpu->tlb;
	const struct tlb_l0 *e;
	int err = 0;

	tlb_enter(t);
	e = tlb_l0_hit(t, addr, false);
	if (likely(e)) {
		*val = __atomic_load_n((uint64_t *)(e->addend + addr), __ATOMIC_RELAXED);
		hw_pmc_add(cpu, PMC_TLB_HIT, 1);
	} else {
		err = __mmu_access64(cpu, addr, val, false);
	}
	tlb_exit(t);
	return err;
}

static __always_inline int mmu_user_store64(unsigned long addr, uint64_t val)
{
	struct hw_cpu *cpu = hw_this_cpu();
	struct tlb *t = cpu->tlb;
	const struct tlb_l0 *e;
	int err = 0;

	tlb_enter(t);
	e = tlb_l0_hit(t, addr, true);
	if (likely(e)) {
		__atomic_store_n((uint64_t *)(e->addend + addr), val, __ATOMIC_RELAXED);
		hw_pmc_add(cpu, PMC_TLB_HIT, 1);
	} else {
		err = __mmu_access64(cpu, addr, &val, true);
	}
	tlb_exit(t);
	return err;
}

/*
 * A user-mode run: a stretch of the running task's loads and stores, as a
 * CPU executes user instructions between two kernel entries.
 *
 *	struct mmu_run r;
 *
 *	mmu_run_begin(&r);
 *	for (...)
 *		if (mmu_run_load64(&r, addr, &v)) ...;
 *	mmu_run_end(&r);
 *
 * The access bracket stays open for the whole run, so a hit is the L0
 * compare and the flush check, with no store; hits are added to the CPU's
 * TLB_HIT count at mmu_run_end (the events lag until then, as Linux's
 * per-CPU counter deltas do).  Faults are taken and resolved inside, as
 * with the one-access calls.  Between begin and end the thread must keep
 * running accesses or end the run: no system call, no vmsim_* call, no
 * blocking, since other CPUs' TLB shootdowns wait for the run's next
 * access (as an IPI waits for an instruction boundary).
 */
struct mmu_run {
	struct hw_cpu *cpu;
	struct tlb *tlb;
	unsigned long hits;	/* TLB hits not yet in the CPU's events */
};

static __always_inline void mmu_run_begin(struct mmu_run *r)
{
	r->cpu = hw_this_cpu();
	r->tlb = r->cpu->tlb;
	r->hits = 0;
	tlb_enter(r->tlb);
}

static __always_inline void mmu_run_end(struct mmu_run *r)
{
	hw_pmc_add(r->cpu, PMC_TLB_HIT, r->hits);
	r->hits = 0;
	tlb_exit(r->tlb);
}

static __always_inline int mmu_run_load64(struct mmu_run *r, unsigned long addr, uint64_t *val)
{
	const struct tlb_l0 *e = tlb_l0_hit(r->tlb, addr, false);

	if (likely(e)) {
		r->hits++;
		*val = __atomic_load_n((uint64_t *)(e->addend + addr), __ATOMIC_RELAXED);
		return 0;
	}
	return __mmu_access64(r->cpu, addr, val, false);
}

static __always_inline int mmu_run_store64(struct mmu_run *r, unsigned long addr, uint64_t val)
{
	const struct tlb_l0 *e = tlb_l0_hit(r->tlb, addr, true);

	if (likely(e)) {
		r->hits++;
		__atomic_store_n((uint64_t *)(e->addend + addr), val, __ATOMIC_RELAXED);
		return 0;
	}
	return __mmu_access64(r->cpu, addr, &val, true);
}

#endif
