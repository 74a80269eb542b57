/*
 * The software MMU of each simulated CPU (arch/sim/mmu.c): loads, stores
 * and instruction fetches of the running task, translated through the TLB
 * (kern/tlb.h) or, on a miss, by walking the page tables in simulated RAM
 * the way x86 hardware does (present/RW/user/NX checks, Accessed set on
 * every level, Dirty on the PTE of a write).  A failed walk raises a page
 * fault with the x86 error code (PF_PROT, PF_WRITE, PF_USER, PF_INSTR):
 * do_page_fault() resolves it and the access is retried, or it sends the
 * task a signal and the access fails with -EFAULT.
 *
 * User-mode accesses (mmu_user_*) are the process's own loads and stores:
 * PF_USER faults, signals on failure.  Kernel-mode accesses
 * (mmu_kernel_*) are the kernel touching user memory (copy_to_user) or
 * vmalloc space: no PF_USER, and an unresolvable fault only fails the
 * copy, as Linux's exception fixup does.
 */
#ifndef KERN_MMU_H
#define KERN_MMU_H

#include <errno.h>
#include "kern/tlb.h"

enum mmu_access { MMU_READ, MMU_WRITE, MMU_FETCH };

/*
 * __mmu_translate - slow path: called inside the access bracket after a
 * TLB miss.  Applies pending flushes, walks, fills the TLB; on a fault
 * leaves the bracket, runs do_page_fault and retries.  Returns the host
 * address of @addr still inside the bracket (caller does the access, then
 * tlb_exit), or NULL outside it when the fault could not be resolved.
 */
uint8_t *__mmu_translate(struct sim_cpu *cpu, unsigned long addr, enum mmu_access access,
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
unsigned int mmu_walk(struct machine *m, phys_addr_t pgd_phys, unsigned long addr,
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
#define mmu_user_read_slow(a, b, l) mmu_user_read(a, b, l)
#define mmu_user_write_slow(a, b, l) mmu_user_write(a, b, l)

/* --- kernel-mode accesses -------------------------------------------------- */

/*
 * Kernel-mode copies through the MMU (copy_to_user, vmalloc areas): return
 * the number of bytes NOT copied; faults are resolved when possible and
 * never signal.
 */
unsigned long mmu_kernel_read(void *buf, unsigned long addr, unsigned long len);
unsigned long mmu_kernel_write(unsigned long addr, const void *buf, unsigned long len);

static __always_inline int mmu_user_load64(unsigned long addr, uint64_t *val)
{
	struct sim_cpu *cpu = this_cpu();
	struct tlb *t = cpu->tlb;
	uint8_t *p;

	if (unlikely(addr & 7))
		return mmu_user_read_slow(addr, val, 8);
	tlb_enter(t);
	p = tlb_lookup_read(t, addr, true);
	if (likely(p)) {
		count_vm_event(TLB_HIT);
	} else {
		p = __mmu_translate(cpu, addr, MMU_READ, true);
		if (!p)
			return -EFAULT;
	}
	*val = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED);
	tlb_exit(t);
	return 0;
}

static __always_inline int mmu_user_store64(unsigned long addr, uint64_t val)
{
	struct sim_cpu *cpu = this_cpu();
	struct tlb *t = cpu->tlb;
	uint8_t *p;

	if (unlikely(addr & 7))
		return mmu_user_write_slow(addr, &val, 8);
	tlb_enter(t);
	p = tlb_lookup_write(t, addr, true);
	if (likely(p)) {
		count_vm_event(TLB_HIT);
	} else {
		p = __mmu_translate(cpu, addr, MMU_WRITE, true);
		if (!p)
			return -EFAULT;
	}
	__atomic_store_n((uint64_t *)p, val, __ATOMIC_RELAXED);
	tlb_exit(t);
	return 0;
}

#endif
